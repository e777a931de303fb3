"""Plots render to PNG with the Agg backend and show what they claim."""

from __future__ import annotations

import io
import sys

import numpy as np
import pytest

from llmcost._core.errors import InvalidInputError
from llmcost.analysis.breakeven import breakeven_curve
from llmcost.analysis.montecarlo import monte_carlo
from llmcost.analysis.oat import tornado
from llmcost.analysis.space import ParameterSpace
from llmcost.analysis.sweep import cartesian, sweep_arrays
from llmcost.export import plots

PNG = b"\x89PNG\r\n\x1a\n"


def _png(fig: object) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=60)  # type: ignore[attr-defined]
    return buf.getvalue()


def _model(x: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    volume = x["requests_per_month"]
    api = volume * 1500 / 1e6 * 2.5 * x["api_price_multiplier"]
    own = np.ceil(volume / 1e7) * 8 * 730 * x["gpu_usd_per_hour"] + 12_000.0
    return {"api": api, "own": own}


SPACE = ParameterSpace.from_dict(
    {
        "requests_per_month": {"dist": "lognormal", "p5": 5e6, "p95": 4e7},
        "api_price_multiplier": {"dist": "uniform", "low": 0.7, "high": 1.3},
        "gpu_usd_per_hour": {"dist": "triangular", "low": 1.8, "mode": 2.5, "high": 3.5},
    }
)


def _costs_at(requests_per_month: np.ndarray) -> dict[str, np.ndarray]:
    """Both options' monthly cost at list prices and $2.50 per GPU-hour."""
    inputs = {"api_price_multiplier": 1.0, "gpu_usd_per_hour": 2.5}
    return sweep_arrays(_model, {"requests_per_month": requests_per_month, **inputs})


def test_cost_curve_marks_every_crossing() -> None:
    x = np.linspace(1e5, 5e7, 400)
    costs = _costs_at(x)
    be = breakeven_curve(
        lambda v: (_costs_at(v)["api"], _costs_at(v)["own"]),
        1e5,
        5e7,
        option_a="api",
        option_b="own",
    )
    # (0, 1e7]: 26,600 = 0.00375 v at 7.09e6; the 2nd replica at 1e7 (41,200 > 37,500);
    # (1e7, 2e7]: 41,200 = 0.00375 v at 1.0987e7
    np.testing.assert_allclose(be.crossings, [26_600 / 0.00375, 1e7, 41_200 / 0.00375])
    fig = plots.cost_curve_figure(x, costs, crossings=be)
    ax = fig.axes[0]
    assert len(ax.texts) == be.crossings.size  # one label per crossing
    assert [t.get_text() for t in fig.legends[0].get_texts()][:2] == ["api", "own"]
    assert _png(fig).startswith(PNG)


def test_tornado_chart_has_one_bar_pair_per_input() -> None:
    result = tornado(_model, SPACE, "own")
    fig = plots.tornado_figure(result)
    ax = fig.axes[0]
    # "own" does not depend on the API price: that row has no swing and is left out
    moving = [r for r in result.rows if r["swing"] > 0]
    assert [r["input"] for r in result.rows if r["swing"] == 0] == ["api_price_multiplier"]
    assert len(ax.patches) == 2 * len(moving)
    top = max(ax.get_yticklabels(), key=lambda t: t.get_position()[1])
    assert top.get_text().startswith(result.rows[0]["input"])  # widest swing on top
    assert _png(fig).startswith(PNG)


@pytest.mark.parametrize("kind", ["hist", "cdf"])
def test_monte_carlo_histogram_and_cdf(kind: str) -> None:
    result = monte_carlo(_model, SPACE, 20_000, seed=1, options=["api", "own"])
    fig = plots.monte_carlo_figure(result, kind=kind)
    ax = fig.axes[0]
    assert "cheapest" in ax.get_title()
    if kind == "cdf":
        line = ax.get_lines()[0]
        assert line.get_ydata()[-1] == pytest.approx(1.0)
    assert _png(fig).startswith(PNG)
    with pytest.raises(InvalidInputError, match="no draws kept"):
        plots.monte_carlo_figure(result, ["gpu"])


def test_breakeven_map_colours_the_cheapest_option() -> None:
    xs = np.geomspace(1e6, 5e7, 60)
    ys = np.linspace(1.5, 4.0, 40)
    grid = cartesian({"gpu_usd_per_hour": ys, "requests_per_month": xs})
    out = sweep_arrays(_model, {**grid, "api_price_multiplier": 1.0})
    costs = {k: v.reshape(ys.size, xs.size) for k, v in out.items()}
    fig = plots.breakeven_map_figure(
        xs, ys, costs, x_label="requests per month", y_label="GPU $/hour", log_x=True
    )
    mesh = fig.axes[0].collections[0]
    winners = np.asarray(mesh.get_array()).reshape(ys.size, xs.size)
    np.testing.assert_array_equal(winners, np.argmin(np.stack([costs["api"], costs["own"]]), 0))
    assert _png(fig).startswith(PNG)
    with pytest.raises(InvalidInputError, match="expected"):
        plots.breakeven_map_figure(xs, ys, {"a": np.ones((2, 2)), "b": np.ones((2, 2))})


LONG = "maverick-8xh100-reserved-3y-with-scale-to-zero"  # option names users write


def _long_named(x: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    out = _model(x)
    return {f"{LONG} api": out["api"], f"{LONG} own": out["own"]}


def _inside_figure(fig: object, text: object) -> bool:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)  # type: ignore[arg-type]
    fig.canvas.draw()  # type: ignore[attr-defined]
    box, page = text.get_window_extent(), fig.bbox  # type: ignore[attr-defined]
    return bool(page.x0 - 1 <= box.x0 and box.x1 <= page.x1 + 1 and box.y1 <= page.y1 + 1)


def test_long_titles_wrap_inside_the_figure() -> None:
    long_name = f"{LONG} own minus {LONG} api monthly cost [USD]"
    t = tornado(_long_named, SPACE, lambda o: o[f"{LONG} own"] - o[f"{LONG} api"],
                output_name=long_name, ranges={"gpu_usd_per_hour": (1.8, 3.5)})  # fmt: skip
    mc = monte_carlo(_long_named, SPACE, 2_000, seed=1, options=[f"{LONG} api", f"{LONG} own"])
    x = np.geomspace(1e6, 5e7, 50)
    costs = _costs_at(x)
    figures = {
        "tornado": plots.tornado_figure(t),
        "monte carlo": plots.monte_carlo_figure(mc),
        "cost curve": plots.cost_curve_figure(x, costs, title=f"Monthly cost of {long_name}"),
    }
    for name, fig in figures.items():
        ax = fig.axes[0]
        assert len(ax.get_title()) > 100, name  # wider than 7.5 in at 10 pt on one line
        assert _inside_figure(fig, ax.title), name
    assert _inside_figure(figures["tornado"], figures["tornado"].axes[0].xaxis.label)


def test_missing_matplotlib_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    with pytest.raises(ImportError, match=r"pip install llmcost\[plot\]"):
        plots._new_figure()


def _boxes_overlap(texts: list, renderer: object) -> list[tuple[str, str]]:  # type: ignore[type-arg]
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in texts if t.get_text()]
    return [
        (a, b)
        for i, (a, box_a) in enumerate(boxes)
        for b, box_b in boxes[i + 1 :]
        if box_a.overlaps(box_b)
    ]


def test_break_even_labels_never_overlap_even_when_changes_crowd() -> None:
    """Issue #13: many changes within a few percent of volume (and two more elsewhere) —
    measured with the renderer after the final layout, no label overlaps another or the
    legend."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from llmcost.scenario import load_scenario, scenario_breakeven, scenario_model

    model = scenario_model(load_scenario("examples/scenarios/chat-assistant.toml"))
    summary = scenario_breakeven(model)
    x = np.geomspace(summary.search_range.lo, summary.search_range.hi, 200)
    fig = plots.cost_curve_figure(
        x, model({"requests_per_month": x}), crossings=summary.pairs, log_x=True, log_y=True
    )
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    (ax,) = fig.axes
    labels = [t for t in ax.texts]
    legend_texts = [t for leg in fig.legends for t in leg.get_texts()]
    # 2.27M, 4.69M and the crowd of changes within a few percent of volume (see
    # test_cli_breakeven): fewer labels than changes, and a grouped one
    assert 3 <= len(labels) < sum(r.crossings.size for r in summary.pairs)
    assert any("changes)" in t.get_text() for t in labels)
    assert _boxes_overlap(labels + legend_texts, renderer) == []
    axes_box = ax.get_window_extent(renderer)
    assert all(axes_box.contains(*t.get_window_extent(renderer).p0) for t in labels)
    assert ax.get_xscale() == ax.get_yscale() == "log"


def test_cumulative_cost_and_zero_swing_tornado_rows() -> None:
    fig = plots.cumulative_cost_figure({"a": [1.0, 2.0, 3.0], "b": [2.0, 2.5, 3.5]})
    (ax,) = fig.axes
    assert [tuple(line.get_ydata()) for line in ax.lines] == [(1.0, 2.0, 3.0), (2.0, 2.5, 3.5)]
    assert _png(fig).startswith(PNG)
    with pytest.raises(InvalidInputError, match="at least one option"):
        plots.cumulative_cost_figure({})
    r = tornado(
        lambda x: {"d": x["a"] * 2.0 + 0.0 * x["b"]},
        ParameterSpace.from_dict(
            {
                "a": {"dist": "uniform", "low": 0, "high": 1},
                "b": {"dist": "uniform", "low": 0, "high": 1},
            }
        ),
        "d",
    )
    fig = plots.tornado_figure(r)
    (ax,) = fig.axes
    assert [t.get_text().split()[0] for t in ax.get_yticklabels()] == ["a"]  # b has no swing
    assert "1 inputs with no effect left out" in " ".join(ax.get_title().split())  # wrapped
