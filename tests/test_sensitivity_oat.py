"""One-at-a-time sensitivity: tornado ranking, ranges, elasticities."""

from __future__ import annotations

import numpy as np
import pytest

from llmcost._core.errors import InvalidInputError
from llmcost.analysis.oat import tornado
from llmcost.analysis.space import ParameterSpace


def _cost(x: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Self-hosted: GPU-hours × price + staff; API: tokens × price."""
    own = 730.0 * 8 * x["gpu_usd_per_hour"] + 15_000.0 * x["fte"]
    api = 2_000.0 * x["usd_per_mtok"]
    return {"own": own, "api": api}


SPACE = ParameterSpace.from_dict(
    {
        "gpu_usd_per_hour": {"dist": "uniform", "low": 2.0, "high": 4.0},
        "fte": {"dist": "triangular", "low": 0.5, "mode": 1.0, "high": 2.0},
        "usd_per_mtok": {"dist": "uniform", "low": 5.0, "high": 15.0},
        "hours": 730.0,
    }
)


def test_ranked_by_swing_with_hand_computed_values() -> None:
    r = tornado(_cost, SPACE, "own", ranges={"fte": (0.5, 2.0)})
    rows = r.to_frame()
    # baseline: 730 × 8 × 3 + 15,000 × 1 = 32,520
    assert r.baseline_output == pytest.approx(32_520.0)
    # GPU price P10/P90 of U(2, 4) = 2.2 / 3.8 → swing 5,840 × 1.6 = 9,344
    # FTE 0.5 → 2.0 → swing 15,000 × 1.5 = 22,500; the API price does not move "own"
    assert list(rows["input"]) == ["fte", "gpu_usd_per_hour", "usd_per_mtok"]
    np.testing.assert_allclose(rows["swing"], [22_500.0, 9_344.0, 0.0])
    gpu = rows.set_index("input").loc["gpu_usd_per_hour"]
    assert (gpu["low"], gpu["high"]) == pytest.approx((2.2, 3.8))
    # elasticity of own cost to GPU price: 17,520 / 32,520 (the GPU share of the cost)
    assert gpu["elasticity"] == pytest.approx(17_520 / 32_520, rel=1e-6)
    assert "hours" not in set(rows["input"])  # fixed inputs stay put


def test_relative_range_and_derived_output() -> None:
    def diff(o: dict[str, np.ndarray]) -> np.ndarray:
        return o["own"] - o["api"]

    r = tornado(_cost, SPACE, diff, output_name="own_minus_api", relative=0.1)
    assert r.output == "own_minus_api"
    rows = r.to_frame().set_index("input")
    # ±10 % of the API price (baseline 10): 2,000 × 2 = 4,000 swing
    assert rows.loc["usd_per_mtok", "swing"] == pytest.approx(4_000.0)
    assert rows.loc["hours", "swing"] == 0.0  # relative moves every input, fixed ones too
    assert "±10%" in r.method
    assert r.to_dict()["rows"][0]["input"] == rows.index[0]


def test_elasticity_nan_where_output_not_positive() -> None:
    r = tornado(
        lambda x: {"y": x["a"] - 1.0},
        ParameterSpace.from_dict({"a": {"dist": "uniform", "low": 0.0, "high": 2.0}}),
        "y",
    )
    assert np.isnan(r.rows[0]["elasticity"])


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"ranges": {"nope": (1, 2)}}, "unknown input"),
        ({"relative": -0.1}, "relative must be > 0"),
        ({"quantiles": (0.9, 0.1)}, "quantiles"),
    ],
)
def test_bad_arguments(kwargs: dict[str, object], match: str) -> None:
    with pytest.raises(InvalidInputError, match=match):
        tornado(_cost, SPACE, "own", **kwargs)  # type: ignore[arg-type]


def test_unknown_output_is_named() -> None:
    with pytest.raises(InvalidInputError, match="unknown model output 'gpu'"):
        tornado(_cost, SPACE, "gpu")


def _square_within_half_to_one(x: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """y = 3 a², refusing a outside [0.5, 1] like the scenario model refuses a fraction > 1."""
    if np.any((x["a"] < 0.5) | (x["a"] > 1.0)):
        raise InvalidInputError(f"a must be in [0.5, 1]; got {x['a'].min()}..{x['a'].max()}")
    return {"y": 3.0 * x["a"] ** 2}


@pytest.mark.parametrize(("mode", "baseline_y"), [(1.0, 3.0), (0.5, 0.75)])
def test_elasticity_at_an_end_of_the_range_is_one_sided_inward(
    mode: float, baseline_y: float
) -> None:
    # baseline at the top (Tri(0.5, 1, 1)) or the bottom (Tri(0.5, 0.5, 1)) of the input's
    # range: a central step would ask the model for a = 1.0001 or 0.49995
    space = ParameterSpace.from_dict(
        {"a": {"dist": "triangular", "low": 0.5, "mode": mode, "high": 1.0}}
    )
    r = tornado(_square_within_half_to_one, space, "y")
    assert r.baseline_output == pytest.approx(baseline_y)
    (row,) = r.rows
    # y = 3 a²: d ln y / d ln a = 2 exactly, for a one-sided step as for a central one
    assert row["elasticity"] == pytest.approx(2.0, rel=1e-9)
    # the tornado range itself is untouched: P10/P90 of the triangle, inside [0.5, 1]
    assert 0.5 < row["low"] < row["high"] < 1.0
    assert row["swing"] == pytest.approx(3.0 * (row["high"] ** 2 - row["low"] ** 2))


def test_elasticity_of_a_fraction_at_one_in_a_scenario() -> None:
    from llmcost.scenario import Scenario, scenario_model

    scenario = Scenario.model_validate(
        {
            "name": "all-cached",
            "workload": {
                "requests_per_month": 1e6,
                "input_tokens_per_request": 3000,
                "output_tokens_per_request": 400,
                "cached_input_fraction": 1.0,
            },
            "options": [
                {"name": "gpt-4o", "kind": "api", "offer": "openai/gpt-4o"},
                {"name": "mini", "kind": "api", "offer": "openai/gpt-4o-mini"},
            ],
        }
    )
    model = scenario_model(scenario, as_of="2025-06-01")
    space = ParameterSpace.from_dict(
        {"cached_input_fraction": {"dist": "uniform", "low": 0.0, "high": 1.0, "baseline": 1.0}}
    )
    r = tornado(model, space, "gpt-4o")
    # GPT-4o: $2.50 input, $1.25 cached input, $10 output per 1M tokens (OpenAI pricing page).
    # Per request at c = 1: 3000 × 1.25e-6 + 400 × 10e-6 = 0.00775 USD; dy/dc = 3000 ×
    # (1.25 − 2.50)e-6 = −0.00375; elasticity c·y′/y = −0.00375 / 0.00775 = −0.48387
    # (a one-sided step of 0.01 % on a line: relative error ≈ 0.5 × 1e-4 × 0.48 / 1)
    assert r.rows[0]["elasticity"] == pytest.approx(-0.00375 / 0.00775, rel=1e-4)
