"""Labelled results: evaluate and Monte Carlo draws as DataFrames (inputs kept as columns) and
as xarray (option × output × draw, inputs as coordinates, units as attrs)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from llmcost.analysis import ParameterSpace, monte_carlo
from llmcost.catalog import load_catalog
from llmcost.scenario import compare, parse_scenario
from llmcost.scenario.evaluation import output_unit

CATALOG = load_catalog()
CHAT = {
    "requests_per_month": 3_000_000,
    "input_tokens_per_request": 1500,
    "output_tokens_per_request": 300,
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
    "engineering_fte": 0.5,
    "fte_usd_per_year": 240_000,
}
SCENARIO = parse_scenario(
    {
        "name": "labels",
        "workload": CHAT,
        "options": [{"name": "gpt-4o", "kind": "api", "offer": "openai/gpt-4o"}, RENTED],
    }
)


@pytest.fixture(scope="module")
def comparison() -> Any:
    return compare(SCENARIO, as_of="2025-01-01", catalog=CATALOG)


def test_evaluate_frame_keeps_inputs_and_is_numeric(comparison: Any) -> None:
    ev = comparison.evaluate(requests_per_month=[1.5e6, 3e6], gpu_usd_per_hour=3.0)
    # still the mapping it was: option → outputs
    assert list(ev) == ["gpt-4o", "llama"]
    np.testing.assert_allclose(ev["gpt-4o"]["monthly_cost_usd"], [10_125.0, 20_250.0])
    frame = ev.to_frame()
    assert frame.index.names == ["point", "option"]
    assert all(pd.api.types.is_numeric_dtype(t) for t in frame.dtypes)
    assert frame["feasible"].dtype == bool
    # 1.5e6 requests: 2.25e9 input × $2.50/1M + 4.5e8 output × $10/1M = 5,625 + 4,500
    assert frame.loc[(0, "gpt-4o"), "monthly_cost_usd"] == pytest.approx(10_125.0)
    assert frame.loc[(1, "llama"), "requests_per_month"] == 3e6
    assert frame.loc[(1, "llama"), "gpu_usd_per_hour"] == 3.0
    # 3e6 requests / (730 × 3,600 s) = 1.14 req/s ≤ 5 req/s × 0.8 target: one replica of
    # 8 H100 at $3/GPU-hour = 8 × 3 × 730 = 17,520, + half an FTE 240,000 / 12 / 2 = 10,000
    assert frame.loc[(1, "llama"), "monthly_cost_usd"] == pytest.approx(27_520.0)
    assert np.isnan(frame.loc[(0, "gpt-4o"), "gpus_peak"])  # an API has no GPUs
    assert frame.attrs["units"]["monthly_cost_usd"] == "USD/month"
    assert frame.attrs["units"]["gpu_usd_per_hour"] == "USD/GPU-hour"


def test_evaluate_xarray_option_output_point(comparison: Any) -> None:
    pytest.importorskip("xarray")
    ev = comparison.evaluate(requests_per_month=np.array([1e6, 2e6, 3e6]))
    arr = ev.to_xarray()
    assert arr.dims == ("option", "output", "point")
    assert arr.sizes["option"] == 2
    np.testing.assert_array_equal(arr["requests_per_month"].values, [1e6, 2e6, 3e6])
    cost = arr.sel(option="llama", output="monthly_cost_usd").values
    np.testing.assert_allclose(cost, ev["llama"]["monthly_cost_usd"])
    assert str(arr["units"].sel(output="usd_per_mtok").item()) == "USD/1M tokens"
    assert arr.attrs["input_units"] == {"requests_per_month": "requests/month"}


def test_draws_match_monte_carlo_and_keep_the_inputs(comparison: Any) -> None:
    space = ParameterSpace.from_scenario(SCENARIO)
    mc = monte_carlo(comparison.model, space, 500, seed=7, options=["gpt-4o", "llama"])
    draws = comparison.draws(space, 500, seed=7)
    drawn = space.sample(500, 7)
    frame = draws.to_frame()
    assert frame.index.names == ["draw", "option"]
    for name in drawn:
        np.testing.assert_array_equal(frame.xs("llama", level="option")[name], drawn[name])
    # the same draws: Monte Carlo's cost (NaN where infeasible) equals the labelled one
    for option in ("gpt-4o", "llama"):
        ok = np.asarray(draws[option]["feasible"])
        np.testing.assert_allclose(mc.draws[option][ok], draws[option]["monthly_cost_usd"][ok])
        assert np.all(np.isnan(mc.draws[option][~ok]))
    mc_frame = mc.draws_frame()
    assert list(mc_frame.columns) == [*drawn, "gpt-4o", "llama"]
    assert mc_frame.index.name == "draw"
    assert all(t == np.float64 for t in mc_frame.dtypes)
    np.testing.assert_array_equal(mc_frame["requests_per_month"], drawn["requests_per_month"])
    pytest.importorskip("xarray")
    arr = draws.to_xarray()
    assert arr.dims == ("option", "output", "draw")
    assert set(drawn) <= set(arr.coords)


@pytest.mark.parametrize(
    ("name", "unit"),
    [
        ("components.staff_usd", "USD/month"),
        ("features.chat", "USD/month"),
        ("usd_per_m_output_tokens", "USD/1M output tokens"),
        ("at_capacity_usd_per_1k_requests", "USD/1k requests"),
        ("replicas_avg", "replicas"),
        ("gpu_hours_per_month", "GPU-hours/month"),
        ("utilization", "1"),
        ("peak_tokens_per_minute", "tokens/minute"),
    ],
)
def test_output_units(name: str, unit: str) -> None:
    assert output_unit(name) == unit
