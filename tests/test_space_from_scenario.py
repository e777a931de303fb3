"""``ParameterSpace.from_scenario``: baselines are the scenario's values, so a tornado's baseline
output is the difference ``compare`` reports (issue: a uniform 0.25–1.0 engineering_fte range had
baseline 0.625 where the scenario says 0.5)."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import llmcost
from llmcost.scenario import scenario_space

ROOT = Path(__file__).resolve().parents[1]
CHAT = ROOT / "examples" / "scenarios" / "chat-assistant.toml"
SELF = "llama-3.3-70b-2xh100"


def _with_uncertainty(
    uncertainty: dict[str, dict[str, float | str]], rpm: float
) -> llmcost.Scenario:
    base = llmcost.load_scenario(CHAT)
    data = base.model_dump(exclude_none=True)
    data["workload"]["requests_per_month"] = rpm
    data["uncertainty"] = uncertainty
    return llmcost.parse_scenario(data)


def test_issue_example_engineering_fte_baseline_is_the_scenario_value() -> None:
    # chat-assistant.toml: engineering_fte = 0.5 on the self-hosted options (the default).
    s = _with_uncertainty(
        {f"{SELF}.engineering_fte": {"distribution": "uniform", "low": 0.25, "high": 1.0}}, 5e6
    )
    space = llmcost.ParameterSpace.from_scenario(s)
    assert space.baseline() == {f"{SELF}.engineering_fte": 0.5}
    # the plain dict constructor keeps the middle of the range, as documented: 0.625
    spec = {f"{SELF}.engineering_fte": {"dist": "uniform", "low": 0.25, "high": 1.0}}
    assert llmcost.ParameterSpace.from_dict(spec).baseline()[f"{SELF}.engineering_fte"] == 0.625


def test_hand_built_space_off_the_scenario_warns() -> None:
    s = llmcost.load_scenario(CHAT)
    model = llmcost.scenario_model(s)
    spec = {f"{SELF}.engineering_fte": {"dist": "uniform", "low": 0.25, "high": 1.0}}
    with pytest.warns(UserWarning, match="the scenario says 0.5"):
        llmcost.tornado(model, llmcost.ParameterSpace.from_dict(spec), SELF)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        llmcost.tornado(model, llmcost.ParameterSpace.from_scenario(s), SELF)


def test_defaults_carry_their_source_and_scenario_baselines() -> None:
    s = llmcost.load_scenario(CHAT)
    found = scenario_space(s, llmcost.scenario_model(s))
    base = llmcost.scenario_model(s).baseline()
    assert set(found.sources) == set(found.space.names)
    assert all(src.startswith("default: ") for src in found.sources.values())
    for name, value in found.space.baseline().items():
        assert value == base[name]


def test_global_input_takes_the_shared_value() -> None:
    s = _with_uncertainty(
        {"fte_usd_per_year": {"distribution": "uniform", "low": 100_000, "high": 200_000}}, 5e6
    )
    # fte_usd_per_year is 240,000 on both self-hosted options: baseline 240,000, not 150,000
    assert llmcost.ParameterSpace.from_scenario(s).baseline() == {"fte_usd_per_year": 240_000.0}


def test_from_scenario_refuses_other_objects() -> None:
    with pytest.raises(llmcost.InvalidInputError, match="needs a Scenario"):
        llmcost.ParameterSpace.from_scenario("chat-assistant.toml")


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rpm=st.floats(1e5, 5e8),
    fte_low=st.floats(0.05, 0.45),
    fte_high=st.floats(0.55, 3.0),
    price_low=st.floats(0.5, 0.95),
)
def test_tornado_baseline_equals_compare_difference(
    rpm: float, fte_low: float, fte_high: float, price_low: float
) -> None:
    s = _with_uncertainty(
        {
            f"{SELF}.engineering_fte": {
                "distribution": "uniform", "low": fte_low, "high": fte_high,
            },
            "gpt-4o.api_price_multiplier": {
                "distribution": "triangular", "low": price_low, "mode": 1.0, "high": 1.2,
            },
            "requests_per_month": {"distribution": "lognormal", "p5": rpm / 3, "p95": rpm * 3},
        },
        rpm,
    )
    frame = llmcost.compare(s).to_frame()
    expected = frame.loc[SELF, "monthly_cost_usd"] - frame.loc["gpt-4o", "monthly_cost_usd"]
    model = llmcost.scenario_model(s)
    result = llmcost.tornado(
        model, llmcost.ParameterSpace.from_scenario(s), lambda o: o[SELF] - o["gpt-4o"]
    )
    if frame.loc[SELF, "feasible"]:
        assert result.baseline_output == pytest.approx(expected, abs=0.005)
