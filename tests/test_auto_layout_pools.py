"""``layout = "auto"`` with speculative decoding and with disaggregated prefill/decode pools.

The rule of tests/test_scenario_auto_layout.py holds for both: the auto option never costs
more than any of its candidates fixed and priced on its own in the same comparison.
"""

from __future__ import annotations

from typing import Any

import pytest

from llmcost import LlmcostError, compare, parse_scenario
from llmcost._core.errors import StaleCatalogWarning
from llmcost.catalog import load_catalog
from llmcost.scenario.auto_layout import auto_candidates
from llmcost.scenario.config import SelfHostedOption

pytestmark = pytest.mark.filterwarnings("ignore", category=StaleCatalogWarning)

AUTO: dict[str, Any] = {
    "name": "auto",
    "kind": "self_hosted",
    "model": "llama-3.1-8b",
    "gpu": "h100-sxm",
    "layout": "auto",
    "precision": "fp8",
    "engine": "vllm",
    "tpot_slo_s": 0.05,
    "ttft_slo_s": 2.0,
}
SPECULATIVE = {"method": "ngram", "num_draft_tokens": 3, "acceptance_rate": 0.6}


def _scenario(options: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "name": "auto-pools",
        "as_of": "2026-06-01",
        "workload": {
            "requests_per_month": 20_000_000,
            "input_tokens_per_request": 2000,
            "output_tokens_per_request": 350,
            "peak_to_average": 2.5,
        },
        "options": options,
    }


def _auto_against_fixed(option: dict[str, Any]) -> tuple[Any, list[Any], list[Any]]:
    candidates = auto_candidates(SelfHostedOption.model_validate(option), load_catalog())
    fixed = [
        c.model_dump(exclude_none=True) | {"name": f"fixed-{i}", "gpu": c.gpu}
        for i, c in enumerate(candidates)
    ]
    result = compare(parse_scenario(_scenario([option, *fixed])))
    others = [result.option(f"fixed-{i}") for i in range(len(fixed))]
    return result.option("auto"), candidates, others


def test_auto_with_speculative_is_the_cheapest_candidate_each_running_it() -> None:
    auto, candidates, others = _auto_against_fixed(AUTO | {"speculative": SPECULATIVE})
    assert all(c.speculative is not None for c in candidates)
    feasible = [o.monthly_cost_usd for o in others if o.feasible]
    assert feasible
    assert auto.feasible
    assert auto.monthly_cost_usd == pytest.approx(min(feasible))
    assert auto.details["layout_choice"]["gpus_per_replica"] is not None


def test_auto_disaggregated_searches_the_pool_sizes() -> None:
    option = AUTO | {"disaggregated": {}}
    auto, candidates, others = _auto_against_fixed(option)
    # Llama 3.1 8B: 32 heads, 8 KV heads: 1, 2, 4 and 8 GPUs all allowed, on an 8-GPU domain
    pairs = {(c.disaggregated.prefill_gpus, c.disaggregated.decode_gpus) for c in candidates}
    assert pairs == {(p, d) for p in (1, 2, 4, 8) for d in (1, 2, 4, 8)}
    feasible = [o.monthly_cost_usd for o in others if o.feasible]
    assert feasible
    assert auto.monthly_cost_usd == pytest.approx(min(feasible))
    choice = auto.details["layout_choice"]
    assert (choice["prefill_gpus"], choice["decode_gpus"]) in pairs
    note = next(w for w in auto.warnings if w.startswith("layout auto: chose"))
    assert f"{choice['prefill_gpus']} prefill + {choice['decode_gpus']} decode" in note


@pytest.mark.parametrize(
    ("option", "match"),
    [
        (AUTO | {"disaggregated": {"prefill_gpus": 2, "decode_gpus": 2}}, "chooses disaggregated"),
        (AUTO | {"layout": "fixed", "disaggregated": {}}, "needs prefill_gpus and decode_gpus"),
        (AUTO | {"disaggregated": {"prefill_gpus": 2}}, "prefill_gpus without the other"),
    ],
)
def test_pool_sizes_and_layout_must_agree(option: dict[str, Any], match: str) -> None:
    with pytest.raises(LlmcostError, match=match):
        parse_scenario(_scenario([option]))
