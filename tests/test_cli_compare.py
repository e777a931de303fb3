"""``llmcost compare``: the JSON contract of docs/architecture.md §4, the text table,
errors → exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from llmcost.cli import main

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = sorted((ROOT / "examples" / "scenarios").glob("*.toml"))


def _json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict:
    assert main(["compare", *argv, "--json"]) == 0
    out = capsys.readouterr()
    assert out.err == ""
    return json.loads(out.out)


def test_bundled_scenarios_exist() -> None:
    names = {p.name for p in SCENARIOS}
    assert "chat-assistant.toml" in names
    assert len(names) >= 3


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_every_bundled_scenario_runs(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = _json(capsys, str(path))
    assert data["scenario"]  # the file's `name`, else its stem
    assert data["catalog_version"]
    assert len(data["options"]) >= 2
    for opt in data["options"]:
        assert {
            "name",
            "kind",
            "monthly_cost_usd",
            "usd_per_mtok",
            "components",
            "gpus",
            "replicas",
            "utilization",
            "feasible",
            "warnings",
        } <= set(opt)
        if opt["monthly_cost_usd"] is not None:
            assert sum(opt["components"].values()) == pytest.approx(opt["monthly_cost_usd"])
            assert opt["monthly_cost_usd"] > 0
    feasible = [o for o in data["options"] if o["feasible"]]
    cheapest = min(feasible, key=lambda o: o["monthly_cost_usd"])
    assert data["cheapest"] == cheapest["name"]


def test_default_scenario_compares_the_issue_options(capsys: pytest.CaptureFixture[str]) -> None:
    data = _json(capsys, str(ROOT / "examples/scenarios/chat-assistant.toml"))
    by_name = {o["name"]: o for o in data["options"]}
    kinds = {o["kind"] for o in data["options"]}
    assert kinds == {"api", "self_hosted"}
    offers = {o["details"].get("offer") for o in data["options"]}
    assert {"openai/gpt-4o", "openai/gpt-4o-mini", "together/llama-4-maverick"} <= offers
    models = {o["details"].get("model") for o in data["options"]}
    assert {"llama-4-maverick", "llama-3.3-70b"} <= models
    maverick = by_name["maverick-8xh100"]
    assert maverick["gpus"] >= 8
    assert maverick["ttft_s"] <= 2.0
    assert maverick["tpot_s"] <= 0.05


def test_as_of_changes_prices(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "gpt4o.toml"
    path.write_text(
        "[workload]\nrequests_per_month = 3_000_000\ninput_tokens_per_request = 1500\n"
        "output_tokens_per_request = 300\ncached_input_fraction = 0.5\n"
        '[[options]]\nname = "gpt-4o"\nkind = "api"\noffer = "openai/gpt-4o"\n',
        encoding="utf-8",
    )
    # 2024-09-01: $2.50 / $10, no caching yet → 20,250; 2025-06-01: half cached → 17,437.50
    old = _json(capsys, str(path), "--as-of", "2024-09-01")
    new = _json(capsys, str(path), "--as-of", "2025-06-01")
    assert old["as_of"] == "2024-09-01"
    assert old["options"][0]["monthly_cost_usd"] == pytest.approx(20_250.0)
    assert new["options"][0]["monthly_cost_usd"] == pytest.approx(17_437.5)
    assert main(["compare", str(path), "--as-of", "2020-01-01"]) == 2
    assert "allowed: 2024-05-13 or later" in capsys.readouterr().err


def test_text_table_marks_cheapest(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["compare", str(ROOT / "examples/scenarios/chat-assistant.toml")]) == 0
    text = capsys.readouterr().out
    assert "cheapest feasible option:" in text
    marked = [line for line in text.splitlines() if line.startswith("*  ")]
    assert len(marked) == 1


def test_bad_input_exits_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(
        "[workload]\nrequests_per_month = -1\ninput_tokens_per_request = 1\n"
        'output_tokens_per_request = 1\n[[options]]\nname = "a"\nkind = "api"\n'
        'offer = "openai/gpt-4o"\n',
        encoding="utf-8",
    )
    assert main(["compare", str(bad), "--json"]) == 2
    err = capsys.readouterr()
    assert err.out == ""
    assert err.err.count("\n") == 1
    assert "workload.requests_per_month = -1" in err.err
    assert main(["compare", str(tmp_path / "missing.toml")]) == 2
    assert "not found" in capsys.readouterr().err
    assert main(["compare", str(bad), "--as-of", "yesterday"]) == 2
    assert "--as-of must be a date" in capsys.readouterr().err
