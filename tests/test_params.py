"""Parameter counts: components by hand, and every released catalog model against its card."""

from __future__ import annotations

import pytest

from llmcost.catalog import load_catalog
from llmcost.perf import param_breakdown
from test_perf_specs import LLAMA_4_MAVERICK, LLAMA_4_SCOUT, LLAMA_31_8B, LLAMA_32_1B


def test_llama_31_8b_components_by_hand():
    p = param_breakdown(LLAMA_31_8B)
    # per layer: q,o 4096×4096 each + k,v 4096×1024 each = 41,943,040; ×32 layers
    assert p.attention == 32 * 41_943_040
    # SwiGLU: 3 × 4096 × 14,336 = 176,160,768 per layer
    assert p.dense_mlp == 32 * 176_160_768
    # untied: embedding and LM head both 128,256 × 4096
    assert p.embedding == p.lm_head == 525_336_576
    assert p.norms == 4096 * (2 * 32 + 1)
    assert p.routed_experts == p.shared_experts == p.router == 0
    assert p.active_per_token == p.text_total == 8_030_261_248


def test_tied_embeddings_have_no_separate_head():
    p = param_breakdown(LLAMA_32_1B)
    assert p.lm_head == 0
    assert p.text_total == 1_235_814_400  # model card: "1B (1.23B)"


def test_scout_moe_components_by_hand():
    p = param_breakdown(LLAMA_4_SCOUT)
    expert = 3 * 5120 * 8192  # one SwiGLU expert of width 8192
    assert p.expert_params_each == expert
    assert p.routed_experts == 48 * 16 * expert  # 16 experts on every layer
    assert p.shared_experts == 48 * expert
    assert p.router == 48 * 5120 * 16
    assert p.routed_experts_active == 48 * expert  # top-1
    assert p.active_per_token == 17_172_894_720  # derived in reference/model_configs.json


def test_maverick_alternates_dense_and_moe_layers():
    p = param_breakdown(LLAMA_4_MAVERICK)
    assert p.dense_mlp == 24 * 3 * 5120 * 16384  # 24 dense layers of width 16,384
    assert p.routed_experts == 24 * 128 * 3 * 5120 * 8192
    assert p.active_per_token == 17_184_691_200  # derived in reference/model_configs.json
    # text 400.7B + vision encoder 0.87B ≈ the card's "400B" total
    assert p.total == pytest.approx(400e9, rel=0.01)


def _published_tolerance(official: float) -> float:
    """1 %, or half a unit of the figure as published ("17B" → ± 0.5B): Meta quotes Llama 4's
    17.17B active parameters as "17B", 1.02 % off."""
    return max(0.01 * official, 0.5e9 if official >= 1e10 else 0.0)


_CATALOG = load_catalog()
_RELEASED = sorted(m.id for m in _CATALOG.models if m.released)


def test_every_catalog_id_the_contract_names_is_checked():
    assert {"llama-3.1-8b", "llama-3.1-70b", "llama-4-scout", "llama-4-maverick"} <= set(_RELEASED)


@pytest.mark.parametrize("model_id", _RELEASED)
def test_catalog_parameter_counts_match_the_model_cards(model_id: str):
    spec = _CATALOG.model_spec(model_id)
    if model_id == "llama-2-70b" and spec.params_total_official == 70e9:
        pytest.xfail("Llama 2 70B is marketed as 70B; its architecture counts 68.98B (HF: 69B)")
    p = param_breakdown(spec)
    assert p.total == pytest.approx(spec.params_total_official, rel=0.01)  # text + vision
    tol = _published_tolerance(spec.params_active_official)
    assert abs(p.active_per_token - spec.params_active_official) <= tol
