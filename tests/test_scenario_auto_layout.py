"""``layout = "auto"``: the cheapest GPU and replica layout, never costlier than a fixed one."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from llmcost import compare, parse_scenario
from llmcost._core.errors import StaleCatalogWarning
from llmcost.catalog import load_catalog
from llmcost.scenario.auto_layout import auto_candidates
from llmcost.scenario.config import SelfHostedOption

pytestmark = pytest.mark.filterwarnings("ignore", category=StaleCatalogWarning)

AUTO = {
    "name": "auto-70b",
    "kind": "self_hosted",
    "model": "llama-3.3-70b",
    "gpu": ["h100-sxm", "h200"],
    "layout": "auto",
    "precision": "fp8",
    "engine": "vllm",
    "tpot_slo_s": 0.05,
    "ttft_slo_s": 2.0,
}


def _scenario(requests_per_month: float, options: list[dict]) -> dict:
    return {
        "name": "auto",
        "as_of": "2026-06-01",
        "workload": {
            "requests_per_month": requests_per_month,
            "input_tokens_per_request": 2000,
            "output_tokens_per_request": 350,
            "peak_to_average": 2.5,
        },
        "options": options,
    }


@pytest.mark.parametrize("requests_per_month", [300_000, 30_000_000])
def test_auto_is_never_costlier_than_any_fixed_candidate(requests_per_month) -> None:
    # Each candidate layout as its own fixed option in the same comparison, resolved and
    # priced independently of the auto option.
    candidates = auto_candidates(SelfHostedOption.model_validate(AUTO), load_catalog())
    assert len({(c.gpu, c.gpus_per_replica, c.tp, c.pp, c.ep) for c in candidates}) == len(
        candidates
    )
    assert {c.gpu for c in candidates} == {"h100-sxm", "h200"}
    fixed = [
        c.model_dump(exclude_none=True) | {"name": f"fixed-{i}", "gpu": c.gpu}
        for i, c in enumerate(candidates)
    ]
    result = compare(parse_scenario(_scenario(requests_per_month, [AUTO, *fixed])))
    auto = result.option("auto-70b")
    assert auto.feasible
    others = [result.option(f"fixed-{i}") for i in range(len(fixed))]
    feasible = [o.monthly_cost_usd for o in others if o.feasible]
    assert feasible
    assert auto.monthly_cost_usd <= min(feasible) + 1e-6
    assert auto.monthly_cost_usd == pytest.approx(min(feasible))
    choice = auto.details["layout_choice"]
    assert auto.details["gpu"] == choice["gpu"]
    assert choice["monthly_cost_usd"] == pytest.approx(auto.monthly_cost_usd)
    runner = auto.details["layout_runner_up"]
    assert runner["monthly_cost_usd"] >= auto.monthly_cost_usd
    assert runner["extra_usd_per_month"] == pytest.approx(
        runner["monthly_cost_usd"] - auto.monthly_cost_usd
    )
    note = next(w for w in auto.warnings if w.startswith("layout auto: chose"))
    assert f"{choice['gpus_per_replica']} × {choice['gpu']}" in note
    assert "runner-up" in note


def test_auto_layout_fields_are_validated() -> None:
    with pytest.raises(ValidationError, match="layout = 'auto' chooses gpus_per_replica"):
        SelfHostedOption.model_validate(AUTO | {"gpus_per_replica": 2})
    with pytest.raises(ValidationError, match="chooses tp, pp"):
        SelfHostedOption.model_validate(AUTO | {"tp": 2, "pp": 2})
    fixed = AUTO | {"layout": "fixed", "gpu": "h100-sxm"}
    with pytest.raises(ValidationError, match="gpus_per_replica is required"):
        SelfHostedOption.model_validate(fixed)
    with pytest.raises(ValidationError, match="needs layout = 'auto'"):
        SelfHostedOption.model_validate(
            fixed | {"gpu": ["h100-sxm", "h200"], "gpus_per_replica": 1}
        )
    with pytest.raises(ValidationError, match="non-empty list"):
        SelfHostedOption.model_validate(AUTO | {"gpu": []})
    assert SelfHostedOption.model_validate(AUTO).gpu_choices == ("h100-sxm", "h200")


def test_auto_with_a_gpu_the_catalog_cannot_price_uses_the_others() -> None:
    # rent terms need a rental offer; a GPU without one is skipped, not fatal
    cat = load_catalog()
    unpriced = [g.id for g in cat.gpus if not cat.gpu_offers_for(g.id)]
    if not unpriced:
        pytest.skip("every catalog GPU has a rental offer")
    option = AUTO | {"gpu": ["h100-sxm", unpriced[0]]}
    result = compare(parse_scenario(_scenario(1_000_000, [option])))
    assert result.option("auto-70b").details["layout_choice"]["gpu"] == "h100-sxm"
