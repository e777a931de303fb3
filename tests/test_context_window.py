"""Context-window feasibility in compare(): API windows, model contexts, one replica's KV cache.

Windows from the catalog (data/pricing/api_prices.csv, models.csv): GPT-4o 128,000 tokens
(OpenAI model page, via litellm's model_prices_and_context_window.json); Gemini 2.5 Pro
1,048,576; Llama 3.3 70B 131,072 (Meta's model card: 128k); Llama 4 Scout 10,000,000 (Meta:
10M). A request needs prompt (text + image tokens) + output tokens of context.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from llmcost.catalog import load_catalog
from llmcost.export.frames import from_json, to_json
from llmcost.perf import memory_footprint
from llmcost.scenario import compare, parse_scenario
from llmcost.scenario.context import (
    ContextLimit,
    api_context_limits,
    binding_limit_tokens,
    context_notes,
    sequence_tokens,
)

pytestmark = pytest.mark.filterwarnings("ignore::llmcost._core.errors.StaleCatalogWarning")

GPT4O_WINDOW = 128_000  # catalog api_prices openai/gpt-4o context_window_tokens
LLAMA_33_CONTEXT = 131_072  # catalog models llama-3.3-70b max_context_tokens
LLAMA_31_CONTEXT = 131_072  # catalog models llama-3.1-70b max_context_tokens
# api_prices together/llama-3.3-70b context_window_tokens (togethercomputer/skills models.md)
TOGETHER_33_WINDOW = 131_072


def _scenario(
    input_tokens: int, output_tokens: int, options: list[dict[str, Any]], **images: Any
) -> Any:
    return parse_scenario(
        {
            "name": "long-prompts",
            "workload": {
                "features": [
                    {
                        "name": "docs",
                        "requests_per_month": 10_000,
                        "input_tokens_per_request": input_tokens,
                        "output_tokens_per_request": output_tokens,
                    }
                ],
                **images,
            },
            "options": options,
        }
    )


def _api(name: str, offer: str) -> dict[str, Any]:
    return {"name": name, "kind": "api", "offer": offer}


def _hosted(name: str, model: str, gpu: str, gpus: int, precision: str) -> dict[str, Any]:
    return {
        "name": name,
        "kind": "self_hosted",
        "model": model,
        "gpu": gpu,
        "gpus_per_replica": gpus,
        "precision": precision,
    }


@pytest.fixture(scope="module")
def long_prompt() -> Any:
    """A 200,000-token prompt and 1,000 output tokens on every kind of option."""
    return compare(
        _scenario(
            200_000,
            1_000,
            [
                _api("gpt-4o", "openai/gpt-4o"),
                _api("gemini-2.5-pro", "google/gemini-2.5-pro"),
                _api("together-llama-3.3", "together/llama-3.3-70b"),
                _api("together-llama-3.1-70b", "together/llama-3.1-70b"),
                _hosted("llama-3.3-8xh200", "llama-3.3-70b", "h200", 8, "fp8"),
                _hosted("scout-8xh100", "llama-4-scout", "h100-sxm", 8, "bf16"),
            ],
        )
    )


def test_gpt4o_cannot_take_a_200k_prompt_gemini_can(long_prompt: Any) -> None:
    gpt4o, gemini = long_prompt.option("gpt-4o"), long_prompt.option("gemini-2.5-pro")
    assert not gpt4o.feasible
    # 200,000 + 1,000 = 201,000 > 128,000: the note names the feature, the tokens and window
    assert gpt4o.warnings[0] == (
        "feature 'docs': 200,000 prompt + 1,000 output = 201,000 tokens exceed the context "
        "window of openai/gpt-4o: 128,000 tokens"
    )
    assert gpt4o.details["within_context"] is False
    # The bill is still shown (list prices): 10,000 × (200,000 × 2.50 + 1,000 × 10) / 1e6
    assert gpt4o.monthly_cost_usd == pytest.approx(10_000 * (200_000 * 2.5 + 1_000 * 10) / 1e6)
    assert gemini.feasible
    assert not any("context" in w for w in gemini.warnings)
    assert long_prompt.cheapest != "gpt-4o"


def test_self_hosted_llama_33_is_held_to_its_128k_context(long_prompt: Any) -> None:
    llama = long_prompt.option("llama-3.3-8xh200")
    assert not llama.feasible
    assert llama.details["fits"]  # memory is not the limit: 8 × H200 hold 201,000 tokens
    assert (
        "201,000 tokens exceed llama-3.3-70b's trained context: 131,072 tokens" in llama.warnings[0]
    )
    assert not any("max_replicas" in w for w in llama.warnings)  # not a fleet-size problem


def test_llama4_scout_takes_200k_by_its_10m_context(long_prompt: Any) -> None:
    scout = long_prompt.option("scout-8xh100")
    assert scout.feasible
    limits = scout.details["context_limits_tokens"]
    assert limits["llama-4-scout's trained context"] == 10_000_000
    (memory,) = (v for k, v in limits.items() if "KV cache" in k)
    assert memory >= 201_000


def test_an_offer_with_a_window_is_held_to_the_window_the_provider_serves(
    long_prompt: Any,
) -> None:
    together = long_prompt.option("together-llama-3.3")
    assert not together.feasible
    assert together.warnings[0] == (
        "feature 'docs': 200,000 prompt + 1,000 output = 201,000 tokens exceed the context "
        f"window of together/llama-3.3-70b: {TOGETHER_33_WINDOW:,} tokens"
    )
    assert not any("not in the catalog" in w for w in together.warnings)


def test_an_offer_without_a_window_is_held_to_its_llama_context(long_prompt: Any) -> None:
    # together/llama-3.1-70b: no source found for Together's window (catalog cell empty)
    together = long_prompt.option("together-llama-3.1-70b")
    assert not together.feasible
    assert (
        f"exceed llama-3.1-70b's trained context: {LLAMA_31_CONTEXT:,} tokens"
        in (together.warnings[0])
    )
    # the missing window is said, last (after the warnings that matter more)
    assert together.warnings[-1].startswith(
        "context window of together/llama-3.1-70b not in the catalog"
    )


def test_the_vectorized_model_agrees_with_compare(long_prompt: Any) -> None:
    out = long_prompt.model.evaluate(requests_per_month=[1e3, 1e4, 1e6])
    for opt in long_prompt.options:
        assert np.all(out[opt.name]["feasible"] == opt.feasible), opt.name
    base = long_prompt.model.evaluate()
    assert {n: bool(o["feasible"]) for n, o in base.items()} == {
        o.name: o.feasible for o in long_prompt.options
    }


@pytest.mark.parametrize(("over", "feasible"), [(0, True), (1, False)])
def test_exactly_at_the_window_fits_one_token_over_does_not(over: int, feasible: bool) -> None:
    prompt = GPT4O_WINDOW - 1_000 + over
    result = compare(_scenario(prompt, 1_000, [_api("gpt-4o", "openai/gpt-4o")]))
    assert result.option("gpt-4o").feasible is feasible
    assert result.cheapest == ("gpt-4o" if feasible else None)


@pytest.mark.parametrize(("over", "feasible"), [(0, True), (1, False)])
def test_image_tokens_count_toward_the_window(over: int, feasible: bool) -> None:
    # Two 1920×1080 images on GPT-4o: 2 × (85 + 170 × 6 tiles) = 2,210 tokens (OpenAI's rule)
    images = {"images_per_request": 2, "image_width_px": 1920, "image_height_px": 1080}
    prompt = GPT4O_WINDOW - 1_000 - 2_210 + over
    result = compare(_scenario(prompt, 1_000, [_api("gpt-4o", "openai/gpt-4o")], **images))
    opt = result.option("gpt-4o")
    assert opt.feasible is feasible
    if not feasible:
        assert f"({prompt:,} text + 2,210 image) prompt" in opt.warnings[0]


def _l4_memory_limit() -> float:
    catalog = load_catalog()
    mem = memory_footprint(
        catalog.model_spec("llama-3.1-8b"), "bf16", gpu=catalog.gpu_spec("l4"), engine="vllm"
    )
    return float(mem.max_context_tokens)


@pytest.mark.parametrize(("over", "feasible"), [(0, True), (1, False)])
def test_one_replica_must_hold_one_whole_sequence(over: int, feasible: bool) -> None:
    # Llama 3.1 8B in bf16 on one L4 (24 GB): 16 GB of weights leave KV for ~28k tokens,
    # far below the model's 131,072: memory is the binding limit.
    limit = _l4_memory_limit()
    assert 10_000 < limit < 131_072
    prompt = int(limit) - 500 + over
    hosted = _hosted("8b-l4", "llama-3.1-8b", "l4", 1, "bf16")
    opt = compare(_scenario(prompt, 500, [hosted])).option("8b-l4")
    assert opt.feasible is feasible
    if not feasible:
        assert opt.warnings[0].endswith(
            f"exceed the longest sequence the KV cache of one replica holds (1 × l4, bf16 "
            f"weights, bf16 KV, vllm): {limit:,.0f} tokens"
        )


def test_a_sequence_far_too_long_for_memory_says_so_not_does_not_fit() -> None:
    hosted = _hosted("8b-l4", "llama-3.1-8b", "l4", 1, "bf16")
    opt = compare(_scenario(100_000, 500, [hosted])).option("8b-l4")
    assert not opt.feasible
    assert np.isnan(opt.monthly_cost_usd)  # no capacity at that length
    assert "KV cache of one replica" in opt.warnings[0]
    assert not any("does not fit" in w for w in opt.warnings)  # the weights do fit


def test_measured_capacity_is_still_held_to_the_model_context() -> None:
    hosted = _hosted("70b-measured", "llama-3.3-70b", "h100-sxm", 8, "fp8")
    hosted["requests_per_s_per_replica"] = 1.0
    opt = compare(_scenario(LLAMA_33_CONTEXT, 1, [hosted])).option("70b-measured")
    assert not opt.feasible  # 131,073 > 131,072
    assert list(opt.details["context_limits_tokens"]) == ["llama-3.3-70b's trained context"]


def test_unknown_window_without_a_llama_model_is_not_checked() -> None:
    limits, notes = api_context_limits("acme/x", [None, None])
    assert limits == []
    assert notes == [
        "context window of acme/x not in the catalog: prompt + output length not checked"
    ]
    assert binding_limit_tokens(limits) == float("inf")


def test_a_long_context_tier_extends_the_window() -> None:
    # Claude Sonnet 4 from 2025-09-01: 200,000 base, 1,000,000 with the long-context tier
    limits, notes = api_context_limits("anthropic/claude-sonnet-4", [200_000, 1_000_000])
    assert [lim.tokens for lim in limits] == [1_000_000]
    assert notes == []


@given(
    st.lists(
        st.tuples(st.integers(1, 300_000), st.integers(0, 5_000), st.integers(1, 20_000)),
        min_size=1,
        max_size=4,
    ),
    st.lists(st.one_of(st.none(), st.integers(1, 400_000)), min_size=0, max_size=3),
)
def test_no_note_exactly_when_every_request_is_within_the_binding_limit(
    features: list[tuple[int, int, int]], windows: list[int | None]
) -> None:
    text, image, out = (np.array(c, dtype=np.float64) for c in zip(*features, strict=True))
    limits = [ContextLimit(w, f"limit {k}") for k, w in enumerate(windows)]
    notes = context_notes(tuple(f"f{k}" for k in range(len(text))), text, image, out, limits)
    within = bool(np.all(sequence_tokens(text, image, out) <= binding_limit_tokens(limits)))
    assert (not notes) is within


def test_workbook_marks_the_context_infeasible_options(tmp_path: Path, long_prompt: Any) -> None:
    pytest.importorskip("openpyxl")
    pytest.importorskip("formulas")
    import openpyxl

    from llmcost.export.xlsx import write_workbook
    from test_xlsx_formulas import recalculate

    path = write_workbook(long_prompt, tmp_path / "long.xlsx")
    got = recalculate(path)
    ws = openpyxl.load_workbook(path)["Model"]
    rows = {ws.cell(row=r, column=1).value: r for r in range(1, ws.max_row + 1)}
    feasible = next(r for label, r in rows.items() if str(label).startswith("Feasible ("))
    limit = next(r for label, r in rows.items() if str(label).startswith("Context limit"))
    for j, opt in enumerate(long_prompt.options):
        col = chr(ord("C") + j)
        assert bool(got[f"MODEL!{col}{feasible}"]) is opt.feasible, opt.name
        binding = min(opt.details["context_limits_tokens"].values())
        assert got[f"MODEL!{col}{limit}"] == pytest.approx(binding), opt.name
    assert got[f"MODEL!C{limit}"] == GPT4O_WINDOW
    assert got[f"MODEL!C{rows['Cheapest feasible option']}"] == long_prompt.cheapest


def test_options_frame_has_image_tokens_and_json_round_trips() -> None:
    images = {"images_per_request": 2, "image_width_px": 1920, "image_height_px": 1080}
    scenario = _scenario(
        10_000,
        500,
        [_api("gpt-4o", "openai/gpt-4o"), _api("gemini", "google/gemini-2.5-pro")],
        **images,
    )
    result = compare(scenario)
    frame = result.to_frame()
    # OpenAI: 2 × 1,105 tokens; Gemini: 2 × 6 tiles × 258 = 3,096 (published rules)
    assert frame.loc["gpt-4o", "image_tokens_per_request"] == 2_210
    assert frame.loc["gemini", "image_tokens_per_request"] == 3_096
    back, payload = from_json(to_json(result, scenario=scenario))
    assert back == scenario
    assert payload == json.loads(json.dumps(result.to_dict()))
    assert json.loads(json.dumps(compare(back).to_dict())) == payload
