"""One-at-a-time sensitivity: a tornado table and elasticities at the baseline.

Each input is moved to a low and a high value while every other input stays at its baseline;
rows are ranked by the swing of the chosen output. Low/high come from, in order of precedence:
explicit ``ranges``, a relative step ``relative`` (±x % of the baseline), or the distribution's
quantiles (P10/P90 by default). All 2k + 1 (+ 2k for elasticities) evaluations are one model call.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from .._core._arrays import FloatArray
from .._core.arguments import mapping_arg, name_arg, real_arg
from .._core.display import compact, html_table, plain
from .._core.errors import InvalidInputError
from .._core.result import ResultShape
from .._core.serialize import jsonable
from ._model import Model, evaluate, select_output
from .space import ParameterSpace

__all__ = ["TornadoResult", "tornado"]

#: Relative step of the difference behind elasticities.
ELASTICITY_STEP = 1e-4

_COLUMNS = [
    "input",
    "low",
    "high",
    "output_at_low",
    "output_at_high",
    "swing",
    "elasticity",
]


@dataclass(frozen=True)
class TornadoResult(ResultShape):
    """Tornado rows ranked by swing (largest first) for one output.

    ``swing`` = |output_at_high − output_at_low|; ``elasticity`` = d ln y / d ln x at the
    baseline by a central difference of ±0.01 % — one-sided, inward, where the baseline sits
    at an end of the input's distribution (e.g. a fraction at 1), so the model is never asked
    for a value outside it (NaN where the input or the output is not positive there; 0 for an
    input that only moves the cost in steps, such as capacity with whole replicas — the swing
    shows its effect). Rows are plain floats.
    """

    output: str
    baseline_output: float
    rows: tuple[dict[str, Any], ...]
    method: str  # how low/high were chosen

    def to_frame(self) -> pd.DataFrame:
        """One row per input, ranked by swing."""
        return pd.DataFrame(list(self.rows), columns=_COLUMNS)

    def to_dict(self) -> dict[str, Any]:
        """Plain values for JSON (NaN → None)."""
        out: dict[str, Any] = jsonable(
            {
                "output": self.output,
                "baseline_output": self.baseline_output,
                "method": self.method,
                "rows": [dict(r) for r in self.rows],
            }
        )
        return out

    def __repr__(self) -> str:
        top = (
            f", top: {self.rows[0]['input']} (swing {compact(self.rows[0]['swing'])})"
            if self.rows
            else ""
        )
        return (
            f"TornadoResult({self.output}, baseline={compact(self.baseline_output)}, "
            f"{len(self.rows)} inputs{top})"
        )

    def plot(self, ax: Any = None, *, max_rows: int = 12) -> Any:
        """The tornado chart: bars from the output at each input's low and high, widest on top.

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
            Where to draw; default a new pyplot figure (needs ``llmcost[plot]``).
        max_rows : int
            At most this many inputs, the widest swings.

        Returns
        -------
        matplotlib.axes.Axes
            The axes drawn on (money ticks in [USD], "−$40k").
        """
        from .plotting import axes_for, draw_tornado, tornado_rows

        rows, _dropped = tornado_rows(self, max_rows)
        target = axes_for(ax, (7.5, 0.5 * len(rows) + 1.6))
        return draw_tornado(target, self, max_rows=max_rows)

    def _repr_html_(self) -> str:
        rows = [
            [r["input"], compact(r["output_at_low"]), compact(r["output_at_high"]),
             compact(r["swing"])]
            for r in self.rows[:10]
        ]  # fmt: skip
        more = f", top 10 of {len(self.rows)}" if len(self.rows) > 10 else ""
        title = (
            f"Tornado of {self.output}: baseline {compact(self.baseline_output)} "
            f"({self.method}{more})"
        )
        return html_table(title, ["input", "at low", "at high", "swing"], rows)


def _pair(value: Any, name: str) -> tuple[float, float]:
    """Two finite numbers (low, high)."""
    if isinstance(value, str | bytes) or not isinstance(value, Sequence) or len(value) != 2:
        raise InvalidInputError(f"{name} must be a pair of numbers (low, high); got {plain(value)}")
    return real_arg(value[0], f"{name} low"), real_arg(value[1], f"{name} high")


def _low_high(
    space: ParameterSpace,
    ranges: Mapping[str, tuple[float, float]] | None,
    relative: float | None,
    quantiles: tuple[float, float],
) -> tuple[dict[str, tuple[float, float]], str]:
    ranges = dict(mapping_arg({} if ranges is None else ranges, "ranges"))
    unknown = sorted(set(ranges) - set(space.names))
    if unknown:
        raise InvalidInputError(
            f"ranges name unknown input(s) {', '.join(unknown)}; inputs: {', '.join(space.names)}"
        )
    q_lo, q_hi = _pair(quantiles, "quantiles")
    if not 0 < q_lo < q_hi < 1:
        raise InvalidInputError(
            f"quantiles must satisfy 0 < low < high < 1; got {plain(quantiles)}"
        )
    if relative is not None:
        # above 1 the low end turns negative: no price, volume or rate can be
        relative = real_arg(relative, "relative", lo=0.0, lo_open=True, hi=1.0)  # 0.1: ±10 %
    out: dict[str, tuple[float, float]] = {}
    for p in space.parameters:
        if p.name in ranges:
            lo, hi = _pair(ranges[p.name], f"ranges[{p.name!r}]")
        elif relative is not None:
            lo, hi = p.baseline * (1 - relative), p.baseline * (1 + relative)
        elif p.is_fixed:
            continue
        else:
            lo, hi = float(p.ppf(q_lo)), float(p.ppf(q_hi))
        out[p.name] = (lo, hi)
    if relative is not None:
        method = f"±{relative:.0%} of baseline"
    else:
        method = f"P{q_lo * 100:g}/P{q_hi * 100:g} of each distribution"
    if ranges:
        method += " (given ranges where set)"
    return out, method


def _elasticity_points(
    space: ParameterSpace, varied: list[str], x0: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """The inputs just below and above the baseline for the elasticity.

    x0 × (1 ∓ h), with a side that would leave the input's distribution replaced by x0 itself
    (one-sided).
    """
    h = ELASTICITY_STEP
    params = {p.name: p for p in space.parameters}
    ends = np.array([params[nm].ppf([0.0, 1.0]) if not params[nm].is_fixed
                     else (-np.inf, np.inf) for nm in varied]).reshape(-1, 2)  # fmt: skip
    dn, up = x0 - np.abs(x0) * h, x0 + np.abs(x0) * h
    return np.where(dn < ends[:, 0], x0, dn), np.where(up > ends[:, 1], x0, up)


def _warn_off_baseline(model: Model, base: Mapping[str, float]) -> None:
    """Warn when a space's baselines differ from the model's own input values.

    A model that knows its own inputs' values (a scenario's model) given such a space would draw a
    tornado that is not centred on the scenario.
    """
    values = getattr(model, "baseline", None)
    if not callable(values):
        return
    given = values()
    off = [
        f"{k} = {v:g} (the scenario says {given[k]:g})"
        for k, v in base.items()
        if k in given and not np.isclose(v, given[k], rtol=1e-12, atol=0.0)
    ]
    if off:
        warnings.warn(
            "tornado baseline differs from the scenario's values: "
            + "; ".join(off)
            + ". Build the space with ParameterSpace.from_scenario(scenario) to centre it.",
            UserWarning,
            stacklevel=3,
        )


def tornado(
    model: Model,
    space: ParameterSpace,
    output: str | Callable[[Mapping[str, FloatArray]], ArrayLike],
    *,
    output_name: str | None = None,
    ranges: Mapping[str, tuple[float, float]] | None = None,
    relative: float | None = None,
    quantiles: tuple[float, float] = (0.1, 0.9),
) -> TornadoResult:
    """Tornado table of ``output`` over the inputs of ``space``.

    ``output`` is a model output's name, or a function of all outputs such as ``lambda o:
    o["self_hosted"] - o["api"]``.

    Fixed inputs are held at their value and get no row unless ``ranges``/``relative`` move them.

    Parameters
    ----------
    model : callable
        ``inputs → {output: array}``, vectorized (a scenario's model, or any function of numpy
        arrays).
    space : ParameterSpace
        The inputs, with their baselines and distributions.
    output : str or callable
        The output to rank the inputs by, or a function of all outputs.
    output_name : str, optional
        The name of a computed ``output`` in the table (default ``"output"``).
    ranges : mapping of str to (float, float), optional
        ``input → (low, high)`` overriding the quantiles for those inputs [unit of the input].
    relative : float, optional
        Move every input by ± this fraction of its baseline [0–1] instead of the quantiles.
    quantiles : (float, float)
        The low and high quantile of each input's distribution [0–1]; default P10 / P90.

    Returns
    -------
    TornadoResult
        One row per input, ranked by ``swing`` (output at high − output at low [unit of the
        output]), with the output at each end and the elasticity at the baseline [1].

    Examples
    --------
    >>> space = ParameterSpace.from_dict({
    ...     "price": {"dist": "uniform", "low": 1.0, "high": 3.0},
    ...     "volume": {"dist": "uniform", "low": 90.0, "high": 110.0},
    ... })
    >>> t = tornado(lambda x: {"cost": x["price"] * x["volume"]}, space, "cost", relative=0.1)
    >>> [(r["input"], round(r["swing"], 6), round(r["elasticity"], 6)) for r in t.rows]
    [('price', 40.0, 1.0), ('volume', 40.0, 1.0)]
    """
    if not isinstance(space, ParameterSpace):
        raise InvalidInputError(f"space must be a ParameterSpace; got {type(space).__name__}")
    if not callable(output):
        output = name_arg(output, "output", getattr(model, "option_names", None))
    if isinstance(output, str):
        name = output
    elif output_name is not None:
        name = output_name
    else:
        name = "output"
    bounds, method = _low_high(space, ranges, relative, quantiles)
    varied = list(bounds)
    base = space.baseline()
    _warn_off_baseline(model, base)
    k = len(varied)
    n = 1 + 4 * k
    rows = {nm: np.full(n, v) for nm, v in base.items()}
    x0 = np.array([base[nm] for nm in varied])
    x_dn, x_up = _elasticity_points(space, varied, x0)
    for i, nm in enumerate(varied):
        lo, hi = bounds[nm]
        rows[nm][1 + i] = lo
        rows[nm][1 + k + i] = hi
        rows[nm][1 + 2 * k + i] = x_dn[i]
        rows[nm][1 + 3 * k + i] = x_up[i]
    try:
        y = select_output(evaluate(model, rows, n), output)
    except InvalidInputError as exc:  # a low/high end outside an input's domain
        if relative is None and not ranges:
            raise
        given = f"relative={plain(relative)}" if relative is not None else "ranges"
        raise InvalidInputError(f"{given} moves an input outside what it allows: {exc}") from None
    y0, y_lo, y_hi = y[0], y[1 : 1 + k], y[1 + k : 1 + 2 * k]
    y_dn, y_up = y[1 + 2 * k : 1 + 3 * k], y[1 + 3 * k :]
    with np.errstate(divide="ignore", invalid="ignore"):
        ok = (x0 > 0) & (x_up > x_dn) & (y_dn > 0) & (y_up > 0)
        elasticity = np.where(
            ok,
            (np.log(np.where(ok, y_up, 1.0)) - np.log(np.where(ok, y_dn, 1.0)))
            / (np.log(np.where(ok, x_up, 2.0)) - np.log(np.where(ok, x_dn, 1.0))),
            np.nan,
        )
    swing = np.abs(y_hi - y_lo)
    order = np.argsort(-np.nan_to_num(swing, nan=-1.0), kind="stable")
    table = tuple(
        {
            "input": varied[i],
            "low": bounds[varied[i]][0],
            "high": bounds[varied[i]][1],
            "output_at_low": float(y_lo[i]),
            "output_at_high": float(y_hi[i]),
            "swing": float(swing[i]),
            "elasticity": float(elasticity[i]),
        }
        for i in order
    )
    return TornadoResult(output=name, baseline_output=float(y0), rows=table, method=method)
