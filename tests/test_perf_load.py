"""Latency under load: Poisson arrivals at a request rate (estimate_serving(arrival_rate_per_s=)),
and the queueing formulas it uses, checked by hand."""

from __future__ import annotations

import dataclasses
import json
import math
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from llmcost._core.errors import InvalidInputError
from llmcost.catalog import load_catalog
from llmcost.perf import estimate_serving, get_engine_profile
from llmcost.perf.queueing import (
    open_prefill_wait_s,
    overlap_admission_s,
    running_quantile,
    wait_quantile_s,
)

CAT = load_catalog()
MODEL, GPU = CAT.model_spec("llama-3.3-70b"), CAT.gpu_spec("h100-sxm")
KW = dict(gpus=2, precision="fp8", input_tokens=1000.0, output_tokens=1000.0, engine="trtllm")


def test_md1_wait_and_its_quantiles_by_hand() -> None:
    # λ = 2/s, S = 0.1 s: ρ = 0.2, W = 0.2·0.1 / (2·0.8) = 12.5 ms (Pollaczek–Khinchine)
    w = float(open_prefill_wait_s(2.0, 0.1))
    assert w == pytest.approx(0.0125)
    # p95: 1 − ρ = 0.8 < 0.95, t = W/ρ · ln(ρ/0.05) = 0.0625 · ln 4 = 86.6 ms
    assert float(wait_quantile_s(w, 0.2, 0.95)) == pytest.approx(0.0625 * math.log(4.0))
    assert float(wait_quantile_s(w, 0.2, 0.5)) == 0.0  # 80 % of prompts do not wait
    with pytest.raises(InvalidInputError, match="p must be in"):
        wait_quantile_s(w, 0.2, 1.0)


def test_running_requests_are_poisson() -> None:
    # Poisson(4): P(N ≤ 7) = 0.9489, P(N ≤ 8) = 0.9786 → the 95th percentile is 8
    assert float(running_quantile(4.0, 0.95)) == 8.0


def test_operating_point_satisfies_littles_law() -> None:
    est = estimate_serving(MODEL, GPU, arrival_rate_per_s=2.0, **KW)
    n = float(est.batch_size)
    assert n == pytest.approx(2.0 * (float(est.ttft_s) + 999 * float(est.tpot_s)), rel=1e-6)
    # throughput is what arrives: 2 req/s × 1000 output tokens
    assert float(est.output_tokens_per_s) == pytest.approx(2000.0)
    # the same batch under a standing queue carries full budget chunks of prompt; under
    # arrivals a step carries the prompt that came in: never slower, never below pure decode
    fixed = estimate_serving(MODEL, GPU, batch=n, **KW)
    decode = estimate_serving(MODEL, GPU, batch=n, cached_input_fraction=1.0, **KW)
    assert float(decode.tpot_s) <= float(est.tpot_s) <= float(fixed.tpot_s) * (1 + 1e-9)
    assert est.ttft_p50_s <= est.ttft_p95_s
    assert est.tpot_p50_s <= est.tpot_p95_s
    assert est.basis["mode"] == "arrival_rate"


def test_light_load_ttft_is_the_prefill_plus_half_a_step() -> None:
    lam = 1e-3  # one request per 1000 s: alone on the engine
    est = estimate_serving(MODEL, GPU, arrival_rate_per_s=lam, **KW)
    alone = estimate_serving(MODEL, GPU, batch=1.0, **KW)
    assert float(est.batch_size) == 1.0
    # own prefill + half a step + an M/D/1 wait at ρ = λ·S ≈ 1e-4 (negligible)
    expected = float(alone.ttft_s) + float(alone.tpot_s) / 2.0
    assert float(est.ttft_s) == pytest.approx(expected, rel=1e-3)


def test_overload_is_infinite_ttft_and_named() -> None:
    cap = estimate_serving(MODEL, GPU, max_throughput=True, **KW)
    lam = 1.5 * float(cap.requests_per_s)
    est = estimate_serving(MODEL, GPU, arrival_rate_per_s=lam, **KW)
    assert math.isinf(float(est.ttft_s))
    assert math.isinf(float(est.ttft_p95_s))
    assert est.limited_by == "arrival_rate"
    assert not est.meets_slo or est.basis["ttft_slo_s"] is None


@settings(max_examples=15, deadline=None)
@given(lo=st.floats(0.05, 1.5), factor=st.floats(1.1, 2.5))
def test_latency_grows_with_the_rate(lo: float, factor: float) -> None:
    rates = np.array([lo, lo * factor])
    est = estimate_serving(MODEL, GPU, arrival_rate_per_s=rates, **KW)
    assert np.all(np.diff(est.batch_size) >= 0)  # ≥ 1 running while a request is served
    assert np.all(np.diff(est.tpot_s) >= 0)
    assert np.all(np.diff(est.ttft_p95_s) >= 0)


def test_rate_is_exclusive_with_other_batch_modes() -> None:
    with pytest.raises(InvalidInputError, match="exactly one"):
        estimate_serving(MODEL, GPU, arrival_rate_per_s=1.0, batch=8.0, **KW)
    with pytest.raises(InvalidInputError, match="arrival_rate_per_s"):
        estimate_serving(MODEL, GPU, arrival_rate_per_s=0.0, **KW)


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "llmcost", *args], capture_output=True, text=True, check=False
    )


def test_cli_request_rate_prints_percentiles_and_rejects_bad_values() -> None:
    flags = ["perf", "--model", "llama-3.3-70b", "--gpu", "h100-sxm", "--gpus", "2",
             "--precision", "fp8", "--input-tokens", "1000", "--output-tokens", "1000",
             "--engine", "trtllm"]  # fmt: skip
    out = _cli(*flags, "--request-rate", "2", "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    api = estimate_serving(MODEL, GPU, arrival_rate_per_s=2.0, **KW)
    assert data["ttft_p95_s"] == pytest.approx(float(api.ttft_p95_s))
    assert data["tpot_p50_s"] == pytest.approx(float(api.tpot_p50_s))
    bad = _cli(*flags, "--request-rate", "-1")
    assert bad.returncode == 2
    assert "arrival_rate_per_s" in bad.stderr
    assert len(bad.stderr.strip().splitlines()) == 1


# --- the overlap scheduler (EngineProfile.overlap_schedule; queueing.overlap_admission_s) ---
SGLANG = get_engine_profile("sglang")
NO_OVERLAP = dataclasses.replace(SGLANG, overlap_schedule=False)
SG_KW = dict(gpus=4, precision="bf16", input_tokens=500.0, output_tokens=500.0)
H200 = CAT.gpu_spec("h200")


def test_overlap_admission_by_hand() -> None:
    # a closed loop of several users: the step launched ahead always runs → one whole step
    assert float(overlap_admission_s(0.015, 1.0)) == 0.015
    assert float(overlap_admission_s(0.015, 0.0)) == 0.0  # an idle engine admits at once
    # N = 2 in service on average: P(another runs) = 1 − e^−2 = 0.8647
    assert float(overlap_admission_s(0.02, 1 - math.exp(-2.0))) == pytest.approx(0.017293, 1e-4)


def test_overlap_adds_one_decode_step_to_a_closed_loop_ttft() -> None:
    # SGLang ships with it on (the default since sgl-project/sglang PR 2067, 2024-11-19)
    assert SGLANG.overlap_schedule
    assert not get_engine_profile("trtllm").overlap_schedule
    on = estimate_serving(MODEL, H200, engine=SGLANG, concurrency=2, **SG_KW)
    off = estimate_serving(MODEL, H200, engine=NO_OVERLAP, concurrency=2, **SG_KW)
    # the other user's decode step (batch 2, nothing prefilled) is launched ahead of the prompt
    step = estimate_serving(MODEL, H200, engine=SGLANG, batch=2, cached_input_fraction=1.0,
                            **SG_KW).tpot_s  # fmt: skip
    assert float(on.ttft_s) - float(off.ttft_s) == pytest.approx(float(step), rel=1e-9)
    assert float(on.tpot_s) == float(off.tpot_s)  # decoding itself is unchanged
    alone = [estimate_serving(MODEL, H200, engine=e, concurrency=1, **SG_KW).ttft_s
             for e in (SGLANG, NO_OVERLAP)]  # fmt: skip
    assert float(alone[0]) == float(alone[1])  # a single user finds the engine idle


def test_overlap_under_poisson_arrivals_is_at_most_one_step() -> None:
    light = [estimate_serving(MODEL, H200, engine=e, arrival_rate_per_s=1e-4, **SG_KW)
             for e in (SGLANG, NO_OVERLAP)]  # fmt: skip
    # alone on the engine (N ≈ 1e-4 · 8 s in service): almost never behind another step
    assert float(light[0].ttft_p50_s) - float(light[1].ttft_p50_s) < 1e-3 * float(
        light[1].tpot_s
    )
    on = estimate_serving(MODEL, H200, engine=SGLANG, arrival_rate_per_s=2.0, **SG_KW)
    off = estimate_serving(MODEL, H200, engine=NO_OVERLAP, arrival_rate_per_s=2.0, **SG_KW)
    step = estimate_serving(MODEL, H200, engine=SGLANG, batch=on.batch_size,
                            cached_input_fraction=1.0, **SG_KW).tpot_s  # fmt: skip
    extra = float(on.ttft_p50_s) - float(off.ttft_p50_s)
    # ~18 in service: P(busy) = 1 − e^−18 ≈ 1, so one decode step at the operating batch
    # (the batch itself moves a little through Little's law)
    assert 0.95 * float(step) <= extra <= 1.05 * float(step)


def test_a_separate_prefill_pass_has_the_whole_budget() -> None:
    # SGLang's chunked_prefill_size bounds the prefill pass alone; the running batch is decoded
    # in a pass of its own, so it does not squeeze the chunk (a squeezed chunk made throughput
    # fall with batch past the budget: L40S, 1-token prompts, hypothesis in test_perf_serving)
    small = CAT.gpu_spec("l40s")
    model = CAT.model_spec("llama-3.1-8b")
    kw = dict(gpus=1, precision="fp8", input_tokens=1.0, output_tokens=2.0, engine="sglang",
              cached_input_fraction=0.5)  # fmt: skip
    batches = np.unique(np.geomspace(1, 4096, 40).round())  # budget 2048, cap 4096
    tps = np.asarray(estimate_serving(model, small, batch=batches, **kw).output_tokens_per_s)
    assert np.all(np.diff(tps) >= 0.0)
