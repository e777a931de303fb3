"""Speed of the analysis layer on the real scenario evaluator.

1. One million scenario evaluations (monthly cost of an API option and of a self-hosted option,
   each row with its own volume, GPU price and API price) in one vectorized call: budget 1 s on
   a 2-core machine (issue 5).
2. Monte Carlo from 1,000 to 1,000,000 draws: the time must grow sub-linearly relative to the
   start-up cost (vectorized, no per-draw Python loop).

Run: ``python benchmarks/analysis_speed.py [--json] [--check]`` (``--check`` exits 1 when the
one-million budget is exceeded).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from llmcost.analysis import ParameterSpace, monte_carlo
from llmcost.scenario import parse_scenario, scenario_model

SCENARIO = {
    "name": "benchmark: chat assistant, GPT-4o vs Maverick on 8×H100",
    "workload": {
        "requests_per_month": 3_000_000,
        "input_tokens_per_request": 1500,
        "output_tokens_per_request": 300,
    },
    "options": [
        {"name": "gpt-4o", "kind": "api", "offer": "openai/gpt-4o"},
        {
            "name": "maverick-8xh100",
            "kind": "self_hosted",
            "model": "llama-4-maverick",
            "gpu": "h100-sxm",
            "gpus_per_replica": 8,
            "precision": "fp8",
            "engine": "vllm",
            "pricing": "on_demand",
        },
    ],
}

UNCERTAINTY = {
    "requests_per_month": {"dist": "lognormal", "p5": 1e6, "p95": 3e7},
    "gpu_usd_per_hour": {"dist": "triangular", "low": 1.8, "mode": 2.5, "high": 3.5},
    "api_price_multiplier": {"dist": "uniform", "low": 0.7, "high": 1.1},
    "target_utilization": {"dist": "pert", "low": 0.4, "mode": 0.7, "high": 0.9},
}

BUDGET_S = 1.0


def _best_of(fn: Callable[[], Any], repeats: int) -> tuple[float, float]:
    """(median, min) wall time [s] over ``repeats`` runs after one warm-up run."""
    fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), min(times)


def run(repeats: int = 5) -> dict[str, Any]:
    """Measure and return the figures."""
    model = scenario_model(parse_scenario(SCENARIO))
    n = 1_000_000
    rng = np.random.default_rng(0)
    inputs = {
        "requests_per_month": rng.uniform(1e5, 1e8, n),
        "gpu_usd_per_hour": rng.uniform(1.5, 4.0, n),
        "api_price_multiplier": rng.uniform(0.5, 1.5, n),
    }
    median_s, min_s = _best_of(lambda: model(inputs), repeats)

    space = ParameterSpace.from_dict(UNCERTAINTY)
    options = list(model.option_names)
    mc: dict[str, float] = {}
    for draws in (1_000, 10_000, 100_000, 1_000_000):
        mc[str(draws)] = _best_of(
            lambda d=draws: monte_carlo(model, space, d, seed=1, options=options),
            max(1, repeats // 2),
        )[0]
    return {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "numpy": np.__version__,
        },
        "evaluations": n,
        "evaluations_median_s": median_s,
        "evaluations_min_s": min_s,
        "budget_s": BUDGET_S,
        "monte_carlo_s": mc,
        # 1000× the draws; sub-linear means far less than 1000× the time
        "monte_carlo_time_ratio_1e6_over_1e3": mc["1000000"] / mc["1000"],
    }


def main(argv: list[str] | None = None) -> int:
    """Print the figures; with ``--check`` fail when over budget."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--check", action="store_true")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    result = run(args.repeats)
    if args.json:
        print(json.dumps(result))
    else:
        print(
            f"{result['evaluations']:,} scenario evaluations: "
            f"median {result['evaluations_median_s']:.3f} s, "
            f"best {result['evaluations_min_s']:.3f} s "
            f"(budget {BUDGET_S:.1f} s, {result['machine']['cpus']} CPUs)"
        )
        for draws, seconds in result["monte_carlo_s"].items():
            print(f"Monte Carlo {int(draws):>9,} draws: {seconds:.3f} s")
        print(
            f"time ratio 1,000,000 / 1,000 draws: "
            f"{result['monte_carlo_time_ratio_1e6_over_1e3']:.0f}× (draws: 1000×)"
        )
    if args.check and result["evaluations_median_s"] > BUDGET_S:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
