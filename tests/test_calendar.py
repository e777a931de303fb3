"""The horizon on the calendar: periods, fiscal quarters and years, budget helpers, the CLI."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from llmcost._core.errors import InvalidInputError
from llmcost.catalog import load_catalog
from llmcost.cli import main
from llmcost.scenario import compare, parse_scenario
from llmcost.scenario.calendar import aggregate, default_horizon_start, horizon_periods

CATALOG = load_catalog()
AS_OF = "2025-01-01"  # GPT-4o at $2.50 / $10 per 1M tokens (catalog row of 2024-10-01)
CHAT = {
    "requests_per_month": 3_000_000,
    "input_tokens_per_request": 1500,
    "output_tokens_per_request": 300,
}
GPT4O = {"name": "gpt-4o", "kind": "api", "offer": "openai/gpt-4o"}


def _scenario(**workload: Any) -> Any:
    return parse_scenario({"name": "cal", "workload": CHAT | workload, "options": [GPT4O]})


def test_default_start_is_the_month_after_as_of() -> None:
    assert default_horizon_start(date(2025, 1, 1)) == "2025-02"
    assert default_horizon_start(date(2026, 12, 31)) == "2027-01"
    assert default_horizon_start(None, today=date(2026, 12, 7)) == "2027-01"
    result = compare(_scenario(horizon_months=2), as_of=AS_OF, catalog=CATALOG)
    assert result.horizon_start == "2025-02"
    frame = result.horizon_frame()
    assert isinstance(frame.index, pd.PeriodIndex)
    assert [str(p) for p in frame.index] == ["2025-02", "2025-03"]


def test_fiscal_quarter_budget_by_hand() -> None:
    # 4.5e9 input × $2.50/1M + 9e8 output × $10/1M = $20,250 in the first month, then +10 % a
    # month: 20,250 + 22,275 + 24,502.50 = $67,027.50. Fiscal years start in February, so
    # February–April 2027 is the first quarter of the fiscal year ending January 2028: 2028Q1.
    s = _scenario(
        horizon_start="2027-02", horizon_months=3, growth_per_month=0.1, fiscal_year_start_month=2
    )
    result = compare(s, as_of=AS_OF, catalog=CATALOG)
    assert result.quarterly_budget_usd("gpt-4o", "2028Q1") == pytest.approx(67_027.5)
    assert result.monthly_budget_usd("gpt-4o", "2027-03") == pytest.approx(22_275.0)
    assert result.budget_usd("gpt-4o", pd.Period("2027-04", freq="M")) == pytest.approx(24_502.5)
    quarters = result.horizon_frame("quarter")
    assert [str(p) for p in quarters.index] == ["2028Q1"]
    assert quarters.attrs["partial_periods"] == []
    years = result.horizon_frame("year")
    assert years.attrs["partial_periods"] == ["2028"]  # 3 of its 12 months are in the horizon
    with pytest.raises(InvalidInputError, match=r"2028 is not wholly within .*\(3 of its 12"):
        result.yearly_budget_usd("gpt-4o", "FY2028")
    with pytest.raises(InvalidInputError, match="must be a quarter"):
        result.quarterly_budget_usd("gpt-4o", "2027-03")
    with pytest.raises(InvalidInputError, match="unknown option 'gpt4o'"):
        result.monthly_budget_usd("gpt4o", "2027-03")


@pytest.mark.parametrize("bad", ["2027-13", "2027-1", "27-01", 202701])
def test_bad_horizon_start_names_the_field(bad: Any) -> None:
    with pytest.raises(InvalidInputError, match=r"horizon_start.*YYYY-MM"):
        _scenario(horizon_start=bad)


def test_toml_date_reads_as_its_month() -> None:
    assert _scenario(horizon_start=date(2027, 3, 15)).workload.horizon_start == "2027-03"


def _fiscal_label(period: pd.Period, start: int, by: str) -> str:
    """Fiscal quarter or year of a month, by hand: a fiscal year starting in month ``start``
    (> 1) is named by the calendar year it ends in."""
    year = period.year + (1 if start > 1 and period.month >= start else 0)
    quarter = (period.month - start) % 12 // 3 + 1
    return f"{year}Q{quarter}" if by == "quarter" else str(year)


@settings(max_examples=60, deadline=None)
@given(
    start=st.dates(date(2020, 1, 1), date(2040, 12, 1)),
    months=st.integers(1, 40),
    fiscal=st.integers(1, 12),
    by=st.sampled_from(["quarter", "year"]),
    seed=st.integers(0, 2**32 - 1),
)
def test_quarterly_and_yearly_sums_equal_the_monthly_ones(
    start: date, months: int, fiscal: int, by: str, seed: int
) -> None:
    index = horizon_periods(f"{start.year}-{start.month:02d}", months)
    values = np.random.default_rng(seed).uniform(0.0, 1e6, size=(months, 2))
    monthly = pd.DataFrame(values, index=index, columns=["a", "b"])
    out = aggregate(monthly, by, fiscal)
    expected: dict[str, np.ndarray] = {}
    counts: dict[str, int] = {}
    for period, row in zip(index, values, strict=True):
        label = _fiscal_label(period, fiscal, by)
        expected[label] = expected.get(label, 0.0) + row
        counts[label] = counts.get(label, 0) + 1
    assert [str(p) for p in out.index] == sorted(expected, key=lambda k: (k[:4], k))
    for period in out.index:
        np.testing.assert_allclose(out.loc[period].to_numpy(), expected[str(period)], rtol=1e-12)
    np.testing.assert_allclose(out.sum().to_numpy(), values.sum(axis=0), rtol=1e-12)
    full = 3 if by == "quarter" else 12
    assert out.attrs["partial_periods"] == [k for k in map(str, out.index) if counts[k] < full]


def test_cli_shows_periods(tmp_path: Any, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "s.toml"
    path.write_text(
        'name = "cal"\nas_of = 2025-01-01\n[workload]\nrequests_per_month = 3_000_000\n'
        "input_tokens_per_request = 1500\noutput_tokens_per_request = 300\n"
        'growth_per_month = 0.1\nhorizon_months = 6\nhorizon_start = "2027-01"\n'
        '[[options]]\nname = "gpt-4o"\nkind = "api"\noffer = "openai/gpt-4o"\n',
        encoding="utf-8",
    )
    assert main(["compare", str(path), "--by", "quarter", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["horizon_start"] == "2027-01"
    assert data["horizon_periods"][-1] == "2027-06"
    by = data["horizon_by"]
    assert by["periods"] == ["2027Q1", "2027Q2"]
    monthly = data["options"][0]["horizon_monthly_usd"]
    assert by["usd"]["gpt-4o"] == pytest.approx([sum(monthly[:3]), sum(monthly[3:])])
    assert main(["compare", str(path), "--by", "quarter"]) == 0
    text = capsys.readouterr().out
    assert "Over 6 months, 2027-01 – 2027-06" in text
    assert "Cost per quarter (USD):" in text
    assert "2027Q2" in text
