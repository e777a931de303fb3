"""Measured throughput: ``output_tokens_per_s_per_replica`` in scenarios and ``--measured``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from llmcost.catalog import load_catalog
from llmcost.cli import main
from llmcost.scenario import compare, parse_scenario

CATALOG = load_catalog()
CHAT = Path(__file__).parent.parent / "examples" / "scenarios" / "chat-assistant.toml"

RENTED = {
    "name": "llama",
    "kind": "self_hosted",
    "model": "llama-3.3-70b",
    "gpu": "h100-sxm",
    "gpus_per_replica": 1,
    "precision": "fp8",
    "gpu_usd_per_hour": 2.0,
    "engineering_fte": 0,
    "min_replicas": 0,
    "target_utilization": 1.0,
}


def _scenario(**option: Any) -> Any:
    return parse_scenario(
        {
            "name": "measured",
            "workload": {
                "requests_per_month": 2_628_000,  # 1 request/s over a 730-hour month
                "input_tokens_per_request": 1000,
                "output_tokens_per_request": 250,
            },
            "options": [RENTED | option],
        }
    )


def test_output_token_rate_sets_capacity_by_hand() -> None:
    # 1,000 output tokens/s ÷ 250 tokens per request = 4 requests/s per replica;
    # at capacity 1 request/s needs 0.25 replicas → 182.5 GPU-hours × $2 = $365 a month.
    o = compare(
        _scenario(output_tokens_per_s_per_replica=1000.0, at_concurrency=32), catalog=CATALOG
    ).option("llama")
    assert o.indicators["capacity_requests_per_s_per_replica"] == pytest.approx(4.0)
    assert o.at_capacity_replicas_avg == pytest.approx(0.25)
    assert o.at_capacity_gpu_usd_per_month == pytest.approx(365.0)
    assert o.details["capacity_basis"] == (
        "measured (output_tokens_per_s_per_replica at concurrency 32)"
    )
    # the same capacity given as requests/s gives the same cost
    same = compare(_scenario(requests_per_s_per_replica=4.0), catalog=CATALOG).option("llama")
    assert same.monthly_cost_usd == pytest.approx(o.monthly_cost_usd)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"output_tokens_per_s_per_replica": 1.0, "requests_per_s_per_replica": 1.0},
            "not both",
        ),
        ({"at_concurrency": 8}, "at_concurrency"),
        ({"output_tokens_per_s_per_replica": -1.0}, "output_tokens_per_s_per_replica"),
    ],
)
def test_bad_measured_fields_are_named(fields: dict[str, Any], message: str) -> None:
    with pytest.raises((ValidationError, ValueError), match=message):
        _scenario(**fields)


def test_cli_measured_flag(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["compare", str(CHAT), "--json"]) == 0
    before = json.loads(capsys.readouterr().out)
    name = "llama-3.3-70b-2xh100"
    assert main(["compare", str(CHAT), "--measured", f"{name}=2400@64", "--json"]) == 0
    after = json.loads(capsys.readouterr().out)
    opt = next(o for o in after["options"] if o["name"] == name)
    # 2,400 output tokens/s ÷ 350 output tokens per request
    assert opt["indicators"]["capacity_requests_per_s_per_replica"] == pytest.approx(2400 / 350)
    assert opt["details"]["capacity_basis"].startswith("measured (output_tokens_per_s")
    old = next(o for o in before["options"] if o["name"] == name)
    assert old["details"]["capacity_basis"].startswith("perf model")


@pytest.mark.parametrize("flag", ["gpt-4o=100", "nobody=100", "x=-3", "llama=abc", "=5"])
def test_cli_bad_measured_flag_exits_2(flag: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["compare", str(CHAT), "--measured", flag]) == 2
    err = capsys.readouterr().err
    assert "--measured" in err
    assert len(err.strip().splitlines()) == 1
