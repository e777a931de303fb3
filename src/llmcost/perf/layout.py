"""Parallel layouts of a fixed number of GPUs: data-parallel replicas × TP × PP × EP.

``gpus`` GPUs are split into ``replicas`` identical replicas of ``tp × pp × ep`` GPUs each
(``replicas × tp × pp × ep = gpus``). A layout is valid when a serving engine can run it:

- **heads**: the attention heads divide over ``tp`` (vLLM, SGLang and TensorRT-LLM assert
  ``num_attention_heads % tp == 0``), and the KV heads either divide over ``tp`` or are
  replicated evenly (``tp % num_kv_heads == 0``);
- **experts**: ``ep > 1`` only for a mixture-of-experts model whose routed experts divide over
  ``ep``. Expert-parallel ranks run attention data-parallel on their own sequences
  (:mod:`llmcost.perf.weights`: TensorRT-LLM ``enable_attention_dp``, SGLang DP-attention), so
  ``ep`` here is attention-DP × expert-parallel;
- **layers**: ``pp ≤`` the decoder layers (engines allow uneven stages) and ≤ ``max_pp``;
- **fabric**: ``tp × ep ≤`` the GPU's scale-up domain (``GpuSpec.scale_up_domain_gpus``, 8 on
  HGX): their collectives run twice per layer and are priced at the NVLink/xGMI bandwidth;
  pipeline stages may span nodes (one activation send per stage).

Whether a valid layout fits in memory is the serving model's answer
(:func:`~llmcost.perf.estimate_serving`'s ``fits``), not this module's.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from .._core.arguments import whole_arg
from .._core.specs import GpuSpec, ModelSpec

__all__ = ["LayoutSet", "allowed_tp", "enumerate_layouts", "heads_allow_tp", "pareto_front"]

IntArray = NDArray[np.int64]


@dataclass(frozen=True)
class LayoutSet:
    """Valid layouts of ``gpus`` GPUs (parallel 1-D arrays) and how many were rejected.

    Attributes
    ----------
    replicas, tp, pp, ep
        Data-parallel replicas and each replica's tensor, pipeline and expert degrees.
    rejected
        Splits of ``gpus`` that were dropped, by reason: "heads", "experts", "layers",
        "fabric" (a split failing several reasons counts under the first) [splits].
    """

    replicas: IntArray
    tp: IntArray
    pp: IntArray
    ep: IntArray
    rejected: dict[str, int]

    @property
    def gpus_per_replica(self) -> IntArray:
        """GPUs of one replica (``tp × pp × ep``)."""
        return self.tp * self.pp * self.ep

    def __len__(self) -> int:
        return int(self.tp.size)


def heads_allow_tp(model: ModelSpec, tp: IntArray | int) -> NDArray[np.bool_]:
    """Whether the attention heads of ``model`` split over ``tp`` GPUs as engines require.

    vLLM, SGLang and TensorRT-LLM assert ``num_attention_heads % tp == 0``; the KV heads either
    divide over ``tp`` or are replicated evenly (``tp % num_kv_heads == 0``).

    Parameters
    ----------
    model : ModelSpec
        The model (its ``num_attention_heads`` and ``num_kv_heads``).
    tp : int or array of int
        Tensor-parallel degrees, whole numbers ≥ 1 [GPUs].

    Returns
    -------
    ndarray of bool
        One flag per ``tp``.
    """
    t = np.asarray(tp, dtype=np.int64)
    return (model.num_attention_heads % t == 0) & (
        (model.num_kv_heads % t == 0) | (t % model.num_kv_heads == 0)
    )


def allowed_tp(model: ModelSpec) -> list[int]:
    """Every tensor-parallel degree the heads of ``model`` allow (:func:`heads_allow_tp`).

    Parameters
    ----------
    model : ModelSpec
        The model.

    Returns
    -------
    list of int
        The allowed degrees, ascending (divisors of the attention heads) [GPUs].

    Examples
    --------
    >>> from llmcost._core.specs import ModelSpec
    >>> m = ModelSpec(id="m", hidden_size=8, num_layers=4, num_attention_heads=64,
    ...     num_kv_heads=8, head_dim=4, vocab_size=10, intermediate_size=16,
    ...     tie_word_embeddings=True, max_context_tokens=64, params_total_official=0,
    ...     params_active_official=0)
    >>> allowed_tp(m)
    [1, 2, 4, 8, 16, 32, 64]
    """
    d = _divisors(int(model.num_attention_heads))
    return [int(t) for t in d[heads_allow_tp(model, d)]]


#: Most GPUs one layout search lays out [GPUs] (its divisor grid stays small).
MAX_LAYOUT_GPUS = 65_536


def _divisors(n: int) -> IntArray:
    d = np.arange(1, n + 1, dtype=np.int64)
    return d[n % d == 0]


def enumerate_layouts(
    model: ModelSpec, gpu: GpuSpec, gpus: int, *, max_pp: int | None = None
) -> LayoutSet:
    """Every valid ``replicas × tp × pp × ep`` split of ``gpus`` GPUs (see the module notes).

    Parameters
    ----------
    gpus
        GPUs to lay out, a whole number ≥ 1 [GPUs].
    max_pp
        Largest pipeline degree to consider (None: up to the layers). The serving model
        charges a pipeline only one activation send per stage (no bubbles, no scheduling
        imbalance), so its larger KV share per GPU can make deep pipelines win; ``max_pp=1``
        keeps to what most deployments run.

    >>> from llmcost._core.specs import GpuSpec, ModelSpec
    >>> m = ModelSpec(id="m", hidden_size=8, num_layers=4, num_attention_heads=4,
    ...     num_kv_heads=2, head_dim=2, vocab_size=10, intermediate_size=16,
    ...     tie_word_embeddings=True, max_context_tokens=64, params_total_official=0,
    ...     params_active_official=0)
    >>> g = GpuSpec(id="g", memory_gb=80, hbm_bandwidth_gb_per_s=3350, bf16_tflops=989,
    ...     fp16_tflops=989, fp8_tflops=1979, int8_tops=1979, fp4_tflops=None,
    ...     interconnect_kind="nvlink", interconnect_gb_per_s=900, pcie_gb_per_s=128, tdp_w=700)
    >>> s = enumerate_layouts(m, g, 2)
    >>> [(int(r), int(t), int(p)) for r, t, p in zip(s.replicas, s.tp, s.pp)]
    [(2, 1, 1), (1, 2, 1), (1, 1, 2)]
    """
    gpus = whole_arg(gpus, "gpus", lo=1, hi=MAX_LAYOUT_GPUS)
    if max_pp is not None:
        max_pp = whole_arg(max_pp, "max_pp", lo=1)
    d = _divisors(gpus)
    tp, pp, ep = (a.ravel() for a in np.meshgrid(d, d, d, indexing="ij"))
    size = tp * pp * ep
    keep = gpus % size == 0
    tp, pp, ep = tp[keep], pp[keep], ep[keep]
    heads_ok = heads_allow_tp(model, tp)
    experts_ok = (ep == 1) | (model.is_moe & (model.num_experts % ep == 0))
    layers_ok = pp <= (model.num_layers if max_pp is None else min(max_pp, model.num_layers))
    fabric_ok = tp * ep <= gpu.scale_up_domain_gpus
    rejected: dict[str, int] = {}
    ok = np.ones(tp.shape, dtype=bool)
    for reason, good in (
        ("heads", heads_ok),
        ("experts", experts_ok),
        ("layers", layers_ok),
        ("fabric", fabric_ok),
    ):
        rejected[reason] = int(np.sum(ok & ~good))
        ok &= good
    tp, pp, ep = tp[ok], pp[ok], ep[ok]
    order = np.lexsort((ep, tp, pp, -(gpus // (tp * pp * ep))))
    tp, pp, ep = tp[order], pp[order], ep[order]
    return LayoutSet(replicas=gpus // (tp * pp * ep), tp=tp, pp=pp, ep=ep, rejected=rejected)


def pareto_front(x: NDArray[np.float64], y: NDArray[np.float64]) -> NDArray[np.int64]:
    """Indices of the points no other point beats on both ``x`` and ``y`` (both maximized).

    Ordered by ``x`` descending; NaN points are never on the front.

    A point is dominated when another has ``x ≥`` and ``y ≥`` with at least one ``>``; of
    exact duplicates one is kept.

    >>> pareto_front(np.array([3.0, 2.0, 1.0, 2.5]), np.array([1.0, 2.0, 3.0, 1.5])).tolist()
    [0, 3, 1, 2]
    >>> pareto_front(np.array([3.0, 2.0]), np.array([2.0, 1.0])).tolist()
    [0]
    """
    xs = np.asarray(x, dtype=np.float64)
    ys = np.asarray(y, dtype=np.float64)
    valid = np.flatnonzero(np.isfinite(xs) & np.isfinite(ys))
    if valid.size == 0:
        return np.zeros(0, dtype=np.int64)
    order = valid[np.lexsort((-ys[valid], -xs[valid]))]  # x descending, then y descending
    y_sorted = ys[order]
    best_before = np.concatenate(([-np.inf], np.maximum.accumulate(y_sorted)[:-1]))
    return np.asarray(order[y_sorted > best_before], dtype=np.int64)
