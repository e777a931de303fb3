"""Start-up time of the ``llmcost`` command (issue 16 target: < 0.5 s).

Runs ``llmcost --help`` and ``llmcost catalog models`` / ``catalog apis --json`` in fresh
interpreters (``python -m llmcost``, what the console script runs) and prints the median and the
slowest of ``--repeat`` runs, plus ``python -c pass`` as the interpreter's own floor.

Run: ``python benchmarks/cli_startup.py [--repeat 7]``
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time

COMMANDS = {
    "python -c pass (floor)": ["-c", "pass"],
    "llmcost --help": ["-m", "llmcost", "--help"],
    "llmcost catalog models": ["-m", "llmcost", "catalog", "models"],
    "llmcost catalog apis --json": ["-m", "llmcost", "catalog", "apis", "--json"],
}


def _wall_s(args: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, *args], check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    """Print the start-up time of each command."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=7)
    repeat = parser.parse_args().repeat
    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPU, "
          f"Python {platform.python_version()}; {repeat} runs each")  # fmt: skip
    for name, args in COMMANDS.items():
        times = [_wall_s(args) for _ in range(repeat)]
        print(f"{name:30s} median {statistics.median(times):.3f} s, slowest {max(times):.3f} s")


if __name__ == "__main__":
    main()
