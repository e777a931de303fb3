"""``llmcost report S --xlsx B`` writes the same book as ``llmcost compare S --xlsx B`` (issue 14).

One answer: the report's workbook is not a second writer. Every cell of every sheet — formula
text or value — is the same in both books (the analysis uses the same default draws and seed).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from llmcost.cli import main

pytest.importorskip("openpyxl")
pytestmark = pytest.mark.filterwarnings("ignore::llmcost._core.errors.StaleCatalogWarning")

SCENARIO = Path(__file__).resolve().parents[1] / "examples" / "scenarios" / "chat-assistant.toml"


def _cells(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every sheet's cells as (coordinate, value or formula text) rows, in order."""
    import openpyxl

    wb = openpyxl.load_workbook(path)
    return {
        ws.title: [(c.coordinate, c.value) for row in ws.iter_rows() for c in row]
        for ws in wb.worksheets
    }


def test_report_xlsx_is_the_compare_book(tmp_path: Path) -> None:
    from_report, from_compare = tmp_path / "report.xlsx", tmp_path / "compare.xlsx"
    html = tmp_path / "report.html"
    assert main(["report", str(SCENARIO), "--out", str(html), "--xlsx", str(from_report)]) == 0
    assert main(["compare", str(SCENARIO), "--xlsx", str(from_compare)]) == 0
    assert html.stat().st_size > 0
    report_cells, compare_cells = _cells(from_report), _cells(from_compare)
    assert list(report_cells) == list(compare_cells)
    assert report_cells["Summary"]  # not two empty books
    for sheet, cells in compare_cells.items():
        assert report_cells[sheet] == cells, sheet
