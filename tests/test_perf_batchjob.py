"""A finite offline run (``requests=``): waves by hand, invariants, and the published runs it
explains (TensorRT-LLM perf-overview v1.0, Llama 4 Maverick on 8× H200 vs 8× H100)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from llmcost._core.errors import InvalidInputError
from llmcost.perf import estimate_serving
from llmcost.perf.batchjob import batch_job_mean_wait_s, wave_split
from test_perf_specs import H100_SXM, LLAMA_4_MAVERICK, LLAMA_31_8B, LLAMA_31_70B

_MAVERICK = {"gpus": 8, "precision": "fp8", "tp": 1, "ep": 8, "engine": "trtllm",
             "quant_scope": "all_linear"}  # fmt: skip


def test_wave_split_by_hand():
    # 3,000 requests, room for 1,000: three full waves, nothing left
    assert [float(x) for x in wave_split(3000, 1000)] == [3.0, 1000.0, 0.0]
    # room for 700: four waves of 700 and one of 3000 - 2800 = 200
    assert [float(x) for x in wave_split(3000, 700)] == [4.0, 700.0, 200.0]
    # fewer requests than room: one wave of all of them
    assert [float(x) for x in wave_split(50, 700)] == [1.0, 50.0, 0.0]
    full, batch, rem = wave_split([10, 25], [4, 30])  # arrays broadcast
    np.testing.assert_array_equal(full, [2, 1])
    np.testing.assert_array_equal(batch, [4, 25])
    np.testing.assert_array_equal(rem, [2, 0])


def test_mean_wait_by_hand():
    # 3 full waves of 4 and 2 left over: waits 0,0,0,0, 1,1,1,1, 2,2,2,2, 3,3 waves of 5 s
    # mean = 5 × (4×0 + 4×1 + 4×2 + 2×3) / 14 = 5 × 18 / 14
    assert float(batch_job_mean_wait_s(3, 4, 2, 5.0)) == pytest.approx(5 * 18 / 14)
    assert float(batch_job_mean_wait_s(1, 100, 0, 5.0)) == 0.0  # one wave: nobody waits


def _estimate(model, gpu, i, o, **kw):
    return estimate_serving(model, gpu, input_tokens=i, output_tokens=o, **kw)


def test_two_waves_by_hand_from_the_fixed_batch_estimates():
    """Makespan = output × (TPOT at the capacity + TPOT of the partial wave)."""
    i, o = 128.0, 2048.0
    steady = _estimate(LLAMA_31_70B, H100_SXM, i, o, gpus=2, precision="fp8", engine="trtllm",
                       max_throughput=True)  # fmt: skip
    cap = float(steady.batch_size)
    n = cap + 100.0  # one full wave and a wave of 100
    job = _estimate(LLAMA_31_70B, H100_SXM, i, o, gpus=2, precision="fp8", engine="trtllm",
                    max_throughput=True, requests=n)  # fmt: skip
    tail = _estimate(LLAMA_31_70B, H100_SXM, i, o, gpus=2, precision="fp8", engine="trtllm",
                     batch=100.0)  # fmt: skip
    makespan = o * (float(steady.tpot_s) + float(tail.tpot_s))
    assert float(job.output_tokens_per_s) == pytest.approx(n * o / makespan)
    assert float(job.batch_size) == cap
    # TPOT is the request-weighted mean; TTFT adds the wait of the last 100 for one wave
    w_tail = 100.0 / n
    assert float(job.tpot_s) == pytest.approx((1 - w_tail) * steady.tpot_s + w_tail * tail.tpot_s)
    assert float(job.ttft_s) > float(steady.ttft_s)
    assert job.output_tokens_per_s < steady.output_tokens_per_s


def test_fewer_requests_than_room_run_as_one_batch():
    job = _estimate(LLAMA_31_8B, H100_SXM, 128.0, 128.0, gpus=1, precision="fp8",
                    engine="trtllm", max_throughput=True, requests=64)  # fmt: skip
    fixed = _estimate(LLAMA_31_8B, H100_SXM, 128.0, 128.0, gpus=1, precision="fp8",
                      engine="trtllm", batch=64.0)  # fmt: skip
    assert float(job.batch_size) == 64.0
    assert job.limited_by == "requests"
    assert float(job.output_tokens_per_s) == pytest.approx(float(fixed.output_tokens_per_s))


@settings(max_examples=30, deadline=None)
@given(
    input_tokens=st.integers(16, 8_000),
    output_tokens=st.integers(16, 4_000),
    waves=st.integers(1, 50),
    extra=st.floats(0.0, 0.999),
)
def test_job_throughput_invariants(input_tokens, output_tokens, waves, extra):
    """Whole waves give the steady state exactly; a partial wave never beats it, nor the
    roofline; more whole waves never lower the throughput."""
    kw = {"gpus": 2, "precision": "fp8", "engine": "trtllm", "max_throughput": True}
    steady = _estimate(LLAMA_31_70B, H100_SXM, input_tokens, output_tokens, **kw)
    cap = float(steady.batch_size)
    whole = _estimate(LLAMA_31_70B, H100_SXM, input_tokens, output_tokens,
                      requests=waves * cap, **kw)  # fmt: skip
    assert float(whole.output_tokens_per_s) == pytest.approx(float(steady.output_tokens_per_s))
    n = np.floor((waves + extra) * cap) + np.array([0.0, cap])  # and one more whole wave
    job = _estimate(LLAMA_31_70B, H100_SXM, input_tokens, output_tokens, requests=n, **kw)
    tps = np.asarray(job.output_tokens_per_s)
    assert np.all(tps <= float(steady.output_tokens_per_s) * (1 + 1e-9))
    assert np.all(tps <= np.asarray(job.roofline_output_tokens_per_s))
    assert tps[1] >= tps[0] * (1 - 1e-9)


def test_requests_need_max_throughput_and_are_positive():
    with pytest.raises(InvalidInputError, match="requests"):
        _estimate(LLAMA_31_8B, H100_SXM, 128, 128, gpus=1, precision="fp8", batch=8,
                  requests=100)  # fmt: skip
    with pytest.raises(InvalidInputError, match="requests"):
        _estimate(LLAMA_31_8B, H100_SXM, 128, 128, gpus=1, precision="fp8",
                  max_throughput=True, requests=0)  # fmt: skip


def test_maverick_h100_runs_many_waves_so_the_job_is_near_steady_state():
    """Published (perf-overview v1.0): 3,000 requests of 128/2048. On 8× H100 the KV cache holds
    a few hundred sequences, so the job is ~7 waves and within a few % of the steady state;
    the run's own request count is what separates it from 8× H200 (1-2 waves)."""
    steady = _estimate(LLAMA_4_MAVERICK, H100_SXM, 128.0, 2048.0, max_throughput=True,
                       **_MAVERICK)  # fmt: skip
    job = _estimate(LLAMA_4_MAVERICK, H100_SXM, 128.0, 2048.0, max_throughput=True,
                    requests=3000, **_MAVERICK)  # fmt: skip
    assert 3000 / float(steady.batch_size) > 5
    assert float(job.output_tokens_per_s) == pytest.approx(
        float(steady.output_tokens_per_s), rel=0.05
    )


def test_wave_split_refuses_a_fractional_request_count():
    with pytest.raises(InvalidInputError, match=r"requests must be a whole number ≥ 1; got 2\.5"):
        wave_split([3, 2.5], 10)
