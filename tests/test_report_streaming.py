"""The report's Monte Carlo on the bounded-memory path (issue 16).

``analyze`` keeps every draw while the draws fit the memory budget and streams per-block
reductions above it. On the same draws (``monte_carlo(block_rows=…)`` draws the streaming
blocks in memory) both paths must give the report the same figures: percentiles and
P(cheapest) bit for bit, mean and std to rounding (Chan's merge vs one pass).
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest

from llmcost import compare
from llmcost._core.errors import InvalidInputError
from llmcost.analysis import MonteCarloResult, StreamingMonteCarloResult, monte_carlo
from llmcost.analysis.blocks import DEFAULT_BLOCK_ROWS
from llmcost.cli import main
from llmcost.cli.sensitivity import space_for
from llmcost.export.report import _monte_carlo_table, analyze, render_report
from llmcost.scenario import load_scenario

SCENARIO = Path(__file__).parents[1] / "examples" / "scenarios" / "chat-assistant.toml"
N = 3_000


@pytest.fixture(scope="module")
def setup():  # type: ignore[no-untyped-def]
    scenario = load_scenario(SCENARIO)
    comparison = compare(scenario)
    space = space_for(scenario, comparison.model)[0]
    streamed = analyze(comparison, space=space, monte_carlo_draws=N, seed=4, stream=True)
    names = list(comparison.model.option_names)
    in_memory = monte_carlo(
        comparison.model, space, N, seed=4, options=names, block_rows=DEFAULT_BLOCK_ROWS
    )
    return comparison, space, streamed, dataclasses.replace(streamed, monte_carlo=in_memory)


def test_streamed_report_figures_equal_the_in_memory_ones(setup) -> None:  # type: ignore[no-untyped-def]
    _, _, streamed, reference = setup
    s, m = streamed.monte_carlo, reference.monte_carlo
    assert isinstance(s, StreamingMonteCarloResult)
    assert isinstance(m, MonteCarloResult)
    assert s.probability_cheapest == m.probability_cheapest
    for option, stats in m.summary.items():
        for key in ("p5", "p50", "p95", "undefined_fraction"):
            assert s.summary[option][key] == stats[key], (option, key)
        for key in ("mean", "std"):
            assert s.summary[option][key] == pytest.approx(stats[key], rel=1e-12), (option, key)
    a, b = streamed.monte_carlo_frame(), reference.monte_carlo_frame()
    assert list(a.columns) == list(b.columns)  # the workbook's Monte Carlo sheet: same shape
    assert list(a["option"]) == list(b["option"])
    numeric = [c for c in a.columns if c != "option"]
    np.testing.assert_allclose(a[numeric], b[numeric], rtol=1e-12)
    ta, tb = _monte_carlo_table(s), _monte_carlo_table(m)
    shown = [
        {k: (ta.formats[k](v) if k in ta.formats else v) for k, v in row.items()}
        for row in ta.frame.to_dict(orient="records")
    ]
    expected = [
        {k: (tb.formats[k](v) if k in tb.formats else v) for k, v in row.items()}
        for row in tb.frame.to_dict(orient="records")
    ]
    assert shown == expected  # the report's table, as printed
    assert "reduced in blocks of 65,536 draws" in ta.caption


def test_draws_over_the_budget_stream_on_their_own(setup) -> None:  # type: ignore[no-untyped-def]
    comparison, space, streamed, _ = setup
    columns = len(space.names) + len(comparison.model.option_names)
    budget = N * columns * 8 / 1e9 * 0.9  # just under what every draw in memory needs
    auto = analyze(comparison, space=space, monte_carlo_draws=N, seed=4, memory_budget_gb=budget)
    assert isinstance(auto.monte_carlo, StreamingMonteCarloResult)
    assert auto.monte_carlo.summary == streamed.monte_carlo.summary  # the budget changes no bit
    fits = analyze(comparison, space=space, monte_carlo_draws=N, seed=4)
    assert isinstance(fits.monte_carlo, MonteCarloResult)
    with pytest.raises(InvalidInputError, match="memory budget"):
        analyze(
            comparison, space=space, monte_carlo_draws=N, seed=4, memory_budget_gb=budget,
            stream=False,
        )  # fmt: skip


def test_streamed_report_renders_its_histogram(setup, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    pytest.importorskip("matplotlib")
    comparison, _, streamed, _ = setup
    text = render_report(comparison, "md", analysis=streamed)
    section = text.split("Uncertainty (Monte Carlo)", 1)[1]
    assert "data:image/png;base64," in section.split("##", 1)[0]
    assert "reduced in blocks" in section


def test_cli_report_streams_over_its_memory_budget(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "r.md"
    argv = ["report", str(SCENARIO), "--out", str(out), "--monte-carlo", "2000", "--json"]
    assert main([*argv, "--memory-budget-gb", "0.0001"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["monte_carlo_streamed"] is True
    assert "reduced in blocks" in out.read_text(encoding="utf-8")
    assert main([*argv, "--force"]) == 0
    assert json.loads(capsys.readouterr().out)["monte_carlo_streamed"] is False
    assert main([*argv, "--force", "--monte-carlo", "-1"]) == 2
    assert "--monte-carlo must be ≥ 0" in capsys.readouterr().err
    assert main([*argv, "--force", "--memory-budget-gb", "0"]) == 2
    assert "--memory-budget-gb must be > 0" in capsys.readouterr().err
