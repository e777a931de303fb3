"""One or more real ``--json`` invocations per published schema (src/llmcost/schemas/).

``samples(tmp)`` returns ``{schema name: [argv, …]}``; files the commands read (a benchmark
run, a usage export, a workload file) are written under ``tmp`` first.
"""

from __future__ import annotations

from pathlib import Path

import _benchfiles as bench

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = sorted((ROOT / "examples" / "scenarios").glob("*.toml"))
CHAT = str(ROOT / "examples" / "scenarios" / "chat-assistant.toml")
OWNED = str(ROOT / "examples" / "scenarios" / "owned-hardware.toml")
_DEPLOY = ["--model", "llama-3.1-8b", "--gpu", "h100-sxm", "--precision", "bf16"]
_TOKENS = ["--input-tokens", "1000", "--output-tokens", "200"]
_USAGE = "ts,prompt,completion\n2026-01-01T10:00:00,100,20\n2026-01-02T11:00:00,300,40\n"
_COLUMNS = "timestamp=ts,input_tokens=prompt,output_tokens=completion"


def samples(tmp: Path) -> dict[str, list[list[str]]]:
    """Every schema's invocations, without ``--json`` (the caller adds it)."""
    runs = bench.runs([(1000, 200), (2000, 500)], [1, 8, 32], seed=3)
    bench_csv = str(bench.write_csv(runs, tmp / "runs.csv"))
    usage = tmp / "usage.csv"
    usage.write_text(_USAGE, encoding="utf-8")
    workload_file = tmp / "workload.toml"
    imported = ["workload", "import", str(usage), "--format", "csv", "--columns", _COLUMNS]
    perf = ["perf", *_DEPLOY, *_TOKENS]
    return {
        "catalog-models": [["catalog", "models"]],
        "catalog-gpus": [["catalog", "gpus"]],
        "catalog-apis": [["catalog", "apis"]],
        "catalog-gpu-prices": [["catalog", "gpu-prices"]],
        "memory": [
            ["memory", "--model", "llama-3.1-8b", "--precision", "bf16", "--gpu", "l4"],
            ["memory", "--model", "llama-3.1-70b", "--precision", "fp8"],
        ],
        "perf": [
            [*perf, "--gpus", "1", "--batch", "8"],
            [*perf, "--gpus", "1", "--max-throughput"],
            [*perf, "--gpus", "1", "--request-rate", "2"],
            [*perf, "--gpus", "2", "--tpot-slo-s", "0.05", "--layout", "best"],
        ],
        "perf-disaggregated": [
            [*perf, "--disaggregated", "1:1"],
            [*perf, "--disaggregated", "2:1", "--request-rate", "5", "--ttft-slo-s", "1"],
        ],
        "plan": [
            [
                "plan",
                *_DEPLOY[:4],
                "--gpus",
                "2",
                *_TOKENS,
                "--precision",
                "fp8",
                "--engine",
                "vllm",
            ]
        ],
        "compare": [["compare", str(s)] for s in SCENARIOS],
        "breakeven": [["breakeven", CHAT], ["breakeven", OWNED]],
        "sensitivity": [["sensitivity", CHAT], ["sensitivity", CHAT, "--monte-carlo", "200"]],
        "sensitivity-growth": [
            ["sensitivity", CHAT, "--growth", "--growth-sd", "0.02", "--monte-carlo", "200"]
        ],
        "sampling": [["sampling", "--n", "10", "--correct", "3", "--k", "1,10"]],
        "report": [["report", CHAT, "--monte-carlo", "0", "--out", str(tmp / "r.md")]],
        "calibrate": [["calibrate", bench_csv]],
        "workload-import": [imported, [*imported, "--out", str(workload_file)]],
        "workload-show": [["workload", "show", str(workload_file)]],
    }
