"""The allowed range of each scenario variable.

And the check of an ``[uncertainty]`` space against it before any draw.

A variable has the range of the config field it overrides (same name on :class:`Workload`,
:class:`ApiOption` or :class:`SelfHostedOption`: its pydantic ``ge``/``gt``/``le``/``lt``);
the two multipliers, which have no field, have the range the cost functions accept. A
distribution whose support leaves the range would abort a Monte Carlo run at the first draw
outside it, so :func:`check_uncertainty_ranges` refuses it when the space is built.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Annotated, Any, get_args, get_origin

from pydantic import BaseModel

from .._core.errors import InvalidInputError
from ..analysis.space import Parameter, ParameterSpace
from .config import MAX_VALUE, ApiOption, SelfHostedOption, Workload
from .model import (
    API_VARIABLES,
    OWNED_VARIABLES,
    RENTAL_VARIABLES,
    SELF_HOSTED_VARIABLES,
    WORKLOAD_VARIABLES,
)

__all__ = ["VARIABLE_RANGES", "Interval", "check_uncertainty_ranges", "variable_range"]


@dataclass(frozen=True)
class Interval:
    """A range of values [unit of the variable]; an open end excludes its bound.

    >>> str(Interval(0.0, 1.0, lo_open=True))
    '(0, 1]'
    >>> Interval(0.0, 1.0, lo_open=True).contains(0.0)
    False
    """

    lo: float = -math.inf
    hi: float = math.inf
    lo_open: bool = False
    hi_open: bool = False

    def contains(self, value: float) -> bool:
        """Whether ``value`` lies in the range."""
        above = value > self.lo if self.lo_open else value >= self.lo
        below = value < self.hi if self.hi_open else value <= self.hi
        return above and below

    def __str__(self) -> str:
        return _interval_text(self.lo, self.hi, self.lo_open, self.hi_open)


def _number_text(x: float) -> str:
    return "∞" if x == math.inf else "−∞" if x == -math.inf else f"{x:g}"


def _interval_text(lo: float, hi: float, lo_open: bool, hi_open: bool) -> str:
    left = "(" if lo_open or math.isinf(lo) else "["
    right = ")" if hi_open or math.isinf(hi) else "]"
    return f"{left}{_number_text(lo)}, {_number_text(hi)}{right}"


def _constraints(annotation: Any) -> list[Any]:
    """The ``annotated_types`` constraints inside an annotation (through ``X | None``)."""
    if get_origin(annotation) is Annotated:
        out: list[Any] = []
        for meta in get_args(annotation)[1:]:
            out.extend(getattr(meta, "metadata", [meta]))  # a Field(...) carries a list
        return out
    return [c for arg in get_args(annotation) for c in _constraints(arg)]


def _field_range(config: type[BaseModel], name: str) -> Interval:
    field = config.model_fields[name]
    lo, hi, lo_open, hi_open = -math.inf, math.inf, False, False
    for c in [*field.metadata, *_constraints(field.annotation)]:
        if getattr(c, "ge", None) is not None:
            lo, lo_open = float(c.ge), False
        if getattr(c, "gt", None) is not None:
            lo, lo_open = float(c.gt), True
        # MAX_VALUE caps what a file may write, not a distribution's support: unbounded here
        if getattr(c, "le", None) is not None and float(c.le) < MAX_VALUE:
            hi, hi_open = float(c.le), False
        if getattr(c, "lt", None) is not None:
            hi, hi_open = float(c.lt), True
    return Interval(lo, hi, lo_open, hi_open)


#: Variables with no config field: the range the cost functions accept.
_WITHOUT_FIELD: dict[str, Interval] = {
    "api_price_multiplier": Interval(0.0),  # api_bill: prices ≥ 0
    "capacity_multiplier": Interval(0.0, lo_open=True),  # replica_plan: capacity > 0
}

#: Allowed range of every variable of :class:`~llmcost.scenario.ScenarioModel` by its plain
#: name (an ``option.variable`` name has its variable's range).
VARIABLE_RANGES: dict[str, Interval] = (
    {k: _field_range(Workload, k) for k in WORKLOAD_VARIABLES}
    | {k: _WITHOUT_FIELD.get(k) or _field_range(ApiOption, k) for k in API_VARIABLES}
    | {
        k: _WITHOUT_FIELD.get(k) or _field_range(SelfHostedOption, k)
        for k in SELF_HOSTED_VARIABLES | RENTAL_VARIABLES | OWNED_VARIABLES
    }
)


def variable_range(name: str) -> Interval | None:
    """The allowed range of a variable, plain or ``option.variable``; None if unknown."""
    return VARIABLE_RANGES.get(name) or VARIABLE_RANGES.get(name.rsplit(".", 1)[-1])


def _hint(p: Parameter, allowed: Interval) -> str:
    lo, hi = p.support
    unbounded_out = (math.isinf(lo) and math.isfinite(allowed.lo)) or (
        math.isinf(hi) and math.isfinite(allowed.hi)
    )
    if p.kind == "fixed":
        return "give a value within it"
    if p.kind == "lognormal":
        return (
            "a lognormal cannot be truncated: use a normal with low and high, or a uniform, "
            "triangular or pert distribution, within it"
        )
    if unbounded_out:
        return (
            "truncate it: a normal with low and high within it (or a uniform, triangular or "
            "pert distribution)"
        )
    if p.kind in ("uniform", "triangular", "pert", "normal"):
        return "keep low and high within it"
    return "use a distribution within it"


def check_uncertainty_ranges(space: ParameterSpace, *, prefix: str = "uncertainty.") -> None:
    """Raise :class:`InvalidInputError` if ``space`` can draw outside a variable's allowed range.

    The message names ``prefix + input``, the distribution, its support and the range. A continuous
    distribution may touch an excluded end (drawn with probability 0); a fixed value must lie
    inside. Names that are not variables are left to the model.
    """
    for p in space.parameters:
        allowed = variable_range(p.name)
        if allowed is None:
            continue
        lo, hi = p.support
        inside = allowed.contains(lo) if lo == hi else allowed.lo <= lo and hi <= allowed.hi
        if inside:
            continue
        label = p.description if p.kind in ("fixed", "scipy", "") else f"{p.kind} {p.description}"
        # a lognormal never draws its lower end, 0
        support = _interval_text(lo, hi, p.kind == "lognormal", False)
        raise InvalidInputError(
            f"{prefix}{p.name}: {label} has support {support}, outside the allowed range "
            f"{allowed} of {p.name.rsplit('.', 1)[-1]}; {_hint(p, allowed)}"
        )
