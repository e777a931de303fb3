"""The key figures of every worked example, checked against hand calculations.

Each example is run once in this process (``runpy``) and its module-level results are read
back. Expected values are computed here from published inputs (list prices, architecture
numbers) and from the library's *intermediate* outputs (a capacity from the performance model,
a catalog median price) by the formula written out in the comment — never copied from the
script's printed output — so a recalibration of the performance model or a catalog update
moves both sides together, while an arithmetic or wiring mistake in an example fails here.
Facts that must hold whatever the calibration are asserted as such.
"""

from __future__ import annotations

import contextlib
import functools
import io
import math
import os
import runpy
import warnings
from pathlib import Path
from typing import Any
from unittest import mock

import numpy as np
import pytest

from llmcost._core.errors import StaleCatalogWarning
from llmcost.analysis import pass_at_k
from llmcost.catalog import load_catalog
from llmcost.perf import estimate_serving, get_engine_profile, memory_footprint

EXAMPLES_DIR = Path(__file__).resolve().parents[1] / "examples"
SECONDS_PER_MONTH = 730 * 3600  # a month is 730 hours
STAFF_HALF_FTE_USD = 0.5 * 240_000 / 12  # llmcost's default staff: 10,000 USD/month


@functools.cache
def run(name: str) -> dict[str, Any]:
    """The globals of ``examples/<name>`` after running it (output swallowed, no figures;
    the catalog's staleness warnings are not what these tests check)."""
    with (
        mock.patch.dict(os.environ),
        contextlib.redirect_stdout(io.StringIO()),
        warnings.catch_warnings(),
    ):
        warnings.simplefilter("ignore", StaleCatalogWarning)
        os.environ.pop("LLMCOST_EXAMPLES_OUT", None)
        return runpy.run_path(str(EXAMPLES_DIR / name))


@functools.cache
def catalog() -> Any:
    return load_catalog()


def capacity_requests_per_s(
    model: str,
    gpu: str,
    gpus: int,
    input_tokens: float,
    output_tokens: float,
    cached: float = 0,
    image_tiles: float = 0,
) -> float:
    """One replica's requests/s at max throughput (FP8, vLLM): the library's intermediate."""
    cat = catalog()
    est = estimate_serving(
        cat.model_spec(model),
        cat.gpu_spec(gpu),
        gpus=gpus,
        precision="fp8",
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        engine="vllm",
        max_throughput=True,
        cached_input_fraction=cached,
        image_tiles=image_tiles,
    )
    return float(est.requests_per_s)


# Default GPU prices of the examples, by hand from data/pricing/gpu_offers.csv (the newest row
# per provider/instance/region/term). Every replica below has 2 or 8 GPUs in one tensor group,
# which only an 8-GPU instance holds whole (llmcost.catalog.replica_price), so the 1-GPU sizes
# (aws p5.4xlarge 6.88, lambda gpu_1x_h100_sxm5 4.29, runpod H100 SXM 3.99) are left out.
#: h100-sxm on demand, 8-GPU instances: nebius gpu-h100-sxm 8gpu 2.95, lambda gpu_8x_h100_sxm5
#: 3.99, aws p5.48xlarge 6.88, gcp a3-highgpu-8g 11.06, azure Standard_ND96isr_H100_v5 12.29
#: -> median 6.88 [USD/GPU-hour] (all 8 offers, 1-GPU sizes included, gave 5.585).
H100_ON_DEMAND = 6.88
#: h200 on demand: aws p5en.48xlarge 7.912 and nebius gpu-h200-sxm 8gpu 3.5, both 8-GPU ->
#: (7.912 + 3.5) / 2 = 5.706.
H200_ON_DEMAND = (7.912 + 3.5) / 2
#: lambda's h100-sxm on demand on an 8-GPU instance: gpu_8x_h100_sxm5 3.99 (its 1-GPU size,
#: 4.29, is left out; both gave 4.14).
LAMBDA_H100 = 3.99
#: h100-sxm spot: aws p5.48xlarge 1.4063 and nebius gpu-h100-sxm 8gpu 1.25, both 8-GPU ->
#: (1.4063 + 1.25) / 2 = 1.32815.
H100_SPOT = (1.4063 + 1.25) / 2


def median_price(gpu: str, term: str = "on_demand", provider: str | None = None) -> float:
    """The hand-computed default price above of a 2- or 8-GPU replica [USD/GPU-hour]."""
    table = {
        ("h100-sxm", "on_demand", None): H100_ON_DEMAND,
        ("h200", "on_demand", None): H200_ON_DEMAND,
        ("h100-sxm", "on_demand", "lambda"): LAMBDA_H100,
        ("h100-sxm", "spot", None): H100_SPOT,
    }
    return table[gpu, term, provider]


def test_hand_prices_are_the_catalog_defaults() -> None:
    """The figures above are what the library picks for a 2- and an 8-GPU replica."""
    cat = catalog()
    for (gpu, term, provider), usd in {
        ("h100-sxm", "on_demand", None): H100_ON_DEMAND,
        ("h200", "on_demand", None): H200_ON_DEMAND,
        ("h100-sxm", "on_demand", "lambda"): LAMBDA_H100,
        ("h100-sxm", "spot", None): H100_SPOT,
    }.items():
        for gpus in (2, 8):
            quote = cat.replica_gpu_price(gpu, gpus, term, provider)
            assert quote.usd_per_gpu_hour == pytest.approx(usd, rel=1e-12)


# --- 1. Scout on one H100 ------------------------------------------------------------------


def test_scout_fits_one_h100_at_int4_only() -> None:
    single = run("scout_on_one_h100.py")["single_gpu"]
    assert [p for p, r in single.items() if r["fits"]] == ["int4"]
    # Whatever the engine's reserve: bf16 weights are 109e9 × 2 B = 218 GB and fp8 ≈ 109 GB,
    # both more than the 80 GB of the card.
    assert single["bf16"]["weights_gb"] > 80
    assert single["fp8"]["weights_gb"] > 80


def test_scout_int4_weights_against_the_parameter_count() -> None:
    weights_gb = run("scout_on_one_h100.py")["single_gpu"]["int4"]["weights_gb"]
    # 109e9 parameters at int4 with a 16-bit scale + 4-bit zero per 128 weights:
    # 0.5 + 2.5/128 = 0.51953 B; embedding + LM head (2 × 202,048 × 5,120 = 2.069e9) and the
    # vision encoder (0.872e9) stay 16-bit: +1.48047 B each.
    # 109e9 × 0.51953 + 2.941e9 × 1.48047 = 56.63e9 + 4.354e9 = 60.98e9 B.
    extras = 2 * 202_048 * 5_120 + 871_932_416
    hand = 109e9 * (0.5 + 2.5 / 128) + extras * (2 - (0.5 + 2.5 / 128))
    assert weights_gb * 1e9 == pytest.approx(hand, rel=0.01)  # 109B is a rounded count


def test_scout_kv_left_on_one_h100() -> None:
    g = run("scout_on_one_h100.py")
    int4 = g["single_gpu"]["int4"]
    scout, h100 = catalog().model_spec("llama-4-scout"), catalog().gpu_spec("h100-sxm")
    vllm = get_engine_profile("vllm")
    weights = memory_footprint(scout, "int4").weights_bytes
    # KV budget = 0.99 × 80 GiB visible × 0.9 (gpu_memory_utilization) − weights − 0.5 GB
    # context − activations of 8,192 tokens × (fp32 logits 202,048 × 4 + gate/up 2 × 16,384 × 2)
    activations = vllm.activation_tokens * (202_048 * 4 + 2 * 16_384 * 2)
    budget = (
        0.99 * 80 * 2**30 * vllm.memory_utilization
        - weights
        - vllm.reserve_gb_per_gpu * 1e9
        - activations
    )
    assert h100.memory_gb == 80
    assert int4["kv_budget_gb"] * 1e9 == pytest.approx(budget, rel=1e-9)
    # KV per token on all layers: 2 (K, V) × 48 layers × 8 KV heads × 128 × 2 B = 196,608 B.
    assert g["kv_bytes_per_token"] == 196_608
    assert int4["kv_tokens"] == pytest.approx(budget / 196_608, rel=1e-9)
    # One long sequence: 4,096 B per layer-token on 12 global layers for every token and on
    # 36 chunked layers for at most 8,192 tokens: 4096 × (12 L + 36 × 8192) ≤ budget,
    # L in whole 16-token pages.
    longest = math.floor((budget / 4096 - 36 * 8192) / 12 / 16) * 16
    assert int4["longest_sequence_tokens"] == longest
    assert longest > int4["kv_tokens"]  # chunked attention stretches one sequence further


def test_scout_ten_million_tokens() -> None:
    ten_m = run("scout_on_one_h100.py")["ten_m"]
    # With chunking: 4,096 B × (12 × 1e7 + 36 × 8,192) = 492.7 GB; without: 196,608 × 1e7.
    chunked = 4096 * (12 * 10_000_000 + 36 * 8192)
    assert ten_m["chunked"]["kv_gb"] * 1e9 == pytest.approx(chunked, rel=1e-12)
    assert ten_m["no_chunking"]["kv_gb"] * 1e9 == pytest.approx(196_608 * 1e7, rel=1e-12)
    # Fewer than 8 GPUs cannot hold it: 4 GPUs would each keep ≥ 492.7 / 4 = 123 GB of KV.
    assert chunked / 4 > 80e9
    assert ten_m["chunked"]["fleet_int4"][0] == 8
    # Without chunking any fleet under 1,966 / 80 = 24.6 GPUs is impossible; the next whole
    # split of 8-way TP groups is 32 (tp 8 × pp 4).
    assert 196_608 * 1e7 / 24 > 80e9
    assert ten_m["no_chunking"]["fleet_int4"] == (32, 8, 4)


# --- 2. Maverick vs GPT-4o ---------------------------------------------------------------


def test_gpt4o_blended_price_is_meta_s_4_38() -> None:
    g = run("maverick_vs_gpt4o.py")
    # (3 × 2.50 + 1 × 10.00) / 4 = 4.375, shown by Meta as $4.38 (prices of 2025-04-05).
    assert g["gpt4o_blended"] == pytest.approx(4.375, abs=1e-12)
    meta_day = catalog().api_price("openai/gpt-4o", as_of="2025-04-05")
    assert (meta_day.input_usd_per_mtok, meta_day.output_usd_per_mtok) == (2.5, 10.0)


def test_third_party_maverick_blends() -> None:
    third = run("maverick_vs_gpt4o.py")["third_party"]
    assert third["groq/llama-4-maverick"] == pytest.approx((3 * 0.20 + 0.60) / 4)  # 0.300
    assert third["together/llama-4-maverick"] == pytest.approx((3 * 0.27 + 0.85) / 4)  # 0.415
    assert third["sambanova/llama-4-maverick"] == pytest.approx((3 * 0.63 + 1.80) / 4)


@pytest.mark.parametrize(("short", "gpu"), [("h100", "h100-sxm"), ("h200", "h200")])
def test_maverick_self_hosted_usd_per_mtok(short: str, gpu: str) -> None:
    g = run("maverick_vs_gpt4o.py")
    cap = capacity_requests_per_s("llama-4-maverick", gpu, 8, 1500, 500)
    demand = 1e12 / 2000 / SECONDS_PER_MONTH  # 1e12 tokens of 2,000-token requests [req/s]
    price = median_price(gpu)
    # $/1M = replicas × 8 GPUs × $/GPU-h × 730 h / (1e12 tokens / 1e6), replicas = ⌈demand / cap⌉
    replicas = math.ceil(demand / cap)
    expected = replicas * 8 * price * 730 / 1e6
    assert g["self_hosted"][short]["usd_per_mtok_median_price"] == pytest.approx(expected, 1e-9)
    # The same as GPUs × $/GPU-h / (tokens/s × 3600) × 1e6, divided by the fleet's load.
    load = demand / (replicas * cap)
    per_token_view = 8 * price / (cap * 2000 * 3600) * 1e6 / load
    assert expected == pytest.approx(per_token_view, rel=1e-9)


def test_maverick_gpu_price_for_one_ninth() -> None:
    g = run("maverick_vs_gpt4o.py")
    demand = 1e12 / 2000 / SECONDS_PER_MONTH
    for short, gpu in (("h100", "h100-sxm"), ("h200", "h200")):
        cap = capacity_requests_per_s("llama-4-maverick", gpu, 8, 1500, 500)
        for u in g["UTILIZATIONS"]:
            replicas = math.ceil(demand / (cap * u) * (1 - 1e-12))
            # replicas × 8 × p × 730 = GPT-4o bill / 9 = 1e6 Mtok × 4.375 / 9
            price = 1e6 * 4.375 / 9 / (replicas * 8 * 730)
            assert g["max_price_for_ninth"][short, u] == pytest.approx(price, rel=1e-6)


def test_maverick_tornado_directions() -> None:
    rows = {r["input"]: r for r in run("maverick_vs_gpt4o.py")["ratio_tornado"].rows}
    # Dearer GPUs raise the cost ratio; more load or more capacity lower it — always.
    assert rows["gpu_usd_per_hour"]["output_at_high"] > rows["gpu_usd_per_hour"]["output_at_low"]
    for name in ("target_utilization", "capacity_multiplier"):
        assert rows[name]["output_at_high"] < rows[name]["output_at_low"]


# --- 3. Repeated sampling ----------------------------------------------------------------


def test_coverage_fit_through_the_published_points() -> None:
    g = run("repeated_sampling.py")
    fit = g["fit"]
    # log(−log p) is linear in log k through (100, 0.905) and (1000, 0.951):
    slope = (math.log(-math.log(0.951)) - math.log(-math.log(0.905))) / math.log(10)
    intercept = math.log(-math.log(0.905)) - slope * math.log(100)
    assert fit.slope == pytest.approx(slope, rel=1e-9)  # −0.298
    assert fit.intercept == pytest.approx(intercept, rel=1e-9)
    # GPT-4o's 90.2 % at k = ⌈exp((log(−log 0.902) − intercept) / slope)⌉ = ⌈89.9⌉ = 90
    k = math.ceil(math.exp((math.log(-math.log(0.902)) - intercept) / slope) - 1e-9)
    assert g["k_match_gpt4o"] == k == 90
    curve = g["curve"]
    assert curve[99] == pytest.approx(0.905)
    assert curve[999] == pytest.approx(0.951)
    assert np.all(np.diff(curve) >= 0)  # coverage never falls with more samples


def test_pass_at_k_is_monotone_in_k() -> None:
    ks = np.arange(1, 1001)
    values = np.asarray(pass_at_k(1000, 50, ks))
    assert values[0] == pytest.approx(50 / 1000)
    assert np.all(np.diff(values) >= 0)
    assert values[-1] == 1.0


def test_cost_per_solved_task() -> None:
    g = run("repeated_sampling.py")
    # GPT-4o: 300 × 2.50/1e6 + 300 × 10/1e6 = 0.00375 per sample; / 0.902 per solved task.
    assert g["gpt4o_sample_usd"] == pytest.approx(0.00375)
    assert g["gpt4o_per_solved"] == pytest.approx(0.00375 / 0.902)
    # Llama 3.1 70B fleet: 50e9 tokens / 600 per request, ⌈demand / (cap × 0.9)⌉ replicas of
    # 2 H100s; $/1M = replicas × 2 × $/GPU-h × 730 / 50,000; a sample is 600 tokens of it.
    cap = capacity_requests_per_s("llama-3.1-70b", "h100-sxm", 2, 300, 300, cached=0.95)
    demand = 50e9 / 600 / SECONDS_PER_MONTH
    replicas = math.ceil(demand / (cap * 0.9) * (1 - 1e-12))
    usd_per_mtok = replicas * 2 * median_price("h100-sxm") * 730 / 50_000
    sample = 600 * usd_per_mtok / 1e6
    assert g["llama_sample_usd"]["llama-70b-2xh100"] == pytest.approx(sample, rel=1e-9)
    # All 100 samples drawn and verified: 100 × (sample + verifier) / 0.905
    k100 = next(r for r in g["rows"] if r[0] == 100)
    assert k100[3] == pytest.approx(100 * (sample + g["VERIFIER_USD"]) / 0.905, rel=1e-6)
    # Stopping at the first pass draws Σ_{j<100} (1 − pass@j) samples: between 1 and 100.
    assert 1 <= k100[2] <= 100
    assert k100[4] == pytest.approx(k100[2] * (sample + g["VERIFIER_USD"]) / 0.905, rel=1e-6)
    # Break-even cost per sample: c_l · p_s / (drawn · p_l)
    assert k100[5] == pytest.approx(0.00375 * 0.905 / (k100[2] * 0.902), rel=1e-6)


def test_imperfect_verifier_section() -> None:
    g = run("repeated_sampling.py")
    rows, p1 = g["fp_rows"], g["curve"][0]
    # f = 0 (a perfect verifier) leaves the fitted pass@k untouched.
    np.testing.assert_allclose(rows[0.0][1], [0.905, 0.951])
    # f = 10 %: ceiling p1 / (p1 + (1 − p1) × 0.1) with the fitted pass@1 p1 ≈ 0.67 → ≈ 0.954;
    # at k = 1000 (1 − a)^1000 and (1 − p1)^1000 vanish, so correct@1000 = 0.951 × ceiling.
    ceiling = p1 / (p1 + (1 - p1) * 0.1)
    assert rows[0.1][0] == pytest.approx(ceiling)
    assert rows[0.1][1][1] == pytest.approx(0.951 * ceiling, rel=1e-12)
    # all 1000 samples drawn and verified: 1000 × (sample + verifier) / correct@1000
    usd = g["llama_sample_usd"]["llama-70b-2xh100"] + g["VERIFIER_USD"]
    assert rows[0.1][2][1] == pytest.approx(1000 * usd / (0.951 * ceiling), rel=1e-9)
    # more false positives: lower ceiling, fewer correct, dearer per correct task
    fs = sorted(rows)
    assert np.all(np.diff([rows[f][0] for f in fs]) < 0)
    assert np.all(np.diff([rows[f][2] for f in fs], axis=0) > 0)
    # GPT-4o's 90.2 % is beaten at k = 1000 only while 0.951 × ceiling ≥ 0.902
    assert g["beats_gpt4o"] == [f for f in fs if 0.951 * p1 / (p1 + (1 - p1) * f) >= 0.902]


# --- 4. Spiky vs steady ------------------------------------------------------------------

SPIKY = "spiky_vs_steady.py"


def test_api_bill_ignores_the_daily_shape() -> None:
    cases = run(SPIKY)["by_case"]
    # 10M × (1,000 × 2.50 + 300 × 10.00) / 1e6 = 55,000 USD/month, spiky or steady
    for case in cases.values():
        assert case["gpt-4o"] == pytest.approx(55_000)


def test_static_spiky_fleet_is_sized_for_the_peak_hour() -> None:
    g = run(SPIKY)
    cap = capacity_requests_per_s("llama-3.3-70b", "h100-sxm", 2, 1000, 300)
    peak = 10 * 10_000_000 / SECONDS_PER_MONTH  # the busiest hour carries 10 × the mean
    replicas = math.ceil(peak / (cap * 0.8))
    # replicas × 2 GPUs × $/GPU-h × 730 h + half an engineer
    expected = replicas * 2 * median_price("h100-sxm") * 730 + STAFF_HALF_FTE_USD
    static = g["by_case"]["spiky", "static"]
    assert static["replicas_peak"] == replicas
    assert static["llama-70b-2xh100"] == pytest.approx(expected, rel=1e-9)


def test_steady_break_even_volume() -> None:
    g = run(SPIKY)
    flip = g["flip"]["steady", "autoscaled"]
    cap = capacity_requests_per_s("llama-3.3-70b", "h100-sxm", 2, 1000, 300)
    assert math.ceil(1.3 * flip / SECONDS_PER_MONTH / (cap * 0.8)) == 1  # one replica there
    # 5.5e-3 $/request × V = 1 replica × 2 × $/GPU-h × 730 + 10,000
    hand = (2 * median_price("h100-sxm") * 730 + STAFF_HALF_FTE_USD) / 5.5e-3
    assert flip == pytest.approx(hand, rel=1e-6)
    # Spiky traffic never flips earlier, and a static fleet flips later still.
    assert g["flip"]["spiky", "autoscaled"] >= flip
    static = g["flip"]["spiky", "static"]
    if math.isnan(static):  # never within 100k-1B: a peak-sized fleet's marginal cost per
        # request (one replica per cap × 80 % × a month's seconds / 10 requests) exceeds the API's
        per_request = 2 * median_price("h100-sxm") * 730 / (cap * 0.8 * SECONDS_PER_MONTH / 10)
        assert per_request > 5.5e-3
    else:
        assert static > g["flip"]["spiky", "autoscaled"]


# --- 5. Long context and multimodal ------------------------------------------------------

LONG = "long_context_multimodal.py"


def test_image_tokens_per_rule() -> None:
    from llmcost.cost.multimodal import llama4_image_tiles

    tokens = run(LONG)["image_tokens"]
    # OpenAI: 1920×1080 → shortest side 768 → 1365×768 → 3 × 2 tiles: 85 + 170 × 6 = 1,105
    assert tokens["gpt-4o"] == tokens["gpt-4-1"] == 2 * 1105
    # Gemini: ⌈1920/768⌉ × ⌈1080/768⌉ = 3 × 2 tiles × 258 = 1,548
    assert tokens["gemini-2-5-pro"] == 2 * 1548
    # Llama 4: 144 patch tokens + 1 separator per local tile, + 147 for the global tile
    tiles = float(llama4_image_tiles(1920, 1080))
    assert tokens["maverick-8xh100"] == 2 * (145 * tiles + 147)


def test_long_context_api_bills() -> None:
    g = run(LONG)
    prompt = 100_000 + 2 * 1105
    # 300,000 × (102,210 × 2.50 + 1,000 × 10) / 1e6 = 79,657.5
    assert g["monthly"]["no caching"]["gpt-4o"] == pytest.approx(3e5 * (prompt * 2.5 + 1e4) / 1e6)
    # 90 % cache hits at half price: 102,210 × (0.1 × 2.50 + 0.9 × 1.25) = 140,539 … per 1e6
    cached = 3e5 * (prompt * (0.1 * 2.5 + 0.9 * 1.25) + 1e4) / 1e6
    assert g["monthly"]["caching"]["gpt-4o"] == pytest.approx(cached)  # 45,162


def test_context_window_and_long_context_tier() -> None:
    g = run(LONG)
    assert g["long_prompt"]["gpt-4o"] is None  # 252,210 tokens > GPT-4o's 128,000
    # Gemini 2.5 Pro: a prompt over 200k is billed at 2.50 / 15.00 instead of 1.25 / 10.00.
    long_p, short_p = 250_000 + 3096, 100_000 + 3096
    per_token_long = (long_p * 2.5 + 1000 * 15.0) / long_p
    per_token_short = (short_p * 1.25 + 1000 * 10.0) / short_p
    assert g["tier_factor"]["gemini-2-5-pro"] == pytest.approx(per_token_long / per_token_short)


def test_long_context_break_even_without_caching() -> None:
    g = run(LONG)
    api, flip = g["flip"]["no caching"]
    assert api == "gemini-2-5-pro"
    prompt = 100_000 + 4644  # text + two Llama 4 images
    # each 1920×1080 image: 5×3 local 336-px tiles + the global tile through the vision encoder
    tiles = 2 * (15 + 1)
    cap = capacity_requests_per_s(
        "llama-4-maverick", "h100-sxm", 8, prompt, 1000, image_tiles=tiles
    )
    replicas = math.ceil(flip / SECONDS_PER_MONTH / (cap * 0.8))
    gemini_per_request = ((100_000 + 3096) * 1.25 + 1000 * 10.0) / 1e6
    # V × Gemini's price per request = replicas × 8 × $/GPU-h × 730 + 10,000
    hand = (replicas * 8 * median_price("h100-sxm") * 730 + STAFF_HALF_FTE_USD) / (
        gemini_per_request
    )
    assert flip == pytest.approx(hand, rel=1e-6)


# --- 6. Chat assistant -------------------------------------------------------------------


def test_chat_assistant_bills() -> None:
    c = run("chat_assistant.py")["comparison"]
    # 5M × (2,000 × (0.6 × 2.50 + 0.4 × 1.25) + 350 × 10.00) / 1e6 = 37,500
    assert c.option("gpt-4o").monthly_cost_usd == pytest.approx(37_500)
    # Together has no caching: 5M × (2,000 × 0.27 + 350 × 0.85) / 1e6 = 4,187.5
    assert c.option("maverick-together").monthly_cost_usd == pytest.approx(4_187.5)
    own = c.option("maverick-8xh100")
    # GPU-hours × Lambda's 8-GPU instance $/GPU-h (LAMBDA_H100) + 10,000 staff + 1,000 fixed
    price = median_price("h100-sxm", provider="lambda")
    expected = own.indicators["gpu_hours_per_month"] * price + STAFF_HALF_FTE_USD + 1_000
    assert own.monthly_cost_usd == pytest.approx(expected, rel=1e-9)


def test_chat_assistant_break_even_changes_the_winner() -> None:
    g = run("chat_assistant.py")
    result = g["flip"]["gpt-4o class"]
    model = g["model"]
    below = model.evaluate(requests_per_month=result.sustained * 0.999)
    above = model.evaluate(requests_per_month=result.sustained * 1.001)
    own, api = "llama-3.3-70b-2xh100", "gpt-4o"
    assert below[own]["monthly_cost_usd"] > below[api]["monthly_cost_usd"]
    assert above[own]["monthly_cost_usd"] < above[api]["monthly_cost_usd"]


# --- 7. Batch summarisation --------------------------------------------------------------


def test_batch_api_bills() -> None:
    c = run("batch_summarisation.py")["comparison"]
    # 3M × (6,000 + 400) × 0.72 / 1e6 × 50 % batch discount = 6,912
    assert c.option("llama-70b-bedrock").monthly_cost_usd == pytest.approx(6_912)
    # 3M × (6,000 × 2.50 + 400 × 10.00) / 1e6 × 50 % = 28,500
    assert c.option("gpt-4o").monthly_cost_usd == pytest.approx(28_500)


def test_batch_spot_fleet_and_break_even() -> None:
    g = run("batch_summarisation.py")
    cap = capacity_requests_per_s("llama-3.3-70b", "h100-sxm", 2, 6000, 400)
    spot = median_price("h100-sxm", "spot")

    def fleet_usd(documents: float) -> float:
        # ⌈demand / (cap × 0.95)⌉ × 2 GPUs × 730 h × spot price × 1.10 (re-runs) + 0.25 FTE
        replicas = math.ceil(documents / SECONDS_PER_MONTH / (cap * 0.95) * (1 - 1e-12))
        return replicas * 2 * 730 * spot * 1.10 + 0.25 * 240_000 / 12

    assert g["spot"].monthly_cost_usd == pytest.approx(fleet_usd(3e6), rel=1e-9)
    # At the break-even, Bedrock batch (6,400 × 0.72 / 1e6 × 0.5 per document) = the fleet.
    flip = g["flip"]["llama-70b-bedrock", "llama-70b-2xh100-spot"]
    assert flip * 6400 * 0.72 / 1e6 * 0.5 == pytest.approx(fleet_usd(flip), rel=1e-6)


# --- 8. Agent with prompt caching --------------------------------------------------------


def test_agent_claude_components() -> None:
    c = run("agent_prompt_caching.py")["comparison"]
    parts = c.option("claude-sonnet-4.5").components
    prompt_tokens = 2e6 * 40_000  # 8e10 input tokens a month
    assert parts["input_usd"] == pytest.approx(0.10 * prompt_tokens * 3.00 / 1e6)  # 24,000
    assert parts["cached_input_usd"] == pytest.approx(0.85 * prompt_tokens * 0.30 / 1e6)
    assert parts["cache_write_usd"] == pytest.approx(0.05 * prompt_tokens * 3.75 / 1e6)
    assert parts["output_usd"] == pytest.approx(2e6 * 600 * 15.00 / 1e6)  # 18,000


def test_agent_break_even_hit_rate() -> None:
    g = run("agent_prompt_caching.py")
    result = g["flip"]["gemini-2.5-pro", "maverick-8xh100"]
    # Gemini at hit rate h (writes billed as input): 8e10 × ((1 − h) × 1.25 + h × 0.125) / 1e6
    # + 1.2e9 × 10 / 1e6 = 112,000 − 90,000 h. Self-hosted is flat where one replica suffices.
    own = g["model"].evaluate(cached_input_fraction=result.first)["maverick-8xh100"]
    hit_rate = (112_000 - own["monthly_cost_usd"]) / 90_000
    assert result.first == pytest.approx(hit_rate, rel=1e-6)
    assert g["comparison"].option("gemini-2.5-pro").monthly_cost_usd == pytest.approx(
        112_000 - 90_000 * 0.85
    )


def test_agent_monte_carlo_is_a_reproducible_distribution() -> None:
    from llmcost.analysis import monte_carlo

    g = run("agent_prompt_caching.py")
    uncertain = g["uncertain"]
    assert sum(uncertain.probability_cheapest.values()) == pytest.approx(1.0)
    again = monte_carlo(g["model"], g["space"], uncertain.n, seed=7, options=list(g["names"]))
    assert again.probability_cheapest == uncertain.probability_cheapest


def test_maverick_verdict_matches_the_break_even_prices() -> None:
    g = run("maverick_vs_gpt4o.py")
    for short in g["GPUS"]:
        median = g["prices"][short]["median"]
        reaching = [u for u in g["UTILIZATIONS"] if g["max_price_for_ninth"][short, u] >= median]
        # the highest price for 1/9 falls with utilization, so the reaching set is a top range
        assert reaching == sorted(reaching, reverse=True)
        assert g["lowest_utilization"][short] == (min(reaching) if reaching else None)
