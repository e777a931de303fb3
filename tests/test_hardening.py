"""Issue #19: every repro exits 2 (CLI) or raises an LlmcostError (API) with one line naming
the field; a failing command leaves the output directory exactly as it was."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import numpy as np
import pytest

import llmcost
from llmcost import LlmcostError
from llmcost.cli import main
from llmcost.export.output import check_target, write_all

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "scenarios"
CHAT = EXAMPLES / "chat-assistant.toml"


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(argv)
    err = capsys.readouterr().err
    return code, err


def _variant(tmp_path: Path, old: str, new: str, src: Path = CHAT) -> Path:
    text = src.read_text()
    assert old in text
    out = tmp_path / "s.toml"
    out.write_text(text.replace(old, new, 1))
    return out


def _snapshot(d: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in d.iterdir() if p.is_file()}


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("min_replicas = 1 ", "min_replicas = " + "9" * 400 + " ", "min_replicas"),
        ("requests_per_month = 5_000_000", "requests_per_month = true", "requests_per_month"),
        ("target_utilization = 0.8 ", "target_utilization = 1e-300 ", "target_utilization"),
        ("min_replicas = 1 ", "min_replicas = 1000000000000000000000000000000 ", "min_replicas"),
        ('name = "gpt-4o-mini"', 'name = "gpt\\u0007mini"', "name"),
        ('name = "gpt-4o-mini"', 'name = "gpt\\u202emini"', "name"),
        ('offer = "openai/gpt-4o"\n', 'offer = "x"\nbatch_discount_fraction = 1.0\n', "batch"),
        (
            'offer = "openai/gpt-4o"\n',
            'offer = "openai/gpt-4o"\ninput_usd_per_mtok = 1.0\ncached_input_usd_per_mtok = 2.0\n',
            "cached_input_usd_per_mtok",
        ),
        (
            'offer = "openai/gpt-4o"\n',
            'offer = "openai/gpt-4o"\ninput_usd_per_mtok = 1e308\n',
            "input",
        ),
        ("gpus_per_replica = 8", "gpus_per_replica = 8\ntp = 4096", "tp"),
        ("min_replicas = 1 ", "min_replicas = 1\nmax_replicas = 10000000 ", "max_replicas"),
    ],
)
def test_nonsense_in_a_scenario_exits_2_naming_the_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], old: str, new: str, field: str
) -> None:
    path = _variant(tmp_path, old, new)
    code, err = _run(["compare", str(path)], capsys)
    assert code == 2
    assert field in err
    assert "Traceback" not in err
    assert err.count("\n") == 1  # one line: control characters escaped, not echoed
    assert "\x07" not in err
    assert "\u202e" not in err
    # the API raises the same
    with pytest.raises(LlmcostError, match=field):
        llmcost.compare(path)


@pytest.mark.parametrize("command", ["compare", "breakeven", "sensitivity"])
def test_huge_purchase_price_exits_2_in_every_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    src = EXAMPLES / "owned-hardware.toml"
    text = src.read_text()
    start = text.index("purchase_usd_per_gpu = ")
    end = text.index("\n", start)
    path = tmp_path / "owned.toml"
    path.write_text(text[:start] + "purchase_usd_per_gpu = 1e300" + text[end:])
    code, err = _run([command, str(path)], capsys)
    assert code == 2
    assert "purchase_usd_per_gpu" in err


def test_memory_refuses_fp4_on_h100_like_perf(capsys: pytest.CaptureFixture[str]) -> None:
    code, err = _run(
        ["memory", "--model", "llama-3.1-8b", "--precision", "fp4", "--gpu", "h100-sxm"], capsys
    )
    assert code == 2
    assert "fp4" in err
    assert "h100-sxm" in err


def test_api_accepts_a_path_or_a_scenario() -> None:
    by_path = llmcost.compare(str(CHAT))
    by_scenario = llmcost.compare(llmcost.load_scenario(CHAT))
    assert by_path.cheapest == by_scenario.cheapest
    with pytest.raises(LlmcostError, match="scenario must be"):
        llmcost.compare(42)  # type: ignore[arg-type]


@pytest.mark.parametrize("shape", [(0,), (100_000, 1_000)])
def test_model_refuses_empty_and_oversized_grids(shape: tuple[int, ...]) -> None:
    model = llmcost.scenario_model(CHAT)
    grid = np.broadcast_to(np.float64(1e6), shape)  # a view: no memory for the big one
    with pytest.raises(LlmcostError, match="points"):
        model({"requests_per_month": grid})


@pytest.mark.parametrize(
    ("out", "words"),
    [
        ("sub/", "directory"),
        ("s.toml", "ending in"),
        ("x.pdf", "ending in"),
        ("/dev/full", "ending in"),
        ("missing/r.html", "does not exist"),
    ],
)
def test_report_bad_out_exits_2_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], out: str, words: str
) -> None:
    shutil.copy(CHAT, tmp_path / "s.toml")
    (tmp_path / "sub").mkdir()
    before = _snapshot(tmp_path)
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        code, err = _run(["report", "s.toml", "--out", out, "--monte-carlo", "0"], capsys)
    finally:
        os.chdir(cwd)
    assert code == 2
    assert words in err
    assert "--out" in err
    assert _snapshot(tmp_path) == before
    assert sorted(p.name for p in (tmp_path / "sub").iterdir()) == []


def test_report_existing_file_needs_force(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "r.html"
    target.write_text("mine")
    argv = ["report", str(CHAT), "--out", str(target), "--monte-carlo", "0"]
    code, err = _run(argv, capsys)
    assert code == 2
    assert "--force" in err
    assert target.read_text() == "mine"
    assert main([*argv, "--force"]) == 0
    assert target.read_text().startswith("<!")
    assert sorted(os.listdir(tmp_path)) == ["r.html"]


def test_report_format_must_match_the_suffix(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["report", str(CHAT), "--out", str(tmp_path / "r.html"), "--format", "md"]
    code, err = _run([*argv, "--monte-carlo", "0"], capsys)
    assert code == 2
    assert "--format" in err
    assert os.listdir(tmp_path) == []


def test_write_report_to_a_directory_is_an_llmcost_error(tmp_path: Path) -> None:
    result = llmcost.compare(CHAT)
    with pytest.raises(LlmcostError, match="directory"):
        llmcost.write_report(result, tmp_path)


def test_compare_refuses_to_overwrite_its_scenario(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = tmp_path / "s.csv"  # a scenario file with a .csv name: still an input
    shutil.copy(CHAT, scenario)
    before = _snapshot(tmp_path)
    code, err = _run(["compare", str(scenario), "--csv", str(scenario), "--force"], capsys)
    assert code == 2
    assert "input" in err
    assert _snapshot(tmp_path) == before


def test_a_failing_output_leaves_nothing_behind(tmp_path: Path) -> None:
    good, bad = tmp_path / "a.csv", tmp_path / "b.xlsx"

    def fail(path: Path) -> None:
        path.write_text("half")
        raise OSError(28, "No space left on device")

    with pytest.raises(LlmcostError, match="No space left"):
        write_all([(good, lambda p: p.write_text("ok")), (bad, fail)])
    assert os.listdir(tmp_path) == []


def test_check_target_rules(tmp_path: Path) -> None:
    (tmp_path / "in.toml").write_text("x")
    with pytest.raises(LlmcostError, match="input"):
        check_target(tmp_path / "in.toml", "--out", (".toml",), inputs=[tmp_path / "in.toml"])
    assert check_target(tmp_path / "new.csv", "--csv", (".csv",)) == tmp_path / "new.csv"


def test_public_namespace_has_no_accidental_names() -> None:
    public = {n for n in dir(llmcost) if not n.startswith("_")}
    assert public <= set(llmcost.__all__)
    for name in ("Any", "TYPE_CHECKING", "annotations", "import_module"):
        assert not hasattr(llmcost, name)


def test_compare_reports_the_files_it_wrote(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    csv = tmp_path / "o.csv"
    assert main(["compare", str(CHAT), "--json", "--csv", str(csv)]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["written"] == {"csv": str(csv)}
    assert sorted(os.listdir(tmp_path)) == ["o.csv"]
