"""Break-even solvers: where two options cost the same, for any numeric input.

Costs with whole replicas are step functions of volume, so self-hosting can win, lose again when
the next replica is added, and win again. The solvers return **every** change of the cheaper
option in the searched range, each classified as a ``crossing`` (the costs are equal there) or a
``jump`` (the winner changes at a step, with no equality), found by the engine in
:mod:`llmcost.analysis.crossings`. A model that has a ``step_signature`` method (the scenario
model: replica counts and feasibility of each option) has its step boundaries enumerated
exactly, however close together; any other model is searched on the grid, where changes closer
than one grid cell can hide each other (raise ``n_grid``). "Never" is an empty list / NaN, not
an exception, unless ``raise_on_failure=True``. An infeasible option (NaN cost) counts as more
expensive than a feasible one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from .._core._arrays import FloatArray, as_float_array, check_nonnegative, scalar_or_array
from .._core.arguments import mapping_arg, name_arg, names_arg, real_arg, whole_arg
from .._core.display import compact, html_table, plain
from .._core.errors import InfeasibleError, InvalidInputError
from .._core.result import ResultShape
from .._core.serialize import jsonable
from ..cost.horizon import payback_month
from ._model import Model, aligned_inputs, evaluate
from .crossings import SCALES, PairCrossings, find_crossings

__all__ = [
    "BreakevenResult",
    "Crossing",
    "breakeven",
    "breakeven_curve",
    "breakeven_linear",
    "breakeven_pairs",
    "payback_months",
    "payback_months_constant",
]

CostPair = Callable[[FloatArray], tuple[ArrayLike, ArrayLike]]
#: x (n,) → (n, k) signature that changes exactly where a cost may step; see ``crossings``.
StepPair = Callable[[FloatArray], ArrayLike]
Table = Callable[[FloatArray], FloatArray]

#: The columns of a crossings table (:meth:`BreakevenResult.to_frame`); ``crossing`` is in the
#: unit of ``variable``.
CROSSING_COLUMNS = (
    "variable",
    "option_a",
    "option_b",
    "crossing",
    "kind",
    "cheaper_below",
    "cheaper_above",
    "jump",
)


@dataclass(frozen=True)
class Crossing:
    """One change of the cheaper of two options at ``at`` [unit of the variable].

    ``kind`` is ``"crossing"`` (the costs are equal at ``at``) or ``"jump"`` (a step — a
    replica added, an option becoming infeasible — changes the order with no equality).
    """

    at: float
    kind: str
    winner_below: str | None
    winner_above: str | None

    def to_dict(self) -> dict[str, Any]:
        """``{at, kind, winner_below, winner_above}``."""
        return {
            "at": self.at,
            "kind": self.kind,
            "winner_below": self.winner_below,
            "winner_above": self.winner_above,
        }


@dataclass(frozen=True)
class BreakevenResult(ResultShape):
    """Every point where the cheaper of two options changes, over a searched range.

    ``crossings`` are ascending; ``cheaper_above[i]`` names the option that is cheaper just
    above ``crossings[i]``, ``cheaper_below[i]`` just below; ``jump[i]`` is True when the
    winner changes at a step rather than at an equality. :attr:`events` gives the same as
    :class:`Crossing` objects; ``range_reason`` says why the range was searched.
    """

    variable: str
    option_a: str
    option_b: str
    crossings: FloatArray
    cheaper_above: tuple[str, ...]
    jump: tuple[bool, ...]
    search_range: tuple[float, float]
    cheaper_at_start: str | None  # None: the two costs are equal at the start of the range
    cheaper_below: tuple[str, ...] = ()
    scale: str = "linear"
    range_reason: str = ""

    @property
    def events(self) -> tuple[Crossing, ...]:
        """Each change as a :class:`Crossing`, ascending."""
        if not self.crossings.size:
            return ()
        below: tuple[str | None, ...] = self.cheaper_below or (
            self.cheaper_at_start,
            *self.cheaper_above[:-1],
        )
        return tuple(
            Crossing(float(x), "jump" if j else "crossing", w_lo, w_hi)
            for x, j, w_lo, w_hi in zip(
                self.crossings, self.jump, below, self.cheaper_above, strict=True
            )
        )

    @property
    def first(self) -> float:
        """The lowest crossing, NaN if the cheaper option never changes in the range."""
        return float(self.crossings[0]) if self.crossings.size else float("nan")

    @property
    def sustained(self) -> float:
        """The last crossing.

        Above it the same option stays cheaper to the end of the range (:attr:`sustained_winner`);
        NaN if there is no crossing.
        """
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
                "kind": ["jump" if j else "crossing" for j in self.jump],
                "cheaper_below": [e.winner_below for e in self.events],
                "cheaper_above": list(self.cheaper_above),
                "jump": list(self.jump),
            },
            columns=list(CROSSING_COLUMNS),
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (``None`` for "never").

        The shape ``llmcost breakeven --json`` prints per pair.
        """
        return {
            "option_a": self.option_a,
            "option_b": self.option_b,
            "crossings": [e.to_dict() for e in self.events],
            "first": jsonable(self.first),
            "sustained": jsonable(self.sustained),
            "sustained_winner": self.sustained_winner,
            "cheaper_at_start": self.cheaper_at_start,
            "search_range": list(self.search_range),
            "scale": self.scale,
        }

    def __repr__(self) -> str:
        n = self.crossings.size
        return (
            f"BreakevenResult({self.variable}: {self.option_a} vs {self.option_b}, "
            f"{n} crossing{'s' * (n != 1)}, first={compact(self.first, never='never')}, "
            f"sustained={compact(self.sustained, never='never')} -> {self.sustained_winner})"
        )

    def plot(self, ax: Any = None) -> Any:
        """Which option is cheaper along the searched range, every change marked.

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
            Where to draw; default a new pyplot figure (needs ``llmcost[plot]``).

        Returns
        -------
        matplotlib.axes.Axes
            The axes drawn on (logarithmic when the search was).
        """
        from .plotting import axes_for, draw_breakeven_strip

        return draw_breakeven_strip(axes_for(ax, (7.5, 2.6)), self)

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
    """Where ``fixed_a + slope_a·x = fixed_b + slope_b·x`` [unit of x].

    NaN when the lines are parallel or meet at x < 0 (never, for a non-negative input such as
    volume).

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


def _result(
    p: PairCrossings,
    names: Sequence[str],
    *,
    variable: str,
    search_range: tuple[float, float],
    scale: str,
    range_reason: str,
) -> BreakevenResult:
    a, b = names[p.a], names[p.b]
    winner = {1.0: b, -1.0: a}  # sign(a − b) > 0 → b cheaper
    return BreakevenResult(
        variable=variable,
        option_a=a,
        option_b=b,
        crossings=p.at,
        cheaper_above=tuple(winner[float(v)] for v in p.sign_above),
        jump=tuple(bool(j) for j in p.jump),
        search_range=search_range,
        cheaper_at_start=winner.get(float(p.start_sign)),
        cheaper_below=tuple(winner[float(v)] for v in p.sign_below),
        scale=scale,
        range_reason=range_reason,
    )


def _raise_if_never(r: BreakevenResult) -> None:
    if not r.crossings.size:
        lo, hi = r.search_range
        raise InfeasibleError(
            f"{r.option_a} and {r.option_b} do not cross for {r.variable} in [{lo:g}, {hi:g}]; "
            f"{r.cheaper_at_start or 'neither'} is cheaper throughout"
        )


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
    steps: StepPair | None = None,
    range_reason: str = "",
) -> BreakevenResult:
    """All crossings and jumps of two cost curves given by ``f(x) -> (cost_a, cost_b)``.

    Parameters
    ----------
    f : vectorized: takes a 1-d array of the variable, returns the two costs (same length)
    lo, hi : search range [unit of the variable]
    n_grid : grid points of the first pass
    scale : "linear" or "log" (grid and bisection in log space; for volumes over decades)
    xtol_rel : relative width at which every bracket stops [fraction]
    raise_on_failure : raise :class:`InfeasibleError` instead of returning no crossing
    steps : optional ``x -> (n, k)`` signature that changes exactly where either cost steps
        (e.g. replica counts); its boundaries are then enumerated exactly
    range_reason : why this range (carried into the result)

    >>> r = breakeven_curve(lambda x: (1000.0 + 0 * x, 2.0 * x), 0.0, 10_000.0)
    >>> round(r.first, 6), r.cheaper_above, r.events[0].kind
    (500.0, ('a',), 'crossing')
    """

    def costs(x: FloatArray) -> FloatArray:
        a, b = f(x)
        return np.column_stack(
            [np.broadcast_to(np.asarray(v, dtype=np.float64), x.shape) for v in (a, b)]
        )

    owner: tuple[int, ...] = ()
    step_table = None
    if steps is not None:
        width = np.asarray(steps(np.array([lo, hi], dtype=np.float64))).reshape(2, -1).shape[1]
        owner = (0,) * width

        def step_table(x: FloatArray) -> FloatArray:
            return np.asarray(steps(x), dtype=np.float64).reshape(x.size, -1)

    (p,) = find_crossings(
        costs,
        lo,
        hi,
        [(0, 1)],
        steps=step_table,
        step_owner=owner,
        n_grid=n_grid,
        scale=scale,
        xtol_rel=xtol_rel,
    )
    result = _result(
        p,
        (option_a, option_b),
        variable=variable,
        search_range=(float(lo), float(hi)),
        scale=scale,
        range_reason=range_reason,
    )
    if raise_on_failure:
        _raise_if_never(result)
    return result


#: Largest break-even grid [points] (the engine refines between points: 4,097 is plenty).
MAX_GRID = 10_000_000


def _known(model: Any) -> tuple[list[str] | None, list[str] | None]:
    """A scenario model's input and output names (None for a plain function: not known)."""
    variables = getattr(model, "variables", None)
    outputs = getattr(model, "option_names", None)
    return (
        None if variables is None else list(variables),
        None if outputs is None else list(outputs),
    )


def _pairs(value: Any, names: list[str]) -> list[tuple[str, str]]:
    """``pairs``: a non-empty list of (option, option), each option one of ``names``."""
    if isinstance(value, str | bytes) or not isinstance(value, Sequence) or not value:
        raise InvalidInputError(
            f"pairs must be a non-empty list of option pairs; got {plain(value)}"
        )
    out = []
    for i, pair in enumerate(value):
        if isinstance(pair, str | bytes) or not isinstance(pair, Sequence) or len(pair) != 2:
            raise InvalidInputError(f"pairs[{i}] must be two option names; got {plain(pair)}")
        a, b = (name_arg(n, f"pairs[{i}]", names) for n in pair)
        out.append((a, b))
    return out


def _base_row(inputs: Mapping[str, ArrayLike]) -> dict[str, FloatArray]:
    base = aligned_inputs(inputs)
    if any(v.size != 1 for v in base.values()):
        raise InvalidInputError("break-even inputs must be scalars (the baseline of each input)")
    return base


def _tables(
    model: Model,
    variable: str,
    inputs: Mapping[str, ArrayLike],
    names: Sequence[str],
    probe: float,
) -> tuple[Table, Table | None, list[int]]:
    """The cost table of ``names``.

    And the model's step signature, if it has one; its columns are read at ``probe``, a value inside
    the searched range.
    """
    base = _base_row(inputs)

    def row(x: FloatArray) -> dict[str, FloatArray]:
        out = {k: np.full(x.size, v[0]) for k, v in base.items()}
        out[variable] = x
        return out

    def costs(x: FloatArray) -> FloatArray:
        out = evaluate(model, row(x), x.size)
        for name in names:
            if name not in out:
                raise InvalidInputError(
                    f"unknown model output {name!r}; the model returns: {', '.join(out)}"
                )
        return np.column_stack([out[n] for n in names])

    signature = getattr(model, "step_signature", None)
    if signature is None:
        return costs, None, []
    _, owners = signature(row(np.full(1, float(probe))))
    index = {n: i for i, n in enumerate(names)}
    keep = [j for j, o in enumerate(owners) if o in index]
    owner = [index[owners[j]] for j in keep]

    def steps(x: FloatArray) -> FloatArray:
        sig, _ = signature(row(x))
        return np.asarray(sig, dtype=np.float64)[:, keep]

    return costs, steps, owner


def breakeven_pairs(
    model: Model,
    variable: str,
    lo: float,
    hi: float,
    *,
    options: Sequence[str],
    pairs: Sequence[tuple[str, str]] | None = None,
    inputs: Mapping[str, ArrayLike] | None = None,
    n_grid: int = 2049,
    scale: str = "linear",
    xtol_rel: float = 1e-12,
    range_reason: str = "",
) -> list[BreakevenResult]:
    """Every crossing and jump of each pair of ``options`` as ``variable`` runs over [lo, hi].

    Pairs: all pairs in the order given, or the listed ``pairs``; the other ``inputs`` are held at
    their (scalar) values. All pairs are solved together (one model call per step).
    """
    variables, outputs = _known(model)
    variable = name_arg(variable, "variable", variables)
    lo, hi = real_arg(lo, "lo"), real_arg(hi, "hi")
    names = names_arg(options, "options", outputs)
    if len(names) < 2:
        raise InvalidInputError(f"break-even needs at least two options; got {names}")
    wanted = _pairs(pairs, names) if pairs is not None else list(combinations(names, 2))
    xtol_rel = real_arg(xtol_rel, "xtol_rel", lo=0.0, lo_open=True, hi=0.1)
    n_grid = whole_arg(n_grid, "n_grid", lo=2, hi=MAX_GRID)
    scale = name_arg(scale, "scale", SCALES)
    given = mapping_arg({} if inputs is None else inputs, "inputs")
    costs, steps, owner = _tables(model, variable, given, names, lo)
    found = find_crossings(
        costs,
        lo,
        hi,
        [(names.index(a), names.index(b)) for a, b in wanted],
        steps=steps,
        step_owner=owner,
        n_grid=n_grid,
        scale=scale,
        xtol_rel=xtol_rel,
    )
    return [
        _result(
            p,
            names,
            variable=variable,
            search_range=(float(lo), float(hi)),
            scale=scale,
            range_reason=range_reason,
        )
        for p in found
    ]


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
    """All crossings and jumps of two outputs of ``model`` as ``variable`` runs over [lo, hi].

    The outputs are ``option_a`` and ``option_b``; the other ``inputs`` are held at their (scalar)
    values.

    >>> def model(x):
    ...     return {"api": 5.0 * x["volume"], "own": 10_000.0 + 0 * x["volume"]}
    >>> breakeven(model, "volume", 0, 1e4, option_a="api", option_b="own").first
    2000.0
    """
    _, outputs = _known(model)
    (result,) = breakeven_pairs(
        model,
        variable,
        lo,
        hi,
        options=[name_arg(option_a, "option_a", outputs), name_arg(option_b, "option_b", outputs)],
        inputs=inputs,
        n_grid=n_grid,
        scale=scale,
        xtol_rel=xtol_rel,
    )
    if raise_on_failure:
        _raise_if_never(result)
    return result


def payback_months_constant(
    upfront_usd: ArrayLike, owned_usd_per_month: ArrayLike, alternative_usd_per_month: ArrayLike
) -> Any:
    """Months [months] until buying (upfront + monthly) has cost no more than the alternative.

    With constant monthly costs: upfront / (alternative − owned); NaN if it never pays back.

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
