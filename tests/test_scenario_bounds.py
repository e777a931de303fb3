"""The allowed range of each scenario variable, and distributions checked against it before
any draw (a distribution leaving the range used to abort Monte Carlo mid-run)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from llmcost._core.errors import InvalidInputError
from llmcost.analysis import ParameterSpace
from llmcost.scenario import (
    API_VARIABLES,
    OWNED_VARIABLES,
    RENTAL_VARIABLES,
    SELF_HOSTED_VARIABLES,
    VARIABLE_RANGES,
    WORKLOAD_VARIABLES,
    check_uncertainty_ranges,
    parse_scenario,
    scenario_model,
)
from llmcost.scenario.bounds import Interval, variable_range

SCENARIO: dict[str, Any] = {
    "name": "every pricing term",
    "as_of": "2025-06-01",
    "workload": {
        "requests_per_month": 1_000_000,
        "input_tokens_per_request": 1000,
        "output_tokens_per_request": 200,
    },
    "options": [
        {"name": "api", "kind": "api", "offer": "openai/gpt-4o"},
        {"name": "reserved", "kind": "self_hosted", "model": "llama-3.1-8b", "gpu": "h100-sxm",
         "gpus_per_replica": 1, "requests_per_s_per_replica": 1.0, "gpu_usd_per_hour": 2.0,
         "pricing": "reserved_1y", "on_demand_usd_per_gpu_hour": 3.0},
        {"name": "spot", "kind": "self_hosted", "model": "llama-3.1-8b", "gpu": "h100-sxm",
         "gpus_per_replica": 1, "requests_per_s_per_replica": 1.0, "gpu_usd_per_hour": 1.0,
         "pricing": "spot"},
        {"name": "own", "kind": "self_hosted", "model": "llama-3.1-8b", "gpu": "h100-sxm",
         "gpus_per_replica": 1, "requests_per_s_per_replica": 1.0, "pricing": "owned"},
    ],
}  # fmt: skip
MODEL = scenario_model(parse_scenario(SCENARIO))
ALL_VARIABLES = (
    WORKLOAD_VARIABLES | API_VARIABLES | SELF_HOSTED_VARIABLES | RENTAL_VARIABLES | OWNED_VARIABLES
)


def test_every_variable_has_a_range() -> None:
    assert set(VARIABLE_RANGES) == set(ALL_VARIABLES)


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("target_utilization", "[0.01, 1]"),  # SelfHostedOption: Field(ge=0.01, le=1)
        ("peak_to_average", "[1, 24]"),  # Workload: Field(ge=1, le=24)
        ("cached_input_fraction", "[0, 1]"),  # Workload: Fraction
        ("gpu_usd_per_hour", "(0, ∞)"),  # SelfHostedOption: Pos
        ("requests_per_month", "[0, ∞)"),  # Workload: NonNeg
        ("pue", "[1, 5]"),
        ("capacity_multiplier", "(0, ∞)"),  # no field: replica_plan needs capacity > 0
        ("api_price_multiplier", "[0, ∞)"),  # no field: api_bill needs prices ≥ 0
    ],
)
def test_ranges_come_from_the_config_fields(name: str, text: str) -> None:
    assert str(VARIABLE_RANGES[name]) == text


def test_an_option_qualified_name_has_its_variable_range() -> None:
    assert variable_range("my.option.target_utilization") == VARIABLE_RANGES["target_utilization"]
    assert variable_range("no_such_input") is None


def _inside(interval: Interval) -> st.SearchStrategy[float]:
    """Values in the range, at most 1e9 in size and 1e-6 away from an excluded end (closer
    ones overflow to inf, e.g. 1e-308 replicas' worth of utilization)."""
    lo = interval.lo if math.isfinite(interval.lo) else -1e9
    hi = interval.hi if math.isfinite(interval.hi) else 1e9
    return st.floats(lo + 1e-6 * interval.lo_open, hi - 1e-6 * interval.hi_open)


@settings(max_examples=200, deadline=None)
@given(data=st.data(), name=st.sampled_from(sorted(ALL_VARIABLES)))
def test_every_value_in_a_range_evaluates_without_error(data: Any, name: str) -> None:
    """The table is never looser than the math: a draw inside it cannot abort a run."""
    value = data.draw(_inside(VARIABLE_RANGES[name]))
    costs = MODEL({name: np.array([value])})
    assert set(costs) == {"api", "reserved", "spot", "own"}


def _space(key: str, spec: dict[str, Any]) -> ParameterSpace:
    return ParameterSpace.from_dict({key: spec})


def test_the_reported_triangular_above_one_is_refused_before_sampling() -> None:
    space = _space(
        "target_utilization", {"distribution": "triangular", "low": 0.6, "mode": 0.9, "high": 1.4}
    )
    with pytest.raises(InvalidInputError) as info:
        check_uncertainty_ranges(space)
    assert str(info.value) == (
        "uncertainty.target_utilization: triangular Tri(0.6, 0.9, 1.4) has support "
        "[0.6, 1.4], outside the allowed range [0.01, 1] of target_utilization; keep low and "
        "high within it"
    )


def test_an_unbounded_distribution_on_a_bounded_input_must_be_truncated() -> None:
    normal = _space("own.target_utilization", {"distribution": "normal", "mean": 0.8, "sd": 0.1})
    with pytest.raises(InvalidInputError) as info:
        check_uncertainty_ranges(normal)
    message = str(info.value)
    assert message.startswith("uncertainty.own.target_utilization: normal N(0.8, 0.1)")
    assert "support (−∞, ∞)" in message
    assert "[0.01, 1]" in message
    assert "truncate it: a normal with low and high" in message
    lognormal = _space(
        "cached_input_fraction", {"distribution": "lognormal", "p5": 0.1, "p95": 0.5}
    )
    with pytest.raises(InvalidInputError, match=r"support \(0, ∞\).*\[0, 1\].*cannot be trunc"):
        check_uncertainty_ranges(lognormal)
    truncated = _space(
        "target_utilization",
        {"distribution": "normal", "mean": 0.8, "sd": 0.1, "low": 0.5, "high": 1.0},
    )
    check_uncertainty_ranges(truncated)  # support [0.5, 1] ⊂ [0.01, 1]


def test_distributions_inside_their_ranges_pass() -> None:
    space = ParameterSpace.from_dict(
        {
            # lognormal on a price: support (0, ∞), range (0, ∞)
            "gpu_usd_per_hour": {"distribution": "lognormal", "median": 2.0, "sigma": 0.3},
            "requests_per_month": {"distribution": "lognormal", "p5": 1e5, "p95": 1e7},
            # a continuous distribution reaches an excluded end with probability 0
            "target_utilization": {"distribution": "uniform", "low": 0.01, "high": 1.0},
            "peak_to_average": {"distribution": "pert", "low": 1.0, "mode": 2.0, "high": 24.0},
            "engineering_fte": 1.0,
            "unknown_names_are_checked_elsewhere": {"distribution": "normal", "mean": 0, "sd": 1},
        }
    )
    check_uncertainty_ranges(space)


def test_a_fixed_value_must_lie_inside_the_range() -> None:
    # a point mass at an excluded end is drawn every time
    with pytest.raises(InvalidInputError, match=r"fixed 0 .*\[0.01, 1\].*give a value within it"):
        check_uncertainty_ranges(
            _space("target_utilization", {"distribution": "fixed", "value": 0})
        )


def test_the_prefix_names_where_the_distribution_came_from() -> None:
    space = _space("pue", {"dist": "uniform", "low": 0.5, "high": 1.5})
    with pytest.raises(InvalidInputError, match=r"^default uncertainty of pue: uniform U"):
        check_uncertainty_ranges(space, prefix="default uncertainty of ")
