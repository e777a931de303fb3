"""``llmcost sensitivity`` (docs/architecture.md §4): tornado, Monte Carlo, reproducibility."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from llmcost.cli import main
from test_cli_breakeven import STEPS  # the hand-checked scenario (prices given in the file)

UNCERTAIN = (
    STEPS
    + """
[uncertainty]
gpu_usd_per_hour = { distribution = "uniform", low = 2.0, high = 3.0 }
"""
)


@pytest.fixture
def steps_file(tmp_path: Path) -> Path:
    path = tmp_path / "steps.toml"
    path.write_text(STEPS, encoding="utf-8")
    return path


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_defaults_are_listed_and_tornado_is_hand_checked(
    steps_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = _run(["sensitivity", str(steps_file), "--json"], capsys)
    assert code == 0
    payload = json.loads(out)
    sources = {r["input"]: r["source"] for r in payload["uncertain_inputs"]}
    assert set(sources) == {
        "requests_per_month",
        "api.api_price_multiplier",
        "own.capacity_multiplier",
        "own.gpu_usd_per_hour",
        "own.engineering_fte",
        "own.target_utilization",  # a flat day (no peak_to_average): no peak uncertainty
    }
    assert all(s.startswith("default:") for s in sources.values())
    t = payload["tornado"]
    # 3M requests: own = 10,000 + 14,600 (1 replica) = 24,600; API = 3M × 0.00675 = 20,250
    assert t["output"] == "own - api monthly cost [USD]"
    assert t["baseline_output"] == pytest.approx(4_350.0)
    gpu = next(r for r in t["rows"] if r["input"] == "own.gpu_usd_per_hour")
    # Tri(1.75, 2.5, 3.25): P10 = 1.75 + √(0.1 × 1.5 × 0.75) = 2.085410; swing = 8 × 730 ×
    # (P90 − P10) = 5,840 × 2 × 0.414590 = 4,842.41
    assert gpu["low"] == pytest.approx(2.0854102, rel=1e-6)
    assert gpu["swing"] == pytest.approx(4_842.41, rel=1e-5)
    swings = [r["swing"] for r in t["rows"]]
    assert swings == sorted(swings, reverse=True)
    assert "monte_carlo" not in payload


def test_monte_carlo_is_byte_identical_for_a_seed(
    steps_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["sensitivity", str(steps_file), "--monte-carlo", "20000", "--json"]
    _, a, _ = _run([*argv, "--seed", "5"], capsys)
    _, b, _ = _run([*argv, "--seed", "5"], capsys)
    _, c, _ = _run([*argv, "--seed", "6"], capsys)
    assert a == b
    assert a != c
    mc = json.loads(a)["monte_carlo"]
    assert mc["n"] == 20_000
    assert set(mc["monthly_cost_usd"]) == {"api", "own"}
    for s in mc["monthly_cost_usd"].values():
        assert s["p5"] <= s["p50"] <= s["p95"]
    assert sum(mc["probability_cheapest"].values()) == pytest.approx(1.0)


def test_scenario_uncertainty_table_replaces_the_defaults(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "u.toml"
    path.write_text(UNCERTAIN, encoding="utf-8")
    code, out, _ = _run(["sensitivity", str(path), "--monte-carlo", "10000", "--json"], capsys)
    assert code == 0
    payload = json.loads(out)
    (row,) = payload["uncertain_inputs"]
    assert row["input"] == "gpu_usd_per_hour"
    assert row["source"] == "scenario [uncertainty]"
    # own = 10,000 + 5,840 g with g ~ U(2, 3): P50 = 10,000 + 5,840 × 2.5 = 24,600
    own = payload["monte_carlo"]["monthly_cost_usd"]["own"]
    assert own["p50"] == pytest.approx(24_600.0, rel=2e-3)
    # API (20,250) cheaper when 5,840 g > 10,250 → g > 1.7551: always
    assert payload["monte_carlo"]["probability_cheapest"] == {"api": 1.0, "own": 0.0}


def test_breakeven_distribution(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "u.toml"
    path.write_text(UNCERTAIN, encoding="utf-8")
    argv = ["sensitivity", str(path), "--monte-carlo", "4000", "--breakeven", "--json"]
    code, out, _ = _run(argv, capsys)
    assert code == 0
    b = json.loads(out)["breakeven"]
    assert (b["variable"], b["option_a"], b["option_b"]) == ("requests_per_month", "api", "own")
    # with GPU price g, the 2nd replica's interval holds the first crossing while g < 2.7888:
    # first = (10,000 + 2 × 5,840 g) / 0.00675; at the median g = 2.5 → 5,807,407
    assert b["first"]["p50"] == pytest.approx(5_807_407.4, rel=5e-3)
    assert b["first"]["undefined_fraction"] == 0.0
    assert b["probability_b_cheaper_at_hi"] == 1.0
    code, _, err = _run(["sensitivity", str(path), "--breakeven"], capsys)
    assert code == 2
    assert "--breakeven needs --monte-carlo" in err


def test_text_output(steps_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(["sensitivity", str(steps_file), "--monte-carlo", "1000"], capsys)
    assert code == 0
    assert "Tornado of own - api" in out
    assert "P(cheapest)" in out


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--monte-carlo", "0"], "--monte-carlo must be between"),
        (["--output", "gpt"], "--output must be"),
        (["--relative", "-1"], "relative must be > 0"),
    ],
)
def test_bad_input_exits_2(
    steps_file: Path, extra: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _run(["sensitivity", str(steps_file), *extra, "--json"], capsys)
    assert code == 2
    assert out == ""
    assert message in err
    assert err.count("\n") == 1


def test_unknown_uncertain_input_is_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(
        STEPS + '\n[uncertainty]\ngpu_price = { distribution = "uniform", low = 1, high = 2 }\n',
        encoding="utf-8",
    )
    code, _, err = _run(["sensitivity", str(path)], capsys)
    assert code == 2
    assert "gpu_price" in err


@pytest.mark.parametrize(
    "path",
    sorted((Path(__file__).resolve().parents[1] / "examples" / "scenarios").glob("*.toml")),
    ids=lambda p: p.stem,
)
def test_default_uncertainty_stays_in_range_for_every_bundled_scenario(path: Path) -> None:
    """The built-in defaults pass the same range check as a scenario's [uncertainty] table."""
    from llmcost.cli.sensitivity import space_for
    from llmcost.scenario import check_uncertainty_ranges, load_scenario, scenario_model
    from llmcost.scenario.uncertainty import default_uncertainty

    scenario = load_scenario(path)
    model = scenario_model(scenario)
    space, sources = space_for(scenario, model)
    check_uncertainty_ranges(space)
    if not scenario.uncertainty:
        assert set(space.names) == set(default_uncertainty(model))
        assert all(s.startswith("default:") for s in sources.values())
