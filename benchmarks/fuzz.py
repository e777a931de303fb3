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
- ``api``: a public entry point (compare, the break-even solvers, tornado, monte_carlo, sobol,
  sweep, the perf estimates, the layout search, from_usage, the writers) with one bad argument.

Outcomes: ``ok`` (exit 0, finite figures; the call returned), ``bad_input`` (exit 2 with one
line naming the field; an ``LlmcostError`` naming the argument) or ``contract_broken``
(anything else: a traceback, a stray, partial or changed file, a message that names nothing).

    python benchmarks/fuzz.py [N] [SEED] [KIND]
"""

from __future__ import annotations

import random
import sys
import time
import warnings
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.fuzz.kinds import KINDS

#: Share of the cases per kind (the CLI kind is slowest per case: some commands render charts).
SHARES = {"scenario": 0.4, "catalog": 0.2, "cli": 0.25, "api": 0.15}


#: Broken cases printed in full.
LIST_BROKEN = 30


#: The outcomes counted.
OUTCOMES = ("ok", "bad_input", "contract_broken")


def main(n: int = 10_000, seed: int = 0, only: str | None = None, progress: int = 500) -> int:
    rng = random.Random(seed)
    counts: Counter[tuple[str, str]] = Counter()
    broken: list[str] = []
    start = time.perf_counter()
    warnings.simplefilter("ignore")
    kinds = [only] if only else list(SHARES)
    weights = [SHARES[k] for k in kinds]
    for i in range(n):
        kind = rng.choices(kinds, weights)[0]
        what, run = KINDS[kind](rng)
        try:
            outcome = run()
        except Exception as exc:  # a broken contract is counted, and the first ones shown
            outcome = "contract_broken"
            line = f"{kind} {what[:200]}: {type(exc).__name__}: {exc}"[:500]
            print("  broken:", line, file=sys.stderr, flush=True)  # at once: a long run may die
            if len(broken) < LIST_BROKEN:
                broken.append(line)
        counts[kind, outcome] += 1
        if progress and (i + 1) % progress == 0:  # partial counts on stderr for long runs
            done = {o: sum(counts[k, o] for k in kinds) for o in OUTCOMES}
            print(f"  {i + 1:,} cases, {time.perf_counter() - start:.0f} s: {done}",
                  file=sys.stderr, flush=True)  # fmt: skip
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
