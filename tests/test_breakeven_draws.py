"""Break-even per draw agrees with the one-curve solver, row by row."""

from __future__ import annotations

import numpy as np
import pytest

from llmcost._core.errors import InvalidInputError
from llmcost.analysis.breakeven import breakeven
from llmcost.analysis.breakeven_draws import breakeven_per_draw


def _model(x: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """API at a per-unit price vs replicas of a given capacity and price, plus staff."""
    v = x["volume"]
    api = x["price"] * v
    own = x["staff"] + x["replica_usd"] * np.ceil(v / x["capacity"])
    return {"api": api, "own": own}


def test_matches_the_single_curve_solver_on_random_staircases() -> None:
    rng = np.random.default_rng(4)
    n = 200
    draws = {
        "price": rng.uniform(0.5, 2.0, n),
        "staff": rng.uniform(0.0, 300.0, n),
        "replica_usd": rng.uniform(100.0, 400.0, n),
        "capacity": rng.uniform(150.0, 600.0, n),
    }
    r = breakeven_per_draw(
        _model, "volume", 0.0, 3000.0, option_a="api", option_b="own", draws=draws, n_grid=2049
    )
    assert np.isfinite(r.first).sum() > 50  # the sample has both outcomes
    assert np.isnan(r.first).sum() > 5
    for i in range(n):
        one = breakeven(
            _model,  # type: ignore[arg-type]
            "volume",
            0.0,
            3000.0,
            option_a="api",
            option_b="own",
            inputs={k: v[i] for k, v in draws.items()},
            n_grid=2049,
        )
        assert r.n_crossings[i] == one.crossings.size
        np.testing.assert_allclose(r.first[i], one.first, rtol=1e-7, atol=1e-6)
        np.testing.assert_allclose(r.sustained[i], one.sustained, rtol=1e-7, atol=1e-6)
        assert bool(r.b_cheaper_at_hi[i]) == (one.sustained_winner == "own")
    frame = r.to_frame()
    assert list(frame.columns) == ["first", "sustained", "n_crossings", "b_cheaper_at_hi"]


def test_log_scale_and_hand_values() -> None:
    # api = p × v vs own = 1000 flat: crossing at 1000 / p
    r = breakeven_per_draw(
        lambda x: {"api": x["p"] * x["v"], "own": 1000.0 + 0 * x["v"]},
        "v",
        1.0,
        1e6,
        option_a="api",
        option_b="own",
        draws={"p": [1.0, 0.1, 1e-4]},
        scale="log",
    )
    np.testing.assert_allclose(r.first[:2], [1000.0, 10_000.0], rtol=1e-8)
    assert np.isnan(r.first[2])  # 1e-4 × 1e6 = 100 < 1000: never


def test_errors() -> None:
    with pytest.raises(InvalidInputError, match="besides the variable"):
        breakeven_per_draw(_model, "volume", 0, 1, option_a="api", option_b="own", draws={})
    with pytest.raises(InvalidInputError, match="unknown model output 'gpu'"):
        breakeven_per_draw(
            _model,
            "volume",
            0,
            1,
            option_a="api",
            option_b="gpu",
            draws={"price": [1.0], "staff": 0, "replica_usd": 1, "capacity": 1},
        )
