"""Step times of a tiny made-up model on a made-up GPU, computed by hand."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from llmcost._core.errors import InvalidInputError, UnsupportedPrecisionError
from llmcost._core.specs import MAX_ACHIEVABLE_RATIO, GpuSpec, ModelSpec
from llmcost.perf import expected_distinct_experts, get_engine_profile, step_time_s
from llmcost.perf.parallel import resolve_split
from llmcost.perf.speed import deployment_rates, layer_context_sum

# 2 layers, hidden 1024, 8 query heads and 2 KV heads of 128, vocab 1000, tied embeddings.
# Linear parameters per layer: attention 2·1024·1024 + 2·1024·256 = 2,621,440,
# MLP 3·1024·4096 = 12,582,912 → 15,204,352; ×2 layers = 30,408,704. Embedding 1,024,000.
TINY = ModelSpec(
    id="tiny", hidden_size=1024, num_layers=2, num_attention_heads=8, num_kv_heads=2,
    head_dim=128, vocab_size=1000, intermediate_size=4096, tie_word_embeddings=True,
    max_context_tokens=4096, params_total_official=31.4e6, params_active_official=31.4e6,
)  # fmt: skip
# 1 TB/s, 100 TFLOP/s BF16, 200 GB/s NVLink (100 GB/s each way), no FP8.
GPU = GpuSpec(
    id="toy", memory_gb=80, hbm_bandwidth_gb_per_s=1000, bf16_tflops=100, fp16_tflops=100,
    fp8_tflops=None, int8_tops=None, fp4_tflops=None, interconnect_kind="nvlink",
    interconnect_gb_per_s=200, pcie_gb_per_s=64, tdp_w=100,
)  # fmt: skip
# An ideal engine: full efficiency, no overheads, 1 µs per ring step.
IDEAL = dataclasses.replace(
    get_engine_profile("trtllm"), name="ideal", bandwidth_efficiency=1.0, compute_efficiency=1.0,
    interconnect_efficiency=1.0, moe_efficiency=1.0, step_overhead_s=0.0,
    sequence_overhead_s=0.0, sequence_layer_overhead_s=0.0, collective_latency_s=1e-6,
    max_batched_tokens=1000,
)  # fmt: skip

WEIGHT_READ = 2 * (30_408_704 + 5 * 1024) + 2 * 1_024_000  # decoder + norms + tied head [B]
MATMUL_PARAMS = 30_408_704 + 1_024_000  # per token, head included


def rates(tp: int = 1):
    return deployment_rates(TINY, GPU, "bf16", "bf16", resolve_split(TINY, tp), IDEAL)


def test_decode_step_is_bandwidth_bound_by_hand():
    t = step_time_s(rates(), 4, 100, 0, 0)
    kv = 4 * (2 * 2 * 2 * 128 * 2 * 100)  # 4 seqs × (K,V × layers × heads × dim × 2 B × ctx)
    assert float(t.gemm) == pytest.approx(WEIGHT_READ / 1e12)  # 62.875648 µs
    assert float(t.attention) == pytest.approx(kv / 1e12)  # 0.8192 µs (not the 0.033 µs FLOPs)
    assert float(t.collectives) == 0.0
    assert float(t.total) == pytest.approx(63.694848e-6)


def test_tensor_parallel_step_adds_two_ring_all_reduces_per_layer():
    t = step_time_s(rates(tp=2), 4, 100, 0, 0)
    message = 4 * 1024 * 2  # tokens × hidden × 2 B
    ring = 2 * (2 - 1) / 2 * message / 100e9 + 2 * (2 - 1) * 1e-6
    assert float(t.collectives) == pytest.approx(2 * 2 * ring)  # 8.32768 µs
    assert float(t.gemm) == pytest.approx(WEIGHT_READ / 2 / 1e12)
    assert float(t.attention) == pytest.approx(4 * 2 * 1 * 128 * 2 * 2 * 100 / 1e12)
    assert float(t.total) == pytest.approx(40.175104e-6)


def test_prefill_chunk_is_compute_bound_by_hand():
    ctx = layer_context_sum(TINY, 0, 1000) / 1000  # 2 layers × Σp / 1000 = 1001
    assert float(ctx) == 1001.0
    t = step_time_s(rates(), 0, 0, 1000, ctx)
    assert float(t.gemm) == pytest.approx(1000 * 2 * MATMUL_PARAMS / 100e12)  # 628.65 µs
    assert float(t.attention) == pytest.approx(4 * 8 * 128 * 1_001_000 / 100e12)  # 41.0 µs
    assert float(t.total) == pytest.approx(669.65504e-6)
    assert float(t.total) >= float(t.roofline)


def test_layer_context_sum_caps_chunked_layers():
    chunked = dataclasses.replace(
        TINY, num_layers=4, attention_chunk_tokens=10, global_attention_layer_step=4
    )
    # 1 global layer: Σ_{p=1}^{20} p = 210; 3 local layers: Σ min(p, 10) = 55 + 100 = 155
    assert float(layer_context_sum(chunked, 0, 20)) == 210 + 3 * 155
    assert float(layer_context_sum(chunked, 15, 20)) == (210 - 120) + 3 * 50


def test_expected_distinct_experts():
    # E(1 − (1 − k/E)^T): one token hits k experts; many tokens hit them all
    assert expected_distinct_experts(128, 1, 1) == pytest.approx(1.0)
    assert expected_distinct_experts(16, 2, 1) == pytest.approx(2.0)
    assert expected_distinct_experts(128, 1, 128) == pytest.approx(128 * (1 - (127 / 128) ** 128))
    assert expected_distinct_experts(16, 1, 10_000) == pytest.approx(16.0)
    assert np.all(np.diff(expected_distinct_experts(128, 1, np.arange(1, 500))) > 0)
    assert float(expected_distinct_experts(0, 0, 5)) == 0.0


def test_precision_the_gpu_lacks_is_an_error_not_a_fallback():
    with pytest.raises(UnsupportedPrecisionError, match="not supported on GPU 'toy'"):
        deployment_rates(TINY, GPU, "fp8", "fp8", resolve_split(TINY, 1), IDEAL)


def test_achievable_bandwidth_ratio_slows_the_bandwidth_bound_decode_step_by_its_inverse():
    slow = dataclasses.replace(GPU, achievable_bandwidth_ratio=0.8)
    r = deployment_rates(TINY, slow, "bf16", "bf16", resolve_split(TINY, 1), IDEAL)
    t = step_time_s(r, 4, 100, 0, 0)
    kv = 4 * (2 * 2 * 2 * 128 * 2 * 100)
    assert float(t.gemm) == pytest.approx(WEIGHT_READ / (0.8 * 1e12))  # 78.59456 µs
    assert float(t.attention) == pytest.approx(kv / (0.8 * 1e12))  # 1.024 µs
    assert float(t.total) == pytest.approx(63.694848e-6 / 0.8)  # 79.61856 µs
    # the roofline is the datasheet's: no engine and no GPU class steps faster than it
    assert float(t.roofline) == pytest.approx(float(step_time_s(rates(), 4, 100, 0, 0).roofline))


def test_achievable_compute_ratio_slows_the_compute_bound_prefill_chunk_by_its_inverse():
    slow = dataclasses.replace(GPU, achievable_compute_ratio=0.5)
    r = deployment_rates(TINY, slow, "bf16", "bf16", resolve_split(TINY, 1), IDEAL)
    ctx = layer_context_sum(TINY, 0, 1000) / 1000
    t = step_time_s(r, 0, 0, 1000, ctx)
    assert float(t.gemm) == pytest.approx(1000 * 2 * MATMUL_PARAMS / 50e12)  # 1257.3 µs
    assert float(t.attention) == pytest.approx(4 * 8 * 128 * 1_001_000 / 50e12)  # 82.0 µs
    assert float(t.total) == pytest.approx(2 * 669.65504e-6)
    # a bandwidth-bound decode step does not notice the compute ratio
    decode = step_time_s(r, 4, 100, 0, 0)
    assert float(decode.total) == pytest.approx(63.694848e-6)


@settings(max_examples=50, deadline=None)
@given(
    bandwidth_ratio=st.floats(0.05, 1.0),
    compute_ratio=st.floats(0.05, 1.0),
    sequences=st.integers(1, 64),
    context=st.floats(1.0, 4000.0),
)
def test_ratios_divide_the_effective_rates_exactly(
    bandwidth_ratio, compute_ratio, sequences, context
):
    """Memory time × bandwidth ratio and arithmetic time × compute ratio are the ratio-1 times,
    so a ratio of 1 (every NVIDIA GPU in the catalog) leaves a prediction exactly as it was."""
    gpu = dataclasses.replace(
        GPU, achievable_bandwidth_ratio=bandwidth_ratio, achievable_compute_ratio=compute_ratio
    )
    split = resolve_split(TINY, 1)
    base, scaled = rates(), deployment_rates(TINY, gpu, "bf16", "bf16", split, IDEAL)
    t0 = step_time_s(base, sequences, context, 256, 300.0)
    t1 = step_time_s(scaled, sequences, context, 256, 300.0)
    assert float(t1.bandwidth_part) * bandwidth_ratio == pytest.approx(float(t0.bandwidth_part))
    assert float(t1.compute_part) * compute_ratio == pytest.approx(float(t0.compute_part))
    assert float(t1.roofline) == float(t0.roofline)
    assert scaled.bandwidth_bytes_per_s == pytest.approx(1e12 * bandwidth_ratio)
    assert scaled.flops_per_s == pytest.approx(100e12 * compute_ratio)


def test_efficiency_times_ratio_is_capped_at_the_datasheet_peak():
    # engine 0.6 × ratio 2 = 1.2 → 1.0 (the datasheet peak); 0.4 × 2 = 0.8 stays
    engine = dataclasses.replace(IDEAL, bandwidth_efficiency=0.6, compute_efficiency=0.4)
    gpu = dataclasses.replace(GPU, achievable_bandwidth_ratio=2.0, achievable_compute_ratio=2.0)
    r = deployment_rates(TINY, gpu, "bf16", "bf16", resolve_split(TINY, 1), engine)
    assert r.bandwidth_bytes_per_s == pytest.approx(1e12)  # 1 TB/s × min(1, 1.2)
    assert r.flops_per_s == pytest.approx(0.8 * 100e12)  # 100 TFLOP/s × 0.8
    assert r.attention_flops_per_s == pytest.approx(0.8 * 100e12)


@settings(max_examples=60, deadline=None)
@given(
    bandwidth_ratio=st.floats(0.05, MAX_ACHIEVABLE_RATIO),
    compute_ratio=st.floats(0.05, MAX_ACHIEVABLE_RATIO),
    bandwidth_efficiency=st.floats(0.05, 1.0),
    compute_efficiency=st.floats(0.05, 1.0),
    moe_efficiency=st.floats(0.05, 1.0),
    sequences=st.integers(0, 256),
    context=st.floats(1.0, 4000.0),
    prefill_tokens=st.integers(0, 4096),
)
def test_no_step_is_faster_than_the_datasheet_roofline(
    bandwidth_ratio,
    compute_ratio,
    bandwidth_efficiency,
    compute_efficiency,
    moe_efficiency,
    sequences,
    context,
    prefill_tokens,
):
    """Ratios up to 2 × any engine efficiency never put a step above the datasheet roofline."""
    gpu = dataclasses.replace(
        GPU, achievable_bandwidth_ratio=bandwidth_ratio, achievable_compute_ratio=compute_ratio
    )
    engine = dataclasses.replace(
        IDEAL,
        bandwidth_efficiency=bandwidth_efficiency,
        compute_efficiency=compute_efficiency,
        moe_efficiency=moe_efficiency,
    )
    r = deployment_rates(TINY, gpu, "bf16", "bf16", resolve_split(TINY, 1), engine)
    assert r.bandwidth_bytes_per_s <= r.peak_bandwidth_bytes_per_s
    assert r.flops_per_s <= r.peak_flops_per_s
    assert r.attention_flops_per_s <= r.peak_attention_flops_per_s
    t = step_time_s(r, sequences, context, prefill_tokens, 300.0)
    assert float(t.total) >= float(t.roofline) * (1 - 1e-12)


@pytest.mark.parametrize("field", ["achievable_bandwidth_ratio", "achievable_compute_ratio"])
@pytest.mark.parametrize("value", [0.0, -0.5, 2.5])
def test_an_achievable_ratio_outside_0_2_names_the_field_and_gpu(field, value):
    with pytest.raises(InvalidInputError, match=rf"{field} of GPU 'toy' must be in \(0, 2\]"):
        dataclasses.replace(GPU, **{field: value})
