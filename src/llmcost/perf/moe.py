"""Mixture-of-experts step physics: routed-expert load, rank imbalance, tile padding, layouts.

A step of ``T`` tokens routed top-``k`` over ``E`` experts (uniform routing: each token picks
``k`` distinct experts with equal probability, what a router does on average and what the
random-token benchmark datasets approach) gives each expert ``n_e ~ Binomial(T, k/E)`` tokens,
mean ``μ = T·k/E``. Two things make the grouped expert GEMMs slower than ``T·k`` tokens of
dense GEMM:

- **Tile padding.** A grouped GEMM runs each expert's tokens as the M dimension of tensor-core
  tiles; an expert with ``n_e`` tokens costs ``ceil(n_e / M)·M`` rows. For Poisson counts
  (``E`` large) the expected padded rows are approximated in closed form by
  ``M·(1 − e^(−μ)) + max(0, μ − (M + 1)/2)`` (:func:`padded_tokens_per_expert`): an expert hit
  at all costs a whole tile (``P(n_e ≥ 1) = 1 − e^(−μ)``), and for ``μ ≫ M`` the remainder
  ``n_e mod M`` is close to uniform, so the padding is ``(M − 1)/2`` rows on average. ``M`` is
  the M extent of the GPU's MMA instruction (:data:`MMA_TILE_TOKENS`).
- **Load imbalance.** Under expert parallelism the ``ep`` ranks synchronise at every dispatch
  and combine, so a MoE layer lasts as long as its busiest rank. A rank's load (its experts'
  token-expert assignments) is ``Binomial(T·k, 1/ep)``; the expected maximum of ``ep`` such
  counts is approximated by the Gaussian extreme value ``mean + c_ep·σ`` with
  ``c_n = E[max of n i.i.d. N(0, 1)]`` (computed by quadrature; c_2 = 1/√π, c_8 ≈ 1.4236),
  so the imbalance factor is ``min(ep, max(1 + c_ep·√((ep − 1)/(T·k)), ep/(T·k)))``
  (:func:`rank_imbalance`): ≥ 1, → 1 as ``T`` grows, at least one pair on the busiest rank
  and never more than all of them.

Layouts (:data:`MOE_LAYOUTS`, TensorRT-LLM's names):

- ``tp``: attention and experts tensor-parallel over the group (``ep = 1``);
- ``dep``: attention data-parallel, experts expert-parallel — each of ``ep`` ranks runs its own
  sequences on ``tp`` GPUs (usually 1), and tokens travel to their experts' ranks and back
  (all-to-all dispatch and combine);
- ``tep``: attention tensor-parallel over all ``tp × ep`` GPUs, experts expert-parallel over
  the same GPUs: every GPU sees every token, holds ``E/ep`` experts, and the MLP's all-reduce
  combines the expert outputs (no all-to-all).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from numpy.typing import ArrayLike

from .._core._arrays import FloatArray
from .._core.specs import GpuSpec

__all__ = [
    "MMA_TILE_TOKENS",
    "MOE_LAYOUTS",
    "expected_max_standard_normal",
    "mma_tile_tokens",
    "padded_tokens_per_expert",
    "rank_imbalance",
]

#: Expert-parallel layouts (TensorRT-LLM ``--ep`` with/without ``enable_attention_dp``).
MOE_LAYOUTS = ("tp", "dep", "tep")

#: M extent [tokens] of one tensor-core MMA instruction, by GPU architecture: the granularity
#: in which a grouped GEMM consumes an expert's tokens. PTX ISA 8.x: ``mma.sync`` m16n8k16
#: (Ampere, Ada; also consumer/workstation Blackwell sm_120, which has no tcgen05), Hopper
#: ``wgmma.mma_async`` m64nNk16 (M fixed at 64 per warpgroup), datacenter Blackwell
#: ``tcgen05.mma`` with block-scaled FP4/FP8 (``kind::mxf4nvf4`` / ``mxf8f6f4``) at M = 128 on
#: one SM; AMD CDNA 3/4 MFMA 16×16 (``v_mfma_*_16x16x*``; CDNA3 ISA guide §7).
MMA_TILE_TOKENS = {
    "ampere": 16,
    "ada": 16,
    "hopper": 64,
    "blackwell": 128,
    "cdna3": 16,
    "cdna4": 16,
}
_WORKSTATION_BLACKWELL = ("rtx-pro-6000",)  # sm_120: mma.sync, no tcgen05
_DEFAULT_TILE = 16


def mma_tile_tokens(gpu: GpuSpec) -> int:
    """M extent of ``gpu``'s tensor-core MMA instruction [tokens].

    From :data:`MMA_TILE_TOKENS`; 16 for an architecture not listed.

    >>> from llmcost.catalog import load_catalog
    >>> mma_tile_tokens(load_catalog().gpu_spec("h100-sxm"))
    64
    """
    if gpu.id in _WORKSTATION_BLACKWELL:
        return _DEFAULT_TILE
    return MMA_TILE_TOKENS.get(gpu.architecture, _DEFAULT_TILE)


@lru_cache(maxsize=64)
def expected_max_standard_normal(n: int) -> float:
    """E[max of ``n`` i.i.d. standard normals] by quadrature: ∫ z · n φ(z) Φ(z)^(n−1) dz.

    >>> round(expected_max_standard_normal(2), 4)  # 1/√π
    0.5642
    >>> round(expected_max_standard_normal(8), 4)
    1.4236
    """
    if n <= 1:
        return 0.0
    from scipy.special import ndtr  # here, not at import: `llmcost --help` loads no scipy

    z = np.linspace(-12.0, 12.0, 24001)
    density = n * np.exp(-0.5 * z * z) / np.sqrt(2.0 * np.pi) * ndtr(z) ** (n - 1)
    return float(np.trapezoid(z * density, z))


def rank_imbalance(assignments: ArrayLike, ranks: ArrayLike) -> FloatArray:
    """Expected busiest-rank load ÷ mean load over expert-parallel ranks [ratio ≥ 1].

    ``assignments`` token-expert pairs spread uniformly over ``ranks`` ranks.

    ``min(ranks, max(1 + c·√((ranks − 1)/assignments), ranks/assignments))``, ``c`` =
    :func:`expected_max_standard_normal` (``ranks``): the Gaussian extreme value of
    ``Binomial(assignments, 1/ranks)`` counts, at least one assignment on the busiest rank
    and at most all of them. 1 for one rank or no assignments.

    >>> round(float(rank_imbalance(8, 8)), 3)  # 1 + 1.4236·√(7/8)
    2.332
    >>> round(float(rank_imbalance(65536, 8)), 4)
    1.0147
    """
    a = np.asarray(assignments, dtype=np.float64)
    n = np.asarray(ranks, dtype=np.float64)
    c = np.zeros_like(n)
    for value in np.unique(n):
        c = np.where(n == value, expected_max_standard_normal(int(value)), c)
    with np.errstate(divide="ignore"):
        per_pair = 1.0 / np.where(a > 0, a, np.inf)
    spread = np.maximum(1.0 + c * np.sqrt((n - 1.0) * per_pair), n * per_pair)
    return np.asarray(np.maximum(np.minimum(np.maximum(n, 1.0), spread), 1.0))


def padded_tokens_per_expert(mean_tokens: ArrayLike, tile: float) -> FloatArray:
    """Expected rows one expert's grouped GEMM computes with tile padding [tokens].

    Its ``Poisson(mean_tokens)`` tokens are rounded up to whole ``tile``-row MMA tiles:
    ``tile·(1 − e^(−μ)) + max(0, μ − (tile + 1)/2)``.

    Limits: ``≈ tile·μ`` for ``μ ≪ 1`` (each token alone in a tile), ``μ + (tile − 1)/2`` for
    ``μ ≫ tile`` (a uniform remainder); never below ``μ``.

    >>> round(float(padded_tokens_per_expert(0.01, 64)), 3)  # 64·(1 − e^−0.01)
    0.637
    >>> float(padded_tokens_per_expert(1000, 64))  # 64 + 1000 − 32.5
    1031.5
    """
    mu = np.asarray(mean_tokens, dtype=np.float64)
    padded = tile * (1.0 - np.exp(-mu)) + np.maximum(0.0, mu - (tile + 1.0) / 2.0)
    return np.asarray(np.maximum(padded, mu))
