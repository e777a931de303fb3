"""Latency under load: Poisson arrivals at a request rate (estimate_serving(arrival_rate_per_s=)),
and the queueing formulas it uses, checked by hand."""

from __future__ import annotations

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
from llmcost.perf import estimate_serving
from llmcost.perf.queueing import open_prefill_wait_s, running_quantile, wait_quantile_s

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
