"""The JSON contract of every command (docs/architecture.md §4): ``schema_version`` first, no
NaN or infinity, and "never" spelled ``null`` (NaN in Python arrays and float results)."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

from llmcost.analysis import breakeven
from llmcost.cli import build_parser, main
from llmcost.cli._common import SCHEMA_VERSION
from llmcost.scenario import compare, load_scenario, scenario_model

ROOT = Path(__file__).resolve().parents[1]
CHAT = str(ROOT / "examples" / "scenarios" / "chat-assistant.toml")
OWNED = str(ROOT / "examples" / "scenarios" / "owned-hardware.toml")

PERF = [
    "perf", "--model", "llama-3.1-8b", "--gpu", "h100-sxm", "--gpus", "1", "--precision",
    "bf16", "--input-tokens", "1000", "--output-tokens", "200", "--batch", "8",
]  # fmt: skip
PLAN = [
    "plan", "--model", "llama-3.1-8b", "--gpu", "h100-sxm", "--gpus", "2", "--input-tokens",
    "500", "--output-tokens", "200", "--precision", "fp8", "--engine", "vllm",
]  # fmt: skip
#: One --json invocation per command (report writes a file; its --json says where).
COMMANDS: dict[str, list[str]] = {
    "catalog": ["catalog", "gpus"],
    "memory": ["memory", "--model", "llama-3.1-8b", "--precision", "bf16", "--gpu", "l4"],
    "perf": PERF,
    "plan": PLAN,
    "compare": ["compare", CHAT],
    "breakeven": ["breakeven", CHAT],
    "sensitivity": ["sensitivity", CHAT, "--monte-carlo", "200"],
    "sampling": ["sampling", "--n", "10", "--correct", "3", "--k", "1,10"],
    "report": ["report", CHAT, "--monte-carlo", "0"],
    "calibrate": ["calibrate"],  # + a generated benchmark file (tmp_path)
    "workload": ["workload", "import"],  # + a generated usage CSV (tmp_path)
}


def _no_constant(name: str) -> Any:
    raise AssertionError(f"JSON holds {name}, which is not JSON")


def _run_json(argv: list[str], capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    assert main([*argv, "--json"]) == 0, capsys.readouterr().err
    out = capsys.readouterr().out
    assert out.count("\n") == 1  # one JSON object and nothing else
    data = json.loads(out, parse_constant=_no_constant)
    assert isinstance(data, dict)
    return data


def test_every_command_is_covered():
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    assert set(sub.choices) == set(COMMANDS)


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_schema_version_is_the_first_key_of_every_command(command, capsys, tmp_path):
    argv = list(COMMANDS[command])
    if command == "report":
        argv += ["--out", str(tmp_path / "r.md")]
    if command == "calibrate":
        import _benchfiles as bench

        runs = bench.runs([(1000, 200), (2000, 500)], [1, 8, 32], seed=3)
        argv += [str(bench.write_csv(runs, tmp_path / "runs.csv"))]
    if command == "workload":
        usage = tmp_path / "usage.csv"
        usage.write_text(
            "ts,prompt,completion\n2026-01-01T10:00:00,100,20\n2026-01-02T11:00:00,300,40\n",
            encoding="utf-8",
        )
        argv += [str(usage), "--format", "csv", "--columns",
                 "timestamp=ts,input_tokens=prompt,output_tokens=completion"]
    data = _run_json(argv, capsys)
    assert SCHEMA_VERSION == "1"
    assert next(iter(data)) == "schema_version"
    assert data["schema_version"] == SCHEMA_VERSION


def test_never_is_nan_in_python_and_null_in_json(capsys):
    scenario = load_scenario(CHAT)
    model = scenario_model(scenario)
    # gpt-4o vs gpt-4o-mini: both per token, the mini is cheaper at any volume → never
    pair = breakeven(
        model, "requests_per_month", 1e5, 1e9, option_a="gpt-4o", option_b="gpt-4o-mini"
    )
    assert pair.crossings.size == 0
    assert math.isnan(pair.first)
    assert math.isnan(pair.sustained)
    data = _run_json(["breakeven", CHAT], capsys)
    never = next(
        p for p in data["pairs"] if {p["option_a"], p["option_b"]} == {"gpt-4o", "gpt-4o-mini"}
    )
    assert never["crossings"] == []
    assert never["first"] is None
    assert never["sustained"] is None


def test_payback_never_is_null_in_json(capsys):
    result = compare(load_scenario(OWNED))
    owned = [o for o in result.options if o.payback_month_vs]
    assert owned, "the owned-hardware example has an owned option with payback months"
    data = _run_json(["compare", OWNED], capsys)
    by_name = {o["name"]: o for o in data["options"]}
    for opt in owned:
        for other, month in opt.payback_month_vs.items():
            shown = by_name[opt.name]["payback_month_vs"][other]
            assert shown is None if month is None else shown == pytest.approx(month)
