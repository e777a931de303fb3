"""Accuracy of the performance model against published TensorRT-LLM throughput measurements.

Runs every case of ``benchmarks/data/trtllm_h100_a100.json`` (NVIDIA TensorRT-LLM
perf-overview tables, v0.14.0 and v1.0 editions: offline max throughput, engine-chosen batch)
through the public API — ``estimate_serving(..., engine="trtllm", max_throughput=True)`` — and
prints, per model/GPU/precision/GPU-count group and overall, the median and worst absolute
percentage error of predicted vs measured output tokens/s, plus a markdown table for README.

Case settings taken from the data's notes: FP8 runs use an FP8 KV cache (TensorRT-LLM sets it
with FP8 quantization: the profile's default) and NVIDIA ModelOpt checkpoints, which quantize
every decoder linear layer (``quant_scope="all_linear"``; so the v1.0 405B FP8 rows are *not*
Meta's MLP-only FP8 checkpoint); Maverick ran with ``--ep`` and attention data parallelism,
i.e. ``tp=1, ep=8`` in llmcost's layout; everything else is tensor-parallel over all GPUs.
Each run is a finite job of ``num_requests`` requests (the perf-overview's table: 1,000-30,000
per input/output pair), passed as ``requests=`` so the model counts its waves.

Hold-out check: the profile's factors are refitted from a neutral start on one edition and
scored on the other (v0.14 → v1.0 and v1.0 → v0.14), to show that a handful of global
factors — not a per-row fit — carries the accuracy.

Out-of-sample check on other GPUs, FP4, engine versions and latency at given concurrency:
``benchmarks/validation.py`` (nothing there is fitted).

Usage: ``python benchmarks/accuracy.py [--no-holdout]``
"""

from __future__ import annotations

import argparse
import dataclasses
import json
from pathlib import Path

import numpy as np
import pandas as pd
from _published import case_settings, markdown_table, total_row

from llmcost.catalog import load_catalog
from llmcost.perf import get_engine_profile
from llmcost.perf.fit import fit_engine_profile, predict_measurements

DATA = Path(__file__).resolve().parent / "data" / "trtllm_h100_a100.json"
TARGET_MEDIAN_PCT, TARGET_GROUP_PCT = 15.0, 30.0


def load_cases(path: Path = DATA) -> pd.DataFrame:
    """The calibration cases as a measurement table for :func:`predict_measurements`."""
    rows = [
        {
            "id": case["id"],
            "edition": "v1.0" if "-v1.0-" in case["id"] else "v0.14",
            **case_settings(case),
            "quant_scope": "all_linear",
            "measured_output_tokens_per_s": case["value"],
        }
        for case in json.loads(path.read_text())
    ]
    return pd.DataFrame(rows)


def error_table(cases: pd.DataFrame, predicted: np.ndarray) -> pd.DataFrame:
    """Per-group median and worst absolute % error (group = model, GPU, precision, GPUs)."""
    frame = cases.assign(
        predicted=predicted,
        abs_err_pct=100 * np.abs(predicted / cases["measured_output_tokens_per_s"] - 1),
    )
    groups = frame.groupby(["model", "gpu", "precision", "gpus"], sort=False)
    table = groups["abs_err_pct"].agg(cases="size", median_pct="median", worst_pct="max")
    return table.reset_index()


def markdown(table: pd.DataFrame, overall_median: float, overall_worst: float, n: int) -> str:
    """The error table as markdown (for README)."""
    header = ["model", "GPU", "precision", "GPUs", "cases", "median abs. error",
              "worst abs. error"]  # fmt: skip
    rows = [
        [
            r.model,
            r.gpu,
            r.precision,
            f"{r.gpus}",
            f"{r.cases}",
            f"{r.median_pct:.1f} %",
            f"{r.worst_pct:.1f} %",
        ]
        for r in table.itertuples(index=False)
    ]
    rows.append(total_row(4, n, overall_median, overall_worst))
    return markdown_table(header, rows, right_aligned=4)


def _neutral_start() -> object:
    """A prior profile with round factors, so hold-out fits do not start from the answer."""
    return dataclasses.replace(
        get_engine_profile("trtllm"),
        bandwidth_efficiency=0.7,
        compute_efficiency=0.5,
        sequence_layer_overhead_s=0.0,
        interconnect_efficiency=0.8,
        reserve_gb_per_gpu=4.0,
        moe_efficiency=1.0,
    )


def holdout(cases: pd.DataFrame, catalog: object) -> list[str]:
    """Fit on one edition, score on the other; one line per direction."""
    lines = []
    for fit_on, test_on in (("v0.14", "v1.0"), ("v1.0", "v0.14")):
        train = cases[cases["edition"] == fit_on].reset_index(drop=True)
        test = cases[cases["edition"] == test_on].reset_index(drop=True)
        factors = [
            "bandwidth_efficiency",
            "compute_efficiency",
            "sequence_layer_overhead_s",
            "interconnect_efficiency",
            "reserve_gb_per_gpu",
        ]
        if train["model"].str.startswith("llama-4").any():
            factors.append("moe_efficiency")
        fit = fit_engine_profile(
            train,
            base=_neutral_start(),
            specs=catalog,
            factors=factors,  # type: ignore[arg-type]
        )
        pred = predict_measurements(test, fit.profile, catalog)  # type: ignore[arg-type]
        err = 100 * np.abs(pred / test["measured_output_tokens_per_s"].to_numpy() - 1)
        groups = error_table(test, pred)
        shown = ", ".join(f"{k}={v:.3g}" for k, v in fit.fitted.items())
        lines.append(
            f"fit on {fit_on} ({len(train)} cases; train median {fit.median_abs_pct_error:.1f} %)"
            f" → test on {test_on} ({len(test)} cases): median {np.median(err):.1f} %, "
            f"worst group median {groups['median_pct'].max():.1f} %   [{shown}]"
        )
    return lines


def main() -> int:
    """Print the accuracy report; exit status 1 if a target is missed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-holdout", action="store_true", help="skip the hold-out refits")
    args = parser.parse_args()
    catalog = load_catalog()
    cases = load_cases()
    pred = predict_measurements(cases, "trtllm", catalog)  # type: ignore[arg-type]
    abs_err = 100 * np.abs(pred / cases["measured_output_tokens_per_s"].to_numpy() - 1)
    table = error_table(cases, pred)
    overall_median, overall_worst = float(np.median(abs_err)), float(np.max(abs_err))
    pd.set_option("display.width", 140)
    print("Predicted vs measured output tokens/s, TensorRT-LLM offline max throughput")
    print(table.to_string(index=False, float_format=lambda x: f"{x:.1f}"))
    for edition in ("v0.14", "v1.0"):
        mask = (cases["edition"] == edition).to_numpy()
        print(f"{edition}: {mask.sum()} cases, median {np.median(abs_err[mask]):.1f} %")
    print(
        f"overall: {len(cases)} cases, median {overall_median:.1f} %, worst {overall_worst:.1f} %"
    )
    print()
    print(markdown(table, overall_median, overall_worst, len(cases)))
    if not args.no_holdout:
        print()
        print("Hold-out (refit from a neutral start on one edition, score on the other):")
        for line in holdout(cases, catalog):
            print("  " + line)
    ok = overall_median <= TARGET_MEDIAN_PCT and table["median_pct"].max() <= TARGET_GROUP_PCT
    print()
    print(
        f"targets: overall median ≤ {TARGET_MEDIAN_PCT:g} %, every group median ≤ "
        f"{TARGET_GROUP_PCT:g} % — {'met' if ok else 'MISSED'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
