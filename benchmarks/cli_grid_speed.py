"""``llmcost perf --grid`` from the command line, per configuration, against llm-analysis.

Writes a grid CSV of ``--rows`` configurations (Llama 3.1 8B and 70B on H100 SXM, TP 1/2/4/8,
batch × input × output tokens, fixed batch and max-throughput rows), then times the whole CLI
in a fresh interpreter — start-up, reading, validating, evaluating and writing — for
``--json`` to a file and ``--out`` CSV / Parquet, and prints µs per configuration.

llm-analysis (https://github.com/cli99/llm-analysis) is timed on the same kind of
configurations (Llama 2 7B, its closest bundled Llama, on its ``h100-sxm-80gb``; batch, input,
output and TP from the same grid, on a sample of ``--llm-analysis-rows`` rows): one
``LLMAnalysis`` object per TP degree built once, then ``inference()`` per configuration, its
logging silenced. It is not a dependency of llmcost: point ``--llm-analysis-python`` at an
interpreter that has it (``python -m venv /tmp/la && /tmp/la/bin/pip install llm-analysis``);
without one the comparison is skipped and the script says so.

Run: ``python benchmarks/cli_grid_speed.py [--rows 1000000] [--llm-analysis-python PATH]``
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

_LLM_ANALYSIS = """
import json, logging, sys, time
from llm_analysis.analysis import LLMAnalysis
from llm_analysis.config import (ParallelismConfig, get_dtype_config_by_name,
    get_gpu_config_by_name, get_model_config_by_name)
from llm_analysis.logger import logger
logger.setLevel(logging.ERROR)
rows = json.loads(sys.stdin.read())
model = get_model_config_by_name("NousResearch_Llama-2-7b-hf")
gpu = get_gpu_config_by_name("h100-sxm-80gb")
dtype = get_dtype_config_by_name("w16a16e16")
analyses = {tp: LLMAnalysis(model, gpu, dtype, ParallelismConfig(tp_size=tp),
                            flops_efficiency=0.5, hbm_memory_efficiency=0.9) for tp in (1, 2, 4, 8)}
failed = 0
start = time.perf_counter()
for batch, inp, out, tp in rows:
    try:
        analyses[tp].inference(batch_size_per_gpu=batch, seq_len=inp, num_tokens_to_generate=out)
    except AssertionError:  # e.g. the batch does not fit in memory: it stops at an assert
        failed += 1
print(failed, (time.perf_counter() - start) / len(rows))
"""


def make_grid(rows: int, seed: int = 0) -> pd.DataFrame:
    """``rows`` configurations drawn from a grid of batch × input × output × TP × model."""
    rng = np.random.default_rng(seed)
    gpus = rng.choice([1, 2, 4, 8], rows)
    throughput = rng.random(rows) < 0.25
    batch = rng.choice(np.geomspace(1, 256, 9).round(), rows)
    return pd.DataFrame(
        {
            "model": rng.choice(["llama-3.1-8b", "llama-3.1-70b"], rows),
            "gpu": "h100-sxm",
            "gpus": gpus,
            "precision": "fp8",
            "input_tokens": rng.choice(np.geomspace(128, 3_000, 12).round(), rows),
            "output_tokens": rng.choice(np.geomspace(16, 1_000, 10).round(), rows),
            "batch": np.where(throughput, np.nan, batch),
            "max_throughput": np.where(throughput, "true", ""),
            "engine": "vllm",
        }
    )


def time_cli(grid: Path, *extra: str) -> float:
    """Wall time [s] of ``llmcost perf --grid grid ...`` in a fresh interpreter."""
    start = time.perf_counter()
    with open(os.devnull, "w") as sink:
        subprocess.run(
            [sys.executable, "-m", "llmcost", "perf", "--grid", str(grid), *extra],
            check=True,
            stdout=sink,
        )
    return time.perf_counter() - start


def time_llm_analysis(python: str, grid: pd.DataFrame, n: int) -> tuple[int, float] | None:
    """Configurations llm-analysis rejected and seconds per configuration on ``n`` rows of
    ``grid`` (None: no interpreter with llm-analysis)."""
    sample = grid.head(n)
    batch = sample["batch"].fillna(64).astype(int)
    rows = [
        [int(b), int(i), int(o), int(tp)]
        for b, i, o, tp in zip(
            batch, sample["input_tokens"], sample["output_tokens"], sample["gpus"], strict=True
        )
    ]
    try:
        out = subprocess.run(
            [python, "-c", _LLM_ANALYSIS],
            input=json.dumps(rows),
            capture_output=True,
            text=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError) as exc:
        print(f"llm-analysis could not be run with {python}: {exc}")
        return None
    failed, seconds = out.stdout.strip().splitlines()[-1].split()
    return int(failed), float(seconds)


def main() -> None:
    """Print µs per configuration of each CLI path and the ratio to llm-analysis."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--llm-analysis-python", help="an interpreter with llm-analysis")
    parser.add_argument("--llm-analysis-rows", type=int, default=2_000)
    args = parser.parse_args()
    print(f"{platform.machine()}, {os.cpu_count()} CPU, Python {platform.python_version()}")
    print(f"load average at start: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    frame = make_grid(args.rows)
    with tempfile.TemporaryDirectory() as tmp:
        grid = Path(tmp) / "grid.csv"
        frame.to_csv(grid, index=False)
        timings = {
            "--json (stdout to a file)": time_cli(grid, "--json"),
            "--out results.csv": time_cli(grid, "--out", str(Path(tmp) / "r.csv")),
            "--out results.parquet": time_cli(grid, "--out", str(Path(tmp) / "r.parquet")),
        }
    for name, seconds in timings.items():
        print(
            f"llmcost perf --grid ({args.rows:,} rows) {name:27s} {seconds:6.2f} s = "
            f"{seconds / args.rows * 1e6:6.2f} µs per configuration (start-up included)"
        )
    best = min(timings.values()) / args.rows
    if not args.llm_analysis_python:
        print("llm-analysis: not timed (no --llm-analysis-python given)")
        return
    timed = time_llm_analysis(args.llm_analysis_python, frame, args.llm_analysis_rows)
    if timed is None:
        return
    failed, per_config = timed
    print(
        f"llm-analysis inference() over {args.llm_analysis_rows:,} rows: "
        f"{per_config * 1e6:.1f} µs per configuration (objects built once, in-process; "
        f"{failed:,} rows stopped at its does-not-fit assertion)"
    )
    print(f"ratio: llmcost CLI is {per_config / best:.0f}× faster per configuration (best path)")
    for name, seconds in timings.items():
        print(f"  {name:27s} {per_config / (seconds / args.rows):5.0f}× llm-analysis")
    print(f"load average at end: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
