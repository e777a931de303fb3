"""write_files: both targets checked before anything is written."""

from __future__ import annotations

from pathlib import Path

import pytest

from llmcost._core.errors import InvalidInputError
from llmcost.export.files import write_files
from llmcost.scenario import compare, parse_scenario

pytest.importorskip("openpyxl")

SCENARIO = {
    "name": "tiny",
    "workload": {
        "requests_per_month": 1000,
        "input_tokens_per_request": 100,
        "output_tokens_per_request": 10,
    },
    "options": [
        {"name": "a", "kind": "api", "offer": "openai/gpt-4o"},
        {"name": "b", "kind": "api", "offer": "openai/gpt-4o-mini"},
    ],
}


def test_writes_what_was_asked(tmp_path: Path) -> None:
    comparison = compare(parse_scenario(SCENARIO))
    written = write_files(comparison, csv=tmp_path / "o.csv", xlsx=tmp_path / "o.xlsx")
    assert written == {"csv": str(tmp_path / "o.csv"), "xlsx": str(tmp_path / "o.xlsx")}
    assert (tmp_path / "o.csv").read_text().startswith("option,kind,monthly_cost_usd")
    assert (tmp_path / "o.xlsx").stat().st_size > 5000
    assert write_files(comparison) == {}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"csv": "missing-dir/o.csv"}, "--csv: directory"),
        ({"xlsx": "o.xls"}, "--xlsx: expected a file ending in .xlsx"),
        ({"csv": "o.txt"}, "--csv: expected a file ending in .csv"),
    ],
)
def test_bad_targets_write_nothing(
    kwargs: dict[str, str], message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    comparison = compare(parse_scenario(SCENARIO))
    with pytest.raises(InvalidInputError, match=message):
        write_files(comparison, **({"xlsx": tmp_path / "ok.xlsx"} | kwargs))
    assert not (tmp_path / "ok.xlsx").exists()
