"""The analysis layer sees an infeasible option as NaN, as compare() does.

compare() never calls an infeasible option the cheapest (a replica cap too small for the peak,
latency targets out of reach, a prompt over the context limit). ScenarioModel's cost, which
break-even, Monte Carlo, tornado and the report's curve read, must say the same: NaN where
``feasible`` is False, not the cost of a fleet that serves only part of the demand.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from llmcost.analysis import ParameterSpace, breakeven_pairs, monte_carlo
from llmcost.catalog import load_catalog
from llmcost.scenario import compare, parse_scenario, scenario_model

CATALOG = load_catalog()
AS_OF = "2025-06-01"
#: One replica serves 1 request/s = 2,628,000 requests a month (730 h × 3600 s); at most 2.
CAP_REQUESTS_PER_MONTH = 2 * 2_628_000


def _scenario(requests_per_month: float, **hosted: Any) -> Any:
    return parse_scenario(
        {
            "name": "feasibility",
            "as_of": AS_OF,
            "workload": {
                "requests_per_month": requests_per_month,
                "input_tokens_per_request": 1000,
                "output_tokens_per_request": 0,
            },
            "options": [
                # $1 per 1M input tokens: 1000 tokens a request → $1 per 1000 requests
                {
                    "name": "api",
                    "kind": "api",
                    "offer": "openai/gpt-4o-mini",
                    "input_usd_per_mtok": 1.0,
                    "output_usd_per_mtok": 1.0,
                },
                {
                    "name": "hosted",
                    "kind": "self_hosted",
                    "model": "llama-3.1-8b",
                    "gpu": "h100-sxm",
                    "gpus_per_replica": 1,
                    "requests_per_s_per_replica": 1.0,
                    "target_utilization": 1.0,
                    "gpu_usd_per_hour": 2.0,  # $1,460 per replica-month (730 h)
                    "engineering_fte": 0.0,
                    "max_replicas": 2,
                }
                | hosted,
            ],
        }
    )


def test_model_cost_is_nan_where_the_replica_cap_is_too_small() -> None:
    model = scenario_model(_scenario(1e6), catalog=CATALOG)
    volumes = np.array([1e6, 5e6, 6e6])  # 1 replica, 2 replicas, 3 needed > max_replicas 2
    cost = model({"requests_per_month": volumes})["hosted"]
    # 1460 × replicas (1, 2), then infeasible
    np.testing.assert_allclose(cost[:2], [1460.0, 2920.0])
    assert np.isnan(cost[2])
    full = model.evaluate({"requests_per_month": volumes})["hosted"]
    assert full["feasible"].tolist() == [True, True, False]
    assert full["monthly_cost_usd"][2] == pytest.approx(2920.0)  # what the capped fleet costs


def test_breakeven_above_the_cap_goes_to_the_api() -> None:
    # API $1/1000 requests vs $1,460 per replica of 2,628,000 requests: self-hosting wins from
    # 1,460,000 to 2,628,000, loses to 2,920,000 (second replica), wins to the cap 5,256,000,
    # where it becomes infeasible and the API wins for good.
    model = scenario_model(_scenario(1e6), catalog=CATALOG)
    (pair,) = breakeven_pairs(model, "requests_per_month", 1e6, 1e8, options=["api", "hosted"])
    np.testing.assert_allclose(
        pair.crossings, [1.46e6, 2.628e6, 2.92e6, CAP_REQUESTS_PER_MONTH], rtol=1e-6
    )
    assert pair.cheaper_above == ("hosted", "api", "hosted", "api")
    assert pair.sustained_winner == "api"


def test_monte_carlo_never_picks_an_infeasible_option() -> None:
    # All draws above the cap: self-hosting costs less (2 × $1,460) but cannot serve them.
    model = scenario_model(_scenario(8e6), catalog=CATALOG)
    space = ParameterSpace.from_dict(
        {"requests_per_month": {"dist": "uniform", "low": 6e6, "high": 9e6}}
    )
    mc = monte_carlo(model, space, 200, seed=1, options=["api", "hosted"])
    assert mc.probability_cheapest["hosted"] == 0.0
    assert mc.probability_cheapest["api"] == 1.0
    assert mc.summary["hosted"]["undefined_fraction"] == 1.0


def test_model_agrees_with_compare_on_the_context_limit() -> None:
    # llama-3.1-8b's trained context is 131,072 tokens: a 200,000-token prompt never fits.
    scenario = parse_scenario(
        _scenario(1e6).model_dump()
        | {
            "workload": {
                "requests_per_month": 1e6,
                "input_tokens_per_request": 200_000,
                "output_tokens_per_request": 0,
            }
        }
    )
    result = compare(scenario, catalog=CATALOG)
    assert not result.option("hosted").feasible
    model = result.model
    assert np.isnan(model()["hosted"])
    assert np.all(np.isnan(model({"requests_per_month": [1e3, 1e5]})["hosted"]))


def test_sensitivity_cli_lists_the_infeasible_share(tmp_path: Any, capsys: Any) -> None:
    from llmcost.cli import main

    path = tmp_path / "cap.toml"
    path.write_text(
        f"""
name = "cap"
as_of = {AS_OF}
[workload]
requests_per_month = 8_000_000
input_tokens_per_request = 1000
output_tokens_per_request = 0
[[options]]
name = "api"
kind = "api"
offer = "openai/gpt-4o-mini"
input_usd_per_mtok = 1.0
output_usd_per_mtok = 1.0
[[options]]
name = "hosted"
kind = "self_hosted"
model = "llama-3.1-8b"
gpu = "h100-sxm"
gpus_per_replica = 1
requests_per_s_per_replica = 1.0
target_utilization = 1.0
gpu_usd_per_hour = 2.0
engineering_fte = 0.0
max_replicas = 2
[uncertainty.requests_per_month]
distribution = "uniform"
low = 6_000_000
high = 9_000_000
"""
    )
    assert main(["sensitivity", str(path), "--monte-carlo", "100", "--output", "api"]) == 0
    rows = {line.split()[0]: line.split() for line in capsys.readouterr().out.splitlines()[-2:]}
    assert rows["hosted"][-2:] == ["0.0%", "100.0%"]  # never cheapest, infeasible in every draw
    assert rows["api"][-2:] == ["100.0%", "0.0%"]


def test_compare_text_says_n_a_for_an_option_that_does_not_fit(tmp_path: Any, capsys: Any) -> None:
    from llmcost.cli import main

    path = tmp_path / "unfit.toml"
    path.write_text(
        f"""
name = "unfit"
as_of = {AS_OF}
[workload]
requests_per_month = 0
input_tokens_per_request = 1000
output_tokens_per_request = 200
[[options]]
name = "api"
kind = "api"
offer = "openai/gpt-4o"
[[options]]
name = "big"
kind = "self_hosted"
model = "llama-3.1-405b"
gpu = "h100-sxm"
gpus_per_replica = 1
precision = "fp8"
gpu_usd_per_hour = 2.0
"""
    )
    assert main(["compare", str(path)]) == 0
    out = capsys.readouterr().out
    assert "nan" not in out.lower().replace("n/a", "")
    big = next(line for line in out.splitlines() if line.split()[:1] == ["big"])
    assert big.split()[2:4] == ["n/a", "n/a"]  # USD/month, GPUs: 405B FP8 (405 GB) > 80 GB
    assert "  big: gpu n/a" in out
    assert "  api: 0" in out  # zero volume: a zero bill, not "n/a"


@pytest.mark.parametrize("kind", ["hist", "cdf"])
def test_monte_carlo_figure_with_an_option_infeasible_in_every_draw(kind: str) -> None:
    import warnings

    from llmcost.export import plots

    model = scenario_model(_scenario(8e6), catalog=CATALOG)
    space = ParameterSpace.from_dict(
        {"requests_per_month": {"dist": "uniform", "low": 6e6, "high": 9e6}}
    )
    mc = monte_carlo(model, space, 100, seed=1, options=["api", "hosted"])
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # was: invalid value in divide
        fig = plots.monte_carlo_figure(mc, kind=kind)
    labels = fig.axes[0].get_legend_handles_labels()[1]
    assert labels == ["api", "hosted (infeasible in every draw)"]
