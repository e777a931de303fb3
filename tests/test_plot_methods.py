"""``.plot(ax=None)`` on the results (issue #22): each draws into a real Agg figure.

Each chart is drawn on a given ``Axes`` of a ``matplotlib.figure.Figure`` with an Agg canvas,
then measured with the renderer after the final layout: no two tick labels (the tornado's bar
labels are its y tick labels) and no two break-even labels overlap, the axes carry their units
in [brackets], and money ticks read "−$40k" (the minus before the dollar). The report's figures
are drawn by the same functions (``llmcost.analysis.plotting``), checked in ``test_plots``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from llmcost import ParameterSpace, compare, load_scenario, monte_carlo, sweep, tornado
from llmcost._core.errors import InvalidInputError
from llmcost.scenario import scenario_breakeven

matplotlib = pytest.importorskip("matplotlib")

SCENARIO = "examples/scenarios/chat-assistant.toml"
A, B = "llama-3.3-70b-2xh100", "maverick-together"


@pytest.fixture(scope="module")
def results() -> dict[str, Any]:
    scenario = load_scenario(SCENARIO)
    comparison = compare(scenario)
    model = comparison.model
    space = ParameterSpace.from_scenario(scenario)
    names = list(model.option_names)
    summary = scenario_breakeven(model, scenario=comparison.scenario)
    # the first pair whose cheaper option changes within the range (gpt-4o against a
    # self-hosted option: one change, at 2.24M or 4.57M requests/month)
    pair = next(r for r in summary.pairs if r.crossings.size)
    return {
        "comparison": comparison,
        # B − A is negative at the scenario (~$4.2k − ~$18.5k a month): money ticks below zero
        "tornado": tornado(model, space, lambda o: o[B] - o[A], output_name=f"{B} minus {A}"),
        "monte_carlo": monte_carlo(model, space, 400, seed=3, options=names),
        "breakeven": summary,
        "pair": pair,
        "sweep": sweep(model, {"requests_per_month": np.geomspace(1e5, 1e9, 40)}),
        "names": names,
    }


def _axes() -> Any:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7.5, 5.0), layout="constrained")
    FigureCanvasAgg(fig)
    return fig.add_subplot()


def _draw(kind: str, r: dict[str, Any], ax: Any) -> Any:
    if kind == "tornado":
        return r["tornado"].plot(ax)
    if kind == "monte_carlo":
        return r["monte_carlo"].plot(ax)
    if kind == "breakeven":
        return r["breakeven"].plot(ax)
    if kind == "pair":
        return r["pair"].plot(ax)
    if kind == "horizon":
        return r["comparison"].plot(ax)
    return r["sweep"].llmcost.plot(ax, outputs=r["names"])


def _visible_tick_labels(axis: Any, limits: tuple[float, float]) -> list[Any]:
    lo, hi = sorted(limits)
    return [
        t.label1
        for t in axis.get_major_ticks()
        if t.label1.get_visible() and t.label1.get_text() and lo <= t.get_loc() <= hi
    ]


def _overlaps(texts: list[Any], renderer: Any) -> list[tuple[str, str]]:
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in texts]
    return [
        (a, b)
        for i, (a, box_a) in enumerate(boxes)
        for b, box_b in boxes[i + 1 :]
        if box_a.overlaps(box_b)
    ]


KINDS = ["tornado", "monte_carlo", "breakeven", "pair", "horizon", "sweep"]


@pytest.mark.parametrize("kind", KINDS)
def test_each_plot_draws_on_the_axes_given_with_readable_labels(
    kind: str, results: dict[str, Any]
) -> None:
    ax = _axes()
    assert _draw(kind, results, ax) is ax
    fig = ax.figure
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    x_ticks = _visible_tick_labels(ax.xaxis, ax.get_xlim())
    y_ticks = _visible_tick_labels(ax.yaxis, ax.get_ylim())
    assert len(x_ticks) >= 2, kind
    assert _overlaps(x_ticks, renderer) == [], kind
    assert _overlaps(y_ticks, renderer) == [], kind
    assert _overlaps(list(ax.texts), renderer) == [], kind  # break-even labels
    # units: the money axis names USD, the other its unit or its variable
    labels = ax.get_xlabel() + " | " + ax.get_ylabel()
    if kind != "pair":
        assert "[USD" in labels, (kind, labels)
        money = [t.get_text() for t in (x_ticks if kind in ("tornado", "monte_carlo") else y_ticks)]
        assert all("$" in t for t in money), (kind, money)
        assert not any("$-" in t or "-$" in t for t in money), (kind, money)
    else:
        assert "requests per month" in ax.get_xlabel()


def test_negative_money_reads_minus_dollar(results: dict[str, Any]) -> None:
    ax = _axes()
    r = results["tornado"]
    assert r.baseline_output < 0  # llama-3.3-70b-2xh100 costs more than maverick-together
    r.plot(ax)
    ax.figure.canvas.draw()
    ticks = [t.get_text() for t in _visible_tick_labels(ax.xaxis, ax.get_xlim())]
    assert any(t.startswith("\u2212$") for t in ticks), ticks
    assert "(baseline \u2212$" in ax.get_xlabel()


def test_log_axes_where_money_spans_decades(results: dict[str, Any]) -> None:
    # chat-assistant's options cost from ~$2k (gpt-4o-mini) to ~$37k (gpt-4o) a month, and
    # over 1e5–1e9 requests from tens of dollars to millions: both money axes are logarithmic
    ax = results["sweep"].llmcost.plot(_axes(), outputs=results["names"])
    assert ax.get_xscale() == ax.get_yscale() == "log"
    assert results["monte_carlo"].plot(_axes()).get_xscale() == "log"
    # one option alone stays linear (its draws span less than two decades)
    one = results["monte_carlo"].plot(_axes(), ["gpt-4o"])
    assert one.get_xscale() == "linear"


def test_without_ax_a_new_pyplot_figure_is_made(results: dict[str, Any]) -> None:
    import matplotlib.pyplot as plt

    before = set(plt.get_fignums())
    ax = results["comparison"].plot(cumulative=False)
    try:
        assert ax.figure.number not in before
        assert ax.get_ylabel().startswith("monthly cost [USD/month]")
        n = results["comparison"].horizon_months
        assert [len(line.get_ydata()) for line in ax.lines] == [n] * len(ax.lines)
        # months named by period: the first tick at month 1 is the horizon's first month
        ax.figure.canvas.draw()
        assert ax.xaxis.get_major_formatter()(1.0) == str(results["comparison"].periods[0])
    finally:
        plt.close(ax.figure)


def test_horizon_plot_draws_the_cumulative_costs(results: dict[str, Any]) -> None:
    c = results["comparison"]
    ax = c.plot(_axes())
    drawn = {line.get_label(): np.asarray(line.get_ydata()) for line in ax.lines}
    for o in c.options:
        np.testing.assert_allclose(drawn[o.name], o.horizon_cumulative_usd)


def test_breakeven_plot_marks_each_change_of_the_pair(results: dict[str, Any]) -> None:
    pair = results["pair"]
    ax = pair.plot(_axes())
    lines = [line for line in ax.lines if len(set(line.get_xdata())) == 1]  # axvlines
    assert sorted(float(line.get_xdata()[0]) for line in lines) == pytest.approx(
        sorted(pair.crossings.tolist())
    )
    assert ax.get_xscale() == ("log" if pair.scale == "log" else "linear")


def test_sweep_plot_needs_one_input(results: dict[str, Any]) -> None:
    model = results["comparison"].model
    grid = sweep(
        model,
        {"requests_per_month": [1e6, 2e6], "llama-3.3-70b-2xh100.gpu_usd_per_hour": [2.0, 3.0]},
        grid=True,
    )
    with pytest.raises(InvalidInputError, match="x must name the input"):
        grid.llmcost.plot(_axes())
    with pytest.raises(InvalidInputError, match="repeats"):
        grid.llmcost.plot(_axes(), x="requests_per_month")
    with pytest.raises(InvalidInputError, match="not in the table"):
        results["sweep"].llmcost.plot(_axes(), outputs=["no-such-option"])
