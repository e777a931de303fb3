"""Speed of the vectorized comparison: 100,000 monthly volumes × 4 options in one call.

The default scenario (``examples/scenarios/chat-assistant.toml``, four of its options) is
resolved once — catalog prices and the performance model's capacity — and then evaluated over
an array of volumes with numpy only: no Python loop per scenario (the model works in chunks of
65,536 rows to bound memory). Prints the time, the time per scenario, and each option's cost
at a few of the volumes.

Run: ``python benchmarks/compare_speed.py [--n 100000] [--json]``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

import numpy as np

from llmcost.scenario import load_scenario, scenario_model

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT / "examples" / "scenarios" / "chat-assistant.toml"
OPTIONS = ("gpt-4o", "gpt-4o-mini", "maverick-8xh100", "llama-3.3-70b-2xh100")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="volumes to evaluate")
    parser.add_argument("--repeat", type=int, default=5, help="timed repetitions (best kept)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()

    scenario = load_scenario(DEFAULT)
    scenario = scenario.model_copy(
        update={"options": [o for o in scenario.options if o.name in OPTIONS]}
    )
    start = time.perf_counter()
    model = scenario_model(scenario)
    build_s = time.perf_counter() - start

    volumes = np.geomspace(1e4, 1e9, args.n)  # requests per month
    model({"requests_per_month": volumes[:1000]})  # warm up
    times = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        costs = model({"requests_per_month": volumes})
        times.append(time.perf_counter() - start)
    best = min(times)

    picks = np.linspace(0, args.n - 1, 7).astype(int)
    sample = [
        {"requests_per_month": float(volumes[i])}
        | {name: float(costs[name][i]) for name in model.option_names}
        for i in picks
    ]
    stacked = np.vstack([costs[name] for name in model.option_names])
    cheapest = np.asarray(model.option_names)[np.nanargmin(stacked, axis=0)]
    share = {name: float(np.mean(cheapest == name)) for name in model.option_names}
    result = {
        "scenario": scenario.name,
        "options": list(model.option_names),
        "evaluations": args.n,
        "build_s": build_s,
        "evaluate_s": best,
        "per_scenario_us": best / args.n * 1e6,
        "cpus": os.cpu_count(),
        "machine": platform.machine(),
        "python": platform.python_version(),
        "cheapest_share_of_volumes": share,
        "sample_usd_per_month": sample,
    }
    if args.json:
        print(json.dumps(result))
        return
    print(f"{scenario.name}: {args.n:,} volumes × {len(model.option_names)} options")
    print(f"  resolve (catalog + perf model, once): {build_s * 1e3:.1f} ms")
    print(
        f"  evaluate (best of {args.repeat}): {best:.3f} s = {result['per_scenario_us']:.2f} µs "
        f"per scenario ({os.cpu_count()} CPUs)"
    )
    header = "requests/month".rjust(16) + "".join(n.rjust(22) for n in model.option_names)
    print(header)
    for row in sample:
        line = f"{row['requests_per_month']:16,.0f}"
        line += "".join(f"{row[n]:22,.0f}" for n in model.option_names)
        print(line)
    print(
        "cheapest over the volume range: "
        + ", ".join(f"{n} {s:.0%}" for n, s in share.items() if s)
    )


if __name__ == "__main__":
    main()
