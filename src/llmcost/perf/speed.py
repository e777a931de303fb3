"""Step times of one engine step on one GPU of a deployment.

How long one engine step takes for a batch of decoding sequences plus a chunk of prefill tokens.

One step of one GPU (a pipeline stage of a tensor-parallel group of an expert-parallel rank) is

    t = max(weight bytes read / BW, matmul FLOPs / peak)          (GEMMs: weights vs compute)
      + max(KV bytes read / BW, attention FLOPs / peak)           (attention: KV vs compute)
      + collectives (TP all-reduce, EP all-to-all, PP send)        (interconnect)
      + step overhead + per-sequence overhead × sequences          (engine)

(the per-sequence-layer part of the overhead at this GPU's memory bandwidth:
:func:`sequence_layer_overhead_s`)

with BW = HBM bandwidth × achievable_bandwidth_ratio × bandwidth_efficiency and peak = dense
tensor peak × achievable_compute_ratio × compute_efficiency: the weight precision's peak for the
GEMMs (× ``fp4_gemm_efficiency_ratio`` for NVFP4, whose kernels reach a smaller share of their
peak), the attention precision's for attention (:func:`attention_precision`: FP8 only with an
FP8 KV cache, never FP4, else 16-bit). GEMMs and attention are separate kernels, so their times
add; each is bounded by the slower of its memory traffic and its arithmetic (a per-kernel
roofline). The engine efficiencies were calibrated on H100 SXM / A100 SXM and so contain those
GPUs' achievable shares of their datasheet peaks; a GPU's ``achievable_*_ratio``
(:class:`~llmcost._core.specs.GpuSpec`: its microbenchmark share ÷ the H100's, 1 without a
measured difference; MI300X and MI325X carry theirs in data/pricing/gpus.csv) rescales them to
its own; ratio × efficiency is capped at 1, so no effective rate exceeds its datasheet peak.
``roofline`` stays at the datasheet peaks.

- Matmul FLOPs = 2 × active matmul parameters per token (Kaplan et al. 2020, "Scaling Laws",
  C_forward ≈ 2N); attention FLOPs per token at context p = 4 × heads × head_dim × p per layer
  (QKᵀ and AV, 2 FLOPs per MAC), with p capped at the chunk on Llama 4's local layers.
- MoE (:mod:`llmcost.perf.moe`): a step of T tokens, each routed to k of E experts, reads the
  weights of the distinct experts hit: E × (1 − (1 − k/E)^T) in expectation (uniform routing).
  Shared experts run on every token like a dense MLP (in the fixed weights and dense FLOPs).
  The routed experts are a separate grouped GEMM, ``max(expert bytes / BW, expert FLOPs /
  peak) / moe_efficiency``, whose FLOPs are those of the busiest expert-parallel rank
  (:func:`~llmcost.perf.moe.rank_imbalance`) with each expert's tokens rounded up to whole MMA
  tiles (:func:`~llmcost.perf.moe.padded_tokens_per_expert`).
- TP all-reduce, twice per layer (after attention and after the MLP), by the fastest algorithm
  the link topology allows for the message, as engines choose (ring, one-shot, two-shot, NVLS;
  :func:`llmcost.perf.collectives.all_reduce_s`). Link bandwidth: NVLink/xGMI aggregate per
  GPU ÷ 2 (vendors quote both directions); PCIe likewise from ``pcie_gb_per_s``, ring only. On a
  full mesh (xGMI) a group of n GPUs uses n − 1 of the GPU's peer links.
- EP all-to-all, twice per MoE layer (dispatch, combine): the tokens' hidden states leaving the
  rank, (ep−1)/ep of them, times the busiest rank's imbalance, plus one latency per peer.

Known limits (tested against ``benchmarks/accuracy.py`` / ``validation.py``, not modeled):

- Llama 4 Maverick under expert parallelism with attention data parallelism is still
  over-predicted by 50-70 % on 8× H200/B200 at 128/128 and 2048/128, and by 32-38 % on H200 at
  5000/500 and 20000/2000 (short or prefill-heavy runs); the 35-50 % over-prediction of its
  longer runs was the finite run length (:mod:`llmcost.perf.batchjob`). Rejected: an
  attention-DP straggler term (every step as slow as a rank carrying a prefill chunk, with
  probability 1 − (1 − f)^ep for independent ranks; the imbalance TensorRT-LLM's ADP-balance
  blog describes): it fixes those two but under-predicts 1000/1000 to 20000/2000 by 25-48 %,
  since identical requests keep the ranks in step. Not separable with these tables: routing
  skew on random-token prompts, grouped-GEMM efficiency in prefill.
- trtllm-bench's per-dataset limits are not the cause of either error below or above.
  NVIDIA/TensorRT-LLM tensorrt_llm/bench/build/tuning.py@04cba88 sets max_batch_size to the
  requests whose input + output KV fit in 0.95 × (GPU memory − params × bytes/param), rounded
  up (≥ 64, ≤ 4096, ÷ PP), and max_num_tokens to that × (1 + ISL/OSL), rounded up (2048 to
  32768). That cap is rounded up from a larger KV budget than this model's, so it never
  binds (it only lifts the fixed 2048 at 128/128: 70B TP8 FP8 −39.4 → −38.8 %), and the
  steady state does not depend on the step budget (a larger chunk makes fewer, proportionally
  longer mixed steps; checked to 1e-12); the budget moves finite runs only (their small last
  wave). Tried as the trtllm profile's
  max-throughput limits: calibration median 11.0 → 12.1 %, validation trtllm-v0.14/v1.0
  median 11.6 → 11.7 %; Llama 3.1 70B TP8 rows move ≤ 1 point (except 20000/2000, worse),
  Maverick H200/B200 128/128 and 2048/128 stay +52 to +66 %. Not kept.
- Llama 3.1 70B at TP4/TP8 on H100/A100 (calibration tables): decode-heavy rows (128/2048,
  128/4096, 500/2000, 2048/2048) are over-predicted by 20-85 %, FP16 most, with the all-reduce
  bytes of FP8; the ring-only all-reduce of earlier versions (2(n−1) latencies, ring traffic
  everywhere) hid part of that, at the price of H200 TP8 rows at −31 % (median, 0.58-0.88× of
  measured) and 405B H200 TP8 at −17 %. Refitting every trtllm factor with the topology
  collectives drives interconnect_efficiency to 0.23 (calibration median 11.0 %, validation
  13.9 %), i.e. the calibration set asks for a collective cost the H200 tables contradict on
  the same NVLink 4 fabric, so the decode-heavy excess is something else (not separable here:
  attention-kernel efficiency at 16-bit KV, batch-size limits of the v0.14 engines). The H200
  TP8 under-prediction was mostly not the all-reduce: with free collectives the model still
  read 0.87 of measured at 128/128, and H200 ran 1.27-1.52× the H100 on the same fabric; the
  per-sequence-layer overhead now scales with memory bandwidth
  (:func:`sequence_layer_overhead_s`), which takes H200 TP8 from -17.6 to -8.7 % median signed
  error but under-predicts the GDDR6 L40S by 9-15 % (docs/concepts/collectives-and-load.md).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from .._core._arrays import FloatArray
from .._core.specs import COMPUTE_PRECISION, GpuSpec, ModelSpec
from .._core.units import BYTES_PER_ELEMENT, BYTES_PER_GB, FLOPS_PER_TFLOP
from .collectives import all_reduce_s, all_to_all_s
from .engines import EngineProfile
from .kv import kv_cache_bytes_per_sequence, kv_heads_share_per_gpu
from .moe import mma_tile_tokens, padded_tokens_per_expert, rank_imbalance
from .parallel import ParallelSplit
from .params import param_breakdown
from .weights import weight_bytes

__all__ = [
    "DeploymentRates",
    "StepTime",
    "attention_precision",
    "deployment_rates",
    "expected_distinct_experts",
    "layer_context_sum",
    "sequence_layer_overhead_s",
    "step_time_s",
]

_ACTIVATION_BYTES = BYTES_PER_ELEMENT["bf16"]  # hidden states exchanged between GPUs


def attention_precision(precision: str, kv_precision: str) -> str:
    """Precision the attention matmuls (QKᵀ, AV) run at for weights at ``precision``.

    Attention multiplies activations by the KV cache, not by weights, so weight-only and
    block-scaled formats do not apply: FP8 attention kernels (TensorRT-LLM FP8 FMHA/XQA) need
    FP8 weights-and-activations *and* an FP8 KV cache; FP4 (NVFP4) checkpoints attend in FP8
    at best (there is no FP4 attention kernel in TensorRT-LLM, vLLM or SGLang); everything else
    attends in 16-bit.

    >>> attention_precision("fp4", "fp8"), attention_precision("fp8", "bf16")
    ('fp8', 'bf16')
    """
    if kv_precision == "fp8" and COMPUTE_PRECISION[precision] in ("fp8", "fp4"):
        return "fp8"
    return "fp16" if precision == "fp16" else "bf16"


def expected_distinct_experts(
    num_experts: int, experts_per_token: int, tokens: ArrayLike
) -> FloatArray:
    """Expected number of distinct experts hit by ``tokens`` tokens.

    Each token picks ``experts_per_token`` of ``num_experts`` uniformly: E × (1 − (1 − k/E)^T).

    >>> float(expected_distinct_experts(16, 1, 1))
    1.0
    >>> round(float(expected_distinct_experts(16, 1, 1000)), 3)
    16.0
    """
    t = np.asarray(tokens, dtype=np.float64)
    if num_experts == 0:
        return np.zeros_like(t)
    return np.asarray(num_experts * (1.0 - (1.0 - experts_per_token / num_experts) ** t))


def _positions_sum(n: FloatArray, chunk: float | None) -> FloatArray:
    """Σ_{p=1..n} min(p, chunk) (chunk None: no cap)."""
    full = n * (n + 1.0) / 2.0
    if chunk is None:
        return full
    capped = chunk * (chunk + 1.0) / 2.0 + (n - chunk) * chunk
    return np.where(n <= chunk, full, capped)


def layer_context_sum(model: ModelSpec, start: ArrayLike, end: ArrayLike) -> FloatArray:
    """Σ over layers and over query positions start+1..end of the attended context [tokens].

    Global layers attend to all p previous tokens, chunked layers to at most the chunk.
    Attention FLOPs of those queries = 4 × heads × head_dim × this sum.

    >>> from llmcost._core.specs import ModelSpec
    >>> m = ModelSpec(id="m", hidden_size=8, num_layers=2, num_attention_heads=2,
    ...     num_kv_heads=1, head_dim=4, vocab_size=10, intermediate_size=16,
    ...     tie_word_embeddings=True, max_context_tokens=64, params_total_official=0,
    ...     params_active_official=0)
    >>> float(layer_context_sum(m, 0, 3))  # 2 layers × (1 + 2 + 3)
    12.0
    """
    s = np.asarray(start, dtype=np.float64)
    e = np.asarray(end, dtype=np.float64)
    n_global = model.num_global_attention_layers
    n_local = model.num_layers - n_global
    chunk = model.attention_chunk_tokens
    total = n_global * (_positions_sum(e, None) - _positions_sum(s, None))
    if n_local:
        total = total + n_local * (_positions_sum(e, chunk) - _positions_sum(s, chunk))
    return np.asarray(total)


def _decode_layer_context(model: ModelSpec, context: FloatArray) -> FloatArray:
    """Σ over layers of the context one decoded token attends to [tokens]."""
    return np.asarray(layer_context_sum(model, context - 1.0, context))


@dataclass(frozen=True)
class DeploymentRates:
    """Per-GPU quantities of a deployment that step times need (arrays broadcast over splits)."""

    model: ModelSpec
    split: ParallelSplit
    kv_precision: str
    fixed_read_bytes: FloatArray  # non-expert weights + LM head read every step, per GPU
    expert_bytes_each: FloatArray  # one routed expert of one MoE layer, per GPU
    experts_per_gpu: FloatArray
    moe_layers_per_stage: FloatArray
    matmul_flops_per_token: FloatArray  # per GPU, per token of its rank
    expert_flops_per_token: FloatArray  # the routed-expert part of it
    expert_flops_each: FloatArray  # one routed expert of one MoE layer, per GPU, per token
    mma_tile_tokens: float  # M extent of the GPU's MMA instruction (grouped-GEMM padding)
    attention_flops_per_context: FloatArray  # per GPU, × layer-context sum
    bandwidth_bytes_per_s: float  # effective
    flops_per_s: float  # effective, GEMMs
    attention_flops_per_s: float  # effective, attention matmuls
    link_bytes_per_s: float  # effective, one direction
    direct_links: bool  # every GPU reaches every peer directly (NVLink/NVSwitch, xGMI)
    nvls: bool  # the switch reduces in the network (NVLink SHARP)
    mesh_peers: int  # peer links of a full mesh (xGMI: 7 on 8 GPUs); 0 for a switch or PCIe
    peak_bandwidth_bytes_per_s: float
    sequence_layer_overhead_s: float  # the engine's, at this GPU's memory bandwidth
    peak_flops_per_s: float
    peak_attention_flops_per_s: float
    engine: EngineProfile

    def kv_read_bytes_per_sequence(self, context: ArrayLike) -> FloatArray:
        """KV bytes one GPU reads per step for one decoding sequence at ``context`` tokens."""
        per_seq = kv_cache_bytes_per_sequence(
            self.model, self.kv_precision, context, chunked_attention=True
        )
        share = kv_heads_share_per_gpu(self.model.num_kv_heads, self.split.attention_tp)
        return np.asarray(per_seq * share / self.split.pp)


def _direct_links(gpu: GpuSpec) -> bool:
    return gpu.interconnect_kind in ("nvlink", "xgmi") and bool(gpu.interconnect_gb_per_s)


def _link_bytes_per_s(gpu: GpuSpec) -> float:
    if _direct_links(gpu) and gpu.interconnect_gb_per_s:
        bidirectional = gpu.interconnect_gb_per_s
    else:
        bidirectional = gpu.pcie_gb_per_s
    return bidirectional / 2.0 * BYTES_PER_GB


def sequence_layer_overhead_s(engine: EngineProfile, gpu: GpuSpec) -> float:
    """The engine's per-sequence, per-layer step overhead on ``gpu`` [s].

    That work is small memory-bound kernels (each sequence's paged-attention block tables,
    partial-softmax reductions and tail blocks), so it scales with the GPU's achievable memory
    bandwidth (datasheet × ``achievable_bandwidth_ratio``) against that of the GPU it was
    fitted on (``overhead_reference_bandwidth_gb_per_s``; None: the same time everywhere).

    >>> from llmcost.catalog import load_catalog
    >>> from llmcost.perf.engines import get_engine_profile
    >>> c = load_catalog()
    >>> round(sequence_layer_overhead_s(get_engine_profile("trtllm"), c.gpu_spec("h200")) * 1e6, 3)
    0.363
    """
    ref = engine.overhead_reference_bandwidth_gb_per_s
    if ref is None:
        return engine.sequence_layer_overhead_s
    achievable = gpu.hbm_bandwidth_gb_per_s * gpu.achievable_bandwidth_ratio
    return engine.sequence_layer_overhead_s * ref / achievable


def deployment_rates(
    model: ModelSpec,
    gpu: GpuSpec,
    precision: str,
    kv_precision: str,
    split: ParallelSplit,
    engine: EngineProfile,
    *,
    quant_scope: str = "checkpoint",
) -> DeploymentRates:
    """Collect the per-GPU bytes, FLOPs and rates of a deployment.

    Each effective rate is the datasheet peak × min(1, GPU ``achievable_*_ratio`` × engine
    efficiency): a ratio above 1 (up to 2) times an efficiency may exceed 1, which would put
    predictions above the datasheet roofline, so the fraction is capped at 1.

    Raises :class:`~llmcost._core.errors.UnsupportedPrecisionError` when ``gpu`` has no tensor
    cores for ``precision`` (e.g. FP8 on an A100).
    """
    peak = gpu.peak_tflops(precision) * FLOPS_PER_TFLOP
    gemm_efficiency = engine.compute_efficiency * (
        engine.fp4_gemm_efficiency_ratio if COMPUTE_PRECISION[precision] == "fp4" else 1.0
    )
    attention_peak = gpu.peak_tflops(attention_precision(precision, kv_precision)) * FLOPS_PER_TFLOP
    w = weight_bytes(model, precision, quant_scope=quant_scope)
    p = param_breakdown(model)
    tp, pp, ep, atp = split.tp, split.pp, split.ep, split.attention_tp
    head = w.lm_head if w.lm_head else w.embedding  # a tied head reads the embedding matrix
    fixed = (w.non_expert_decoder / pp + head) / atp
    # routed-expert FLOPs per token of a rank, per GPU: the group's tokens (dp ranks' worth)
    # spread over the tp × ep GPUs that hold the experts
    expert_flops = 2.0 * p.routed_experts_active * split.dp / (tp * ep * pp)
    dense_flops = 2.0 * (p.matmul_per_token - p.routed_experts_active) / (atp * pp)
    bandwidth = gpu.hbm_bandwidth_gb_per_s * BYTES_PER_GB
    # GPU ratio (≤ 2) × engine efficiency (≤ 1) may exceed 1: capped at the datasheet peak
    bandwidth_fraction = min(1.0, gpu.achievable_bandwidth_ratio * engine.bandwidth_efficiency)
    gemm_fraction = min(1.0, gpu.achievable_compute_ratio * gemm_efficiency)
    attention_fraction = min(1.0, gpu.achievable_compute_ratio * engine.compute_efficiency)
    return DeploymentRates(
        model=model,
        split=split,
        kv_precision=kv_precision,
        fixed_read_bytes=np.asarray(fixed),
        expert_bytes_each=np.asarray(w.expert_each_per_layer / tp),
        experts_per_gpu=np.asarray(model.num_experts / ep),
        moe_layers_per_stage=np.asarray(model.num_moe_layers / pp),
        matmul_flops_per_token=np.asarray(dense_flops + expert_flops),
        expert_flops_per_token=np.asarray(expert_flops),
        expert_flops_each=np.asarray(2.0 * p.expert_params_each / tp),
        mma_tile_tokens=float(mma_tile_tokens(gpu)),
        attention_flops_per_context=np.asarray(
            4.0 * model.num_attention_heads * model.head_dim / (atp * pp)
        ),
        bandwidth_bytes_per_s=bandwidth * bandwidth_fraction,
        flops_per_s=peak * gemm_fraction,
        attention_flops_per_s=attention_peak * attention_fraction,
        link_bytes_per_s=_link_bytes_per_s(gpu) * engine.interconnect_efficiency,
        direct_links=_direct_links(gpu),
        nvls=gpu.nvls and _direct_links(gpu),
        mesh_peers=gpu.scale_up_domain_gpus - 1 if gpu.interconnect_kind == "xgmi" else 0,
        peak_bandwidth_bytes_per_s=bandwidth,
        sequence_layer_overhead_s=sequence_layer_overhead_s(engine, gpu),
        peak_flops_per_s=peak,
        peak_attention_flops_per_s=attention_peak,
        engine=engine,
    )


@dataclass(frozen=True)
class StepTime:
    """Parts of one step on one GPU [s]; ``total`` is their sum.

    ``roofline`` is the same work at 100 % efficiency with no collectives or overheads, as a
    single max(bytes / peak BW, FLOPs / peak): no engine can step faster.
    """

    gemm: FloatArray
    attention: FloatArray
    collectives: FloatArray
    overhead: FloatArray
    encoder: FloatArray  # the vision encoder's work for the step's prefill (0 without images)
    bandwidth_part: FloatArray  # time the memory traffic alone needs
    compute_part: FloatArray  # time the arithmetic alone needs
    roofline: FloatArray

    @property
    def total(self) -> FloatArray:
        """Step time [s]."""
        return np.asarray(
            self.gemm + self.attention + self.collectives + self.overhead + self.encoder
        )


def _busiest_rank_expert_flops(
    rates: DeploymentRates, tokens: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """The busiest rank's load ÷ the mean and one GPU's routed-expert FLOPs [ratio, FLOPs].

    For a step with ``tokens`` tokens per expert-parallel rank, every expert's tokens rounded up
    to whole MMA tiles.
    """
    model, ep = rates.model, rates.split.ep
    if not model.num_experts:
        return np.ones_like(tokens), np.zeros_like(tokens)
    routed_tokens = tokens * rates.split.dp * model.experts_per_token  # the group's pairs
    imbalance = rank_imbalance(routed_tokens, ep)
    padded = padded_tokens_per_expert(routed_tokens / model.num_experts, rates.mma_tile_tokens)
    per_expert_layer = padded * rates.expert_flops_each
    flops = rates.moe_layers_per_stage * rates.experts_per_gpu * per_expert_layer * imbalance
    return imbalance, np.asarray(flops)


def step_time_s(
    rates: DeploymentRates,
    decode_sequences: ArrayLike,
    decode_context: ArrayLike,
    prefill_tokens: ArrayLike,
    prefill_layer_context_per_token: ArrayLike,
    encoder_s: ArrayLike = 0.0,
    encoder_roofline_s: ArrayLike = 0.0,
) -> StepTime:
    """Time of one step on one GPU.

    Parameters
    ----------
    decode_sequences
        Sequences this GPU's rank decodes in the step (one token each) [sequences].
    decode_context
        Their average context [tokens].
    prefill_tokens
        Prompt tokens this rank prefills in the same step [tokens].
    prefill_layer_context_per_token
        Average of :func:`layer_context_sum` per prefilled token [tokens].
    encoder_s, encoder_roofline_s
        Time this GPU spends in the vision encoder for the images of the step's prefill, at
        the effective and at the peak rate (:mod:`llmcost.perf.vision`; 0 without images) [s].
        Compute: added to the step and to its compute part; its roofline joins the
        roofline's compute side.
    """
    b = np.asarray(decode_sequences, dtype=np.float64)
    ctx = np.asarray(decode_context, dtype=np.float64)
    p = np.asarray(prefill_tokens, dtype=np.float64)
    model = rates.model
    split = rates.split
    tokens = b + p
    routed = (
        expected_distinct_experts(
            model.num_experts,
            model.experts_per_token,
            tokens * split.dp,
        )
        / split.ep
    )  # the distinct experts hit that live on this rank (the group's tokens: dp ranks' worth)
    expert_read = rates.moe_layers_per_stage * routed * rates.expert_bytes_each
    weight_read = rates.fixed_read_bytes + expert_read
    gemm_flops = tokens * rates.matmul_flops_per_token
    dense_flops = gemm_flops - tokens * rates.expert_flops_per_token
    imbalance, expert_flops = _busiest_rank_expert_flops(rates, tokens)
    kv_read = b * rates.kv_read_bytes_per_sequence(ctx)
    attn_ctx = b * _decode_layer_context(model, ctx) + p * np.asarray(
        prefill_layer_context_per_token, dtype=np.float64
    )
    attn_flops = attn_ctx * rates.attention_flops_per_context
    bw, fl = rates.bandwidth_bytes_per_s, rates.flops_per_s
    # dense GEMMs and the routed experts' grouped GEMM are separate kernels: their times add;
    # the grouped GEMM (gather, per-expert problems, scatter) reaches moe_efficiency of the
    # dense kernels' rates, of bandwidth and arithmetic alike
    moe = rates.engine.moe_efficiency
    expert_gemm = np.maximum(expert_read / bw, expert_flops / fl) / moe
    gemm = np.maximum(rates.fixed_read_bytes / bw, dense_flops / fl) + expert_gemm
    attention = np.maximum(kv_read / bw, attn_flops / rates.attention_flops_per_s)

    eng = rates.engine
    lat = eng.collective_latency_s
    message = tokens * model.hidden_size * _ACTIVATION_BYTES
    tp, pp, ep, dp = split.attention_tp, split.pp, split.ep, split.dp
    link: FloatArray = np.asarray(rates.link_bytes_per_s)
    if rates.mesh_peers:  # a full mesh: a group of n uses n − 1 of the GPU's peer links
        link = link * np.minimum(np.maximum(tp, ep) - 1.0, rates.mesh_peers) / rates.mesh_peers
        link = np.maximum(link, rates.link_bytes_per_s / rates.mesh_peers)
    layers = model.num_layers / pp
    all_reduce = (
        2.0
        * layers
        * all_reduce_s(message, tp, link, lat, direct=rates.direct_links, nvls=rates.nvls)
    )
    moe_layers = rates.moe_layers_per_stage
    a2a_bytes = message * model.experts_per_token * (ep - 1.0) / ep * imbalance
    # attention DP: tokens travel to their experts' ranks and back (TEP: every GPU has every
    # token; the MLP all-reduce above combines the experts' outputs)
    all_to_all = np.where(dp > 1, 2.0 * moe_layers * all_to_all_s(a2a_bytes, ep, link, lat), 0.0)
    pipeline_send = np.where(pp > 1, message / link + lat, 0.0)
    collectives = all_reduce + all_to_all + pipeline_send
    per_sequence = eng.sequence_overhead_s + rates.sequence_layer_overhead_s * layers
    overhead = eng.step_overhead_s + per_sequence * b

    bytes_total = weight_read + kv_read
    encoder = np.asarray(encoder_s, dtype=np.float64)
    compute_s = (
        dense_flops / fl + expert_flops / (fl * moe) + attn_flops / rates.attention_flops_per_s
    ) + encoder
    roofline = np.maximum(
        bytes_total / rates.peak_bandwidth_bytes_per_s,
        gemm_flops / rates.peak_flops_per_s
        + attn_flops / rates.peak_attention_flops_per_s
        + np.asarray(encoder_roofline_s, dtype=np.float64),
    )
    shape = np.broadcast(gemm, attention, collectives, overhead, encoder).shape
    return StepTime(
        gemm=np.broadcast_to(gemm, shape),
        attention=np.broadcast_to(attention, shape),
        collectives=np.broadcast_to(collectives, shape),
        overhead=np.broadcast_to(overhead, shape),
        encoder=np.broadcast_to(encoder, shape),
        bandwidth_part=np.broadcast_to(bytes_total / bw, shape),
        compute_part=np.broadcast_to(compute_s, shape),
        roofline=np.broadcast_to(roofline, shape),
    )
