"""KV-cache size: per token, per sequence (Llama 4 chunked attention), per GPU under TP.

KV bytes per token = 2 (K and V) × layers × KV heads × head_dim × bytes per element.
Llama 3.1 8B in BF16: 2 × 32 × 8 × 128 × 2 = 131,072 B; 70B: 2 × 80 × 8 × 128 × 2 = 327,680 B.
Llama 4 attends within chunks of ``attention_chunk_tokens`` on 3 of every 4 layers, so an engine
that exploits it (vLLM's hybrid KV-cache manager, TensorRT-LLM's chunked-attention window) keeps
at most one chunk of KV for those layers: bytes(L) = per-layer-token × (global × L + local ×
min(L, chunk)).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from .._core._arrays import FloatArray
from .._core.specs import ModelSpec
from .._core.units import BYTES_PER_ELEMENT
from .quant import KV_PRECISIONS, check_precision

__all__ = [
    "kv_cache_bytes_per_sequence",
    "kv_cache_bytes_per_token",
    "kv_heads_share_per_gpu",
]


def kv_cache_bytes_per_token(model: ModelSpec, kv_precision: str) -> float:
    """KV cache of one token over all layers, every layer global [bytes/token].

    >>> from llmcost._core.specs import ModelSpec
    >>> m = ModelSpec(id="m", hidden_size=8192, num_layers=80, num_attention_heads=64,
    ...     num_kv_heads=8, head_dim=128, vocab_size=128256, intermediate_size=28672,
    ...     tie_word_embeddings=False, max_context_tokens=131072,
    ...     params_total_official=70e9, params_active_official=70e9)
    >>> kv_cache_bytes_per_token(m, "bf16")
    327680.0
    """
    check_precision(kv_precision, "kv_precision", KV_PRECISIONS)
    per_layer = 2.0 * model.num_kv_heads * model.head_dim * BYTES_PER_ELEMENT[kv_precision]
    return per_layer * model.num_layers


def kv_cache_bytes_per_sequence(
    model: ModelSpec,
    kv_precision: str,
    context_tokens: ArrayLike,
    *,
    chunked_attention: bool = True,
) -> FloatArray:
    """KV cache held by one sequence of ``context_tokens`` tokens [bytes].

    ``chunked_attention=False`` models an engine that keeps full-length KV on every layer.
    """
    ctx = np.asarray(context_tokens, dtype=np.float64)
    per_layer_token = kv_cache_bytes_per_token(model, kv_precision) / model.num_layers
    chunk = model.attention_chunk_tokens
    if chunk is None or not chunked_attention:
        return np.asarray(per_layer_token * model.num_layers * ctx)
    n_global = model.num_global_attention_layers
    n_local = model.num_layers - n_global
    return np.asarray(per_layer_token * (n_global * ctx + n_local * np.minimum(ctx, chunk)))


def kv_heads_share_per_gpu(num_kv_heads: int, tp: ArrayLike) -> FloatArray:
    """Share of a token's KV that each GPU of a ``tp``-way group stores [fraction].

    KV heads are split across GPUs up to the number of heads; beyond that each GPU keeps
    (a replica of) one head, so the share stops falling: ``ceil(heads / tp) / heads``.

    >>> kv_heads_share_per_gpu(8, [1, 2, 8, 16]).tolist()
    [1.0, 0.5, 0.125, 0.125]
    """
    tp_a = np.asarray(tp, dtype=np.float64)
    return np.asarray(np.ceil(num_kv_heads / tp_a) / num_kv_heads)
