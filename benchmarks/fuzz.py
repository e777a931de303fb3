"""Fuzz benchmark (issue #19): run N generated scenario cases (default 10,000) through
``llmcost compare --json --csv`` in-process and print the count per outcome.

Each case is the fuzz suite's base scenario with one field replaced by a hostile or boundary
value (tests/fuzz/cases.py); outcomes are "ok" (exit 0, finite totals), "bad_input" (exit 2,
one line) or "contract_broken" (anything else: a traceback, a stray file, a changed input).

    python benchmarks/fuzz.py [N] [SEED]
"""

from __future__ import annotations

import random
import sys
import time
import warnings
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.fuzz.cases import FIELDS, SPECIAL_VALUES, scenario_toml
from tests.fuzz.check import run_case


def _value(rng: random.Random) -> object:
    pick = rng.random()
    if pick < 0.5:
        return rng.choice(SPECIAL_VALUES)
    if pick < 0.7:
        return rng.randint(-(10**6), 10**6) * 10 ** rng.randint(0, 40)
    if pick < 0.9:
        return rng.choice([-1, 1]) * 10 ** rng.uniform(-320, 308)
    return "".join(rng.choice("ab=+-@ \n\x07\u202e9.") for _ in range(rng.randint(0, 8)))


def main(n: int = 10_000, seed: int = 0) -> int:
    rng = random.Random(seed)
    counts: Counter[str] = Counter()
    broken: list[str] = []
    start = time.perf_counter()
    warnings.simplefilter("ignore")
    for _ in range(n):
        field, value = rng.choice(FIELDS), _value(rng)
        try:
            outcome, _ = run_case(scenario_toml(field, value))
        except Exception as exc:  # a broken contract is counted, and the first ones shown
            outcome = "contract_broken"
            if len(broken) < 5:
                broken.append(f"{field} = {value!r}: {type(exc).__name__}: {exc}"[:300])
        counts[outcome] += 1
    elapsed = time.perf_counter() - start
    print(f"{n:,} cases (seed {seed}) in {elapsed:.1f} s")
    for outcome in ("ok", "bad_input", "contract_broken"):
        print(f"  {outcome:16s} {counts[outcome]:6,d}")
    for line in broken:
        print("  broken:", line)
    return 1 if counts["contract_broken"] else 0


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:3]]
    sys.exit(main(*args))
