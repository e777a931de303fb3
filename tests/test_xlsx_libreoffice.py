"""A real spreadsheet application recomputes the workbook to the library's numbers.

LibreOffice (headless) opens the file written by ``write_workbook`` — which holds formulas
and no cached values — computes every cell and saves the results; the totals, $/1M tokens, NPV
and the cheapest option must equal ``compare()``'s, also after the GPU price cell is edited.
Skipped where LibreOffice is not installed.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from llmcost.export.xlsx import write_workbook
from llmcost.scenario import compare, load_scenario

openpyxl = pytest.importorskip("openpyxl")
SOFFICE = shutil.which("soffice")
pytestmark = [
    pytest.mark.skipif(SOFFICE is None, reason="needs LibreOffice (soffice) to recompute"),
    pytest.mark.filterwarnings("ignore::llmcost._core.errors.StaleCatalogWarning"),
]

SCENARIOS = Path(__file__).resolve().parents[1] / "examples" / "scenarios"
RTOL = 1e-9
#: LibreOffice profile setting: recalculate every formula of an .xlsx on load.
RECALC_ALWAYS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
 xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
<prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


def _recompute(path: Path, out_dir: Path) -> Any:
    """Open ``path`` in LibreOffice, let it compute, read back the values."""
    out_dir.mkdir(exist_ok=True)
    profile = out_dir / "profile"  # own profile: recalculate on load (the book has cached values)
    (profile / "user").mkdir(parents=True, exist_ok=True)
    (profile / "user" / "registrymodifications.xcu").write_text(RECALC_ALWAYS)
    run = subprocess.run(
        [
            str(SOFFICE),
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--calc",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(out_dir),
            str(path),
        ],
        capture_output=True,
        timeout=180,
        check=False,
    )
    assert run.returncode == 0, run.stderr.decode(errors="replace")
    return openpyxl.load_workbook(out_dir / path.name, data_only=True)


#: Workbook row label → OptionResult field of the quoted figures it must equal.
QUOTED_ROWS = {
    "Cost per 1M output tokens (whole cost)": "usd_per_m_output_tokens",
    "Cost per 1M input tokens (whole cost)": "usd_per_m_input_tokens",
    "Cost per request": "usd_per_request",
    "Cost per 1,000 requests": "usd_per_1k_requests",
}


def _row(ws: Any, label: str) -> int:
    return next(r for r in range(1, ws.max_row + 1) if ws.cell(row=r, column=1).value == label)


@pytest.mark.parametrize("name", ["chat-assistant", "owned-hardware"])
def test_libreoffice_recomputes_to_compare(name: str, tmp_path: Path) -> None:
    comparison = compare(load_scenario(SCENARIOS / f"{name}.toml"))
    book = _recompute(write_workbook(comparison, tmp_path / f"{name}.xlsx"), tmp_path / "lo")
    model, horizon = book["Model"], book["Horizon"]
    errors = [
        (ws.title, c.coordinate, c.value)
        for ws in book.worksheets
        for row in ws.iter_rows()
        for c in row
        if isinstance(c.value, str) and c.value.startswith("#")
    ]
    assert errors == []
    total, per_mtok = (
        _row(model, "Monthly cost"),
        _row(model, "Cost per 1M tokens (input + output)"),
    )
    for j, opt in enumerate(comparison.options):
        assert np.isclose(
            model.cell(row=total, column=3 + j).value, opt.monthly_cost_usd, rtol=RTOL
        ), opt.name
        assert np.isclose(
            model.cell(row=per_mtok, column=3 + j).value, opt.usd_per_mtok, rtol=RTOL
        ), opt.name
        for label, key in QUOTED_ROWS.items():  # the quoted figures, live formulas
            cell = model.cell(row=_row(model, label), column=3 + j).value
            expect = getattr(opt, key)
            assert (cell == "n/a") if np.isnan(expect) else np.isclose(cell, expect, rtol=RTOL)
        npv = horizon.cell(row=comparison.horizon_months + 3, column=4 + j).value
        assert np.isclose(npv, opt.npv_usd, rtol=RTOL), opt.name
    assert model.cell(row=_row(model, "Cheapest feasible option"), column=3).value == (
        comparison.cheapest
    )


def test_libreoffice_follows_an_edited_gpu_price(tmp_path: Path) -> None:
    comparison = compare(load_scenario(SCENARIOS / "chat-assistant.toml"))
    path = write_workbook(comparison, tmp_path / "chat.xlsx")
    opt = next(o for o in comparison.options if o.kind == "self_hosted")
    j = comparison.options.index(opt) + 1
    new_price = 1.99
    wb = openpyxl.load_workbook(path)
    ws = wb["Assumptions"]
    row = next(
        r
        for r in range(1, ws.max_row + 1)
        if ws.cell(row=r, column=2).value == f"o{j}_gpu_usd_per_hour"
    )
    ws.cell(row=row, column=3).value = new_price  # what a finance user types in
    wb.save(path)
    model = _recompute(path, tmp_path / "lo")["Model"]
    expected = comparison.evaluate(**{f"{opt.name}.gpu_usd_per_hour": new_price})
    total = _row(model, "Monthly cost")
    for k, o in enumerate(comparison.options):
        assert np.isclose(
            model.cell(row=total, column=3 + k).value,
            expected[o.name]["monthly_cost_usd"],
            rtol=RTOL,
        ), o.name
    assert expected[opt.name]["monthly_cost_usd"] < opt.monthly_cost_usd
