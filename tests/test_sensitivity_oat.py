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
