"""Break-even counts in bounded memory.

Per pair of options: how many draws (or grid points) have a break-even within a range, and the
quantiles of where it lies.

:class:`BreakevenCounts` names the variable, its range and the pairs. The streaming reductions
(:func:`~llmcost.analysis.streaming.monte_carlo_stream`,
:func:`~llmcost.analysis.streaming.sweep_stream`) then solve each block's draws with
:func:`~llmcost.analysis.breakeven_draws.breakeven_per_draw` (the first crossing per draw, NaN
when the cheaper option never changes in the range) and reduce that column like any output:
count, mean, min/max, exact percentiles. The solve is row by row, so the blocks give the same
numbers as one solve over every draw at once, bit for bit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .._core._arrays import FloatArray
from .._core.errors import InvalidInputError
from ._model import Model, evaluate_chunked
from .breakeven_draws import breakeven_per_draw
from .crossings import check_range

__all__ = ["BreakevenCounts"]

#: Prefix of the internal output column holding a pair's first crossing per draw.
_PREFIX = "breakeven:"


@dataclass(frozen=True)
class BreakevenCounts:
    """Which break-evens a streaming reduction counts.

    Parameters
    ----------
    variable : the input solved for (e.g. ``"volume_mtok_per_month"``); its value in the
        draws is ignored
    lo, hi : the search range [unit of ``variable``]
    pairs : ``(option_a, option_b)`` model outputs to compare, e.g. ``[("api", "own")]``
    n_grid, scale : the search grid (:func:`~llmcost.analysis.breakeven_draws.breakeven_per_draw`)
    unit : unit of ``variable``, for ``to_xarray()`` and reports
    """

    variable: str
    lo: float
    hi: float
    pairs: Sequence[tuple[str, str]]
    n_grid: int = 257
    scale: str = "linear"
    unit: str = ""

    def __post_init__(self) -> None:
        check_range(self.lo, self.hi, self.n_grid, self.scale)
        pairs = tuple((str(a), str(b)) for a, b in self.pairs)
        if not pairs or any(a == b for a, b in pairs):
            raise InvalidInputError(
                f"pairs must name two different options each; got {list(self.pairs)!r}"
            )
        object.__setattr__(self, "pairs", pairs)

    def column(self, pair: tuple[str, str]) -> str:
        """The internal output name of ``pair``'s first crossing."""
        return f"{_PREFIX}{pair[0]}|{pair[1]}"

    def label(self, pair: tuple[str, str]) -> str:
        """``"a vs b"``: the key of ``pair`` in a result's ``breakeven``."""
        return f"{pair[0]} vs {pair[1]}"


@dataclass(frozen=True)
class WithBreakeven:
    """``model`` plus, per pair, its first crossing per row (picklable, for dask workers)."""

    model: Model
    counts: BreakevenCounts
    chunk_rows: int

    def __call__(self, inputs: Mapping[str, FloatArray]) -> dict[str, Any]:
        out: dict[str, Any] = dict(evaluate_chunked(self.model, inputs, chunk_rows=self.chunk_rows))
        c = self.counts
        draws = {k: v for k, v in inputs.items() if k != c.variable}
        for pair in c.pairs:
            solved = breakeven_per_draw(
                self.model, c.variable, c.lo, c.hi, option_a=pair[0], option_b=pair[1],
                draws=draws, n_grid=c.n_grid, scale=c.scale, chunk_rows=self.chunk_rows,
            )  # fmt: skip
            out[c.column(pair)] = solved.first
        return out


def split_summary(
    summary: dict[str, dict[str, float]],
    found_counts: Mapping[str, int],
    counts: BreakevenCounts | None,
    n: int,
) -> tuple[dict[str, dict[str, float]], dict[str, dict[str, Any]]]:
    """Split the break-even columns off the outputs' summary.

    Per pair (``"a vs b"``): the draws with a break-even in the range (``found_counts``: finite
    values per output column), their share, and the mean / percentiles / min / max of where it
    lies (``argmin``/``argmax``: draw indices).
    """
    if counts is None:
        return summary, {}
    found: dict[str, dict[str, Any]] = {}
    for pair in counts.pairs:
        stats = summary.pop(counts.column(pair))
        with_one = int(found_counts[counts.column(pair)])
        keep = {k: v for k, v in stats.items() if k not in ("std", "undefined_fraction")}
        found[counts.label(pair)] = {
            "variable": counts.variable,
            "range": [float(counts.lo), float(counts.hi)],
            "unit": counts.unit,
            "with_breakeven": with_one,
            "fraction": with_one / n,
            **keep,
        }
    return summary, found
