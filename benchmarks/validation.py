"""Validation of the performance model on published measurements it was NOT calibrated on.

Runs every case of ``benchmarks/data/validation_*.json`` through the public API —
``llmcost.perf.estimate_serving`` with the case's engine profile; max throughput for offline
cases, ``concurrency=C`` for serving cases, ``batch=B`` for fixed-batch latency cases — and
compares the predicted output tokens/s, TTFT, TPOT or request latency with the published
value. Prints per source/GPU/engine/metric group the median and worst absolute percentage
error, the overall median, and a markdown table for README.

Nothing here is fitted: the ``trtllm`` profile was fitted on ``trtllm_h100_a100.json`` (H100 SXM
and A100 SXM columns) by ``benchmarks/accuracy.py``; the other GPUs (H200, B200, GB200,
A100 PCIe, L40S), FP4, and latency at given concurrency are out of sample. The ``vllm`` and
``sglang`` profiles are NVIDIA-calibrated; on AMD GPUs ``vllm`` runs its ``vllm-rocm`` variant,
whose two overheads were fitted on the ROCm/vllm dev-docker rows of
``validation_vllm_rocm_mi300x.json`` (so those rows are in sample; Oracle's and MLPerf's MI300X
rows are not).
MLPerf Inference Llama 2 70B Offline results (``validation_mlperf.json``) are output tokens/s
per GPU of one replica at the dataset's mean lengths (the length spread is not modelled).

Case settings follow the calibration script: ModelOpt checkpoints quantize every linear layer
(``quant_scope="all_linear"``), FP8/FP4 runs of TensorRT-LLM use an FP8 KV cache (the profile's
default), Maverick runs with ``--ep`` are ``tp=1, ep=N``, everything else is tensor-parallel.
Offline runs are finite jobs of the ``num_requests`` their notes give (``requests=``).

Usage: ``python benchmarks/validation.py [--cases]``
"""

from __future__ import annotations

import argparse
import dataclasses
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from _moe_groups import moe_table, residual_lines
from _published import case_settings, markdown_table, total_row
from _targets import target_lines

from llmcost.catalog import load_catalog
from llmcost.perf import EngineProfile, estimate_serving, get_engine_profile

DATA_DIR = Path(__file__).resolve().parent / "data"
#: the published engine name → llmcost profile (NVIDIA NIM runs TensorRT-LLM engines)
ENGINE_PROFILES = {"TensorRT-LLM": "trtllm", "NVIDIA NIM": "trtllm", "vLLM": "vllm",
                   "SGLang": "sglang"}  # fmt: skip
#: metric → (PerfEstimate attribute, factor from the estimate's unit to the published unit)
METRICS = {
    "output_tokens_per_s_total": ("output_tokens_per_s", 1.0),
    "ttft_ms": ("ttft_s", 1e3),
    "tpot_ms": ("tpot_s", 1e3),
    "output_tokens_per_s_per_gpu": ("output_tokens_per_s_per_gpu", 1.0),
    "ttft_p50_ms": ("ttft_p50_s", 1e3),
    "tpot_p50_ms": ("tpot_p50_s", 1e3),
    "itl_p50_ms": ("tpot_p50_s", 1e3),
}
#: metrics computed from several estimate fields
DERIVED_METRICS = ("request_latency_ms", "decode_tokens_per_s_per_user")
#: scenario → the estimate_serving argument that sets the batch from ``concurrency_or_batch``
BATCH_ARGUMENT = {"offline": None, "serving": "concurrency", "latency": "batch",
                  "poisson": "arrival_rate_per_s"}  # fmt: skip


def _engine_profile(engine: str) -> str:
    for prefix, profile in ENGINE_PROFILES.items():
        if engine.startswith(prefix):
            return profile
    raise ValueError(f"no llmcost profile for engine {engine!r}")


def _source_name(case: dict[str, object]) -> str:
    case_id = str(case["id"])
    return case_id.split("-llama")[0]


def load_cases(data_dir: Path = DATA_DIR, paths: list[Path] | None = None) -> pd.DataFrame:
    """Every validation case (or those of ``paths``) as one row with llmcost ids and the
    settings to run it; ``engine_settings`` is a case's engine configuration that differs
    from the profile's defaults (JSON text, "" for none)."""
    rows = []
    for path in sorted(data_dir.glob("validation_*.json")) if paths is None else paths:
        for case in json.loads(path.read_text()):
            rows.append(
                {
                    "id": case["id"],
                    "file": path.name,
                    "source": _source_name(case),
                    **case_settings(case),
                    "engine": _engine_profile(str(case["engine"])),
                    "engine_settings": json.dumps(case.get("engine_settings", {}) or "")
                    if case.get("engine_settings")
                    else "",
                    "scenario": case["scenario"],
                    "concurrency": case["concurrency_or_batch"],
                    "metric": case["metric"],
                    "measured": float(case["value"]),
                }
            )
    return pd.DataFrame(rows)


def _profile(name: str, settings: str, profiles: dict[str, EngineProfile] | None) -> Any:
    """The engine profile a case runs with: ``profiles[name]`` if given, else the id, with the
    case's ``engine_settings`` applied."""
    base = (profiles or {}).get(name)
    if not settings:
        return name if base is None else base
    return dataclasses.replace(base or get_engine_profile(name), **json.loads(settings))


def predict(
    cases: pd.DataFrame, catalog: object, profiles: dict[str, EngineProfile] | None = None
) -> np.ndarray:
    """Predicted value of each case's metric, in the published unit (vectorized per setup);
    ``profiles`` replaces the shipped profile of an engine id (for fitting)."""
    out = np.full(len(cases), np.nan)
    keys = ["model", "gpu", "gpus", "precision", "kv_precision", "engine", "engine_settings",
            "scenario", "tp", "pp", "ep", "metric"]  # fmt: skip
    for key, rows in cases.groupby(keys, sort=False, dropna=False):
        g = dict(zip(keys, key, strict=True))
        argument = BATCH_ARGUMENT[str(g["scenario"])]
        batch_setting = {argument: rows["concurrency"].to_numpy(float)} if argument else {}
        if argument is None and rows["requests"].notna().all():
            batch_setting = {"requests": rows["requests"].to_numpy(float)}
        deployment: dict[str, Any] = {
            "model": catalog.model_spec(g["model"]),  # type: ignore[attr-defined]
            "gpu": catalog.gpu_spec(g["gpu"]),  # type: ignore[attr-defined]
            "gpus": int(g["gpus"]),
            "precision": str(g["precision"]),
            "kv_precision": g["kv_precision"] if isinstance(g["kv_precision"], str) else None,
            "input_tokens": rows["input_tokens"].to_numpy(float),
            "output_tokens": rows["output_tokens"].to_numpy(float),
            "engine": _profile(str(g["engine"]), str(g["engine_settings"]), profiles),
            "tp": int(g["tp"]),
            "pp": int(g["pp"]),
            "ep": int(g["ep"]),
            "quant_scope": "all_linear",
        }
        est = estimate_serving(**deployment, max_throughput=argument is None, **batch_setting)
        metric = str(g["metric"])
        if metric == "request_latency_ms":  # first token, then one step per further token
            value = (est.ttft_s + (rows["output_tokens"].to_numpy(float) - 1) * est.tpot_s) * 1e3
        elif metric == "decode_tokens_per_s_per_user":
            value = 1.0 / est.tpot_s
        elif metric == "itl_p50_ms":  # the median gap between tokens: a step without a prefill
            value = 1e3 * estimate_serving(
                **deployment, batch=est.batch_size, cached_input_fraction=1.0
            ).tpot_s
        else:
            attr, scale = METRICS[metric]
            value = getattr(est, attr) * scale
        out[rows.index.to_numpy()] = np.broadcast_to(value, len(rows))
    return out


def beyond_capacity(
    cases: pd.DataFrame, catalog: object, profiles: dict[str, EngineProfile] | None = None
) -> np.ndarray:
    """True for Poisson-arrival cases whose rate the model says the engine cannot keep up with
    (infinite TTFT): the published run was a finite one with a growing queue, which no
    steady-state figure describes, so such cases are counted apart, not scored."""
    poisson = (cases["scenario"] == "poisson").to_numpy()
    out = np.zeros(len(cases), dtype=bool)
    if poisson.any():
        rows = cases[poisson].assign(metric="ttft_p50_ms").reset_index(drop=True)
        out[poisson] = ~np.isfinite(predict(rows, catalog, profiles))
    return out


def error_table(
    cases: pd.DataFrame, predicted: np.ndarray, over: np.ndarray | None = None
) -> pd.DataFrame:
    """Per source/GPU/engine/metric group: cases, cases the model says do not fit (no
    prediction, left out of the errors), cases at request rates beyond capacity (``over``, not
    scored), median and worst absolute % error, and the median signed error (a systematic bias
    shows as a median signed error near the median)."""
    err = 100 * (predicted / cases["measured"].to_numpy() - 1)
    beyond = np.zeros(len(cases), dtype=bool) if over is None else np.asarray(over, dtype=bool)
    frame = cases.assign(
        err_pct=err,
        abs_err_pct=np.abs(err),
        no_fit=np.isnan(predicted) & ~beyond,
        beyond=beyond,
    )
    groups = frame.groupby(["source", "gpu", "precision", "engine", "metric"], sort=False)
    table = groups.agg(
        cases=("abs_err_pct", "size"),
        no_fit=("no_fit", "sum"),
        beyond=("beyond", "sum"),
        median_pct=("abs_err_pct", "median"),
        worst_pct=("abs_err_pct", "max"),
        bias_pct=("err_pct", "median"),
    )
    return table.reset_index()


def tp_scaling_table(cases: pd.DataFrame, predicted: np.ndarray) -> pd.DataFrame:
    """Tensor-parallel scaling: throughput cases per GPU kind and TP degree (dense splits, no
    expert parallelism): median absolute and signed error, to show the all-reduce model at
    TP2/4/8 (:mod:`llmcost.perf.collectives`)."""
    err = 100 * (predicted / cases["measured"].to_numpy() - 1)
    frame = cases.assign(err_pct=err, abs_err_pct=np.abs(err))
    dense = frame[(frame["ep"] == 1) & frame["metric"].str.startswith("output_tokens_per_s")]
    groups = dense.groupby(["gpu", "tp"], sort=True)
    table = groups.agg(
        cases=("abs_err_pct", "size"),
        median_pct=("abs_err_pct", "median"),
        bias_pct=("err_pct", "median"),
    )
    return table.reset_index()


def markdown(table: pd.DataFrame, overall_median: float, overall_worst: float, n: int) -> str:
    """The error table as markdown (for README)."""
    header = ["source", "GPU", "precision", "engine", "metric", "cases", "median abs. error",
              "worst abs. error", "median signed error"]  # fmt: skip
    rows = [
        [
            r.source,
            r.gpu,
            r.precision,
            r.engine,
            r.metric,
            f"{r.cases}"
            + (f" ({r.no_fit} do not fit)" if r.no_fit else "")
            + (f" ({r.beyond} beyond capacity)" if r.beyond else ""),
            f"{r.median_pct:.1f} %",
            f"{r.worst_pct:.1f} %",
            f"{r.bias_pct:+.1f} %",
        ]
        for r in table.itertuples(index=False)
    ]
    rows.append([*total_row(5, n, overall_median, overall_worst), ""])
    return markdown_table(header, rows, right_aligned=4)


def main() -> int:
    """Print the validation report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", action="store_true", help="also print every case")
    args = parser.parse_args()
    catalog = load_catalog()
    cases = load_cases()
    over = beyond_capacity(cases, catalog)
    pred = np.where(over, np.nan, predict(cases, catalog))
    abs_err = 100 * np.abs(pred / cases["measured"].to_numpy() - 1)
    table = error_table(cases, pred, over)
    overall_median, overall_worst = float(np.nanmedian(abs_err)), float(np.nanmax(abs_err))
    pd.set_option("display.width", 160)
    pd.set_option("display.max_rows", 500)
    if args.cases:
        shown = cases.assign(predicted=pred, err_pct=100 * (pred / cases["measured"] - 1))
        cols = ["id", "measured", "predicted", "err_pct"]
        print(shown[cols].to_string(index=False, float_format=lambda x: f"{x:.1f}"))
        print()
    print("Predicted vs published, cases not used for calibration")
    print(table.to_string(index=False, float_format=lambda x: f"{x:.1f}"))
    for metric in [*METRICS, *DERIVED_METRICS]:
        mask = (cases["metric"] == metric).to_numpy()
        if mask.any():
            print(f"{metric}: {mask.sum()} cases, median {np.nanmedian(abs_err[mask]):.1f} %")
    print(
        f"overall: {len(cases)} cases ({int(np.isnan(pred).sum() - over.sum())} predicted not "
        f"to fit, {int(over.sum())} at request rates the model puts beyond capacity), "
        f"median {overall_median:.1f} %, worst {overall_worst:.1f} %, "
        f"p90 {float(np.nanpercentile(abs_err, 90)):.1f} %"
    )
    print()
    print("Targets (issue 15)")
    print("\n".join(target_lines(cases, pred)))
    print()
    print("Mixture of experts (Llama 4 groups; before = llmcost before llmcost.perf.moe;")
    print("low/high = predicted ÷ measured)")
    print(moe_table(cases, pred).to_string(index=False, float_format=lambda x: f"{x:.2f}"))
    print()
    print("Residuals over 30 % and their causes")
    print("\n".join(residual_lines(cases, pred)))
    print()
    print("Tensor-parallel scaling (dense throughput cases by GPU and TP degree)")
    tp_table = tp_scaling_table(cases, pred)
    print(tp_table.to_string(index=False, float_format=lambda x: f"{x:.1f}"))
    print()
    print(markdown(table, overall_median, overall_worst, len(cases)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
