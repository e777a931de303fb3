"""Fuzz benchmark (issue #19): run N generated cases (default 10,000) in-process and print the
count per kind and outcome.

Kinds (generators in tests/fuzz/):

- ``scenario``: the base scenario with one field replaced by a hostile or boundary value,
  through ``llmcost compare --json --csv``;
- ``catalog``: a user catalog directory with one damaged sheet (NaN/inf strings, huge ints,
  formula prefixes, control/bidi characters, a BOM, broken rows), through
  ``llmcost compare --catalog DIR --json --csv``;
- ``cli``: any sub-command with one of its flags (read from the parser) set to a hostile or
  boundary value, on a directory of valid inputs;
- ``api``: ``compare``/``breakeven``/``tornado``/``monte_carlo`` with one bad argument.

Outcomes: ``ok`` (exit 0, finite figures; the call returned), ``bad_input`` (exit 2 with one
line naming the field; an ``LlmcostError`` naming the argument) or ``contract_broken``
(anything else: a traceback, a stray, partial or changed file, a message that names nothing).

    python benchmarks/fuzz.py [N] [SEED] [KIND]
"""

from __future__ import annotations

import random
import shutil
import sys
import tempfile
import time
import warnings
from collections import Counter
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.fuzz.api_cases import api_case
from tests.fuzz.cases import FIELDS, SPECIAL_VALUES, scenario_toml
from tests.fuzz.catalog_cases import catalog_case
from tests.fuzz.check import run_api, run_case, run_cli
from tests.fuzz.cli_cases import case_dir, cli_case

#: Share of the cases per kind (the CLI kind is slowest per case: some commands render charts).
SHARES = {"scenario": 0.4, "catalog": 0.2, "cli": 0.25, "api": 0.15}


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


#: Broken cases printed in full.
LIST_BROKEN = 30


def main(n: int = 10_000, seed: int = 0, only: str | None = None) -> int:
    rng = random.Random(seed)
    counts: Counter[tuple[str, str]] = Counter()
    broken: list[str] = []
    start = time.perf_counter()
    warnings.simplefilter("ignore")
    kinds = [only] if only else list(SHARES)
    weights = [SHARES[k] for k in kinds]
    for _ in range(n):
        kind = rng.choices(kinds, weights)[0]
        what, run = KINDS[kind](rng)
        try:
            outcome = run()
        except Exception as exc:  # a broken contract is counted, and the first ones shown
            outcome = "contract_broken"
            if len(broken) < LIST_BROKEN:
                broken.append(f"{kind} {what[:200]}: {type(exc).__name__}: {exc}"[:500])
        counts[kind, outcome] += 1
    elapsed = time.perf_counter() - start
    print(f"{n:,} cases (seed {seed}) in {elapsed:.1f} s")
    print(f"  {'kind':10s} {'ok':>7s} {'bad_input':>10s} {'contract_broken':>16s}")
    for kind in kinds:
        row = [counts[kind, o] for o in ("ok", "bad_input", "contract_broken")]
        print(f"  {kind:10s} {row[0]:7,d} {row[1]:10,d} {row[2]:16,d}")
    total = [sum(counts[k, o] for k in kinds) for o in ("ok", "bad_input", "contract_broken")]
    print(f"  {'all':10s} {total[0]:7,d} {total[1]:10,d} {total[2]:16,d}")
    for line in broken:
        print("  broken:", line)
    return 1 if total[2] else 0


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:3]]
    sys.exit(main(*args, only=sys.argv[3] if len(sys.argv) > 3 else None))
