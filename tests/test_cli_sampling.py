"""``llmcost sampling`` (DESIGN.md §4)."""

from __future__ import annotations

import json

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
