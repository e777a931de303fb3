"""The break-even engine (llmcost.analysis.crossings) against a dense grid on random scenarios.

Issue #13: every sign change of a cost difference on a dense grid must be within 1e-5
(relative) of a reported crossing or jump, and every reported one must be a real change of the
cheaper option. Capacities are given per replica so no performance model is involved; the
hourly profile, replica floors and caps, reservations and owned hardware all make steps.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from llmcost.analysis import breakeven_pairs
from llmcost.analysis.crossings import MAX_STEP_BRACKETS, find_crossings, sign_of_difference
from llmcost.scenario import parse_scenario, scenario_model

_PRICING = ("on_demand", "reserved_1y", "spot", "owned")


@st.composite
def _scenarios(draw: Any) -> dict[str, Any]:
    workload: dict[str, Any] = {
        "requests_per_month": 1e6,
        "input_tokens_per_request": draw(st.integers(100, 4000)),
        "output_tokens_per_request": draw(st.integers(20, 800)),
        "cached_input_fraction": draw(st.floats(0.0, 0.8)),
    }
    if draw(st.booleans()):
        workload["peak_to_average"] = draw(st.floats(1.0, 6.0))
    else:
        workload["hourly_profile"] = draw(st.lists(st.floats(0.1, 5.0), min_size=24, max_size=24))
    options: list[dict[str, Any]] = [
        {
            "name": "api",
            "kind": "api",
            "offer": "openai/gpt-4o",
            "input_usd_per_mtok": draw(st.floats(0.05, 5.0)),
            "output_usd_per_mtok": draw(st.floats(0.2, 20.0)),
        }
    ]
    for k in range(draw(st.integers(1, 2))):
        pricing = draw(st.sampled_from(_PRICING))
        option: dict[str, Any] = {
            "name": f"own{k}",
            "kind": "self_hosted",
            "model": "llama-3.3-70b",
            "gpu": "h100-sxm",
            "gpus_per_replica": draw(st.sampled_from([1, 2, 4, 8])),
            "precision": "fp8",
            "pricing": pricing,
            "requests_per_s_per_replica": draw(st.floats(0.2, 20.0)),
            "engineering_fte": draw(st.floats(0.0, 2.0)),
            "min_replicas": draw(st.integers(0, 3)),
            "autoscaling": draw(st.booleans()),
        }
        if pricing != "owned":
            option["gpu_usd_per_hour"] = draw(st.floats(0.5, 6.0))
        options.append(option)
    return {"name": "random", "workload": workload, "options": options}


def _grid_changes(costs: dict[str, np.ndarray], x: np.ndarray, a: str, b: str) -> np.ndarray:
    s = sign_of_difference(costs[a], costs[b])
    nz = np.flatnonzero(s != 0)
    change = nz[:-1][s[nz[:-1]] != s[nz[1:]]]
    return np.sqrt(x[change] * x[np.minimum(change + 1, x.size - 1)])


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_scenarios(), st.floats(3.0, 6.0), st.floats(2.0, 3.0))
def test_every_grid_change_is_found_and_every_change_found_is_real(
    data: dict[str, Any], log_lo: float, decades: float
) -> None:
    model = scenario_model(parse_scenario(data))
    names = list(model.option_names)
    lo, hi = 10.0**log_lo, 10.0 ** (log_lo + decades)
    results = breakeven_pairs(
        model, "requests_per_month", lo, hi, options=names, scale="log", n_grid=257
    )
    x = np.geomspace(lo, hi, 400_001)  # cells < 1.8e-5 wide: a cell's middle is within 1e-5
    costs = model({"requests_per_month": x})
    for r in results:
        found = r.crossings
        # 1. every change on the dense grid is within 1e-5 (relative) of a reported one
        for v in _grid_changes(costs, x, r.option_a, r.option_b):
            assert found.size, (r, v)
            assert np.min(np.abs(found - v) / v) <= 1e-5, (r, v)
        # 2. every reported change is real: the cheaper option differs on its two sides
        for e in r.events:
            probe = np.array([e.at * (1 - 1e-9), e.at * (1 + 1e-9)])
            c = model({"requests_per_month": probe})
            s = sign_of_difference(c[r.option_a], c[r.option_b])
            winner = {1.0: r.option_b, -1.0: r.option_a}
            assert winner.get(float(s[0])) == e.winner_below, e
            assert winner.get(float(s[1])) == e.winner_above, e
            assert e.winner_below != e.winner_above


def test_steps_closer_than_a_grid_cell_are_all_found() -> None:
    # cost_b = 10 per started unit, cost_a = 10·x + 0.01: on each stair (n − 1, n] the line
    # meets b at n − 0.001 and b jumps above it again at n — two changes 0.1 % apart near 1,
    # far closer than the 5-point grid's spacing of 1.
    def costs(x: np.ndarray) -> np.ndarray:
        return np.column_stack([10.0 * x + 0.01, 10.0 * np.ceil(x)])

    (r,) = find_crossings(
        costs,
        0.5,
        4.5,
        [(0, 1)],
        steps=lambda x: np.ceil(x)[:, None],
        step_owner=[1],
        n_grid=5,
        scale="linear",
    )
    expected = sorted([n - 0.001 for n in (1, 2, 3, 4)] + [1.0, 2.0, 3.0, 4.0])
    assert r.at == pytest.approx(expected, rel=1e-9)
    assert r.jump.tolist() == [False, True] * 4
    assert r.sign_below.tolist() == [-1.0, 1.0] * 4  # a cheaper below each crossing


def test_steps_too_many_to_enumerate_fall_back_to_the_grid() -> None:
    # 10^6 unit stairs: a = ceil(x), b = 2000.25 + x/2, so d = a − b = ceil(x) − x/2 − 2000.25.
    # By hand: d < 0 below 3998.5 and > 0 above 4000; in between a jump at 3999 (−0.75 → +0.25),
    # a crossing at 3999.5 and a jump at 4000 (−0.25 → +0.75). Enumerating all 10^6 boundaries
    # (what the engine did: a fleet of millions of replicas ran out of memory) is refused; the
    # grid then brackets the one net change, which lands on one of the three.
    evaluated = [0]

    def steps(x: np.ndarray) -> np.ndarray:
        evaluated[0] += x.size
        assert evaluated[0] <= 10 * MAX_STEP_BRACKETS, "the step enumeration has no bound"
        return np.ceil(x)[:, None]

    def costs(x: np.ndarray) -> np.ndarray:
        return np.column_stack([np.ceil(x), 2000.25 + 0.5 * x])

    (r,) = find_crossings(
        costs, 1.0, 1e6, [(0, 1)], steps=steps, step_owner=[0], n_grid=4097, scale="linear"
    )
    assert r.at.size == 1, r.at
    assert 3999.0 - 1e-6 <= r.at[0] <= 4000.0 + 1e-6, r.at
    assert r.sign_below.tolist() == [-1.0]  # a cheaper below
    assert evaluated[0] <= 2 * MAX_STEP_BRACKETS


def test_without_a_signature_the_grid_finds_what_it_resolves() -> None:
    (r,) = find_crossings(
        lambda x: np.column_stack([1000 + 0 * x, 2 * x]), 0.0, 1e4, [(0, 1)], scale="linear"
    )
    assert r.at.tolist() == pytest.approx([500.0], rel=1e-12)
    assert r.sign_below.tolist() == [1.0]
