"""The charts, drawn onto a matplotlib ``Axes``: one drawing function per chart.

A result's ``.plot(ax=None)`` and the report's figures (:mod:`llmcost.export.plots`) call the
same function here, so a chart looks the same in a notebook and in a report. matplotlib is an
optional extra (``pip install llmcost[plot]``), imported inside the functions only.

Money ticks read "−$40k" (:func:`llmcost._core.display.money_tick`); an axis of money or volume
whose positive values span more than :data:`DECADES` decades is logarithmic unless told
otherwise. Each function returns the ``Axes`` it drew on.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike

from .._core.display import money_tick
from .._core.errors import InvalidInputError

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.text import Text

    from .breakeven import BreakevenResult
    from .montecarlo import MonteCarloResult
    from .oat import TornadoResult
    from .streaming import StreamingMonteCarloResult

__all__ = [
    "DECADES",
    "axes_for",
    "draw_breakeven_map",
    "draw_breakeven_strip",
    "draw_cost_curve",
    "draw_horizon",
    "draw_monte_carlo",
    "draw_tornado",
    "spans_decades",
    "zero_swing",
]

#: positive values whose largest / smallest exceeds 10**DECADES get a log axis by default
DECADES = 2.0
_PALETTE = ["#4C72B0", "#DD8452", "#55A868", "#C44E52", "#8172B3", "#937860"]


def axes_for(ax: Axes | None, figsize: tuple[float, float] = (7.5, 4.5)) -> Axes:
    """``ax`` itself, or the axes of a new pyplot figure (constrained layout) of ``figsize``.

    pyplot is used for a new figure so that a notebook shows it, as ``DataFrame.plot`` does.
    """
    if ax is not None:
        return ax
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise ImportError(
            "llmcost plots need matplotlib; install it with: pip install llmcost[plot]"
        ) from exc
    _fig, new = plt.subplots(figsize=figsize, layout="constrained")
    return new


def spans_decades(*arrays: ArrayLike) -> bool:
    """Whether the finite positive values span more than :data:`DECADES` decades.

    False when any finite value is zero or negative (a log axis could not show it).

    >>> spans_decades([100.0, 50_000.0]), spans_decades([100.0, 5_000.0]), spans_decades([-1, 1e6])
    (True, False, False)
    """
    values = np.concatenate([np.ravel(np.asarray(a, dtype=np.float64)) for a in arrays])
    values = values[np.isfinite(values)]
    if not values.size or values.min() <= 0:
        return False
    return bool(math.log10(values.max() / values.min()) > DECADES)


def _quantity(value: float, _pos: Any = None) -> str:
    v = abs(value)
    for div, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")):
        if v >= div:
            return f"{value / div:,.3g}{suffix}"
    return f"{value:,.3g}"


def _format_axis(axis: Any, fmt: Any, log: bool) -> None:
    """Major ticks through ``fmt``; on a log axis no minor labels (they collide)."""
    from matplotlib.ticker import FuncFormatter, NullFormatter

    axis.set_major_formatter(FuncFormatter(fmt))
    if log:
        axis.set_minor_formatter(NullFormatter())


def _root_figure(ax: Axes) -> Any:
    fig = ax.figure
    while getattr(fig, "figure", None) is not None and fig.figure is not fig:  # a SubFigure
        fig = fig.figure
    return fig


def _legend(ax: Axes, where: str, ncols: int = 3) -> None:
    """The legend on the axes, or below them on the figure (``where="figure"``)."""
    handles, _labels = ax.get_legend_handles_labels()
    if not handles:
        return
    if where == "figure":
        _root_figure(ax).legend(loc="outside lower center", ncols=ncols, frameon=False, fontsize=8)
    else:
        ax.legend(frameon=False, fontsize=8)


def _fit(ax: Axes, text: str, fontsize: float) -> str:
    """``text`` wrapped to the width of ``ax`` (about 0.52 em a character)."""
    import textwrap

    fig = _root_figure(ax)
    width_pt = ax.get_position().width * fig.get_figwidth() * 72
    chars = max(20, int(width_pt / (0.52 * fontsize)))
    return "\n".join(textwrap.wrap(text, chars, break_on_hyphens=False)) or text


def _title(ax: Axes, text: str, fontsize: float = 11.0) -> None:
    """A title wrapped to the axes' width, so that side-by-side panels' titles never meet.

    ``wrap=True`` as well: matplotlib wraps it further at the figure's edge if the layout
    narrows the axes (long tick labels).
    """
    _wrap_at_axes(ax, ax.set_title(_fit(ax, text, fontsize), fontsize=fontsize, wrap=True))


def _wrap_at_axes(ax: Axes, text: Text) -> None:
    """Let matplotlib's draw-time wrapping of ``text`` use the axes' final width.

    :func:`_fit` wraps when the chart is drawn into the axes, but a layout engine
    (``layout="constrained"``) narrows the axes afterwards to make room for long tick labels,
    and matplotlib's own ``wrap=True`` only wraps at the figure's edge, so a tornado's title ran
    into its neighbour's in a 2 × 2 grid. ``Text._get_wrap_line_width`` is what matplotlib
    (3.8–3.11) asks at draw time, after the layout; if a later version stops asking, the text
    keeps :func:`_fit`'s wrapping.
    """
    text._get_wrap_line_width = lambda: ax.get_window_extent().width  # type: ignore[attr-defined]


def _xlabel(ax: Axes, text: str) -> None:
    """An x label wrapped to the axes' width."""
    ax.set_xlabel(_fit(ax, text, 10.0), wrap=True)


def _renderer(ax: Axes) -> Any:
    """The renderer of ``ax``'s figure with its layout settled (to measure text)."""
    fig = _root_figure(ax)
    fig.canvas.draw()
    get = getattr(fig.canvas, "get_renderer", None)
    return get() if get is not None else fig._get_renderer()


def _clusters(xs: Sequence[float], ax: Axes, min_gap_px: float) -> list[list[float]]:
    """Crossings closer together on screen than ``min_gap_px``, grouped (ascending)."""
    groups: list[list[float]] = []
    last_px = -np.inf
    for xc in sorted(xs):
        px = float(ax.transData.transform((xc, 1.0))[0])
        if groups and px - last_px < min_gap_px:
            groups[-1].append(xc)
        else:
            groups.append([xc])
        last_px = px
    return groups


def _label_crossings(ax: Axes, xs: Sequence[float]) -> list[Any]:
    """One label per group of nearby changes.

    Stacked in rows from the top of the axes so that no two labels overlap (measured with the
    renderer).
    """
    if not len(xs):
        return []
    renderer = _renderer(ax)
    placed: list[Any] = []
    for group in _clusters(xs, ax, min_gap_px=6.0):
        text = _quantity(group[0])
        if len(group) > 1:
            text = f"{_quantity(group[0])}–{_quantity(group[-1])} ({len(group)} changes)"
        for row in range(40):
            label = ax.annotate(
                text,
                (group[0], 1.0),
                xycoords=("data", "axes fraction"),
                xytext=(3, -12 - 11 * row),
                textcoords="offset points",
                fontsize=7.5,
                color="0.15",
                bbox={"boxstyle": "square,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.85},
            )
            box = label.get_window_extent(renderer).expanded(1.05, 1.1)
            if not any(box.overlaps(p.get_window_extent(renderer)) for p in placed):
                placed.append(label)
                break
            label.remove()
    return placed


def _marks(
    crossings: BreakevenResult | Sequence[BreakevenResult], lo: float, hi: float
) -> list[tuple[float, str]]:
    from .breakeven import BreakevenResult

    results = [crossings] if isinstance(crossings, BreakevenResult) else list(crossings)
    return sorted(
        {
            (float(xc), w)
            for r in results
            for xc, w in zip(r.crossings, r.cheaper_above, strict=True)
            if lo <= xc <= hi
        }
    )


def draw_cost_curve(
    ax: Axes,
    x: ArrayLike,
    costs: Mapping[str, ArrayLike],
    *,
    crossings: BreakevenResult | Sequence[BreakevenResult] = (),
    x_label: str = "requests per month",
    y_label: str = "monthly cost [USD]",
    log_x: bool | None = None,
    log_y: bool | None = None,
    money: bool = True,
    title: str | None = None,
    legend: str = "axes",
) -> Axes:
    """Cost of each option against one input, with every break-even change marked.

    ``costs`` maps option names to arrays aligned with ``x``. ``log_x``/``log_y`` default to
    a log axis where the values span more than :data:`DECADES` decades. Changes closer together
    than a few pixels share one label ("105.8M–109.1M (5 changes)"), stacked so that none
    overlap. ``money=False`` labels the y ticks as plain quantities.
    """
    x_arr = np.asarray(x, dtype=np.float64)
    if x_arr.ndim != 1 or not costs:
        raise InvalidInputError("x must be a 1-d array and costs a non-empty mapping")
    curves: dict[str, np.ndarray] = {}
    for name, values in costs.items():
        y = np.asarray(values, dtype=np.float64)
        if y.shape != x_arr.shape:
            raise InvalidInputError(f"costs[{name!r}] has shape {y.shape}; x has {x_arr.shape}")
        curves[name] = y
        ax.plot(x_arr, y, label=name, linewidth=1.8)
    log_x = spans_decades(x_arr) if log_x is None else log_x
    log_y = spans_decades(*curves.values()) if log_y is None else log_y
    marks = _marks(crossings, float(np.nanmin(x_arr)), float(np.nanmax(x_arr)))
    for i, (xc, winner) in enumerate(marks):
        yc = np.interp(xc, x_arr, curves[winner]) if winner in curves else np.nan
        ax.axvline(xc, color="0.6", linestyle=":", linewidth=1)
        label = None if i else "break-even (winner changes)"
        ax.plot([xc], [yc], marker="o", color="black", markersize=4, ls="none", label=label)
    if log_x:
        ax.set_xscale("log")
    if log_y:
        ax.set_yscale("log")
    elif all(np.nanmin(c) >= 0 for c in curves.values() if np.isfinite(c).any()):
        ax.set_ylim(bottom=0)
    _format_axis(ax.xaxis, _quantity, log_x)
    _format_axis(ax.yaxis, money_tick if money else _quantity, log_y)
    _xlabel(ax, x_label + (" (log scale)" if log_x else ""))
    ax.set_ylabel(y_label + (" (log scale)" if log_y else ""))
    ax.grid(True, which="major", alpha=0.3)
    _legend(ax, legend)
    _title(ax, title or "Monthly cost by option")
    _label_crossings(ax, sorted({m[0] for m in marks}))
    return ax


def draw_breakeven_strip(ax: Axes, result: BreakevenResult, *, x_label: str = "") -> Axes:
    """Which of two options is cheaper along the searched range: one coloured band per winner.

    Every change is a vertical line with its value; the axis is logarithmic when the search
    was (``result.scale == "log"``).
    """
    lo, hi = (float(v) for v in result.search_range)
    edges = [lo, *(float(x) for x in result.crossings), hi]
    winners = [result.cheaper_at_start, *result.cheaper_above]
    colors = {result.option_a: _PALETTE[0], result.option_b: _PALETTE[1]}
    labelled: set[str] = set()
    for left, right, who in zip(edges[:-1], edges[1:], winners, strict=True):
        name = who or "equal"
        ax.axvspan(
            left, right, color=colors.get(name, "0.85"), alpha=0.75, lw=0,
            label=None if name in labelled else f"{name} cheaper",
        )  # fmt: skip
        labelled.add(name)
    for xc in result.crossings:
        ax.axvline(float(xc), color="black", linewidth=0.8)
    log = result.scale == "log" and lo > 0
    if log:
        ax.set_xscale("log")
    ax.set_xlim(lo, hi)
    ax.set_yticks([])
    _format_axis(ax.xaxis, _quantity, log)
    variable = x_label or result.variable.replace("_", " ")
    _xlabel(ax, variable + (" (log scale)" if log else ""))
    n = result.crossings.size
    _title(
        ax,
        f"Break-even, {result.option_a} vs {result.option_b}: "
        + (f"{n} change{'s' * (n != 1)}" if n else "never within the range"),
        10.0,
    )
    ax.legend(frameon=True, fontsize=8, loc="lower right")
    _label_crossings(ax, [float(x) for x in result.crossings])
    return ax


def zero_swing(row: Mapping[str, Any], baseline: float) -> bool:
    """Whether a tornado row does not move the output (|swing| ≤ 1e-9 of the baseline)."""
    swing = abs(float(row["output_at_high"]) - float(row["output_at_low"]))
    return bool(swing <= 1e-9 * max(abs(baseline), 1.0))


def tornado_rows(result: TornadoResult, max_rows: int) -> tuple[list[dict[str, Any]], int]:
    """The rows a tornado chart shows and how many were left out.

    The rows that move the output, widest first (at most ``max_rows``); the count is of rows
    with no effect.
    """
    moving = [r for r in result.rows if not zero_swing(r, result.baseline_output)]
    if not moving:
        raise InvalidInputError("the tornado result has no input that moves the output")
    return moving[:max_rows], len(result.rows) - len(moving)


def draw_tornado(ax: Axes, result: TornadoResult, *, max_rows: int = 12) -> Axes:
    """Horizontal bars from the output at each input's low and high value, widest on top.

    Inputs that do not move the output (zero swing, e.g. another option's price under a
    difference of two options) are left out, and the title says how many.
    """
    from matplotlib.ticker import MaxNLocator

    rows, dropped = tornado_rows(result, max_rows)
    base = result.baseline_output
    y = np.arange(len(rows))[::-1]
    for yi, r in zip(y, rows, strict=True):
        first = bool(yi == y[0])
        lo, hi = r["output_at_low"] - base, r["output_at_high"] - base
        ax.barh(yi, lo, left=base, color=_PALETTE[0], height=0.6,
                label="input at low" if first else None)  # fmt: skip
        ax.barh(yi, hi, left=base, color=_PALETTE[1], height=0.6,
                label="input at high" if first else None)  # fmt: skip
    ax.axvline(base, color="black", linewidth=1)

    def value(v: float) -> str:
        return _quantity(v) if abs(v) >= 1000 else f"{v:,.4g}"

    labels = [f"{r['input']}  [{value(r['low'])} – {value(r['high'])}]" for r in rows]
    ax.set_yticks(y, labels)
    _format_axis(ax.xaxis, money_tick, False)
    ax.xaxis.set_major_locator(MaxNLocator(nbins=6, steps=[1, 2, 2.5, 5, 10]))
    unit = "" if "[" in result.output else " [USD]"
    label = _fit(ax, f"{result.output}{unit}", 10.0)  # the baseline on a line of its own
    _wrap_at_axes(ax, ax.set_xlabel(f"{label}\n(baseline {money_tick(base)})", wrap=True))
    note = f"; {dropped} inputs with no effect left out" if dropped else ""
    _title(ax, f"Sensitivity of {result.output} ({result.method}{note})", 10.0)
    ax.legend(frameon=False, loc="lower right", fontsize=8)
    ax.grid(True, axis="x", alpha=0.3)
    return ax


def _samples(
    result: MonteCarloResult | StreamingMonteCarloResult, outputs: Sequence[str] | None
) -> dict[str, tuple[np.ndarray, np.ndarray | None]]:
    """Each output's finite values, sorted, and their weights (None: one draw each).

    A streamed result keeps no draws: each bin of its fine histograms counts at the bin's
    centre (draws outside the first block's range at the end edges).
    """
    from .streaming import StreamingMonteCarloResult

    streamed = isinstance(result, StreamingMonteCarloResult)
    kept: Mapping[str, Any] = (
        result.histograms if isinstance(result, StreamingMonteCarloResult) else result.draws
    )
    names = list(outputs) if outputs is not None else list(kept)
    missing = [n for n in names if n not in kept]
    if missing:
        raise InvalidInputError(
            f"no draws kept for {', '.join(missing)}; available: {', '.join(kept)}"
        )
    if not streamed:
        return {n: (np.sort(kept[n][np.isfinite(kept[n])]), None) for n in names}
    out: dict[str, tuple[np.ndarray, np.ndarray | None]] = {}
    for name in names:
        edges, counts = kept[name]
        x = np.concatenate([[edges[0]], (edges[:-1] + edges[1:]) / 2, [edges[-1]]])
        w = np.asarray(counts, dtype=np.float64)
        out[name] = (x[w > 0], w[w > 0])
    return out


def _central_view(
    samples: Mapping[str, tuple[np.ndarray, np.ndarray | None]], log: bool
) -> tuple[float, float]:
    """The x range of the central 99 % of all the draws (long tails would squash the rest)."""
    x = np.concatenate([v for v, _ in samples.values()])
    if not x.size:
        view = np.array([1.0, 10.0] if log else [0.0, 1.0])
    elif all(w is None for _, w in samples.values()):
        view = np.percentile(x, [0.5, 99.5])
    else:
        w = np.concatenate([np.ones(v.size) if w is None else w for v, w in samples.values()])
        order = np.argsort(x, kind="stable")
        cumulative = np.cumsum(w[order]) / w.sum()
        view = np.interp([0.005, 0.995], cumulative, x[order])
    if view[1] <= view[0]:
        view = view * np.array([0.5, 2.0]) if log else (
            view + np.array([-0.5, 0.5]) * max(abs(view[0]), 1.0)
        )  # fmt: skip
    return float(view[0]), float(view[1])


def draw_monte_carlo(
    ax: Axes,
    result: MonteCarloResult | StreamingMonteCarloResult,
    outputs: Sequence[str] | None = None,
    *,
    kind: str = "hist",
    bins: int = 80,
    x_label: str = "monthly cost [USD]",
    log_x: bool | None = None,
) -> Axes:
    """Distribution of outputs over the draws.

    Histograms (``kind="hist"``) or CDFs (``kind="cdf"``) of the central 99 % of the draws,
    with P5/P50/P95 marked; the x axis is logarithmic (log-spaced bins) where the draws span
    more than :data:`DECADES` decades. A streamed result
    (:func:`~llmcost.analysis.streaming.monte_carlo_stream`) is drawn from its fine histograms.
    """
    if kind not in ("hist", "cdf"):
        raise InvalidInputError(f"kind must be 'hist' or 'cdf'; got {kind!r}")
    samples = _samples(result, outputs)
    log = spans_decades(*(v for v, _ in samples.values())) if log_x is None else log_x
    lo, hi = _central_view(samples, log)
    edges = list(np.geomspace(lo, hi, bins + 1) if log else np.linspace(lo, hi, bins + 1))
    for i, (name, (finite, weights)) in enumerate(samples.items()):
        color = f"C{i}"
        if not finite.size:  # infeasible in every draw: nothing to draw, say so
            ax.plot([], [], label=f"{name} (infeasible in every draw)", color=color)
        elif kind == "hist":
            ax.hist(finite, bins=edges, weights=weights, alpha=0.5, label=name, density=True,
                    color=color)  # fmt: skip
        else:
            share = np.arange(1, finite.size + 1) if weights is None else np.cumsum(weights)
            ax.plot(finite, share / result.n, label=name, color=color)
        summary = result.summary.get(name, {})
        for key, style in (("p5", ":"), ("p50", "--"), ("p95", ":")):
            if key in summary and np.isfinite(summary[key]):
                ax.axvline(summary[key], linestyle=style, linewidth=1.2, color=color)
    if log:
        ax.set_xscale("log")
    ax.set_xlim(lo, hi)
    if kind == "hist":
        ax.set_yticks([])
    cheapest = ", ".join(f"{k} {v:.0%}" for k, v in result.probability_cheapest.items())
    _title(
        ax,
        f"Monte Carlo, {result.n:,} draws" + (f" — cheapest: {cheapest}" if cheapest else ""),
        10.0,
    )
    _format_axis(ax.xaxis, money_tick, log)
    scale = " (log scale)" if log else ""
    _xlabel(ax, f"{x_label}{scale}  (dotted: P5/P95, dashed: P50)")
    ax.set_ylabel("density [1/USD]" if kind == "hist" else "share of draws ≤ x [fraction]")
    ax.grid(True, alpha=0.3)
    ax.legend(frameon=False, fontsize=8)
    return ax


def draw_breakeven_map(
    ax: Axes,
    x: ArrayLike,
    y: ArrayLike,
    costs: Mapping[str, ArrayLike],
    *,
    x_label: str = "x",
    y_label: str = "y",
    log_x: bool = False,
    log_y: bool = False,
    point: tuple[float, float] | None = None,
) -> Axes:
    """Which option is cheapest over two inputs.

    ``costs[name]`` has shape (len(y), len(x)) (e.g. a cartesian sweep reshaped); boundaries
    between regions are the break-even lines. ``point`` (x, y) marks the scenario as given.
    """
    from matplotlib.colors import BoundaryNorm, ListedColormap
    from matplotlib.patches import Patch

    x_arr = np.asarray(x, dtype=np.float64)
    y_arr = np.asarray(y, dtype=np.float64)
    names = list(costs)
    if len(names) < 2:
        raise InvalidInputError("a break-even map needs at least two options")
    grids = [np.asarray(costs[n], dtype=np.float64) for n in names]
    for n, g in zip(names, grids, strict=True):
        if g.shape != (y_arr.size, x_arr.size):
            raise InvalidInputError(
                f"costs[{n!r}] has shape {g.shape}; expected (len(y), len(x)) = "
                f"({y_arr.size}, {x_arr.size})"
            )
    stacked = np.stack([np.where(np.isnan(g), np.inf, g) for g in grids])
    winner = np.argmin(stacked, axis=0).astype(float)
    winner[~np.isfinite(stacked).any(axis=0)] = np.nan
    cmap = ListedColormap([_PALETTE[i % len(_PALETTE)] for i in range(len(names))])
    norm = BoundaryNorm(np.arange(len(names) + 1) - 0.5, cmap.N)
    ax.pcolormesh(x_arr, y_arr, winner, cmap=cmap, norm=norm, shading="auto")
    for i in np.unique(winner[np.isfinite(winner)]):  # one outline per region: shared edges
        region = np.where(winner == i, 1.0, 0.0)  # coincide, so each boundary is one line
        if 0 < region.sum() < region.size:
            ax.contour(x_arr, y_arr, region, levels=[0.5], colors="black", linewidths=0.8)
    if log_x:
        ax.set_xscale("log")
    if log_y:
        ax.set_yscale("log")
    _xlabel(ax, x_label)
    ax.set_ylabel(y_label)
    present = {int(v) for v in np.unique(winner[np.isfinite(winner)])}
    handles: list[Any] = [
        Patch(color=cmap(i), label=n) for i, n in enumerate(names) if i in present
    ]
    if point is not None:
        (star,) = ax.plot(
            [point[0]], [point[1]], marker="*", markersize=13, color="white",
            markeredgecolor="black", linestyle="none", label="the scenario",
        )  # fmt: skip
        handles.append(star)
    _root_figure(ax).legend(
        handles=handles, title="cheapest", loc="outside right upper", frameon=False, fontsize=8
    )
    _title(ax, "Cheapest option (lines: break-even)", 10.0)
    return ax


def _wide_label_locator() -> Any:
    from matplotlib.ticker import MaxNLocator

    class WideLabelLocator(MaxNLocator):
        """Integer ticks at most one per ~60 pt of axis: "2027-04" labels never meet."""

        def __call__(self) -> Any:
            space = self.axis.get_tick_space() if self.axis is not None else 8
            self.set_params(nbins=max(2, min(8, space // 2)))
            return super().__call__()

    return WideLabelLocator


def draw_horizon(
    ax: Axes,
    usd: Mapping[str, ArrayLike],
    *,
    periods: Sequence[str] | None = None,
    cumulative: bool = True,
    log_y: bool | None = None,
    title: str | None = None,
    legend: str = "axes",
) -> Axes:
    """Each option's cost month by month over the horizon [USD].

    ``usd`` maps option names to arrays of month-end cumulative totals (``cumulative=True``)
    or monthly costs, month 1 first. ``periods`` names the months ("2027-01", …) for the x
    ticks; without it the ticks are month numbers.
    """
    from matplotlib.ticker import FuncFormatter

    if not usd:
        raise InvalidInputError("the horizon chart needs at least one option")
    arrays = {}
    for name, values in usd.items():
        y = np.asarray(values, dtype=np.float64)
        if y.ndim != 1 or not y.size:
            raise InvalidInputError(f"horizon values of {name!r} must be a non-empty 1-d array")
        arrays[name] = y
        ax.plot(np.arange(1, y.size + 1), y, label=name, linewidth=1.8, marker=".")
    log_y = spans_decades(*arrays.values()) if log_y is None else log_y
    ax.xaxis.set_major_locator(_wide_label_locator()(integer=True))
    labels = list(periods) if periods is not None else []

    def month(v: float, _pos: Any = None) -> str:
        i = round(v)
        return labels[i - 1] if 1 <= i <= len(labels) else ("" if labels else f"{i}")

    ax.xaxis.set_major_formatter(FuncFormatter(month))
    if log_y:
        ax.set_yscale("log")
    else:
        ax.set_ylim(bottom=0)
    _format_axis(ax.yaxis, money_tick, log_y)
    ax.set_xlabel("month" if periods is None else "month [YYYY-MM]")
    what = "cumulative cost [USD]" if cumulative else "monthly cost [USD/month]"
    ax.set_ylabel(what + (" (log scale)" if log_y else ""))
    ax.grid(True, alpha=0.3)
    _legend(ax, legend)
    default = "Cumulative cost over the horizon" if cumulative else "Monthly cost over the horizon"
    _title(ax, title or default)
    return ax
