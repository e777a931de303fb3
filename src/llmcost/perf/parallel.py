"""The parallel split of a deployment: tensor × pipeline × expert parallel degrees.

Also where attention runs under expert parallelism (data-parallel ranks, DEP, or
tensor-parallel over all the GPUs, TEP; :mod:`llmcost.perf.moe`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from .._core._arrays import FloatArray, check_not_empty, check_positive
from .._core.display import plain
from .._core.errors import InvalidInputError
from .._core.specs import ModelSpec

__all__ = ["ParallelSplit", "resolve_split"]


@dataclass(frozen=True)
class ParallelSplit:
    """Degrees of parallelism as float arrays that broadcast together; ``gpus = tp·pp·ep``.

    Experts are split over the ``ep`` ranks and each expert over the ``tp`` GPUs of a rank.
    With ``attention_dp`` (DEP, the default) every rank runs its own sequences and keeps its
    own copy of the attention and other non-expert weights, tensor-parallel over its ``tp``
    GPUs; without it (TEP) attention and non-expert weights are tensor-parallel over all
    ``tp × ep`` GPUs of a stage, which all run the same sequences.
    """

    tp: FloatArray
    pp: FloatArray
    ep: FloatArray
    attention_dp: bool = True

    @property
    def gpus(self) -> FloatArray:
        """GPUs of one replica."""
        return np.asarray(self.tp * self.pp * self.ep)

    @property
    def dp(self) -> FloatArray:
        """Ranks that run their own sequences (attention data parallel) [ranks]."""
        return np.asarray(self.ep if self.attention_dp else np.ones_like(self.ep))

    @property
    def attention_tp(self) -> FloatArray:
        """GPUs one copy of the attention weights and a sequence's KV heads is split over [GPUs].

        The non-expert weights follow the attention.
        """
        return np.asarray(self.tp if self.attention_dp else self.tp * self.ep)


#: Largest GPU count or parallel degree taken [GPUs] (the scenario schema's bound).
MAX_GPUS = 1024


def _whole(value: ArrayLike, name: str) -> FloatArray:
    arr = check_not_empty(check_positive(value, name), name)
    bad = (arr != np.round(arr)) | (arr < 1) | (arr > MAX_GPUS)
    if np.any(bad):
        raise InvalidInputError(
            f"{name} must be a whole number from 1 to {MAX_GPUS:,}; got {plain(arr[bad].flat[0])}"
        )
    return arr


def _check_divides(gpus: FloatArray, pp_ep: FloatArray) -> None:
    """Raise unless ``gpus`` is a multiple of pp × ep (so that tp can be inferred)."""
    tp = np.broadcast_to(gpus / pp_ep, np.broadcast(gpus, pp_ep).shape)
    bad = (tp != np.round(tp)) | (tp < 1)
    if np.any(bad):
        i = int(np.argmax(bad))
        g, d = (float(np.broadcast_to(a, tp.shape).flat[i]) for a in (gpus, pp_ep))
        raise InvalidInputError(
            f"gpus must be a multiple of pp × ep to infer tp; got gpus {plain(g)}, "
            f"pp × ep {plain(d)}"
        )


def resolve_split(
    model: ModelSpec,
    gpus: ArrayLike,
    *,
    tp: ArrayLike | None = None,
    pp: ArrayLike = 1,
    ep: ArrayLike | None = None,
    attention_dp: bool = True,
) -> ParallelSplit:
    """Validate and complete a parallel split (default: all GPUs tensor-parallel).

    The missing degree is inferred from ``gpus``; the product must equal ``gpus``, ``ep`` > 1
    needs an MoE model with a number of experts divisible by ``ep``, and layers must divide
    over ``pp`` stages (up to rounding: engines allow uneven stages, we require pp ≤ layers).
    ``attention_dp=False`` (TEP: attention tensor-parallel over ``tp × ep``) needs ``ep > 1``.

    >>> from llmcost._core.specs import ModelSpec
    >>> m = ModelSpec(id="m", hidden_size=8, num_layers=4, num_attention_heads=2,
    ...     num_kv_heads=1, head_dim=4, vocab_size=10, intermediate_size=16,
    ...     tie_word_embeddings=True, max_context_tokens=64, params_total_official=0,
    ...     params_active_official=0)
    >>> s = resolve_split(m, 8, pp=2)
    >>> float(s.tp), float(s.pp), float(s.ep)
    (4.0, 2.0, 1.0)
    """
    g = _whole(gpus, "gpus")
    pp_a = _whole(pp, "pp")
    ep_a = _whole(1 if ep is None else ep, "ep")
    if tp is None:
        _check_divides(g, pp_a * ep_a)
    tp_a = _whole(g / (pp_a * ep_a), "tp") if tp is None else _whole(tp, "tp")
    product = tp_a * pp_a * ep_a
    if np.any(product != g):
        i = np.argmax(np.broadcast_to(product != g, np.broadcast(product, g).shape))
        raise InvalidInputError(
            f"tp × pp × ep must equal gpus; got {np.broadcast_to(tp_a, product.shape).flat[i]:g}"
            f" × {np.broadcast_to(pp_a, product.shape).flat[i]:g}"
            f" × {np.broadcast_to(ep_a, product.shape).flat[i]:g}"
            f" ≠ {np.broadcast_to(g, product.shape).flat[i]:g}"
        )
    if np.any(ep_a > 1):
        if not model.is_moe:
            raise InvalidInputError(f"ep > 1 needs a mixture-of-experts model; {model.id} is dense")
        if np.any(model.num_experts % ep_a != 0):
            raise InvalidInputError(
                f"ep must divide the {model.num_experts} experts of {model.id}; "
                f"got {ep_a[model.num_experts % ep_a != 0].flat[0]:g}"
            )
    if np.any(pp_a > model.num_layers):
        raise InvalidInputError(f"pp must be ≤ {model.num_layers} layers; got {pp_a.max():g}")
    if not attention_dp and np.any(ep_a <= 1):
        raise InvalidInputError(
            "attention_dp=False (TEP: attention tensor-parallel, experts expert-parallel) needs "
            f"ep > 1; got ep={ep_a.min():g}"
        )
    return ParallelSplit(tp=tp_a, pp=pp_a, ep=ep_a, attention_dp=bool(attention_dp))
