"""Monte Carlo: percentiles, probability cheapest, derived quantities, determinism, speed."""

from __future__ import annotations

import time

import numpy as np
import pytest

from llmcost._core.errors import InvalidInputError
from llmcost.analysis.breakeven import breakeven_linear
from llmcost.analysis.montecarlo import monte_carlo, probability_cheapest
from llmcost.analysis.space import ParameterSpace

SPACE = ParameterSpace.from_dict(
    {
        "gpu_usd_per_hour": {"dist": "uniform", "low": 2.0, "high": 4.0},
        "usd_per_mtok": {"dist": "uniform", "low": 5.0, "high": 15.0},
        "mtok_per_month": 2_000.0,
    }
)


def _model(x: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    own = 730.0 * 8 * x["gpu_usd_per_hour"]  # one 8-GPU replica, always on
    api = x["mtok_per_month"] * x["usd_per_mtok"]
    return {
        "own": own,
        "api": api,
        # volume where the API bill reaches the flat self-hosted cost [Mtok/month]
        "breakeven_mtok": breakeven_linear(own, 0.0, 0.0, x["usd_per_mtok"]),
    }


def test_percentiles_and_probability_cheapest_match_closed_forms() -> None:
    r = monte_carlo(_model, SPACE, 200_000, seed=1, options=["own", "api"])
    s = r.summary
    # own = 5,840 × U(2, 4): mean 17,520, P5 = 5,840 × 2.1 = 12,264, P95 = 5,840 × 3.9
    assert s["own"]["mean"] == pytest.approx(17_520.0, rel=2e-3)
    assert s["own"]["p5"] == pytest.approx(12_264.0, rel=3e-3)
    assert s["own"]["p95"] == pytest.approx(22_776.0, rel=3e-3)
    # P(api < own) = P(2000 p < 5840 g) for p ~ U(5, 15), g ~ U(2, 4): integrate over g:
    # P(p < 2.92 g) = (2.92 g − 5) / 10 for g in [2, 4] → mean = (2.92 × 3 − 5) / 10 = 0.376
    assert r.probability_cheapest["api"] == pytest.approx(0.376, abs=4e-3)
    assert r.probability_cheapest["own"] == pytest.approx(0.624, abs=4e-3)
    # the derived break-even volume is always defined here: 5,840 g / p
    assert s["breakeven_mtok"]["undefined_fraction"] == 0.0
    frame = r.to_frame()
    assert set(frame.columns) >= {"output", "mean", "p5", "p50", "p95", "probability_cheapest"}


def test_undefined_fraction_counts_never() -> None:
    def model(x: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        return {"be": np.where(x["u"] < 0.25, np.nan, x["u"])}

    space = ParameterSpace.from_dict({"u": {"dist": "uniform", "low": 0, "high": 1}})
    r = monte_carlo(model, space, 100_000, seed=2)
    assert r.summary["be"]["undefined_fraction"] == pytest.approx(0.25, abs=5e-3)
    assert r.summary["be"]["p50"] == pytest.approx(0.625, abs=5e-3)  # median of U(0.25, 1)


def test_same_seed_gives_byte_identical_json() -> None:
    a = monte_carlo(_model, SPACE, 10_000, seed=9, options=["own", "api"]).to_json()
    b = monte_carlo(_model, SPACE, 10_000, seed=9, options=["own", "api"]).to_json()
    c = monte_carlo(_model, SPACE, 10_000, seed=10, options=["own", "api"]).to_json()
    assert a == b
    assert a != c


def test_chunking_does_not_change_results() -> None:
    a = monte_carlo(_model, SPACE, 5_000, seed=4, chunk_rows=777)
    b = monte_carlo(_model, SPACE, 5_000, seed=4)
    assert a.to_dict() == b.to_dict()


def test_probability_cheapest_with_infeasible_options() -> None:
    got = probability_cheapest(
        {"a": np.array([1.0, np.nan, np.nan, 3.0]), "b": np.array([2.0, 1.0, np.nan, 3.0])}
    )
    assert got == {"a": 0.5, "b": 0.25}  # tie → first listed; all-NaN draw → nobody


def test_million_draws_is_fast_and_scales_sublinearly() -> None:
    times = {}
    for n in (1_000, 1_000_000):
        t0 = time.perf_counter()
        monte_carlo(_model, SPACE, n, seed=0, options=["own", "api"])
        times[n] = time.perf_counter() - t0
    assert times[1_000_000] < 5.0
    assert times[1_000_000] < 1000 * times[1_000]  # 1000× the draws, far less than 1000× time


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [({"n": 0}, "n must be"), ({"n": 10, "options": ["own", "gpu"]}, "unknown model output")],
)
def test_bad_arguments(kwargs: dict[str, object], match: str) -> None:
    with pytest.raises(InvalidInputError, match=match):
        monte_carlo(_model, SPACE, **kwargs)  # type: ignore[arg-type]
