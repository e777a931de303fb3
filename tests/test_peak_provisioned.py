"""A fleet sized for the peak hour and held all month (``autoscaling = false``), issue 4.

Autoscaled, replicas follow the hourly load; peak-provisioned, every hour runs the peak hour's
replicas: replicas(h) = max_h replicas(h), within min/max_replicas.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from llmcost._core.errors import InvalidInputError
from llmcost.catalog import load_catalog
from llmcost.cost.load import replica_plan
from llmcost.scenario import compare, parse_scenario, scenario_model

CATALOG = load_catalog()
AS_OF = "2025-01-01"
#: 22 hours at weight 2 and 2 hours at 110: mean 11, so normalized 2/11 and 10 — a peak 10×
#: the average hour.
SPIKY_DAY = [2.0] * 13 + [110.0, 110.0] + [2.0] * 9
#: 11 requests/s on average (× 2,628,000 s in a 730-hour month).
SPIKY = {
    "requests_per_month": 11 * 2_628_000,
    "input_tokens_per_request": 1000,
    "output_tokens_per_request": 200,
    "hourly_profile": SPIKY_DAY,
}


def _hosted(name: str, autoscaling: bool, **kw: Any) -> dict[str, Any]:
    base = {
        "name": name,
        "kind": "self_hosted",
        "model": "llama-3.1-8b",
        "gpu": "h100-sxm",
        "gpus_per_replica": 1,
        "precision": "bf16",
        "requests_per_s_per_replica": 1.0,
        "target_utilization": 1.0,
        "gpu_usd_per_hour": 2.0,
        "engineering_fte": 0.0,
        "autoscaling": autoscaling,
    }
    return base | kw


def _scenario(workload: dict[str, Any], *options: dict[str, Any]) -> Any:
    return parse_scenario({"name": "peak", "workload": workload, "options": list(options)})


# --- cost.load ------------------------------------------------------------------------------


def test_hand_computed_peak_ten_times_the_average() -> None:
    # 11 req/s at 1 req/s per replica: 2 replicas in 22 hours, 110 in the 2 peak hours.
    # Autoscaled: (22 × 2 + 2 × 110) / 24 = 11 replicas on average → 11 × 730 = 8,030
    # replica-hours; peak-provisioned: 110 × 730 = 80,300 (10× — the peak-to-average ratio).
    weights = np.asarray(SPIKY_DAY) / np.mean(SPIKY_DAY)
    auto, fixed = (
        replica_plan(
            requests_per_s=11.0,
            hourly_weights=weights,
            capacity_requests_per_s_per_replica=1.0,
            autoscaling=a,
        )
        for a in (True, False)
    )
    assert auto.replicas_by_hour.tolist() == [2.0] * 13 + [110.0, 110.0] + [2.0] * 9
    assert auto.replica_hours_per_month == pytest.approx(8_030.0, rel=1e-12)
    assert fixed.replicas_by_hour.tolist() == [110.0] * 24
    assert fixed.replica_hours_per_month == pytest.approx(80_300.0, rel=1e-12)
    assert (fixed.replicas_peak, fixed.replicas_avg, fixed.replicas_min) == (110.0, 110.0, 110.0)
    # the same demand is served by 10× the replica-hours: utilization 1 → 0.1
    assert auto.utilization == pytest.approx(1.0, rel=1e-9)
    assert fixed.utilization == pytest.approx(0.1, rel=1e-9)
    assert fixed.feasible
    assert fixed.served_fraction == 1.0


def test_bounds_apply_to_the_held_fleet() -> None:
    # need 2 / 4 replicas (night / day); max_replicas 3 caps the held fleet at 3 all day
    day = [0.5] * 12 + [1.5] * 12
    kw: dict[str, Any] = {
        "requests_per_s": 10.0,
        "hourly_weights": day,
        "capacity_requests_per_s_per_replica": 4.0,
    }
    capped = replica_plan(**kw, max_replicas=3, autoscaling=False)
    assert capped.replicas_by_hour.tolist() == [3.0] * 24
    assert not capped.feasible
    # night: min(10 × 0.5, 12) = 5 of 5 served; day: min(15, 12) = 12 of 15 → 17 / 20
    assert capped.served_fraction == pytest.approx(17 / 20, rel=1e-12)
    floored = replica_plan(**kw, min_replicas=6, autoscaling=False)
    assert floored.replicas_by_hour.tolist() == [6.0] * 24


def test_autoscaling_broadcasts_like_separate_calls() -> None:
    rng = np.random.default_rng(4)
    weights = rng.uniform(0.0, 3.0, 24)
    weights /= weights.mean()
    demand = np.array([0.0, 3.0, 17.0, 40.0])
    flags = np.array([True, False, True, False])
    plan = replica_plan(
        requests_per_s=demand,
        hourly_weights=weights,
        capacity_requests_per_s_per_replica=2.5,
        target_utilization=0.8,
        max_replicas=15,
        autoscaling=flags,
    )
    for i, (d, a) in enumerate(zip(demand, flags, strict=True)):
        one = replica_plan(
            requests_per_s=d,
            hourly_weights=weights,
            capacity_requests_per_s_per_replica=2.5,
            target_utilization=0.8,
            max_replicas=15,
            autoscaling=a,
        )
        assert np.array_equal(plan.replicas_by_hour[i], one.replicas_by_hour)
        assert plan.replica_hours_per_month[i] == one.replica_hours_per_month
        assert plan.served_fraction[i] == one.served_fraction


@settings(max_examples=200, deadline=None)
@given(
    demand=st.floats(0.0, 50.0),
    raw=st.lists(st.floats(0.0, 10.0), min_size=24, max_size=24).filter(lambda w: sum(w) > 0),
    cap=st.floats(0.1, 10.0),
    util=st.floats(0.1, 1.0),
    min_rep=st.integers(0, 4),
    extra=st.one_of(st.none(), st.integers(0, 30)),
    to_zero=st.booleans(),
)
def test_a_held_fleet_is_the_autoscaled_peak_all_day(
    demand: float,
    raw: list[float],
    cap: float,
    util: float,
    min_rep: int,
    extra: int | None,
    to_zero: bool,
) -> None:
    weights = np.asarray(raw) / np.mean(raw)
    kw: dict[str, Any] = {
        "requests_per_s": demand,
        "hourly_weights": weights,
        "capacity_requests_per_s_per_replica": cap,
        "target_utilization": util,
        "min_replicas": min_rep,
        "max_replicas": np.inf if extra is None else min_rep + extra,
        "scale_to_zero": to_zero,
    }
    auto = replica_plan(**kw, autoscaling=True)
    fixed = replica_plan(**kw, autoscaling=False)
    assert np.all(fixed.replicas_by_hour == auto.replicas_peak)
    assert fixed.replica_hours_per_month == pytest.approx(auto.replicas_peak * 730.0)
    assert fixed.replica_hours_per_month >= auto.replica_hours_per_month
    assert fixed.feasible == auto.feasible
    assert fixed.served_fraction >= auto.served_fraction - 1e-12
    if auto.replicas_peak > 0:
        assert fixed.utilization <= auto.utilization + 1e-12


# --- compare() and the scenario model --------------------------------------------------------


def test_compare_hand_computed_rent() -> None:
    # 8,030 GPU-hours × $2 = $16,060 autoscaled; 80,300 × $2 = $160,600 held at the peak
    scenario = _scenario(SPIKY, _hosted("auto", True), _hosted("peak", False))
    result = compare(scenario, as_of=AS_OF, catalog=CATALOG)
    auto, peak = result.option("auto"), result.option("peak")
    assert auto.monthly_cost_usd == pytest.approx(16_060.0, rel=1e-12)
    assert peak.monthly_cost_usd == pytest.approx(160_600.0, rel=1e-12)
    assert (auto.replicas, auto.replicas_avg) == (110.0, pytest.approx(11.0))
    assert (peak.replicas, peak.replicas_avg) == (110.0, 110.0)
    assert peak.details["autoscaling"] is False
    assert result.cheapest == "auto"


def test_compare_and_the_scenario_model_agree() -> None:
    workload = SPIKY | {"growth_per_month": 0.2, "horizon_months": 4}
    options = [
        _hosted("peak", False),
        _hosted("peak-reserved", False, pricing="reserved_1y", on_demand_usd_per_gpu_hour=3.0),
        _hosted("peak-spot", False, pricing="spot", max_replicas=200),
    ]
    scenario = _scenario(workload, *options)
    result = compare(scenario, as_of=AS_OF, catalog=CATALOG)
    model = scenario_model(scenario, as_of=AS_OF, catalog=CATALOG)
    months = 11 * 2_628_000 * 1.2 ** np.arange(4)
    horizon = model.evaluate(requests_per_month=months)
    base = model.evaluate()
    for opt in result.options:
        assert base[opt.name]["monthly_cost_usd"] == pytest.approx(opt.monthly_cost_usd)
        assert base[opt.name]["replicas_avg"] == base[opt.name]["replicas_peak"]
        assert np.allclose(horizon[opt.name]["monthly_cost_usd"], opt.horizon_monthly_usd)
        parts = {
            k.removeprefix("components."): v
            for k, v in base[opt.name].items()
            if k.startswith("components.")
        }
        assert opt.components == pytest.approx(parts)


PRICINGS: list[dict[str, Any]] = [
    {},
    {"pricing": "spot"},
    {"pricing": "reserved_1y", "on_demand_usd_per_gpu_hour": 3.0, "commitment_fraction": 0.5},
    {
        "pricing": "owned",
        "gpu_usd_per_hour": None,
        "purchase_usd_per_gpu": 30_000.0,
        "life_years": 4.0,
        "power_kw_per_gpu": 1.2,
        "pue": 1.3,
        "usd_per_kwh": 0.1,
        "colocation_usd_per_kw_month": 150.0,
    },
]


@pytest.fixture(scope="module")
def paired_model() -> Any:
    """Each pricing twice: autoscaled (``a<k>``) and held at the peak (``p<k>``)."""
    options = []
    for k, extra in enumerate(PRICINGS):
        for flag, prefix in ((True, "a"), (False, "p")):
            opt = _hosted(f"{prefix}{k}", flag) | extra
            options.append({key: v for key, v in opt.items() if v is not None})
    return scenario_model(_scenario(SPIKY, *options), as_of=AS_OF, catalog=CATALOG)


@settings(max_examples=60, deadline=None)
@given(
    requests=st.floats(0.0, 1e8),
    peak=st.floats(1.0, 24.0),
    util=st.floats(0.2, 1.0),
    min_rep=st.integers(0, 5),
)
def test_peak_provisioned_costs_at_least_autoscaled(
    paired_model: Any, requests: float, peak: float, util: float, min_rep: int
) -> None:
    out = paired_model.evaluate(
        requests_per_month=requests,
        peak_to_average=peak,
        target_utilization=util,
        min_replicas=min_rep,
    )
    for k in range(len(PRICINGS)):
        auto, fixed = out[f"a{k}"]["monthly_cost_usd"], out[f"p{k}"]["monthly_cost_usd"]
        assert fixed >= auto * (1 - 1e-12) - 1e-9, PRICINGS[k]
        assert out[f"p{k}"]["gpus_peak"] == out[f"a{k}"]["gpus_peak"]


def test_a_reserved_fleet_at_the_peak_can_beat_on_demand_bursts() -> None:
    """Not a property: with the default commitment (the always-on base), autoscaling pays
    on-demand prices above the base, while the held fleet is all reserved.

    Flat-ish day: 4 replicas by night, 6 by day (12 hours each), reserved $1/GPU-h,
    on demand $3/GPU-h. Autoscaled: 4 × 730 × 1 + 2 × 365 × 3 = 2,920 + 2,190 = 5,110;
    held at 6: 6 × 730 × 1 = 4,380.
    """
    day = {"hourly_profile": [4.0] * 12 + [6.0] * 12, "requests_per_month": 5 * 2_628_000}
    reserved = {
        "pricing": "reserved_1y",
        "gpu_usd_per_hour": 1.0,
        "on_demand_usd_per_gpu_hour": 3.0,
    }
    scenario = _scenario(
        SPIKY | day, _hosted("auto", True, **reserved), _hosted("peak", False, **reserved)
    )
    result = compare(scenario, as_of=AS_OF, catalog=CATALOG)
    assert result.option("auto").monthly_cost_usd == pytest.approx(5_110.0, rel=1e-12)
    assert result.option("peak").monthly_cost_usd == pytest.approx(4_380.0, rel=1e-12)


def test_scale_to_zero_needs_autoscaling() -> None:
    with pytest.raises(InvalidInputError, match=r"options\[0\]\(x\): scale_to_zero = true needs"):
        _scenario(SPIKY, _hosted("x", False, scale_to_zero=True, min_replicas=0))


# --- the workbook ----------------------------------------------------------------------------


def test_workbook_recomputes_a_held_fleet(tmp_path: Path) -> None:
    pytest.importorskip("formulas")
    openpyxl = pytest.importorskip("openpyxl")
    from test_xlsx_formulas import recalculate

    workload = SPIKY | {"growth_per_month": 0.3, "horizon_months": 3}
    options = [
        _hosted("auto", True),
        _hosted("peak", False),
        _hosted("peak-reserved", False, pricing="reserved_1y", on_demand_usd_per_gpu_hour=3.0),
        _hosted("peak-capped", False, max_replicas=100),
    ]
    result = compare(_scenario(workload, *options), as_of=AS_OF, catalog=CATALOG)
    path = result.to_excel(tmp_path / "peak.xlsx")
    got = recalculate(path)
    ws = openpyxl.load_workbook(path)["Model"]
    rows = {ws.cell(row=r, column=1).value: r for r in range(1, ws.max_row + 1)}
    for j, opt in enumerate(result.options):
        col = chr(ord("C") + j)
        assert np.isclose(got[f"MODEL!{col}{rows['Monthly cost']}"], opt.monthly_cost_usd)
        assert np.isclose(got[f"MODEL!{col}{rows['Replicas, peak']}"], opt.replicas)
        assert np.isclose(
            got[f"MODEL!{col}{rows['Replicas, average over the day']}"], opt.replicas_avg
        )
        hcol = chr(ord("D") + j)
        months = [got[f"HORIZON!{hcol}{t + 2}"] for t in range(3)]
        assert np.allclose(months, opt.horizon_monthly_usd, rtol=1e-9), opt.name
    assert result.option("peak-capped").replicas == 100.0
    assert not result.option("peak-capped").feasible
