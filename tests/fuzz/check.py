"""Run one generated case through the CLI in-process and classify the outcome."""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import tempfile
from pathlib import Path
from typing import Any

from llmcost.cli import main

OUTCOMES = ("ok", "bad_input")


def _finite_totals(payload: dict[str, Any]) -> bool:
    """Every feasible option's monthly cost is a finite number."""
    for o in payload.get("options", []):
        if o.get("feasible") and not (
            isinstance(o.get("monthly_cost_usd"), float | int)
            and math.isfinite(o["monthly_cost_usd"])
        ):
            return False
    return True


def run_case(toml_text: str, extra: list[str] | None = None) -> tuple[str, str]:
    """Write the scenario to a fresh directory, run ``compare --json --csv``, and return
    (outcome, detail). Raises AssertionError on a broken contract: a traceback (any other
    exception), a non-finite total, more than one error line, a changed input, a stray file."""
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "s.toml"
        path.write_text(toml_text, encoding="utf-8")
        before = path.read_bytes()
        out, err = io.StringIO(), io.StringIO()
        argv = ["compare", str(path), "--json", "--csv", str(Path(d) / "out.csv"), *(extra or [])]
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(argv)
        assert path.read_bytes() == before, "input file changed"
        files = sorted(os.listdir(d))
        if code == 0:
            payload = json.loads(out.getvalue())
            assert _finite_totals(payload), "a feasible option with a non-finite total"
            assert files == ["out.csv", "s.toml"], files
            return "ok", ""
        message = err.getvalue()
        assert code == 2, (code, message)
        assert message.count("\n") == 1, message
        assert message.startswith("llmcost: error: "), message
        assert "np.float64(" not in message, message
        assert "datetime.date(" not in message, message
        assert not any(ord(c) < 32 for c in message.rstrip("\n")), message
        assert files == ["s.toml"], files  # a failing command writes nothing
        return "bad_input", message
