"""Figures of the analysis results (matplotlib, an optional extra: ``pip install llmcost[plot]``).

Each function returns a :class:`matplotlib.figure.Figure` built without pyplot (no global
state, no display needed); save it with ``fig.savefig("cost.png")``. The drawing is done by
:mod:`llmcost.analysis.plotting`, the same functions the results' ``.plot(ax=None)`` methods
call, so a chart in a report and in a notebook is one chart. Titles and long axis labels wrap
to the figure's width (constrained layout makes room for the extra lines).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from numpy.typing import ArrayLike

from .._core.display import money_tick
from ..analysis import plotting
from ..analysis.breakeven import BreakevenResult
from ..analysis.montecarlo import MonteCarloResult
from ..analysis.oat import TornadoResult
from ..analysis.plotting import zero_swing
from ..analysis.streaming import StreamingMonteCarloResult

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "breakeven_map_figure",
    "cost_curve_figure",
    "cumulative_cost_figure",
    "monte_carlo_figure",
    "tornado_figure",
    "zero_swing",
]

_SIZE = (7.5, 4.5)


def _new_figure(figsize: tuple[float, float] = _SIZE) -> Figure:
    try:
        from matplotlib.figure import Figure
    except ImportError as exc:
        raise ImportError(
            "llmcost plots need matplotlib; install it with: pip install llmcost[plot]"
        ) from exc
    return Figure(figsize=figsize, layout="constrained")


def _money(value: float, _pos: Any = None) -> str:
    """Money ticks and labels: "−$40k", the minus before the dollar (``_core.display``)."""
    return money_tick(value)


def _axes(figsize: tuple[float, float] = _SIZE) -> Any:
    return _new_figure(figsize).add_subplot()


def cost_curve_figure(
    x: ArrayLike,
    costs: Mapping[str, ArrayLike],
    *,
    crossings: BreakevenResult | Sequence[BreakevenResult] = (),
    x_label: str = "requests per month",
    y_label: str = "monthly cost [USD]",
    log_x: bool | None = None,
    log_y: bool | None = None,
    title: str | None = None,
) -> Figure:
    """Cost of each option against one input, every break-even change marked.

    :func:`llmcost.analysis.plotting.draw_cost_curve` on a new figure, the legend below the
    axes.
    """
    ax = _axes((7.5, 5.0))
    plotting.draw_cost_curve(
        ax, x, costs, crossings=crossings, x_label=x_label, y_label=y_label, log_x=log_x,
        log_y=log_y, title=title, legend="figure",
    )  # fmt: skip
    return ax.figure


def tornado_figure(result: TornadoResult, *, max_rows: int = 12) -> Figure:
    """Tornado bars, widest on top (:func:`llmcost.analysis.plotting.draw_tornado`)."""
    rows, _dropped = plotting.tornado_rows(result, max_rows)
    ax = _axes((7.5, 0.5 * len(rows) + 1.6))
    plotting.draw_tornado(ax, result, max_rows=max_rows)
    return ax.figure


def monte_carlo_figure(
    result: MonteCarloResult | StreamingMonteCarloResult,
    outputs: Sequence[str] | None = None,
    *,
    kind: str = "hist",
    bins: int = 80,
    x_label: str = "monthly cost [USD]",
) -> Figure:
    """Distribution of outputs over the draws (a streamed result: its fine histograms).

    :func:`llmcost.analysis.plotting.draw_monte_carlo` on a new figure.
    """
    ax = _axes()
    plotting.draw_monte_carlo(ax, result, outputs, kind=kind, bins=bins, x_label=x_label)
    return ax.figure


def breakeven_map_figure(
    x: ArrayLike,
    y: ArrayLike,
    costs: Mapping[str, ArrayLike],
    *,
    x_label: str = "x",
    y_label: str = "y",
    log_x: bool = False,
    log_y: bool = False,
    point: tuple[float, float] | None = None,
) -> Figure:
    """Which option is cheapest over two inputs.

    :func:`llmcost.analysis.plotting.draw_breakeven_map` on a new figure.
    """
    ax = _axes()
    plotting.draw_breakeven_map(
        ax, x, y, costs, x_label=x_label, y_label=y_label, log_x=log_x, log_y=log_y, point=point
    )
    return ax.figure


def cumulative_cost_figure(
    cumulative_usd: Mapping[str, ArrayLike],
    *,
    title: str | None = None,
    periods: Sequence[str] | None = None,
) -> Figure:
    """Cumulative cost of each option month by month over the horizon [USD].

    ``cumulative_usd`` maps option names to arrays of month-end totals (month 1 first);
    ``periods`` names the months (:func:`~llmcost.analysis.plotting.draw_horizon`).
    """
    ax = _axes((7.5, 4.5))
    plotting.draw_horizon(ax, cumulative_usd, periods=periods, title=title, legend="figure")
    return ax.figure
