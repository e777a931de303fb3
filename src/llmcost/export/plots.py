"""Figures of the analysis results (matplotlib, an optional extra: ``pip install llmcost[plot]``).

Each function returns a :class:`matplotlib.figure.Figure` built without pyplot (no global
state, no display needed); save it with ``fig.savefig("cost.png")``. Titles and long axis
labels wrap to the figure's width (constrained layout makes room for the extra lines).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike

from .._core.display import money_tick
from .._core.errors import InvalidInputError
from ..analysis.breakeven import BreakevenResult
from ..analysis.montecarlo import MonteCarloResult
from ..analysis.oat import TornadoResult
from ..analysis.streaming import StreamingMonteCarloResult

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "breakeven_map_figure",
    "cost_curve_figure",
    "cumulative_cost_figure",
    "monte_carlo_figure",
    "tornado_figure",
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


def _quantity(value: float, _pos: Any = None) -> str:
    v = abs(value)
    for div, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")):
        if v >= div:
            return f"{value / div:,.3g}{suffix}"
    return f"{value:,.3g}"


def _canvas_renderer(fig: Figure) -> Any:
    """The Agg renderer of ``fig`` with its layout settled (to measure text)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    canvas.draw()
    return canvas.get_renderer()


def _clusters(xs: Sequence[float], ax: Any, min_gap_px: float) -> list[list[float]]:
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


def _label_crossings(fig: Figure, ax: Any, xs: Sequence[float]) -> list[Any]:
    """One label per group of nearby changes.

    Stacked in rows from the top of the axes so that no two labels overlap (measured with the
    renderer).
    """
    renderer = _canvas_renderer(fig)
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


def cost_curve_figure(
    x: ArrayLike,
    costs: Mapping[str, ArrayLike],
    *,
    crossings: BreakevenResult | Sequence[BreakevenResult] = (),
    x_label: str = "requests per month",
    y_label: str = "monthly cost [USD]",
    log_x: bool = False,
    log_y: bool = False,
    title: str | None = None,
) -> Figure:
    """Cost of each option against one input, with every break-even change marked.

    ``costs`` maps option names to arrays aligned with ``x`` (e.g. from
    :func:`llmcost.analysis.sweep_arrays`). With ``log_x``/``log_y`` the axes are logarithmic
    (options a factor of 100 apart stay readable). Changes closer together than a few pixels
    share one label ("105.8M–109.1M (5 changes)"); labels are stacked so that none overlap, and
    the legend sits below the axes.
    """
    from matplotlib.ticker import FuncFormatter

    x_arr = np.asarray(x, dtype=np.float64)
    if x_arr.ndim != 1 or not costs:
        raise InvalidInputError("x must be a 1-d array and costs a non-empty mapping")
    fig = _new_figure((7.5, 5.0))
    ax = fig.add_subplot()
    curves: dict[str, np.ndarray] = {}
    for name, values in costs.items():
        y = np.asarray(values, dtype=np.float64)
        if y.shape != x_arr.shape:
            raise InvalidInputError(f"costs[{name!r}] has shape {y.shape}; x has {x_arr.shape}")
        curves[name] = y
        ax.plot(x_arr, y, label=name, linewidth=1.8)
    results = [crossings] if isinstance(crossings, BreakevenResult) else list(crossings)
    marks = sorted(
        {
            (float(xc), w)
            for r in results
            for xc, w in zip(r.crossings, r.cheaper_above, strict=True)
            if x_arr[0] <= xc <= x_arr[-1]
        }
    )
    for i, (xc, winner) in enumerate(marks):
        yc = np.interp(xc, x_arr, curves[winner]) if winner in curves else np.nan
        ax.axvline(xc, color="0.6", linestyle=":", linewidth=1)
        ax.plot(
            [xc],
            [yc],
            marker="o",
            color="black",
            markersize=4,
            linestyle="none",
            label=None if i else "break-even (winner changes)",
        )
    if log_x:
        ax.set_xscale("log")
    if log_y:
        ax.set_yscale("log")
    else:
        ax.set_ylim(bottom=0)
    ax.xaxis.set_major_formatter(FuncFormatter(_quantity))
    ax.yaxis.set_major_formatter(FuncFormatter(_money))
    ax.set_xlabel(x_label + (" (log scale)" if log_x else ""), wrap=True)
    ax.set_ylabel(y_label + (" (log scale)" if log_y else ""))
    ax.grid(True, which="major", alpha=0.3)
    fig.legend(loc="outside lower center", ncols=3, frameon=False, fontsize=8)
    ax.set_title(title or "Monthly cost by option", wrap=True)
    _label_crossings(fig, ax, sorted({m[0] for m in marks}))
    return fig


def tornado_figure(result: TornadoResult, *, max_rows: int = 12) -> Figure:
    """Horizontal bars from the output at each input's low and high value, widest on top.

    Inputs that do not move the output (zero swing, e.g. another option's price under a
    difference of two options) are left out, and the title says how many.
    """
    from matplotlib.ticker import FuncFormatter

    moving = [r for r in result.rows if not zero_swing(r, result.baseline_output)]
    dropped = len(result.rows) - len(moving)
    rows = moving[:max_rows]
    if not rows:
        raise InvalidInputError("the tornado result has no input that moves the output")
    fig = _new_figure((7.5, 0.5 * len(rows) + 1.6))
    ax = fig.add_subplot()
    base = result.baseline_output
    y = np.arange(len(rows))[::-1]
    for yi, r in zip(y, rows, strict=True):
        lo, hi = r["output_at_low"] - base, r["output_at_high"] - base
        ax.barh(
            yi,
            lo,
            left=base,
            color="#4C72B0",
            height=0.6,
            label="input at low" if yi == y[0] else None,
        )
        ax.barh(
            yi,
            hi,
            left=base,
            color="#DD8452",
            height=0.6,
            label="input at high" if yi == y[0] else None,
        )
    ax.axvline(base, color="black", linewidth=1)

    def value(v: float) -> str:
        return _quantity(v) if abs(v) >= 1000 else f"{v:,.4g}"

    labels = [f"{r['input']}  [{value(r['low'])} – {value(r['high'])}]" for r in rows]
    ax.set_yticks(y, labels)
    ax.xaxis.set_major_formatter(FuncFormatter(_money))
    ax.set_xlabel(f"{result.output} (baseline {_money(base)})", wrap=True)
    note = f"; {dropped} inputs with no effect left out" if dropped else ""
    ax.set_title(f"Sensitivity of {result.output} ({result.method}{note})", fontsize=10, wrap=True)
    ax.legend(frameon=False, loc="lower right", fontsize=8)
    ax.grid(True, axis="x", alpha=0.3)
    return fig


def zero_swing(row: Mapping[str, Any], baseline: float) -> bool:
    """Whether a tornado row does not move the output (|swing| ≤ 1e-9 of the baseline)."""
    swing = abs(float(row["output_at_high"]) - float(row["output_at_low"]))
    return bool(swing <= 1e-9 * max(abs(baseline), 1.0))


def monte_carlo_figure(
    result: MonteCarloResult | StreamingMonteCarloResult,
    outputs: Sequence[str] | None = None,
    *,
    kind: str = "hist",
    bins: int = 80,
    x_label: str = "monthly cost [USD]",
) -> Figure:
    """Distribution of outputs over the draws.

    Histograms (``kind="hist"``) or CDFs (``kind="cdf"``), with P5/P50/P95 marked. A streamed
    result (:func:`~llmcost.analysis.streaming.monte_carlo_stream`) keeps no draws: its
    fine histograms are drawn instead (each bin's count at the bin's centre; draws outside
    the first block's range at the end edges).
    """
    from matplotlib.ticker import FuncFormatter

    if kind not in ("hist", "cdf"):
        raise InvalidInputError(f"kind must be 'hist' or 'cdf'; got {kind!r}")
    samples = _samples(result, outputs)
    fig = _new_figure()
    ax = fig.add_subplot()
    view = _central_view(samples)
    edges = list(np.linspace(view[0], view[1], bins + 1))
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
                ax.axvline(summary[key], linestyle=style, linewidth=1.2, color=color, alpha=1.0)
    ax.set_xlim(view[0], view[1])
    if kind == "hist":
        ax.set_yticks([])
    cheapest = ", ".join(f"{k} {v:.0%}" for k, v in result.probability_cheapest.items())
    ax.set_title(
        f"Monte Carlo, {result.n:,} draws" + (f" — cheapest: {cheapest}" if cheapest else ""),
        fontsize=10,
        wrap=True,
    )
    ax.xaxis.set_major_formatter(FuncFormatter(_money))
    ax.set_xlabel(x_label + "  (dotted: P5/P95, dashed: P50)", wrap=True)
    ax.set_ylabel("density" if kind == "hist" else "share of draws ≤ x")
    ax.grid(True, alpha=0.3)
    ax.legend(frameon=False)
    return fig


def _samples(
    result: MonteCarloResult | StreamingMonteCarloResult, outputs: Sequence[str] | None
) -> dict[str, tuple[np.ndarray, np.ndarray | None]]:
    """Each output's finite values, sorted, and their weights (None: one draw each)."""
    kept: Mapping[str, Any] = (
        result.histograms if isinstance(result, StreamingMonteCarloResult) else result.draws
    )
    names = list(outputs) if outputs is not None else list(kept)
    missing = [n for n in names if n not in kept]
    if missing:
        raise InvalidInputError(
            f"no draws kept for {', '.join(missing)}; available: {', '.join(kept)}"
        )
    if not isinstance(result, StreamingMonteCarloResult):
        return {n: (np.sort(kept[n][np.isfinite(kept[n])]), None) for n in names}
    out: dict[str, tuple[np.ndarray, np.ndarray | None]] = {}
    for name in names:
        edges, counts = kept[name]
        x = np.concatenate([[edges[0]], (edges[:-1] + edges[1:]) / 2, [edges[-1]]])
        w = np.asarray(counts, dtype=np.float64)
        out[name] = (x[w > 0], w[w > 0])
    return out


def _central_view(samples: Mapping[str, tuple[np.ndarray, np.ndarray | None]]) -> np.ndarray:
    """The x range of the central 99 % of all the draws (long tails are cut)."""
    x = np.concatenate([v for v, _ in samples.values()])
    if not x.size:
        view = np.array([0.0, 1.0])
    elif all(w is None for _, w in samples.values()):
        view = np.percentile(x, [0.5, 99.5])
    else:
        w = np.concatenate([np.ones(v.size) if w is None else w for v, w in samples.values()])
        order = np.argsort(x, kind="stable")
        cumulative = np.cumsum(w[order]) / w.sum()
        view = np.interp([0.005, 0.995], cumulative, x[order])
    if view[1] <= view[0]:
        view = view + np.array([-0.5, 0.5]) * max(abs(view[0]), 1.0)
    return view


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

    ``costs[name]`` has shape (len(y), len(x)) (e.g. a cartesian sweep reshaped); boundaries between
    regions are the break-even lines. ``point`` (x, y) marks the scenario as given.
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
    palette = ["#4C72B0", "#DD8452", "#55A868", "#C44E52", "#8172B3", "#937860"]
    cmap = ListedColormap([palette[i % len(palette)] for i in range(len(names))])
    norm = BoundaryNorm(np.arange(len(names) + 1) - 0.5, cmap.N)
    fig = _new_figure()
    ax = fig.add_subplot()
    ax.pcolormesh(x_arr, y_arr, winner, cmap=cmap, norm=norm, shading="auto")
    for i in np.unique(winner[np.isfinite(winner)]):  # one outline per region: shared edges
        region = np.where(winner == i, 1.0, 0.0)  # coincide, so each boundary is one line
        if 0 < region.sum() < region.size:
            ax.contour(x_arr, y_arr, region, levels=[0.5], colors="black", linewidths=0.8)
    if log_x:
        ax.set_xscale("log")
    if log_y:
        ax.set_yscale("log")
    ax.set_xlabel(x_label, wrap=True)
    ax.set_ylabel(y_label)
    present = {int(v) for v in np.unique(winner[np.isfinite(winner)])}
    handles: list[Any] = [
        Patch(color=cmap(i), label=n) for i, n in enumerate(names) if i in present
    ]
    if point is not None:
        (star,) = ax.plot(
            [point[0]],
            [point[1]],
            marker="*",
            markersize=13,
            color="white",
            markeredgecolor="black",
            linestyle="none",
            label="the scenario",
        )
        handles.append(star)
    fig.legend(
        handles=handles, title="cheapest", loc="outside right upper", frameon=False, fontsize=8
    )
    ax.set_title("Cheapest option (lines: break-even)", fontsize=10, wrap=True)
    return fig


def cumulative_cost_figure(
    cumulative_usd: Mapping[str, ArrayLike], *, title: str | None = None
) -> Figure:
    """Cumulative cost of each option month by month over the horizon [USD].

    ``cumulative_usd`` maps option names to arrays of month-end totals (month 1 first).
    """
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    if not cumulative_usd:
        raise InvalidInputError("cumulative_usd must name at least one option")
    fig = _new_figure((7.5, 4.5))
    ax = fig.add_subplot()
    for name, values in cumulative_usd.items():
        y = np.asarray(values, dtype=np.float64)
        if y.ndim != 1 or not y.size:
            raise InvalidInputError(f"cumulative_usd[{name!r}] must be a non-empty 1-d array")
        ax.plot(np.arange(1, y.size + 1), y, label=name, linewidth=1.8, marker=".")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.yaxis.set_major_formatter(FuncFormatter(_money))
    ax.set_xlabel("month")
    ax.set_ylabel("cumulative cost [USD]")
    ax.set_ylim(bottom=0)
    ax.grid(True, alpha=0.3)
    fig.legend(loc="outside lower center", ncols=3, frameon=False, fontsize=8)
    ax.set_title(title or "Cumulative cost over the horizon", wrap=True)
    return fig
