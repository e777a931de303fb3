"""The CLI starts fast: parsing and help import neither the analysis stack nor the optional
extras (issue 16). Each check runs the entry point in a fresh interpreter and inspects
``sys.modules`` afterwards; the start-up time itself is printed by
``benchmarks/cli_startup.py``, not asserted here."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

#: Imported only by the commands that use them (scipy: the analysis layer; pandas: frames).
HEAVY = ("scipy", "matplotlib", "openpyxl", "pandas", "pyarrow", "dask", "xarray")

_PROBE = """
import contextlib, io, json, sys
from llmcost.cli import main
with contextlib.redirect_stdout(io.StringIO()):
    try:
        main({argv!r})
    except SystemExit:
        pass
print(json.dumps(sorted({{m.split(".")[0] for m in sys.modules}})))
"""


def _modules_after(argv: list[str]) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", _PROBE.format(argv=argv)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


@pytest.mark.parametrize(
    "argv",
    [
        ["--help"],
        ["perf", "--help"],
        ["compare", "--help"],
        ["sensitivity", "--help"],
        ["report", "--help"],
    ],
)
def test_help_imports_no_heavy_package(argv: list[str]) -> None:
    loaded = _modules_after(argv)
    assert not loaded & set(HEAVY), f"{argv} imported {sorted(loaded & set(HEAVY))}"


@pytest.mark.parametrize("entity", ["models", "gpus", "apis", "gpu-prices"])
def test_catalog_listing_imports_no_heavy_package(entity: str) -> None:
    loaded = _modules_after(["catalog", entity, "--json"])
    assert "pydantic" in loaded  # the probe does run the command (records are validated)
    assert not loaded & set(HEAVY), f"catalog {entity} imported {sorted(loaded & set(HEAVY))}"


def test_a_command_that_needs_scipy_still_gets_it() -> None:
    """The probe can see a heavy import: sensitivity analysis does load scipy."""
    scenario = Path(__file__).parents[1] / "examples" / "scenarios" / "chat-assistant.toml"
    loaded = _modules_after(["sensitivity", str(scenario), "--json"])
    assert "scipy" in loaded


def test_sampling_choices_match_the_analysis_layer() -> None:
    from llmcost.analysis.space import SAMPLING_METHODS
    from llmcost.cli.sensitivity import SAMPLING_CHOICES

    assert tuple(SAMPLING_CHOICES) == tuple(SAMPLING_METHODS)
