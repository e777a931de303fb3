"""Monte Carlo in bounded memory: per-block reductions, exact percentiles, any backend.

:func:`monte_carlo_stream` never holds more than one block of draws per worker. Each seeded
block (:mod:`llmcost.analysis.blocks`) is reduced to a fixed-size record — finite count, mean
and sum of squared deviations (merged with Chan et al.'s pairwise update), min/argmin,
max/argmax, a histogram, and the number of draws each option is cheapest — and the records are
merged in block order, so the numpy and dask backends, any chunk size and any number of workers
give the same numbers bit for bit. Percentiles are exact: a second pass over the same blocks
(re-drawn from their seeds) keeps only the values in the histogram bins that hold the wanted
order statistics and sorts those (numpy's "linear" percentile of all the finite draws).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from .._core._arrays import FloatArray
from .._core.arguments import whole_arg
from .._core.display import compact, most_often_cheapest
from .._core.errors import InvalidInputError
from .._core.result import ResultShape
from ._model import Model, evaluate_chunked
from ._percentiles import Key, exact_percentiles, sub_edges
from ._xarray import summary_dataset
from .backends import map_blocks
from .blocks import (
    DEFAULT_BLOCK_ROWS,
    DEFAULT_MEMORY_BUDGET_GB,
    block_draws,
    bytes_per_row,
    chunk_rows_for_budget,
    n_blocks,
)
from .montecarlo import summary_dict, summary_frame
from .space import ParameterSpace
from .stream_breakeven import BreakevenCounts, WithBreakeven, split_summary
from .sweep import cartesian

__all__ = [
    "MAX_STREAM_DRAWS",
    "BreakevenCounts",
    "StreamingMonteCarloResult",
    "monte_carlo_stream",
    "sweep_stream",
]

DEFAULT_BINS = 4096
#: Most draws one streamed Monte Carlo takes [draws]: 10¹⁰ is about four days at the 29,100
#: draws/s measured for 10⁸ draws (docs/how-to/scale.md); without a bound a mistyped N ran on
#: for ever.
MAX_STREAM_DRAWS = 10**10
_STATS = ("count", "mean", "m2", "min", "argmin", "max", "argmax")


@dataclass(frozen=True)
class StreamingMonteCarloResult(ResultShape):
    """Reductions of ``n`` draws.

    ``summary[output]`` (mean, std, percentiles, min/argmin, max/argmax over the finite draws,
    undefined_fraction), ``probability_cheapest[option]``, and ``histograms[output] = (edges,
    counts)`` (first and last count: below / above the edges). ``argmin``/``argmax`` are draw
    indices, reproducible from the seed. ``breakeven["a vs b"]``, when
    :class:`BreakevenCounts` were asked for: the draws with a break-even in the range
    (``with_breakeven``, ``fraction``) and the mean, percentiles, min and max of the first
    crossing over those draws.
    """

    n: int
    seed: int | None
    block_rows: int
    inputs: tuple[dict[str, Any], ...]
    summary: dict[str, dict[str, float]]
    probability_cheapest: dict[str, float]
    histograms: dict[str, tuple[FloatArray, FloatArray]] = field(repr=False, compare=False)
    units: dict[str, str] = field(default_factory=dict)
    breakeven: dict[str, dict[str, Any]] = field(default_factory=dict)

    def to_frame(self) -> Any:
        """One row per output: its statistics and P(cheapest)."""
        return summary_frame(self.summary, self.probability_cheapest)

    def to_dict(self) -> dict[str, Any]:
        """Plain values for JSON (same seed → the same JSON; NaN → None)."""
        head = {"n": self.n, "seed": self.seed, "block_rows": self.block_rows}
        extra = {"breakeven": self.breakeven} if self.breakeven else {}
        return summary_dict(self, head, extra)

    def __repr__(self) -> str:
        cheapest = most_often_cheapest(self.probability_cheapest)
        return (
            f"StreamingMonteCarloResult(n={compact(self.n)}, seed={self.seed}, "
            f"{len(self.inputs)} inputs, {len(self.summary)} outputs{cheapest})"
        )

    def plot(
        self, ax: Any = None, outputs: Sequence[str] | None = None, *, kind: str = "hist"
    ) -> Any:
        """Histograms or CDFs of the outputs from the fine histograms, P5/P50/P95 marked.

        The chart of :meth:`llmcost.analysis.MonteCarloResult.plot`, drawn from the counts.

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
            Where to draw; default a new pyplot figure (needs ``llmcost[plot]``).
        outputs : sequence of str, optional
            The outputs to show; default every output with a histogram.
        kind : {"hist", "cdf"}
            Density histograms or cumulative shares.

        Returns
        -------
        matplotlib.axes.Axes
            The axes drawn on.
        """
        from .plotting import axes_for, draw_monte_carlo

        return draw_monte_carlo(axes_for(ax), self, outputs, kind=kind)

    def to_xarray(self) -> Any:
        """An ``xarray.Dataset`` over dim ``output`` (and ``bin`` for the histograms).

        Units in ``attrs`` (:func:`llmcost.analysis._xarray.summary_dataset`).
        """
        return summary_dataset(
            self.summary,
            self.probability_cheapest,
            units=self.units,
            attrs={"n": self.n, "block_rows": self.block_rows}
            | ({} if self.seed is None else {"seed": self.seed}),
            histograms=self.histograms,
            breakeven=self.breakeven,
        )


def _ext_bins(values: FloatArray, edges: FloatArray) -> Any:
    """Histogram bin of each value: 0 below the edges, 1…B inside, B + 1 at or above the top."""
    inside = np.searchsorted(edges, values, side="right") - 1
    return np.clip(inside, -1, edges.size - 1) + 1


@dataclass(frozen=True)
class _Draws:
    """The inputs of block ``i``: its seeded draws of ``space``."""

    space: ParameterSpace
    seed: int
    n: int
    block_rows: int

    def __call__(self, block: int) -> dict[str, FloatArray]:
        return block_draws(self.space, self.seed, block, self.n, self.block_rows)


@dataclass(frozen=True)
class _GridRows:
    """The inputs of block ``i``.

    Rows ``i·block_rows …`` of the cartesian product of the axes (first axis slowest, as
    :func:`~llmcost.analysis.sweep.cartesian`), never the whole grid.
    """

    axes: tuple[tuple[str, FloatArray], ...]
    constants: tuple[tuple[str, float], ...]
    block_rows: int

    @property
    def n(self) -> int:
        return int(np.prod([v.size for _, v in self.axes]))

    def __call__(self, block: int) -> dict[str, FloatArray]:
        start = block * self.block_rows
        rows = np.arange(start, min(start + self.block_rows, self.n))
        where = np.unravel_index(rows, tuple(v.size for _, v in self.axes))
        out = {name: np.full(rows.size, value) for name, value in self.constants}
        return out | {name: v[i] for (name, v), i in zip(self.axes, where, strict=True)}


@dataclass(frozen=True)
class _Plan:
    model: Model
    source: Callable[[int], dict[str, FloatArray]]
    n: int
    block_rows: int
    chunk_rows: int
    outputs: tuple[str, ...]
    options: tuple[str, ...]
    edges: dict[str, FloatArray]

    def outputs_of(self, block: int) -> dict[str, FloatArray]:
        return evaluate_chunked(self.model, self.source(block), chunk_rows=self.chunk_rows)

    def reduce(self, block: int) -> dict[str, Any]:
        """The fixed-size record of one block."""
        got = self.outputs_of(block)
        offset = block * self.block_rows
        record: dict[str, Any] = {}
        for name in self.outputs:
            v = got[name]
            ok = np.isfinite(v)
            finite = v[ok]
            stats = np.full(len(_STATS), np.nan)
            stats[0] = finite.size
            if finite.size:
                mean = finite.mean()
                stats[1], stats[2] = mean, np.sum((finite - mean) ** 2)
                stats[3], stats[4] = finite.min(), offset + np.argmin(np.where(ok, v, np.inf))
                stats[5], stats[6] = finite.max(), offset + np.argmax(np.where(ok, v, -np.inf))
            bins = np.bincount(
                _ext_bins(finite, self.edges[name]), minlength=self.edges[name].size + 1
            )
            record[name] = (stats, bins)
        if len(self.options) >= 2:
            stacked = np.stack([np.where(np.isnan(got[k]), np.inf, got[k]) for k in self.options])
            winner = np.argmin(stacked, axis=0)[np.isfinite(stacked).any(axis=0)]
            record["_winners"] = np.bincount(winner, minlength=len(self.options))
        return record

    def _finite(self, block: int) -> dict[str, FloatArray]:
        got = self.outputs_of(block)
        return {k: v[np.isfinite(v)] for k, v in got.items() if k in self.outputs}

    def refine(self, block: int, intervals: dict[Key, tuple[float, float]]) -> dict[Key, Any]:
        """Per target: a histogram of the block's values in [lo, hi), and their min and max."""
        finite = self._finite(block)
        out = {}
        bins = self.edges[next(iter(self.edges))].size - 1
        for key, (lo, hi) in intervals.items():
            v = finite[key[0]]
            v = v[(v >= lo) & (v < hi)]
            sub = np.searchsorted(sub_edges(lo, hi, bins), v, side="right") - 1
            counts = np.bincount(np.clip(sub, 0, bins - 1), minlength=bins)
            extremes = (float(v.min()), float(v.max())) if v.size else (np.inf, -np.inf)
            out[key] = (counts, *extremes)
        return out

    def collect(self, block: int, intervals: dict[Key, tuple[float, float]]) -> dict[Key, Any]:
        """Per target: the block's values in [lo, hi)."""
        finite = self._finite(block)
        return {
            key: finite[key[0]][(finite[key[0]] >= lo) & (finite[key[0]] < hi)]
            for key, (lo, hi) in intervals.items()
        }


def _merge(records: list[dict[str, Any]], name: str) -> tuple[FloatArray, FloatArray]:
    """Merge the blocks' statistics of ``name`` in block order (Chan et al. 1979)."""
    count = mean = m2 = 0.0
    lo, lo_at, hi, hi_at = np.inf, np.nan, -np.inf, np.nan
    bins = np.zeros_like(records[0][name][1])
    for record in records:
        s, b = record[name]
        bins = bins + b
        nb = s[0]
        if nb == 0:
            continue
        total = count + nb
        delta = s[1] - mean
        mean = mean + delta * nb / total
        m2 = m2 + s[2] + delta * delta * count * nb / total
        count = total
        if s[3] < lo:
            lo, lo_at = s[3], s[4]
        if s[5] > hi:
            hi, hi_at = s[5], s[6]
    return np.array([count, mean, m2, lo, lo_at, hi, hi_at]), bins


def monte_carlo_stream(
    model: Model,
    space: ParameterSpace,
    n: int,
    *,
    seed: int = 0,
    outputs: Sequence[str] | None = None,
    options: Sequence[str] | None = None,
    percentiles: Sequence[float] = (5.0, 50.0, 95.0),
    block_rows: int = DEFAULT_BLOCK_ROWS,
    memory_budget_gb: float = DEFAULT_MEMORY_BUDGET_GB,
    bins: int = DEFAULT_BINS,
    units: dict[str, str] | None = None,
    backend: str = "numpy",
    scheduler: Any = None,
    breakeven: BreakevenCounts | None = None,
) -> StreamingMonteCarloResult:
    """Monte Carlo of ``n`` draws in bounded memory (see the module docstring).

    Parameters
    ----------
    model : callable
        ``inputs → {output: array}``, vectorized.
    space : ParameterSpace
        The uncertain inputs.
    n : int
        Draws [count]; up to :data:`MAX_STREAM_DRAWS`, in bounded memory.
    seed : int
        Seed of the blocks.
    outputs : sequence of str, optional
        Outputs to summarize (default: all the model returns).
    options : sequence of str, optional
        Outputs that are options' costs, for the probability each is cheapest.
    percentiles : sequence of float
        Percentiles to report [%], exact (a second pass over the blocks).
    block_rows : int
        Rows per seeded block; the draws depend on it and on ``seed`` only.
    memory_budget_gb : float
        Memory one evaluation chunk may use [GB]; the chunk size is derived from the model's
        measured bytes per row and does not change any result.
    bins : int
        Histogram bins per output.
    units : mapping of str to str, optional
        Each output's unit, kept for :meth:`~StreamingMonteCarloResult.to_xarray`.
    backend : {"numpy", "dask"}
        Here, or on a cluster (:mod:`llmcost.analysis.backends`).
    scheduler : optional
        The dask scheduler or client.
    breakeven : BreakevenCounts, optional
        Count, per pair of options, the draws with a break-even in a range and reduce where it
        lies (:class:`~llmcost.analysis.stream_breakeven.BreakevenCounts`; one search per
        draw: about ``n_grid`` + 100 model rows per draw).

    Returns
    -------
    StreamingMonteCarloResult
        The summary, P(cheapest) and histograms; no draw is kept.

    Examples
    --------
    >>> space = ParameterSpace.from_dict({"p": {"dist": "uniform", "low": 0, "high": 2}})
    >>> r = monte_carlo_stream(lambda x: {"api": x["p"], "own": np.ones_like(x["p"])}, space,
    ...                        100_000, seed=1, options=["api", "own"], block_rows=10_000)
    >>> round(r.probability_cheapest["api"], 2), round(r.summary["api"]["p50"], 2)
    (0.5, 1.0)
    """
    n = whole_arg(n, "n", lo=1, hi=MAX_STREAM_DRAWS)
    if bins < 1:
        raise InvalidInputError(f"bins must be ≥ 1; got {bins}")
    if block_rows < 1:
        raise InvalidInputError(f"block_rows must be ≥ 1; got {block_rows}")
    source = _Draws(space, seed, int(n), block_rows)
    plan = _plan(model, source, memory_budget_gb, bins, outputs, options, breakeven)
    summary, cheapest, histograms, found = _reduce_all(plan, percentiles, backend, scheduler)
    return StreamingMonteCarloResult(
        n=plan.n,
        seed=seed,
        block_rows=block_rows,
        inputs=tuple(space.describe()),
        summary=summary,
        probability_cheapest=cheapest,
        histograms=histograms,
        units=dict(units or {}),
        breakeven=found,
    )


def sweep_stream(
    model: Model,
    axes: Mapping[str, ArrayLike],
    *,
    constants: Mapping[str, float] | None = None,
    outputs: Sequence[str] | None = None,
    options: Sequence[str] | None = None,
    percentiles: Sequence[float] = (5.0, 50.0, 95.0),
    block_rows: int = DEFAULT_BLOCK_ROWS,
    memory_budget_gb: float = DEFAULT_MEMORY_BUDGET_GB,
    bins: int = DEFAULT_BINS,
    units: dict[str, str] | None = None,
    backend: str = "numpy",
    scheduler: Any = None,
    breakeven: BreakevenCounts | None = None,
) -> StreamingMonteCarloResult:
    """Reductions over the cartesian grid of ``axes`` without building it.

    The same record per block as :func:`monte_carlo_stream` (``argmin``/``argmax`` are flat grid
    indices: ``np.unravel_index(i, [len(a) for a in axes.values()])``; ``probability_cheapest`` is
    the share of grid points each option wins; ``seed`` is None; ``breakeven`` counts grid
    points).

    >>> r = sweep_stream(lambda x: {"api": x["v"] * x["p"], "own": 5.0 + 0 * x["v"]},
    ...                  {"v": np.arange(1, 101), "p": [0.01, 0.1]}, options=["api", "own"])
    >>> r.n, r.summary["api"]["argmax"], r.probability_cheapest["api"]
    (200, 199.0, 0.75)
    """
    if bins < 1:
        raise InvalidInputError(f"bins must be ≥ 1; got {bins}")
    grid = cartesian({k: np.asarray(v)[:1] for k, v in axes.items()})  # checks the axes
    values = tuple((name, np.atleast_1d(np.asarray(axes[name], dtype=np.float64))) for name in grid)
    fixed = tuple((k, float(v)) for k, v in (constants or {}).items())
    if block_rows < 1:
        raise InvalidInputError(f"block_rows must be ≥ 1; got {block_rows}")
    source = _GridRows(values, fixed, block_rows)
    plan = _plan(model, source, memory_budget_gb, bins, outputs, options, breakeven)
    summary, cheapest, histograms, found = _reduce_all(plan, percentiles, backend, scheduler)
    return StreamingMonteCarloResult(
        n=plan.n,
        seed=None,
        block_rows=block_rows,
        inputs=tuple({"input": k, "values": int(v.size)} for k, v in values),
        summary=summary,
        probability_cheapest=cheapest,
        histograms=histograms,
        units=dict(units or {}),
        breakeven=found,
    )


def _plan(
    model: Model,
    source: _Draws | _GridRows,
    memory_budget_gb: float,
    bins: int,
    outputs: Sequence[str] | None,
    options: Sequence[str] | None,
    breakeven: BreakevenCounts | None = None,
) -> _Plan:
    """Outputs, histogram edges (from the first block's range) and the chunk size.

    With ``breakeven``, the model also returns each pair's first crossing per row, and a chunk
    is ``n_grid`` times smaller (each row is solved on its own grid).
    """
    first = source(0)
    chunk_rows = chunk_rows_for_budget(bytes_per_row(model, first), memory_budget_gb)
    extra: tuple[str, ...] = ()
    if breakeven is not None:
        model = WithBreakeven(model, breakeven, chunk_rows)
        chunk_rows = max(1, chunk_rows // breakeven.n_grid)
        extra = tuple(breakeven.column(p) for p in breakeven.pairs)
    got = evaluate_chunked(model, first, chunk_rows=chunk_rows)
    wanted = tuple(outputs) if outputs is not None else tuple(k for k in got if k not in extra)
    wanted += extra
    opts = tuple(options or ())
    missing = sorted(set(wanted + opts) - set(got))
    if missing:
        raise InvalidInputError(
            f"unknown model output(s) {', '.join(missing)}; the model returns: {', '.join(got)}"
        )
    edges = {}
    for name in dict.fromkeys(wanted + opts):
        finite = got[name][np.isfinite(got[name])]
        lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
        edges[name] = np.linspace(lo, hi if hi > lo else lo + 1.0, bins + 1)
    names = tuple(dict.fromkeys(wanted + opts))
    return _Plan(model, source, source.n, source.block_rows, chunk_rows, names, opts, edges)


def _reduce_all(
    plan: _Plan, percentiles: Sequence[float], backend: str, scheduler: Any
) -> tuple[dict[str, dict[str, float]], dict[str, float], dict[str, Any], dict[str, Any]]:
    """Summary, P(cheapest), histograms and break-even counts of every block, in block order."""
    if any(not 0 <= q <= 100 for q in percentiles):
        raise InvalidInputError(f"percentiles must lie in [0, 100]; got {list(percentiles)}")
    blocks = n_blocks(plan.n, plan.block_rows)
    records = map_blocks(plan.reduce, blocks, backend=backend, scheduler=scheduler)
    merged = {name: _merge(records, name) for name in plan.outputs}
    exact = exact_percentiles(plan, merged, percentiles, blocks, backend, scheduler)
    summary = {}
    for name in plan.outputs:
        s, _ = merged[name]
        count = int(s[0])
        std = float(np.sqrt(s[2] / (count - 1))) if count > 1 else (0.0 if count else np.nan)
        summary[name] = {
            "mean": float(s[1]) if count else np.nan,
            "std": std,
            **exact[name],
            "min": float(s[3]) if count else np.nan,
            "argmin": float(s[4]),
            "max": float(s[5]) if count else np.nan,
            "argmax": float(s[6]),
            "undefined_fraction": 1.0 - count / plan.n,
        }
    cheapest: dict[str, float] = {}
    if len(plan.options) >= 2:
        wins = np.sum([r["_winners"] for r in records], axis=0)
        cheapest = {o: float(c / plan.n) for o, c in zip(plan.options, wins, strict=True)}
    counts = plan.model.counts if isinstance(plan.model, WithBreakeven) else None
    finite = {name: int(merged[name][0][0]) for name in plan.outputs}
    summary, found = split_summary(summary, finite, counts, plan.n)
    histograms = {k: (plan.edges[k], merged[k][1]) for k in plan.outputs if k in summary}
    return summary, cheapest, histograms, found
