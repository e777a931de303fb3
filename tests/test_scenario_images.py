"""Images per request as a workload input: billed by each API offer's rule, prefilled by Llama 4."""

from __future__ import annotations

import typing
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from llmcost._core.errors import InvalidInputError, UnknownIdError
from llmcost.catalog import load_catalog
from llmcost.catalog.records import ImageTokenRule, ModelImageTokenRule, ModelRecord
from llmcost.cost.multimodal import IMAGE_TOKEN_RULES, MODEL_IMAGE_TOKEN_RULES, model_image_tokens
from llmcost.perf import get_engine_profile
from llmcost.scenario import Comparison, compare, parse_scenario, scenario_model
from llmcost.scenario.resolve import CACHED_GRID

pytestmark = pytest.mark.filterwarnings("ignore::llmcost._core.errors.StaleCatalogWarning")

CATALOG = load_catalog()
#: Prices pinned to this day: GPT-4o $2.50 / $1.25 cached / $10 (row of 2024-10-01);
#: Gemini 2.5 Pro $1.25 / $10, and above 200k prompt tokens $2.50 / $15 (rows of 2026-11-23).
AS_OF = "2026-11-23"

TEXT = {
    "requests_per_month": 1000,
    "input_tokens_per_request": 1000,
    "output_tokens_per_request": 100,
}
TEXT_LENGTHS = {"input_tokens_per_request": 1000, "output_tokens_per_request": 100}
ONE_IMAGE = {"images_per_request": 1, "image_width_px": 1024, "image_height_px": 1024}


def _api(name: str, offer: str) -> dict[str, Any]:
    return {"name": name, "kind": "api", "offer": offer}


MAVERICK = {
    "name": "maverick",
    "kind": "self_hosted",
    "model": "llama-4-maverick",
    "gpu": "h100-sxm",
    "gpus_per_replica": 8,
    "precision": "fp8",
    "gpu_usd_per_hour": 2.5,
}


def _scenario(workload: dict[str, Any], *options: dict[str, Any]) -> Any:
    return parse_scenario({"name": "images", "workload": workload, "options": list(options)})


def _run(workload: dict[str, Any], *options: dict[str, Any]) -> Comparison:
    return compare(_scenario(workload, *options), as_of=AS_OF, catalog=CATALOG)


# --- the catalog's rules --------------------------------------------------------------------


def test_catalog_rule_ids_are_the_implemented_ones() -> None:
    assert set(typing.get_args(ImageTokenRule)) == set(IMAGE_TOKEN_RULES)
    assert set(typing.get_args(ModelImageTokenRule)) == set(MODEL_IMAGE_TOKEN_RULES)


@pytest.mark.parametrize(
    ("offer", "tokens"),
    [
        # OpenAI vision guide: 1024×1024 high → 768×768, 4 tiles: 85 + 4 × 170
        ("openai/gpt-4o", 765),
        ("openai/gpt-4.1", 765),
        # gpt-4o-mini: same 4 tiles at 2833 + 4 × 5667 (billed usage, OpenAI community thread
        # "Vision: more than one way to send a request")
        ("openai/gpt-4o-mini", 2833 + 4 * 5667),
        # 32-px patches: 32 × 32 = 1024 patches × 1.62 / 2.46 / 1.72, rounded up (vision guide)
        ("openai/gpt-4.1-mini", 1659),  # 1658.88
        ("openai/gpt-4.1-nano", 2520),  # 2519.04
        ("openai/o4-mini", 1762),  # 1761.28
        # Anthropic: ⌈1024 × 1024 / 750⌉ = ⌈1398.1⌉
        ("anthropic/claude-sonnet-4", 1399),
        # Gemini: ⌈1024/768⌉² = 4 tiles × 258
        ("google/gemini-2.5-pro", 1032),
    ],
)
def test_each_offer_bills_one_image_by_its_rule(offer: str, tokens: int) -> None:
    result = _run(TEXT | ONE_IMAGE, _api("x", offer))
    assert result.option("x").indicators["image_tokens_per_request"] == tokens


# --- API bills ------------------------------------------------------------------------------


def test_gpt_4o_bill_with_one_image_by_hand() -> None:
    # 1,000 requests × ((1,000 text + 765 image) × $2.50 + 100 × $10) / 1e6
    # = 4.4125 + 1.0 = $5.4125 a month.
    result = _run(TEXT | ONE_IMAGE, _api("gpt-4o", "openai/gpt-4o"))
    opt = result.option("gpt-4o")
    assert opt.monthly_cost_usd == pytest.approx(5.4125, rel=1e-12)
    assert opt.components["input_usd"] == pytest.approx(4.4125, rel=1e-12)
    assert opt.tokens_per_month == 1000 * (1000 + 765 + 100)
    # $/1M tokens counts the image tokens processed: 5.4125 / 1.865e6 × 1e6
    assert opt.usd_per_mtok == pytest.approx(5.4125 / 1.865, rel=1e-12)


def test_low_detail_and_several_images() -> None:
    # low detail: 85 tokens whatever the size; 3 images → 255 tokens a request
    low = _run(
        TEXT | ONE_IMAGE | {"images_per_request": 3, "image_detail": "low"},
        _api("gpt-4o", "openai/gpt-4o"),
        _api("gemini", "google/gemini-2.5-pro"),  # no low-detail mode: the detail is ignored
    )
    assert low.option("gpt-4o").indicators["image_tokens_per_request"] == 3 * 85
    assert low.option("gemini").indicators["image_tokens_per_request"] == 3 * 1032
    # 1,000 × ((1,000 + 255) × 2.50 + 100 × 10) / 1e6 = 3.1375 + 1.0
    assert low.option("gpt-4o").monthly_cost_usd == pytest.approx(4.1375, rel=1e-12)


def test_an_image_pushing_the_prompt_over_the_threshold_switches_tier() -> None:
    text = {
        "requests_per_month": 1000,
        "input_tokens_per_request": 199_000,
        "output_tokens_per_request": 1000,
    }
    gemini = _api("gemini", "google/gemini-2.5-pro")
    short = _run(text, gemini).option("gemini")
    # 199,000 ≤ 200,000: base tier. 1,000 × (199,000 × 1.25 + 1,000 × 10) / 1e6 = 258.75
    assert short.monthly_cost_usd == pytest.approx(258.75, rel=1e-12)
    two = text | ONE_IMAGE | {"images_per_request": 2}
    long = _run(two, gemini).option("gemini")
    # + 2 × 1,032 = 201,064 > 200,000: the whole request at the >200k tier.
    # 1,000 × (201,064 × 2.50 + 1,000 × 15) / 1e6 = 502.66 + 15 = 517.66
    assert long.monthly_cost_usd == pytest.approx(517.66, rel=1e-12)
    assert any("long-context tier" in w for w in long.warnings)


def test_features_carry_their_own_images() -> None:
    workload = {
        "image_width_px": 1024,
        "image_height_px": 1024,
        "features": [
            {"name": "chat", "requests_per_month": 3000, **TEXT_LENGTHS},
            {"name": "vision", "requests_per_month": 1000, "images_per_request": 2, **TEXT_LENGTHS},
            {
                "name": "thumbs",
                "requests_per_month": 1000,
                "images_per_request": 1,
                "image_width_px": 512,
                "image_height_px": 512,
                **TEXT_LENGTHS,
            },
        ],
    }
    opt = _run(workload, _api("gpt-4o", "openai/gpt-4o")).option("gpt-4o")
    # chat 0, vision 2 × 765 = 1,530, thumbs 1 tile: 85 + 170 = 255
    assert opt.details["image_tokens_per_request"] == {"chat": 0, "vision": 1530, "thumbs": 255}
    # traffic-weighted: (3,000 × 0 + 1,000 × 1,530 + 1,000 × 255) / 5,000 = 357
    assert opt.indicators["image_tokens_per_request"] == pytest.approx(357.0)
    # per feature: requests × ((1,000 + image tokens) × 2.50 + 100 × 10) / 1e6
    assert opt.features["chat"] == pytest.approx(3000 * (1000 * 2.5 + 1000) / 1e6)
    assert opt.features["vision"] == pytest.approx(1000 * (2530 * 2.5 + 1000) / 1e6)
    assert opt.features["thumbs"] == pytest.approx(1000 * (1255 * 2.5 + 1000) / 1e6)


def test_image_tokens_are_shown_in_every_output() -> None:
    result = _run(TEXT | ONE_IMAGE, _api("gpt-4o", "openai/gpt-4o"))
    assert result.to_frame().loc["gpt-4o", "image_tokens_per_request"] == 765
    as_json = result.to_dict()["options"][0]
    assert as_json["indicators"]["image_tokens_per_request"] == 765
    assert as_json["details"]["image_token_rule"] == "openai_tiles"
    (assumed,) = [a for a in result.assumptions if a["name"] == "image_tokens_per_request"]
    assert assumed["option"] == "gpt-4o"
    assert assumed["value"] == 765
    assert "openai_tiles" in assumed["source"]
    assert "1024×1024" in assumed["source"]


def test_text_only_workload_is_unchanged() -> None:
    result = _run(TEXT, _api("o3", "openai/o3"))  # a text-only offer is fine without images
    assert result.option("o3").indicators["image_tokens_per_request"] == 0
    assert not [a for a in result.assumptions if a["name"] == "image_tokens_per_request"]


# --- errors ---------------------------------------------------------------------------------


def test_text_only_offer_with_images_raises_naming_option_and_offer() -> None:
    with pytest.raises(InvalidInputError, match=r"options\[0\]\(o3\)\.offer.*'openai/o3'.*"):
        _run(TEXT | ONE_IMAGE, _api("o3", "openai/o3"))


def test_text_only_model_with_images_raises_naming_option_and_model() -> None:
    llama3 = MAVERICK | {"name": "l3", "model": "llama-3.3-70b"}
    with pytest.raises(InvalidInputError, match=r"options\[0\]\(l3\)\.model.*'llama-3\.3-70b'"):
        _run(TEXT | ONE_IMAGE, llama3)


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"images_per_request": -1}, "images_per_request"),
        ({"images_per_request": 1, "image_width_px": 1024}, "image_height_px"),
        ({"images_per_request": 1}, "image_width_px"),
        (ONE_IMAGE | {"image_width_px": 0}, "image_width_px"),
        (ONE_IMAGE | {"image_detail": "medium"}, "image_detail"),
    ],
)
def test_bad_image_inputs_name_the_field(extra: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidInputError, match=field):
        _scenario(TEXT | extra, _api("gpt-4o", "openai/gpt-4o"))


def test_a_feature_with_images_needs_a_size() -> None:
    workload = {"features": [{"name": "scan", "requests_per_month": 1, "images_per_request": 1}]}
    with pytest.raises(InvalidInputError, match=r"features\[scan\].*image_width_px"):
        _scenario(workload | {"features": [workload["features"][0] | TEXT_LENGTHS]}, MAVERICK)


# --- self-hosted Llama 4 --------------------------------------------------------------------


def test_llama4_images_are_prefill_tokens() -> None:
    # Llama 4's processor: 1024×1024 → 4×4 tiles of 336 px + a global tile = 145 × 16 + 147
    # = 2,467 prompt tokens. One image costs what a text prompt 2,467 tokens longer costs plus
    # the vision encoder: 17 tiles × 1,015.6 GFLOPs (llmcost.perf.vision) in BF16, sharded over
    # TP 8, at the H100 SXM's 989.4 TFLOP/s × vLLM's compute efficiency = 3.54 ms of replica
    # time per request at max throughput, on the uncached share of the prompt.
    with_image = scenario_model(_scenario(TEXT | ONE_IMAGE, MAVERICK), catalog=CATALOG)
    as_text = scenario_model(
        _scenario(TEXT | {"input_tokens_per_request": 1000 + 2467}, MAVERICK), catalog=CATALOG
    )
    no_image = scenario_model(_scenario(TEXT, MAVERICK), catalog=CATALOG)
    seconds = [m.evaluators[0].seconds_per_request for m in (with_image, as_text, no_image)]
    rate = 989.4e12 * get_engine_profile("vllm").compute_efficiency
    encoder_s = 17 * 1_015_628_557_312 / 8 / rate
    # 17 × 1.0156 TFLOPs / 8 / (989.4 × 0.5888 TFLOP/s)
    assert encoder_s == pytest.approx(3.705e-3, abs=0.01e-3)
    np.testing.assert_allclose(seconds[0] - seconds[1], encoder_s * (1 - CACHED_GRID)[None, :])
    assert np.all(seconds[1] > seconds[2])
    out = with_image.evaluate()["maverick"]
    assert out["image_tokens_per_request"] == 2467
    assert out["tokens_per_month"] == 1000 * (1000 + 2467 + 100)


# --- the vectorized model and invariants ----------------------------------------------------


def test_vectorized_model_matches_compare_with_images() -> None:
    scenario = _scenario(
        TEXT | ONE_IMAGE, _api("gpt-4o", "openai/gpt-4o"), _api("mini", "openai/gpt-4.1-mini")
    )
    result = compare(scenario, as_of=AS_OF, catalog=CATALOG)
    volumes = np.array([1000.0, 2000.0, 5000.0])
    costs = result.model({"requests_per_month": volumes})
    for name in ("gpt-4o", "mini"):
        assert costs[name][0] == pytest.approx(result.option(name).monthly_cost_usd, rel=1e-12)
        # linear in volume: the image tokens ride with every request
        np.testing.assert_allclose(costs[name], volumes / 1000 * costs[name][0], rtol=1e-12)


image_counts = st.floats(min_value=0.0, max_value=40.0, allow_nan=False)


@settings(max_examples=25, deadline=None)
@given(a=image_counts, b=image_counts)
def test_api_cost_is_non_decreasing_in_images(a: float, b: float) -> None:
    lo, hi = sorted((a, b))
    options = (
        _api("gpt-4o", "openai/gpt-4o"),
        _api("gemini", "google/gemini-2.5-pro"),  # tiered: crossing 200k raises every price
        _api("claude", "anthropic/claude-sonnet-4"),
    )
    big = {"input_tokens_per_request": 190_000}  # near the 200k tiers
    costs = [_run(TEXT | big | ONE_IMAGE | {"images_per_request": n}, *options) for n in (lo, hi)]
    for o_lo, o_hi in zip(costs[0].options, costs[1].options, strict=True):
        assert o_hi.monthly_cost_usd >= o_lo.monthly_cost_usd


@settings(max_examples=5, deadline=None)
@given(a=st.integers(0, 8), b=st.integers(0, 8))
def test_self_hosted_cost_is_non_decreasing_in_images(a: int, b: int) -> None:
    lo, hi = sorted((a, b))
    volume = {"requests_per_month": 5_000_000}  # several replicas: capacity matters
    costs = [
        _run(TEXT | volume | ONE_IMAGE | {"images_per_request": n}, MAVERICK).option("maverick")
        for n in (lo, hi)
    ]
    assert costs[1].monthly_cost_usd >= costs[0].monthly_cost_usd


def test_unknown_model_image_rule_and_a_rule_without_vision_encoder_raise() -> None:
    with pytest.raises(UnknownIdError, match="llama4_tiles"):
        model_image_tokens("llama4_tile", 336, 336)
    row = CATALOG.model("llama-3.1-8b").model_dump() | {"image_token_rule": "llama4_tiles"}
    with pytest.raises(ValueError, match="vision_encoder_params is 0"):
        ModelRecord.model_validate(row)
