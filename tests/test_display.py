"""Results label themselves: one-line ``__repr__`` and a short ``_repr_html_`` (issue 22)."""

from __future__ import annotations

import numpy as np
import pytest

from llmcost._core.display import compact, money
from llmcost.analysis import ParameterSpace, breakeven, monte_carlo, tornado
from llmcost.analysis.breakeven_draws import breakeven_per_draw
from llmcost.scenario import compare, parse_scenario, scenario_model

# The hand-checked staircase of tests/test_cli_breakeven.py: API $0.00675 per request vs
# $10,000 staff + $14,600 per replica of 3,153,600 requests/month; first crossing at
# 39,200 / 0.00675 = 5,807,407 requests/month, the last (sustained) at 68,400 / 0.00675.
STEPS = {
    "name": "steps",
    "workload": {
        "requests_per_month": 3_000_000,
        "input_tokens_per_request": 1500,
        "output_tokens_per_request": 300,
    },
    "options": [
        {"name": "api", "kind": "api", "offer": "openai/gpt-4o",
         "input_usd_per_mtok": 2.5, "output_usd_per_mtok": 10.0},
        {"name": "own", "kind": "self_hosted", "model": "llama-4-maverick", "gpu": "h100-sxm",
         "gpus_per_replica": 8, "precision": "fp8", "gpu_usd_per_hour": 2.5,
         "requests_per_s_per_replica": 1.5},
    ],
}  # fmt: skip
MAX_HTML_CHARS = 3_000


@pytest.fixture(scope="module")
def scenario():
    return parse_scenario(STEPS)


@pytest.fixture(scope="module")
def model(scenario):
    return scenario_model(scenario)


def _short(obj: object) -> tuple[str, str]:
    text, page = repr(obj), obj._repr_html_()  # type: ignore[attr-defined]
    assert "\n" not in text
    assert len(text) < 250, text
    assert " at 0x" not in text
    assert len(page) < MAX_HTML_CHARS
    assert page.startswith("<p><b>")
    return text, page


def test_compact_numbers_and_money():
    # the minus sign goes before the dollar: "−$40k", not "$-40k"
    assert money(-40_000.0) == "\u2212$40k"
    assert compact(5_807_407.4) == "5.81M"
    assert compact(float("nan"), never="never") == "never"
    assert money(float("nan")) == "n/a"


def test_comparison(scenario):
    result = compare(scenario)
    text, page = _short(result)
    # hand value: 3M × $0.00675 = $20,250 (the API is cheaper than 1 replica at $24,600)
    assert text.startswith("Comparison('steps', 2 options, cheapest='api' at $20.2k/month")
    assert "api" in page
    assert "api" in str(result).splitlines()[3]  # print() still shows the table


def test_breakeven(model):
    r = breakeven(model, "requests_per_month", 3e4, 3e8, option_a="api", option_b="own",
                  scale="log")  # fmt: skip
    text, page = _short(r)
    assert text == (
        "BreakevenResult(requests_per_month: api vs own, 5 crossings, first=5.81M, "
        "sustained=10.1M -> own)"
    )
    assert page.count("<tr>") == 1 + 5
    assert "step" in page
    never = breakeven(model, "requests_per_month", 3e4, 1e6, option_a="api", option_b="own")
    assert "0 crossings, first=never, sustained=never -> api" in repr(never)
    assert ": never" in never._repr_html_()


def test_tornado_montecarlo_and_draws(scenario, model):
    space = ParameterSpace.from_scenario(scenario)
    t = tornado(model, space, lambda o: o["own"] - o["api"], output_name="own - api")
    text, page = _short(t)
    assert text.startswith(f"TornadoResult(own - api, baseline={compact(t.baseline_output)}, ")
    # hand value: 1 replica $24,600 − API $20,250 = $4,350
    assert t.baseline_output == pytest.approx(4_350.0)
    assert "baseline=4.35k" in text
    assert page.count("<tr>") == 1 + min(len(t.rows), 10)

    mc = monte_carlo(model, space, 500, seed=1, options=["api", "own"])
    text, page = _short(mc)
    assert text.startswith(f"MonteCarloResult(n=500, seed=1, {len(space.names)} inputs, ")
    assert "most often cheapest:" in text
    assert "P(cheapest)" in page

    draws = space.sample(64, seed=2)
    bd = breakeven_per_draw(model, "requests_per_month", 3e4, 3e8, option_a="api",
                            option_b="own", draws=draws, scale="log")  # fmt: skip
    text, page = _short(bd)
    p50 = float(np.percentile(bd.first[np.isfinite(bd.first)], 50))
    assert f"64 draws, first P50={compact(p50)}" in text
    assert "never" in page


def test_parameter_space(scenario):
    space = ParameterSpace.from_scenario(scenario)
    text, page = _short(space)
    assert text.startswith(f"ParameterSpace({len(space.names)} inputs: {space.names[0]}")
    assert "scipy" not in text
    assert page.count("<tr>") == 1 + len(space.names)
    p = space.parameters[0]
    assert repr(p) == f"Parameter({p.name!r}, {p.description}, baseline={p.baseline:g})"
    assert " at 0x" not in repr(p)


def test_chart_money_ticks_use_a_real_minus() -> None:
    from matplotlib.ticker import FuncFormatter

    from llmcost.export.plots import _money

    fmt = FuncFormatter(_money)
    assert fmt(-40_000.0) == "\u2212$40k"  # not "$-40k"
    assert fmt(-18_693.2) == "\u2212$18.7k"
    assert fmt(2_500_000.0) == "$2.5M"
