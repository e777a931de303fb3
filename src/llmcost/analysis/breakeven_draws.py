"""Break-even per draw: the first and the sustained crossing for many input rows at once.

The distribution of the break-even volume under uncertainty needs one solve per Monte Carlo
draw. Here every draw is solved together: one model call on a (draws × grid) table, then a
vectorized bisection of each draw's first and last bracket (one model call per step for all
draws). Crossings closer than a grid cell can hide each other, as in
:func:`llmcost.analysis.breakeven.breakeven_curve`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from .._core._arrays import FloatArray
from .._core.display import compact, html_table
from .._core.errors import InvalidInputError
from .._core.result import ResultShape
from .._core.serialize import jsonable
from ._model import DEFAULT_CHUNK_ROWS, Model, aligned_inputs, evaluate_chunked
from .crossings import check_range, search_grid, sign_of_difference

__all__ = ["BreakevenDraws", "breakeven_per_draw"]


@dataclass(frozen=True)
class BreakevenDraws(ResultShape):
    """Per draw: the first and the sustained (last) crossing [unit of the variable].

    NaN when the cheaper option never changes in the range; how many crossings the grid saw; and
    whether ``option_b`` is the cheaper one at the top of the range.
    """

    variable: str
    option_a: str
    option_b: str
    first: FloatArray
    sustained: FloatArray
    n_crossings: NDArray[np.int64]
    b_cheaper_at_hi: NDArray[np.bool_]
    search_range: tuple[float, float]

    def to_frame(self) -> pd.DataFrame:
        """One row per draw."""
        return pd.DataFrame(
            {
                "first": self.first,
                "sustained": self.sustained,
                "n_crossings": self.n_crossings,
                "b_cheaper_at_hi": self.b_cheaper_at_hi,
            }
        )

    def to_dict(self) -> dict[str, Any]:
        """The summary over the draws, JSON-ready (``None``: no draw has a crossing).

        ``first_p5``/``first_p50``/``first_p95`` [unit of the variable] over the draws that
        cross, ``never_fraction`` [0–1] of draws that do not; the values per draw are in
        :meth:`to_frame`.
        """
        p5, p50, p95, never = self._quantiles()
        return jsonable(
            {
                "variable": self.variable,
                "option_a": self.option_a,
                "option_b": self.option_b,
                "search_range": list(self.search_range),
                "n_draws": int(self.first.size),
                "first_p5": p5,
                "first_p50": p50,
                "first_p95": p95,
                "never_fraction": never,
            }
        )

    def _quantiles(self) -> tuple[float, float, float, float]:
        """P5, P50, P95 of the first crossing over the draws that have one.

        And the share of draws without ("never").
        """
        finite = self.first[np.isfinite(self.first)]
        never = 1.0 - finite.size / max(self.first.size, 1)
        if not finite.size:
            return math.nan, math.nan, math.nan, never
        p5, p50, p95 = (float(v) for v in np.percentile(finite, [5, 50, 95]))
        return p5, p50, p95, never

    def __repr__(self) -> str:
        _, p50, _, never = self._quantiles()
        return (
            f"BreakevenDraws({self.variable}: {self.option_a} vs {self.option_b}, "
            f"{self.first.size:,} draws, first P50={compact(p50, never='never')}, "
            f"never {never:.0%})"
        )

    def _repr_html_(self) -> str:
        p5, p50, p95, never = self._quantiles()
        title = (
            f"Break-even in {self.variable} per draw, {self.option_a} vs {self.option_b} "
            f"({self.first.size:,} draws)"
        )
        cells = [compact(p5), compact(p50), compact(p95), f"{never:.1%}"]
        return html_table(title, ["first P5", "first P50", "first P95", "never"], [cells])


def _signs_rows(
    model: Model,
    base: Mapping[str, FloatArray],
    rows: NDArray[np.int64],
    variable: str,
    x: FloatArray,
    option_a: str,
    option_b: str,
    chunk_rows: int,
) -> FloatArray:
    inputs = {k: v[rows] for k, v in base.items()}
    inputs[variable] = x
    out = evaluate_chunked(model, inputs, chunk_rows=chunk_rows)
    for name in (option_a, option_b):
        if name not in out:
            raise InvalidInputError(
                f"unknown model output {name!r}; the model returns: {', '.join(out)}"
            )
    return sign_of_difference(out[option_a], out[option_b])


def breakeven_per_draw(
    model: Model,
    variable: str,
    lo: float,
    hi: float,
    *,
    option_a: str,
    option_b: str,
    draws: Mapping[str, ArrayLike],
    n_grid: int = 257,
    scale: str = "linear",
    xtol_rel: float = 1e-12,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
) -> BreakevenDraws:
    """First and sustained crossing of ``option_a`` and ``option_b`` in ``variable`` over [lo, hi].

    For every row of ``draws`` (aligned arrays of the other inputs; a ``variable`` column there is
    ignored).

    >>> r = breakeven_per_draw(
    ...     lambda x: {"api": x["price"] * x["volume"], "own": 1000.0 + 0 * x["volume"]},
    ...     "volume", 0, 1e4, option_a="api", option_b="own", draws={"price": [1.0, 2.0, 0.01]})
    >>> np.round(r.first, 6).tolist()  # 1000 / price; never for the cheapest API
    [1000.0, 500.0, nan]
    """
    lo_f, hi_f = check_range(lo, hi, n_grid, scale)
    base = {k: v for k, v in aligned_inputs(draws).items() if k != variable}
    if not base:
        raise InvalidInputError("draws must hold at least one input besides the variable")
    n = next(iter(base.values())).size
    x = search_grid(lo_f, hi_f, int(n_grid), scale)
    rows = np.repeat(np.arange(n), x.size)
    s = _signs_rows(
        model, base, rows, variable, np.tile(x, n), option_a, option_b, chunk_rows
    ).reshape(n, x.size)
    # carry the last strict sign forward over ties, so a tie between two signs is one change
    cols = np.arange(x.size)
    last = np.maximum.accumulate(np.where(s != 0, cols, 0), axis=1)
    s_ff = np.take_along_axis(s, last, axis=1)
    change = (s_ff[:, :-1] != 0) & (s[:, 1:] != 0) & (s_ff[:, :-1] != s[:, 1:])
    count = change.sum(axis=1)
    has = count > 0
    j_first = np.argmax(change, axis=1)
    j_last = x.size - 2 - np.argmax(change[:, ::-1], axis=1)
    first = np.full(n, np.nan)
    sustained = np.full(n, np.nan)
    for j, out in ((j_first, first), (j_last, sustained)):
        r = np.flatnonzero(has)
        b_lo = x[last[r, j[r]]]
        b_hi = x[j[r] + 1]
        s_lo = s_ff[r, j[r]]
        for _ in range(200):
            active = (b_hi - b_lo) > xtol_rel * np.maximum(np.abs(b_lo), np.abs(b_hi)) + (
                xtol_rel * (hi_f - lo_f) if scale == "linear" else 0.0
            )
            if not np.any(active):
                break
            a_lo, a_hi = b_lo[active], b_hi[active]
            mid = np.sqrt(a_lo * a_hi) if scale == "log" else a_lo + (a_hi - a_lo) / 2
            s_mid = _signs_rows(
                model, base, r[active], variable, mid, option_a, option_b, chunk_rows
            )
            same = s_mid == s_lo[active]
            tie = s_mid == 0
            b_lo[active] = np.where(same | tie, mid, a_lo)
            b_hi[active] = np.where(~same | tie, mid, a_hi)
        out[r] = (b_lo + b_hi) / 2
    b_wins = s_ff[:, -1] > 0  # sign(a − b) > 0 at the top: b cheaper
    return BreakevenDraws(
        variable=variable,
        option_a=option_a,
        option_b=option_b,
        first=first,
        sustained=sustained,
        n_crossings=count.astype(np.int64),
        b_cheaper_at_hi=b_wins,
        search_range=(lo_f, hi_f),
    )
