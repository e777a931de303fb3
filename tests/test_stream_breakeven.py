"""Break-even counts in the streaming reductions equal one solve over every draw (issue 16)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from llmcost._core.errors import InvalidInputError
from llmcost.analysis import ParameterSpace, breakeven_per_draw
from llmcost.analysis.blocks import block_draws, n_blocks
from llmcost.analysis.streaming import BreakevenCounts, monte_carlo_stream, sweep_stream
from llmcost.analysis.sweep import cartesian

SPACE = ParameterSpace.from_dict(
    {
        "price": {"dist": "lognormal", "median": 1.0, "sigma": 1.0},
        "fixed": {"dist": "uniform", "low": 0.5, "high": 4.0},
        "volume": 1.0,
    }
)
PCTS = (0.0, 5.0, 50.0, 95.0, 100.0)
COUNTS = BreakevenCounts("volume", 0.1, 6.0, [("api", "own")], n_grid=33, unit="Mtok/month")


def model(x):
    """API cost linear in volume; self-hosted a step per whole replica (several crossings can
    happen), and infeasible above 5.5."""
    api = x["price"] * x["volume"]
    own = np.where(x["volume"] > 5.5, np.nan, x["fixed"] * np.ceil(x["volume"] / 2))
    return {"api": api, "own": own}


def _all_draws(n: int, seed: int, block_rows: int) -> dict[str, np.ndarray]:
    blocks = [block_draws(SPACE, seed, b, n, block_rows) for b in range(n_blocks(n, block_rows))]
    return {k: np.concatenate([b[k] for b in blocks]) for k in blocks[0]}


def _unchunked(draws, counts=COUNTS):
    return breakeven_per_draw(model, "volume", counts.lo, counts.hi, option_a="api",
                              option_b="own", draws=draws, n_grid=counts.n_grid).first  # fmt: skip


def _check_equal(found: dict, first: np.ndarray) -> None:
    has = np.isfinite(first)
    assert found["with_breakeven"] == int(has.sum())
    assert found["fraction"] == has.sum() / first.size
    if not has.any():
        assert np.isnan(found["p50"])
        return
    whole = np.percentile(first[has], PCTS)
    assert [found[f"p{q:g}"] for q in PCTS] == whole.tolist()  # exact order statistics
    assert found["min"] == first[has].min()
    assert found["max"] == first[has].max()
    assert found["argmin"] == np.argmin(np.where(has, first, np.inf))
    assert found["mean"] == pytest.approx(first[has].mean(), rel=1e-12)


@settings(max_examples=8, deadline=None)
@given(
    n=st.integers(1, 3_000),
    block_rows=st.sampled_from([256, 1_000, 4_096]),
    seed=st.integers(0, 2**32 - 1),
)
def test_streamed_breakeven_counts_equal_one_solve_over_every_draw(n, block_rows, seed):
    r = monte_carlo_stream(model, SPACE, n, seed=seed, options=["api", "own"],
                           percentiles=PCTS, block_rows=block_rows, bins=16,
                           breakeven=COUNTS)  # fmt: skip
    _check_equal(r.breakeven["api vs own"], _unchunked(_all_draws(n, seed, block_rows)))
    assert set(r.summary) == {"api", "own"}  # the solved column is not an output


def test_budget_and_dask_change_no_bit_and_xarray_names_the_pair():
    distributed = pytest.importorskip("distributed")
    kwargs = {"seed": 5, "options": ["api", "own"], "block_rows": 700, "breakeven": COUNTS}
    local = monte_carlo_stream(model, SPACE, 2_500, **kwargs)
    tight = monte_carlo_stream(model, SPACE, 2_500, memory_budget_gb=2e-4, **kwargs)
    assert tight.breakeven == local.breakeven
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        remote = monte_carlo_stream(model, SPACE, 2_500, backend="dask", scheduler=client,
                                    **kwargs)  # fmt: skip
    assert remote.breakeven == local.breakeven
    assert remote.summary == local.summary
    ds = local.to_xarray()
    assert ds["breakeven_p50"].dims == ("pair",)
    assert ds["breakeven_p50"].attrs["units"] == "Mtok/month"
    assert ds["breakeven_with_breakeven"].attrs["units"] == "draws"
    assert ds["breakeven_p50"].attrs["variable"] == "volume"
    assert local.to_dict()["breakeven"]["api vs own"]["with_breakeven"] > 0


def test_sweep_stream_counts_grid_points_with_a_breakeven():
    axes = {"price": np.geomspace(0.05, 8, 37), "fixed": np.linspace(0.5, 4, 11)}
    r = sweep_stream(model, axes, constants={"volume": 1.0}, percentiles=PCTS,
                     block_rows=50, bins=8, breakeven=COUNTS)  # fmt: skip
    _check_equal(r.breakeven["api vs own"], _unchunked(cartesian(axes)))


def test_bad_pairs_and_ranges_are_named():
    with pytest.raises(InvalidInputError, match="pairs must name two different options"):
        BreakevenCounts("volume", 0, 1, [("api", "api")])
    with pytest.raises(InvalidInputError, match="lo < hi"):
        BreakevenCounts("volume", 2, 1, [("api", "own")])
    bad = BreakevenCounts("volume", 0.1, 6, [("api", "cloud")])
    with pytest.raises(InvalidInputError, match="unknown model output 'cloud'"):
        monte_carlo_stream(model, SPACE, 100, breakeven=bad)
