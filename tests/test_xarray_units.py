"""Every result's ``to_xarray()`` names its dims and carries units in ``attrs`` (issue 16).

Sweeps: a cartesian sweep is a Dataset with one dimension per axis, values checked against the
model by hand; aligned inputs share dimension ``point``. Then each result type that has
``to_xarray()`` is built by a real call and checked for units on every variable.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from llmcost._core.unit_names import unit_from_name
from llmcost.analysis import ParameterSpace, SweepFrame, monte_carlo, sobol, sweep
from llmcost.analysis.streaming import monte_carlo_stream

xr = pytest.importorskip("xarray")

SCENARIO = Path(__file__).parents[1] / "examples" / "scenarios" / "chat-assistant.toml"


def _model(x: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    # monthly cost [USD/month] = price [USD/GPU-hour] × hours + fixed [USD/month]
    cost = x["gpu_usd_per_hour"] * x["hours"] + x["fixed_usd"]
    return {"monthly_cost_usd": cost, "ttft_s": 0.1 * x["hours"]}


def test_grid_sweep_to_xarray_has_one_dim_per_axis_and_units() -> None:
    frame = sweep(
        _model,
        {"gpu_usd_per_hour": [2.0, 3.0], "hours": [10.0, 20.0, 30.0]},
        grid=True,
        constants={"fixed_usd": 5.0},
        units={"hours": "GPU-hours/month"},
    )
    assert isinstance(frame, SweepFrame)
    ds = frame.to_xarray()
    assert ds["monthly_cost_usd"].dims == ("gpu_usd_per_hour", "hours")
    assert ds["gpu_usd_per_hour"].values.tolist() == [2.0, 3.0]
    assert ds["hours"].values.tolist() == [10.0, 20.0, 30.0]
    # 3 USD/GPU-hour × 30 GPU-hours + 5 USD = 95 USD/month; 2 × 10 + 5 = 25
    assert ds["monthly_cost_usd"].sel(gpu_usd_per_hour=3.0, hours=30.0).item() == 95.0
    assert ds["monthly_cost_usd"].sel(gpu_usd_per_hour=2.0, hours=10.0).item() == 25.0
    assert ds["ttft_s"].sel(gpu_usd_per_hour=2.0, hours=20.0).item() == pytest.approx(2.0)
    assert ds["monthly_cost_usd"].attrs["units"] == "USD/month"
    assert ds["ttft_s"].attrs["units"] == "s"
    assert ds["gpu_usd_per_hour"].attrs["units"] == "USD/GPU-hour"
    assert ds["hours"].attrs["units"] == "GPU-hours/month"  # given beats the name
    assert ds["fixed_usd"].item() == 5.0
    assert ds["fixed_usd"].attrs["units"] == "USD/month"
    assert frame.attrs["units"]["monthly_cost_usd"] == "USD/month"


def test_aligned_sweep_to_xarray_is_over_point() -> None:
    inputs = {"gpu_usd_per_hour": np.array([1.0, 2.0, 4.0]), "hours": np.array([1.0, 2.0, 3.0])}
    frame = sweep(_model, inputs, constants={"fixed_usd": 0.0})
    ds = frame.to_xarray()
    assert ds["monthly_cost_usd"].dims == ("point",)
    assert ds["monthly_cost_usd"].values.tolist() == [1.0, 4.0, 12.0]
    assert ds["hours"].dims == ("point",)
    assert ds["hours"].attrs["units"] == ""
    # a derived table is a plain DataFrame (its rows need no longer be the sweep), attrs kept
    derived = frame[frame["hours"] > 1]
    assert type(derived) is pd.DataFrame
    assert derived.attrs["units"]["monthly_cost_usd"] == "USD/month"
    assert type(frame.to_frame()) is pd.DataFrame


@pytest.fixture(scope="module")
def results() -> dict[str, object]:
    from llmcost import compare
    from llmcost.cli.sensitivity import space_for
    from llmcost.scenario import load_scenario

    scenario = load_scenario(SCENARIO)
    comparison = compare(scenario)
    space = space_for(scenario, comparison.model)[0]
    options = list(comparison.model.option_names)
    usd = dict.fromkeys(options, "USD/month")
    simple = ParameterSpace.from_dict(
        {
            "gpu_usd_per_hour": {"dist": "uniform", "low": 1, "high": 3},
            "hours": {"dist": "uniform", "low": 1, "high": 100},
            "fixed_usd": {"dist": "uniform", "low": 0, "high": 1},
        }
    )
    return {
        "monte_carlo": monte_carlo(
            comparison.model, space, 400, seed=1, options=options, units=usd
        ),
        "monte_carlo_named": monte_carlo(_model, simple, 400, seed=1),
        "monte_carlo_stream": monte_carlo_stream(
            comparison.model, space, 400, seed=1, options=options, units=usd
        ),
        "sobol": sobol(_model, simple, "monthly_cost_usd", n_base=64, seed=1),
        "evaluation": comparison.evaluate(requests_per_month=[1e6, 1e7]),
        "sweep": sweep(_model, {"gpu_usd_per_hour": [1.0, 2.0], "hours": [1.0]}, grid=True,
                       constants={"fixed_usd": 1.0}),
    }  # fmt: skip


@pytest.mark.parametrize(
    "kind",
    ["monte_carlo", "monte_carlo_named", "monte_carlo_stream", "sobol", "evaluation", "sweep"],
)
def test_every_to_xarray_carries_units(results: dict[str, object], kind: str) -> None:
    result = results[kind]
    obj = result.to_xarray()  # type: ignore[attr-defined]
    if isinstance(obj, xr.DataArray):  # Evaluation: option × output × point
        assert obj.dims == ("option", "output", "point")
        units = dict(zip(obj["output"].values, obj["units"].values, strict=True))
        assert units["monthly_cost_usd"] == "USD/month"
        assert all(units[k] == unit_from_name(k) for k in units)
        assert obj.attrs["input_units"]["requests_per_month"]
        return
    assert obj.dims, "named dimensions"
    for name, var in obj.data_vars.items():
        assert isinstance(var.attrs.get("units"), str), f"{kind}: {name} has no units"
    if "units" in obj.coords:  # per-output units of a summary over dim "output"
        assert all(str(u) for u in obj["units"].values), f"{kind}: an output without a unit"
    if kind == "sobol":
        assert obj.attrs["output_units"] == "USD/month"
    if kind == "monte_carlo_named":
        assert dict(zip(obj["output"].values, obj["units"].values, strict=True)) == {
            "monthly_cost_usd": "USD/month",
            "ttft_s": "s",
        }
