"""The plain-language verdict (issue #13): a hand calculation, and one answer everywhere."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from llmcost.cli import main
from llmcost.scenario import compare, parse_scenario, verdict
from test_cli_breakeven import CROSSINGS, STEPS


@pytest.fixture
def steps_file(tmp_path: Path) -> Path:
    path = tmp_path / "steps.toml"
    path.write_text(STEPS, encoding="utf-8")
    return path


def test_hand_calculated_verdict(steps_file: Path) -> None:
    import tomllib

    result = compare(parse_scenario(tomllib.loads(STEPS)))
    v = verdict(result)
    # API: $0.00675/request × 3,000,000 = $20,250; own: 1 replica (3,153,600 requests/month of
    # capacity) = $14,600 GPUs + $10,000 staff = $24,600 (see test_cli_breakeven.py)
    assert (v.cheapest, v.rival, v.self_hosted, v.api) == ("api", "own", "own", "api")
    assert v.cheapest_usd_per_month == pytest.approx(20_250.0)
    assert v.margin_usd_per_month == pytest.approx(4_350.0)
    # 3,000,000 × (1500 + 300) tokens = 5,400 M tokens
    assert v.margin_usd_per_mtok == pytest.approx(4_350.0 / 5_400.0)
    assert (v.gpu, v.gpus_peak, v.gpus_per_replica, v.gpus_avg) == ("h100-sxm", 8.0, 8, 8.0)
    assert v.flip_requests_per_month == pytest.approx(CROSSINGS[0], rel=1e-9)  # the nearest
    # GPUs cheaper than (20,250 − 10,000) / (8 × 730) = $1.7551/hour; API prices × 24,600/20,250
    assert v.flip_gpu_variable == "gpu_usd_per_hour"
    assert v.gpu_price_now == pytest.approx(2.5)
    assert v.flip_gpu_price == pytest.approx(10_250 / 5_840, rel=1e-9)
    assert v.flip_api_price_multiplier == pytest.approx(24_600 / 20_250, rel=1e-9)
    assert v.sentence.startswith(
        "At 3,000,000 requests a month, api (API) is cheapest at $20,250 a month, $4,350 a month "
        "less than own (self-hosted), $0.81 less per 1M tokens."
    )
    assert "needs 8 h100-sxm GPUs at the peak hour (8 per replica; 8.0 on average" in v.sentence
    assert "flips at 5,807,407 requests a month; at a GPU price of $1.76 per GPU-hour" in (
        v.sentence
    )
    assert "if api's prices were 1.21× today's" in v.sentence


def test_one_verdict_in_compare_text_json_and_report(
    steps_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["compare", str(steps_file), "--json"]) == 0
    from_json = json.loads(capsys.readouterr().out)["verdict"]
    assert main(["compare", str(steps_file)]) == 0
    text = capsys.readouterr().out
    assert " ".join(text.split()).find(" ".join(from_json["sentence"].split())) > 0
    out = tmp_path / "r.html"
    assert main(["report", str(steps_file), "--out", str(out), "--monte-carlo", "0"]) == 0
    from test_report_data import _embedded

    data, _ = _embedded(out)
    assert data["verdict"] == from_json
    assert from_json["sentence"].split(" It ")[0][:60] in out.read_text(encoding="utf-8")


def test_a_single_feasible_option_says_so() -> None:
    import tomllib

    data = tomllib.loads(STEPS)
    data["options"] = data["options"][:1]
    v = verdict(compare(parse_scenario(data)))
    assert v.sentence == "At 3,000,000 requests a month api is the only feasible option."
    assert v.rival is None


def test_gpu_counts_are_named_peak_per_replica_and_average(
    capsys: pytest.CaptureFixture[str],
) -> None:
    scenario = Path(__file__).parent.parent / "examples/scenarios/chat-assistant.toml"
    assert main(["compare", str(scenario), "--json"]) == 0
    options = {o["name"]: o for o in json.loads(capsys.readouterr().out)["options"]}
    own = options["llama-3.3-70b-2xh100"]
    # 2 replicas of 2 GPUs at the peak hour; 31 replica-hours of 24 on average (1.29 replicas)
    assert (own["gpus_peak"], own["gpus_per_replica"]) == (4.0, 2)
    assert own["gpus_peak"] == own["gpus"] == own["replicas"] * own["gpus_per_replica"]
    assert own["gpus_avg"] == pytest.approx(own["replicas_avg"] * 2)
    assert options["gpt-4o"]["gpus_peak"] is None
    assert main(["compare", str(scenario)]) == 0
    assert "GPUs peak  GPUs avg" in capsys.readouterr().out
