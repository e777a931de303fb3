"""Side-by-side charts in a constrained layout: titles stay inside their own column.

A tornado's long tick labels make the layout narrow its axes after the title was wrapped; the
title must wrap again at draw time (analysis/plotting.py ``_wrap_at_axes``), or it runs into
the next panel's title (seen in docs/examples/analyst-workflow.ipynb).
"""

from __future__ import annotations

from pathlib import Path

import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from llmcost import ParameterSpace, compare, load_scenario, monte_carlo, tornado  # noqa: E402

SCENARIO = Path(__file__).resolve().parents[1] / "examples" / "scenarios" / "chat-assistant.toml"


@pytest.mark.filterwarnings("ignore::llmcost.StaleCatalogWarning")
def test_tornado_and_monte_carlo_titles_do_not_meet() -> None:
    scenario = load_scenario(SCENARIO)
    result = compare(scenario)
    space = ParameterSpace.from_scenario(scenario)
    tor = tornado(
        result.model, space, lambda o: o["llama-3.3-70b-2xh100"] - o["gpt-4o-mini"],
        output_name="llama-3.3-70b-2xh100 minus gpt-4o-mini [USD/month]",
    )  # fmt: skip
    mc = monte_carlo(result.model, space, 300, seed=1, options=list(result.model.option_names))
    fig, (left, right) = plt.subplots(1, 2, figsize=(13, 4.5), layout="constrained")
    tor.plot(left)
    mc.plot(right)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    a = left.title.get_window_extent(renderer)
    b = right.title.get_window_extent(renderer)
    plt.close(fig)
    assert a.x1 <= b.x0  # the left title ends before the right one starts
    assert a.x1 <= left.get_window_extent(renderer).x1 + 1.0  # and within its own axes
