"""Awkward scenario files on the scenario commands: bad input exits 2 with one line naming
the field, the value and what is allowed; edge cases that are valid give valid output."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from llmcost.cli import main

HEAD = """
name = "awkward"
as_of = 2025-06-01
[workload]
requests_per_month = 1_000_000
input_tokens_per_request = 1000
output_tokens_per_request = 200
[[options]]
name = "api"
kind = "api"
offer = "openai/gpt-4o"
[[options]]
name = "hosted"
kind = "self_hosted"
model = "llama-3.1-8b"
gpu = "h100-sxm"
gpus_per_replica = 1
requests_per_s_per_replica = 1.0
gpu_usd_per_hour = 2.0
"""


def _run(tmp_path: Path, capsys: Any, text: str, *args: str) -> tuple[int, str, str]:
    path = tmp_path / "s.toml"
    path.write_text(text)
    code = main([args[0], str(path), *args[1:]])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    ("extra", "command", "expected"),
    [
        (
            '[uncertainty.bogus]\ndistribution = "uniform"\nlow = 1\nhigh = 2\n',
            "compare",
            "uncertainty.bogus: unknown input 'bogus'",
        ),
        (
            '[uncertainty.bogus]\ndistribution = "uniform"\nlow = 1\nhigh = 2\n',
            "sensitivity",
            "uncertainty.bogus: unknown input 'bogus'",
        ),
        (
            '[uncertainty.requests_per_month]\ndistribution = "uniform"\nlow = 5\nhigh = 2\n',
            "sensitivity",
            "[uncertainty] table: requests_per_month: low must be ≤ high; got low=5, high=2",
        ),
        (
            '[uncertainty]\ntarget_utilization = { distribution = "triangular", low = 0.6, '
            "mode = 0.9, high = 1.4 }\n",
            "sensitivity",
            "uncertainty.target_utilization: triangular Tri(0.6, 0.9, 1.4) has support "
            "[0.6, 1.4], outside the allowed range [0.01, 1] of target_utilization",
        ),
        (
            '[uncertainty]\n"hosted.target_utilization" = { distribution = "normal", '
            "mean = 0.8, sd = 0.1 }\n",
            "sensitivity",
            "uncertainty.hosted.target_utilization: normal N(0.8, 0.1) has support (−∞, ∞), "
            "outside the allowed range [0.01, 1] of target_utilization; truncate it",
        ),
    ],
)
def test_bad_uncertainty_names_the_table(
    tmp_path: Path, capsys: Any, extra: str, command: str, expected: str
) -> None:
    code, out, err = _run(tmp_path, capsys, HEAD + extra, command)
    assert code == 2
    assert out == ""
    assert expected in err
    assert len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("seed", ["0", "1"])
def test_a_distribution_leaving_its_range_fails_before_any_draw(
    tmp_path: Path, capsys: Any, seed: str
) -> None:
    """Was: Monte Carlo aborted mid-run with "target_utilization must be ≤ 1; got 1.4…", a
    message that depended on the draw and did not say it came from [uncertainty]."""
    extra = (
        "[uncertainty]\ntarget_utilization = "
        '{ distribution = "triangular", low = 0.6, mode = 0.9, high = 1.4 }\n'
    )
    code, out, err = _run(
        tmp_path, capsys, HEAD + extra, "sensitivity", "--monte-carlo", "1000", "--seed", seed
    )
    assert (code, out) == (2, "")
    assert err.strip() == (
        "llmcost: error: uncertainty.target_utilization: triangular Tri(0.6, 0.9, 1.4) has "
        "support [0.6, 1.4], outside the allowed range [0.01, 1] of target_utilization; keep low "
        "and high within it"
    )


def test_breakeven_with_lo_and_hi_needs_no_default_range(tmp_path: Path, capsys: Any) -> None:
    # max_replicas is NaN (no cap) in the scenario, so there is no default range; --lo/--hi
    # give one. gpt-4o at 1M requests costs $4,500 ($2.50 × 1e9 + $10 × 2e8 tokens); one
    # replica at $2 × 730 h = $1,460 serves 2,628,000 requests: hosted is cheaper throughout.
    code, out, err = _run(
        tmp_path,
        capsys,
        HEAD.replace("gpu_usd_per_hour = 2.0", "gpu_usd_per_hour = 2.0\nengineering_fte = 0"),
        "breakeven",
        "--variable",
        "hosted.max_replicas",
        "--lo",
        "1",
        "--hi",
        "10",
        "--json",
    )
    assert code == 0, err
    payload = json.loads(out)
    assert payload["search_range"] == [1.0, 10.0]
    assert payload["scale"] == "linear"
    assert payload["baseline"] is None
    (pair,) = payload["pairs"]
    assert pair["crossings"] == []
    assert pair["sustained_winner"] == "hosted"


def test_breakeven_unknown_variable_with_lo_and_hi(tmp_path: Path, capsys: Any) -> None:
    code, _, err = _run(
        tmp_path, capsys, HEAD, "breakeven", "--variable", "hosted.max_replica", "--lo", "1",
        "--hi", "2",
    )  # fmt: skip
    assert code == 2
    assert "unknown input 'hosted.max_replica'; did you mean 'hosted.max_replicas'" in err


def test_breakeven_text_without_a_scenario_value(tmp_path: Path, capsys: Any) -> None:
    code, out, _ = _run(
        tmp_path, capsys, HEAD, "breakeven", "--variable", "hosted.max_replicas", "--lo", "1",
        "--hi", "10",
    )  # fmt: skip
    assert code == 0
    assert out.splitlines()[0].endswith("scenario value n/a")


def test_zero_output_tokens_on_the_performance_model(tmp_path: Path, capsys: Any) -> None:
    measured = HEAD.replace("output_tokens_per_request = 200", "output_tokens_per_request = 0")
    text = measured.replace("requests_per_s_per_replica = 1.0\n", "")
    code, _, err = _run(tmp_path, capsys, text, "compare")
    assert code == 2
    assert err.strip() == (
        "llmcost: error: options[1](hosted): the performance model needs "
        "output_tokens_per_request ≥ 1; feature 'all' has 0 (give a measured "
        "requests_per_s_per_replica instead)"
    )
    # with a measured capacity the same workload compares: gpt-4o bills 1e9 input tokens only
    code, out, err = _run(tmp_path, capsys, measured, "compare", "--json")
    assert code == 0, err
    api = json.loads(out)["options"][0]
    assert api["monthly_cost_usd"] == pytest.approx(2500.0)  # 1e9 × $2.50 / 1e6
    assert api["output_usd_per_mtok"] is None  # no output tokens: null, not NaN
