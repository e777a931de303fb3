"""The cost figures people quote (llmcost.cost.quoted), each against a hand calculation."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from llmcost._core.errors import InvalidInputError
from llmcost.catalog import load_catalog
from llmcost.cost.quoted import at_capacity_gpu_usd, quoted_figures
from llmcost.scenario import compare, parse_scenario

CATALOG = load_catalog()


def _scenario(*options: dict[str, Any], **workload: Any) -> Any:
    wl = {
        "requests_per_month": 1_000_000,
        "input_tokens_per_request": 1500,
        "output_tokens_per_request": 500,
    } | workload
    return parse_scenario({"name": "quoted", "workload": wl, "options": list(options)})


API = {
    "name": "api",
    "kind": "api",
    "offer": "openai/gpt-4o",
    "input_usd_per_mtok": 2.5,
    "output_usd_per_mtok": 10.0,
}
RENTED = {
    "name": "llama",
    "kind": "self_hosted",
    "model": "llama-3.3-70b",
    "gpu": "h100-sxm",
    "gpus_per_replica": 2,
    "precision": "fp8",
    "gpu_usd_per_hour": 2.0,
    "requests_per_s_per_replica": 1.0,
    "engineering_fte": 0,
    "fixed_usd_per_month": 0,
    "min_replicas": 0,
    "target_utilization": 1.0,
    "autoscaling": True,
}


def test_quoted_figures_by_hand() -> None:
    # $1,000 a month, 300M input + 100M output tokens, 1M requests:
    # per 1M total 1000/400 = 2.5; per 1M output 1000/100 = 10; per 1M input 1000/300 = 3.333…;
    # per request 0.001; per 1k requests 1.0; prices 3 and 15 blended 3:1 = (9 + 15)/4 = 6.
    f = quoted_figures(
        1000.0,
        input_tokens_per_month=3e8,
        output_tokens_per_month=1e8,
        requests_per_month=1e6,
        input_usd_per_mtok=3.0,
        output_usd_per_mtok=15.0,
    )
    assert float(f["usd_per_mtok"]) == pytest.approx(2.5)
    assert float(f["usd_per_m_output_tokens"]) == pytest.approx(10.0)
    assert float(f["usd_per_m_input_tokens"]) == pytest.approx(1000 / 300)
    assert float(f["usd_per_request"]) == pytest.approx(0.001)
    assert float(f["usd_per_1k_requests"]) == pytest.approx(1.0)
    assert float(f["blended_usd_per_mtok"]) == pytest.approx(6.0)
    assert f["blend_input_tokens_per_output_token"] == 3.0
    # a 1:1 blend of the same prices: (3 + 15)/2 = 9
    one = quoted_figures(
        1.0,
        input_tokens_per_month=1,
        output_tokens_per_month=1,
        requests_per_month=1,
        input_usd_per_mtok=3.0,
        output_usd_per_mtok=15.0,
        blend_input_per_output=1.0,
    )
    assert float(one["blended_usd_per_mtok"]) == pytest.approx(9.0)


def test_zero_denominators_are_nan_not_inf_and_bad_blend_is_an_error() -> None:
    f = quoted_figures(
        5.0, input_tokens_per_month=0.0, output_tokens_per_month=0.0, requests_per_month=0.0
    )
    assert all(
        np.isnan(f[k]) for k in ("usd_per_mtok", "usd_per_m_output_tokens", "usd_per_request")
    )
    with pytest.raises(InvalidInputError, match="blend_input_per_output"):
        quoted_figures(
            1.0,
            input_tokens_per_month=1,
            output_tokens_per_month=1,
            requests_per_month=1,
            blend_input_per_output=-1,
        )


def test_at_capacity_by_hand() -> None:
    # 3.6M requests at 10 requests/s = 360,000 s = 100 replica-hours × 2 GPUs × $2.50 = $500
    assert at_capacity_gpu_usd(
        requests_per_month=3.6e6,
        capacity_requests_per_s_per_replica=10.0,
        gpus_per_replica=2,
        usd_per_gpu_hour=2.5,
    ) == pytest.approx((500.0, 100.0))


def test_api_option_figures_in_compare_by_hand() -> None:
    result = compare(_scenario(API), catalog=CATALOG, as_of="2025-01-01")
    o = result.option("api")
    # 1M × (1500 × 2.5 + 500 × 10) / 1e6 = 3,750 + 5,000 = $8,750 a month
    assert o.monthly_cost_usd == pytest.approx(8750.0)
    assert o.usd_per_m_output_tokens == pytest.approx(8750.0 / 500)  # 17.50 per 1M output
    assert o.usd_per_m_input_tokens == pytest.approx(8750.0 / 1500)
    assert o.blended_usd_per_mtok == pytest.approx((3 * 2.5 + 10.0) / 4)  # 4.375 blended 3:1
    assert o.usd_per_request == pytest.approx(0.00875)
    assert o.usd_per_1k_requests == pytest.approx(8.75)
    assert o.usd_per_mtok == pytest.approx(8750.0 / 2000)
    assert o.at_capacity_usd_per_m_output_tokens is None
    assert "3:1" in o.blend_basis


def test_self_hosted_figures_and_at_capacity_by_hand() -> None:
    # 1M requests/month = 0.3805 requests/s (730-h month) at 1 request/s per replica:
    # whole replicas: 1 replica all month = 730 h × 2 GPUs × $2 = $2,920;
    # at capacity: 1e6 s / 3600 = 277.78 replica-hours × 2 × $2 = $1,111.11.
    result = compare(_scenario(RENTED), catalog=CATALOG)
    o = result.option("llama")
    assert o.monthly_cost_usd == pytest.approx(2920.0)
    assert o.usd_per_m_output_tokens == pytest.approx(2920.0 / 500)  # $5.84 per 1M output
    assert o.usd_per_request == pytest.approx(0.00292)
    assert o.blended_usd_per_mtok == pytest.approx(o.usd_per_mtok)  # one cost for both
    assert "own input:output ratio" in o.blend_basis
    at_cap = 1e6 / 3600 * 2 * 2.0
    assert o.at_capacity_gpu_usd_per_month == pytest.approx(at_cap)
    assert o.at_capacity_replicas_avg == pytest.approx(1e6 / 3600 / 730)
    assert o.at_capacity_usd_per_m_output_tokens == pytest.approx(at_cap / 500)
    assert o.at_capacity_usd_per_1k_requests == pytest.approx(at_cap / 1000)


def test_figures_named_in_table_json_and_frame() -> None:
    result = compare(_scenario(API, RENTED), catalog=CATALOG, as_of="2025-01-01")
    row = result.table_rows()[1]
    assert row["USD/1M out"] == f"{result.option('llama').usd_per_m_output_tokens:.3f}"
    payload = result.to_dict()["options"][1]
    frame = result.to_frame()
    for key in (
        "usd_per_m_output_tokens",
        "blended_usd_per_mtok",
        "usd_per_1k_requests",
        "at_capacity_usd_per_m_output_tokens",
    ):
        assert payload[key] == pytest.approx(frame.loc["llama", key])
        assert result.to_frame().loc["llama", key] == pytest.approx(payload[key])


@given(
    cost=st.floats(0.01, 1e7),
    tin=st.floats(1.0, 1e12),
    tout=st.floats(1.0, 1e12),
)
def test_whole_cost_per_token_kinds_are_consistent(cost: float, tin: float, tout: float) -> None:
    # 1 / total = 1 / input + 1 / output, in $ per token: the three denominators add up
    f = quoted_figures(
        cost, input_tokens_per_month=tin, output_tokens_per_month=tout, requests_per_month=1.0
    )
    inv = 1 / f["usd_per_m_input_tokens"] + 1 / f["usd_per_m_output_tokens"]
    assert 1 / f["usd_per_mtok"] == pytest.approx(inv, rel=1e-9)
