"""Default GPU price from the offers whose instance size fits the replica (issue #13 item 6).

Every figure is the median of catalog rows of data/pricing/gpu_offers.csv, named in the
comments (newest row per provider/instance/region/term, as :meth:`Catalog.gpu_offers_for`
keeps them).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from llmcost.catalog import instance_fits_replica, load_catalog, replica_gpu_price
from llmcost.scenario import compare, parse_scenario

CAT = load_catalog()


@pytest.mark.parametrize(
    ("instance", "replica", "tensor", "fits"),
    [
        (8, 2, None, True),  # four 2-GPU replicas share an 8-GPU instance
        (1, 2, None, False),  # a TP-2 replica cannot span two 1-GPU instances
        (1, 2, 1, True),  # ... a PP-2 replica of TP 1 can (one stage per instance)
        (8, 8, None, True),
        (4, 8, None, False),  # an 8-GPU TP-8 replica needs an 8-GPU instance
        (8, 16, 8, True),  # 2 pipeline stages of TP 8 on two 8-GPU instances
        (8, 16, None, False),  # TP 16 does not fit in any 8-GPU instance
        (8, 3, None, False),  # 8 is not a multiple of 3, 3 not of 8
        (1, 1, None, True),
    ],
)
def test_instance_fits_replica(instance: int, replica: int, tensor: int | None, fits: bool) -> None:
    assert instance_fits_replica(instance, replica, tensor) is fits


def test_h100_two_gpu_replica_takes_the_8_gpu_offers() -> None:
    quote = CAT.replica_gpu_price("h100-sxm", 2)
    # on-demand h100-sxm rows on 8-GPU instances: nebius gpu-h100-sxm 8gpu 2.95, lambda
    # gpu_8x_h100_sxm5 3.99 (2026-11-23), aws p5.48xlarge 6.88, gcp a3-highgpu-8g 11.06,
    # azure Standard_ND96isr_H100_v5 12.29 -> median of 5 = 6.88
    assert quote.usd_per_gpu_hour == pytest.approx(6.88)
    assert sorted(r.usd_per_gpu_hour for r in quote.used) == [2.95, 3.99, 6.88, 11.06, 12.29]
    # left out: the 1-GPU sizes aws p5.4xlarge 6.88, lambda gpu_1x_h100_sxm5 4.29,
    # runpod H100 SXM (Secure Cloud) 3.99 (2026-11-09)
    assert sorted(r.usd_per_gpu_hour for r in quote.left_out) == [3.99, 4.29, 6.88]
    assert {r.gpus_per_instance for r in quote.left_out} == {1}
    assert not quote.fallback
    # the same 5 rows for an 8-GPU TP-8 replica
    assert CAT.replica_gpu_price("h100-sxm", 8).used == quote.used


def test_h100_one_gpu_replica_takes_every_offer() -> None:
    quote = CAT.replica_gpu_price("h100-sxm", 1)
    # all 8 rows: 2.95, 3.99, 3.99, 4.29, 6.88, 6.88, 11.06, 12.29 -> (4.29 + 6.88) / 2
    assert quote.usd_per_gpu_hour == pytest.approx((4.29 + 6.88) / 2)  # 5.585
    assert len(quote.used) == 8
    assert not quote.left_out
    assert quote.usd_per_gpu_hour == CAT.gpu_price_usd_per_hour("h100-sxm")[0]


def test_provider_median_only_over_sizes_that_fit() -> None:
    # lambda: gpu_8x_h100_sxm5 3.99 and gpu_1x_h100_sxm5 4.29; a 2-GPU replica takes the 8x
    assert CAT.replica_gpu_price("h100-sxm", 2, provider="lambda").usd_per_gpu_hour == 3.99
    # a 1-GPU replica takes both: (3.99 + 4.29) / 2
    one = CAT.replica_gpu_price("h100-sxm", 1, provider="lambda")
    assert one.usd_per_gpu_hour == pytest.approx(4.14)


def test_no_offer_fits_falls_back_to_all_of_them() -> None:
    # h100-nvl on demand: only azure Standard_NC40ads_H100_v5, 1 GPU, 6.98
    quote = CAT.replica_gpu_price("h100-nvl", 2)
    assert quote.fallback
    assert quote.usd_per_gpu_hour == 6.98
    assert "fallback" in quote.describe()
    with pytest.raises(ValueError, match="at least one offer"):
        replica_gpu_price([], 2)


def _scenario(**option: object) -> dict[str, object]:
    base = {
        "name": "o",
        "kind": "self_hosted",
        "model": "llama-3.1-8b",
        "gpu": "h100-sxm",
        "gpus_per_replica": 2,
        "precision": "fp8",
    }
    return {
        "name": "fit",
        "workload": {
            "requests_per_month": 1_000_000,
            "input_tokens_per_request": 1000,
            "output_tokens_per_request": 200,
        },
        "options": [base | option],
    }


def test_scenario_price_source_names_used_and_left_out_rows() -> None:
    result = compare(parse_scenario(_scenario()))
    (a,) = [x for x in result.assumptions if x["name"] == "gpu_usd_per_hour"]
    assert a["value"] == pytest.approx(6.88)  # the 5 rows on 8-GPU instances, as above
    assert "median of 5 offers whose instance size fits a 2-GPU replica" in a["source"]
    assert "nebius/gpu-h100-sxm 8gpu (8 GPU, 2026-11-23) $2.95" in a["source"]
    left = a["source"].split("left out")[1]
    assert "aws/p5.4xlarge (1 GPU, 2026-11-23) $6.88" in left
    assert "runpod/H100 SXM (Secure Cloud) (1 GPU, 2026-11-09) $3.99" in left
    # the report's catalog rows are the rows used, not the ones left out
    used = sorted(r["id"] for r in result.catalog_rows if r["entity"] == "gpu_offers")
    assert used == [
        "aws/p5.48xlarge/us-east-1/on_demand",
        "azure/Standard_ND96isr_H100_v5/eastus/on_demand",
        "gcp/a3-highgpu-8g/us-central1/on_demand",
        "lambda/gpu_8x_h100_sxm5/any/on_demand",
        "nebius/gpu-h100-sxm 8gpu/any/on_demand",
    ]
    option = result.option("o")
    assert option.details["list_usd_per_gpu_hour"] == pytest.approx(6.88)
    assert not any("no on_demand offer" in w for w in option.warnings)


def test_scenario_fallback_warns() -> None:
    result = compare(parse_scenario(_scenario(gpu="h100-nvl")))
    option = result.option("o")
    assert option.details["list_usd_per_gpu_hour"] == pytest.approx(6.98)
    assert any(
        "no on_demand offer for h100-nvl comes in an instance that holds a 2-GPU replica whole" in w
        for w in option.warnings
    )


def test_tp_must_split_the_heads() -> None:
    from llmcost import InvalidInputError

    # Llama 3.1 8B: 32 attention heads, 8 KV heads; tp 3 divides neither.
    with pytest.raises(InvalidInputError) as info:
        compare(parse_scenario(_scenario(gpus_per_replica=3)))
    msg = str(info.value)
    assert msg.startswith("options[0](o).tp: 3 (gpus_per_replica 3")
    assert "allowed tp: 1, 2, 4, 8, 16, 32" in msg  # divisors of 32; 16, 32 are multiples of 8
    with pytest.raises(InvalidInputError, match=r"options\[0\]\(o\)\.tp: 3 does not split"):
        compare(parse_scenario(_scenario(gpus_per_replica=6, tp=3, pp=2)))
    # a measured replica skips the perf model but a given tp is still checked
    with pytest.raises(InvalidInputError, match=r"\.tp: 3 does not split"):
        compare(parse_scenario(_scenario(gpus_per_replica=3, tp=3, requests_per_s_per_replica=1)))
    # tp 16 on 16 GPUs (2 KV heads per... 16 % 8 == 0: KV heads replicated) is allowed
    compare(parse_scenario(_scenario(gpus_per_replica=16, gpu_usd_per_hour=2.0)))


def test_cached_override_above_catalog_input_price_is_refused() -> None:
    from llmcost import InvalidInputError

    scenario = _scenario()
    scenario["options"] = [
        {"name": "g", "kind": "api", "offer": "openai/gpt-4o", "cached_input_usd_per_mtok": 3.0}
    ]
    # gpt-4o's catalog input price is 2.50 USD per 1M tokens
    with pytest.raises(InvalidInputError) as info:
        compare(parse_scenario(scenario))
    assert str(info.value) == (
        "options[0](g).cached_input_usd_per_mtok: 3 USD per 1M tokens is above the input price "
        "of openai/gpt-4o (2.5 USD per 1M tokens); allowed: 0 to 2.5 (a cache hit is never "
        "dearer than a miss)"
    )
    scenario["options"][0]["cached_input_usd_per_mtok"] = 2.5  # type: ignore[index]
    compare(parse_scenario(scenario))


def test_range_messages_carry_the_unit() -> None:
    from llmcost import InvalidInputError

    with pytest.raises(InvalidInputError) as info:
        parse_scenario(_scenario(gpu_usd_per_hour=1e20, target_utilization=0.001, tp=5000))
    msg = str(info.value)
    assert "options[0](o).tp = 5000: must be ≤ 1024 GPUs" in msg
    assert "options[0](o).gpu_usd_per_hour = 1e+20: must be ≤ 1e+15 USD per GPU-hour" in msg
    assert "options[0](o).target_utilization = 0.001: must be ≥ 0.01 (a fraction, 0–1)" in msg


def test_analysis_messages_show_plain_numbers() -> None:
    import numpy as np

    from llmcost import InvalidInputError
    from llmcost.analysis.crossings import check_range

    with pytest.raises(InvalidInputError) as info:
        check_range(np.float64(2e-06), np.float64(1e-06), 10, "log")
    assert "np." not in str(info.value)
    assert "[2e-06, 1e-06]" in str(info.value)


def test_plan_chart_goes_through_safe_output(tmp_path: Path) -> None:
    from llmcost.cli import main

    existing = tmp_path / "front.png"
    existing.write_bytes(b"keep")
    base = ["plan", "--model", "llama-3.1-8b", "--gpu", "h100-sxm", "--gpus", "1",
            "--input-tokens", "100", "--output-tokens", "100", "--precision", "fp8",
            "--engine", "vllm"]  # fmt: skip
    assert main([*base, "--chart", str(existing)]) == 2
    assert existing.read_bytes() == b"keep"
    assert main([*base, "--chart", str(tmp_path / "front.txt")]) == 2
    assert main([*base, "--chart", str(tmp_path)]) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["front.png"]
    assert main([*base, "--chart", str(existing), "--force"]) == 0
    assert existing.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["front.png"]  # no temporary left
