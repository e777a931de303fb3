"""Out-of-sample validation (benchmarks/validation.py) and the physics it led to: attention
precision, NVFP4 GEMM efficiency, and the prefill queue behind TTFT at a given concurrency."""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from llmcost._core.specs import GpuSpec
from llmcost.catalog import load_catalog
from llmcost.perf import estimate_serving, get_engine_profile, step_time_s
from llmcost.perf.parallel import resolve_split
from llmcost.perf.queueing import MAX_PREFILL_UTILIZATION, prefill_wait_s, step_residual_s
from llmcost.perf.speed import attention_precision, deployment_rates, layer_context_sum
from test_perf_speed import GPU, IDEAL, MATMUL_PARAMS, TINY

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"

# Measured on the shipped profiles (python benchmarks/validation.py), NVIDIA GPUs (what the
# profiles were calibrated on): overall median 10.9 % over the scored cases, throughput cases
# 11.0 %, latency cases (TTFT, TPOT, request latency, per-user decode speed) 10.3 % (8.1 %
# before the topology all-reduce: its TTFTs are 4-8 points lower). The bounds leave ~1.5-2
# points of slack so a regression fails and noise does not.
OVERALL_MEDIAN_BOUND_PCT = 12.5
THROUGHPUT_MEDIAN_BOUND_PCT = 13.0
LATENCY_MEDIAN_BOUND_PCT = 12.0
#: GPUs that run vLLM on ROCm (the vllm-rocm profile): scored separately, see the tests below
ROCM_GPUS = ("mi300x", "mi325x")
#: MLPerf Inference cases (validation_mlperf.json): scored by their own test, so the bounds
#: above stay those of the sets they were measured on
MLPERF_SOURCE_PREFIX = "mlperf"


@pytest.fixture(scope="module")
def validation():
    sys.path.insert(0, str(BENCH))
    try:
        import validation as module
    finally:
        sys.path.remove(str(BENCH))
    cases = module.load_cases()
    catalog = load_catalog()
    # Poisson-arrival runs the model puts beyond capacity are counted apart, as the script does
    over = module.beyond_capacity(cases, catalog)
    pred = np.where(over, np.nan, module.predict(cases, catalog))
    return module, cases.assign(beyond_capacity=over), pred


def test_every_published_case_is_loaded_with_its_source(validation):
    module, cases, _ = validation
    raw = [c for p in sorted((BENCH / "data").glob("validation_*.json")) for c in json.loads(
        p.read_text())]  # fmt: skip
    assert len(cases) == len(raw) >= 250
    assert len({c["id"] for c in raw}) == len(raw)
    for case in raw:
        assert case["source"]
        assert case["value"] > 0
        assert case["metric"] in (*module.METRICS, *module.DERIVED_METRICS)
    # out of sample: no H100 SXM / A100 SXM row of the calibration tables' editions
    calibration = {
        c["id"] for c in json.loads((BENCH / "data" / "trtllm_h100_a100.json").read_text())
    }
    assert not calibration & {c["id"] for c in raw}


def test_validation_error_stays_within_the_measured_bounds(validation):
    _, cases, pred = validation
    abs_err = 100 * np.abs(pred / cases["measured"].to_numpy() - 1)
    over = cases["beyond_capacity"].to_numpy()
    assert (~np.isnan(pred)).sum() >= len(cases) - over.sum() - 1  # + the 4×A100 FP16 b240 run
    mlperf = cases["source"].str.startswith(MLPERF_SOURCE_PREFIX).to_numpy()
    poisson = (cases["scenario"] == "poisson").to_numpy()  # scored by their own test below
    scored = ~np.isnan(pred) & ~cases["gpu"].isin(ROCM_GPUS).to_numpy() & ~mlperf & ~poisson
    throughput = cases["metric"].str.startswith("output_tokens").to_numpy()
    assert np.median(abs_err[scored]) <= OVERALL_MEDIAN_BOUND_PCT
    assert np.median(abs_err[scored & throughput]) <= THROUGHPUT_MEDIAN_BOUND_PCT
    assert np.median(abs_err[scored & ~throughput]) <= LATENCY_MEDIAN_BOUND_PCT


#: Latency under Poisson arrivals (SGLang on H200, DataCrunch; nothing of it fitted), measured
#: with the calibrated sglang profile: median |error| TTFT 34.8 % (12 cases, model low), ITL
#: 7.3 % (10), TPOT 3.1 % (2); 6 cases at rates the model puts beyond capacity (8, TTFT
#: 30.1 %, before the per-sequence overheads scaled with the GPU's bandwidth). Bands: ~2-3
#: points of slack.
POISSON_BANDS_PCT = {"ttft_p50_ms": 37.0, "itl_p50_ms": 10.0, "tpot_p50_ms": 6.0}
POISSON_BEYOND_CAPACITY = 6


def test_latency_under_poisson_arrivals_stays_in_its_measured_band(validation):
    _, cases, pred = validation
    poisson = (cases["scenario"] == "poisson").to_numpy()
    assert cases["beyond_capacity"].to_numpy()[poisson].sum() == POISSON_BEYOND_CAPACITY
    abs_err = 100 * np.abs(pred / cases["measured"].to_numpy() - 1)
    for metric, band in POISSON_BANDS_PCT.items():
        rows = poisson & (cases["metric"] == metric).to_numpy() & ~np.isnan(pred)
        assert rows.sum() >= 2
        assert np.median(abs_err[rows]) <= band, metric


def test_vllm_rocm_profile_on_mi300x_is_scored_in_its_measured_band(validation):
    """vLLM on ROCm (MI300X, fixed-batch latency: AMD's ROCm/vllm dev-docker tables, vLLM
    0.10.0, 32 cases, and Oracle's 405B post, 9 cases). History of the median signed error:
    NVIDIA-calibrated ``vllm`` profile at datasheet peaks -19.4 %; with MI300X's
    microbenchmark ratios (gpus.csv 0.89/0.66) -15.4 % (-12.0 % and -19.9 % by source, worst
    -25.4 %), growing with the decode batch. The ``vllm-rocm`` profile that AMD GPUs now get
    (step_overhead_s 2.3 ms, sequence_layer_overhead_s 0.72 µs, fitted on the 32 dev-docker
    cases only) measured -1.3 % over the 41 (dev-docker +0.1 %, median abs. 2.7 %; held-out
    Oracle -13.1 %), worst -14.4 % (Oracle) and +27.4 % (the most prefill-heavy 405B run).
    With the topology all-reduce (llmcost.perf.collectives) the refit (4.1 ms, 0.67 µs)
    measures -2.6 % over the 41 (dev-docker -0.3 %, median abs. 5.5 %; held-out Oracle
    -17.1 %), worst -20.5 % (Oracle) and +24.2 %.
    If a change moves MI300X predictions, this test says so: move the bands and the report."""
    _, cases, pred = validation
    mlperf = cases["source"].str.startswith(MLPERF_SOURCE_PREFIX).to_numpy()
    rocm = cases["gpu"].isin(ROCM_GPUS).to_numpy() & ~mlperf
    assert rocm.sum() == 41
    signed = 100 * (pred / cases["measured"].to_numpy() - 1)
    assert -5.0 <= np.median(signed[rocm]) <= 1.0  # measured -2.6 %
    oracle = rocm & cases["source"].str.startswith("oracle").to_numpy()
    assert oracle.sum() == 9
    assert -20.0 <= np.median(signed[oracle]) <= -14.0  # measured -17.1 % (held out)
    assert (signed[rocm] > -23.0).all()  # measured worst -20.5 % (was -25.4 % with vllm)
    assert (signed[rocm] < 27.0).all()  # measured worst +24.2 % (was +14.2 % with vllm)


def test_the_rocm_variant_improves_the_held_out_mi300x_cases(validation):
    """Fitted on the ROCm/vllm dev-docker tables only; on the cases it never saw (Oracle's
    405B latencies, MLPerf v4.1 MI300X offline throughput) it must beat the CUDA ``vllm``
    profile on the same GPU, else it should not ship. Measured: Oracle median abs. error
    19.9 -> 13.1 %, MLPerf 18.0 -> 5.0 %."""
    module, cases, pred = validation

    class CudaProfile:  # the catalog, with AMD GPUs marked NVIDIA: vllm keeps its CUDA profile
        def __init__(self, cat):
            self.model_spec, self._cat = cat.model_spec, cat

        def gpu_spec(self, gpu_id):
            return dataclasses.replace(self._cat.gpu_spec(gpu_id), vendor="nvidia")

    # the CUDA vllm profile with the kernels the ROCm overheads were fitted on (0.92 × trtllm;
    # vllm's own calibration since then has other kernels, fitted on CUDA measurements)
    rocm_profile = get_engine_profile("vllm", load_catalog().gpu_spec("mi300x"))
    vllm = get_engine_profile("vllm")
    cuda_profile = dataclasses.replace(
        rocm_profile, name="vllm", step_overhead_s=vllm.step_overhead_s,
        sequence_layer_overhead_s=vllm.sequence_layer_overhead_s,
    )  # fmt: skip
    source = cases["source"]
    for prefix in ("oracle", "mlperf"):
        held_out = (source.str.startswith(prefix) & cases["gpu"].isin(ROCM_GPUS)).to_numpy()
        assert held_out.sum() in (9, 3)
        rows = cases[held_out].reset_index(drop=True)
        cuda = module.predict(rows, CudaProfile(load_catalog()), {"vllm": cuda_profile})
        measured = rows["measured"].to_numpy()
        rocm_err = np.median(np.abs(pred[held_out] / measured - 1))
        assert rocm_err < np.median(np.abs(cuda / measured - 1)) - 0.05


def test_mi300x_microbenchmark_ratios_move_every_case_towards_the_measurement(validation):
    """The ratios only slow MI300X down: no case gets faster, and the median error shrinks."""
    module, cases, pred = validation
    mlperf = cases["source"].str.startswith(MLPERF_SOURCE_PREFIX).to_numpy()
    rocm = cases["gpu"].isin(ROCM_GPUS).to_numpy() & ~mlperf  # latency cases: slower = higher

    class DatasheetPeaks:  # the catalog, with MI300X's ratios reset to 1
        def __init__(self, cat):
            self.model_spec, self._cat = cat.model_spec, cat

        def gpu_spec(self, gpu_id):
            return dataclasses.replace(
                self._cat.gpu_spec(gpu_id), achievable_bandwidth_ratio=1.0,
                achievable_compute_ratio=1.0,
            )  # fmt: skip

    base = module.predict(cases[rocm].reset_index(drop=True), DatasheetPeaks(load_catalog()))
    assert (pred[rocm] >= base - 1e-9).all()
    measured = cases["measured"].to_numpy()[rocm]
    assert np.median(np.abs(pred[rocm] / measured - 1)) < np.median(np.abs(base / measured - 1))


def test_mlperf_llama2_offline_is_scored_in_its_measured_band(validation):
    """MLPerf Inference v4.1/v5.0 Llama 2 70B Offline (closed division; output tokens/s per
    GPU, mean lengths 222.3 in / the run's ~291 out). Measured: the model is optimistic on all
    six. TensorRT-LLM on NVIDIA: H100 TP2x4 (v4.1) +4.6 %, H200 TP1x8 (v4.1) +13.4 %, H100
    PP2x4 (v5.0) +8.1 %. vLLM 0.4.3 on ROCm, MI300X TP1 (v4.1; GPU ratios 0.89/0.66 included):
    +3.3 to +7.7 % with the vllm-rocm profile (held out of its fit; +16.1 to +21.0 % with the
    CUDA vllm profile). Same DGX H100 from
    v4.1 (TP2) to v5.0 (pipeline-parallel PP2): measured +27.7 %, predicted +32.0 %, so the
    parallel split, not hardware, explains the gain. The dataset's lengths dominate the error
    budget: +/-35 % input tokens (150 or 300) move the prediction by +14 % / -12 %."""
    _, cases, pred = validation
    mlperf = cases["source"].str.startswith(MLPERF_SOURCE_PREFIX).to_numpy()
    assert mlperf.sum() == 6
    assert not np.isnan(pred[mlperf]).any()
    signed = 100 * (pred / cases["measured"].to_numpy() - 1)
    nvidia = mlperf & (cases["engine"] == "trtllm").to_numpy()
    rocm = mlperf & cases["gpu"].isin(ROCM_GPUS).to_numpy()
    assert nvidia.sum() == 3
    assert rocm.sum() == 3
    assert -6.0 <= np.median(signed[nvidia]) <= 13.0  # measured -1.8 %
    assert (np.abs(signed[nvidia]) <= 20.0).all()
    assert -1.0 <= np.median(signed[rocm]) <= 7.0  # measured +2.8 %
    assert (np.abs(signed[rocm]) <= 12.0).all()  # measured worst +7.7 %
    # the v4.1 -> v5.0 gain on the same 8x H100 comes from the split (TP2 -> PP2)
    ids = cases["id"].to_numpy()
    v41 = ids == "mlperf-v4.1-llama-2-70b-99.9-nvidia-dgx-h100-h100-sxm-fp8-tp2x4"
    v50 = ids == "mlperf-v5.0-llama-2-70b-99-nvidia-dgx-h100-h100-sxm-fp8-pp2x4"
    measured_gain = float(cases["measured"][v50].iloc[0] / cases["measured"][v41].iloc[0])
    assert measured_gain == pytest.approx(31306.8 / 24524.9)  # summary files, 8 GPUs each
    # predicted 1.37 against the measured 1.28 with the topology all-reduce (refit profile)
    assert float(pred[v50][0] / pred[v41][0]) == pytest.approx(measured_gain, rel=0.09)


def test_fp4_tables_are_within_15_percent(validation):
    """B200/GB200 NVFP4: 17 % median error before the NVFP4 GEMM efficiency, 10 % after."""
    _, cases, pred = validation
    fp4 = (cases["precision"] == "fp4").to_numpy()
    assert fp4.sum() == 80  # 68 + the 12 TensorRT-LLM 1.2 Maverick DEP4 B200/GB200 rows
    assert np.median(np.abs(pred[fp4] / cases["measured"].to_numpy()[fp4] - 1)) <= 0.15


def test_attention_runs_at_the_kv_precision_never_fp4():
    assert attention_precision("fp4", "fp8") == "fp8"
    assert attention_precision("fp8", "fp8") == "fp8"
    assert attention_precision("fp8", "bf16") == "bf16"  # vLLM default: 16-bit KV
    assert attention_precision("fp4", "bf16") == "bf16"
    assert attention_precision("int4", "fp8") == "bf16"  # weight-only: 16-bit activations
    assert attention_precision("fp16", "fp16") == "fp16"


def test_fp4_prefill_chunk_by_hand():
    """1000 prompt tokens on a toy GPU with 400 TFLOP/s FP4 and 200 TFLOP/s FP8, ideal engine."""
    gpu = dataclasses.replace(GPU, fp8_tflops=200.0, fp4_tflops=400.0)
    engine = dataclasses.replace(IDEAL, fp4_gemm_efficiency_ratio=0.56)
    rates = deployment_rates(TINY, gpu, "fp4", "fp8", resolve_split(TINY, 1), engine)
    ctx = layer_context_sum(TINY, 0, 1000) / 1000  # 1001
    t = step_time_s(rates, 0, 0, 1000, ctx)
    # GEMMs: 2 × 31,432,704 × 1000 FLOPs at 0.56 × 400 TFLOP/s = 280.649 µs
    assert float(t.gemm) == pytest.approx(2 * MATMUL_PARAMS * 1000 / (0.56 * 400e12))
    assert float(t.gemm) == pytest.approx(280.649e-6, rel=1e-5)
    # attention: 4 × 8 heads × 128 × 1,001,000 FLOPs at the FP8 (not FP4) 200 TFLOP/s = 20.5 µs
    assert float(t.attention) == pytest.approx(4 * 8 * 128 * 1_001_000 / 200e12)
    # the roofline stays a lower bound: peaks, not the efficiencies
    assert float(t.roofline) == pytest.approx(2 * MATMUL_PARAMS * 1000 / 400e12 + 20.5e-6, rel=1e-3)
    assert float(t.total) >= float(t.roofline)
    # FP8 weights on the same GPU are not slowed: the ratio is NVFP4's alone
    fp8 = deployment_rates(TINY, gpu, "fp8", "fp8", resolve_split(TINY, 1), engine)
    assert fp8.flops_per_s == pytest.approx(200e12)


def test_prefill_wait_by_hand():
    # λ = 2/s, S = 0.3 s, 5 users: ρ = 2 · 0.3 · 4/5 = 0.48; W = 0.48 · 0.3 / (2 · 0.52)
    assert float(prefill_wait_s(2.0, 0.3, 5)) == pytest.approx(0.48 * 0.3 / 1.04)
    assert float(prefill_wait_s(2.0, 0.3, 1)) == 0.0  # a lone user never waits for itself
    # saturated prefill path: capped, finite
    cap = MAX_PREFILL_UTILIZATION
    assert float(prefill_wait_s(100.0, 0.3, 50)) == pytest.approx(cap * 0.3 / (2 * (1 - cap)))
    assert step_residual_s(0.03, [1, 2]).tolist() == [0.0, 0.015]


@settings(max_examples=200, deadline=None)
@given(
    rate=st.floats(0.0, 100.0),
    prefill=st.floats(0.0, 10.0),
    users=st.integers(1, 10_000),
    more=st.floats(1.0, 3.0),
)
def test_prefill_wait_is_finite_nonnegative_and_grows_with_load(rate, prefill, users, more):
    wait = float(prefill_wait_s(rate, prefill, users))
    assert 0.0 <= wait <= MAX_PREFILL_UTILIZATION * prefill / (2 * (1 - MAX_PREFILL_UTILIZATION))
    assert float(prefill_wait_s(rate * more, prefill, users)) >= wait
    assert float(prefill_wait_s(rate, prefill * more, users)) >= wait
    assert float(prefill_wait_s(rate, prefill, users + 1)) >= wait


def test_ttft_grows_with_concurrency_before_the_batch_is_full():
    """A closed loop of C users: below capacity TTFT is the prompt's own prefill plus the wait
    for the step in progress and for other users' prefills; one user waits for nothing."""
    catalog = load_catalog()
    model, gpu = catalog.model_spec("llama-3.3-70b"), catalog.gpu_spec("h100-sxm")
    users = np.array([1.0, 5.0, 25.0, 50.0])
    est = estimate_serving(model, gpu, gpus=2, precision="fp8", input_tokens=5000,
                           output_tokens=500, engine="trtllm", concurrency=users)  # fmt: skip
    assert np.all(est.batch_size == users)  # all below capacity: no slot wait
    assert np.all(np.diff(est.ttft_s) > 0)
    alone = estimate_serving(model, gpu, gpus=2, precision="fp8", input_tokens=5000,
                             output_tokens=500, engine="trtllm", batch=1)  # fmt: skip
    assert est.ttft_s[0] == pytest.approx(float(alone.ttft_s))
    # NIM 1.8.0 measured 407 → 835 ms from 1 to 50 users (validation_latency_concurrency.json)
    assert est.ttft_s[3] / est.ttft_s[0] > 1.5


def test_an_fp4_gpu_spec_without_fp8_still_needs_fp8_for_attention():
    gpu = GpuSpec(
        id="fp4-only", memory_gb=80, hbm_bandwidth_gb_per_s=1000, bf16_tflops=100,
        fp16_tflops=100, fp8_tflops=None, int8_tops=None, fp4_tflops=400,
        interconnect_kind="nvlink", interconnect_gb_per_s=200, pcie_gb_per_s=64, tdp_w=100,
    )  # fmt: skip
    from llmcost._core.errors import UnsupportedPrecisionError

    with pytest.raises(UnsupportedPrecisionError, match="fp8"):
        deployment_rates(TINY, gpu, "fp4", "fp8", resolve_split(TINY, 1), IDEAL)
    # with a 16-bit KV cache, attention runs at the BF16 peak
    rates = deployment_rates(TINY, gpu, "fp4", "bf16", resolve_split(TINY, 1), IDEAL)
    assert rates.attention_flops_per_s == pytest.approx(100e12)
