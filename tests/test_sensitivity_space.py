"""ParameterSpace: distributions, dict specs, reproducible sampling, rank correlation."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from llmcost._core.errors import InvalidInputError
from llmcost.analysis.space import ParameterSpace

SPEC = {
    "gpu_usd_per_hour": {"dist": "triangular", "low": 1.8, "mode": 2.5, "high": 3.5},
    "utilization": {"dist": "pert", "low": 0.2, "mode": 0.5, "high": 0.9},
    "api_price_multiplier": {"dist": "lognormal", "p5": 0.5, "p95": 2.0},
    "fte": {"dist": "normal", "mean": 1.0, "sd": 0.5, "low": 0.0},
    "hours": 730.0,
}


def test_published_moments_of_each_distribution() -> None:
    space = ParameterSpace.from_dict(SPEC)
    # triangular mean (a + m + b) / 3; beta-PERT mean (a + 4m + b) / 6 (Vose 2008, λ = 4)
    assert space["gpu_usd_per_hour"].distribution.mean() == pytest.approx((1.8 + 2.5 + 3.5) / 3)
    assert space["utilization"].distribution.mean() == pytest.approx((0.2 + 4 * 0.5 + 0.9) / 6)
    # lognormal from P5/P95: median √(0.5 × 2) = 1, quantiles reproduced
    p = space["api_price_multiplier"]
    assert p.baseline == pytest.approx(1.0)
    np.testing.assert_allclose(p.ppf([0.05, 0.95]), [0.5, 2.0])
    # truncated normal: same quantiles as scipy's truncnorm
    want = stats.truncnorm(-2.0, np.inf, loc=1.0, scale=0.5).ppf([0.1, 0.5, 0.9])
    np.testing.assert_allclose(space["fte"].ppf([0.1, 0.5, 0.9]), want, rtol=1e-9)
    assert space["hours"].is_fixed


def test_lognormal_by_median_and_sigma_and_scipy_frozen() -> None:
    space = ParameterSpace.from_dict(
        {"x": {"dist": "lognormal", "median": 2.0, "sigma": 0.3}, "y": stats.gamma(2.0)}
    )
    assert space["x"].ppf(0.5) == pytest.approx(2.0)
    assert space["x"].ppf(0.95) == pytest.approx(2.0 * np.exp(0.3 * 1.6448536))
    assert space.baseline()["y"] == pytest.approx(stats.gamma(2.0).median())


def test_baselines_and_override() -> None:
    base = ParameterSpace.from_dict(SPEC).baseline()
    assert base == pytest.approx(
        {
            "gpu_usd_per_hour": 2.5,
            "utilization": 0.5,
            "api_price_multiplier": 1.0,
            "fte": 1.0,
            "hours": 730.0,
        }
    )
    spec = {"u": {"dist": "uniform", "low": 0, "high": 4, "baseline": 1.0}}
    assert ParameterSpace.from_dict(spec).baseline() == {"u": 1.0}


def test_sampling_is_seeded_reproducible_and_leaves_the_global_seed_alone() -> None:
    space = ParameterSpace.from_dict(SPEC)
    # the legacy global state is what must stay untouched
    state = np.random.get_state()[1].copy()  # type: ignore[index]  # noqa: NPY002
    a = space.sample(1000, seed=7)
    b = space.sample(1000, seed=7)
    c = space.sample(1000, seed=8)
    assert all(np.array_equal(a[k], b[k]) for k in a)
    assert not np.array_equal(a["utilization"], c["utilization"])
    after = np.random.get_state()[1]  # type: ignore[index]  # noqa: NPY002
    np.testing.assert_array_equal(after, state)
    assert np.all(a["hours"] == 730.0)
    assert np.all(a["fte"] >= 0.0)
    assert np.all((a["gpu_usd_per_hour"] >= 1.8) & (a["gpu_usd_per_hour"] <= 3.5))


def test_sample_matches_its_distribution() -> None:
    draws = ParameterSpace.from_dict(SPEC).sample(200_000, seed=3)
    assert draws["utilization"].mean() == pytest.approx(0.5166667, abs=2e-3)
    assert np.percentile(draws["api_price_multiplier"], 95) == pytest.approx(2.0, rel=0.02)


def test_rank_correlation_is_imposed_and_marginals_kept() -> None:
    corr = {("gpu_usd_per_hour", "utilization"): 0.7, ("utilization", "fte"): -0.4}
    space = ParameterSpace.from_dict(SPEC, correlation=corr)
    independent = ParameterSpace.from_dict(SPEC).sample(20_000, seed=11)
    draws = space.sample(20_000, seed=11)
    rho = stats.spearmanr(np.column_stack([draws[k] for k in space.names if k != "hours"]))[0]
    assert rho[0, 1] == pytest.approx(0.7, abs=0.03)
    assert rho[1, 3] == pytest.approx(-0.4, abs=0.03)
    assert rho[0, 2] == pytest.approx(0.0, abs=0.03)
    for name in space.names:  # Iman–Conover only reorders: same values, other pairing
        np.testing.assert_array_equal(np.sort(draws[name]), np.sort(independent[name]))


@pytest.mark.parametrize(
    ("spec", "match"),
    [
        ({"x": {"dist": "beta", "a": 1}}, "x.dist must be one of"),
        ({"x": {"dist": "uniform", "low": 1}}, "needs high"),
        ({"x": {"dist": "uniform", "low": 1, "high": 2, "mode": 1.5}}, "unknown key"),
        ({"x": {"dist": "triangular", "low": 1, "mode": 3, "high": 2}}, "mode must be ≤ high"),
        ({"x": {"dist": "uniform", "low": "a", "high": 2}}, "x.low must be a number"),
        ({"x": {"dist": "normal", "mean": 1, "sd": 0}}, "sd must be > 0"),
        ({"x": {"dist": "lognormal", "median": 1}}, "either median and sigma"),
        ({"x": {"dist": "lognormal", "p5": 2, "p95": 1}}, "0 < p5 < p95"),
        ({"x": "cheap"}, "x must be a number"),
        ({}, "non-empty"),
    ],
)
def test_bad_specs_name_the_field(spec: dict[str, object], match: str) -> None:
    with pytest.raises(InvalidInputError, match=match):
        ParameterSpace.from_dict(spec)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"distribution": "beta"}, "x.distribution must be one of uniform, triangular"),
        ({}, "x.distribution must be one of uniform, triangular"),
        ({"distribution": "uniform", "low": 1}, "x: distribution 'uniform' needs high"),
        (
            {"distribution": "uniform", "low": 1, "high": 2, "mode": 1.5},
            "x: unknown key(s) mode for distribution 'uniform'; "
            "allowed: baseline, distribution, high, low",
        ),
    ],
)
def test_messages_use_the_key_the_user_wrote(spec: dict[str, object], message: str) -> None:
    """A scenario's [uncertainty] row says ``distribution``: so do the errors about it."""
    with pytest.raises(InvalidInputError) as info:
        ParameterSpace.from_dict({"x": spec})
    assert message in str(info.value)
    assert "dist " not in str(info.value)
    assert "'dist'" not in str(info.value)


def test_a_table_without_a_distribution_says_which_key_to_add() -> None:
    with pytest.raises(InvalidInputError, match="a table with 'distribution'"):
        ParameterSpace.from_dict({"x": ["uniform", 1, 2]})


@pytest.mark.parametrize(
    ("corr", "match"),
    [
        ({("a", "zz"): 0.5}, "unknown input 'zz'"),
        ({("a", "a"): 0.5}, "same input twice"),
        ([[1.0, 0.9, 0.9], [0.9, 1.0, -0.9], [0.9, -0.9, 1.0]], "positive semi-definite"),
        ([[1.0, 2.0], [2.0, 1.0]], "3×3"),
    ],
)
def test_bad_correlations(corr: object, match: str) -> None:
    spec = {k: {"dist": "uniform", "low": 0, "high": 1} for k in "abc"}
    with pytest.raises(InvalidInputError, match=match):
        ParameterSpace.from_dict(spec, correlation=corr)  # type: ignore[arg-type]


def test_unit_points_and_describe() -> None:
    space = ParameterSpace.from_dict({"u": {"dist": "uniform", "low": 2, "high": 4}, "k": 1.0})
    mapped = space.from_unit([[0.0, 0.3], [0.5, 0.9]])
    np.testing.assert_allclose(mapped["u"], [2.0, 3.0])
    np.testing.assert_allclose(mapped["k"], [1.0, 1.0])
    with pytest.raises(InvalidInputError, match=r"shape \(n, 2\)"):
        space.from_unit([[0.5]])
    rows = space.describe()
    assert rows[0]["distribution"] == "U(2, 4)"
    assert rows[0]["p5"] == pytest.approx(2.1)
    with pytest.raises(InvalidInputError, match="unknown input 'v'"):
        space["v"]


def test_scenario_table_spelling() -> None:
    """A scenario file's [uncertainty] rows say ``distribution`` and may carry None fields."""
    spec = {"x": {"distribution": "uniform", "low": 1.0, "high": 3.0, "mode": None}}
    assert ParameterSpace.from_dict(spec).baseline() == {"x": 2.0}
    with pytest.raises(InvalidInputError, match="not both"):
        ParameterSpace.from_dict({"x": {"dist": "uniform", "distribution": "uniform"}})
