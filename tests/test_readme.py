"""README's code is real: the Python block runs, the TOML block is a valid scenario, the quick
start is what CI runs."""

from __future__ import annotations

import contextlib
import io
import re
import tomllib
from pathlib import Path

import pytest

from llmcost.scenario import compare, parse_scenario

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, flags=re.DOTALL)


def test_quick_start_is_two_commands_and_ci_runs_them() -> None:
    (quick_start,) = _blocks("bash")[:1]
    commands = [line for line in quick_start.splitlines() if line.strip()]
    assert len(commands) == 2
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    install_and_run, tests = commands
    assert 'pip install -e ".[dev]"' in install_and_run
    main_job = install_and_run.split("&&")[1].strip()
    assert main_job in ci
    assert tests in ci


def test_python_block_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("openpyxl")
    (code,) = _blocks("python")
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {}
    exec(compile(code, "README.md", "exec"), namespace)  # our own README, not user input
    assert (tmp_path / "chat.xlsx").stat().st_size > 0
    pair = namespace["pair"]
    assert len(pair.crossings) >= 1  # type: ignore[attr-defined]


@pytest.mark.filterwarnings("ignore::llmcost.StaleCatalogWarning")  # catalog medians, by design
def test_toml_block_is_a_valid_scenario() -> None:
    (text,) = _blocks("toml")
    scenario = parse_scenario(tomllib.loads(text), source="README.md")
    assert compare(scenario).cheapest is not None


def test_quick_start_output_is_what_the_command_prints() -> None:
    """The printed comparison under the quick start is the command's real output, line for line.

    README shows the first lines and ends with "…"; every shown line must equal the line the
    command prints at that place (trailing spaces aside), so a model change that moves a figure
    fails here until README is updated.
    """
    from llmcost.cli import main

    shown = README.split("The comparison prints:\n\n```\n", 1)[1].split("```", 1)[0]
    shown_lines = shown.rstrip("\n").split("\n")
    assert shown_lines[-1] == "…"
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        code = main(["compare", str(ROOT / "examples" / "scenarios" / "chat-assistant.toml")])
    assert code in (0, None)
    printed = [line.rstrip() for line in buffer.getvalue().split("\n")]
    assert shown_lines[:-1] == printed[: len(shown_lines) - 1]
