"""Benchmark files in each importer's format, generated from a known profile with noise."""

from __future__ import annotations

import csv
import dataclasses
import json
from pathlib import Path

import numpy as np
import pandas as pd

from llmcost.catalog import load_catalog
from llmcost.perf import get_engine_profile
from llmcost.perf.fit import predict_measurements

#: The profile the files are generated from (vLLM with different kernels and overheads).
TRUTH = dataclasses.replace(
    get_engine_profile("vllm"),
    bandwidth_efficiency=0.55,
    compute_efficiency=0.45,
    step_overhead_s=2.0e-3,
    sequence_overhead_s=40e-6,
)
DEPLOYMENT = {"model": "llama-3.1-8b", "gpu": "h100-sxm", "gpus": 1, "precision": "bf16"}
NOISE = 0.02  # lognormal sigma of the measured throughput


def runs(lengths: list[tuple[int, int]], concurrencies: list[int], seed: int) -> pd.DataFrame:
    """Runs at every length pair × concurrency with their noisy measured output tokens/s."""
    rows = [DEPLOYMENT | {"input_tokens": i, "output_tokens": o, "concurrency": c}
            for i, o in lengths for c in concurrencies]  # fmt: skip
    frame = pd.DataFrame(rows)
    true = predict_measurements(frame, TRUTH, load_catalog())
    rng = np.random.default_rng(seed)
    frame["output_tokens_per_s"] = true * np.exp(rng.normal(0.0, NOISE, len(frame)))
    return frame


def write_vllm(frame: pd.DataFrame, folder: Path) -> list[Path]:
    """One ``vllm bench serve --save-result`` JSON per run."""
    out = []
    for k, r in frame.iterrows():
        n = 200
        data = {
            "date": "20261201-120000", "backend": "vllm", "model_id": "meta-llama/Llama-3.1-8B",
            "num_prompts": n, "request_rate": "inf", "max_concurrency": int(r.concurrency),
            "completed": n, "total_input_tokens": int(r.input_tokens) * n,
            "total_output_tokens": int(r.output_tokens) * n,
            "output_throughput": float(r.output_tokens_per_s),
            "mean_ttft_ms": 50.0, "mean_tpot_ms": 20.0,
        }  # fmt: skip
        path = folder / f"vllm-{k}.json"
        path.write_text(json.dumps(data))
        out.append(path)
    return out


def write_sglang(frame: pd.DataFrame, path: Path) -> Path:
    """``sglang.bench_serving --output-file`` JSONL: one result per line."""
    lines = [
        json.dumps(
            {
                "backend": "sglang",
                "max_concurrency": int(r.concurrency),
                "completed": 100,
                "total_input_tokens": int(r.input_tokens) * 100,
                "total_output_tokens": int(r.output_tokens) * 100,
                "output_throughput": float(r.output_tokens_per_s),
                "mean_ttft_ms": 40.0,
                "mean_tpot_ms": 15.0,
            }
        )
        for r in frame.itertuples()
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


def write_genai_perf(frame: pd.DataFrame, folder: Path) -> list[Path]:
    """genai-perf / aiperf ``profile_export_genai_perf.json`` per run."""
    out = []
    for k, r in frame.iterrows():
        data = {
            "output_token_throughput": {"unit": "tokens/sec", "avg": float(r.output_tokens_per_s)},
            "input_sequence_length": {"unit": "tokens", "avg": float(r.input_tokens)},
            "output_sequence_length": {"unit": "tokens", "avg": float(r.output_tokens)},
            "time_to_first_token": {"unit": "ms", "avg": 60.0},
            "inter_token_latency": {"unit": "ms", "avg": 18.0},
            "input_config": {"perf_analyzer": {"stimulus": {"concurrency": int(r.concurrency)}}},
        }
        path = folder / f"genai-perf-{k}.json"
        path.write_text(json.dumps(data))
        out.append(path)
    return out


def write_csv(frame: pd.DataFrame, path: Path) -> Path:
    """The plain CSV importer's format."""
    cols = ["model", "gpu", "gpus", "precision", "input_tokens", "output_tokens", "concurrency",
            "output_tokens_per_s"]  # fmt: skip
    with path.open("w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=cols)
        w.writeheader()
        for r in frame[cols].to_dict(orient="records"):
            w.writerow(r)
    return path
