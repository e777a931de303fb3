"""Break-even of a scenario: one default range, one solver, one answer for CLI, report and API.

:func:`scenario_breakeven` solves every pair of a scenario's options with the engine of
:mod:`llmcost.analysis.crossings` over :func:`default_search_range` (or a range given), and its
:meth:`ScenarioBreakeven.to_dict` is exactly what ``llmcost breakeven --json`` prints and what
``llmcost report`` embeds — the same object, not a re-computation with other settings.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .._core.display import compact
from .._core.errors import InvalidInputError
from .._core.result import ResultShape
from .._core.serialize import jsonable
from ..analysis.breakeven import CROSSING_COLUMNS, BreakevenResult, breakeven_pairs
from .model import ScenarioModel

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "DEFAULT_GRID",
    "DEFAULT_VARIABLE",
    "SPAN",
    "ScenarioBreakeven",
    "SearchRange",
    "baseline_value",
    "default_search_range",
    "parse_range",
    "scenario_breakeven",
]

DEFAULT_VARIABLE = "requests_per_month"
#: Volumes are searched from the scenario's value ÷ SPAN to × SPAN.
SPAN = 100.0
#: Points of the first-pass grid (step boundaries are enumerated exactly on top of it).
DEFAULT_GRID = 4097


@dataclass(frozen=True)
class SearchRange:
    """A break-even search range [unit of the variable], its grid spacing and why it was chosen."""

    lo: float
    hi: float
    scale: str  # "linear" or "log"
    reason: str


def baseline_value(model: ScenarioModel, variable: str) -> float | None:
    """The scenario's value of ``variable`` (a global name takes the first option's value)."""
    base = model.baseline()
    if variable in base:
        return base[variable]
    for name in model.option_names:
        if f"{name}.{variable}" in base:
            return base[f"{name}.{variable}"]
    return None


def _fmt(x: float) -> str:
    return f"{x:,.0f}" if abs(x) >= 1000 else f"{x:.4g}"


def default_search_range(model: ScenarioModel, variable: str) -> SearchRange:
    """The range every break-even of ``variable`` searches unless told otherwise.

    Volumes over four decades around the scenario's value (÷ :data:`SPAN` to × :data:`SPAN`, log
    scale), multipliers 0.05–20 (log), target utilization 0.01–1, other fractions 0–1, any other
    input from 0 to 10 × its value.
    """
    if variable not in model.variables:
        model.evaluate({variable: 0.0})  # raises: unknown input, did you mean …
    short = variable.rsplit(".", 1)[-1]
    value = baseline_value(model, variable)
    if short in ("requests_per_month", "tokens_per_month"):
        if value and value > 0:
            return SearchRange(
                value / SPAN,
                value * SPAN,
                "log",
                f"the scenario's {_fmt(value)} {short.replace('_', ' ')} ÷ {SPAN:g} to "
                f"× {SPAN:g} (log scale), the default for volumes",
            )
        return SearchRange(1e4, 1e8, "log", "the scenario has no volume: 10,000 to 100 M")
    if short.endswith("_multiplier"):
        return SearchRange(0.05, 20.0, "log", "multipliers from 0.05 to 20 (log scale)")
    if short == "target_utilization":
        return SearchRange(0.01, 1.0, "linear", "target utilization from 1 % to 100 %")
    if short.endswith("_fraction"):
        return SearchRange(0.0, 1.0, "linear", "a fraction: its whole range 0 to 1")
    if value is None or not math.isfinite(value) or value <= 0:
        raise InvalidInputError(
            f"no default search range for {variable!r} (no positive value in the scenario); "
            "give a range (--range LO:HI)"
        )
    return SearchRange(0.0, 10.0 * value, "linear", f"0 to 10 × the scenario's {_fmt(value)}")


def parse_range(text: str) -> tuple[float, float]:
    """``"LO:HI"`` → (lo, hi); an error names the value and the expected form.

    >>> parse_range("1e5:1e9")
    (100000.0, 1000000000.0)
    """
    parts = text.split(":")
    try:
        lo, hi = (float(p.replace("_", "")) for p in parts)
    except ValueError:
        raise InvalidInputError(
            f"--range must be LO:HI with two numbers, e.g. 1e5:1e9; got {text!r}"
        ) from None
    if not (math.isfinite(lo) and math.isfinite(hi)) or not lo < hi:
        raise InvalidInputError(f"--range must have finite LO < HI; got {text!r}")
    return lo, hi


@dataclass(frozen=True)
class ScenarioBreakeven(ResultShape):
    """Every pair's crossings and jumps of a scenario over one range.

    Built by :func:`scenario_breakeven`; ``to_dict`` is the CLI's JSON.
    """

    scenario: str
    variable: str
    baseline: float | None
    search_range: SearchRange
    pairs: tuple[BreakevenResult, ...]
    #: the model solved, for :meth:`plot` (None when built by hand)
    model: ScenarioModel | None = field(default=None, repr=False, compare=False)

    def plot(self, ax: Any = None, *, points: int = 121) -> Any:
        """Each option's monthly cost over the searched range, every pair's changes marked.

        The report's cost-against-volume chart
        (:func:`llmcost.analysis.plotting.draw_cost_curve`); axes are logarithmic where
        volume or money span more than two decades.

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
            Where to draw; default a new pyplot figure (needs ``llmcost[plot]``).
        points : int
            Points of each curve (log-spaced on a log range).

        Returns
        -------
        matplotlib.axes.Axes
            The axes drawn on: x in the variable's unit, y in [USD/month].
        """
        import numpy as np

        from ..analysis.plotting import axes_for, draw_cost_curve

        if self.model is None:
            raise InvalidInputError("this ScenarioBreakeven has no model to draw cost curves of")
        rng = self.search_range
        space = np.geomspace if rng.scale == "log" and rng.lo > 0 else np.linspace
        x = space(rng.lo, rng.hi, int(points))
        costs = {k: np.asarray(v, dtype=float) for k, v in self.model({self.variable: x}).items()}
        return draw_cost_curve(
            axes_for(ax, (7.5, 5.0)), x, costs, crossings=self.pairs,
            x_label=self.variable.replace("_", " "), y_label="monthly cost [USD/month]",
            title=f"Monthly cost by option, {self.scenario}" if self.scenario else None,
        )  # fmt: skip

    def pair(self, a: str, b: str) -> BreakevenResult | None:
        """The result for options ``a`` and ``b`` (either order), None if not solved."""
        return next((r for r in self.pairs if {r.option_a, r.option_b} == {a, b}), None)

    def to_frame(self) -> pd.DataFrame:
        """Every pair's crossings and jumps, one row each (the columns of ``BreakevenResult``).

        ``crossing`` is in the unit of :attr:`variable`; a pair that never changes order has no
        row (its ``cheaper_at_start`` is in :meth:`to_dict`).
        """
        import pandas as pd

        frames = [r.to_frame() for r in self.pairs if r.crossings.size]
        if not frames:
            return pd.DataFrame(columns=list(CROSSING_COLUMNS))
        return pd.concat(frames, ignore_index=True)

    def to_dict(self) -> dict[str, Any]:
        """The object ``llmcost breakeven --json`` prints (JSON-ready; ``None``: never)."""
        return {
            "scenario": self.scenario,
            "variable": self.variable,
            "baseline": jsonable(self.baseline),
            "search_range": [self.search_range.lo, self.search_range.hi],
            "scale": self.search_range.scale,
            "range_reason": self.search_range.reason,
            "pairs": [_pair_payload(r) for r in self.pairs],
        }


    def __repr__(self) -> str:
        crossing = sum(1 for r in self.pairs if r.crossings.size)
        return (
            f"ScenarioBreakeven({self.scenario!r}, {self.variable} over "
            f"[{compact(self.search_range.lo)}, {compact(self.search_range.hi)}], "
            f"{len(self.pairs)} pairs, {crossing} with a crossing)"
        )


def _pair_payload(r: BreakevenResult) -> dict[str, Any]:
    d = r.to_dict()
    del d["search_range"], d["scale"]  # shared by every pair: stated once at the top
    return d


def _range(
    model: ScenarioModel, variable: str, lo: float | None, hi: float | None, scale: str | None
) -> SearchRange:
    """The default range with the ends and scale given replacing its own."""
    if lo is not None and hi is not None:
        model.evaluate({variable: lo})  # raises on an unknown name, did you mean …
        try:
            default_scale = default_search_range(model, variable).scale
        except InvalidInputError:  # no default for this input: none needed
            default_scale = "linear"
        chosen = scale or (default_scale if lo > 0 else "linear")
        return SearchRange(float(lo), float(hi), chosen, f"given: {_fmt(lo)} to {_fmt(hi)}")
    d = default_search_range(model, variable)
    return SearchRange(
        d.lo if lo is None else float(lo),
        d.hi if hi is None else float(hi),
        scale or d.scale,
        d.reason if lo is None and hi is None else d.reason + ", one end given",
    )


def scenario_breakeven(
    model: ScenarioModel,
    *,
    scenario: str = "",
    variable: str = DEFAULT_VARIABLE,
    lo: float | None = None,
    hi: float | None = None,
    scale: str | None = None,
    n_grid: int = DEFAULT_GRID,
) -> ScenarioBreakeven:
    """Every crossing and jump of every pair of the scenario's options in ``variable``.

    The range is :func:`default_search_range` unless ``lo`` and/or ``hi`` are given (a value
    given replaces that end); ``scale`` defaults to the default range's (or linear when both
    ends are given).
    """
    if len(model.option_names) < 2:
        raise InvalidInputError("break-even needs a scenario with at least two options")
    rng = _range(model, variable, lo, hi, scale)
    results = breakeven_pairs(
        model,
        variable,
        rng.lo,
        rng.hi,
        options=list(model.option_names),
        n_grid=n_grid,
        scale=rng.scale,
        range_reason=rng.reason,
    )
    return ScenarioBreakeven(
        scenario=scenario,
        variable=variable,
        baseline=baseline_value(model, variable),
        search_range=rng,
        pairs=tuple(results),
        model=model,
    )
