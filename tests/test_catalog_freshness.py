"""Staleness warnings (threshold by argument, environment variable or default) and source tables."""

from __future__ import annotations

import warnings
from datetime import date

import pytest

from llmcost._core.errors import InvalidInputError, StaleCatalogWarning
from llmcost.catalog import (
    DEFAULT_MAX_PRICE_AGE_DAYS,
    MAX_AGE_ENV,
    check_fresh,
    load_catalog,
    max_price_age_days,
    sources_for,
)

CAT = load_catalog()
ROW = CAT.api_price("openai/gpt-4o")  # seen 2026-11-23


@pytest.fixture(autouse=True)
def _no_env(monkeypatch):
    monkeypatch.delenv(MAX_AGE_ENV, raising=False)


def test_a_recent_price_is_fresh_without_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert check_fresh(ROW, today=date(2027, 1, 1)) is True


def test_an_old_price_warns_with_its_source():
    with pytest.warns(StaleCatalogWarning, match="openai/gpt-4o@2024-10-01") as record:
        assert check_fresh(ROW, today=date(2028, 1, 1)) is False
    assert "threshold 365 days" in str(record[0].message)
    assert ROW.source in str(record[0].message)


def test_threshold_boundary_is_inclusive():
    limit_day = date.fromordinal(ROW.as_of.toordinal() + DEFAULT_MAX_PRICE_AGE_DAYS)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert check_fresh(ROW, today=limit_day)
    with pytest.warns(StaleCatalogWarning):
        check_fresh(ROW, today=date.fromordinal(limit_day.toordinal() + 1))


def test_threshold_from_argument_and_environment(monkeypatch):
    today = date(2027, 1, 1)  # 39 days after as_of
    with pytest.warns(StaleCatalogWarning):
        check_fresh(ROW, today=today, max_age_days=30)
    monkeypatch.setenv(MAX_AGE_ENV, "30")
    assert max_price_age_days() == 30
    with pytest.warns(StaleCatalogWarning, match=MAX_AGE_ENV):
        check_fresh(ROW, today=today)
    # The argument wins over the environment.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert check_fresh(ROW, today=today, max_age_days=60)


@pytest.mark.parametrize("raw", ["ten", "-1", "1.5"])
def test_bad_environment_threshold_is_an_input_error(monkeypatch, raw):
    monkeypatch.setenv(MAX_AGE_ENV, raw)
    with pytest.raises(InvalidInputError, match=MAX_AGE_ENV):
        check_fresh(ROW)


def test_bad_argument_threshold_is_an_input_error():
    with pytest.raises(InvalidInputError, match="max_age_days"):
        max_price_age_days(-5)


def test_sources_for_lists_each_row_once():
    rows = [ROW, ROW, CAT.gpu("h100-sxm"), CAT.model("llama-3.1-70b")]
    frame = sources_for(rows)
    assert list(frame.columns) == ["entity", "id", "source", "as_of"]
    assert list(frame["id"]) == ["openai/gpt-4o@2024-10-01", "h100-sxm", "llama-3.1-70b"]
    assert list(frame["entity"]) == ["api_prices", "gpus", "models"]
    assert frame["source"].str.len().min() > 0
