"""The issue's "done when": the default scenario's workbook recomputes to compare()'s numbers,
and editing the GPU price in it moves the totals exactly as the library predicts.

The ``formulas`` package (a real Excel formula engine) recomputes the file written by
``write_workbook(compare(scenario))``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from llmcost.export.xlsx import write_workbook
from llmcost.scenario import compare, load_scenario
from test_xlsx_formulas import recalculate

openpyxl = pytest.importorskip("openpyxl")
pytest.importorskip("formulas")

pytestmark = pytest.mark.filterwarnings("ignore::llmcost._core.errors.StaleCatalogWarning")

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT / "examples" / "scenarios" / "chat-assistant.toml"
RTOL = 1e-9


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any]:
    scenario = load_scenario(DEFAULT)
    # 6 of its 24 months: the same formulas, a quarter of the cells for the engine to parse
    workload = scenario.workload.model_copy(update={"horizon_months": 6})
    comparison = compare(scenario.model_copy(update={"workload": workload}))
    path = write_workbook(comparison, tmp_path_factory.mktemp("cmp") / "chat.xlsx")
    return path, comparison


def _labels(path: Path, sheet: str, column: int) -> dict[Any, int]:
    ws = openpyxl.load_workbook(path)[sheet]
    return {ws.cell(row=r, column=column).value: r for r in range(1, ws.max_row + 1)}


def test_default_scenario_workbook_recomputes_to_compare(written: tuple[Path, Any]) -> None:
    path, comparison = written
    got = recalculate(path)
    rows = _labels(path, "Model", 1)
    from llmcost.export._xlsx_model import COMPONENT_LABELS

    for j, opt in enumerate(comparison.options):
        col = chr(ord("C") + j)
        total = got[f"MODEL!{col}{rows['Monthly cost']}"]
        assert np.isclose(total, opt.monthly_cost_usd, rtol=RTOL), opt.name
        per_mtok = got[f"MODEL!{col}{rows['Cost per 1M tokens (input + output)']}"]
        assert np.isclose(per_mtok, opt.usd_per_mtok, rtol=RTOL), opt.name
        for key, value in opt.components.items():
            cell = got[f"MODEL!{col}{rows[COMPONENT_LABELS[key]]}"]
            assert np.isclose(cell, value, rtol=RTOL, atol=1e-9), (opt.name, key)
        months = len(opt.horizon_monthly_usd)
        hcol = chr(ord("D") + j)
        ccol = chr(ord("D") + len(comparison.options) + j)
        for t in range(months):
            assert np.isclose(got[f"HORIZON!{hcol}{t + 2}"], opt.horizon_monthly_usd[t], rtol=RTOL)
            assert np.isclose(
                got[f"HORIZON!{ccol}{t + 2}"], opt.horizon_cumulative_usd[t], rtol=RTOL
            )
        assert np.isclose(got[f"HORIZON!{hcol}{months + 3}"], opt.npv_usd, rtol=RTOL), opt.name
    assert got[f"MODEL!C{rows['Cheapest feasible option']}"] == comparison.cheapest


def test_editing_the_gpu_price_moves_the_totals_like_the_library(
    written: tuple[Path, Any],
) -> None:
    path, comparison = written
    hosted = [o for o in comparison.options if o.kind == "self_hosted"]
    opt = hosted[0]
    j = comparison.options.index(opt) + 1
    names = _labels(path, "Assumptions", 2)
    new_price = comparison.model.baseline()[f"{opt.name}.gpu_usd_per_hour"] * 0.61
    got = recalculate(path, {f"ASSUMPTIONS!C{names[f'o{j}_gpu_usd_per_hour']}": new_price})
    expected = comparison.evaluate(**{f"{opt.name}.gpu_usd_per_hour": new_price})
    rows = _labels(path, "Model", 1)
    for k, o in enumerate(comparison.options):
        total = got[f"MODEL!{chr(ord('C') + k)}{rows['Monthly cost']}"]
        assert np.isclose(total, expected[o.name]["monthly_cost_usd"], rtol=RTOL), o.name
    moved = got[f"MODEL!{chr(ord('C') + j - 1)}{rows['Monthly cost']}"]
    assert moved < opt.monthly_cost_usd  # a cheaper GPU lowers that option's total


def test_analysis_results_become_value_sheets(tmp_path: Path) -> None:
    from llmcost.cli.sensitivity import space_for
    from llmcost.export.report import analyze

    scenario = load_scenario(ROOT / "examples" / "scenarios" / "owned-hardware.toml")
    comparison = compare(scenario)
    analysis = analyze(
        comparison, space=space_for(scenario, comparison.model)[0], monte_carlo_draws=500, seed=3
    )
    path = write_workbook(comparison, tmp_path / "owned.xlsx", analysis=analysis)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == [
        "Summary",
        "Assumptions",
        "Load profile",
        "Model",
        "Capacity",
        "Horizon",
        "Horizon replicas",
        "Break-even",
        "Sensitivity",
        "Monte Carlo",
        "Sources",
    ]
    rows = list(wb["Break-even"].iter_rows(min_row=2, values_only=True))
    assert len(rows) == len(analysis.breakeven)
    for row, result in zip(rows, analysis.breakeven, strict=True):
        first = row[4]
        assert first == "n/a" if np.isnan(result.first) else np.isclose(first, result.first)
    tornado_rows = list(wb["Sensitivity"].iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in tornado_rows] == [r["input"] for r in analysis.tornado.rows]
    mc = {r[0]: r for r in wb["Monte Carlo"].iter_rows(min_row=2, values_only=True)}
    assert set(mc) == set(comparison.model.option_names)
    sources = [r for r in wb["Sources"].iter_rows(values_only=True) if r[0] == "catalog_version"]
    assert sources[0][1] == comparison.catalog_version
