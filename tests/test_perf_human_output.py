"""``llmcost perf`` text: a deployment that does not fit says so in one line with what would
fit (never NaN); the efficiency provenance paragraph only with --explain."""

from __future__ import annotations

import pytest

from llmcost.cli import main

BASE = ["perf", "--model", "llama-3.3-70b", "--gpu", "h100-sxm", "--precision", "fp8",
        "--input-tokens", "1000", "--output-tokens", "200", "--max-throughput"]  # fmt: skip


def _text(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    assert main([*BASE, *argv]) == 0
    return capsys.readouterr().out


def test_no_fit_says_what_would_fit(capsys: pytest.CaptureFixture[str]) -> None:
    text = _text(capsys, "--gpus", "1")
    assert "nan" not in text.lower()
    lines = text.splitlines()
    (no_fit,) = [line for line in lines if "does not fit" in line]
    hint = lines[lines.index(no_fit) + 1]
    assert hint.strip().startswith("would fit with:")
    # each suggestion is true: 2 GPUs fit, and the tuned engine fits (tests/test_engine_knobs.py)
    assert "--gpus 2" in hint
    assert "--gpu-memory-utilization 0.95" in hint
    assert "does not fit" not in _text(capsys, "--gpus", "2")


def test_provenance_only_with_explain(capsys: pytest.CaptureFixture[str]) -> None:
    short = _text(capsys, "--gpus", "2")
    assert "Source:" not in short
    assert "(sources: --explain)" in short
    long = _text(capsys, "--gpus", "2", "--explain")
    assert "Source:" in long
