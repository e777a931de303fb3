"""compare(): hand-computed bills and TCO end to end, features, horizon, the vectorized model."""

from __future__ import annotations

import json
import time
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from llmcost._core.errors import InvalidInputError, StaleCatalogWarning
from llmcost.catalog import load_catalog
from llmcost.cost.horizon import npv_usd
from llmcost.scenario import Comparison, compare, parse_scenario, scenario_model

CATALOG = load_catalog()
AS_OF = "2025-01-01"  # GPT-4o at $2.50 / $1.25 cached / $10 (catalog row of 2024-10-01)


def _scenario(workload: dict[str, Any], *options: dict[str, Any]) -> Any:
    return parse_scenario({"name": "test", "workload": workload, "options": list(options)})


def _rented(name: str = "llama", **kw: Any) -> dict[str, Any]:
    base = {
        "name": name,
        "kind": "self_hosted",
        "model": "llama-3.3-70b",
        "gpu": "h100-sxm",
        "gpus_per_replica": 8,
        "precision": "fp8",
        "gpu_usd_per_hour": 2.5,
        "requests_per_s_per_replica": 5.0,
        "engineering_fte": 0.5,
        "fte_usd_per_year": 240_000,
        "fixed_usd_per_month": 0,
    }
    return base | kw


CHAT = {
    "requests_per_month": 3_000_000,
    "input_tokens_per_request": 1500,
    "output_tokens_per_request": 300,
}


def _run(scenario: Any) -> Comparison:
    return compare(scenario, as_of=AS_OF, catalog=CATALOG)


def test_issue_hand_checks() -> None:
    # API: 4.5e9 × 2.50/1e6 + 9e8 × 10/1e6 = 11,250 + 9,000 = 20,250.
    # Self-hosted: 8 × 2.5 × 730 + 0.5 × 240,000 / 12 = 14,600 + 10,000 = 24,600 (issue 4).
    result = _run(
        _scenario(
            CHAT,
            {"name": "gpt-4o", "kind": "api", "offer": "openai/gpt-4o"},
            _rented(min_replicas=1, max_replicas=1),
        )
    )
    api, own = result.option("gpt-4o"), result.option("llama")
    assert api.monthly_cost_usd == pytest.approx(20_250.00, abs=0.005)
    assert own.monthly_cost_usd == pytest.approx(24_600.00, abs=0.005)
    assert own.components["gpu_on_demand_usd"] == pytest.approx(14_600.0)
    assert own.components["staff_usd"] == pytest.approx(10_000.0)
    assert result.cheapest == "gpt-4o"
    # 5.4e9 tokens: 24,600 / 5,400 = 4.5556 $/1M
    assert own.usd_per_mtok == pytest.approx(24_600 / 5_400)
    assert own.gpus == 8
    # half the input cached at $1.25: 5,625 + 2,812.50 + 9,000 = 17,437.50
    cached = _run(
        _scenario(
            CHAT | {"cached_input_fraction": 0.5},
            {"name": "gpt-4o", "kind": "api", "offer": "openai/gpt-4o"},
        )
    )
    assert cached.option("gpt-4o").monthly_cost_usd == pytest.approx(17_437.50, abs=0.005)


def test_price_in_force_on_date() -> None:
    # Before the 2024-08-06 cut GPT-4o was $5 / $15: 4.5e9 × 5/1e6 + 9e8 × 15/1e6 = 36,000.
    s = _scenario(CHAT, {"name": "gpt-4o", "kind": "api", "offer": "openai/gpt-4o"})
    assert compare(s, as_of="2024-06-01", catalog=CATALOG).options[0].monthly_cost_usd == (
        pytest.approx(36_000.0)
    )
    with pytest.raises(InvalidInputError, match="as_of"):
        compare(s, as_of="2020-01-01", catalog=CATALOG)


def test_feature_mix_and_batch() -> None:
    # gpt-4o-mini $0.15 / $0.60, batch 50 % off (catalog).
    # chat: 2e6 × 1,000 = 2e9 × 0.15/1e6 = 300; 2e6 × 250 = 5e8 × 0.60/1e6 = 300 → 600
    # summaries (all batch): 1e5 × 8,000 = 8e8 × 0.15/1e6 = 120; 5e7 × 0.60/1e6 = 30 → 150 × 0.5
    #   = 75 → total 675
    workload = {
        "features": [
            {
                "name": "chat",
                "requests_per_month": 2_000_000,
                "input_tokens_per_request": 1000,
                "output_tokens_per_request": 250,
            },
            {
                "name": "summaries",
                "requests_per_month": 100_000,
                "input_tokens_per_request": 8000,
                "output_tokens_per_request": 500,
                "batch_eligible_fraction": 1.0,
            },
        ]
    }
    result = _run(
        _scenario(
            workload,
            {"name": "mini", "kind": "api", "offer": "openai/gpt-4o-mini"},
            {
                "name": "mini-no-batch",
                "kind": "api",
                "offer": "openai/gpt-4o-mini",
                "use_batch_api": False,
            },
            _rented(min_replicas=1, max_replicas=1),
        )
    )
    mini = result.option("mini")
    assert mini.features == pytest.approx({"chat": 600.0, "summaries": 75.0})
    assert mini.monthly_cost_usd == pytest.approx(675.0)
    assert result.option("mini-no-batch").monthly_cost_usd == pytest.approx(750.0)
    own = result.option("llama")
    # measured capacity: every request takes the same replica time → split by requests
    assert own.features["chat"] == pytest.approx(own.monthly_cost_usd * 2.0 / 2.1)
    assert sum(own.features.values()) == pytest.approx(own.monthly_cost_usd)


def test_long_context_tier_per_feature() -> None:
    # Gemini 2.5 Pro (catalog, 2026-11-23): ≤200k prompt $1.25 / $10; >200k $2.50 / $15.
    # short: 1e5 × 1,000 = 1e8 × 1.25/1e6 = 125; 1e5 × 200 = 2e7 × 10/1e6 = 200 → 325
    # long: 1,000 × 250,000 = 2.5e8 × 2.50/1e6 = 625; 1e6 out × 15/1e6 = 15 → 640
    workload = {
        "features": [
            {
                "name": "short",
                "requests_per_month": 100_000,
                "input_tokens_per_request": 1000,
                "output_tokens_per_request": 200,
            },
            {
                "name": "long",
                "requests_per_month": 1000,
                "input_tokens_per_request": 250_000,
                "output_tokens_per_request": 1000,
            },
        ]
    }
    s = _scenario(workload, {"name": "gemini", "kind": "api", "offer": "google/gemini-2.5-pro"})
    o = compare(s, as_of="2026-11-23", catalog=CATALOG).options[0]
    assert o.features == pytest.approx({"short": 325.0, "long": 640.0})
    assert "long-context tier prices apply to: long" in o.warnings


#: 8 H100s bought at $30,000 each, every facility input given (hand checks below).
OWNED_BY_HAND = {
    "name": "owned",
    "kind": "self_hosted",
    "model": "llama-3.3-70b",
    "gpu": "h100-sxm",
    "gpus_per_replica": 8,
    "precision": "fp8",
    "pricing": "owned",
    "requests_per_s_per_replica": 5.0,
    "min_replicas": 1,
    "max_replicas": 1,
    "purchase_usd_per_gpu": 30_000,
    "life_years": 5,
    "residual_fraction": 0,
    "cost_of_capital_per_year": 0,
    "power_kw_per_gpu": 1.0,
    "power_draw_fraction": 0.5,
    "pue": 1.5,
    "usd_per_kwh": 0.10,
    "colocation_usd_per_kw_month": 200,
    "maintenance_fraction_per_year": 0.06,
    "engineering_fte": 0,
    "fixed_usd_per_month": 500,
}


def test_owned_hand_check() -> None:
    # 8 GPUs × $30,000 over 5 years, no interest, no residual: 240,000 / 60 = 4,000
    # power 8 × 1.0 kW × 0.5 × 1.5 × $0.10 × 730 = 438; colocation 8 × 1.0 × 200 = 1,600
    # maintenance 240,000 × 0.06 / 12 = 1,200; fixed 500; no staff → 7,738
    owned = OWNED_BY_HAND
    result = _run(_scenario(CHAT, owned))
    o = result.options[0]
    assert o.components["capital_usd"] == pytest.approx(4_000.0)
    assert o.components["power_usd"] == pytest.approx(438.0)
    assert o.components["colocation_usd"] == pytest.approx(1_600.0)
    assert o.components["maintenance_usd"] == pytest.approx(1_200.0)
    assert o.monthly_cost_usd == pytest.approx(7_738.0)
    # every default used is reported, and only those: the draw fraction was given
    used = {a["name"] for a in result.assumptions if a["option"] == "owned"}
    assert "target_utilization" in used
    assert "idle_power_fraction" not in used
    assert "pue" not in used


def test_owned_payback_vs_renting() -> None:
    # Buying 8 GPUs × $30,000 = 240,000 at month 0; then 7,738 − 4,000 capital = 3,738/month.
    # Renting them: 8 × 2.5 × 730 + 500 fixed = 15,100/month → saves 11,362/month:
    # 240,000 / 11,362 = 21.1 → pays back in month 22.
    owned = OWNED_BY_HAND
    rented = _rented(
        "rented", min_replicas=1, max_replicas=1, engineering_fte=0, fixed_usd_per_month=500
    )
    result = _run(_scenario(CHAT | {"horizon_months": 24}, owned, rented))
    assert result.option("rented").monthly_cost_usd == pytest.approx(15_100.0)
    assert result.option("owned").payback_month_vs == {"rented": 22.0}
    short = _run(_scenario(CHAT | {"horizon_months": 12}, owned, rented))
    assert short.option("owned").payback_month_vs == {"rented": None}


def test_stale_prices_are_flagged() -> None:
    s = _scenario(CHAT, {"name": "gpt-4o", "kind": "api", "offer": "openai/gpt-4o"})
    with pytest.warns(StaleCatalogWarning):
        late = compare(s, as_of="2031-01-01", catalog=CATALOG)
    assert any(w.startswith("stale price: api_prices") for w in late.options[0].warnings)
    assert all(r["stale"] for r in late.to_dict()["catalog_rows"])


def test_reserved_base_and_on_demand_peak() -> None:
    # demand 2 req/s on average: 1 req/s for 12 hours, 3 req/s for 12 hours; 1 req/s per
    # replica at 100 % → 1 replica off-peak, 3 at peak. Reserved: the base replica,
    # 8 × 730 × $2 = 11,680; on demand: 2 extra replicas half the day, 1 × 8 × 730 × $4 = 23,360
    workload = CHAT | {
        "requests_per_month": 2 * 2_628_000,
        "hourly_profile": [1.0] * 12 + [3.0] * 12,
    }
    reserved = _rented(
        pricing="reserved_1y",
        gpu_usd_per_hour=2.0,
        on_demand_usd_per_gpu_hour=4.0,
        requests_per_s_per_replica=1.0,
        target_utilization=1.0,
        engineering_fte=0,
    )
    o = _run(_scenario(workload, reserved)).options[0]
    assert o.components["gpu_reserved_usd"] == pytest.approx(11_680.0)
    assert o.components["gpu_on_demand_usd"] == pytest.approx(23_360.0)
    assert o.replicas == 3
    assert o.replicas_avg == 2
    assert o.utilization == pytest.approx(1.0)


def test_infeasible_options_are_flagged_not_cheapest() -> None:
    result = _run(
        _scenario(
            CHAT,
            _rented("capped", max_replicas=1, requests_per_s_per_replica=0.5),
            {
                "name": "too-big",
                "kind": "self_hosted",
                "model": "llama-3.1-405b",
                "gpu": "l4",
                "gpus_per_replica": 1,
                "precision": "fp8",
                "gpu_usd_per_hour": 0.5,
            },
            {"name": "mini", "kind": "api", "offer": "openai/gpt-4o-mini"},
        )
    )
    capped, big = result.option("capped"), result.option("too-big")
    assert not capped.feasible
    assert "max_replicas too small" in capped.warnings[0]
    assert not big.feasible
    assert np.isnan(big.monthly_cost_usd)
    assert "does not fit" in big.warnings[0]
    assert result.cheapest == "mini"
    payload = json.dumps(result.to_dict(), allow_nan=False)  # NaN → null, never "NaN"
    assert '"monthly_cost_usd": null' in payload


def test_slo_rate_limit_spot_and_token_volume() -> None:
    huge = CHAT | {"requests_per_month": 300_000_000, "peak_to_average": 3.0}
    result = _run(
        _scenario(
            huge,
            {"name": "gpt-4o", "kind": "api", "offer": "openai/gpt-4o"},
            _rented(
                "strict", requests_per_s_per_replica=None, gpus_per_replica=2, tpot_slo_s=0.001
            ),
            _rented(
                "spot",
                pricing="spot",
                gpu_usd_per_hour=1.0,
                spot_interruption_overhead_fraction=0.2,
            ),
        )
    )
    # 3e8 × 1,800 tokens / 43,800 min × 3 = 37.0M tokens/min > 30M TPM (tier 5 in the catalog)
    assert any("exceeds the offer's limits" in w for w in result.option("gpt-4o").warnings)
    strict = result.option("strict")
    assert not strict.feasible
    assert "latency targets not met" in strict.warnings[0]
    spot = result.option("spot").components
    assert spot["spot_interruption_usd"] == pytest.approx(0.2 * spot["gpu_spot_usd"])
    # tokens_per_month sets requests through the average request (1,800 tokens)
    model = result.model
    by_tokens = model({"tokens_per_month": 1.8e9})
    by_requests = model({"requests_per_month": 1e6})
    assert by_tokens == pytest.approx(by_requests, nan_ok=True)
    assert np.isnan(by_tokens["strict"])  # infeasible: NaN for the analyses, as in compare()
    with pytest.raises(InvalidInputError, match="not both"):
        model({"tokens_per_month": 1.8e9, "requests_per_month": 1e6})


def test_horizon_growth_and_npv() -> None:
    workload = CHAT | {"growth_per_month": 0.1, "horizon_months": 3, "discount_rate_per_year": 0.12}
    o = _run(_scenario(workload, {"name": "gpt-4o", "kind": "api", "offer": "openai/gpt-4o"}))
    first = o.options[0]
    assert first.horizon_monthly_usd == pytest.approx([20_250.0, 22_275.0, 24_502.5])
    assert first.horizon_cumulative_usd[-1] == pytest.approx(67_027.5)
    assert first.npv_usd == pytest.approx(npv_usd(first.horizon_monthly_usd, 0.12))
    assert [str(p) for p in o.horizon_frame().index] == ["2025-02", "2025-03", "2025-04"]
    assert list(o.horizon_frame()["cost_usd"]) == pytest.approx([20_250.0, 22_275.0, 24_502.5])


def test_result_views() -> None:
    result = _run(
        _scenario(CHAT, {"name": "gpt-4o", "kind": "api", "offer": "openai/gpt-4o"}, _rented())
    )
    data = result.to_dict()
    assert data["catalog_version"] == CATALOG.catalog_version
    assert data["as_of"] == AS_OF
    for opt in data["options"]:
        assert sum(opt["components"].values()) == pytest.approx(opt["monthly_cost_usd"])
    assert data["cheapest"] == min(data["options"], key=lambda o: o["monthly_cost_usd"])["name"]
    assert any(r["entity"] == "api_prices" for r in data["catalog_rows"])
    assert all({"name", "value", "unit", "source"} <= set(a) for a in data["assumptions"])
    frame = result.to_frame()
    assert frame.loc["gpt-4o", "output_usd"] == pytest.approx(9_000.0)
    assert "*  gpt-4o" in str(result) or "*  llama" in str(result)
    assert "\n" not in repr(result)
    assert f"cheapest={result.cheapest!r}" in repr(result)
    assert "<table>" in result._repr_html_()


# --- the vectorized model ---------------------------------------------------------------------


#: An owned option on the catalog's power, facility and life defaults.
_OWNED_KEYS = ("name", "kind", "model", "gpu", "gpus_per_replica", "precision", "pricing")
_OWNED_KEYS += ("requests_per_s_per_replica", "purchase_usd_per_gpu")
OWNED_ON_DEFAULTS = {k: OWNED_BY_HAND[k] for k in _OWNED_KEYS}

FOUR = _scenario(
    CHAT | {"peak_to_average": 2.5, "cached_input_fraction": 0.3},
    {"name": "gpt-4o", "kind": "api", "offer": "openai/gpt-4o"},
    {"name": "mini", "kind": "api", "offer": "openai/gpt-4o-mini"},
    _rented(),
    OWNED_ON_DEFAULTS,
)
MODEL = scenario_model(FOUR, as_of=AS_OF, catalog=CATALOG)


def test_vectorized_equals_scalar_loop() -> None:
    rng = np.random.default_rng(7)
    volumes = rng.uniform(0, 5e7, 25)
    prices = rng.uniform(1, 5, 25)
    vector = MODEL({"requests_per_month": volumes, "gpu_usd_per_hour": prices})
    for i in range(volumes.size):
        one = MODEL({"requests_per_month": volumes[i], "gpu_usd_per_hour": prices[i]})
        for name in MODEL.option_names:
            assert vector[name][i] == pytest.approx(one[name])


def test_grid_evaluation_keeps_shape() -> None:
    volumes = np.geomspace(1e5, 1e8, 5)[:, np.newaxis]
    prices = np.array([1.0, 2.0, 3.0])[np.newaxis, :]
    out = MODEL.evaluate({"requests_per_month": volumes, "gpu_usd_per_hour": prices})
    cost = out["llama"]["monthly_cost_usd"]
    assert cost.shape == (5, 3)
    assert np.all(np.diff(cost, axis=1) > 0)  # dearer GPUs cost more at every volume
    assert np.all(
        out["gpt-4o"]["monthly_cost_usd"][:, 0] == out["gpt-4o"]["monthly_cost_usd"][:, 2]
    )
    zero = MODEL.evaluate(requests_per_month=0.0)
    assert zero["gpt-4o"]["monthly_cost_usd"] == 0.0
    assert zero["llama"]["monthly_cost_usd"] > 0  # the always-on replica and the staff
    assert np.isnan(zero["llama"]["usd_per_mtok"])  # no tokens: no price per token


def test_unknown_variable_suggests() -> None:
    with pytest.raises(InvalidInputError, match="did you mean 'gpu_usd_per_hour'"):
        MODEL({"gpu_usd_per_hr": 2.0})
    with pytest.raises(InvalidInputError, match=r"unknown input 'gpt-4o\.gpu_usd_per_hour'"):
        MODEL({"gpt-4o.gpu_usd_per_hour": 2.0})
    assert "owned.life_years" in MODEL.variables
    assert MODEL.baseline()["llama.gpu_usd_per_hour"] == 2.5


def test_option_specific_override() -> None:
    base = MODEL()
    out = MODEL({"llama.gpu_usd_per_hour": 5.0})
    assert out["gpt-4o"] == pytest.approx(base["gpt-4o"])
    assert out["llama"] > base["llama"]


@settings(max_examples=40, deadline=None)
@given(
    volume=st.floats(0.0, 1e8),
    extra=st.floats(0.0, 1e8),
    cached=st.floats(0.0, 0.95),
    peak=st.floats(1.0, 10.0),
)
def test_model_properties(volume: float, extra: float, cached: float, peak: float) -> None:
    common = {"cached_input_fraction": cached, "peak_to_average": peak}
    lo = MODEL.evaluate(common | {"requests_per_month": volume})
    hi = MODEL({**common, "requests_per_month": volume + extra})
    for name, out in lo.items():
        parts = sum(v for k, v in out.items() if k.startswith("components."))
        assert parts == pytest.approx(out["monthly_cost_usd"], rel=1e-12)
        features = sum(v for k, v in out.items() if k.startswith("features."))
        assert features == pytest.approx(out["monthly_cost_usd"], rel=1e-9)
        assert hi[name] >= out["monthly_cost_usd"] * (1 - 1e-12)  # non-decreasing in volume
    doubled = MODEL(
        common
        | {
            "requests_per_month": volume,
            "api_price_multiplier": 2.0,
            "gpu_usd_per_hour": 5.0,
            "fte_usd_per_year": 480_000.0,
            "purchase_usd_per_gpu": 60_000.0,
            "usd_per_kwh": 2 * MODEL.baseline()["owned.usd_per_kwh"],
            "colocation_usd_per_kw_month": 2
            * MODEL.baseline()["owned.colocation_usd_per_kw_month"],
        }
    )
    for name in MODEL.option_names:  # doubling every price doubles every cost
        assert doubled[name] == pytest.approx(2 * lo[name]["monthly_cost_usd"], rel=1e-9)


def test_cache_hits_lower_api_bill_and_raise_self_hosted_capacity() -> None:
    s = _scenario(
        CHAT | {"input_tokens_per_request": 6000},
        {"name": "gpt-4o", "kind": "api", "offer": "openai/gpt-4o"},
        {
            "name": "llama",
            "kind": "self_hosted",
            "model": "llama-3.3-70b",
            "gpu": "h100-sxm",
            "gpus_per_replica": 2,
            "precision": "fp8",
            "gpu_usd_per_hour": 2.5,
        },
    )
    model = scenario_model(s, as_of=AS_OF, catalog=CATALOG)
    out = model.evaluate({"cached_input_fraction": np.array([0.0, 0.8])})
    api = out["gpt-4o"]["monthly_cost_usd"]
    cap = out["llama"]["capacity_requests_per_s_per_replica"]
    assert api[1] < api[0]
    assert cap[1] > cap[0] * 1.05


def test_evaluation_is_vectorized() -> None:
    # 200,000 scenarios × 4 options: ≈ 0.15 s on an idle 2-core machine (benchmarks/); a
    # Python loop per scenario would take minutes. The bound is loose for loaded CI runners.
    volumes = np.linspace(1e5, 1e8, 200_000)
    MODEL({"requests_per_month": volumes[:1000]})  # warm up
    start = time.perf_counter()
    out = MODEL({"requests_per_month": volumes})
    elapsed = time.perf_counter() - start
    assert all(v.shape == (200_000,) for v in out.values())
    assert elapsed < 5.0


def test_contenders_are_the_cheapest_of_each_kind() -> None:
    # FOUR at its own values: the cheapest API option against the cheapest self-hosted one,
    # whatever their rank overall (the self-host-or-pay decision).
    costs = MODEL({})
    api = min(("gpt-4o", "mini"), key=lambda n: float(costs[n]))
    own = min(("llama", "owned"), key=lambda n: float(costs[n]))
    assert MODEL.contenders() == (own, api)
    # One kind only: the runner-up against the cheapest.
    apis_only = scenario_model(
        _scenario(
            CHAT,
            {"name": "gpt-4o", "kind": "api", "offer": "openai/gpt-4o"},
            {"name": "mini", "kind": "api", "offer": "openai/gpt-4o-mini"},
        ),
        as_of=AS_OF,
        catalog=CATALOG,
    )
    assert apis_only.contenders() == ("gpt-4o", "mini")
    single = scenario_model(
        _scenario(CHAT, {"name": "mini", "kind": "api", "offer": "openai/gpt-4o-mini"}),
        as_of=AS_OF,
        catalog=CATALOG,
    )
    assert single.contenders() is None


def test_stale_facility_prices_are_flagged_but_not_facts() -> None:
    # An owned option on catalog facility defaults: $/kWh and colocation $/kW-month are prices
    # (checked for age), PUE and hardware life are facts (not checked).
    owned = OWNED_ON_DEFAULTS
    with pytest.warns(StaleCatalogWarning):
        late = compare(_scenario(CHAT, owned), as_of="2031-01-01", catalog=CATALOG)
    stale = {(r["entity"], r["id"]) for r in late.to_dict()["catalog_rows"] if r["stale"]}
    stale_facility = {i for e, i in stale if e == "facility"}
    assert {"usd_per_kwh", "colocation_usd_per_kw_month"} <= stale_facility
    assert not stale_facility & {"pue", "life_years"}
