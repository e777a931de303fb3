"""``llmcost catalog``: tables by default, one JSON object with --json, exit 2 on bad input."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from llmcost.catalog import load_catalog
from llmcost.cli import main

# docs/architecture.md §4: `llmcost catalog models --json` lists every model id of §3
# (likewise gpus).
DESIGN_MODELS = {
    "llama-2-70b", "llama-3.1-8b", "llama-3.1-70b", "llama-3.1-405b", "llama-3.2-1b",
    "llama-3.2-3b", "llama-3.3-70b", "llama-4-scout", "llama-4-maverick", "llama-4-behemoth",
}  # fmt: skip
DESIGN_GPUS = {
    "a10g", "l4", "l40s", "a100-40gb", "a100-80gb", "a100-80gb-pcie", "h100-pcie", "h100-sxm",
    "h100-nvl", "h200", "gh200", "b200", "gb200", "mi300x", "mi325x",
}  # fmt: skip


def _json(capsys, *argv: str) -> dict:
    assert main(["catalog", *argv, "--json"]) == 0
    out = capsys.readouterr().out
    assert out.count("\n") == 1  # one JSON object and nothing else
    return json.loads(out)


def test_models_json_lists_every_design_model_with_source_and_date(capsys):
    data = _json(capsys, "models")
    assert set(data) == {"schema_version", "catalog_version", "models"}
    assert data["catalog_version"] == load_catalog().catalog_version
    assert {m["id"] for m in data["models"]} >= DESIGN_MODELS
    assert all(m["source"] and m["as_of"] for m in data["models"])
    maverick = next(m for m in data["models"] if m["id"] == "llama-4-maverick")
    assert maverick["params_total_official"] == 400e9


def test_gpus_json_lists_every_design_gpu(capsys):
    data = _json(capsys, "gpus")
    assert {g["id"] for g in data["gpus"]} >= DESIGN_GPUS
    a100 = next(g for g in data["gpus"] if g["id"] == "a100-80gb")
    assert a100["fp8_tflops"] is None


def test_apis_json_shows_latest_rows_or_those_in_force(capsys):
    latest = _json(capsys, "apis")["apis"]
    offers = {r["offer_id"] for r in latest}
    assert offers == set(load_catalog().offer_ids)
    gpt4o = [r for r in latest if r["offer_id"] == "openai/gpt-4o"]
    assert [r["input_usd_per_mtok"] for r in gpt4o] == [2.5]
    assert all(r["source"] and r["as_of"] for r in latest)
    june = _json(capsys, "apis", "--as-of", "2024-06-01")["apis"]
    assert [(r["offer_id"], r["input_usd_per_mtok"]) for r in june] == [("openai/gpt-4o", 5.0)]


def test_gpu_prices_json(capsys):
    rows = _json(capsys, "gpu-prices")["gpu_prices"]
    assert {"h100-sxm", "h200", "b200"} <= {r["gpu"] for r in rows}
    assert all(r["usd_per_gpu_hour"] > 0 and r["source"] and r["as_of"] for r in rows)


def test_table_output(capsys):
    assert main(["catalog", "gpus"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("llmcost catalog ")
    assert "h100-sxm" in out
    assert "hbm_bandwidth_gb_per_s" in out


def test_user_path(capsys, tmp_path):
    (tmp_path / "manifest.toml").write_text('catalog_version = "mine"\n')
    assert _json(capsys, "models", "--path", str(tmp_path))["catalog_version"] == "mine"


@pytest.mark.parametrize(
    "argv",
    [
        ["catalog", "engines"],
        ["catalog", "apis", "--as-of", "2024-13-01"],
        ["catalog", "models", "--path", "/nonexistent/catalog"],
    ],
)
def test_bad_input_exits_2_with_one_line_on_stderr(capsys, argv):
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1
    assert captured.err.startswith("llmcost: error:")


def test_python_m_llmcost_subprocess():
    ok = subprocess.run(
        [sys.executable, "-m", "llmcost", "catalog", "gpus", "--json"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert ok.returncode == 0, ok.stderr
    assert {g["id"] for g in json.loads(ok.stdout)["gpus"]} >= DESIGN_GPUS
    bad = subprocess.run(
        [sys.executable, "-m", "llmcost", "catalog", "prices", "--json"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert bad.returncode == 2
    assert bad.stdout == ""
    assert bad.stderr.count("\n") == 1
    assert "invalid choice" in bad.stderr
