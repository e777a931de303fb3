"""How a step carries prompts: the prompts that came in since the last step, a prefill pass of
its own where the engine does not mix (SGLang), and the host's launch floor of eager passes."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from llmcost._core.errors import InvalidInputError
from llmcost.perf import estimate_serving, get_engine_profile, step_time_s
from llmcost.perf.parallel import resolve_split
from llmcost.perf.serving import _steady_state
from llmcost.perf.speed import deployment_rates, layer_context_sum
from test_perf_speed import GPU, IDEAL, MATMUL_PARAMS, TINY, WEIGHT_READ, rates

IN, OUT = 100.0, 10.0  # tokens: one prompt of 100 per 10 output tokens


def _tpot_ttft(engine, batch=1.0, input_tokens=IN, output_tokens=OUT):
    est = estimate_serving(
        TINY, GPU, gpus=1, precision="bf16", input_tokens=input_tokens,
        output_tokens=output_tokens, batch=batch, engine=engine,
    )  # fmt: skip
    return float(est.tpot_s), float(est.ttft_s)


def _steady(engine, arrivals):
    """TPOT and own prefill of batch 1 with the tiny model (the serving step rules)."""
    deployment = deployment_rates(TINY, GPU, "bf16", "bf16", resolve_split(TINY, 1), engine)
    one = np.array([1.0])
    st = _steady_state(deployment, one, one * IN, one * OUT, one * 0.0, arrivals=arrivals)
    return float(st.tpot_s[0]), float(st.ttft_prefill_s[0])


def _step(decoding, prefill):
    """A step of ``decoding`` sequences at their mean context 100 + 10/2 and ``prefill``
    prompt tokens, with the ideal engine."""
    ctx = float(layer_context_sum(TINY, 0.0, IN)) / IN
    return float(step_time_s(rates(), decoding, IN + OUT / 2, prefill, ctx if prefill else 0).total)


CHUNK = IDEAL.max_batched_tokens - 1.0  # a standing queue fills the budget's room: 999 tokens


@pytest.mark.parametrize(("arrivals", "chunk"), [(True, IN), (False, CHUNK)])
def test_a_step_carries_the_arrived_prompt_or_a_budget_of_waiting_ones(arrivals, chunk):
    """Batch 1, 10 output tokens per 100-token prompt: under Poisson arrivals one step in 10
    carries the prompt that came in (100 tokens); under a standing queue one step in 99.9
    carries a 999-token chunk. TTFT is the prompt's own 100-token step either way."""
    tpot, ttft = _steady(IDEAL, arrivals)
    frac = IN / OUT / chunk  # r·b / chunk: r = 100/10 prompt tokens per output token, b = 1
    assert tpot == pytest.approx(frac * _step(1, chunk) + (1 - frac) * _step(1, 0), rel=1e-12)
    assert ttft == pytest.approx(_step(1, IN), rel=1e-12)


def test_a_separate_prefill_pass_reads_the_weights_again():
    """No mixing: the step with the prompt is the prompt's own pass, then the decode step. The
    100-token pass of the tiny model is at the ridge: weights 62,875,648 B / 1 TB/s = 62.876 µs
    against 100 × 2 × 31,432,704 FLOPs / 100 TFLOP/s = 62.865 µs, so its GEMMs take 62.876 µs."""
    engine = dataclasses.replace(IDEAL, prefill_shares_decode_step=False)
    tpot, ttft = _steady(engine, arrivals=True)
    ctx = float(layer_context_sum(TINY, 0.0, IN)) / IN
    prefill = step_time_s(rates(), 0.0, 0.0, IN, ctx)
    assert float(prefill.gemm) == pytest.approx(WEIGHT_READ / 1e12, rel=1e-12)
    assert WEIGHT_READ / 1e12 > IN * 2 * MATMUL_PARAMS / 1e14
    assert tpot == pytest.approx(_step(1, 0) + 0.1 * float(prefill.total), rel=1e-12)
    assert ttft == pytest.approx(float(prefill.total), rel=1e-12)


def test_an_eager_pass_lasts_at_least_its_launch_time():
    """1 ms per layer × 2 layers: the pass with the prompt takes 2 ms however little GPU work
    it has; decode steps (CUDA graphs) do not pay it."""
    engine = dataclasses.replace(IDEAL, prefill_layer_launch_s=1e-3)
    tpot, ttft = _steady(engine, arrivals=True)
    assert ttft == pytest.approx(2e-3, rel=1e-12)
    assert tpot == pytest.approx(0.1 * 2e-3 + 0.9 * _step(1, 0), rel=1e-12)
    assert _tpot_ttft(engine)[1] == pytest.approx(2e-3, rel=1e-12)  # the public API agrees


def test_the_engines_step_rules():
    sglang, vllm, trtllm = (get_engine_profile(e) for e in ("sglang", "vllm", "trtllm"))
    assert not sglang.prefill_shares_decode_step  # --enable-mixed-chunk is off by default
    assert vllm.prefill_shares_decode_step
    assert trtllm.prefill_shares_decode_step
    assert trtllm.prefill_layer_launch_s == 0.0  # C++ runtime: the fitted trtllm is unchanged
    assert sglang.prefill_layer_launch_s > 0.0
    assert vllm.prefill_layer_launch_s > 0.0


@settings(max_examples=30, deadline=None)
@given(
    batch=st.floats(1, 200),
    input_tokens=st.floats(1, 3000),
    output_tokens=st.floats(2, 2000),
    launch_s=st.floats(0, 2e-3),
)
def test_separate_passes_and_launch_time_never_make_serving_faster(
    batch, input_tokens, output_tokens, launch_s
):
    """Reading the weights twice costs at least as much as once; a launch floor only adds."""
    kw = {"batch": batch, "input_tokens": input_tokens, "output_tokens": output_tokens}
    shared = _tpot_ttft(IDEAL, **kw)
    separate = _tpot_ttft(dataclasses.replace(IDEAL, prefill_shares_decode_step=False), **kw)
    launched = _tpot_ttft(dataclasses.replace(IDEAL, prefill_layer_launch_s=launch_s), **kw)
    assert separate[0] >= shared[0] * (1 - 1e-12)
    assert launched[0] >= shared[0] * (1 - 1e-12)
    assert launched[1] >= shared[1] * (1 - 1e-12)
    assert np.isfinite(separate).all()


def test_a_negative_launch_time_is_refused():
    with pytest.raises(InvalidInputError, match="prefill_layer_launch_s"):
        dataclasses.replace(IDEAL, prefill_layer_launch_s=-1.0)
