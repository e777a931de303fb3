"""Bounded memory and the dask backend: Monte Carlo far beyond what fits in RAM (issue 16).

1. ``monte_carlo_stream`` over the default scenario (``examples/scenarios/chat-assistant.toml``,
   five options, its ten uncertain inputs) with ``--n`` draws (default 10⁸), in a fresh
   process: wall time, throughput and the peak RSS (``resource.getrusage``) of that process.
   For scale, the same in-memory ``monte_carlo`` at ``--full-n`` draws (default 10⁶).
2. The same streaming run on a ``dask.distributed.LocalCluster`` (``--workers`` processes,
   one thread each, a fresh cluster per size) for each of ``--dask-n`` (default 10⁷, 10⁸, 10⁹,
   in that order): wall time, throughput and each worker's peak RSS (``ru_maxrss`` read in
   the worker by ``Client.run``). A size whose time, extrapolated from the last measured
   rate, is over ``--max-minutes`` (default 25) is not run; the estimate is printed instead.

One draw is one scenario: a draw of every uncertain input, evaluated for all five options, and
the count includes both passes of the exact percentiles (each block is drawn and evaluated
twice).

Run: ``python benchmarks/scale_memory.py [--n 100000000] [--dask-n 10000000 100000000
1000000000] [--workers 2] [--max-minutes 25] [--skip full|stream|dask]``
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
from pathlib import Path

SCENARIO = Path(__file__).resolve().parents[1] / "examples" / "scenarios" / "chat-assistant.toml"

_CHILD = """
import json, resource, sys, time
from llmcost.analysis import monte_carlo
from llmcost.analysis.streaming import monte_carlo_stream
from llmcost.cli.sensitivity import space_for
from llmcost.scenario import load_scenario, scenario_model

kind, n, workers, path = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
scenario = load_scenario(path)
model = scenario_model(scenario)
space = space_for(scenario, model)[0]
options = list(model.option_names)
start = time.perf_counter()
worker_rss = []
if kind == "full":
    r = monte_carlo(model, space, n, seed=0, options=options)
elif kind == "stream":
    r = monte_carlo_stream(model, space, n, seed=0, options=options)
else:
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        start = time.perf_counter()
        r = monte_carlo_stream(model, space, n, seed=0, options=options, backend="dask",
                               scheduler=client)
        elapsed = time.perf_counter() - start
        usage = client.run(lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
        worker_rss = [kb * 1024 / 1e9 for kb in usage.values()]
if kind != "dask":
    elapsed = time.perf_counter() - start
print(json.dumps({
    "seconds": elapsed,
    "peak_rss_gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e9,
    "worker_peak_rss_gb": worker_rss,
    "p50_cheapest_cost_usd": min(r.summary[o]["p50"] for o in options),
}))
"""


def _run(kind: str, n: int, workers: int = 1) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, kind, str(n), str(workers), str(SCENARIO)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> None:
    """Print time, throughput and peak memory of each run."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000_000)
    parser.add_argument("--full-n", type=int, default=1_000_000)
    parser.add_argument(
        "--dask-n", type=int, nargs="+", default=[10_000_000, 100_000_000, 1_000_000_000]
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--max-minutes", type=float, default=25.0)
    parser.add_argument("--skip", choices=("full", "stream", "dask"), action="append", default=[])
    args = parser.parse_args()
    print(f"{platform.machine()}, {os.cpu_count()} CPU, Python {platform.python_version()}")
    print(f"load average at start: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    runs = [
        ("full", args.full_n, "monte_carlo (every draw in memory)"),
        ("stream", args.n, "monte_carlo_stream, numpy backend"),
    ] + [
        ("dask", n, f"monte_carlo_stream, dask LocalCluster {args.workers}×1")
        for n in sorted(args.dask_n)
    ]
    rate = None
    for kind, n, label in runs:
        if kind in args.skip:
            continue
        if kind == "dask" and rate is not None and n / rate / 60 > args.max_minutes:
            print(
                f"{label}: {n:,} draws NOT RUN: {n / rate / 60:,.0f} min at the last measured "
                f"rate ({rate:,.0f} draws/s), over --max-minutes {args.max_minutes:g}"
            )
            continue
        r = _run(kind, n, args.workers)
        line = (f"{label}: {n:,} draws in {r['seconds']:.1f} s = {n / r['seconds']:,.0f} draws/s,"
                f" peak RSS {r['peak_rss_gb']:.2f} GB")  # fmt: skip
        if r["worker_peak_rss_gb"]:
            rate = n / r["seconds"]
            line += " (client); per worker " + ", ".join(
                f"{g:.2f} GB" for g in r["worker_peak_rss_gb"]
            )
        print(line, flush=True)
    print(f"load average at end: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
