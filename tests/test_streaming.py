"""Bounded-memory Monte Carlo (issue 16): seeded blocks, chunked reductions equal to the
unchunked ones, exact percentiles, memory budgets, and the dask backend bit for bit."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import llmcost.analysis._percentiles as percentiles_module
from llmcost._core.errors import InvalidInputError
from llmcost.analysis import ParameterSpace, monte_carlo, probability_cheapest, sobol
from llmcost.analysis import summarize_draws as full_summary
from llmcost.analysis.blocks import block_draws, block_seed, chunk_rows_for_budget, n_blocks
from llmcost.analysis.streaming import monte_carlo_stream, sweep_stream
from llmcost.analysis.sweep import sweep_arrays

SPACE = ParameterSpace.from_dict(
    {
        "price": {"dist": "lognormal", "median": 1.0, "sigma": 2.0},  # a heavy tail
        "volume": {"dist": "normal", "mean": 1.0, "sd": 0.3},
        "fixed": 3.0,
    }
)
PCTS = (0.0, 5.0, 50.0, 95.0, 100.0)


def model(x):
    api = x["price"] * x["volume"]
    own = np.where(x["volume"] > 1.5, np.nan, np.round(x["volume"] * 4) + x["fixed"] - 3)
    return {"api": api, "own": own}


def _all_draws(n: int, seed: int, block_rows: int) -> dict[str, np.ndarray]:
    blocks = [block_draws(SPACE, seed, b, n, block_rows) for b in range(n_blocks(n, block_rows))]
    return {k: np.concatenate([b[k] for b in blocks]) for k in blocks[0]}


@settings(max_examples=12, deadline=None)
@given(
    n=st.integers(1, 30_000),
    block_rows=st.sampled_from([1_000, 4_096, 10_000]),
    seed=st.integers(0, 2**32 - 1),
)
def test_chunked_reductions_equal_the_unchunked_ones(n, block_rows, seed):
    r = monte_carlo_stream(
        model,
        SPACE,
        n,
        seed=seed,
        options=["api", "own"],
        percentiles=PCTS,
        block_rows=block_rows,
        bins=64,
    )
    out = model(_all_draws(n, seed, block_rows))
    for name in ("api", "own"):
        whole = full_summary(out[name], PCTS)
        got = r.summary[name]
        for q in PCTS:  # exact, not approximately: the same order statistics as np.percentile
            assert got[f"p{q:g}"] == whole[f"p{q:g}"] or np.isnan(whole[f"p{q:g}"])
        assert got["undefined_fraction"] == whole["undefined_fraction"]
        if np.isfinite(whole["mean"]):
            assert got["mean"] == pytest.approx(whole["mean"], rel=1e-12, abs=1e-12)
            assert got["std"] == pytest.approx(whole["std"], rel=1e-9, abs=1e-12)
            v = np.where(np.isfinite(out[name]), out[name], np.inf)
            assert got["min"] == v.min()
            assert got["argmin"] == np.argmin(v)
    assert r.probability_cheapest == probability_cheapest({k: out[k] for k in ("api", "own")})


def test_memory_budget_and_chunk_size_do_not_change_a_bit():
    kwargs = {"seed": 11, "options": ["api", "own"], "block_rows": 5_000}
    roomy = monte_carlo_stream(model, SPACE, 23_456, **kwargs)
    tight = monte_carlo_stream(model, SPACE, 23_456, memory_budget_gb=2e-5, **kwargs)
    assert chunk_rows_for_budget(1_000.0, 2e-5) == 10  # rows of 1 kB in half of 20 kB
    assert tight.summary == roomy.summary
    assert tight.probability_cheapest == roomy.probability_cheapest


def test_split_bins_still_give_exact_percentiles(monkeypatch):
    monkeypatch.setattr(percentiles_module, "COLLECT_CAP", 40)  # force the refining passes
    r = monte_carlo_stream(model, SPACE, 20_000, seed=5, percentiles=PCTS, block_rows=3_000, bins=8)
    out = model(_all_draws(20_000, 5, 3_000))
    for name in ("api", "own"):  # own has many equal values: resolved without splitting forever
        whole = full_summary(out[name], PCTS)
        assert [r.summary[name][f"p{q:g}"] for q in PCTS] == [whole[f"p{q:g}"] for q in PCTS]


def test_block_seeds_are_the_spawned_children_and_blocks_do_not_depend_on_n():
    spawned = np.random.SeedSequence(42).spawn(5)
    for i in (0, 4):
        assert (block_seed(42, i).generate_state(4) == spawned[i].generate_state(4)).all()
    short = block_draws(SPACE, 42, 1, 15_000, 10_000)  # last block: 5,000 rows
    long = block_draws(SPACE, 42, 1, 50_000, 10_000)
    assert short["price"].size == 5_000
    assert not np.array_equal(
        block_draws(SPACE, 42, 0, 50_000, 10_000)["price"][:100], long["price"][:100]
    )
    with pytest.raises(InvalidInputError, match="need a seed"):
        block_seed(None, 0)


def test_bad_budgets_and_arguments_are_named():
    with pytest.raises(InvalidInputError, match="memory_budget_gb=1e-12 is too small"):
        monte_carlo_stream(model, SPACE, 10, memory_budget_gb=1e-12)
    with pytest.raises(InvalidInputError, match="unknown model output"):
        monte_carlo_stream(model, SPACE, 10, options=["api", "nope"])
    with pytest.raises(InvalidInputError, match="backend must be one of numpy, dask"):
        monte_carlo_stream(model, SPACE, 10, backend="spark")


def test_to_xarray_has_dims_and_units():
    r = monte_carlo_stream(
        model,
        SPACE,
        2_000,
        seed=1,
        options=["api", "own"],
        units={"api": "USD/month", "own": "USD/month"},
    )
    ds = r.to_xarray()
    assert ds["p50"].dims == ("output",)
    assert list(ds["output"].values) == ["api", "own"]
    assert list(ds["units"].values) == ["USD/month", "USD/month"]
    assert ds["argmin"].attrs["units"] == "draw index"
    assert ds["histogram"].dims == ("output", "bin")
    finite_own = round(2_000 * (1 - r.summary["own"]["undefined_fraction"]))
    assert int(ds["histogram"].sel(output="api").sum()) == 2_000  # every finite draw, once
    assert int(ds["histogram"].sel(output="own").sum()) == finite_own
    assert ds.attrs["n"] == 2_000


@pytest.fixture(scope="module")
def client():
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(
            n_workers=3, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as c,
    ):
        yield c


def _scenario():
    from llmcost.cli.sensitivity import space_for
    from llmcost.scenario import load_scenario, scenario_model

    scenario = load_scenario(Path(__file__).parents[1] / "examples/scenarios/chat-assistant.toml")
    m = scenario_model(scenario)
    return m, space_for(scenario, m)[0]


def test_dask_backend_is_bit_identical_to_numpy(client):
    m, space = _scenario()
    options = list(m.option_names)
    assert len(client.scheduler_info()["workers"]) == 3
    kwargs = {"seed": 7, "options": options, "block_rows": 4_096}
    local = monte_carlo_stream(m, space, 30_000, **kwargs)
    remote = monte_carlo_stream(m, space, 30_000, backend="dask", scheduler=client, **kwargs)
    assert remote.summary == local.summary
    assert remote.probability_cheapest == local.probability_cheapest
    mc_local = monte_carlo(m, space, 20_000, seed=3, options=options, chunk_rows=3_000)
    mc_remote = monte_carlo(
        m,
        space,
        20_000,
        seed=3,
        options=options,
        chunk_rows=3_000,
        backend="dask",
        scheduler=client,
    )
    assert mc_remote.summary == mc_local.summary
    for name in options:
        assert np.array_equal(mc_remote.draws[name], mc_local.draws[name], equal_nan=True)
    assert mc_remote.to_xarray(units=dict.fromkeys(options, "USD/month"))["mean"].dims == (
        "output",
    )


def test_dask_sobol_and_sweep_are_bit_identical(client):
    space = ParameterSpace.from_dict(
        {
            "a": {"dist": "uniform", "low": 0, "high": 1},
            "b": {"dist": "uniform", "low": 0, "high": 1},
        }
    )

    def f(x):
        return {"y": x["a"] + 2 * x["b"] ** 2}

    here = sobol(f, space, "y", n_base=512, seed=2, chunk_rows=700)
    there = sobol(
        f, space, "y", n_base=512, seed=2, chunk_rows=700, backend="dask", scheduler=client
    )
    assert there.to_dict() == here.to_dict()
    ds = there.to_xarray()
    assert ds["st"].dims == ("input",)
    assert ds["st"].attrs["units"] == "1"
    inputs = {"a": np.linspace(0, 1, 10_001), "b": np.linspace(1, 2, 10_001)}
    assert np.array_equal(
        sweep_arrays(f, inputs, chunk_rows=999, backend="dask", scheduler=client)["y"],
        sweep_arrays(f, inputs)["y"],
    )


def test_cli_stream_backend_and_budget(client, capsys):
    from llmcost.cli import main

    path = str(Path(__file__).parents[1] / "examples/scenarios/chat-assistant.toml")
    argv = ["sensitivity", path, "--monte-carlo", "30000", "--stream", "--json"]
    assert main(argv) == 0
    here = capsys.readouterr().out
    address = client.scheduler.address
    assert main([*argv, "--backend", "dask", "--scheduler", address]) == 0
    assert capsys.readouterr().out == here  # the same JSON from the cluster, byte for byte
    assert main(["sensitivity", path, "--monte-carlo", "100000000", "--json"]) == 2
    err = capsys.readouterr().err
    # 1e8 draws × (13 uncertain inputs + 5 options) × 8 bytes = 14.4 GB
    assert "18 columns need 14.4 GB, over the memory budget of 1 GB" in err
    assert "--stream" in err
    assert main([*argv[:3], "100000000", "--memory-budget-gb", "1e-9", "--stream"]) == 2
    assert "memory_budget_gb=1e-09 is too small" in capsys.readouterr().err
    assert main(["sensitivity", path, "--stream"]) == 2
    assert "need --monte-carlo N" in capsys.readouterr().err
    assert main([*argv, "--scheduler", address]) == 2
    assert "--scheduler needs --backend dask" in capsys.readouterr().err


def test_json_writes_undefined_statistics_as_null():
    import json

    def never(x):
        return {"a": x["price"], "b": np.full_like(x["price"], np.nan)}

    r = monte_carlo_stream(never, SPACE, 1_000, seed=0)
    payload = json.loads(r.to_json())
    assert payload["summary"]["b"]["mean"] is None
    assert payload["summary"]["b"]["undefined_fraction"] == 1.0
    assert payload["summary"]["a"]["p50"] == r.summary["a"]["p50"]


def _grid_model(x):
    api = x["volume"] * x["price"] * x["k"]
    own = 2.0 + 0.0 * x["volume"] + np.where(x["volume"] > 9, np.nan, 0.0)
    return {"api": api, "own": own}


AXES = {"volume": np.linspace(0.5, 10, 97), "price": np.geomspace(0.1, 3, 41)}


def test_sweep_stream_equals_the_reductions_of_the_whole_grid(client):
    from llmcost.analysis.sweep import cartesian

    r = sweep_stream(_grid_model, AXES, constants={"k": 1.5}, options=["api", "own"],
                     percentiles=PCTS, block_rows=500, bins=32)  # fmt: skip
    grid = cartesian(AXES)
    out = _grid_model(grid | {"k": np.full(grid["volume"].size, 1.5)})
    assert r.n == 97 * 41
    for name in ("api", "own"):
        whole = full_summary(out[name], PCTS)
        assert [r.summary[name][f"p{q:g}"] for q in PCTS] == [whole[f"p{q:g}"] for q in PCTS]
        v = np.where(np.isfinite(out[name]), out[name], np.inf)
        assert r.summary[name]["argmin"] == np.argmin(v)  # a flat index into the grid
    assert r.probability_cheapest == probability_cheapest(out)
    on_dask = sweep_stream(_grid_model, AXES, constants={"k": 1.5}, options=["api", "own"],
                           percentiles=PCTS, block_rows=500, bins=32, backend="dask",
                           scheduler=client, memory_budget_gb=1e-4)  # fmt: skip
    assert on_dask.summary == r.summary
    assert on_dask.seed is None
    assert "seed" not in on_dask.to_xarray().attrs


def test_a_bin_too_narrow_to_split_is_collected_as_is(monkeypatch):
    monkeypatch.setattr(percentiles_module, "COLLECT_CAP", 10)
    space = ParameterSpace.from_dict({"u": {"dist": "uniform", "low": 0, "high": 1}})
    a, b = 1.0, np.nextafter(1.0, 2.0)  # two adjacent floats, thousands of each

    def two_values(x):
        return {"y": np.where(x["u"] < 0.5, a, b)}

    r = monte_carlo_stream(two_values, space, 5_000, seed=1, percentiles=PCTS, block_rows=1_000,
                           bins=8)  # fmt: skip
    u = np.concatenate([block_draws(space, 1, i, 5_000, 1_000)["u"] for i in range(5)])
    whole = full_summary(two_values({"u": u})["y"], PCTS)
    assert [r.summary["y"][f"p{q:g}"] for q in PCTS] == [whole[f"p{q:g}"] for q in PCTS]
