"""Run one generated case (CLI in-process, or an API call) and classify the outcome.

The contract (issue #19), asserted for every case: exit 0 with finite figures, or exit 2 with
one line on stderr (``llmcost: error: …``) naming the field, with no numpy or datetime repr and
no raw control character; never a traceback (any other exception or exit status), never a
partial, stray or changed file. An API call returns, or raises an :class:`LlmcostError`
subclass naming the argument.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from llmcost import LlmcostError
from llmcost.cli import main

OUTCOMES = ("ok", "bad_input")

#: Reprs that must never reach a message.
BAD_REPRS = ("np.float64(", "np.int64(", "np.str_(", "np.bool_(", "datetime.date(", "array(")


def _finite_totals(payload: dict[str, Any]) -> bool:
    """Every feasible option's monthly cost is a finite number."""
    for o in payload.get("options", []):
        if o.get("feasible") and not (
            isinstance(o.get("monthly_cost_usd"), float | int)
            and math.isfinite(o["monthly_cost_usd"])
        ):
            return False
    return True


def _no_constant(name: str) -> float:
    raise AssertionError(f"JSON output holds {name}")


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` (relative path → bytes)."""
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def check_message(message: str) -> None:
    """One line, the CLI's prefix, no numpy/datetime repr, no raw control character."""
    assert message.count("\n") == 1, message
    assert message.startswith("llmcost: error: "), message
    for bad in BAD_REPRS:
        assert bad not in message, message
    assert not any(ord(c) < 32 or c == "\x7f" for c in message.rstrip("\n")), message


def run_cli(argv: list[str], root: Path, outputs: Iterable[str] = ()) -> tuple[str, str]:
    """Run ``llmcost argv`` in-process with files under ``root``; return (outcome, detail).

    ``outputs``: paths the command may create or (with ``--force``) replace when it succeeds.
    Raises AssertionError on a broken contract.
    """
    before = snapshot(root)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as exc:  # argparse exits only for --help / --version
            raise AssertionError(f"SystemExit({exc.code}) from {argv}") from None
    after = snapshot(root)
    if code == 0:
        r = root.resolve()
        allowed = {str(Path(p).resolve().relative_to(r)) for p in _inside(outputs, root)}
        for name, data in before.items():
            assert name in allowed or after.get(name) == data, f"input {name} changed or removed"
        stray = set(after) - set(before) - allowed
        assert not stray, f"stray files {sorted(stray)}"
        if "--json" in argv:
            payload = json.loads(out.getvalue(), parse_constant=_no_constant)
            if isinstance(payload, dict):
                assert _finite_totals(payload), "a feasible option with a non-finite total"
        return "ok", ""
    message = err.getvalue()
    assert code == 2, (code, message)
    check_message(message)
    assert after == before, "a failing command changed the files"
    return "bad_input", message


def _inside(paths: Iterable[str], root: Path) -> list[str]:
    r = root.resolve()
    return [p for p in paths if Path(p).resolve().is_relative_to(r)]


def run_case(toml_text: str, extra: list[str] | None = None) -> tuple[str, str]:
    """Write the scenario to a fresh directory, run ``compare --json --csv``, and return
    (outcome, detail). Raises AssertionError on a broken contract: a traceback (any other
    exception), a non-finite total, more than one error line, a changed input, a stray file."""
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "s.toml"
        path.write_text(toml_text, encoding="utf-8")
        csv = str(Path(d) / "out.csv")
        argv = ["compare", str(path), "--json", "--csv", csv, *(extra or [])]
        outcome, message = run_cli(argv, Path(d), outputs=[csv])
        if outcome == "ok":
            assert sorted(os.listdir(d)) == ["out.csv", "s.toml"]
        return outcome, message


def run_api(call: Callable[[], Any], names: Iterable[str]) -> tuple[str, str]:
    """Call ``call()``; return ("ok", "") or ("bad_input", message) when it raises an
    :class:`LlmcostError` whose one-line message names one of ``names`` (the arguments the
    case made bad). Any other exception propagates: a broken contract."""
    try:
        result = call()
    except LlmcostError as exc:
        message = str(exc)
        check_message(f"llmcost: error: {message}\n")
        wanted = list(names)
        assert any(n in message for n in wanted), (wanted, message)
        return "bad_input", message
    check_result(result)
    return "ok", ""


def check_result(result: Any) -> None:
    """A returned result holds no infinity in its table (NaN marks "does not apply")."""
    frame = getattr(result, "to_frame", None)
    if frame is None:
        return
    import numpy as np

    table = frame()
    numbers = table.select_dtypes("number").to_numpy(dtype=float)
    assert not np.isinf(numbers).any(), "an infinite figure in a result table"
