"""Self-hosted cost: load profiles → replicas, rental, owned hardware, staff."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from llmcost._core.errors import InvalidInputError
from llmcost.cost.load import (
    average_requests_per_s,
    normalize_profile,
    profile_from_peak_to_average,
    replica_plan,
)
from llmcost.cost.owned import owned_cost, power_draw_fraction
from llmcost.cost.rental import committed_replicas, rental_cost, replica_hours_above
from llmcost.cost.staff import staff_usd_per_month

FLAT = np.ones(24)


def test_issue_hand_check_rental_plus_staff() -> None:
    # 8 GPUs × $2.50 × 730 h = 14,600; 0.5 FTE × 240,000 / 12 = 10,000 → 24,600 (issue 4)
    plan = replica_plan(
        requests_per_s=3.0,
        hourly_weights=FLAT,
        capacity_requests_per_s_per_replica=1.0,
        min_replicas=1,
        max_replicas=1,
    )
    rent = rental_cost(
        usage_replica_hours_per_month=plan.replica_hours_per_month,
        gpus_per_replica=8,
        usd_per_gpu_hour=2.5,
    )
    assert rent.total_usd + staff_usd_per_month(0.5, 240_000) == pytest.approx(24_600.0)
    assert not plan.feasible  # 3 req/s on one replica that serves 1
    assert plan.served_fraction == pytest.approx(1 / 3)


def test_profiles() -> None:
    for p in (1.0, 1.3, 2.0, 3.0, 7.5, 24.0):
        w = profile_from_peak_to_average(p)
        assert w.mean() == pytest.approx(1.0)
        assert w.max() == pytest.approx(p)
        assert w.min() >= 0
    batch = profile_from_peak_to_average(np.array([1.5, 3.0]))
    assert batch.shape == (2, 24)
    assert int(np.argmax(batch[1])) == 14  # peak at 14:00
    with pytest.raises(InvalidInputError, match="peak_to_average must be ≤ 24"):
        profile_from_peak_to_average(30)
    np.testing.assert_allclose(normalize_profile(np.arange(24.0)).mean(), 1.0)
    with pytest.raises(InvalidInputError, match="24 weights"):
        normalize_profile([1.0, 2.0])


def test_replica_plan_by_hand() -> None:
    # 2,628,000 requests/month = 1 req/s on average; half the day at 0.5, half at 1.5.
    weights = normalize_profile([1.0] * 12 + [3.0] * 12)
    plan = replica_plan(
        requests_per_s=average_requests_per_s(2_628_000 * 10),  # 10 req/s
        hourly_weights=weights,
        capacity_requests_per_s_per_replica=2.0,
        target_utilization=0.75,
    )
    # off-peak 5 req/s / (2 × 0.75) = 3.33 → 4 replicas; peak 15 / 1.5 = 10 replicas
    assert plan.replicas_peak == 10
    assert plan.replicas_min == 4
    assert plan.replicas_avg == 7
    assert plan.replica_hours_per_month == pytest.approx(7 * 730)
    # served 10 req/s on average over 7 replicas × 2 req/s = 14 → 10/14
    assert plan.utilization == pytest.approx(10 / 14)
    assert plan.feasible
    assert plan.served_fraction == 1.0


def test_scale_to_zero_and_min_replicas() -> None:
    weights = normalize_profile([0.0] * 12 + [1.0] * 12)
    common = {"requests_per_s": 1.0, "hourly_weights": weights}
    on = replica_plan(capacity_requests_per_s_per_replica=5.0, **common)
    off = replica_plan(capacity_requests_per_s_per_replica=5.0, scale_to_zero=True, **common)
    assert on.replicas_min == 1
    assert off.replicas_min == 0
    assert off.replicas_avg == 0.5
    floor = replica_plan(capacity_requests_per_s_per_replica=5.0, min_replicas=3, **common)
    assert floor.replicas_min == 3
    with pytest.raises(InvalidInputError, match="min_replicas must be ≤ max_replicas"):
        replica_plan(
            capacity_requests_per_s_per_replica=5.0, min_replicas=3, max_replicas=2, **common
        )
    with pytest.raises(InvalidInputError, match="capacity_requests_per_s_per_replica must be > 0"):
        replica_plan(capacity_requests_per_s_per_replica=0.0, **common)


def test_reserved_base_on_demand_peak() -> None:
    reps = np.array([2.0] * 12 + [5.0] * 12)
    committed = committed_replicas(reps, np.nan)
    assert committed == 2.0
    # committed: 2 × 8 GPUs × 730 h × $1.80 = 21,024
    # on-demand: mean(0 × 12, 3 × 12) = 1.5 replicas × 8 × 730 × $3.00 = 26,280
    assert replica_hours_above(reps, committed) == pytest.approx(1.5 * 730)
    cost = rental_cost(
        usage_replica_hours_per_month=replica_hours_above(reps, committed),
        gpus_per_replica=8,
        usd_per_gpu_hour=3.0,
        committed_replicas=committed,
        committed_usd_per_gpu_hour=1.8,
    )
    assert cost.gpu_committed_usd == pytest.approx(21_024.0)
    assert cost.gpu_usage_usd == pytest.approx(26_280.0)
    assert cost.total_usd == pytest.approx(47_304.0)
    assert committed_replicas(reps, 1.0) == 5.0


def test_spot_interruption_overhead() -> None:
    # 1 replica × 8 GPUs × 730 h × $1.25 = 7,300; 10 % re-run overhead = 730
    cost = rental_cost(
        usage_replica_hours_per_month=730,
        gpus_per_replica=8,
        usd_per_gpu_hour=1.25,
        interruption_overhead_fraction=0.1,
    )
    assert cost.spot_interruption_usd == pytest.approx(730.0)
    assert cost.total_usd == pytest.approx(8_030.0)
    assert cost.gpu_hours_per_month == pytest.approx(8 * 730 * 1.1)


def test_owned_hand_check() -> None:
    # 8 GPUs at $31,250 (pricing.md §3a, uvation 2025-03-03), 5 years, 10 % residual, 8 %/yr:
    # PMT(0.08/12, 60, −31,250, 3,125) per GPU: r = 0.0066667, (1+r)^60 = 1.489846,
    # (31,250 × 1.489846 − 3,125) × r / 0.489846 = 43,432.7 × 0.0066667 / 0.489846 = 591.11
    cost = owned_cost(
        gpus=8,
        purchase_usd_per_gpu=31_250,
        life_years=5,
        residual_fraction=0.1,
        cost_of_capital_per_year=0.08,
        power_kw_per_gpu=1.275,  # DGX H100 10.2 kW / 8
        power_draw_fraction=0.65,
        pue=1.58,  # Uptime Institute 2023 average
        usd_per_kwh=0.0806,  # EIA 2023 US industrial average
        colocation_usd_per_kw_month=184.06,  # CBRE NA wholesale H2 2024
        maintenance_fraction_per_year=0.06,
    )
    assert cost.capital_usd == pytest.approx(8 * 591.11, abs=0.05)
    # 8 × 1.275 × 0.65 × 1.58 × 0.0806 × 730 = 10.2 × 0.65 = 6.63 kW × 1.58 = 10.4754 kW
    # × 0.0806 = 0.844317 $/h × 730 = 616.35
    assert cost.power_usd == pytest.approx(616.35, abs=0.01)
    # 10.2 kW × 184.06 = 1,877.41
    assert cost.colocation_usd == pytest.approx(1_877.41, abs=0.01)
    # 8 × 31,250 × 0.06 / 12 = 1,250
    assert cost.maintenance_usd == pytest.approx(1_250.0)
    assert cost.total_usd == pytest.approx(
        cost.capital_usd + cost.power_usd + cost.colocation_usd + cost.maintenance_usd
    )


def test_power_draw_fraction() -> None:
    assert power_draw_fraction(0.0, 0.3) == pytest.approx(0.3)
    assert power_draw_fraction(1.0, 0.3) == pytest.approx(1.0)
    with pytest.raises(InvalidInputError, match="utilization must be ≤ 1"):
        power_draw_fraction(1.2, 0.3)


@given(
    life=st.floats(0.5, 10.0),
    extra=st.floats(0.1, 5.0),
    rate=st.floats(0.0, 0.3),
    residual=st.floats(0.0, 0.9),
)
def test_owned_capital_falls_with_life(
    life: float, extra: float, rate: float, residual: float
) -> None:
    kw = {"gpus": 8, "purchase_usd_per_gpu": 30_000, "cost_of_capital_per_year": rate}
    short = owned_cost(life_years=life, residual_fraction=residual, **kw).capital_usd
    long = owned_cost(life_years=life + extra, residual_fraction=residual, **kw).capital_usd
    assert long <= short * (1 + 1e-12)


@given(
    demand=st.floats(0.0, 500.0),
    extra=st.floats(0.0, 500.0),
    cap=st.floats(0.05, 50.0),
    util=st.floats(0.1, 1.0),
    peak=st.floats(1.0, 24.0),
    price=st.floats(0.1, 10.0),
)
def test_rental_cost_non_decreasing_in_volume(
    demand: float, extra: float, cap: float, util: float, peak: float, price: float
) -> None:
    weights = profile_from_peak_to_average(peak)
    costs = []
    for d in (demand, demand + extra):
        plan = replica_plan(
            requests_per_s=d,
            hourly_weights=weights,
            capacity_requests_per_s_per_replica=cap,
            target_utilization=util,
        )
        assert plan.served_fraction == pytest.approx(1.0)
        assert 0 <= plan.utilization <= util + 1e-9
        costs.append(
            rental_cost(
                usage_replica_hours_per_month=plan.replica_hours_per_month,
                gpus_per_replica=8,
                usd_per_gpu_hour=price,
            ).total_usd
        )
    assert costs[1] >= costs[0]


@pytest.mark.parametrize(
    "volume",
    [1e6, [1e6, 2e6], np.array([1e6, 2e6]), pd.Series([1e6, 2e6], index=["a", "b"])],
    ids=["scalar", "list", "ndarray", "series"],
)
def test_input_kinds(volume: object) -> None:
    # scalar in → float out; list/ndarray → ndarray; Series → Series with its index
    rps = average_requests_per_s(volume)
    plan = replica_plan(
        requests_per_s=rps, hourly_weights=FLAT, capacity_requests_per_s_per_replica=0.1
    )
    hours = plan.replica_hours_per_month
    cost = rental_cost(usage_replica_hours_per_month=hours, gpus_per_replica=8, usd_per_gpu_hour=2)
    if isinstance(volume, float):
        assert isinstance(cost.total_usd, float)
    elif isinstance(volume, pd.Series):
        assert list(rps.index) == ["a", "b"]
        assert isinstance(plan.replicas_peak, pd.Series)
    else:
        assert isinstance(cost.total_usd, np.ndarray)
        assert cost.total_usd.shape == (2,)
