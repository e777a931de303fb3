"""Replica bounds are whole: a fractional min/max_replicas (a sweep, a Monte Carlo draw of the
``min_replicas`` / ``max_replicas`` variables) is rounded inward, never a fractional fleet."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from llmcost._core.errors import InvalidInputError
from llmcost.cost.load import replica_plan

FLAT = np.ones(24)


def test_fractional_min_replicas_rounds_up() -> None:
    # no demand: the floor alone; 1.5 replicas is 2 running all month = 2 × 730 replica-hours
    plan = replica_plan(
        requests_per_s=0.0,
        hourly_weights=FLAT,
        capacity_requests_per_s_per_replica=1.0,
        min_replicas=1.5,
    )
    assert plan.replicas_peak == 2.0
    assert plan.replica_hours_per_month == pytest.approx(1460.0)


def test_fractional_max_replicas_rounds_down() -> None:
    # 2.5 requests/s at 1 per replica needs 3 replicas; a cap of 2.7 allows 2 → infeasible,
    # serving 2 / 2.5 = 80 % of the demand
    plan = replica_plan(
        requests_per_s=2.5,
        hourly_weights=FLAT,
        capacity_requests_per_s_per_replica=1.0,
        max_replicas=2.7,
    )
    assert plan.replicas_peak == 2.0
    assert not plan.feasible
    assert plan.served_fraction == pytest.approx(0.8)


def test_min_above_max_names_both_values() -> None:
    with pytest.raises(InvalidInputError, match=r"min_replicas must be ≤ max_replicas.*got 5 > 1$"):
        replica_plan(
            requests_per_s=[0.0, 1.0],
            hourly_weights=FLAT,
            capacity_requests_per_s_per_replica=1.0,
            min_replicas=[1.0, 4.5],
            max_replicas=1.0,
        )


@settings(max_examples=60, deadline=None)
@given(
    demand=st.floats(0.0, 50.0),
    lo=st.floats(0.0, 4.0),
    extra=st.floats(0.0, 6.0),
    to_zero=st.booleans(),
    autoscaling=st.booleans(),
)
def test_replicas_are_whole_for_any_bounds(
    demand: float, lo: float, extra: float, to_zero: bool, autoscaling: bool
) -> None:
    hi = np.ceil(lo) + extra  # keeps ceil(lo) ≤ floor(hi)
    plan = replica_plan(
        requests_per_s=demand,
        hourly_weights=np.linspace(0.5, 1.5, 24),
        capacity_requests_per_s_per_replica=3.0,
        min_replicas=lo,
        max_replicas=hi,
        scale_to_zero=to_zero,
        autoscaling=autoscaling,
    )
    by_hour = plan.replicas_by_hour
    np.testing.assert_array_equal(by_hour, np.round(by_hour))
    assert np.all(by_hour <= np.floor(hi))
