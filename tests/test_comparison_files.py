"""``Comparison.to_excel`` / ``to_csv`` / ``to_json``: the export layer's files, from the object.

They must write exactly what ``llmcost compare --csv/--xlsx`` writes (``export.files``), and the
workbook's horizon must use the comparison's own growth, horizon and discount rate.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from llmcost._core.errors import LlmcostError
from llmcost.catalog import load_catalog
from llmcost.export import from_json, to_json, write_csv, write_files
from llmcost.scenario import Comparison, compare, parse_scenario

openpyxl = pytest.importorskip("openpyxl")

CATALOG = load_catalog()
AS_OF = "2025-01-01"
CHAT = {
    "requests_per_month": 3_000_000,
    "input_tokens_per_request": 1500,
    "output_tokens_per_request": 300,
    "peak_to_average": 3.0,
}
RENTED = {
    "name": "llama",
    "kind": "self_hosted",
    "model": "llama-3.3-70b",
    "gpu": "h100-sxm",
    "gpus_per_replica": 8,
    "precision": "fp8",
    "gpu_usd_per_hour": 2.5,
    "requests_per_s_per_replica": 5.0,
}
API = {"name": "gpt-4o", "kind": "api", "offer": "openai/gpt-4o"}


def _compare(workload: dict[str, Any], *options: dict[str, Any]) -> tuple[Any, Comparison]:
    scenario = parse_scenario({"name": "files", "workload": workload, "options": list(options)})
    return scenario, compare(scenario, as_of=AS_OF, catalog=CATALOG)


def _cells(path: Path) -> dict[str, Any]:
    """Every cell (formulas as text) and defined name of a workbook."""
    book = openpyxl.load_workbook(path)
    out: dict[str, Any] = {f"name:{k}": v.attr_text for k, v in book.defined_names.items()}
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is not None:
                    out[f"{ws.title}!{cell.coordinate}"] = cell.value
    out["sheets"] = book.sheetnames
    return out


def test_to_excel_writes_the_cli_workbook(tmp_path: Path) -> None:
    _, result = _compare(CHAT | {"growth_per_month": 0.05, "horizon_months": 4}, API, RENTED)
    mine = result.to_excel(tmp_path / "method.xlsx")
    cli = Path(write_files(result, xlsx=tmp_path / "cli.xlsx")["xlsx"])
    assert mine == tmp_path / "method.xlsx"
    cells = _cells(mine)
    assert cells["sheets"][:2] == ["Summary", "Assumptions"]  # the Summary sheet comes first
    assert len(cells) > 500  # a real workbook, not two empty files
    assert cells == _cells(cli)


def test_to_csv_and_to_json_are_the_export_functions(tmp_path: Path) -> None:
    scenario, result = _compare(CHAT, API, RENTED)
    for table in ("options", "horizon"):
        mine = result.to_csv(tmp_path / f"{table}.csv", table=table)
        theirs = write_csv(result, tmp_path / f"export-{table}.csv", table=table)
        assert mine.read_bytes() == theirs.read_bytes()
    text = result.to_json(scenario=scenario)
    assert text == to_json(result, scenario=scenario)
    again, data = from_json(text)
    assert again == scenario
    assert data["growth_per_month"] == 0.0
    assert compare(again, as_of=AS_OF, catalog=CATALOG).to_dict() == data


def test_to_excel_without_openpyxl_names_the_extra(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, result = _compare(CHAT, API)
    monkeypatch.setitem(sys.modules, "openpyxl", None)  # `import openpyxl` raises ImportError
    with pytest.raises(ImportError, match=r"llmcost\[xlsx\]") as info:
        result.to_excel(tmp_path / "x.xlsx")
    assert isinstance(info.value, LlmcostError)
    assert not (tmp_path / "x.xlsx").exists()


def test_the_comparison_carries_the_horizon_inputs() -> None:
    workload = CHAT | {"growth_per_month": 0.07, "horizon_months": 5, "discount_rate_per_year": 0.1}
    _, result = _compare(workload, API)
    assert (result.growth_per_month, result.horizon_months, result.discount_rate_per_year) == (
        0.07,
        5,
        0.1,
    )
    data = result.to_dict()
    assert data["growth_per_month"] == 0.07
    # the API bill is proportional to volume: month 2 / month 1 = 1 + growth
    months = result.options[0].horizon_monthly_usd
    assert months[1] / months[0] == pytest.approx(1.07, rel=1e-12)


def test_workbook_growth_without_an_api_option(tmp_path: Path) -> None:
    """Self-hosted only: no API bill to read growth off — the workbook takes the comparison's
    own ``growth_per_month`` and its horizon recomputes to compare()'s months and NPV."""
    pytest.importorskip("formulas")
    from test_xlsx_formulas import recalculate

    workload = CHAT | {"growth_per_month": 0.3, "horizon_months": 4}
    _, result = _compare(workload, RENTED, RENTED | {"name": "llama-spot", "pricing": "spot"})
    path = result.to_excel(tmp_path / "hosted.xlsx")
    book = openpyxl.load_workbook(path)
    sheet, ref = next(iter(book.defined_names["w_growth_per_month"].destinations))
    assert book[sheet][ref.replace("$", "")].value == 0.3
    got = recalculate(path)
    for j, opt in enumerate(result.options):
        months = opt.horizon_monthly_usd
        assert months[-1] > months[0]  # growth adds replicas over the horizon
        col = chr(ord("D") + j)
        recomputed = [got[f"HORIZON!{col}{t + 2}"] for t in range(len(months))]
        assert np.allclose(recomputed, months, rtol=1e-9), opt.name
        assert np.isclose(got[f"HORIZON!{col}{len(months) + 3}"], opt.npv_usd, rtol=1e-9)
