"""Speculative decoding (llmcost.perf.speculative): tokens per round, round time, memory,
scenario and CLI edges."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from llmcost._core.errors import InvalidInputError, LlmcostError
from llmcost.catalog import load_catalog
from llmcost.cli import main
from llmcost.perf import estimate_serving, get_engine_profile
from llmcost.perf.parallel import resolve_split
from llmcost.perf.speculative import (
    SpeculativeDecoding,
    eagle_head_spec,
    expected_tokens_per_round,
    speculative_rates,
)
from llmcost.perf.speed import deployment_rates, layer_context_sum, step_time_s
from llmcost.perf.weights import weight_bytes
from llmcost.scenario import compare, parse_scenario

CAT = load_catalog()
L70 = CAT.model_spec("llama-3.1-70b")
L1B = CAT.model_spec("llama-3.2-1b")
H100 = CAT.gpu_spec("h100-sxm")
BASE: dict[str, Any] = dict(gpus=4, precision="fp8", input_tokens=1000, output_tokens=200)


def _run(spec: SpeculativeDecoding | None, **kw: Any) -> Any:
    return estimate_serving(L70, H100, **(BASE | kw), speculative=spec)


# --- tokens per round: Leviathan, Kalman & Matias 2023, eq. 1 -----------------------------------


@pytest.mark.parametrize(
    ("alpha", "k", "expected"),
    [
        (0.8, 4, 3.3616),  # (1 − 0.8⁵) / 0.2 = 0.67232 / 0.2
        (0.6, 3, 2.176),  # (1 − 0.6⁴) / 0.4 = 0.8704 / 0.4
        (0.5, 1, 1.5),  # one draft: 1 + α
        (0.0, 5, 1.0),  # nothing accepted: the target's own token only
        (1.0, 5, 6.0),  # everything accepted: k + 1
    ],
)
def test_tokens_per_round_by_hand(alpha: float, k: int, expected: float) -> None:
    assert float(expected_tokens_per_round(alpha, k)) == pytest.approx(expected, rel=1e-12)


@settings(max_examples=60, deadline=None)
@given(st.floats(0.0, 0.999), st.integers(1, 15))
def test_tokens_per_round_bounds_and_monotone(alpha: float, k: int) -> None:
    e = float(expected_tokens_per_round(alpha, k))
    assert 1.0 <= e <= k + 1.0 + 1e-12
    assert float(expected_tokens_per_round(alpha, k + 1)) >= e - 1e-12
    assert float(expected_tokens_per_round(min(alpha + 1e-3, 1.0), k)) >= e - 1e-12
    # the series form: Σ_{i=0..k} α^i
    assert e == pytest.approx(sum(alpha**i for i in range(k + 1)), rel=1e-9)


# --- round time -----------------------------------------------------------------------------------


def _rates() -> Any:
    profile = get_engine_profile("vllm").for_gpu(H100)
    split = resolve_split(L70, 4)
    return deployment_rates(L70, H100, "fp8", "bf16", split, profile), profile


def test_ngram_tpot_is_the_verification_step_over_tokens_per_round() -> None:
    # decode only (a fully cached prompt prefills nothing): TPOT = step(b, k more tokens) / E
    rates, _ = _rates()
    spec = SpeculativeDecoding("ngram", 4, 0.6)
    est = _run(spec, batch=8, cached_input_fraction=1.0)
    ctx = 1000 + 200 / 2
    verify = step_time_s(rates, 8, ctx, 4 * 8, layer_context_sum(L70, ctx - 1, ctx))
    e = (1 - 0.6**5) / 0.4
    assert float(est.tpot_s) == pytest.approx(float(verify.total) / e, rel=1e-9)


def test_draft_model_round_adds_k_draft_passes() -> None:
    rates, profile = _rates()
    spec = SpeculativeDecoding("draft_model", 3, 0.7, draft_model=L1B)
    sr = speculative_rates(spec, rates, H100, "fp8", profile)
    est = _run(spec, batch=4, cached_input_fraction=1.0)
    ctx = 1100.0
    verify = step_time_s(rates, 4, ctx, 3 * 4, layer_context_sum(L70, ctx - 1, ctx)).total
    draft_pass = step_time_s(sr.draft, 4, ctx, 0.0, 0.0).total - profile.step_overhead_s
    e = (1 - 0.7**4) / 0.3
    assert float(est.tpot_s) == pytest.approx((float(verify) + 3 * float(draft_pass)) / e, 1e-9)


def test_bandwidth_bound_speedup_is_about_tokens_per_round() -> None:
    # 70B FP8 TP4 at batch 1: 17.6 GB of weights per GPU read per step (≈ 7 ms) against
    # 5 tokens × 35 GFLOP per GPU (≈ 0.15 ms): verification costs ~ a decode step, so n-gram
    # speculation speeds decode up by ≈ E = 1.9375 (α = 0.5, k = 4)
    plain = float(_run(None, batch=1, cached_input_fraction=1.0).tpot_s)
    fast = float(
        _run(SpeculativeDecoding("ngram", 4, 0.5), batch=1, cached_input_fraction=1.0).tpot_s
    )
    assert plain / fast == pytest.approx(1.9375, rel=0.05)
    assert plain / fast < 1.9375


def test_speculation_loses_where_decode_is_compute_bound() -> None:
    spec = SpeculativeDecoding("eagle", 4, 0.6)
    small = [float(_run(s, batch=1).output_tokens_per_s) for s in (None, spec)]
    large = [float(_run(s, batch=512).output_tokens_per_s) for s in (None, spec)]
    assert small[1] > 1.5 * small[0]
    assert large[1] < large[0]


def test_draft_memory_comes_out_of_the_kv_budget() -> None:
    plain = float(_run(None, max_throughput=True).max_batch_size)
    ngram = float(_run(SpeculativeDecoding("ngram", 4, 0.5), max_throughput=True).max_batch_size)
    eagle = float(_run(SpeculativeDecoding("eagle", 4, 0.5), max_throughput=True).max_batch_size)
    draft = float(
        _run(
            SpeculativeDecoding("draft_model", 4, 0.5, draft_model=L1B), max_throughput=True
        ).max_batch_size
    )
    assert ngram == plain
    assert draft < eagle < plain
    # the 1B draft: 16 layers × 8 KV heads × 64 dims against 80 × 8 × 128 → KV ratio 0.1
    rates, profile = _rates()
    sr = speculative_rates(
        SpeculativeDecoding("draft_model", 4, 0.5, draft_model=L1B), rates, H100, "fp8", profile
    )
    assert float(sr.draft_kv_ratio) == pytest.approx(16 * 64 / (80 * 128))
    assert float(sr.draft_weights_bytes_per_gpu) == pytest.approx(
        float(weight_bytes(L1B, "fp8").per_gpu(4))
    )


def test_eagle_head_is_one_dense_layer_of_the_target() -> None:
    head = eagle_head_spec(CAT.model_spec("llama-4-maverick"))
    assert (head.num_layers, head.num_experts, head.is_moe) == (1, 0, False)
    assert head.hidden_size == 5120


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"method": "medusa", "num_draft_tokens": 4, "acceptance_rate": 0.5}, "method"),
        ({"method": "ngram", "num_draft_tokens": 0, "acceptance_rate": 0.5}, "num_draft_tokens"),
        ({"method": "ngram", "num_draft_tokens": 4, "acceptance_rate": 1.5}, "acceptance_rate"),
        ({"method": "draft_model", "num_draft_tokens": 4, "acceptance_rate": 0.5}, "draft_model"),
        (
            {"method": "eagle", "num_draft_tokens": 4, "acceptance_rate": 0.5, "draft_model": L1B},
            "draft_model",
        ),
    ],
)
def test_bad_settings_name_the_field(kwargs: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidInputError, match=field):
        SpeculativeDecoding(**kwargs)


def test_draft_model_must_share_the_vocabulary() -> None:
    spec = SpeculativeDecoding("draft_model", 4, 0.5, draft_model=CAT.model_spec("llama-2-70b"))
    with pytest.raises(InvalidInputError, match="vocabulary"):
        _run(spec, batch=1)


def test_explain_shows_the_speculation() -> None:
    text = _run(SpeculativeDecoding("eagle", 4, 0.8), batch=2).explain(provenance=False)
    assert "EAGLE head" in text
    assert "3.36 tokens per verification step" in text


# --- scenario and CLI -----------------------------------------------------------------------------

_OPTION = {
    "name": "70b",
    "kind": "self_hosted",
    "model": "llama-3.1-70b",
    "gpu": "h100-sxm",
    "gpus_per_replica": 4,
    "precision": "fp8",
    "gpu_usd_per_hour": 2.0,
    "tpot_slo_s": 0.012,
}
_WL = {
    "requests_per_month": 1_000_000,
    "input_tokens_per_request": 1000,
    "output_tokens_per_request": 200,
}


def _option(**extra: Any) -> Any:
    sc = parse_scenario({"name": "s", "workload": _WL, "options": [_OPTION | extra]})
    return compare(sc, catalog=CAT).option("70b")


def test_scenario_speculation_under_a_tight_tpot_target_costs_less_gpu_time() -> None:
    plain = _option()
    spec = _option(
        speculative={
            "method": "draft_model",
            "draft_model": "llama-3.2-1b",
            "num_draft_tokens": 4,
            "acceptance_rate": 0.7,
        }
    )
    assert plain.feasible
    assert spec.feasible
    # GPU time of the work alone: fewer replica-seconds per request at the same TPOT target
    assert spec.at_capacity_usd_per_mtok < 0.5 * plain.at_capacity_usd_per_mtok
    assert spec.tpot_s <= 0.012


@pytest.mark.parametrize(
    ("speculative", "match"),
    [
        ({"method": "draft_model", "num_draft_tokens": 4, "acceptance_rate": 0.7}, "draft_model"),
        ({"method": "eagle", "num_draft_tokens": 4, "acceptance_rate": 2}, "acceptance_rate"),
        ({"method": "eagle", "num_draft_tokens": 4, "acceptance_rate": 0.5, "k": 1}, "k"),
        (
            {
                "method": "draft_model",
                "draft_model": "llama-9-1b",
                "num_draft_tokens": 4,
                "acceptance_rate": 0.7,
            },
            "llama-9-1b",
        ),
    ],
)
def test_scenario_bad_speculative_names_it(speculative: dict[str, Any], match: str) -> None:
    with pytest.raises(LlmcostError, match=match):
        _option(speculative=speculative)


_ARGV = ["perf", "--model", "llama-3.1-70b", "--gpu", "h100-sxm", "--gpus", "4", "--precision",
         "fp8", "--input-tokens", "1000", "--output-tokens", "200", "--batch", "4"]  # fmt: skip


def test_cli_speculative_flags(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*_ARGV, "--json"]) == 0
    plain = json.loads(capsys.readouterr().out)
    flags = ["--speculative", "draft_model", "--draft-model", "llama-3.2-1b",
             "--num-draft-tokens", "3", "--acceptance-rate", "0.7", "--json"]  # fmt: skip
    assert main([*_ARGV, *flags]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["basis"]["speculative"]["tokens_per_round"] == pytest.approx(2.533, abs=1e-3)
    assert out["tpot_s"] < plain["tpot_s"]


@pytest.mark.parametrize(
    ("flags", "match"),
    [
        (["--acceptance-rate", "0.5"], "--speculative"),
        (["--speculative", "eagle"], "--acceptance-rate"),
        (["--speculative", "eagle", "--acceptance-rate", "-1"], "acceptance_rate"),
    ],
)
def test_cli_bad_speculative_exits_2(
    flags: list[str], match: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*_ARGV, *flags]) == 2
    err = capsys.readouterr().err
    assert match in err
    assert len(err.strip().splitlines()) == 1


def test_array_inputs_broadcast() -> None:
    est = _run(SpeculativeDecoding("eagle", 4, 0.7), batch=np.array([1.0, 8.0, 64.0]))
    assert np.all(np.diff(np.asarray(est.tpot_s)) > 0)
