"""Serving-engine profiles: the few global efficiency factors and memory rules of an engine.

One profile per engine, the same for every model, GPU and workload (no per-case constants).
``trtllm`` is calibrated on NVIDIA's published TensorRT-LLM offline throughput tables
(``benchmarks/data/trtllm_h100_a100.json``; ``benchmarks/accuracy.py`` reports the error);
``vllm`` and ``sglang`` start from the same physics and take their memory rules and their
throughput relative to TensorRT-LLM from published measurements cited in their ``source``.
Users can build their own (``dataclasses.replace(get_engine_profile("vllm"), ...)``) or fit
one to their measurements (:func:`llmcost.perf.fit.fit_engine_profile`).

An engine runs different kernels on ROCm than on CUDA: an engine named by id on an AMD GPU
(``GpuSpec.vendor == "amd"``) gets its ROCm variant from :data:`ROCM_ENGINE_PROFILES` when one
exists (``vllm`` → ``vllm-rocm``); a profile passed as an object is never swapped.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

from .._core.display import plain
from .._core.errors import InvalidInputError, UnknownIdError
from .._core.specs import GpuSpec
from .device import is_large_gpu

__all__ = ["ENGINE_PROFILES", "ROCM_ENGINE_PROFILES", "EngineProfile", "get_engine_profile"]


@dataclass(frozen=True)
class EngineProfile:
    """How efficiently an engine turns the hardware roofline into tokens.

    Attributes
    ----------
    name
        Engine id.
    bandwidth_efficiency
        Share of peak HBM bandwidth the decode kernels reach (weights and KV reads) [0–1].
    compute_efficiency
        Share of dense tensor-core peak the matrix multiplies reach [0–1].
    step_overhead_s
        Fixed time per engine step not hidden behind GPU work (scheduling, launches) [s].
    sequence_overhead_s
        Extra time per running sequence per step (sampling, logits, scheduling) [s].
    sequence_layer_overhead_s
        Extra time per running sequence per decoder layer per step: the fixed cost of each
        sequence's paged-attention work (block tables, softmax reductions, tail blocks) that a
        bytes-and-FLOPs count misses, on a GPU with ``overhead_reference_bandwidth_gb_per_s``
        of achievable memory bandwidth [s].
    moe_efficiency
        Efficiency of grouped expert GEMMs relative to dense GEMMs (many small matrices,
        token permutation) [0–1].
    collective_latency_s
        Latency of one ring step of an all-reduce / one peer of an all-to-all [s].
    interconnect_efficiency
        Share of the GPU-to-GPU link bandwidth collectives reach [0–1].
    memory_utilization
        Share of visible GPU memory the engine may use at all (vLLM
        ``gpu_memory_utilization``, SGLang ``mem_fraction_static``) [0–1].
    reserve_gb_per_gpu
        Fixed memory kept per GPU for the CUDA context, CUDA graphs and workspaces [GB].
    activation_tokens
        Token positions whose activations (fp32 logits over the vocabulary and the MLP's
        gate/up outputs) the engine keeps room for: vLLM profiles a dummy batch of
        ``max_num_batched_tokens``; TensorRT-LLM sizes logits by ``max_batch_size``
        [tokens].
    kv_free_memory_fraction
        Share of the memory left after weights and reserve that becomes KV cache
        (TensorRT-LLM ``kv_cache_free_gpu_mem_fraction``; 1 for engines that size by
        ``memory_utilization``) [0–1].
    max_batch
        Cap on running sequences (``max_num_seqs``, ``max_batch_size``) [sequences].
    max_batched_tokens
        Token budget of one step: the chunked-prefill chunk (``max_num_batched_tokens``,
        ``max_num_tokens``, ``chunked_prefill_size``) [tokens].
    small_gpu_max_batched_tokens, small_gpu_max_batch
        The budget and batch cap the engine defaults to on GPUs that are not "large"
        (:func:`llmcost.perf.device.is_large_gpu`); the budget also caps
        ``activation_tokens`` there [tokens, sequences].
    kv_block_tokens
        Tokens per KV-cache page; a sequence occupies whole pages [tokens].
    reserves_full_sequence_kv
        True when admission reserves KV for input + all output tokens up front (TensorRT-LLM
        ``GUARANTEED_NO_EVICT``); False when KV grows on demand (vLLM, SGLang), so the running
        batch holds sequences at their average length.
    fp8_kv_with_fp8_weights
        Default KV cache precision is FP8 when weights are FP8/FP4 (TensorRT-LLM); otherwise
        the KV cache stays 16-bit unless asked.
    exploits_chunked_attention
        True when the engine caps Llama 4 chunked-attention layers' KV at the chunk size.
    prefill_shares_decode_step
        True when a step carries prompt tokens and the running sequences' next tokens together
        (one weight read; TensorRT-LLM in-flight batching, vLLM V1's chunked prefill); False
        when a prefill is its own forward pass and the running sequences wait for it (SGLang
        without ``--enable-mixed-chunk``; vLLM V0 with chunked prefill off).
    prefill_layer_launch_s
        CPU time to launch one decoder layer of a forward pass that carries prompt tokens and
        is not replayed from a CUDA graph (engines capture decode batches only): such a pass
        takes at least ``layers per stage ×`` this, the GPU idling while the host enqueues
        kernels (0: the host keeps ahead, as TensorRT-LLM's C++ runtime) [s].
    fp4_gemm_efficiency_ratio
        Efficiency of NVFP4 GEMMs (activations quantized to FP4 on the fly, one FP8 scale per
        16 values) relative to ``compute_efficiency``: the share of the FP4 peak they reach is
        lower than the share of the FP8/16-bit peaks [0–1].
    overhead_reference_bandwidth_gb_per_s
        Achievable memory bandwidth (datasheet × ``achievable_bandwidth_ratio``) of the GPU
        ``sequence_layer_overhead_s`` was fitted on: that work is small memory-bound kernels, so
        on a GPU with bandwidth ``W`` it takes ``sequence_layer_overhead_s × reference / W``
        (None: the same time on every GPU) [GB/s].
    overlap_schedule
        True when the scheduler launches the next step before it processes the last one's
        results (SGLang's overlap scheduler, on by default since sgl-project/sglang PR 2067,
        2024-11-19; TensorRT-LLM's PyTorch backend since NVIDIA/TensorRT-LLM PR 4174): a prompt
        arriving while other sequences run is admitted one step late, behind the decode step
        already launched, so its first token comes one decode step later (TensorRT-LLM docs,
        "Overlap Scheduler": "introduces one extra decoding step"). False: the prompt joins
        the next step.
    source
        Where each number comes from.
    """

    name: str
    bandwidth_efficiency: float
    compute_efficiency: float
    step_overhead_s: float
    sequence_overhead_s: float
    sequence_layer_overhead_s: float
    moe_efficiency: float
    collective_latency_s: float
    interconnect_efficiency: float
    memory_utilization: float
    reserve_gb_per_gpu: float
    activation_tokens: int
    kv_free_memory_fraction: float
    max_batch: int
    max_batched_tokens: int
    small_gpu_max_batched_tokens: int
    small_gpu_max_batch: int
    kv_block_tokens: int
    reserves_full_sequence_kv: bool
    fp8_kv_with_fp8_weights: bool
    exploits_chunked_attention: bool
    prefill_shares_decode_step: bool = True
    prefill_layer_launch_s: float = 0.0
    fp4_gemm_efficiency_ratio: float = 0.56
    overhead_reference_bandwidth_gb_per_s: float | None = None
    overlap_schedule: bool = False
    source: str = ""

    def __post_init__(self) -> None:
        for name in (
            "bandwidth_efficiency",
            "compute_efficiency",
            "interconnect_efficiency",
            "moe_efficiency",
            "memory_utilization",
            "kv_free_memory_fraction",
            "fp4_gemm_efficiency_ratio",
        ):
            value = getattr(self, name)
            if not 0.0 < value <= 1.0:
                raise InvalidInputError(f"{name} must be in (0, 1]; got {value!r}")
        for name in (
            "step_overhead_s",
            "sequence_overhead_s",
            "sequence_layer_overhead_s",
            "collective_latency_s",
            "reserve_gb_per_gpu",
            "prefill_layer_launch_s",
        ):
            value = getattr(self, name)
            if not value >= 0.0:
                raise InvalidInputError(f"{name} must be ≥ 0; got {value!r}")
        for name in (
            "max_batch",
            "max_batched_tokens",
            "small_gpu_max_batched_tokens",
            "small_gpu_max_batch",
            "kv_block_tokens",
        ):
            value = getattr(self, name)
            if not value >= 1:
                raise InvalidInputError(f"{name} must be ≥ 1; got {value!r}")
        ref = self.overhead_reference_bandwidth_gb_per_s
        if ref is not None and not ref > 0.0:
            raise InvalidInputError(
                f"overhead_reference_bandwidth_gb_per_s must be > 0 or None; got {ref!r}"
            )
        if not self.activation_tokens >= 0:
            raise InvalidInputError(f"activation_tokens must be ≥ 0; got {self.activation_tokens}")

    def for_gpu(self, gpu: GpuSpec) -> EngineProfile:
        """The profile as the engine configures itself by default on ``gpu``."""
        if is_large_gpu(gpu):
            return self
        small = self.small_gpu_max_batched_tokens
        return replace(
            self,
            max_batched_tokens=small,
            max_batch=self.small_gpu_max_batch,
            activation_tokens=min(self.activation_tokens, small),
        )

    def as_dict(self) -> dict[str, object]:
        """The profile's fields as a plain dict (for a result's basis)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


_TRTLLM = EngineProfile(
    name="trtllm",
    bandwidth_efficiency=0.80,
    compute_efficiency=0.64,
    step_overhead_s=1.0e-3,
    sequence_overhead_s=0.0,
    sequence_layer_overhead_s=0.52e-6,
    overhead_reference_bandwidth_gb_per_s=3350.0,
    moe_efficiency=0.63,
    collective_latency_s=5.0e-6,
    interconnect_efficiency=0.39,
    memory_utilization=1.0,
    reserve_gb_per_gpu=5.7,
    activation_tokens=0,
    kv_free_memory_fraction=0.90,
    max_batch=2048,
    max_batched_tokens=8192,
    small_gpu_max_batched_tokens=8192,
    small_gpu_max_batch=2048,
    kv_block_tokens=64,
    reserves_full_sequence_kv=True,
    fp8_kv_with_fp8_weights=True,
    exploits_chunked_attention=False,
    source=(
        "Fitted (least absolute log error, scipy Nelder-Mead; benchmarks/accuracy.py) to "
        "NVIDIA TensorRT-LLM perf-overview offline max-throughput tables, v0.14.0 and v1.0 "
        "editions (156 cases: Llama 3.1 8B/70B/405B, 3.3 70B, 4 Scout/Maverick; H100 SXM and "
        "A100 SXM; FP16/FP8; TP1-8): bandwidth_efficiency, compute_efficiency, "
        "sequence_layer_overhead_s, reserve_gb_per_gpu, moe_efficiency, refitted with the "
        "topology collectives (llmcost.perf.collectives; fitted 0.804, 0.637, 0.52 µs, "
        "5.75 GB, 0.593; calibration median 11.8 %); interconnect_efficiency kept at 0.39 from "
        "the earlier ring-model fit (refitting it too drives it to 0.23 and the out-of-sample "
        "median to 13.9 %: see llmcost.perf.speed, Known limits) "
        "(MoE: v1.0 Scout/Maverick rows only; moe_efficiency refitted alone to 0.627 on those "
        "15 rows once the grouped GEMM became its own kernel with tile padding and rank "
        "imbalance, llmcost.perf.moe). interconnect_efficiency 0.39 = all-reduce bus "
        "bandwidth ≈ 175 of 450 GB/s per direction, what NCCL reaches on H100 NVLink for the "
        "1-20 MB messages of a decode step (it needs ≳ 100 MB for 360+ GB/s); with NVLS on "
        "HGX H100/H200/B200 (llmcost.perf.collectives) that is the whole message at 175 GB/s. "
        "sequence_layer_overhead_s was fitted at the H100 SXM's 3,350 GB/s and scales with a "
        "GPU's achievable HBM bandwidth (overhead_reference_bandwidth_gb_per_s; not refitted: "
        "validation median 10.5 -> 9.5 %, docs/concepts/collectives-and-load.md). "
        "Priors, not fitted: 5 µs per synchronisation/hop (a small-message all-reduce, 2 of "
        "them, takes 6-15 µs on 8x H100: one-shot kernels in pytorch/pytorch PR #114001 and "
        "issue #131739, NVLS ~6 µs in NVIDIA/nccl issue #1259, 7.2 µs for SGLang's custom "
        "all-reduce at TP4 in sgl-project/sglang PR #6619; 3-7 µs give the same benchmark "
        "figures within 1 point), 1 ms per step. Fixed from the engine's documented defaults: "
        "kv_cache_free_gpu_mem_fraction 0.9, max_num_tokens 8192 (its activations sit inside "
        "the fitted reserve), max_batch_size 2048, tokens_per_block 64, GUARANTEED_NO_EVICT "
        "scheduling, FP8 KV cache with FP8 quantization (perf-overview: 'If you specify FP8 "
        "quantization, the KV cache will automatically be set to FP8'). Llama 4 "
        "chunked-attention layers are not assumed to save KV memory (no published evidence; "
        "the calibration contexts are all shorter than the 8192-token chunk). "
        "fp4_gemm_efficiency_ratio 0.56, measured, not fitted: on Blackwell, vLLM's CUTLASS NVFP4 "
        "GEMM (activation quantization included) ran 3,039 TFLOP/s against 1,360 for BF16 at "
        "M=16384, N=6144, K=4096 (vllm-project/vllm PR #20646), i.e. 3,039/9,000 = 34 % of the "
        "B200 FP4 peak vs 1,360/2,250 = 60 % of the BF16 peak; 0.34/0.60 = 0.56. Out of sample it "
        "takes the v1.0 B200/GB200 FP4 tables (benchmarks/validation.py) from 17 % to 10 % median "
        "error. Out of sample (benchmarks/validation.py: 269 published cases on H200, B200, GB200, "
        "A100 PCIe, L40S, NIM TTFT/TPOT at 1-250 users, older engine versions; nothing fitted): "
        "median 11.5 % absolute error. Offline rows are scored as the finite runs they were "
        "(each table's num_requests, llmcost.perf.batchjob); the factors above were fitted "
        "before that; a refit with it moves each efficiency factor by ≤ 0.01 and the reserve by "
        "0.03 GB (median 11.0 → 10.9 %), so they were kept."
    ),
)


def _scaled(
    base: EngineProfile, decode: float, prefill: float, **changes: object
) -> EngineProfile:
    """Return ``base`` with its kernel efficiencies scaled and other fields changed.

    Bandwidth efficiency × ``decode``, compute efficiency × ``prefill``.
    """
    return replace(
        base,
        bandwidth_efficiency=base.bandwidth_efficiency * decode,
        compute_efficiency=base.compute_efficiency * prefill,
        **changes,  # type: ignore[arg-type]
    )


#: The engines' own calibration (benchmarks/engine_calibration.py, split in
#: benchmarks/engine_split.toml): fitted on the SGLang team's SGLang v0.3.0 / vLLM v0.6.0 tables
_CALIBRATION_SOURCE = (
    "Kernels fitted on the engine's own published numbers (benchmarks/engine_calibration.py; "
    "fit and validation files named in benchmarks/engine_split.toml): the fit set is the SGLang "
    "team's SGLang v0.3.0 vs vLLM v0.6.0 tables (sgl-project/sglang@120affb "
    "benchmark/benchmark_vllm_060/README.md, September 2024: Llama 3.1 8B on 1x A100 80GB and "
    "70B on 4x H100, ShareGPT, offline throughput and median TTFT/TPOT at 4 and 8 req/s "
    "Poisson), three parameters per engine, least mean absolute log error, each metric "
    "weighted alike: a decode factor on the trtllm bandwidth efficiency, a prefill factor on "
    "its compute efficiency, and prefill_layer_launch_s, the host time per decoder layer of a "
    "forward pass that carries prompt tokens (those run eagerly in PyTorch: CUDA graphs are "
    "captured for decode batches only)."
)


_VLLM = _scaled(
    _TRTLLM,
    0.77,
    0.92,
    name="vllm",
    prefill_layer_launch_s=0.34e-3,
    sequence_overhead_s=10e-6,
    memory_utilization=0.90,
    reserve_gb_per_gpu=0.5,
    activation_tokens=8192,
    kv_free_memory_fraction=1.0,
    max_batch=1024,
    max_batched_tokens=8192,
    small_gpu_max_batched_tokens=2048,
    small_gpu_max_batch=256,
    kv_block_tokens=16,
    reserves_full_sequence_kv=False,
    fp8_kv_with_fp8_weights=False,
    exploits_chunked_attention=True,
    source=(
        _CALIBRATION_SOURCE
        + " vllm: decode 0.77, prefill 0.92 (bandwidth_efficiency 0.62, compute_efficiency "
        "0.59), 0.34 ms per prefill layer; fit set TPOT median 1.9 %, offline throughput 11 %; "
        "held out (vLLM 0.6.3 2x H100 offline; vLLM CI 8B batch-8 latency on A100 and H200; a "
        "single-user A100 40GB decode): +36 %, +9 % / +2 %, -24 %, in opposite directions "
        "(median 16.5 % over the 4, against 13.0 % with the prior factors: the fit does not carry "
        "over to these few held-out rows). "
        "The fit runs are V0 (multi-step scheduling, chunked prefill off, so each prefill is "
        "a step of its own: they are modelled so); the current V1 engine mixes prefill into "
        "the decode step (prefill_shares_decode_step) and replays piecewise CUDA graphs, so "
        "its launch cost may be lower: no V1 latency-under-load measurement was found to "
        "check. The prior before this fit was 0.92 x trtllm for both factors (relative "
        "claims: vLLM v0.6.0 4,132 vs SGLang 4,282 output tok/s, benchmark_vllm_060). "
        "Other physics and overheads: the trtllm profile's. vLLM on ROCm (MI300X; ROCm/vllm "
        "dev-docker tables, vLLM 0.10.0, and Oracle's 2024 405B post; 41 fixed-batch latency "
        "cases) ran 19 % slower than predicted at datasheet peaks; the GPU's measured "
        "achievable bandwidth/compute ratios (gpus.csv, from microbenchmarks) bring that to "
        "-15 % (median), the rest growing with decode batch: an engine-side cost, fitted in "
        "the vllm-rocm profile that AMD GPUs get (see its source). 10 µs per sequence-step of "
        "Python scheduling/sampling (vLLM v0.6.0 blog: CPU overhead was the bottleneck that "
        "multi-step scheduling hides). Memory: gpu_memory_utilization 0.9 (default); "
        "activations for 8192 batched tokens (fp32 logits + MLP gate/up) = 4.35 GiB for Llama "
        "3.1 8B against 4.76 GiB peak measured on H100, plus 0.5 GB CUDA context/non-torch "
        "(0.13-0.55 GiB measured) (llm-d/llm-d-benchmark "
        "config_explorer/empirical-vllm-memory-results.md); max_num_seqs 1024 and "
        "max_num_batched_tokens 8192 (256 and 2048 on GPUs under 70 GiB and A100s), "
        "block_size 16 (V1 API-server defaults, EngineArgs.get_batch_defaults); KV cache "
        "dtype 'auto' = model dtype; KV allocated on demand; hybrid KV-cache manager keeps "
        "only the attention chunk for Llama 4 local layers (vLLM blog 2025-04-05, Llama 4)."
    ),
)

_SGLANG = _scaled(
    _TRTLLM,
    0.79,
    0.74,
    name="sglang",
    prefill_layer_launch_s=0.51e-3,
    sequence_overhead_s=10e-6,
    memory_utilization=0.88,
    reserve_gb_per_gpu=1.0,
    activation_tokens=0,
    kv_free_memory_fraction=1.0,
    max_batch=4096,
    max_batched_tokens=8192,
    small_gpu_max_batched_tokens=2048,
    small_gpu_max_batch=4096,
    kv_block_tokens=1,
    reserves_full_sequence_kv=False,
    fp8_kv_with_fp8_weights=False,
    exploits_chunked_attention=False,
    prefill_shares_decode_step=False,
    overlap_schedule=True,
    source=(
        _CALIBRATION_SOURCE
        + " sglang: decode 0.79, prefill 0.74 (bandwidth_efficiency 0.63, compute_efficiency "
        "0.47), 0.51 ms per prefill layer; fit set median TTFT 1.9 %, TPOT 2.9 %, offline 10 %; "
        "held out (DataCrunch, SGLang on 4x/8x H200, December 2024; SGLang main on 2x H100, "
        "SGLang issue 1639): ITL 7.3 %, TPOT 3.1 %, offline 13 % (model low), TTFT 35 % (model "
        "low: the same 70B TP4 ShareGPT runs measured 22-27 % higher TTFT on H200 than the fit "
        "set did on H100, which a faster GPU cannot cause) before the overlap scheduler "
        "(overlap_schedule: on by default from sgl-project/sglang PR 2067, 2024-11-19, the "
        "maintainer: TTFT is higher 'because we delayed the processing of the first batch in "
        "favor of launching the kernels for the next batch first'; the fit set's v0.3.0 runs "
        "predate it and are scored with it off, DataCrunch's lmsysorg/sglang:latest of "
        "December 2024 has it): 10.4 % with it (benchmarks/engine_calibration.py --shipped). "
        "Prefill runs as its own forward pass, the running batch waiting "
        "(prefill_shares_decode_step False: --enable-mixed-chunk is off by default, "
        "sgl-project/sglang server_args.py). Before this fit: 0.93 x trtllm for both factors "
        "(3-4 % above vLLM v0.6.0 offline, "
        "benchmark_vllm_060). 10 µs per sequence-step of scheduling, as vLLM. "
        "Memory: mem_fraction_static ≈ 0.88 on 80 GB GPUs (same README: 0.88 at TP1, 0.85 at "
        "TP4) already leaves activation room, so a 1 GB reserve; token-granular radix KV "
        "(page size 1), on-demand allocation; chunked_prefill_size 8192 on H100-class GPUs "
        "and 2048 on smaller ones; max_running_requests sized from memory (cap 4096 here); Llama 4 "
        "chunked-attention KV savings not assumed (hybrid SWA memory is opt-in)."
    ),
)

_VLLM_ROCM = replace(
    _VLLM,
    name="vllm-rocm",
    # kernels as when its two overheads were fitted (0.92 x trtllm); no launch floor there
    bandwidth_efficiency=_TRTLLM.bandwidth_efficiency * 0.92,
    compute_efficiency=_TRTLLM.compute_efficiency * 0.92,
    prefill_layer_launch_s=0.0,
    step_overhead_s=4.1e-3,
    sequence_layer_overhead_s=0.67e-6,
    overhead_reference_bandwidth_gb_per_s=5300.0 * 0.89,  # fitted on MI300X (gpus.csv)
    source=(
        "vLLM on ROCm (AMD Instinct): the vllm profile (kernels, memory rules, defaults) with a "
        "larger per-step cost and per-sequence-layer cost, both fitted (least absolute log "
        "error, scipy Nelder-Mead) on the 32 ROCm/vllm dev-docker latency cases ONLY "
        "(ROCm/vllm@040de12 docs/dev-docker/README.md: vLLM 0.10.0 V1 + AITER on ROCm 6.4.1, "
        "benchmark_latency.py, Llama 3.1 70B/405B FP8 TP8 on 8x MI300X, 128 or 2048 in / 2048 "
        "out, batch 1-128), with MI300X's achievable ratios (gpus.csv 0.89/0.66) applied: "
        "step_overhead_s 4.1 ms (vllm: 1.0 ms) and sequence_layer_overhead_s 0.67 µs. Refitted "
        "with the topology collectives (one-shot/two-shot all-reduce over the xGMI mesh, "
        "llmcost.perf.collectives; they were 2.3 ms / 0.72 µs with ring-only all-reduces, "
        "whose 2(n−1) latencies per all-reduce carried part of the per-step cost): fit set "
        "median 5.4 % (signed 0.0 %), held out Oracle 17.0 % (signed −17.0 %), MLPerf MI300X "
        "+2.7 %; the figures below are those of the earlier fit. Why these two: at batch 1 "
        "both models ran ~1.2 ms per step slower than predicted (70B 8.4 vs 7.2 ms, 405B "
        "23.7 vs 22.5 ms per token), a fixed per-step cost independent of model size; the "
        "rest grew with the decode batch (128/2048: -14 % at "
        "batch 1 to -25 % at 64-128), i.e. with the per-sequence work of each layer's paged "
        "attention. Fitting both on the 70B rows alone gives 2.32 ms / 0.72 µs and takes "
        "the 405B rows from -5.4 to +0.4 % median signed error. Fit set: median absolute "
        "error 13.7 -> 2.7 %, median signed -12.0 -> +0.1 %. Held out (not fitted): Oracle "
        "OCI 405B FP8 TP8 128/128, batch 1-256 (2024-10-10 post, older vLLM V0): 19.9 -> "
        "13.1 % (signed -19.9 -> -13.1 %); MLPerf Inference v4.1 Llama 2 70B Offline, 1x "
        "MI300X, vLLM 0.4.3 (3 cases): +18.0 -> +5.0 % output tokens/s. Worse: prefill-heavy "
        "runs at large batch (2048/2048 at batch 32-128: +8 to +27 % too slow, at most +14 % "
        "before), likely a prefill the model makes too slow on MI300X; not modelled. Published "
        "context, not fitted numbers: ROCm decode attention is its own kernel family, and its "
        "choice moves end-to-end results (vllm-project/vllm PR #8310 ROCm custom paged "
        "attention for MI300; PR #15720 ROCm paged attention in V1: Llama 70B ShareGPT "
        "benchmark 96.75 -> 91.33 s against upstream's Triton decode kernel); ROCm kernel "
        "launch/CPU overhead (ROCm docs 'vLLM V1 performance optimization': "
        "HIP_FORCE_DEV_KERNARG=1 'improves kernel launch performance'; ROCm/clr issue #78; "
        "sgl-project/sglang issue #1857: TP8 scheduling overhead on AMD). No ROCm variant "
        "for sglang (no SGLang-on-ROCm measurement in the validation set; its ROCm attention "
        "backends differ from vLLM's) nor trtllm (CUDA only)."
    ),
)

ENGINE_PROFILES: dict[str, EngineProfile] = {p.name: p for p in (_VLLM, _SGLANG, _TRTLLM)}

#: Engine id → the profile it runs with on AMD GPUs (ROCm); engines not listed keep theirs.
ROCM_ENGINE_PROFILES: dict[str, EngineProfile] = {"vllm": _VLLM_ROCM}


def get_engine_profile(engine: str | EngineProfile, gpu: GpuSpec | None = None) -> EngineProfile:
    """Return the profile named ``engine`` (or ``engine`` itself if it already is one).

    With ``gpu`` from an AMD vendor, an engine id with a ROCm variant
    (:data:`ROCM_ENGINE_PROFILES`) returns that variant; a profile object is returned as is.

    >>> get_engine_profile("trtllm").name
    'trtllm'
    """
    if isinstance(engine, EngineProfile):
        return engine
    if not isinstance(engine, str):
        raise InvalidInputError(
            f"engine must be an engine id ({', '.join(ENGINE_PROFILES)}) or an EngineProfile; "
            f"got {plain(engine)}"
        )
    try:
        profile = ENGINE_PROFILES[engine]
    except KeyError:
        raise UnknownIdError("engine", str(engine), ENGINE_PROFILES) from None
    if gpu is not None and gpu.vendor == "amd":
        return ROCM_ENGINE_PROFILES.get(engine, profile)
    return profile
