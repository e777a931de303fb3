"""``llmcost compare SCENARIO.toml --csv FILE --xlsx FILE``: the files, and errors exit 2."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from llmcost.cli import main

pytest.importorskip("openpyxl")
pytestmark = pytest.mark.filterwarnings("ignore::llmcost._core.errors.StaleCatalogWarning")

SCENARIO = Path(__file__).resolve().parents[1] / "examples" / "scenarios" / "chat-assistant.toml"


def test_compare_writes_csv_and_xlsx(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import openpyxl

    out_csv, out_xlsx = tmp_path / "options.csv", tmp_path / "model.xlsx"
    code = main(
        ["compare", str(SCENARIO), "--csv", str(out_csv), "--xlsx", str(out_xlsx), "--json"]
    )
    assert code == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["written"] == {"csv": str(out_csv), "xlsx": str(out_xlsx)}
    with out_csv.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["option"] for r in rows] == [o["name"] for o in payload["options"]]
    for row, opt in zip(rows, payload["options"], strict=True):
        assert float(row["monthly_cost_usd"]) == pytest.approx(opt["monthly_cost_usd"], rel=1e-12)
    wb = openpyxl.load_workbook(out_xlsx)
    assert wb.sheetnames[:6] == [
        "Summary", "Assumptions", "Load profile", "Model", "Capacity", "Horizon"
    ]
    assert "cheapest_option" in wb.defined_names
    # the analysis sheets of issue 6, as in `llmcost report`: one break-even row per pair solved
    assert {"Break-even", "Sensitivity", "Monte Carlo", "Sources"} <= set(wb.sheetnames)
    assert wb["Break-even"].max_row > 1
    assert wb["Sensitivity"].max_row > 1


def test_compare_text_mentions_the_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_xlsx = tmp_path / "model.xlsx"
    assert main(["compare", str(SCENARIO), "--xlsx", str(out_xlsx)]) == 0
    assert f"wrote {out_xlsx}" in capsys.readouterr().out
    assert out_xlsx.exists()


@pytest.mark.parametrize(
    ("flag", "target", "message"),
    [("--xlsx", "nowhere/m.xlsx", "does not exist"), ("--csv", "options.xlsx", "ending in .csv")],
)
def test_bad_targets_exit_2(
    flag: str, target: str, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["compare", str(SCENARIO), flag, str(tmp_path / target)]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert len(err.strip().splitlines()) == 1
