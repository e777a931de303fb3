"""GPU memory: what is visible, what the engine keeps, what is left for KV, how many sequences fit.

Usable bytes: see :mod:`llmcost.perf.device`.

KV budget per GPU = (visible × memory_utilization − weights − reserve) × kv_free_memory_fraction,
floored at zero: vLLM/SGLang size by a utilization share of the whole GPU, TensorRT-LLM by a share
of what is free after loading the weights.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._core._arrays import FloatArray, check_positive, scalar_or_array
from .._core.arguments import check_specs
from .._core.result import ResultShape
from .._core.serialize import jsonable
from .._core.specs import GpuSpec, ModelSpec
from .._core.units import BYTES_PER_GB
from .device import VISIBLE_MEMORY_FRACTION, visible_memory_bytes
from .engines import EngineProfile, get_engine_profile
from .kv import kv_cache_bytes_per_sequence, kv_cache_bytes_per_token, kv_heads_share_per_gpu
from .parallel import ParallelSplit, resolve_split
from .quant import KV_PRECISIONS, check_precision
from .weights import WeightBytes, weight_bytes

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "MemoryEstimate",
    "activation_bytes_per_gpu",
    "default_kv_precision",
    "kv_budget_bytes_per_gpu",
    "max_concurrent_sequences",
    "max_context_tokens",
    "memory_footprint",
    "visible_memory_bytes",
]


def default_kv_precision(precision: str, engine: EngineProfile) -> str:
    """KV-cache precision an engine picks by default for weights stored at ``precision``."""
    if engine.fp8_kv_with_fp8_weights and precision in ("fp8", "fp4"):
        return "fp8"
    return "fp16" if precision == "fp16" else "bf16"


def activation_bytes_per_gpu(
    model: ModelSpec, engine: EngineProfile, tp: ArrayLike = 1
) -> FloatArray:
    """Activation memory the engine keeps per GPU [bytes].

    For each of ``activation_tokens`` positions, fp32 logits over the vocabulary plus the MLP's gate
    and up outputs in 16-bit.

    vLLM check: 8192 × (128,256 × 4 + 2 × 14,336 × 2) B = 4.67e9 B = 4.35 GiB for Llama 3.1 8B,
    measured peak 4.76 GiB (llm-d/llm-d-benchmark empirical-vllm-memory-results.md).
    """
    per_token = model.vocab_size * 4.0 + 2.0 * model.intermediate_size * 2.0 / np.asarray(tp)
    return np.asarray(engine.activation_tokens * per_token)


def kv_budget_bytes_per_gpu(
    gpu: GpuSpec,
    model: ModelSpec,
    per_gpu_weights_bytes: ArrayLike,
    engine: EngineProfile,
    tp: ArrayLike = 1,
) -> FloatArray:
    """Memory left for the KV cache on one GPU after weights and the engine's reserve [bytes].

    ``engine`` should already be configured for the GPU (:meth:`EngineProfile.for_gpu`).
    """
    usable = visible_memory_bytes(gpu) * engine.memory_utilization
    reserve = engine.reserve_gb_per_gpu * BYTES_PER_GB + activation_bytes_per_gpu(model, engine, tp)
    free = usable - np.asarray(per_gpu_weights_bytes) - reserve
    return np.asarray(np.maximum(free, 0.0) * engine.kv_free_memory_fraction)


def _paged(tokens: ArrayLike, block_tokens: int) -> FloatArray:
    return np.asarray(np.ceil(np.asarray(tokens, dtype=np.float64) / block_tokens) * block_tokens)


def max_concurrent_sequences(
    model: ModelSpec,
    kv_precision: str,
    kv_budget_per_gpu_bytes: ArrayLike,
    context_tokens: ArrayLike,
    split: ParallelSplit,
    engine: EngineProfile,
) -> FloatArray:
    """Sequences of ``context_tokens`` whose KV fits in one replica [sequences, whole].

    Each GPU of a tensor-parallel group keeps its share of every sequence's KV heads; each
    pipeline stage keeps its layers; each expert-parallel rank keeps its own sequences.
    """
    per_seq = kv_cache_bytes_per_sequence(
        model,
        kv_precision,
        _paged(context_tokens, engine.kv_block_tokens),
        chunked_attention=engine.exploits_chunked_attention,
    )
    share = kv_heads_share_per_gpu(model.num_kv_heads, split.attention_tp)
    per_seq_per_gpu = per_seq * share / split.pp
    with np.errstate(divide="ignore", invalid="ignore"):
        seqs = np.floor(np.asarray(kv_budget_per_gpu_bytes) / per_seq_per_gpu) * split.dp
    return np.asarray(np.where(per_seq_per_gpu > 0, seqs, 0.0))


def max_context_tokens(
    model: ModelSpec,
    kv_precision: str,
    kv_budget_per_gpu_bytes: ArrayLike,
    split: ParallelSplit,
    engine: EngineProfile,
    concurrent_sequences: ArrayLike = 1,
) -> FloatArray:
    """Longest context each of ``concurrent_sequences`` sequences can hold in one replica.

    In [tokens], rounded down to whole KV pages.

    The inverse of :func:`max_concurrent_sequences` (same accounting, so at the result it
    counts ``concurrent_sequences`` and one page longer it does not). With chunked attention
    the local layers stop growing at the chunk, so past it only the global layers count.
    Memory alone sets the result: it is *not* capped at ``model.max_context_tokens``; compare
    the two yourself (``llmcost memory`` prints both). 0 where not one page fits.
    """
    wanted = check_positive(concurrent_sequences, "concurrent_sequences")
    per_rank = np.ceil(wanted / split.dp)  # sequences of the busiest attention-DP rank
    share = kv_heads_share_per_gpu(model.num_kv_heads, split.attention_tp) / split.pp
    per_layer_token = kv_cache_bytes_per_token(model, kv_precision) / model.num_layers
    layer_tokens = np.asarray(kv_budget_per_gpu_bytes) / (per_rank * share * per_layer_token)
    chunk = model.attention_chunk_tokens
    if chunk is None or not engine.exploits_chunked_attention:
        tokens = layer_tokens / model.num_layers
    else:
        n_global = model.num_global_attention_layers
        local_full = (model.num_layers - n_global) * chunk
        with np.errstate(divide="ignore"):
            past_chunk = (layer_tokens - local_full) / n_global
        tokens = np.where(layer_tokens <= model.num_layers * chunk,
                          layer_tokens / model.num_layers, past_chunk)  # fmt: skip
    block = engine.kv_block_tokens
    pages = np.floor(tokens / block) * block

    def holds(length: FloatArray) -> NDArray[np.bool_]:
        seqs = max_concurrent_sequences(model, kv_precision, kv_budget_per_gpu_bytes,
                                        length, split, engine)  # fmt: skip
        return np.asarray((length > 0) & (seqs >= wanted))

    # floating-point rounding of the inverse can land one page off either way
    pages = np.where((pages > 0) & ~holds(pages), pages - block, pages)
    pages = np.where(holds(pages + block), pages + block, pages)
    return np.asarray(pages, dtype=np.float64)


@dataclass(frozen=True)
class MemoryEstimate(ResultShape):
    """Memory of one replica of a deployment. Bytes are per the name (whole model or per GPU).

    ``fits``: the weights and the engine reserve fit and at least one sequence of
    ``context_tokens`` (one KV page when no context is given) fits in the KV budget.
    ``max_context_tokens``: the longest context of each of ``concurrent_sequences`` sequences
    that memory allows (not capped at the model's trained context; see
    :func:`max_context_tokens`) [tokens].
    """

    weights_bytes: float
    kv_cache_bytes_per_token: float
    per_gpu_weights_bytes: Any
    per_gpu_kv_budget_bytes: Any
    visible_bytes_per_gpu: float
    fits: Any
    max_concurrent_sequences: Any
    max_context_tokens: Any
    basis: dict[str, Any] = field(default_factory=dict)

    def to_frame(self) -> pd.DataFrame:
        """One row per scenario of the broadcast inputs."""
        import pandas as pd

        cols = {
            "per_gpu_weights_bytes": self.per_gpu_weights_bytes,
            "per_gpu_kv_budget_bytes": self.per_gpu_kv_budget_bytes,
            "fits": self.fits,
            "max_concurrent_sequences": self.max_concurrent_sequences,
            "max_context_tokens": self.max_context_tokens,
        }
        arrays = np.broadcast_arrays(*(np.atleast_1d(np.asarray(v)) for v in cols.values()))
        frame = pd.DataFrame(dict(zip(cols, arrays, strict=True)))
        frame.insert(0, "kv_cache_bytes_per_token", self.kv_cache_bytes_per_token)
        frame.insert(0, "weights_bytes", self.weights_bytes)
        return frame

    def to_dict(self) -> dict[str, Any]:
        """Every figure and the basis as JSON-ready values (arrays as lists, NaN/inf → None)."""
        out: dict[str, Any] = jsonable(
            {f.name: getattr(self, f.name) for f in fields(self) if f.name != "basis"}
        )
        out["basis"] = jsonable(self.basis)
        return out

    def __repr__(self) -> str:
        fits = "fits" if bool(np.all(self.fits)) else "does not fit everywhere"
        return (
            f"MemoryEstimate(weights {self.weights_bytes / 1e9:,.1f} GB, KV "
            f"{self.kv_cache_bytes_per_token / 1e3:,.1f} kB/token, {fits})"
        )


def memory_footprint(
    model: ModelSpec,
    precision: str,
    *,
    gpu: GpuSpec | None = None,
    gpus: ArrayLike = 1,
    kv_precision: str | None = None,
    context_tokens: ArrayLike | None = None,
    engine: str | EngineProfile = "vllm",
    tp: ArrayLike | None = None,
    pp: ArrayLike = 1,
    ep: ArrayLike | None = None,
    quant_scope: str = "checkpoint",
    concurrent_sequences: ArrayLike = 1,
    attention_dp: bool = True,
) -> MemoryEstimate:
    """Weights, KV cache per token and — with a ``gpu`` — the fit and max concurrency.

    Parameters
    ----------
    precision
        Weight precision (bf16, fp16, fp8, int8, int4, fp4).
    gpu, gpus
        The GPU and how many of them form one replica (default split: all tensor-parallel).
    kv_precision
        KV-cache precision; default: the engine's choice for ``precision``.
    context_tokens
        Tokens per sequence (input + output) for ``max_concurrent_sequences`` [tokens].
    engine
        Engine profile (memory reserve, utilization, paging, chunked-attention support).
    quant_scope
        Which layers a quantized checkpoint quantizes (see :func:`weight_bytes`).
    concurrent_sequences
        Sequences held at once for ``max_context_tokens`` [sequences].
    attention_dp
        With ``ep > 1``: attention data-parallel over the ranks (DEP, default) or
        tensor-parallel over all ``tp × ep`` GPUs (TEP; :class:`ParallelSplit`).
    """
    check_specs(model, gpu, gpu_optional=True)
    check_precision(precision)
    profile = get_engine_profile(engine, gpu)
    if gpu is not None:
        gpu.peak_tflops(precision)  # the same rule as estimate_serving: e.g. no FP4 on Hopper
        profile = profile.for_gpu(gpu)
    kv_prec = kv_precision or default_kv_precision(precision, profile)
    check_precision(kv_prec, "kv_precision", KV_PRECISIONS)
    w: WeightBytes = weight_bytes(model, precision, quant_scope=quant_scope)
    split = resolve_split(model, gpus, tp=tp, pp=pp, ep=ep, attention_dp=attention_dp)
    per_gpu = w.per_gpu(split.tp, split.pp, split.ep, attention_tp=split.attention_tp)
    basis: dict[str, Any] = {
        "model": model.id,
        "precision": precision,
        "kv_precision": kv_prec,
        "quant_scope": quant_scope,
        "engine": profile.name,
        "tp": split.tp,
        "pp": split.pp,
        "ep": split.ep,
        "attention_dp": split.attention_dp,
    }
    like = (gpus, tp, pp, ep, context_tokens, concurrent_sequences)
    if gpu is None:
        nan = np.full(np.shape(per_gpu), np.nan)
        return MemoryEstimate(
            weights_bytes=w.total,
            kv_cache_bytes_per_token=kv_cache_bytes_per_token(model, kv_prec),
            per_gpu_weights_bytes=scalar_or_array(per_gpu, *like),
            per_gpu_kv_budget_bytes=scalar_or_array(nan, *like),
            visible_bytes_per_gpu=float("nan"),
            fits=scalar_or_array(np.zeros(np.shape(nan), dtype=bool), *like),
            max_concurrent_sequences=scalar_or_array(nan, *like),
            max_context_tokens=scalar_or_array(nan, *like),
            basis=basis,
        )
    budget = kv_budget_bytes_per_gpu(gpu, model, per_gpu, profile, split.attention_tp)
    if context_tokens is None:
        seqs = np.full(np.shape(budget), np.nan)
        ctx_for_fit: ArrayLike = profile.kv_block_tokens
    else:
        ctx_for_fit = check_positive(context_tokens, "context_tokens")
        seqs = max_concurrent_sequences(model, kv_prec, budget, ctx_for_fit, split, profile)
    fits = max_concurrent_sequences(model, kv_prec, budget, ctx_for_fit, split, profile) >= 1
    longest = max_context_tokens(model, kv_prec, budget, split, profile, concurrent_sequences)
    basis |= {
        "gpu": gpu.id,
        "visible_memory_fraction": VISIBLE_MEMORY_FRACTION,
        "memory_utilization": profile.memory_utilization,
        "reserve_gb_per_gpu": profile.reserve_gb_per_gpu,
        "activation_bytes_per_gpu": activation_bytes_per_gpu(model, profile, split.attention_tp),
        "kv_free_memory_fraction": profile.kv_free_memory_fraction,
    }
    return MemoryEstimate(
        weights_bytes=w.total,
        kv_cache_bytes_per_token=kv_cache_bytes_per_token(model, kv_prec),
        per_gpu_weights_bytes=scalar_or_array(per_gpu, *like),
        per_gpu_kv_budget_bytes=scalar_or_array(budget, *like),
        visible_bytes_per_gpu=visible_memory_bytes(gpu),
        fits=scalar_or_array(fits, *like),
        max_concurrent_sequences=scalar_or_array(seqs, *like),
        max_context_tokens=scalar_or_array(longest, *like),
        basis=basis,
    )
