"""The workbook recomputes to the library's numbers, and moves with an edited assumption.

A scenario model with every kind of option (API with and without caching prices, on-demand,
reserved, spot, owned) is written to .xlsx; the ``formulas`` engine (a real Excel formula
engine) recomputes it, and every component, total, $/1M tokens, replica count, horizon month and
NPV must equal ``ScenarioModel.evaluate`` within 1e-9 relative. Then the GPU $/hour cell is
edited and the recomputed totals must equal the library re-run at that price.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from llmcost.cost.finance import npv
from llmcost.cost.load import profile_from_peak_to_average
from llmcost.export.xlsx import WorkbookSpec, write_workbook
from llmcost.scenario.evaluators import ApiEvaluator, SelfHostedEvaluator
from llmcost.scenario.model import ScenarioModel
from llmcost.scenario.workload import FeatureMix
from test_xlsx_formulas import recalculate

openpyxl = pytest.importorskip("openpyxl")
pytest.importorskip("formulas")

RTOL = 1e-9
FEASIBLE = "Feasible (fits, meets latency targets, within max replicas and context limit)"
GRID = np.array([0.0, 0.5, 1.0])


def _rental_base(price: float, **extra: float) -> dict[str, float]:
    base = {
        "capacity_multiplier": 1.0,
        "target_utilization": 0.8,
        "min_replicas": 1.0,
        "max_replicas": np.nan,
        "engineering_fte": 0.5,
        "fte_usd_per_year": 240_000.0,
        "fixed_usd_per_month": 300.0,
        "networking_storage_usd_per_month": 120.0,
        "gpu_usd_per_hour": price,
        "on_demand_usd_per_gpu_hour": 4.0,
        "commitment_fraction": np.nan,
        "spot_interruption_overhead_fraction": 0.1,
    }
    return base | extra


def _owned_base() -> dict[str, float]:
    return {
        "capacity_multiplier": 1.0,
        "target_utilization": 0.7,
        "min_replicas": 1.0,
        "max_replicas": np.nan,
        "engineering_fte": 1.0,
        "fte_usd_per_year": 200_000.0,
        "fixed_usd_per_month": 0.0,
        "networking_storage_usd_per_month": 0.0,
        "purchase_usd_per_gpu": 35_000.0,
        "life_years": 4.0,
        "residual_fraction": 0.1,
        "cost_of_capital_per_year": 0.08,
        "power_kw_per_gpu": 1.275,
        "power_draw_fraction": np.nan,
        "idle_power_fraction": 0.3,
        "pue": 1.3,
        "usd_per_kwh": 0.12,
        "colocation_usd_per_kw_month": 150.0,
        "maintenance_fraction_per_year": 0.05,
    }


def _seconds(a: float, b: float) -> np.ndarray:
    return np.array([[a, a * 0.8, a * 0.6], [b, b * 0.7, b * 0.5]])


def scenario_model() -> ScenarioModel:
    weights = profile_from_peak_to_average(2.5)
    mix = FeatureMix(
        names=("chat", "summarise"),
        requests_per_month=np.array([2.2e6, 4.0e5]),
        input_tokens=np.array([1500.0, 6000.0]),
        output_tokens=np.array([300.0, 400.0]),
        cached_input_fraction=np.array([0.3, 0.0]),
        cache_write_fraction=np.array([0.05, 0.0]),
        batch_eligible_fraction=np.array([0.0, 0.8]),
        hourly_weights=weights,
        peak_to_average=float(weights.max()),
    )
    nan = np.nan
    evaluators = (
        ApiEvaluator(
            name="=gpt-4o",  # a formula-like option name must stay text
            input_usd_per_mtok=np.array([2.5, 2.5]),
            cached_input_usd_per_mtok=np.array([1.25, 1.25]),
            cache_write_usd_per_mtok=np.array([nan, nan]),
            output_usd_per_mtok=np.array([10.0, 10.0]),
            tokens_per_minute_limit=nan,
            requests_per_minute_limit=nan,
            base={"api_price_multiplier": 1.0, "batch_discount_fraction": 0.5},
        ),
        ApiEvaluator(
            name="hosted-llama",
            input_usd_per_mtok=np.array([0.27, 0.54]),
            cached_input_usd_per_mtok=np.array([nan, nan]),
            cache_write_usd_per_mtok=np.array([nan, nan]),
            output_usd_per_mtok=np.array([0.85, 1.7]),
            tokens_per_minute_limit=nan,
            requests_per_minute_limit=nan,
            base={"api_price_multiplier": 1.0, "batch_discount_fraction": 0.0},
        ),
        SelfHostedEvaluator(
            name="on-demand",
            pricing="on_demand",
            gpus_per_replica=8,
            cached_grid=GRID,
            seconds_per_request=_seconds(0.9, 2.4),
            base=_rental_base(2.99),
        ),
        SelfHostedEvaluator(
            name="reserved",
            pricing="reserved_1y",
            gpus_per_replica=8,
            cached_grid=GRID,
            seconds_per_request=_seconds(0.9, 2.4),
            base=_rental_base(2.1, max_replicas=3.0),
        ),
        SelfHostedEvaluator(
            name="reserved-half",
            pricing="reserved_3y",
            gpus_per_replica=4,
            cached_grid=GRID,
            seconds_per_request=_seconds(1.9, 5.0),
            base=_rental_base(1.8, commitment_fraction=0.5),
        ),
        SelfHostedEvaluator(
            name="spot",
            pricing="spot",
            gpus_per_replica=2,
            cached_grid=GRID,
            seconds_per_request=_seconds(3.1, 8.0),
            scale_to_zero=True,
            base=_rental_base(1.2, min_replicas=0.0),
        ),
        SelfHostedEvaluator(
            name="owned",
            pricing="owned",
            gpus_per_replica=8,
            cached_grid=GRID,
            seconds_per_request=_seconds(0.9, 2.4),
            base=_owned_base(),
        ),
    )
    return ScenarioModel(mix=mix, evaluators=evaluators)


HORIZON = 2
GROWTH = 0.15
DISCOUNT = 0.1


@pytest.fixture(scope="module")
def workbook(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, ScenarioModel]:
    model = scenario_model()
    spec = WorkbookSpec(
        title="test",
        model=model,
        growth_per_month=GROWTH,
        horizon_months=HORIZON,
        discount_rate_per_year=DISCOUNT,
        catalog_version="2026.11-test",
    )
    path = write_workbook(spec, tmp_path_factory.mktemp("xlsx") / "book.xlsx")
    return path, model


@pytest.fixture(scope="module")
def recomputed(workbook: tuple[Path, ScenarioModel]) -> dict[str, Any]:
    return recalculate(workbook[0])


def _rows(path: Path) -> dict[str, int]:
    ws = openpyxl.load_workbook(path)["Model"]
    return {ws.cell(row=r, column=1).value: r for r in range(1, ws.max_row + 1)}


def test_every_total_and_component_equals_the_library(
    workbook: tuple[Path, ScenarioModel], recomputed: dict[str, Any]
) -> None:
    path, model = workbook
    expected = model.evaluate()
    ws = openpyxl.load_workbook(path)["Model"]
    labels = {ws.cell(row=r, column=1).value: r for r in range(1, ws.max_row + 1)}
    from llmcost.export._xlsx_model import COMPONENT_LABELS

    checked = 0
    for j, name in enumerate(model.option_names):
        out = expected[name]
        col = chr(ord("C") + j)
        assert ws[f"{col}1"].value == name
        assert np.isclose(
            recomputed[f"MODEL!{col}{labels['Monthly cost']}"], out["monthly_cost_usd"], rtol=RTOL
        ), name
        assert np.isclose(
            recomputed[f"MODEL!{col}{labels['Cost per 1M tokens (input + output)']}"],
            out["usd_per_mtok"],
            rtol=RTOL,
        ), name
        for key, label in COMPONENT_LABELS.items():
            if f"components.{key}" in out:
                got = recomputed[f"MODEL!{col}{labels[label]}"]
                assert np.isclose(got, out[f"components.{key}"], rtol=RTOL, atol=1e-9), (name, key)
                checked += 1
        if "replicas_peak" in out:
            for label, key in (
                ("Replicas, peak", "replicas_peak"),
                ("Replicas, average over the day", "replicas_avg"),
                ("GPU-hours paid for", "gpu_hours_per_month"),
                ("Capacity of one replica at full load", "capacity_requests_per_s_per_replica"),
                ("Utilization of the replicas running", "utilization"),
            ):
                assert np.isclose(recomputed[f"MODEL!{col}{labels[label]}"], out[key], rtol=RTOL), (
                    name,
                    key,
                )
    assert checked >= 25
    feasible = [n for n in model.option_names if expected[n]["feasible"]]
    assert len(feasible) < len(model.option_names)  # "reserved" is capped below its peak
    cheapest = min(feasible, key=lambda n: expected[n]["monthly_cost_usd"])
    assert recomputed[f"MODEL!C{labels['Cheapest feasible option']}"] == cheapest
    flags = [recomputed[f"MODEL!{chr(ord('C') + j)}{labels[FEASIBLE]}"] for j in range(7)]
    assert flags == [bool(expected[n]["feasible"]) for n in model.option_names]


def test_horizon_months_cumulative_and_npv_equal_the_library(
    workbook: tuple[Path, ScenarioModel], recomputed: dict[str, Any]
) -> None:
    _, model = workbook
    factors = (1 + GROWTH) ** np.arange(HORIZON)
    volumes = model.mix.total_requests_per_month * factors
    expected = model.evaluate(requests_per_month=volumes)
    for j, name in enumerate(model.option_names):
        cost_col = chr(ord("D") + j)
        cum_col = chr(ord("D") + len(model.option_names) + j)
        monthly = expected[name]["monthly_cost_usd"]
        for t in range(HORIZON):
            got = recomputed[f"HORIZON!{cost_col}{t + 2}"]
            assert np.isclose(got, monthly[t], rtol=RTOL), (name, t)
            assert np.isclose(
                recomputed[f"HORIZON!{cum_col}{t + 2}"], monthly[: t + 1].sum(), rtol=RTOL
            )
        got_npv = recomputed[f"HORIZON!{cost_col}{HORIZON + 3}"]
        assert np.isclose(got_npv, npv(DISCOUNT / 12, monthly), rtol=RTOL), name


def test_editing_the_gpu_price_moves_totals_as_the_library_predicts(
    workbook: tuple[Path, ScenarioModel],
) -> None:
    path, model = workbook
    ws = openpyxl.load_workbook(path)["Assumptions"]
    names = {ws.cell(row=r, column=2).value: r for r in range(1, ws.max_row + 1)}
    j = model.option_names.index("on-demand") + 1
    row = names[f"o{j}_gpu_usd_per_hour"]
    new_price = 3.71
    got = recalculate(path, {f"ASSUMPTIONS!C{row}": new_price})
    expected = model.evaluate({"on-demand.gpu_usd_per_hour": new_price})
    before = model.evaluate()
    labels = _rows(path)
    for k, name in enumerate(model.option_names):
        total = got[f"MODEL!{chr(ord('C') + k)}{labels['Monthly cost']}"]
        assert np.isclose(total, expected[name]["monthly_cost_usd"], rtol=RTOL), name
    assert expected["on-demand"]["monthly_cost_usd"] > before["on-demand"]["monthly_cost_usd"]


def test_user_text_is_never_a_formula_and_names_are_defined(
    workbook: tuple[Path, ScenarioModel],
) -> None:
    path, _ = workbook
    wb = openpyxl.load_workbook(path)
    assert wb["Model"]["C1"].value == "=gpt-4o"
    assert wb["Model"]["C1"].data_type == "s"
    assert "w_requests_per_month" in wb.defined_names
    assert "o3_gpu_usd_per_hour" in wb.defined_names
    sheets = zipfile.ZipFile(path).namelist()
    assert any("sheet" in s for s in sheets)
    assert wb.sheetnames[:5] == ["Summary", "Assumptions", "Load profile", "Model", "Horizon"]
    assert wb["Model"].freeze_panes == "B2"


def test_an_option_that_does_not_fit_is_shown_and_never_cheapest(tmp_path: Path) -> None:
    full = scenario_model()
    api = full.evaluators[1]
    unfit = SelfHostedEvaluator(
        name="too-big",
        pricing="on_demand",
        gpus_per_replica=1,
        cached_grid=GRID,
        seconds_per_request=np.full((2, 3), np.nan),
        fits=False,
        base=_rental_base(2.0),
    )
    slow = SelfHostedEvaluator(  # the cheapest by far, but it misses its latency targets
        name="too-slow",
        pricing="on_demand",
        gpus_per_replica=1,
        cached_grid=GRID,
        seconds_per_request=_seconds(0.01, 0.02),
        meets_slo=False,
        base=_rental_base(
            0.01, engineering_fte=0.0, fixed_usd_per_month=0.0, networking_storage_usd_per_month=0.0
        ),
    )
    model = ScenarioModel(mix=full.mix, evaluators=(unfit, api, slow))
    path = write_workbook(
        WorkbookSpec(title="unfit", model=model, horizon_months=2), tmp_path / "unfit.xlsx"
    )
    got = recalculate(path)
    labels = _rows(path)
    assert got[f"MODEL!C{labels['Monthly cost']}"] == "does not fit"
    assert got[f"MODEL!C{labels[FEASIBLE]}"] is False or got[f"MODEL!C{labels[FEASIBLE]}"] == 0
    assert got[f"MODEL!C{labels['Cheapest feasible option']}"] == "hosted-llama"
    assert np.isclose(
        got[f"MODEL!D{labels['Monthly cost']}"],
        model.evaluate()["hosted-llama"]["monthly_cost_usd"],
        rtol=RTOL,
    )
    assert got["HORIZON!D2"] == "n/a"
    assert not bool(model.evaluate()["too-big"]["feasible"])
    out = model.evaluate()
    assert out["too-slow"]["monthly_cost_usd"] < out["hosted-llama"]["monthly_cost_usd"]
    assert not bool(out["too-slow"]["feasible"])
    assert got[f"MODEL!E{labels[FEASIBLE]}"] in (False, 0)
    assert np.isclose(
        got[f"MODEL!E{labels['Monthly cost']}"], out["too-slow"]["monthly_cost_usd"], rtol=RTOL
    )
