"""Engine profiles by GPU vendor: vLLM on AMD GPUs runs its ROCm variant (``vllm-rocm``)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from llmcost._core.errors import InvalidInputError
from llmcost.catalog import load_catalog
from llmcost.perf import estimate_serving, get_engine_profile, step_time_s
from llmcost.perf.engines import ENGINE_PROFILES, ROCM_ENGINE_PROFILES
from llmcost.perf.fit import predict_measurements
from llmcost.perf.parallel import resolve_split
from llmcost.perf.speed import deployment_rates
from test_perf_specs import H100_SXM, LLAMA_31_70B
from test_perf_speed import GPU, IDEAL, TINY

# AMD Instinct MI300X as in data/pricing/gpus.csv (ROCm docs mi300.md: 5.3 TB/s, dense BF16
# 1307.4 / FP8 2614.9 TFLOPS; 896 GB/s Infinity Fabric; achievable ratios 0.89 / 0.66).
MI300X = dataclasses.replace(
    H100_SXM, id="mi300x", memory_gb=192, hbm_bandwidth_gb_per_s=5300, bf16_tflops=1307.4,
    fp16_tflops=1307.4, fp8_tflops=2614.9, int8_tops=2614.9, interconnect_kind="xgmi",
    interconnect_gb_per_s=896, tdp_w=750, achievable_bandwidth_ratio=0.89,
    achievable_compute_ratio=0.66, vendor="amd",
)  # fmt: skip
ROCM_STEP_OVERHEAD_S = 4.1e-3  # fitted on the ROCm/vllm dev-docker tables (engines.py source)
ROCM_SEQUENCE_LAYER_OVERHEAD_S = 0.67e-6  # same fit
VLLM_SEQUENCE_OVERHEAD_S = 10e-6  # vllm's per sequence-step cost, kept by the ROCm variant


@pytest.mark.parametrize("engine", ["vllm", "sglang", "trtllm"])
def test_only_vllm_on_an_amd_gpu_gets_a_rocm_variant(engine):
    assert get_engine_profile(engine, H100_SXM) is ENGINE_PROFILES[engine]
    assert get_engine_profile(engine) is ENGINE_PROFILES[engine]
    expected = "vllm-rocm" if engine == "vllm" else engine
    assert get_engine_profile(engine, MI300X).name == expected


def test_a_profile_object_is_never_swapped_on_amd():
    mine = dataclasses.replace(get_engine_profile("vllm"), name="mine", step_overhead_s=0.0)
    assert get_engine_profile(mine, MI300X) is mine
    assert get_engine_profile(get_engine_profile("vllm"), MI300X).name == "vllm"


def test_the_rocm_variant_changes_only_its_two_fitted_overheads():
    """Besides its two overheads, the ROCm variant keeps the kernels its overheads were fitted
    with (0.92 × trtllm, before vllm's own calibration) and no prefill launch floor."""
    vllm, rocm = ENGINE_PROFILES["vllm"], ROCM_ENGINE_PROFILES["vllm"]
    changed = {
        f.name for f in dataclasses.fields(vllm) if getattr(vllm, f.name) != getattr(rocm, f.name)
    }
    # and the GPU that per-sequence-layer overhead was fitted on (MI300X: 5,300 GB/s × its
    # achievable ratio 0.89, gpus.csv); its kernels are those its overheads were fitted with
    # (0.92 × trtllm, before vllm's own calibration), with no prefill launch floor
    kernels = {"bandwidth_efficiency", "compute_efficiency", "prefill_layer_launch_s"}
    fitted = {"name", "source", "step_overhead_s", "sequence_layer_overhead_s",
              "overhead_reference_bandwidth_gb_per_s"}  # fmt: skip
    assert fitted <= changed <= fitted | kernels  # (vllm's prefill factor is 0.92 too)
    assert rocm.overhead_reference_bandwidth_gb_per_s == 5300.0 * 0.89
    trtllm = ENGINE_PROFILES["trtllm"]
    assert rocm.bandwidth_efficiency == pytest.approx(0.92 * trtllm.bandwidth_efficiency)
    assert rocm.compute_efficiency == pytest.approx(0.92 * trtllm.compute_efficiency)
    assert rocm.prefill_layer_launch_s == 0.0
    assert rocm.step_overhead_s == ROCM_STEP_OVERHEAD_S
    assert rocm.sequence_layer_overhead_s == ROCM_SEQUENCE_LAYER_OVERHEAD_S
    for cited in ("ROCm/vllm@040de12", "Oracle", "MLPerf", "PR #15720"):
        assert cited in rocm.source


def test_rocm_step_time_by_hand():
    """The tiny model's bandwidth-bound decode step (test_perf_speed: 63.694848 µs at 4
    sequences, context 100, ideal kernels) plus the ROCm overheads: 4.1 ms per step +
    4 × (10 µs + 2 layers × 0.67 µs) = 4.1 ms + 45.36 µs → 4.209054848 ms."""
    rocm = get_engine_profile("vllm", MI300X)
    engine = dataclasses.replace(
        IDEAL, step_overhead_s=rocm.step_overhead_s, sequence_overhead_s=rocm.sequence_overhead_s,
        sequence_layer_overhead_s=rocm.sequence_layer_overhead_s,
        overhead_reference_bandwidth_gb_per_s=None,  # the fitted 0.67 µs on any GPU
    )  # fmt: skip
    rates = deployment_rates(TINY, GPU, "bf16", "bf16", resolve_split(TINY, 1), engine)
    t = step_time_s(rates, 4, 100, 0, 0)
    assert float(t.overhead) == pytest.approx(4.1e-3 + 4 * (10e-6 + 2 * 0.67e-6))
    assert float(t.total) == pytest.approx(4.209054848e-3)


def test_rocm_overhead_of_a_llama_70b_tp8_decode_step_by_hand():
    """Llama 3.1 70B TP8 on MI300X at batch 64: 80 layers on each GPU, so the engine overhead
    is 4.1 ms + 64 × (10 µs + 80 × 0.67 µs) = 4.1 + 4.0704 = 8.1704 ms (the 0.67 µs was
    fitted on MI300X itself). vllm's CUDA profile: its 0.52 µs was fitted at the H100's
    3,350 GB/s, so on MI300X's 5,300 × 0.89 = 4,717 GB/s it is 0.52 × 3,350 / 4,717 =
    0.369303 µs: 1.0 ms + 64 × (10 µs + 80 × 0.369303 µs) = 3.530829 ms."""
    split = resolve_split(LLAMA_31_70B, 8)
    for engine, expected in (("vllm", 3.530829e-3), ("vllm-rocm", 8.1704e-3)):
        profile = ROCM_ENGINE_PROFILES["vllm"] if engine == "vllm-rocm" else ENGINE_PROFILES[engine]
        rates = deployment_rates(LLAMA_31_70B, MI300X, "fp8", "bf16", split, profile)
        assert float(step_time_s(rates, 64, 1152, 0, 0).overhead) == pytest.approx(expected)


def test_estimate_on_amd_names_the_rocm_variant_and_nvidia_does_not():
    kw = dict(gpus=8, precision="fp8", input_tokens=128, output_tokens=2048, batch=64)
    amd = estimate_serving(LLAMA_31_70B, MI300X, **kw)
    assert amd.basis["engine"] == "vllm-rocm"
    assert amd.basis["engine_requested"] == "vllm"
    assert "mi300x is an AMD GPU: engine vllm runs its ROCm profile vllm-rocm" in amd.explain()
    nvidia = estimate_serving(LLAMA_31_70B, H100_SXM, **kw)
    assert nvidia.basis["engine"] == nvidia.basis["engine_requested"] == "vllm"
    assert "ROCm profile" not in nvidia.explain()
    own = estimate_serving(LLAMA_31_70B, MI300X, engine=get_engine_profile("vllm"), **kw)
    assert own.basis["engine"] == own.basis["engine_requested"] == "vllm"
    assert "ROCm profile" not in own.explain()


@settings(max_examples=30, deadline=None)
@given(
    batch=st.integers(1, 256),
    input_tokens=st.integers(1, 8000),
    output_tokens=st.integers(1, 4000),
)
def test_the_rocm_variant_is_never_faster_than_vllm_on_the_same_gpu(
    batch, input_tokens, output_tokens
):
    """Its overheads are larger than vllm's: with the same kernels every step takes longer.

    (Its kernels are its own: those it was fitted with, 0.92 × trtllm.)
    """
    kw = dict(gpus=8, precision="fp8", input_tokens=input_tokens, output_tokens=output_tokens,
              batch=batch)  # fmt: skip
    vllm, rocm_profile = get_engine_profile("vllm"), get_engine_profile("vllm", MI300X)
    same_kernels = dataclasses.replace(
        rocm_profile, step_overhead_s=vllm.step_overhead_s,
        sequence_layer_overhead_s=vllm.sequence_layer_overhead_s,
    )  # fmt: skip
    rocm = estimate_serving(LLAMA_31_70B, MI300X, **kw)
    cuda = estimate_serving(LLAMA_31_70B, MI300X, engine=same_kernels, **kw)
    assert rocm.tpot_s > cuda.tpot_s
    assert rocm.ttft_s >= cuda.ttft_s
    assert rocm.max_batch_size == cuda.max_batch_size  # same memory rules


def test_catalog_gpus_carry_their_vendor():
    catalog = load_catalog()
    for gpu_id in ("mi300x", "mi325x"):
        assert catalog.gpu_spec(gpu_id).vendor == "amd"
    for gpu_id in ("h100-sxm", "h200", "b200", "a100-80gb", "l40s"):
        assert catalog.gpu_spec(gpu_id).vendor == "nvidia"


def test_an_unknown_vendor_names_the_field_the_gpu_and_the_choices():
    with pytest.raises(InvalidInputError, match=r"vendor of GPU 'x'.*nvidia, amd.*'intel'"):
        dataclasses.replace(H100_SXM, id="x", vendor="intel")


def test_hand_built_specs_default_to_nvidia():
    assert H100_SXM.vendor == "nvidia"
    assert np.isclose(
        estimate_serving(LLAMA_31_70B, H100_SXM, gpus=8, precision="fp8", input_tokens=128,
                         output_tokens=128, batch=1).basis["efficiency"]["step_overhead_s"],
        1.0e-3,
    )  # fmt: skip


def test_measurements_on_amd_are_predicted_with_the_rocm_variant():
    """predict_measurements (what fit_engine_profile scores) resolves an engine id per GPU,
    as estimate_serving does."""
    runs = pd.DataFrame(
        [dict(model="llama-3.1-70b", gpu=g, gpus=8, precision="fp8", input_tokens=128,
              output_tokens=2048, batch=64) for g in ("mi300x", "h100-sxm")]
    )  # fmt: skip
    specs = {"llama-3.1-70b": LLAMA_31_70B, "mi300x": MI300X, "h100-sxm": H100_SXM}
    pred = predict_measurements(runs, "vllm", specs)
    for gpu, value in zip((MI300X, H100_SXM), pred, strict=True):
        est = estimate_serving(LLAMA_31_70B, gpu, gpus=8, precision="fp8", input_tokens=128,
                               output_tokens=2048, batch=64)  # fmt: skip
        assert value == pytest.approx(float(est.output_tokens_per_s))
    cuda = predict_measurements(runs, get_engine_profile("vllm"), specs)
    assert pred[0] < cuda[0]  # the ROCm variant is slower on AMD
    assert pred[1] == cuda[1]  # and absent on NVIDIA
