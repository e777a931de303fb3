"""User text can never become a formula in CSV or XLSX: one test per trigger character."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from llmcost.export.safety import (
    FORMULA_TRIGGERS,
    is_formula_like,
    neutralize_csv_text,
    neutralize_frame_for_csv,
    to_safe_csv,
    write_text_cell,
)

openpyxl = pytest.importorskip("openpyxl")

PAYLOADS = {
    "=": '=HYPERLINK("http://evil.example","click")',
    "+": "+cmd|' /C calc'!A0",
    "-": "-2+3+cmd|' /C calc'!A0",
    "@": "@SUM(1+9)*cmd|' /C calc'!A0",
    "\t": "\t=1+1",
    "\r": "\r=1+1",
}


def test_every_trigger_has_a_payload() -> None:
    assert set(PAYLOADS) == set(FORMULA_TRIGGERS)


@pytest.mark.parametrize("trigger", FORMULA_TRIGGERS, ids=repr)
def test_csv_cells_starting_with_a_trigger_become_text(trigger: str) -> None:
    payload = PAYLOADS[trigger]
    frame = pd.DataFrame({"name": [payload, "safe"], "monthly_cost_usd": [-12.5, 3.0]})
    frame.index = [payload, "row"]
    frame = frame.rename(columns={"name": payload})
    text = to_safe_csv(frame)
    assert text is not None
    rows = list(csv.reader(io.StringIO(text)))
    # header cell, index label and data cell all start with the apostrophe
    assert rows[0][1] == "'" + payload
    assert rows[1][0] == "'" + payload
    assert rows[1][1] == "'" + payload
    assert rows[2][1] == "safe"
    assert rows[1][2] == "-12.5"  # numbers stay numbers
    assert is_formula_like(payload)
    assert not is_formula_like(neutralize_csv_text(payload))


@pytest.mark.parametrize("trigger", FORMULA_TRIGGERS, ids=repr)
def test_xlsx_cells_starting_with_a_trigger_are_stored_as_strings(
    trigger: str, tmp_path: Path
) -> None:
    payload = PAYLOADS[trigger]
    wb = openpyxl.Workbook()
    ws = wb.active
    write_text_cell(ws["A1"], payload)
    write_text_cell(ws["A2"], "plain label")
    path = tmp_path / "safe.xlsx"
    wb.save(path)

    sheet_xml = zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml  # no formula element at all
    assert "<f " not in sheet_xml
    back = openpyxl.load_workbook(path).active
    assert back["A1"].data_type == "s"
    # XML parsers normalise a bare CR to LF; the text is otherwise unchanged
    assert back["A1"].value == payload.replace("\r", "\n")
    assert back["A1"].quotePrefix  # Excel keeps it text even after an edit
    assert back["A2"].value == "plain label"
    assert not back["A2"].quotePrefix


def test_openpyxl_would_otherwise_write_a_formula(tmp_path: Path) -> None:
    """The reason for write_text_cell: a plain assignment of '=…' is stored as a formula."""
    wb = openpyxl.Workbook()
    wb.active["A1"] = PAYLOADS["="]
    wb.save(tmp_path / "unsafe.xlsx")
    sheet_xml = zipfile.ZipFile(tmp_path / "unsafe.xlsx").read("xl/worksheets/sheet1.xml")
    assert b"<f>" in sheet_xml


def test_non_text_values_pass_through() -> None:
    assert neutralize_csv_text(-3.5) == -3.5
    assert neutralize_csv_text(None) is None
    frame = pd.DataFrame({"when": pd.to_datetime(["2026-01-01"]), "n": [-1]})
    pd.testing.assert_frame_equal(neutralize_frame_for_csv(frame), frame)


@given(st.text(max_size=40))
def test_any_text_reads_back_unchanged_or_apostrophed(text: str) -> None:
    """Round trip through the CSV writer: formula-like text gains exactly one leading
    apostrophe, any other text comes back as written."""
    csv_text = to_safe_csv(pd.DataFrame({"name": [text]}), index=False)
    assert csv_text is not None
    (cell,) = list(csv.reader(io.StringIO(csv_text, newline="")))[1] or [""]
    expected = "'" + text if text.startswith(FORMULA_TRIGGERS) else text
    assert cell == expected.replace("\r\n", "\n") or cell == expected
