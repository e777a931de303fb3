"""Break-even solvers: where two options cost the same, for any numeric input.

Costs with whole replicas are step functions of volume, so self-hosting can win, lose again when
the next replica is added, and win again. The solvers therefore return **every** crossing in the
searched range: sign changes of ``cost_a − cost_b`` on a grid, each refined by vectorized
bisection (all brackets at once, one model call per step). A crossing at a jump is reported at
the jump. "Never" is an empty list / NaN, not an exception, unless ``raise_on_failure=True``.

Crossings closer together than one grid cell can hide each other; raise ``n_grid`` when costs
have fine steps. Where two costs tie over a whole interval, the change of order is reported at a
point inside it. An infeasible option (NaN cost) counts as more expensive than a feasible one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from .._core._arrays import FloatArray, as_float_array, check_nonnegative, scalar_or_array
from .._core.display import compact, html_table
from .._core.errors import InfeasibleError, InvalidInputError
from ..cost.horizon import payback_month
from ._model import Model, aligned_inputs, evaluate

__all__ = [
    "BreakevenResult",
    "breakeven",
    "breakeven_curve",
    "breakeven_linear",
    "breakeven_pairs",
    "payback_months",
    "payback_months_constant",
]

CostPair = Callable[[FloatArray], tuple[ArrayLike, ArrayLike]]
_SCALES = ("linear", "log")


@dataclass(frozen=True)
class BreakevenResult:
    """Every point where the cheaper of two options changes, over a searched range.

    ``crossings`` are ascending; ``cheaper_above[i]`` names the option that is cheaper just
    above ``crossings[i]``; ``jump[i]`` is True when the costs cross by a step (a replica
    added) rather than continuously.
    """

    variable: str
    option_a: str
    option_b: str
    crossings: FloatArray
    cheaper_above: tuple[str, ...]
    jump: tuple[bool, ...]
    search_range: tuple[float, float]
    cheaper_at_start: str | None  # None: the two costs are equal at the start of the range

    @property
    def first(self) -> float:
        """The lowest crossing, NaN if the cheaper option never changes in the range."""
        return float(self.crossings[0]) if self.crossings.size else float("nan")

    @property
    def sustained(self) -> float:
        """The last crossing: above it the same option stays cheaper to the end of the range
        (:attr:`sustained_winner`); NaN if there is no crossing."""
        return float(self.crossings[-1]) if self.crossings.size else float("nan")

    @property
    def sustained_winner(self) -> str | None:
        """The option cheaper from :attr:`sustained` to the end of the range."""
        return self.cheaper_above[-1] if self.cheaper_above else self.cheaper_at_start

    def to_frame(self) -> pd.DataFrame:
        """One row per crossing."""
        return pd.DataFrame(
            {
                "variable": self.variable,
                "option_a": self.option_a,
                "option_b": self.option_b,
                "crossing": self.crossings,
                "cheaper_above": list(self.cheaper_above),
                "jump": list(self.jump),
            },
            columns=["variable", "option_a", "option_b", "crossing", "cheaper_above", "jump"],
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain values (NaN for "never"), in the CLI's shape."""
        return {
            "option_a": self.option_a,
            "option_b": self.option_b,
            "crossings": [float(x) for x in self.crossings],
            "cheaper_above": list(self.cheaper_above),
            "jump": list(self.jump),
            "first": self.first,
            "sustained": self.sustained,
            "sustained_winner": self.sustained_winner,
            "cheaper_at_start": self.cheaper_at_start,
            "search_range": list(self.search_range),
        }

    def __repr__(self) -> str:
        n = self.crossings.size
        return (
            f"BreakevenResult({self.variable}: {self.option_a} vs {self.option_b}, "
            f"{n} crossing{'s' * (n != 1)}, first={compact(self.first, never='never')}, "
            f"sustained={compact(self.sustained, never='never')} -> {self.sustained_winner})"
        )

    def _repr_html_(self) -> str:
        rows = [
            [compact(float(x)), above, "step" if j else ""]
            for x, above, j in zip(self.crossings[:10], self.cheaper_above, self.jump, strict=False)
        ]
        lo, hi = self.search_range
        title = (
            f"Break-even in {self.variable}, {self.option_a} vs {self.option_b} over "
            f"[{compact(lo)}, {compact(hi)}]: "
            + (f"{self.crossings.size} crossing(s)" if rows else "never")
            + (" (first 10 shown)" if self.crossings.size > 10 else "")
        )
        return html_table(title, ["crossing", "cheaper above", ""], rows)


def breakeven_linear(
    fixed_a: ArrayLike, slope_a: ArrayLike, fixed_b: ArrayLike, slope_b: ArrayLike
) -> Any:
    """Where ``fixed_a + slope_a·x = fixed_b + slope_b·x`` [unit of x]; NaN when the lines are
    parallel or meet at x < 0 (never, for a non-negative input such as volume).

    >>> breakeven_linear(10_000.0, 0.0, 0.0, 5.0)  # $10k/month flat vs $5 per unit
    2000.0
    >>> breakeven_linear([1.0, 1.0], [2.0, 1.0], [0.0, 0.0], [1.0, 1.0])
    array([nan, nan])
    """
    fa, sa, fb, sb = (
        as_float_array(v, n)
        for v, n in (
            (fixed_a, "fixed_a"),
            (slope_a, "slope_a"),
            (fixed_b, "fixed_b"),
            (slope_b, "slope_b"),
        )
    )
    dslope = sa - sb
    with np.errstate(divide="ignore", invalid="ignore"):
        x = np.where(dslope != 0, (fb - fa) / np.where(dslope != 0, dslope, 1.0), np.nan)
    x = np.where(x >= 0, x, np.nan)
    return scalar_or_array(x, fixed_a, slope_a, fixed_b, slope_b)


def _sign_of_difference(a: ArrayLike, b: ArrayLike) -> FloatArray:
    """sign(a − b); an infeasible (NaN) cost loses against a feasible one, two NaN tie."""
    a_arr = np.asarray(a, dtype=np.float64)
    b_arr = np.asarray(b, dtype=np.float64)
    a_nan, b_nan = np.isnan(a_arr), np.isnan(b_arr)
    with np.errstate(invalid="ignore"):
        s = np.sign(a_arr - b_arr)
    s = np.where(a_nan & ~b_nan, 1.0, s)
    s = np.where(b_nan & ~a_nan, -1.0, s)
    return np.where(a_nan & b_nan, 0.0, s)


def _grid(lo: float, hi: float, n_grid: int, scale: str) -> FloatArray:
    if scale == "log":
        return np.geomspace(lo, hi, n_grid)
    return np.linspace(lo, hi, n_grid)


def _check_range(lo: float, hi: float, n_grid: int, scale: str) -> tuple[float, float]:
    if scale not in _SCALES:
        raise InvalidInputError(f"scale must be one of {', '.join(_SCALES)}; got {scale!r}")
    lo_f, hi_f = float(lo), float(hi)
    if not (np.isfinite(lo_f) and np.isfinite(hi_f)) or not lo_f < hi_f:
        raise InvalidInputError(f"search range must be finite with lo < hi; got [{lo!r}, {hi!r}]")
    if scale == "log" and lo_f <= 0:
        raise InvalidInputError(f"a log-scale search range must start above 0; got lo={lo!r}")
    if int(n_grid) != n_grid or n_grid < 2:
        raise InvalidInputError(f"n_grid must be a whole number ≥ 2; got {n_grid!r}")
    return lo_f, hi_f


def _signs(f: CostPair, x: FloatArray) -> FloatArray:
    a, b = f(x)
    a_arr = np.broadcast_to(np.asarray(a, dtype=np.float64), x.shape)
    b_arr = np.broadcast_to(np.asarray(b, dtype=np.float64), x.shape)
    return _sign_of_difference(a_arr, b_arr)


def _brackets(x: FloatArray, s: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Consecutive grid points of strictly opposite sign (ties in between are skipped)."""
    strict = np.flatnonzero(s != 0)
    if strict.size < 2:
        empty = np.empty(0)
        return empty, empty, empty
    left, right = strict[:-1], strict[1:]
    change = s[left] != s[right]
    return x[left[change]], x[right[change]], s[left[change]]


def _bisect(
    f: CostPair,
    lo: FloatArray,
    hi: FloatArray,
    s_lo: FloatArray,
    *,
    scale: str,
    xtol_rel: float,
    xtol_abs: float,
    max_iter: int = 200,
) -> tuple[FloatArray, FloatArray]:
    """Shrink every bracket at once until it is ``xtol_rel`` (relative) or ``xtol_abs`` wide;
    return the final brackets."""
    lo, hi = lo.copy(), hi.copy()
    for _ in range(max_iter):
        active = (hi - lo) > np.maximum(xtol_rel * np.maximum(np.abs(lo), np.abs(hi)), xtol_abs)
        if not np.any(active):
            break
        a_lo, a_hi = lo[active], hi[active]
        mid = np.sqrt(a_lo * a_hi) if scale == "log" else a_lo + (a_hi - a_lo) / 2
        s_mid = _signs(f, mid)
        same = s_mid == s_lo[active]
        tie = s_mid == 0
        lo[active] = np.where(same | tie, mid, a_lo)
        hi[active] = np.where(~same | tie, mid, a_hi)
    return lo, hi


def breakeven_curve(
    f: CostPair,
    lo: float,
    hi: float,
    *,
    variable: str = "x",
    option_a: str = "a",
    option_b: str = "b",
    n_grid: int = 2049,
    scale: str = "linear",
    xtol_rel: float = 1e-12,
    raise_on_failure: bool = False,
) -> BreakevenResult:
    """All crossings of two cost curves given by ``f(x) -> (cost_a, cost_b)`` on [lo, hi].

    Parameters
    ----------
    f : vectorized: takes a 1-d array of the variable, returns the two costs (same length)
    lo, hi : search range [unit of the variable]
    n_grid : grid points of the first pass (crossings closer than one cell can be missed)
    scale : "linear" or "log" (grid and bisection in log space; for volumes over decades)
    xtol_rel : relative width at which bisection stops
    raise_on_failure : raise :class:`InfeasibleError` instead of returning no crossing

    >>> r = breakeven_curve(lambda x: (1000.0 + 0 * x, 2.0 * x), 0.0, 10_000.0)
    >>> round(r.first, 6), r.cheaper_above
    (500.0, ('a',))
    """
    lo_f, hi_f = _check_range(lo, hi, n_grid, scale)
    x = _grid(lo_f, hi_f, int(n_grid), scale)
    s = _signs(f, x)
    b_lo, b_hi, s_lo = _brackets(x, s)
    if b_lo.size:
        # linear scale: also stop at a width relative to the range (crossings near 0)
        xtol_abs = xtol_rel * (hi_f - lo_f) if scale == "linear" else 0.0
        b_lo, b_hi = _bisect(f, b_lo, b_hi, s_lo, scale=scale, xtol_rel=xtol_rel, xtol_abs=xtol_abs)
    crossings, jump = _locate(f, b_lo, b_hi)
    start = s[0] if s[0] != 0 else (s[s != 0][0] if np.any(s != 0) else 0.0)
    names = {1.0: option_b, -1.0: option_a}  # sign(a − b) > 0 → b cheaper
    result = BreakevenResult(
        variable=variable,
        option_a=option_a,
        option_b=option_b,
        crossings=crossings,
        cheaper_above=tuple(names[float(-v)] for v in s_lo),
        jump=tuple(bool(j) for j in jump),
        search_range=(lo_f, hi_f),
        cheaper_at_start=names.get(float(start)),
    )
    if raise_on_failure and not crossings.size:
        raise InfeasibleError(
            f"{option_a} and {option_b} do not cross for {variable} in [{lo_f:g}, {hi_f:g}]; "
            f"{result.cheaper_at_start or 'neither'} is cheaper throughout"
        )
    return result


def _locate(f: CostPair, lo: FloatArray, hi: FloatArray) -> tuple[FloatArray, NDArray[np.bool_]]:
    """Crossing inside each final bracket and whether it is a jump.

    A continuous crossing leaves a near-zero gap at both bracket ends and is placed by linear
    interpolation of the gap; a jump (a replica added) is placed at the bracket's middle.
    """
    if not lo.size:
        return np.empty(0), np.zeros(0, dtype=bool)
    a_lo, b_lo = (np.asarray(v, dtype=np.float64) for v in f(lo))
    a_hi, b_hi = (np.asarray(v, dtype=np.float64) for v in f(hi))
    d_lo, d_hi = a_lo - b_lo, a_hi - b_hi
    size = np.maximum.reduce([np.abs(a_lo), np.abs(b_lo), np.abs(a_hi), np.abs(b_hi)])
    with np.errstate(invalid="ignore", divide="ignore"):
        gap = np.maximum(np.abs(d_lo), np.abs(d_hi))
        jump = np.asarray(gap > 1e-6 * np.maximum(size, 1e-300)) | np.isnan(gap)
        t = np.where(d_lo != d_hi, d_lo / (d_lo - d_hi), 0.5)
    t = np.where(jump | ~np.isfinite(t), 0.5, np.clip(t, 0.0, 1.0))
    return np.where(lo == hi, lo, lo + t * (hi - lo)), jump


def _model_pair(
    model: Model, variable: str, inputs: Mapping[str, ArrayLike], option_a: str, option_b: str
) -> CostPair:
    base = aligned_inputs(inputs)
    if any(v.size != 1 for v in base.values()):
        raise InvalidInputError("break-even inputs must be scalars (the baseline of each input)")

    def f(x: FloatArray) -> tuple[FloatArray, FloatArray]:
        n = x.size
        row = {k: np.full(n, v[0]) for k, v in base.items()}
        row[variable] = x
        out = evaluate(model, row, n)
        for name in (option_a, option_b):
            if name not in out:
                raise InvalidInputError(
                    f"unknown model output {name!r}; the model returns: {', '.join(out)}"
                )
        return out[option_a], out[option_b]

    return f


def breakeven(
    model: Model,
    variable: str,
    lo: float,
    hi: float,
    *,
    option_a: str,
    option_b: str,
    inputs: Mapping[str, ArrayLike] | None = None,
    n_grid: int = 2049,
    scale: str = "linear",
    xtol_rel: float = 1e-12,
    raise_on_failure: bool = False,
) -> BreakevenResult:
    """All crossings of outputs ``option_a`` and ``option_b`` of ``model`` as ``variable`` runs
    over [lo, hi], the other ``inputs`` held at their (scalar) values.

    >>> def model(x):
    ...     return {"api": 5.0 * x["volume"], "own": 10_000.0 + 0 * x["volume"]}
    >>> breakeven(model, "volume", 0, 1e4, option_a="api", option_b="own").first
    2000.0
    """
    f = _model_pair(model, variable, inputs or {}, option_a, option_b)
    return breakeven_curve(
        f,
        lo,
        hi,
        variable=variable,
        option_a=option_a,
        option_b=option_b,
        n_grid=n_grid,
        scale=scale,
        xtol_rel=xtol_rel,
        raise_on_failure=raise_on_failure,
    )


def breakeven_pairs(
    model: Model,
    variable: str,
    lo: float,
    hi: float,
    *,
    options: Sequence[str],
    inputs: Mapping[str, ArrayLike] | None = None,
    n_grid: int = 2049,
    scale: str = "linear",
    xtol_rel: float = 1e-12,
) -> list[BreakevenResult]:
    """:func:`breakeven` for every pair of ``options`` (in the order given)."""
    if len(options) < 2:
        raise InvalidInputError(f"break-even needs at least two options; got {list(options)}")
    return [
        breakeven(
            model,
            variable,
            lo,
            hi,
            option_a=a,
            option_b=b,
            inputs=inputs,
            n_grid=n_grid,
            scale=scale,
            xtol_rel=xtol_rel,
        )
        for a, b in combinations(options, 2)
    ]


def payback_months_constant(
    upfront_usd: ArrayLike, owned_usd_per_month: ArrayLike, alternative_usd_per_month: ArrayLike
) -> Any:
    """Months [months] until buying (upfront + monthly) has cost no more than the alternative,
    with constant monthly costs: upfront / (alternative − owned); NaN if it never pays back.

    >>> payback_months_constant(100_000.0, 2_000.0, 6_000.0)
    25.0
    """
    upfront = check_nonnegative(upfront_usd, "upfront_usd")
    own = check_nonnegative(owned_usd_per_month, "owned_usd_per_month")
    alt = check_nonnegative(alternative_usd_per_month, "alternative_usd_per_month")
    saving = alt - own
    with np.errstate(divide="ignore", invalid="ignore"):
        months = np.where(saving > 0, upfront / np.where(saving > 0, saving, 1.0), np.nan)
    months = np.where((upfront == 0) & (saving >= 0), 0.0, months)
    return scalar_or_array(months, upfront_usd, owned_usd_per_month, alternative_usd_per_month)


def payback_months(
    upfront_usd: ArrayLike,
    owned_usd_per_month: ArrayLike,
    alternative_usd_per_month: ArrayLike,
    *,
    raise_on_failure: bool = False,
) -> Any:
    """Fractional payback [months] from month-by-month costs (last axis = months of the horizon).

    Cumulative owned = upfront + Σ owned, cumulative alternative = Σ alternative; the first
    month-end where owned ≤ alternative is found (:func:`llmcost.cost.horizon.payback_month`) and
    the crossing is interpolated linearly inside that month. NaN if it never pays back within
    the horizon (or :class:`InfeasibleError` with ``raise_on_failure=True``).

    >>> payback_months(10_000.0, [500.0] * 24, [1_500.0] * 24)
    10.0
    >>> payback_months(10_000.0, [0.0] * 12, [4_000.0] * 12)  # 10,000 / 4,000
    2.5
    """
    upfront = check_nonnegative(upfront_usd, "upfront_usd")
    own = check_nonnegative(owned_usd_per_month, "owned_usd_per_month")
    alt = check_nonnegative(alternative_usd_per_month, "alternative_usd_per_month")
    own, alt = np.broadcast_arrays(own, alt)
    if own.ndim == 0:
        raise InvalidInputError("monthly costs must have a last axis of months")
    month = np.asarray(payback_month(upfront, own, alt), dtype=np.float64)  # 1-based, NaN never
    gap = upfront[..., np.newaxis] + np.cumsum(own - alt, axis=-1)  # owned − alternative
    gap = np.concatenate([np.broadcast_to(upfront[..., np.newaxis], gap[..., :1].shape), gap], -1)
    idx = np.where(np.isnan(month), 1, month).astype(np.int64)[..., np.newaxis]
    before = np.take_along_axis(gap, idx - 1, axis=-1)[..., 0]
    after = np.take_along_axis(gap, idx, axis=-1)[..., 0]
    with np.errstate(divide="ignore", invalid="ignore"):
        frac = np.where(before > after, before / (before - after), 1.0)
    months = np.where(upfront == 0, 0.0, (idx[..., 0] - 1) + np.clip(frac, 0.0, 1.0))
    months = np.where(np.isnan(month), np.nan, months)
    if raise_on_failure and np.any(np.isnan(months)):
        raise InfeasibleError("the purchase does not pay back within the horizon")
    return scalar_or_array(months, upfront_usd)
