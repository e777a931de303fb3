"""Disaggregated prefill/decode (llmcost.perf.disaggregated): pools, KV transfer, sizing."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from llmcost._core.errors import InvalidInputError, LlmcostError
from llmcost.catalog import load_catalog
from llmcost.perf import estimate_serving, get_engine_profile
from llmcost.perf.disaggregated import estimate_disaggregated
from llmcost.perf.parallel import resolve_split
from llmcost.perf.speed import deployment_rates, layer_context_sum, step_time_s
from llmcost.scenario import compare, parse_scenario

CAT = load_catalog()
L70 = CAT.model_spec("llama-3.1-70b")
H100 = CAT.gpu_spec("h100-sxm")
ARGS: dict[str, Any] = dict(prefill_gpus=4, decode_gpus=4, precision="fp8", output_tokens=200)


def _est(**kw: Any) -> Any:
    return estimate_disaggregated(L70, H100, **(ARGS | {"input_tokens": 1000} | kw))


def test_kv_transfer_by_hand() -> None:
    # Llama 3.1 70B, 16-bit KV: 2 × 80 layers × 8 KV heads × 128 × 2 bytes = 327,680 B/token
    est = _est()
    assert float(est.kv_bytes_per_request) == 327_680 * 1000
    # intra-node (4 + 4 GPUs in one HGX): each of 4 GPUs sends a quarter over NVLink,
    # 900/2 GB/s per direction × interconnect efficiency 0.39, + 20 µs
    assert est.basis["kv_link"] == "intra_node"
    assert float(est.kv_transfer_s) == pytest.approx(327.68e6 / (4 * 450e9 * 0.39) + 20e-6)
    # between nodes: one 400 Gb/s NIC per GPU
    net = _est(kv_link="inter_node")
    assert float(net.kv_transfer_s) == pytest.approx(327.68e6 / (4 * 50e9) + 20e-6)
    assert float(_est(kv_link="inter_node", kv_link_gb_per_s=25.0).kv_transfer_s) == (
        pytest.approx(327.68e6 / (4 * 25e9) + 20e-6)
    )


def test_prefill_service_from_the_step_model() -> None:
    est = _est(input_tokens=2000)
    profile = get_engine_profile("vllm").for_gpu(H100)
    rates = deployment_rates(L70, H100, "fp8", "bf16", resolve_split(L70, 4), profile)
    pctx = float(layer_context_sum(L70, 0, 2000)) / 2000
    own = float(step_time_s(rates, 0, 0, 2000, pctx).total)  # one chunk: 2000 < 8192
    full = float(step_time_s(rates, 0, 0, 8192, pctx).total)
    assert float(est.prefill_s) == pytest.approx(own)
    assert float(est.prefill_service_s) == pytest.approx(2000 * full / 8192)
    # no target: the replica runs at the utilization cap, 0.95 / S requests per second
    assert float(est.prefill_requests_per_s_per_replica) == pytest.approx(
        0.95 / (2000 * full / 8192)
    )


def test_ttft_target_binds_at_the_m_d_1_utilization() -> None:
    # 8000-token prompts alone take ~0.4 s: a 0.5 s target leaves a short queue
    est = _est(input_tokens=8000, ttft_slo_s=0.5)
    s, own, xfer = (
        float(getattr(est, k)) for k in ("prefill_service_s", "prefill_s", "kv_transfer_s")
    )
    w_max = 0.5 - own - xfer
    rho = 2 * w_max / (s + 2 * w_max)  # ρS / (2(1 − ρ)) = W_max solved for ρ
    assert float(est.prefill_utilization) == pytest.approx(rho)
    assert float(est.ttft_s) == pytest.approx(0.5)
    assert float(est.prefill_requests_per_s_per_replica) == pytest.approx(rho / s)


def test_decode_pool_is_the_steady_state_with_nothing_to_prefill() -> None:
    est = _est(tpot_slo_s=0.03)
    ref = estimate_serving(
        L70, H100, gpus=4, precision="fp8", input_tokens=1000, output_tokens=200,
        cached_input_fraction=1.0, tpot_slo_s=0.03,
    )  # fmt: skip
    assert float(est.decode_requests_per_s_per_replica) == pytest.approx(float(ref.requests_per_s))
    assert float(est.tpot_s) <= 0.03


def test_a_target_below_the_prompt_alone_is_not_met() -> None:
    est = _est(input_tokens=8000, ttft_slo_s=0.1)
    assert not bool(est.meets_slo)
    assert np.isnan(float(est.pools(5.0).gpus))


@settings(max_examples=40, deadline=None)
@given(
    lam=st.floats(0.05, 200.0),
    prompt=st.sampled_from([500.0, 2000.0, 6000.0]),
    ttft=st.sampled_from([0.6, 1.0, 3.0]),
    tpot=st.sampled_from([0.03, 0.05]),
)
def test_pools_sized_each_on_its_own_load(
    lam: float, prompt: float, ttft: float, tpot: float
) -> None:
    est = _est(input_tokens=prompt, ttft_slo_s=ttft, tpot_slo_s=tpot)
    pools = est.pools(lam)
    n_p, n_d = float(pools.prefill_replicas), float(pools.decode_replicas)
    # components sum to the total, at the same targets
    assert float(pools.gpus) == float(pools.prefill_gpus) + float(pools.decode_gpus)
    assert float(pools.prefill_gpus) == 4 * n_p
    assert float(pools.decode_gpus) == 4 * n_d
    s, own, xfer = (
        float(getattr(est, k)) for k in ("prefill_service_s", "prefill_s", "kv_transfer_s")
    )

    def ttft_at(replicas: float) -> float:
        rho = lam / replicas * s
        return np.inf if rho >= 0.95 + 1e-9 else own + rho * s / (2 * (1 - rho)) + xfer

    assert ttft_at(n_p) <= ttft * (1 + 1e-9)
    if n_p > 1:  # one replica fewer misses the target (or the utilization cap)
        assert ttft_at(n_p - 1) > ttft * (1 - 1e-9)
    cap_d = float(est.decode_requests_per_s_per_replica)
    assert lam <= n_d * cap_d * (1 + 1e-9)
    assert n_d == 1 or lam > (n_d - 1) * cap_d


@pytest.mark.parametrize(
    ("kw", "match"),
    [
        ({"prefill_gpus": 0}, "prefill_gpus"),
        ({"decode_gpus": 2.5}, "decode_gpus"),
        ({"kv_link": "wifi"}, "kv_link"),
        ({"prefill_gpus": 8, "decode_gpus": 8, "kv_link": "intra_node"}, "scale-up domain"),
        ({"kv_link_gb_per_s": -1.0}, "kv_link_gb_per_s"),
        ({"ttft_slo_s": 0.0}, "ttft_slo_s"),
    ],
)
def test_bad_input_names_the_field(kw: dict[str, Any], match: str) -> None:
    with pytest.raises(InvalidInputError, match=match):
        _est(**kw)


def test_arrays_broadcast() -> None:
    est = _est(input_tokens=np.array([500.0, 1000.0, 4000.0]), ttft_slo_s=1.0)
    frame = est.to_frame()
    assert len(frame) == 3
    assert np.all(np.diff(frame["prefill_requests_per_s_per_replica"]) < 0)


# --- scenario: a unit of prefill + decode pools as the option's replica ---------------------

_BASE = {"kind": "self_hosted", "model": "llama-3.1-70b", "gpu": "h100-sxm", "precision": "fp8",
         "gpu_usd_per_hour": 2.0, "ttft_slo_s": 1.0, "tpot_slo_s": 0.04}  # fmt: skip


def _compare(requests_per_month: float, **disagg: Any) -> Any:
    wl = {"requests_per_month": requests_per_month, "input_tokens_per_request": 2000,
          "output_tokens_per_request": 300}  # fmt: skip
    options = [
        _BASE | {"name": "pd", "disaggregated": {"prefill_gpus": 4, "decode_gpus": 4} | disagg}
    ]
    return compare(parse_scenario({"name": "d", "workload": wl, "options": options}), catalog=CAT)


@settings(max_examples=8, deadline=None)
@given(st.floats(1e5, 3e8))
def test_scenario_pools_sum_to_the_option_total(requests_per_month: float) -> None:
    o = _compare(requests_per_month).option("pd")
    d = o.details["disaggregated"]
    x, y = d["prefill_replicas_per_unit"], d["decode_replicas_per_unit"]
    assert o.details["gpus_per_replica"] == 4 * x + 4 * y
    prefill_gpus = o.replicas * x * 4
    decode_gpus = o.replicas * y * 4
    assert o.gpus == pytest.approx(prefill_gpus + decode_gpus)
    assert o.components["gpu_on_demand_usd"] == pytest.approx(o.gpus_avg * 730 * 2.0)
    assert sum(o.components.values()) == pytest.approx(o.monthly_cost_usd)
    assert o.ttft_s <= 1.0 + 1e-9
    assert o.tpot_s <= 0.04


def test_scenario_unit_ratio_follows_the_loads() -> None:
    # 2000-token prompts at TTFT ≤ 1 s vs 300 output tokens at TPOT ≤ 40 ms on 4 + 4 H100:
    # prefill replicas serve fewer requests each, so the unit gets more prefill replicas
    pd = _compare(3e7).option("pd")
    est = estimate_disaggregated(
        L70, H100, prefill_gpus=4, decode_gpus=4, precision="fp8", input_tokens=2000,
        output_tokens=300, ttft_slo_s=1.0, tpot_slo_s=0.04,
    )  # fmt: skip
    ratio = float(est.decode_requests_per_s_per_replica) / float(
        est.prefill_requests_per_s_per_replica
    )
    assert pd.details["disaggregated"]["prefill_replicas_per_unit"] == max(1, round(ratio))
    fixed = _compare(3e7, prefill_replicas=1, decode_replicas=3).option("pd")
    assert fixed.details["gpus_per_replica"] == 16
    assert fixed.details["disaggregated"]["ratio_chosen_from_loads"] is False


@pytest.mark.parametrize(
    ("extra", "match"),
    [
        ({"gpus_per_replica": 8}, "gpus_per_replica"),
        ({"tp": 4}, "tp"),
        (
            {"speculative": {"method": "ngram", "num_draft_tokens": 3, "acceptance_rate": 0.5}},
            "speculative",
        ),
    ],
)
def test_scenario_disaggregated_sets_the_replica_itself(extra: dict[str, Any], match: str) -> None:
    opt = _BASE | {"name": "pd", "disaggregated": {"prefill_gpus": 4, "decode_gpus": 4}} | extra
    wl = {
        "requests_per_month": 1e6,
        "input_tokens_per_request": 100,
        "output_tokens_per_request": 10,
    }
    with pytest.raises(LlmcostError, match=match):
        parse_scenario({"name": "d", "workload": wl, "options": [opt]})


def test_scenario_bad_link_names_it() -> None:
    with pytest.raises(LlmcostError, match="kv_link"):
        _compare(1e6, kv_link="carrier-pigeon")
    with pytest.raises(LlmcostError, match=r"disaggregated.*scale-up domain"):
        _compare(1e6, prefill_gpus=8, decode_gpus=8, kv_link="intra_node")
