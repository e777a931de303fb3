"""``llmcost sampling`` (docs/architecture.md §4)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from llmcost.cli import main


def test_json_contract(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sampling", "--n", "10", "--correct", "3", "--k", "1,2,10", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert list(out["pass_at_k"]) == ["1", "2", "10"]
    assert out["pass_at_k"]["1"] == pytest.approx(0.3)
    assert out["pass_at_k"]["2"] == pytest.approx(1 - 21 / 45)  # 1 − C(7,2)/C(10,2)
    assert out["pass_at_k"]["10"] == 1.0


def test_text_output(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sampling", "--n", "200", "--correct", "10", "--k", "1,10"]) == 0
    text = capsys.readouterr().out
    assert "pass_at_k" in text
    assert "0.05" in text


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--n", "10", "--correct", "11", "--k", "1"], "correct must be ≤ n"),
        (["--n", "10", "--correct", "1", "--k", "0"], "k must be ≥ 1"),
        (["--n", "10", "--correct", "1", "--k", "1,x"], "--k"),
    ],
)
def test_bad_input_exits_2_with_one_line(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["sampling", *argv, "--json"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert message in captured.err
    assert captured.err.count("\n") == 1


CODING = """
name = "coding"
[workload]
requests_per_month = 100_000
input_tokens_per_request = 1000
output_tokens_per_request = 400

[[options]]
name = "small"
kind = "api"
offer = "openai/gpt-4o-mini"
input_usd_per_mtok = 0.1
output_usd_per_mtok = 0.4

[[options]]
name = "large"
kind = "api"
offer = "openai/gpt-4o"
input_usd_per_mtok = 2.5
output_usd_per_mtok = 10.0
"""


def test_scenario_cost_per_solved_task_hand_computed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """small: 1000 × $0.1/1M + 400 × $0.4/1M = $0.00026 a sample, + $0.0001 verifier;
    k = 100 at pass@100 = 0.905 → 100 × 0.00036 / 0.905 = $0.0397790 per solved task.
    large once: (0.0025 + 0.004 + 0.0001) / 0.902 = $0.00731707; break-even cost per sample
    of the small model at k = 100: 0.0066 × 0.905 / (100 × 0.902) = $6.62195e-5."""
    path = tmp_path / "coding.toml"
    path.write_text(CODING, encoding="utf-8")
    argv = [
        "sampling", "--pass-at-k", "1=0.6,100=0.905", "--scenario", str(path),
        "--verifier-usd", "0.0001", "--versus", "large", "--versus-pass-at-1", "0.902", "--json",
    ]  # fmt: skip
    assert main(argv) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["pass_at_k"] == {"1": 0.6, "100": 0.905}
    small = next(o for o in out["options"] if o["name"] == "small")
    assert small["usd_per_sample"]["100"] == pytest.approx(0.00036)
    assert small["cost_per_solved_task_usd"]["100"] == pytest.approx(0.0397790, rel=1e-6)
    assert small["cost_per_solved_task_usd"]["1"] == pytest.approx(0.00036 / 0.6)
    versus = out["versus"]
    assert versus["cost_per_solved_task_usd"] == pytest.approx(0.0066 / 0.902)
    assert versus["breakeven_usd_per_sample"]["100"] == pytest.approx(6.62195e-5, rel=1e-5)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--k", "1"], "give --n and --correct"),
        (["--n", "5", "--correct", "1", "--pass-at-k", "1=0.2"], "not both"),
        (["--pass-at-k", "1=1.5"], "0 ≤ pass@k ≤ 1"),
        (["--pass-at-k", "a=b"], "--pass-at-k must look like"),
        (["--pass-at-k", "1=0.5", "--versus", "large"], "--versus needs --scenario"),
    ],
)
def test_bad_sampling_flags(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["sampling", *argv]) == 2
    assert message in capsys.readouterr().err


def test_false_positive_rate_scales_the_solved_share(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """pass@1 = 0.6, F = 0.1: a = 0.6 + 0.4 × 0.1 = 0.64 accepted per sample. k = 1: the
    accepted sample is correct with 0.6 — unchanged. k = 100: (0.6/0.64)(1 − 0.36^100) = 0.9375
    against 1 − 0.4^100 = 1 for a perfect verifier, so correct@100 = 0.905 × 0.9375 = 0.8484375
    and small costs 100 × 0.00036 / 0.8484375 = $0.0424309 per correctly solved task."""
    path = tmp_path / "coding.toml"
    path.write_text(CODING, encoding="utf-8")
    base = ["sampling", "--pass-at-k", "1=0.6,100=0.905", "--scenario", str(path)]
    argv = [*base, "--verifier-usd", "0.0001", "--false-positive-rate", "0.1", "--json"]
    assert main(argv) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["false_positive_rate"] == 0.1
    assert out["correct_at_k"]["1"] == pytest.approx(0.6)
    assert out["correct_at_k"]["100"] == pytest.approx(0.8484375)
    small = next(o for o in out["options"] if o["name"] == "small")
    assert small["cost_per_solved_task_usd"]["100"] == pytest.approx(0.0424309, rel=1e-6)
    # the default F = 0 leaves the measured pass@k as the solved share
    assert main([*base, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["false_positive_rate"] == 0.0
    assert out["correct_at_k"] == out["pass_at_k"]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--false-positive-rate", "1.5"], "--false-positive-rate must be in [0, 1]"),
        (["--false-positive-rate", "0.1"], "needs pass@1"),
    ],
)
def test_bad_false_positive_rate(
    extra: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "coding.toml"
    path.write_text(CODING, encoding="utf-8")
    argv = ["sampling", "--pass-at-k", "100=0.905", "--scenario", str(path), *extra]
    assert main(argv) == 2
    assert message in capsys.readouterr().err


def test_false_positive_rate_needs_a_scenario(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sampling", "--n", "10", "--correct", "3", "--false-positive-rate", "0.1"]) == 2
    assert "--false-positive-rate needs --scenario" in capsys.readouterr().err
