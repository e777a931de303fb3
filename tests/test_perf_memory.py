"""Memory: weights per precision, KV cache, per-GPU layout, usable memory, fit, concurrency."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from llmcost._core.errors import InvalidInputError, UnknownIdError
from llmcost._core.specs import GpuSpec
from llmcost.perf import (
    get_engine_profile,
    kv_cache_bytes_per_sequence,
    kv_cache_bytes_per_token,
    kv_heads_share_per_gpu,
    memory_footprint,
    visible_memory_bytes,
    weight_bytes,
    weight_bytes_per_param,
)
from llmcost.perf.memory import activation_bytes_per_gpu
from test_perf_specs import (
    H100_SXM,
    LLAMA_4_MAVERICK,
    LLAMA_4_SCOUT,
    LLAMA_31_8B,
    LLAMA_31_70B,
    LLAMA_31_405B,
)

GIB = 2**30
A10G = GpuSpec(
    id="a10g", memory_gb=24, hbm_bandwidth_gb_per_s=600, bf16_tflops=125, fp16_tflops=125,
    fp8_tflops=None, int8_tops=250, fp4_tflops=None, interconnect_kind="pcie",
    interconnect_gb_per_s=64, pcie_gb_per_s=64, tdp_w=300, memory_type="gddr",
)  # fmt: skip
MODELS = st.sampled_from([LLAMA_31_8B, LLAMA_31_70B, LLAMA_4_SCOUT, LLAMA_4_MAVERICK])
WEIGHT_PRECISIONS = st.sampled_from(["bf16", "fp8", "int4"])
ENGINES = st.sampled_from(["vllm", "sglang", "trtllm"])


# --- KV cache -------------------------------------------------------------------------------


def test_kv_cache_per_token_exact():
    # 2 × layers × kv_heads × head_dim × 2 bytes (issue 3; reference/model_configs.json)
    assert kv_cache_bytes_per_token(LLAMA_31_8B, "bf16") == 131_072
    assert kv_cache_bytes_per_token(LLAMA_31_70B, "bf16") == 327_680
    assert kv_cache_bytes_per_token(LLAMA_31_70B, "fp8") == 163_840
    assert kv_cache_bytes_per_token(LLAMA_31_405B, "bf16") == 516_096


def test_llama4_chunked_layers_cap_the_kv_at_the_chunk():
    per_layer_token = 2 * 8 * 128 * 2  # 4096 B per layer per token in BF16
    # 12 global layers keep L tokens, 36 chunked layers keep min(L, 8192)
    for length in (1000, 8192, 100_000):
        expected = per_layer_token * (12 * length + 36 * min(length, 8192))
        assert kv_cache_bytes_per_sequence(LLAMA_4_SCOUT, "bf16", length) == expected
    # an engine that does not exploit chunking keeps every layer full
    full = kv_cache_bytes_per_sequence(LLAMA_4_SCOUT, "bf16", 100_000, chunked_attention=False)
    assert full == 196_608 * 100_000
    # dense models are unaffected
    assert kv_cache_bytes_per_sequence(LLAMA_31_8B, "bf16", 10) == 1_310_720


def test_kv_heads_split_up_to_the_head_count_then_replicate():
    assert kv_heads_share_per_gpu(8, [1, 2, 4, 8, 16, 32]).tolist() == [
        1.0, 0.5, 0.25, 0.125, 0.125, 0.125,
    ]  # fmt: skip


def test_kv_precision_is_checked():
    with pytest.raises(InvalidInputError, match="kv_precision must be one of"):
        kv_cache_bytes_per_token(LLAMA_31_8B, "int4")


# --- weights ----------------------------------------------------------------------------------


def test_scale_overheads():
    assert weight_bytes_per_param("bf16") == 2.0
    assert weight_bytes_per_param("fp8") == 1.0
    assert weight_bytes_per_param("int4") == 0.5 + 2.5 / 128  # fp16 scale + 4-bit zero / 128
    assert weight_bytes_per_param("fp4") == 0.5 + 1 / 16  # NVFP4: FP8 scale per 16 values
    with pytest.raises(InvalidInputError, match="precision must be one of"):
        weight_bytes_per_param("fp3")


@pytest.mark.parametrize(
    "model", [LLAMA_31_8B, LLAMA_31_70B, LLAMA_31_405B, LLAMA_4_SCOUT, LLAMA_4_MAVERICK]
)
def test_bf16_weights_are_two_bytes_per_official_parameter(model):
    assert weight_bytes(model, "bf16").total == pytest.approx(
        2 * model.params_total_official, rel=0.01
    )


def test_quantized_checkpoints_keep_embeddings_in_16_bit():
    w = weight_bytes(LLAMA_31_70B, "fp8")
    assert w.embedding == w.lm_head == 2 * 128_256 * 8192
    assert w.attention == 80 * (2 * 8192 * 8192 + 2 * 8192 * 1024)  # 1 byte each
    int4 = weight_bytes(LLAMA_31_70B, "int4")
    assert int4.dense_mlp == pytest.approx(80 * 3 * 8192 * 28672 * (0.5 + 2.5 / 128))


def test_meta_405b_fp8_quantizes_mlp_only_except_two_layers():
    w = weight_bytes(LLAMA_31_405B, "fp8")  # checkpoint scope: mlp_only, 2 BF16 layers
    attention = 126 * (2 * 16384 * 16384 + 2 * 16384 * 1024)
    mlp = 3 * 16384 * 53248
    assert w.attention == 2 * attention
    assert w.dense_mlp == pytest.approx(124 * mlp * 1 + 2 * mlp * 2)
    # a ModelOpt checkpoint quantizes everything
    assert weight_bytes(LLAMA_31_405B, "fp8", quant_scope="all_linear").attention == attention
    with pytest.raises(InvalidInputError, match="quant_scope"):
        weight_bytes(LLAMA_31_405B, "fp8", quant_scope="half")


def test_weights_match_vllm_loading_logs():
    # vLLM "model weights" (llm-d/llm-d-benchmark empirical-vllm-memory-results.md):
    # Llama 3.1 8B BF16 14.99 GiB; Llama 3.3 70B FP8-dynamic 67.72 GiB on 1 GPU, 33.88 at TP2
    assert weight_bytes(LLAMA_31_8B, "bf16").total / GIB == pytest.approx(14.99, rel=0.005)
    w70 = weight_bytes(LLAMA_31_70B, "fp8")
    assert w70.total / GIB == pytest.approx(67.72, rel=0.005)
    assert float(w70.per_gpu(tp=2)) / GIB == pytest.approx(33.88, rel=0.005)
    # Meta's 405B FP8 at TP8: 57.75 GiB per GPU (vLLM issue #6746). We get 56.7 (−1.8 %): the
    # rest is not explained by the published config (8 KV heads); a 16-KV-head attention
    # (Meta's "mp16" layout) would account for it exactly.
    per_gpu = float(weight_bytes(LLAMA_31_405B, "fp8").per_gpu(tp=8)) / GIB
    assert per_gpu == pytest.approx(57.75, rel=0.025)


def test_per_gpu_layouts():
    w = weight_bytes(LLAMA_4_MAVERICK, "fp8")
    edges = w.embedding + w.lm_head + w.vision_encoder
    assert float(w.per_gpu(tp=8)) == pytest.approx(w.total / 8)
    # EP: experts split 8 ways, everything else replicated on each rank (attention DP)
    assert float(w.per_gpu(tp=1, ep=8)) == pytest.approx(
        w.non_expert_decoder + edges + w.routed_experts / 8
    )
    # PP: the fuller stage holds half the layers plus the embedding and vision encoder
    assert float(w.per_gpu(pp=2)) == pytest.approx(
        (w.non_expert_decoder + w.routed_experts) / 2 + w.embedding + w.vision_encoder
    )


# --- usable memory, fit, concurrency -------------------------------------------------------------


def test_visible_memory_follows_vendor_units():
    # H100 "80 GB" = 80 GiB HBM3, CUDA shows 79.18 GiB (vLLM log)
    assert visible_memory_bytes(H100_SXM) / GIB == pytest.approx(79.18, rel=0.001)
    # A10G "24 GB" GDDR6 = decimal GB, vLLM shows 22.30 GiB (awslabs/data-on-eks)
    assert visible_memory_bytes(A10G) / GIB == pytest.approx(22.30, rel=0.01)


def test_vllm_kv_cache_budget_matches_its_log():
    # same source: KV cache 51.38 GiB (8B BF16, 1×H100) and 32.0 GiB per GPU (70B FP8, TP2)
    m8 = memory_footprint(LLAMA_31_8B, "bf16", gpu=H100_SXM, engine="vllm")
    assert m8.per_gpu_kv_budget_bytes / GIB == pytest.approx(51.38, rel=0.01)
    m70 = memory_footprint(LLAMA_31_70B, "fp8", gpu=H100_SXM, gpus=2, engine="vllm")
    assert m70.per_gpu_kv_budget_bytes / GIB == pytest.approx(32.0, rel=0.03)
    # and 70B FP8 on one H100 leaves vLLM no KV cache: "No available memory for the cache blocks"
    assert not memory_footprint(LLAMA_31_70B, "fp8", gpu=H100_SXM, engine="vllm").fits


def test_activation_memory_matches_vllm_peak():
    # 8192 × (128,256 × 4 + 2 × 14,336 × 2) B = 4.35 GiB; measured 4.76 GiB peak
    act = activation_bytes_per_gpu(LLAMA_31_8B, get_engine_profile("vllm"))
    assert act == 8192 * (128_256 * 4 + 2 * 14_336 * 2)


def test_scout_int4_fits_one_h100_and_maverick_fp8_needs_more_than_four():
    # Meta: "Scout fits on a single H100 GPU" with Int4
    for engine in ("vllm", "sglang", "trtllm"):
        scout = memory_footprint(LLAMA_4_SCOUT, "int4", gpu=H100_SXM, engine=engine)
        assert scout.fits, engine
        assert not memory_footprint(LLAMA_4_MAVERICK, "fp8", gpu=H100_SXM, gpus=4,
                                    engine=engine).fits  # fmt: skip
        assert memory_footprint(LLAMA_4_MAVERICK, "fp8", gpu=H100_SXM, gpus=8, engine=engine).fits


def test_max_concurrent_sequences_by_hand():
    eng = get_engine_profile("trtllm")
    m = memory_footprint(
        LLAMA_31_8B, "fp8", gpu=H100_SXM, engine=eng, context_tokens=2000, quant_scope="all_linear"
    )
    budget = (visible_memory_bytes(H100_SXM) - m.per_gpu_weights_bytes - 5.7e9) * 0.9
    # pages of 64 tokens: 2000 → 2048 tokens × 65,536 B (FP8 KV)
    assert m.max_concurrent_sequences == budget // (2048 * 65_536)


def test_memory_without_gpu_and_bad_inputs():
    m = memory_footprint(LLAMA_31_8B, "bf16")
    assert m.weights_bytes == 2 * 8_030_261_248
    assert m.fits is False
    assert np.isnan(m.max_concurrent_sequences)
    with pytest.raises(UnknownIdError, match="did you mean 'vllm'"):
        memory_footprint(LLAMA_31_8B, "bf16", engine="vlm")
    with pytest.raises(InvalidInputError, match="tp × pp × ep must equal gpus"):
        memory_footprint(LLAMA_31_8B, "bf16", gpus=4, tp=2)
    with pytest.raises(InvalidInputError, match="ep > 1 needs a mixture-of-experts"):
        memory_footprint(LLAMA_31_8B, "bf16", gpus=2, ep=2)


def test_arrays_in_arrays_out():
    m = memory_footprint(LLAMA_31_70B, "bf16", gpu=H100_SXM, gpus=[2, 4, 8],
                         context_tokens=4096)  # fmt: skip
    assert m.max_concurrent_sequences.shape == (3,)
    assert list(m.to_frame().columns[:2]) == ["weights_bytes", "kv_cache_bytes_per_token"]


@settings(max_examples=40, deadline=None)
@given(model=MODELS, precision=WEIGHT_PRECISIONS, context=st.integers(1, 200_000), engine=ENGINES)
def test_more_gpus_never_lower_the_sequences_that_fit(model, precision, context, engine):
    gpus = np.array([1, 2, 4, 8, 16, 32])
    m = memory_footprint(model, precision, gpu=H100_SXM, gpus=gpus, context_tokens=context,
                         engine=engine)  # fmt: skip
    seqs = np.asarray(m.max_concurrent_sequences)
    assert np.all(np.diff(seqs) >= 0)
    assert np.all(np.diff(np.asarray(m.per_gpu_weights_bytes)) <= 0)


# --- longest context -----------------------------------------------------------------------


def test_max_context_of_llama_31_8b_on_one_h100_by_hand():
    m = memory_footprint(LLAMA_31_8B, "bf16", gpu=H100_SXM, engine="vllm")
    # vLLM: 0.99 × 80 GiB visible × 0.9 utilization − 16,060,522,496 B weights (2 × 8.03e9)
    # − 0.5 GB context − 8192 × (128,256 × 4 + 2 × 14,336 × 2) B activations = 55,303,340,062 B;
    # ÷ 131,072 B/token = 421,931 tokens → 421,920 in whole 16-token pages (3.2 × the model's
    # 131,072-token context: memory is not what limits one sequence here)
    budget = 0.99 * 80 * GIB * 0.9 - 16_060_522_496 - 0.5e9 - 8192 * (128_256 * 4 + 57_344)
    assert float(m.per_gpu_kv_budget_bytes) == pytest.approx(budget, rel=1e-12)
    assert m.max_context_tokens == 421_920 == (budget // 131_072) // 16 * 16
    # 103 sequences of 4,096 tokens fit; each of 103 can hold 4,096 + some pages, 104 cannot
    many = memory_footprint(LLAMA_31_8B, "bf16", gpu=H100_SXM, concurrent_sequences=[103, 104])
    assert list(many.max_context_tokens) == [(budget / 103 // 131_072) // 16 * 16, 4048]


def test_max_context_of_scout_int4_on_one_h100_by_hand():
    m = memory_footprint(LLAMA_4_SCOUT, "int4", gpu=H100_SXM, engine="vllm")
    budget = float(m.per_gpu_kv_budget_bytes)  # 8.08e9 B (checked in test_claims.py)
    # 4,096 B per layer-token (2 × 8 heads × 128 × 2 B); 36 chunked layers hold 8,192 tokens,
    # 12 global layers the whole context: 4096 × (12 L + 36 × 8192) ≤ budget, whole pages
    assert m.max_context_tokens == (budget / 4096 - 36 * 8192) // 12 // 16 * 16 == 139_712
    # ten times what all-layer accounting gives (budget / 196,608 B = 41,074 tokens)
    assert m.max_context_tokens > 3 * budget / 196_608
    # an engine that keeps full KV on every layer gets only that
    full = dataclasses.replace(get_engine_profile("vllm"), exploits_chunked_attention=False)
    no_chunking = memory_footprint(LLAMA_4_SCOUT, "int4", gpu=H100_SXM, engine=full)
    assert no_chunking.max_context_tokens == budget // 196_608 // 16 * 16
    # short enough that every layer is under the chunk: all 48 layers count
    eight = memory_footprint(LLAMA_4_SCOUT, "int4", gpu=H100_SXM, concurrent_sequences=8)
    assert eight.max_context_tokens == budget / 8 // 196_608 // 16 * 16 <= 8192


def test_max_context_is_zero_where_nothing_fits_and_nan_without_a_gpu():
    assert memory_footprint(LLAMA_31_70B, "fp8", gpu=H100_SXM).max_context_tokens == 0
    assert np.isnan(memory_footprint(LLAMA_31_8B, "bf16").max_context_tokens)
    with pytest.raises(InvalidInputError, match="concurrent_sequences must be > 0; got 0"):
        memory_footprint(LLAMA_31_8B, "bf16", gpu=H100_SXM, concurrent_sequences=0)


@settings(max_examples=40, deadline=None)
@given(
    model=MODELS,
    precision=WEIGHT_PRECISIONS,
    kv_precision=st.sampled_from(["bf16", "fp8"]),
    sequences=st.integers(1, 300),
    engine=ENGINES,
    pp=st.sampled_from([1, 2]),
)
def test_max_context_grows_with_gpus_and_is_exactly_what_fits(
    model, precision, kv_precision, sequences, engine, pp
):
    gpus = np.array([1, 2, 4, 8, 16, 32]) * pp
    kw = {"gpu": H100_SXM, "gpus": gpus, "pp": pp, "engine": engine, "kv_precision": kv_precision}
    m = memory_footprint(model, precision, concurrent_sequences=sequences, **kw)
    longest = np.asarray(m.max_context_tokens)
    assert np.all(np.diff(longest) >= 0)  # more GPUs never lower it
    # consistency with the fit check: at the length, `sequences` fit; one page more, they don't
    page = get_engine_profile(engine).kv_block_tokens
    held = longest > 0
    if held.any():
        at = memory_footprint(model, precision, context_tokens=np.where(held, longest, 1), **kw)
        assert np.all(np.asarray(at.max_concurrent_sequences)[held] >= sequences)
    beyond = memory_footprint(model, precision, context_tokens=longest + 1, **kw)
    assert np.all(np.asarray(beyond.max_concurrent_sequences) < sequences)
    assert np.all(longest % page == 0)


def test_engine_profiles_validate_their_fields():
    with pytest.raises(InvalidInputError, match="bandwidth_efficiency must be in"):
        dataclasses.replace(get_engine_profile("vllm"), bandwidth_efficiency=1.5)
    with pytest.raises(InvalidInputError, match="max_batch must be"):
        dataclasses.replace(get_engine_profile("vllm"), max_batch=0)
