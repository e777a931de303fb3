"""Issue #19, safe output for the remaining writers: ``perf --grid --out``, ``calibrate
--out/--plot`` and ``workload import --out``.

Each target is checked before any work (a file in an existing directory, a known suffix, not
an input, replaced only with ``--force``), written to a temporary file and moved into place;
after any failure the directory holds exactly what it held before. Real files in tmp dirs.
"""

from __future__ import annotations

import json
import shutil
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.fuzz.cli_cases import case_dir

from llmcost.cli import main

PERF = ["perf", "--grid", "{d}/grid.csv", "--out"]
CALIBRATE = ["calibrate", "{d}/runs.csv", "--out"]
IMPORT = ["workload", "import", "{d}/spend.csv", "--format", "litellm", "--out"]


@pytest.fixture
def d() -> Iterator[Path]:
    root = case_dir()  # s.toml, runs.csv, spend.csv, w.toml, grid.csv, prices.csv
    yield root
    shutil.rmtree(root, ignore_errors=True)


def _snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def _run(argv: list[str], d: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main([a.replace("{d}", str(d)) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def _refused(argv: list[str], d: Path, capsys: pytest.CaptureFixture[str], *parts: str) -> None:
    before = _snapshot(d)
    code, _, err = _run(argv, d, capsys)
    assert code == 2, err
    assert err.count("\n") == 1, err
    assert err.startswith("llmcost: error: "), err
    for part in parts:
        assert part in err, (part, err)
    assert _snapshot(d) == before  # nothing written, nothing left behind


@pytest.mark.parametrize(
    ("command", "name"),
    [(PERF, "rows.csv"), (PERF, "rows.json"), (CALIBRATE, "p.toml"), (IMPORT, "w2.toml")],
)
def test_writes_a_new_file_and_replaces_it_only_with_force(
    command: list[str], name: str, d: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = [*command, f"{{d}}/{name}", "--json"]
    code, _, err = _run(argv, d, capsys)
    assert code == 0, err
    target = d / name
    first = target.read_bytes()
    assert first
    if name.endswith(".toml"):
        tomllib.loads(first.decode())
    elif name.endswith(".json"):
        assert json.loads(first)["results"]
    assert not [p.name for p in d.iterdir() if p.name.startswith(".")]  # no temporary left
    target.write_text("mine")
    _refused(argv, d, capsys, repr(str(target)), "exists; pass --force")
    code, _, err = _run([*argv, "--force"], d, capsys)
    assert code == 0, err
    assert target.read_bytes() == first


@pytest.mark.parametrize("command", [PERF, CALIBRATE, IMPORT])
@pytest.mark.parametrize(
    ("target", "says"),
    [
        ("{d}", "is a directory"),
        ("{d}/", "is a directory"),
        ("{d}/missing/x.toml", "does not exist"),
        ("{d}/x.pdf", "expected a file ending in"),
        ("/dev/full", "expected a file ending in"),
    ],
)
def test_bad_targets_are_refused_before_any_work(
    command: list[str], target: str, says: str, d: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _refused([*command, target], d, capsys, "--out", says)


def test_an_input_is_never_a_target(d: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _refused([*PERF, "{d}/grid.csv", "--force"], d, capsys, "is an input file of this command")
    (d / "runs.toml").write_text("x")  # calibrate refuses it as output even as a bad input
    _refused(
        ["calibrate", "{d}/runs.toml", "--out", "{d}/runs.toml", "--force"],
        d,
        capsys,
        "is an input file of this command",
    )


def test_calibrate_writes_both_outputs_or_neither(
    d: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("matplotlib")
    _refused([*CALIBRATE, "{d}/p.toml", "--plot", "{d}/p.txt"], d, capsys, "--plot")
    _refused([*CALIBRATE, "{d}/p.toml", "--plot", "{d}/nope/p.png"], d, capsys, "--plot")
    (d / "p.png").write_text("mine")
    _refused([*CALIBRATE, "{d}/p.toml", "--plot", "{d}/p.png"], d, capsys, "pass --force")
    code, out, err = _run([*CALIBRATE, "{d}/p.toml", "--plot", "{d}/p.svg", "--json"], d, capsys)
    assert code == 0, err
    payload = json.loads(out)
    assert payload["written"] == str(d / "p.toml")
    assert payload["plot"] == str(d / "p.svg")
    assert (d / "p.svg").read_text().lstrip().startswith("<?xml")
    assert tomllib.loads((d / "p.toml").read_text())["base"] == "vllm"
