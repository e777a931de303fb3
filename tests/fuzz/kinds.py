"""The four fuzz kinds (issue #19) as generators of runnable cases, shared by the hypothesis
tests (tests/fuzz/test_fuzz_kinds.py) and benchmarks/fuzz.py.

Each kind draws one case from a :class:`~tests.fuzz.cli_cases.Picker` (a ``random.Random``,
or hypothesis' ``st.randoms()``) and returns (what was generated, a thunk returning the
outcome ``ok`` or ``bad_input``); a broken contract raises from the thunk.
"""

from __future__ import annotations

import random
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from .api_cases import api_case
from .cases import FIELDS, SPECIAL_VALUES, scenario_toml
from .catalog_cases import catalog_case
from .check import run_api, run_case, run_cli
from .cli_cases import case_dir, cli_case

__all__ = ["KINDS", "Thunk", "api_kind", "catalog_kind", "cli_kind", "scenario_kind"]


def _value(rng: random.Random) -> object:
    pick = rng.random()
    if pick < 0.5:
        return rng.choice(SPECIAL_VALUES)
    if pick < 0.7:
        return rng.randint(-(10**6), 10**6) * 10 ** rng.randint(0, 40)
    if pick < 0.9:
        return rng.choice([-1, 1]) * 10 ** rng.uniform(-320, 308)
    return "".join(rng.choice("ab=+-@ \n\x07\u202e9.") for _ in range(rng.randint(0, 8)))


Thunk = Callable[[], str]


def scenario_kind(rng: random.Random) -> tuple[str, Thunk]:
    """One scenario case: (what was generated, a thunk returning the outcome)."""
    field, value = rng.choice(FIELDS), _value(rng)
    return f"{field} = {value!r}", lambda: run_case(scenario_toml(field, value))[0]


def catalog_kind(rng: random.Random) -> tuple[str, Thunk]:
    """One damaged user catalog, costed with the base scenario."""
    case = catalog_case(rng)

    def run() -> str:
        with tempfile.TemporaryDirectory() as d:
            root = Path(d)
            (root / "cat").mkdir()
            case.write(root / "cat")
            (root / "s.toml").write_text(scenario_toml(None, None), encoding="utf-8")
            argv = ["compare", str(root / "s.toml"), "--catalog", str(root / "cat"), "--json",
                    "--csv", str(root / "out.csv")]  # fmt: skip
            outcome, message = run_cli(argv, root, outputs=[str(root / "out.csv")])
        if outcome == "bad_input":
            assert case.sheet in message or case.column in message, message
        return outcome

    return repr(case), run


def cli_kind(rng: random.Random) -> tuple[str, Thunk]:
    """One command line with one hostile flag."""
    case = cli_case(rng)

    def run() -> str:
        root = case_dir()
        try:
            argv = case.argv(root)
            return run_cli(argv, root, case.outputs(argv))[0]
        finally:
            shutil.rmtree(root, ignore_errors=True)

    return repr(case), run


def api_kind(rng: random.Random) -> tuple[str, Thunk]:
    """One API call with one hostile argument."""
    case = api_case(rng)
    return repr(case), lambda: run_api(case.call, case.names())[0]


KINDS: dict[str, Callable[[random.Random], tuple[str, Thunk]]] = {
    "scenario": scenario_kind,
    "catalog": catalog_kind,
    "cli": cli_kind,
    "api": api_kind,
}
