"""``perf --layout best`` refuses --speculative instead of ranking layouts without it."""

from __future__ import annotations

import pytest

from llmcost.cli import main


def test_layout_best_refuses_speculative(capsys: pytest.CaptureFixture[str]) -> None:
    code = main([
        "perf", "--model", "llama-3.1-8b", "--gpu", "h100-sxm", "--gpus", "2", "--precision",
        "bf16", "--input-tokens", "1000", "--output-tokens", "200", "--layout", "best",
        "--max-throughput", "--speculative", "ngram", "--acceptance-rate", "0.6",
    ])  # fmt: skip
    out, err = capsys.readouterr()
    assert code == 2
    assert out == ""
    assert "--layout best does not search with speculative decoding" in err
    assert err.count("\n") == 1
