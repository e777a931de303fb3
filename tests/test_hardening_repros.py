"""Issue #19, the repros not in tests/test_hardening.py: each exits 2 with one line naming the
field (the API raises an LlmcostError), and every command that writes files leaves its output
directory exactly as it was when it fails."""

from __future__ import annotations

from pathlib import Path

import pytest

import llmcost
from llmcost import LlmcostError
from llmcost.cli import main

CHAT = Path(__file__).resolve().parents[1] / "examples" / "scenarios" / "chat-assistant.toml"


def _variant(directory: Path, old: str, new: str) -> Path:
    text = CHAT.read_text(encoding="utf-8")
    assert old in text
    path = directory / "s.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "field", "allowed"),
    [
        # no upper bound on pp/ep (issue: "no upper bound on tp/pp/ep/max_replicas")
        ("gpus_per_replica = 8", "gpus_per_replica = 8\npp = 4096", ".pp", "≤ 1024"),
        ("gpus_per_replica = 8", "gpus_per_replica = 8\nep = 4096", ".ep", "≤ 1024"),
        # tp = 3 for a model whose heads it does not split, given or inferred from the GPUs
        ("gpus_per_replica = 2", "gpus_per_replica = 2\ntp = 3", ".tp", "allowed tp: 1, 2, 4"),
        ("gpus_per_replica = 2", "gpus_per_replica = 3", ".tp", "allowed tp: 1, 2, 4"),
        # "per_month must be finite" (which field?): the message names the path
        ("fixed_usd_per_month = 1_000", "fixed_usd_per_month = nan", ".fixed_usd_per", "finite"),
        ("fixed_usd_per_month = 1_000", "fixed_usd_per_month = inf", ".fixed_usd_per", "finite"),
        ("growth_per_month = 0.05", "growth_per_month = inf", "workload.growth_per_month", "≤ 10"),
        # names with newlines or raw control/bidi characters are escaped, not echoed
        ('name = "gpt-4o-mini"', 'name = "gpt\\nmini"', ".name", "control or bidi"),
        ('engine = "vllm"', 'engine = "vllm\\u202e"', ".engine", "'vllm'"),
    ],
)
def test_repro_exits_2_naming_the_field(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    old: str,
    new: str,
    field: str,
    allowed: str,
) -> None:
    path = _variant(tmp_path, old, new)
    assert main(["compare", str(path)]) == 2
    err = capsys.readouterr().err
    assert field in err, err
    assert allowed in err, err
    assert err.count("\n") == 1  # one line: a newline in a name is shown as \n
    assert not any(c in err[:-1] for c in "\x07\u202e\r\n")
    for repr_start in ("Traceback", "np.float64(", "datetime.date("):
        assert repr_start not in err
    with pytest.raises(LlmcostError, match=field.lstrip(".")):
        llmcost.compare(path)


def _tree(d: Path) -> dict[str, bytes | None]:
    return {str(p.relative_to(d)): p.read_bytes() if p.is_file() else None for p in d.rglob("*")}


def _files(d: Path) -> None:
    """Inputs of every writing command: a bad scenario, grid, benchmark file and usage log."""
    _variant(d, "min_replicas = 1 ", "min_replicas = " + "9" * 400 + " ")  # d/s.toml, bad
    (d / "good.toml").write_text(CHAT.read_text(encoding="utf-8"), encoding="utf-8")
    (d / "grid.csv").write_text("model,gpu,gpus\nllama-3.1-8b,h100-sxm,nan\n", encoding="utf-8")
    (d / "bench.json").write_text('{"not": "a benchmark"}', encoding="utf-8")
    (d / "usage.csv").write_text("when,what\n1,2\n", encoding="utf-8")
    (d / "sub").mkdir()
    (d / "mine.csv").write_text("the user's own file", encoding="utf-8")


FAILING = [
    ["compare", "s.toml", "--csv", "o.csv", "--xlsx", "o.xlsx"],
    ["compare", "good.toml", "--csv", "o.csv", "--xlsx", "sub/"],  # the 2nd output fails
    ["compare", "good.toml", "--csv", "mine.csv", "--xlsx", "o.xlsx"],  # exists, no --force
    ["report", "s.toml", "--out", "r.html", "--monte-carlo", "0"],
    ["report", "good.toml", "--out", "s.toml", "--monte-carlo", "0", "--force"],  # its input
    ["perf", "--grid", "grid.csv", "--out", "g.csv"],
    [
        "plan",
        "--model",
        "llama-3.1-8b",
        "--gpu",
        "nope",
        "--input-tokens",
        "100",
        "--output-tokens",
        "100",
        "--chart",
        "c.png",
    ],
    ["calibrate", "bench.json", "--out", "p.toml", "--plot", "p.png"],
    ["workload", "import", "usage.csv", "--out", "w.toml"],
]


@pytest.mark.parametrize("argv", FAILING, ids=lambda a: " ".join(a[:2]))
def test_a_failing_command_leaves_the_directory_as_it_was(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    argv: list[str],
) -> None:
    _files(tmp_path)
    monkeypatch.chdir(tmp_path)
    before = _tree(tmp_path)
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert "Traceback" not in err
    assert _tree(tmp_path) == before
