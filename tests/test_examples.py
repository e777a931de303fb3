"""Every worked example in ``examples/`` runs as a script, exits cleanly and prints its verdict.

Each example runs in a fresh interpreter (as a user would run it), with matplotlib on the Agg
backend and any figures written to a temporary directory. The figures of the examples that
make them must appear there. The numbers the verdicts print are checked in
``tests/test_claims.py``.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES_DIR = Path(__file__).resolve().parents[1] / "examples"
EXAMPLES = sorted(EXAMPLES_DIR.glob("*.py"))
#: Figures each example writes when LLMCOST_EXAMPLES_OUT is set.
FIGURES = {
    "maverick_vs_gpt4o.py": ["maverick_vs_gpt4o_map.png"],
    "chat_assistant.py": ["chat_assistant_costs.png", "chat_assistant_tornado.png"],
}


def test_every_worked_example_is_present() -> None:
    names = {p.name for p in EXAMPLES}
    assert {
        "scout_on_one_h100.py",
        "maverick_vs_gpt4o.py",
        "repeated_sampling.py",
        "spiky_vs_steady.py",
        "long_context_multimodal.py",
        "chat_assistant.py",
        "batch_summarisation.py",
        "agent_prompt_caching.py",
    } <= names


@pytest.mark.parametrize("script", EXAMPLES, ids=lambda p: p.name)
def test_example_runs_and_prints_its_verdict(script: Path, tmp_path: Path) -> None:
    env = {**os.environ, "MPLBACKEND": "Agg", "LLMCOST_EXAMPLES_OUT": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,  # examples must not depend on the working directory
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    verdicts = [line for line in done.stdout.splitlines() if line.startswith("VERDICT: ")]
    assert len(verdicts) == 1, done.stdout[-2000:]
    verdict = verdicts[0]
    assert "Assumptions" in verdict  # a verdict states what it rests on
    assert not re.search(r"\b(nan|inf)\b", verdict, re.IGNORECASE)  # no undefined number
    assert re.search(r"\d", verdict)  # the verdict gives its numbers
    # Nothing on stderr but the catalog's staleness warnings (a warning line, then the source
    # line Python echoes indented below it).
    others = [
        line
        for line in done.stderr.splitlines()
        if line.strip() and not line.startswith(" ") and "StaleCatalogWarning" not in line
    ]
    assert not others, done.stderr[-3000:]
    for figure in FIGURES.get(script.name, []):
        assert (tmp_path / figure).stat().st_size > 1000, figure
