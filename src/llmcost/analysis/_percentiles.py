"""Exact percentiles of values spread over blocks, in bounded memory.

The first pass (:mod:`llmcost.analysis.streaming`) leaves a histogram per output. For each
order statistic a percentile needs (numpy's "linear" method), the bin that holds it is found
from the cumulative counts; a bin with more than :data:`COLLECT_CAP` values is split into the
same number of sub-bins by another pass over the blocks (re-drawn from their seeds), until it is
small — or all its values are equal — and a last pass keeps only the values of those bins and
sorts them.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import TYPE_CHECKING, Any

import numpy as np

from .._core._arrays import FloatArray
from .backends import map_blocks

if TYPE_CHECKING:
    from .streaming import _Plan

Key = tuple[str, int]  # (output, rank among its sorted finite values)
#: Values gathered for one order statistic at most; a fuller bin is split again first.
COLLECT_CAP = 1 << 20


def sub_edges(lo: float, hi: float, bins: int) -> FloatArray:
    return np.linspace(lo, hi, bins + 1)


def _lerp(a: float, b: float, t: float) -> float:
    """NumPy's interpolation between order statistics (numpy.lib._function_base_impl._lerp)."""
    diff = b - a
    return float(b - diff * (1 - t)) if t >= 0.5 else float(a + diff * t)


def _order_statistics(percentiles: Sequence[float], count: int) -> list[tuple[int, int, float]]:
    """(lower rank, upper rank, weight) of each percentile over ``count`` sorted values."""
    out = []
    for q in percentiles:
        h = (count - 1) * (q / 100.0)
        lo = int(np.floor(h))
        out.append((lo, min(lo + 1, count - 1), h - lo))
    return out


def exact_percentiles(
    plan: _Plan,
    merged: dict[str, tuple[FloatArray, FloatArray]],
    percentiles: Sequence[float],
    blocks: int,
    backend: str,
    scheduler: Any,
) -> dict[str, dict[str, float]]:
    """Exact percentiles.

    Locate each needed order statistic's histogram bin, split bins that hold more than
    :data:`COLLECT_CAP` values (another pass each), then re-draw the blocks, keep the values of
    those bins only and sort them.
    """
    targets: dict[Key, list[float]] = {}  # key -> [lo, hi, values below lo, values inside]
    plans: dict[str, list[tuple[int, int, float]]] = {}
    for name in plan.outputs:
        stats, counts = merged[name]
        plans[name] = _order_statistics(percentiles, int(stats[0])) if stats[0] else []
        for rank in {r for lo, hi, _ in plans[name] for r in (lo, hi)}:
            targets[(name, rank)] = _first_interval(plan.edges[name], counts, stats, rank)
    values: dict[Key, float] = {}
    while big := {
        k: (t[0], t[1]) for k, t in targets.items() if t[3] > COLLECT_CAP and k not in values
    }:
        parts = map_blocks(
            partial(_refine, plan, big), blocks, backend=backend, scheduler=scheduler
        )
        for key in big:
            _narrow(targets[key], [p[key] for p in parts], values, key)
    small = {k: (t[0], t[1]) for k, t in targets.items() if k not in values}
    if small:
        parts = map_blocks(
            partial(_collect, plan, small), blocks, backend=backend, scheduler=scheduler
        )
        for key in small:
            inside = np.sort(np.concatenate([p[key] for p in parts]))
            values[key] = float(inside[key[1] - int(targets[key][2])])
    return {
        name: {
            f"p{q:g}": _lerp(values[(name, lo)], values[(name, hi)], t) if plans[name] else np.nan
            for q, (lo, hi, t) in zip(
                percentiles, plans[name] or [(0, 0, 0.0)] * len(percentiles), strict=True
            )
        }
        for name in plan.outputs
    }


def _refine(plan: _Plan, intervals: dict[Key, tuple[float, float]], block: int) -> Any:
    return plan.refine(block, intervals)


def _collect(plan: _Plan, intervals: dict[Key, tuple[float, float]], block: int) -> Any:
    return plan.collect(block, intervals)


def _first_interval(
    edges: FloatArray, counts: FloatArray, stats: FloatArray, rank: int
) -> list[float]:
    """The pass-1 bin [lo, hi) holding order statistic ``rank``.

    Also the counts of values below and in it (the outer bins reach the minimum and just past the
    maximum).
    """
    cumulative = np.cumsum(counts)
    b = int(np.searchsorted(cumulative, rank, side="right"))
    below = float(cumulative[b - 1]) if b else 0.0
    lo = float(stats[3]) if b == 0 else float(edges[b - 1])
    hi = float(np.nextafter(stats[5], np.inf)) if b == edges.size else float(edges[b])
    return [lo, hi, below, float(counts[b])]


def _narrow(target: list[float], parts: list[Any], values: dict[Key, float], key: Key) -> None:
    """Move ``target`` to the sub-bin holding its rank (or resolve it: all values equal)."""
    counts = np.sum([p[0] for p in parts], axis=0)
    lo_v, hi_v = min(p[1] for p in parts), max(p[2] for p in parts)
    if lo_v == hi_v:
        values[key] = float(lo_v)
        return
    edges = sub_edges(target[0], target[1], counts.size)
    cumulative = target[2] + np.cumsum(counts)
    b = int(np.searchsorted(cumulative, key[1], side="right"))
    if not edges[b] < edges[b + 1]:  # a few ulps wide: cannot split further, collect as is
        target[3] = 0.0
        return
    below = float(cumulative[b - 1]) if b else target[2]
    target[:] = [float(edges[b]), float(edges[b + 1]), below, float(counts[b])]
