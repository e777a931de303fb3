"""Import speed and memory of ``llmcost.workload.from_usage`` on a large LiteLLM SpendLogs CSV.

Writes a synthetic SpendLogs CSV (``startTime`` as text, lognormal prompt lengths, two models,
three teams) of each size asked for, imports it in a fresh child process, and prints rows/s and
the child's peak resident memory (``ru_maxrss``), and the time to save the workload with one
feature per team (each with its own length distribution). Bounded memory shows as a peak RSS
that does not grow with the row count (the reader holds one chunk of ``CHUNK_ROWS`` rows at a
time).

    python benchmarks/usage_import.py              # 1e6 and 1e7 rows
    python benchmarks/usage_import.py --rows 100000
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

_CHILD = """
import sys, time
from llmcost.workload import from_usage
t = time.perf_counter()
w = from_usage(sys.argv[1], format="litellm")
seconds = time.perf_counter() - t
t = time.perf_counter()
w.save(sys.argv[1] + ".toml", feature_by="tag")  # one feature per team, each its own lengths
print(seconds, w.rows, w.totals["input_tokens"], time.perf_counter() - t)
"""


def write_spend_logs(path: Path, rows: int, seed: int = 0) -> int:
    """Write ``rows`` synthetic SpendLogs rows in blocks; return the sum of prompt tokens."""
    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2025-01-01")
    block, total, first = 1_000_000, 0, True
    for lo in range(0, rows, block):
        n = min(block, rows - lo)
        seconds = rng.integers(0, 180 * 86_400, n)
        prompt = np.ceil(rng.lognormal(7.0, 1.0, n)).astype(np.int64)
        total += int(prompt.sum())
        pd.DataFrame(
            {
                "startTime": (start + pd.to_timedelta(seconds, unit="s")).strftime(
                    "%Y-%m-%d %H:%M:%S"
                ),
                "model": rng.choice(["llama-3.1-70b", "gpt-4o"], n),
                "prompt_tokens": prompt,
                "completion_tokens": rng.integers(1, 800, n),
                "team_id": rng.choice(["chat", "search", "agents"], n),
            }
        ).to_csv(path, mode="w" if first else "a", header=first, index=False)
        first = False
    return total


def measure(rows: int, directory: Path) -> None:
    """Write, import in a child process, print the figures."""
    path = directory / f"spend_{rows}.csv"
    want = write_spend_logs(path, rows)
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, str(path)], capture_output=True, text=True, check=True
    )
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    seconds, got_rows, got_tokens, save_s = out.stdout.split()
    if int(got_rows) != rows or int(got_tokens) != want:
        raise SystemExit(f"import lost rows or tokens: {got_rows} rows, {got_tokens} tokens")
    size_mb = path.stat().st_size / 1e6
    print(
        f"rows {rows:>11,}  file {size_mb:8.0f} MB  import {float(seconds):7.1f} s  "
        f"{rows / float(seconds):10,.0f} rows/s  peak RSS {max(peak_kb, before) / 1e3:7.0f} MB  "
        f"save by team {float(save_s):5.1f} s"
    )
    path.unlink()
    Path(str(path) + ".toml").unlink()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 10_000_000])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for rows in sorted(args.rows):
            t = time.perf_counter()
            measure(rows, Path(tmp))
            print(f"  (with writing the file: {time.perf_counter() - t:.0f} s)")


if __name__ == "__main__":
    main()
