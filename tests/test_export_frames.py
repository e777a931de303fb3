"""Tidy tables, CSV, JSON round trip and Parquet of a comparison."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from llmcost._core.errors import InvalidInputError
from llmcost.export.frames import (
    TABLES,
    components_frame,
    features_frame,
    from_json,
    sources_frame,
    to_json,
    write_csv,
    write_parquet,
)
from llmcost.export.safety import FORMULA_TRIGGERS
from llmcost.scenario import compare, load_scenario, parse_scenario
from llmcost.testing import assert_costs_sum, assert_usd_equal

pytestmark = pytest.mark.filterwarnings("ignore::llmcost._core.errors.StaleCatalogWarning")

SCENARIO = Path(__file__).resolve().parents[1] / "examples" / "scenarios" / "feature-mix.toml"


@pytest.fixture(scope="module")
def scenario() -> Any:
    return load_scenario(SCENARIO)


@pytest.fixture(scope="module")
def comparison(scenario: Any) -> Any:
    return compare(scenario)


def test_options_frame_has_units_in_names_and_components_sum(comparison: Any) -> None:
    frame = comparison.to_frame().reset_index()
    assert list(frame["option"]) == [o.name for o in comparison.options]
    units = ("usd", "mtok", "per_month", "tokens", "fraction", "_s", "gpus", "replicas")
    for column in frame.select_dtypes("number").columns:
        assert any(u in column for u in units), f"no unit in {column!r}"
    names = sorted({k for o in comparison.options for k in o.components})
    for row, opt in zip(frame.itertuples(index=False), comparison.options, strict=True):
        assert_costs_sum({n: getattr(row, n) for n in names}, row.monthly_cost_usd)
        assert_usd_equal(row.monthly_cost_usd, opt.monthly_cost_usd, cents=0)
    assert frame["cheapest"].sum() == 1


def test_long_tables_add_up(comparison: Any) -> None:
    comp = components_frame(comparison)
    by_option = comp.groupby("option", sort=False)["usd_per_month"].sum()
    feats = features_frame(comparison).groupby("option", sort=False)["usd_per_month"].sum()
    horizon = comparison.horizon_frame()
    for opt in comparison.options:
        assert_usd_equal(by_option[opt.name], opt.monthly_cost_usd)
        assert_usd_equal(feats[opt.name], opt.monthly_cost_usd)
        months = horizon[horizon["option"] == opt.name]
        assert list(months.index) == list(comparison.periods)
        np.testing.assert_allclose(months["cumulative_usd"], np.cumsum(months["cost_usd"]))
    assert set(features_frame(comparison)["feature"]) == {"chat", "summaries", "agent"}
    assert {"entity", "id", "source", "as_of"} <= set(sources_frame(comparison).columns)


@pytest.mark.parametrize("table", list(TABLES))
def test_csv_reads_back_the_same_numbers(comparison: Any, table: str, tmp_path: Path) -> None:
    path = write_csv(comparison, tmp_path / f"{table}.csv", table=table)
    expected = TABLES[table](comparison)
    back = pd.read_csv(path, keep_default_na=False, na_values=[""])
    assert list(back.columns) == list(expected.columns)
    assert len(back) == len(expected)
    for column in expected.select_dtypes("number").columns:
        np.testing.assert_allclose(back[column], expected[column], rtol=1e-12)
    with pytest.raises(InvalidInputError, match="table must be one of"):
        write_csv(comparison, tmp_path / "x.csv", table="everything")


@pytest.mark.parametrize("trigger", [t for t in FORMULA_TRIGGERS if t not in "\t\r"])
def test_csv_neutralises_formula_like_option_names(trigger: str, tmp_path: Path) -> None:
    data = {
        "name": "injection",
        "workload": {
            "requests_per_month": 1000,
            "input_tokens_per_request": 100,
            "output_tokens_per_request": 10,
        },
        "options": [
            {"name": f"{trigger}1+cmd", "kind": "api", "offer": "openai/gpt-4o"},
            {"name": "plain", "kind": "api", "offer": "openai/gpt-4o-mini"},
        ],
    }
    result = compare(parse_scenario(data))
    path = write_csv(result, tmp_path / "options.csv")
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    assert rows[1][0] == f"'{trigger}1+cmd"
    assert rows[2][0] == "plain"


def test_json_round_trips_scenario_and_result(comparison: Any, scenario: Any) -> None:
    text = to_json(comparison, scenario=scenario)
    back_scenario, result = from_json(text)
    assert back_scenario == scenario
    assert result == json.loads(json.dumps(comparison.to_dict()))
    again = compare(back_scenario)
    assert json.loads(json.dumps(again.to_dict())) == result
    _, without = from_json(to_json(comparison))
    assert without == result


def test_json_rejects_other_documents() -> None:
    with pytest.raises(InvalidInputError, match="not valid JSON"):
        from_json("{")
    with pytest.raises(InvalidInputError, match="not an llmcost comparison"):
        from_json('{"format": "other"}')


def test_parquet_round_trip_or_clear_error(comparison: Any, tmp_path: Path) -> None:
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        with pytest.raises(ImportError, match=r"llmcost\[parquet\]"):
            write_parquet(comparison, tmp_path / "o.parquet")
        pytest.skip("pyarrow is not installed: only the missing-extra error was checked")
    path = write_parquet(comparison, tmp_path / "o.parquet", table="horizon")
    expected = comparison.horizon_frame().reset_index()  # files have no index: period a column
    expected.attrs = {}
    got = pd.read_parquet(path)
    got.attrs = {}
    pd.testing.assert_frame_equal(got, expected)


def test_parquet_without_pyarrow_names_the_extra(
    comparison: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # import pyarrow → ImportError
    with pytest.raises(ImportError, match=r"pip install 'llmcost\[parquet\]'"):
        write_parquet(comparison, tmp_path / "o.parquet")
