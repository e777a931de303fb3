"""``llmcost breakeven`` on scenario files (docs/architecture.md §4), checked against a hand
calculation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from llmcost.cli import main

# Prices are given in the file so the figures do not depend on the catalog.
STEPS = """
name = "steps"
[workload]
requests_per_month = 3_000_000
input_tokens_per_request = 1500
output_tokens_per_request = 300

[[options]]
name = "api"
kind = "api"
offer = "openai/gpt-4o"
input_usd_per_mtok = 2.5
output_usd_per_mtok = 10.0

[[options]]
name = "own"
kind = "self_hosted"
model = "llama-4-maverick"
gpu = "h100-sxm"
gpus_per_replica = 8
precision = "fp8"
pricing = "on_demand"
gpu_usd_per_hour = 2.5
requests_per_s_per_replica = 1.5
"""

# Hand calculation. API: 1500 × $2.5/1M + 300 × $10/1M = $0.00675 per request.
# A replica serves 1.5 req/s × 0.8 (default target utilization) × 2,628,000 s/month
# = 3,153,600 requests/month and costs 8 GPUs × $2.5 × 730 h = $14,600; staff 0.5 FTE ×
# $240,000 / 12 = $10,000. Self-hosted with n replicas: 10,000 + 14,600 n.
#   n = 2 on (3.1536M, 6.3072M]: API reaches 39,200 at 5,807,407.4 → own cheaper above;
#   at 6.3072M a 3rd replica: 53,800 > API 42,573.6 → API cheaper (a step);
#   n = 3: API reaches 53,800 at 7,970,370.4; at 9.4608M a 4th: 68,400 > 63,860.4 (step);
#   n = 4: API reaches 68,400 at 10,133,333.3; at 12.6144M a 5th: 83,000 < 85,147.2 — and
#   from then on each replica (14,600) serves more than it would cost on the API (21,286.8).
CROSSINGS = [39_200 / 0.00675, 6_307_200, 53_800 / 0.00675, 9_460_800, 68_400 / 0.00675]


@pytest.fixture
def steps_file(tmp_path: Path) -> Path:
    path = tmp_path / "steps.toml"
    path.write_text(STEPS, encoding="utf-8")
    return path


def test_every_crossing_of_a_replica_staircase(
    steps_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["breakeven", str(steps_file), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["variable"] == "requests_per_month"
    assert out["search_range"] == [30_000.0, 300_000_000.0]  # scenario value ÷ 100 … × 100
    (pair,) = out["pairs"]
    assert (pair["option_a"], pair["option_b"]) == ("api", "own")
    assert [c["at"] for c in pair["crossings"]] == pytest.approx(CROSSINGS, rel=1e-9)
    assert [c["winner_above"] for c in pair["crossings"]] == ["own", "api", "own", "api", "own"]
    assert [c["winner_below"] for c in pair["crossings"]] == ["api", "own", "api", "own", "api"]
    kinds = [c["kind"] for c in pair["crossings"]]
    assert kinds == ["crossing", "jump", "crossing", "jump", "crossing"]
    assert "÷ 100 to × 100" in out["range_reason"]
    assert pair["first"] == pytest.approx(CROSSINGS[0], rel=1e-9)
    assert pair["sustained"] == pytest.approx(CROSSINGS[-1], rel=1e-9)
    assert pair["sustained_winner"] == "own"


def test_other_variable_and_never(steps_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # at 3M requests (1 replica: 24,600 vs API 20,250) the API wins unless GPUs cost less than
    # (20,250 − 10,000) / (8 × 730) = $1.7551/hour
    assert main(["breakeven", str(steps_file), "--variable", "gpu_usd_per_hour", "--json"]) == 0
    (pair,) = json.loads(capsys.readouterr().out)["pairs"]
    assert [c["at"] for c in pair["crossings"]] == pytest.approx([10_250 / 5_840], rel=1e-9)
    assert [c["winner_above"] for c in pair["crossings"]] == ["api"]
    # a range without a crossing: null, not an error
    argv = ["breakeven", str(steps_file), "--variable", "gpu_usd_per_hour", "--lo", "2", "--json"]
    assert main(argv) == 0
    (pair,) = json.loads(capsys.readouterr().out)["pairs"]
    assert pair["crossings"] == []
    assert pair["first"] is None
    assert pair["sustained"] is None


def test_text_output(steps_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["breakeven", str(steps_file)]) == 0
    text = capsys.readouterr().out
    assert "api vs own" in text
    assert "(jump)" in text
    assert "range: the scenario's 3,000,000 requests per month" in text


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--variable", "gpu_usd_per_hr"], "did you mean 'gpu_usd_per_hour'"),
        (["--lo", "5", "--hi", "1"], "lo < hi"),
        (["--as-of", "yesterday"], "--as-of"),
        (["--range", "1e5"], "--range must be LO:HI"),
        (["--range", "9:1"], "LO < HI"),
    ],
)
def test_bad_input_exits_2(
    steps_file: Path, extra: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["breakeven", str(steps_file), *extra, "--json"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert message in captured.err
    assert captured.err.count("\n") == 1


def test_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["breakeven", str(tmp_path / "nope.toml")]) == 2
    assert "not found" in capsys.readouterr().err


def test_range_flag_sets_both_ends_on_a_log_grid(
    steps_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["breakeven", str(steps_file), "--range", "5e6:7e6", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["search_range"] == [5e6, 7e6]
    assert out["scale"] == "log"
    assert out["range_reason"] == "given: 5,000,000 to 7,000,000"
    (pair,) = out["pairs"]
    assert [c["at"] for c in pair["crossings"]] == pytest.approx(CROSSINGS[:2], rel=1e-9)


def test_every_change_of_maverick_api_vs_70b_on_two_h100(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Issue #13: on the bundled chat assistant the hosted Maverick API and Llama 3.3 70B on
    2×H100 trade places many times within a few percent of volume (five near 106–109 M when
    the issue was filed; 17 near 129–137 M with the topology-aware all-reduce). Every sign
    change of a fine grid over that window is a reported change, and nothing else is."""
    import itertools

    import numpy as np

    from llmcost.analysis.crossings import sign_of_difference
    from llmcost.scenario import load_scenario, scenario_model

    scenario = Path(__file__).parent.parent / "examples/scenarios/chat-assistant.toml"
    assert main(["breakeven", str(scenario), "--range", "1e5:1e9", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    a, b = "maverick-together", "llama-3.3-70b-2xh100"
    (pair,) = [p for p in out["pairs"] if (p["option_a"], p["option_b"]) == (a, b)]
    at = np.array([c["at"] for c in pair["crossings"]])
    assert at.size > 1
    model = scenario_model(load_scenario(scenario))
    x = np.geomspace(at[0] / 1.02, at[-1] * 1.02, 1_000_001)  # cells of 4e-8 relative
    costs = model({"requests_per_month": x})
    s = sign_of_difference(costs[a], costs[b])
    grid = x[np.flatnonzero(s[1:] != s[:-1])]
    assert grid.size == at.size
    np.testing.assert_allclose(at, grid, rtol=1e-6)
    winners = [c["winner_above"] for c in pair["crossings"]]
    assert all(w1 != w2 for w1, w2 in itertools.pairwise(winners))
    assert {c["kind"] for c in pair["crossings"]} == {"crossing", "jump"}
