"""One shape for every public result: to_frame, to_dict, to_json, a one-line repr, HTML.

Every result type is built here from a real call of the library (no hand-made instances), then
held to the same contract: a tidy ``to_frame()`` with snake_case column names and the unit-less
names replaced (``gpus_peak``, not ``gpus``), a ``to_dict()`` that strict JSON accepts (NaN,
"never", "does not apply" are ``None``), ``to_json()`` that reads back as ``to_dict()``, a
one-line ``__repr__`` and an HTML table for notebooks.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import _benchfiles as bench
import llmcost
from llmcost import export
from llmcost._core import display, serialize
from llmcost.analysis.breakeven import breakeven
from llmcost.analysis.breakeven_draws import breakeven_per_draw
from llmcost.analysis.growth_draws import growth_draws
from llmcost.analysis.montecarlo import monte_carlo
from llmcost.analysis.oat import tornado
from llmcost.analysis.sampling import fit_coverage
from llmcost.analysis.sobol import sobol
from llmcost.analysis.space import ParameterSpace
from llmcost.analysis.streaming import BreakevenCounts, monte_carlo_stream
from llmcost.catalog import load_catalog
from llmcost.cli import _common
from llmcost.cost.api import api_bill
from llmcost.perf.disaggregated import estimate_disaggregated
from llmcost.perf.layout_search import search_layouts
from llmcost.perf.memory import memory_footprint
from llmcost.perf.serving import estimate_serving
from llmcost.scenario import horizon_monte_carlo, scenario_breakeven
from llmcost.scenario.calibration import calibrate
from llmcost.workload import from_usage
from llmcost.workload.fits import fit_growth, length_distribution

SCENARIO = Path(__file__).parents[1] / "examples" / "scenarios" / "chat-assistant.toml"
CAT = load_catalog()
SPACE = ParameterSpace.from_dict(
    {
        "gpu_usd_per_hour": {"dist": "uniform", "low": 2.0, "high": 4.0},
        "usd_per_mtok": {"dist": "uniform", "low": 5.0, "high": 15.0},
    }
)
#: Column names that hide their unit or their statistic; the tidy names are on the right.
UNITLESS = {"gpus": "gpus_peak", "replicas": "replicas_peak", "utilization": "utilization_fraction"}
#: Where such a name is a fixed size, not a fleet that varies over the month (no peak/average).
FIXED_SIZE = {
    "LayoutSearch": {"replicas"},  # the replicas of one candidate layout
    "Calibration": {"gpus"},  # the GPUs of the benchmarked deployment
}
SNAKE = re.compile(r"^[a-z][a-z0-9_]*$")
#: An Evaluation's columns are the model's output keys, namespaced by a dot
#: (``components.staff_usd``, ``features.chat``), the keys its mapping is read with.
DOTTED = {"Evaluation"}


def _cost(x: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """8 GPUs for a month vs 2,000 M tokens at a per-token price [USD/month]."""
    return {"own": 730.0 * 8 * x["gpu_usd_per_hour"], "api": 2_000.0 * x["usd_per_mtok"]}


def _volume(x: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    return {"api": 5.0 * x["volume"], "own": 10_000.0 + 0 * x["volume"]}


def _comparison() -> Any:
    return llmcost.compare(SCENARIO)


def _workload(tmp: Path) -> Any:
    rng = np.random.default_rng(3)
    n = 200
    stamps = pd.Timestamp("2025-02-01") + pd.to_timedelta(rng.integers(0, 28 * 86400, n), "s")
    pd.DataFrame(
        {
            "request_id": [f"r{i}" for i in range(n)],
            "startTime": stamps.strftime("%Y-%m-%d %H:%M:%S.%f"),
            "model": "llama-3.1-70b",
            "prompt_tokens": rng.integers(1, 5000, n),
            "completion_tokens": rng.integers(0, 800, n),
            "team_id": "chat",
            "spend": 0.0,
        }
    ).to_csv(tmp / "spend.csv", index=False)
    return from_usage(tmp / "spend.csv", format="litellm")


def _calibration(tmp: Path) -> Any:
    frame = bench.runs([(128, 128), (1024, 256), (2048, 128)], [1, 16, 64], seed=5)
    files = [bench.write_csv(frame, tmp / "runs.csv")]
    return calibrate(files, engine="vllm", catalog=CAT)


def _perf() -> Any:
    return estimate_serving(
        CAT.model_spec("llama-3.1-8b"),
        CAT.gpu_spec("h100-sxm"),
        gpus=1,
        precision="bf16",
        input_tokens=[512, 2048],
        output_tokens=256,
        max_throughput=True,
    )


BUILDERS: dict[str, Any] = {
    "Comparison": lambda tmp: _comparison(),
    "ScenarioBreakeven": lambda tmp: scenario_breakeven(
        llmcost.scenario_model(SCENARIO), scenario="chat"
    ),
    "BreakevenResult": lambda tmp: breakeven(
        _volume, "volume", 0, 1e4, option_a="api", option_b="own"
    ),
    "BreakevenDraws": lambda tmp: breakeven_per_draw(
        _volume, "volume", 0.0, 1e4, option_a="api", option_b="own", draws={"x": np.zeros(5)}
    ),
    "TornadoResult": lambda tmp: tornado(_cost, SPACE, "own"),
    "MonteCarloResult": lambda tmp: monte_carlo(
        _cost, SPACE, 2_000, seed=1, options=["own", "api"]
    ),
    "StreamingMonteCarloResult": lambda tmp: monte_carlo_stream(
        _cost, SPACE, 2_000, seed=1, options=["own", "api"], block_rows=500
    ),
    "SobolResult": lambda tmp: sobol(_cost, SPACE, "own", n_base=256, seed=2, n_bootstrap=20),
    "PerfEstimate": lambda tmp: _perf(),
    "MemoryEstimate": lambda tmp: memory_footprint(
        CAT.model_spec("llama-3.1-70b"), "fp8", gpu=CAT.gpu_spec("h100-sxm"), gpus=[1, 2, 4]
    ),
    "LayoutSearch": lambda tmp: search_layouts(
        CAT.model_spec("llama-3.1-8b"),
        CAT.gpu_spec("h100-sxm"),
        gpus=2,
        input_tokens=1024,
        output_tokens=256,
        precisions="bf16",
        engines="vllm",
    ),
    "UsageWorkload": _workload,
    "Calibration": _calibration,
    "Evaluation": lambda tmp: _comparison().evaluate(requests_per_month=np.array([1e5, 1e7])),
    "GrowthDraws": lambda tmp: growth_draws(
        base_per_month=1e6, growth_per_month=0.05, growth_per_month_sd=0.02, horizon_months=6
    ),
    "HorizonMonteCarlo": lambda tmp: horizon_monte_carlo(
        SCENARIO, n=100, seed=1, growth_per_month_sd=0.02
    ),
    "DisaggregatedEstimate": lambda tmp: estimate_disaggregated(
        CAT.model_spec("llama-3.1-70b"),
        CAT.gpu_spec("h100-sxm"),
        prefill_gpus=4,
        decode_gpus=4,
        precision="fp8",
        input_tokens=[1000, 4000],
        output_tokens=200,
        ttft_slo_s=1.0,
    ),
    "CoverageFit": lambda tmp: fit_coverage([1, 10, 100, 1000], [0.3, 0.6, 0.8, 0.9]),
    "LengthDistribution": lambda tmp: length_distribution(
        np.array([0, 100, 200, 400, 3000]), np.array([1, 5, 10, 5, 1])
    ),
    "GrowthFit": lambda tmp: fit_growth(np.array([100.0, 112.0, 119.0, 135.0, 149.0, 160.0])),
    "ApiBill": lambda tmp: api_bill(
        requests_per_month=[1e5, 1e6],
        input_tokens_per_request=1500,
        output_tokens_per_request=300,
        input_usd_per_mtok=2.5,
        output_usd_per_mtok=10.0,
        cached_input_usd_per_mtok=1.25,
        cached_input_fraction=0.4,
    ),
}


@pytest.fixture(scope="module", params=list(BUILDERS))
def result(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Any:
    built = BUILDERS[request.param](tmp_path_factory.mktemp(request.param))
    assert type(built).__name__ == request.param
    return built


def _walk(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [x for v in value.values() for x in _walk(v)]
    if isinstance(value, list):
        return [x for v in value for x in _walk(v)]
    return [value]


@pytest.mark.filterwarnings("ignore::llmcost.StaleCatalogWarning")
def test_to_frame_is_tidy_with_units_in_the_names(result: Any) -> None:
    frame = result.to_frame()
    assert isinstance(frame, pd.DataFrame)
    assert len(frame) >= 1
    names = [*frame.columns, *(n for n in frame.index.names if n is not None)]
    for name in names:
        assert isinstance(name, str), name
        pattern = name.replace(".", "_") if type(result).__name__ in DOTTED else name
        assert SNAKE.match(pattern), name
        if name not in FIXED_SIZE.get(type(result).__name__, set()):
            assert name not in UNITLESS, f"{name!r}: call it {UNITLESS[name]!r}"


@pytest.mark.filterwarnings("ignore::llmcost.StaleCatalogWarning")
def test_to_dict_is_strict_json_and_to_json_reads_back(result: Any) -> None:
    data = result.to_dict()
    text = json.dumps(data, allow_nan=False)  # raises on NaN/inf or on a numpy value
    assert json.loads(text) == data
    assert not any(isinstance(v, float) and not math.isfinite(v) for v in _walk(data))
    written = json.loads(result.to_json())
    assert written.get("result", written) == data  # Comparison wraps it with its scenario


@pytest.mark.filterwarnings("ignore::llmcost.StaleCatalogWarning")
def test_repr_is_one_line_and_html_is_a_table(result: Any) -> None:
    text = repr(result)
    assert "\n" not in text
    assert text.startswith(type(result).__name__ + "(")
    assert len(text) <= 240, text
    page = result._repr_html_()
    assert "<table>" in page
    assert page.endswith("</table>")


def test_never_is_none_in_to_dict() -> None:
    flat = breakeven(_volume, "volume", 0, 1e3, option_a="api", option_b="own")  # api wins
    assert math.isnan(flat.first)
    assert flat.to_dict()["first"] is None
    assert flat.to_dict()["sustained"] is None
    no_fit = estimate_serving(
        CAT.model_spec("llama-3.1-405b"),
        CAT.gpu_spec("h100-sxm"),
        gpus=1,
        precision="bf16",
        input_tokens=512,
        output_tokens=256,
        max_throughput=True,
    )
    data = no_fit.to_dict()
    assert data["fits"] is False
    json.dumps(data, allow_nan=False)


@pytest.mark.filterwarnings("ignore::llmcost.StaleCatalogWarning")
def test_deprecated_frames_warn_and_match_the_methods() -> None:
    c = _comparison()
    with pytest.warns(DeprecationWarning, match="comparison.to_frame"):
        old = export.options_frame(c, components=True)
    pd.testing.assert_frame_equal(old, c.to_frame().reset_index())
    with pytest.warns(DeprecationWarning, match="comparison.horizon_frame"):
        old_horizon = export.horizon_frame(c)
    # the old layout for one release: 1-based month, the same figures as the new frame
    assert list(old_horizon.columns) == ["option", "month", "monthly_cost_usd", "cumulative_usd"]
    assert list(old_horizon["month"]) == list(range(1, c.horizon_months + 1)) * len(c.options)
    new = c.horizon_frame()
    np.testing.assert_array_equal(old_horizon["monthly_cost_usd"], new["cost_usd"])
    np.testing.assert_array_equal(old_horizon["cumulative_usd"], new["cumulative_usd"])
    # without components: the same table less the component columns
    with pytest.warns(DeprecationWarning, match="options_frame is deprecated"):
        bare = export.options_frame(c)
    components = {k for o in c.options for k in o.components}
    assert set(bare.columns) == set(old.columns) - components


@pytest.mark.filterwarnings("ignore::llmcost.StaleCatalogWarning")
def test_horizon_frame_is_long_and_sums_to_the_cumulative() -> None:
    c = _comparison()
    h = c.horizon_frame()
    assert list(h.columns) == ["option", "cost_usd", "cumulative_usd"]
    assert isinstance(h.index, pd.PeriodIndex)
    assert h.index.name == "period"
    assert len(h) == len(c.options) * c.horizon_months
    assert list(h["option"].unique()) == [o.name for o in c.options]
    for name, rows in h.groupby("option", sort=False):
        np.testing.assert_allclose(rows["cost_usd"].cumsum(), rows["cumulative_usd"])
        assert list(rows.index) == list(c.periods), name
        np.testing.assert_allclose(rows["cost_usd"], c.option(name).horizon_monthly_usd)
    # by quarter: the same shape, each option's quarters summing to its months
    q = c.horizon_frame("quarter")
    assert list(q.columns) == ["option", "cost_usd", "cumulative_usd"]
    for name, rows in q.groupby("option", sort=False):
        assert rows["cost_usd"].sum() == pytest.approx(sum(c.option(name).horizon_monthly_usd))


def test_one_table_printer_and_one_json_converter() -> None:
    # the CLI's printer and converter are the shared ones, not copies
    assert _common.format_table is display.text_table
    assert _common.jsonable is serialize.jsonable
    assert display.text_table([]) == "(no rows)"
    assert display.text_table([{"a": None, "b": float("inf")}]) == "a  b\n-  ---\n   n/a"


def test_streaming_breakeven_counts_are_in_the_json() -> None:
    # BreakevenCounts is what to count, not a result: its counts are part of the streaming
    # result's to_dict/to_json (strict JSON; a pair with no crossing has None statistics)
    def priced(x: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        return {"api": x["price"] * x["volume"], "own": 10_000.0 + 0 * x["volume"]}

    space = {
        "price": {"dist": "uniform", "low": 4.9, "high": 5.1},
        "volume": {"dist": "uniform", "low": 1e3, "high": 3e3},
    }
    r = monte_carlo_stream(
        priced,
        ParameterSpace.from_dict(space),
        500,
        seed=1,
        options=["api", "own"],
        block_rows=250,
        breakeven=BreakevenCounts("volume", 0.0, 1e4, pairs=[("api", "own")]),
    )
    data = r.to_dict()
    json.dumps(data, allow_nan=False)
    (pair,) = data["breakeven"].values()
    # api = price·v crosses own = 10,000 at v = 10,000/price ≈ 2,000 (price 4.9–5.1) in every
    # draw; E[10,000/price] = 2,000 × (1 + Var/μ²) = 2,000 × 1.00013
    assert pair["with_breakeven"] == 500
    assert pair["mean"] == pytest.approx(2_000.0, rel=1e-3)
    assert json.loads(r.to_json()) == data


def test_sweep_frame_has_the_result_shape_and_pandas_keeps_its_own() -> None:
    # SweepFrame is a DataFrame (its repr stays pandas'), but to_dict/to_json without
    # arguments give the one result shape: names, units, grid and rows, an infinite cost
    # ("never") written as null; with pandas' arguments they are pandas' methods
    from llmcost.analysis.sweep import sweep

    def model(x: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        return {"cost_usd": np.where(x["a"] > 0, x["a"] * x["b"], np.inf)}

    frame = sweep(model, {"a": [0.0, 2.0], "b": [1.0, 3.0, 5.0]}, grid=True, constants={"c": 7})
    data = frame.to_dict()
    json.dumps(data, allow_nan=False)
    assert json.loads(frame.to_json()) == data
    assert json.loads(frame.to_json(indent=2)) == data
    assert data["inputs"] == ["a", "b"]
    assert data["outputs"] == ["cost_usd"]
    assert data["grid_shape"] == [2, 3]
    assert data["constants"] == {"c": 7.0}
    assert data["units"]["cost_usd"] == "USD/month"
    assert [r["cost_usd"] for r in data["rows"]] == [None, None, None, 2.0, 6.0, 10.0]
    assert [r["b"] for r in data["rows"]] == [1.0, 3.0, 5.0] * 2
    assert frame.to_dict("list")["cost_usd"][3:] == [2.0, 6.0, 10.0]
    assert json.loads(frame.to_json(orient="records"))[0] == {"a": 0.0, "b": 1.0, "cost_usd": None}
    aligned = sweep(model, {"a": [1.0], "b": [2.0]}).to_dict()
    assert aligned["grid_shape"] is None
    assert aligned["rows"] == [{"a": 1.0, "b": 2.0, "cost_usd": 2.0}]
