"""``llmcost memory`` and ``llmcost perf``: the performance model on the command line (§4)."""

from __future__ import annotations

import argparse
import csv
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from .._core.errors import InvalidInputError, LlmcostError
from ..perf import PerfEstimate, estimate_serving, memory_footprint
from ..perf.engines import ENGINE_PROFILES
from ._common import Output, add_json_flag, format_table

PERF_KEYS = PerfEstimate.HEADLINE_COLUMNS
DEFAULT_CONTEXT_TOKENS = 4096


def register(subparsers: Any) -> None:
    """Add the ``memory`` and ``perf`` sub-commands."""
    mem = subparsers.add_parser(
        "memory", help="weights, KV cache per token, fit and max concurrency on a GPU"
    )
    mem.add_argument("--model", required=True, help="model id, e.g. llama-3.1-70b")
    mem.add_argument("--precision", required=True, help="weight precision: bf16 fp16 fp8 int8 …")
    mem.add_argument("--kv-precision", help="KV-cache precision (default: the engine's choice)")
    mem.add_argument("--gpu", help="GPU id, e.g. h100-sxm")
    mem.add_argument("--gpus", type=int, default=1, help="GPUs of one replica (default 1)")
    mem.add_argument(
        "--context-tokens",
        type=int,
        default=DEFAULT_CONTEXT_TOKENS,
        help=f"tokens per sequence for max_concurrent_sequences (default {DEFAULT_CONTEXT_TOKENS})",
    )
    mem.add_argument(
        "--concurrent-sequences",
        type=int,
        default=1,
        help="sequences held at once for max_context_tokens (default 1)",
    )
    mem.add_argument(
        "--engine", default="vllm", help="engine profile: " + ", ".join(ENGINE_PROFILES)
    )
    _add_split_flags(mem)
    add_json_flag(mem)
    mem.set_defaults(handler=_memory)

    perf = subparsers.add_parser("perf", help="throughput and latency of a deployment")
    perf.add_argument("--grid", help="CSV of configurations (columns named like the flags)")
    perf.add_argument("--model")
    perf.add_argument("--gpu")
    perf.add_argument("--gpus", type=int)
    perf.add_argument("--precision")
    perf.add_argument("--kv-precision")
    perf.add_argument("--input-tokens", type=float)
    perf.add_argument("--output-tokens", type=float)
    mode = perf.add_mutually_exclusive_group()
    mode.add_argument("--batch", type=float, help="sequences running concurrently")
    mode.add_argument("--concurrency", type=float, help="closed loop of C users")
    mode.add_argument("--max-throughput", action="store_true", help="the batch memory allows")
    mode.add_argument(
        "--request-rate",
        type=float,
        help="Poisson arrivals, requests per second: p50/p95 TTFT and TPOT under that load",
    )
    perf.add_argument(
        "--engine", default="vllm", help="engine profile: " + ", ".join(ENGINE_PROFILES)
    )
    _add_split_flags(perf)
    perf.add_argument("--tpot-slo-s", type=float, help="time-per-output-token target [s]")
    perf.add_argument("--ttft-slo-s", type=float, help="time-to-first-token target [s]")
    perf.add_argument("--cached-input-fraction", type=float, default=0.0)
    perf.add_argument(
        "--requests",
        type=float,
        help="with --max-throughput: a finite offline run of N requests, served in waves "
        "(what offline benchmarks such as trtllm-bench measure; default: steady state)",
    )
    perf.add_argument(
        "--image-tiles",
        type=float,
        default=0.0,
        help="vision-encoder tiles per request (Llama 4: 336-px tiles + the global tile)",
    )
    perf.add_argument(
        "--layout",
        choices=["best"],
        help="best: search every replicas × tp × pp × ep split of --gpus for the most tok/s "
        "per GPU (at --max-throughput or under the SLO flags) and report it",
    )
    add_json_flag(perf)
    perf.set_defaults(handler=_perf)


def _add_split_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--tp", type=int, help="tensor-parallel degree (default: all GPUs)")
    parser.add_argument("--pp", type=int, default=1, help="pipeline-parallel degree")
    parser.add_argument("--ep", type=int, help="expert-parallel degree (MoE)")
    parser.add_argument(
        "--quant-scope",
        default="checkpoint",
        help="layers a quantized checkpoint quantizes: checkpoint, all_linear, mlp_only",
    )


def _int_or_none(value: Any) -> Any:
    f = float(value)
    return round(f) if math.isfinite(f) else None


def _memory(args: argparse.Namespace) -> Output:
    from ..catalog import load_catalog

    cat = load_catalog()
    model = cat.model_spec(args.model)
    gpu = cat.gpu_spec(args.gpu) if args.gpu else None
    est = memory_footprint(
        model,
        args.precision,
        gpu=gpu,
        gpus=args.gpus,
        kv_precision=args.kv_precision,
        context_tokens=args.context_tokens if gpu else None,
        engine=args.engine,
        tp=args.tp,
        pp=args.pp,
        ep=args.ep,
        quant_scope=args.quant_scope,
        concurrent_sequences=args.concurrent_sequences,
    )
    payload: dict[str, Any] = {
        "model": model.id,
        "precision": args.precision,
        "kv_precision": est.basis["kv_precision"],
        "weights_bytes": _int_or_none(est.weights_bytes),
        "kv_cache_bytes_per_token": _int_or_none(est.kv_cache_bytes_per_token),
    }
    if gpu is not None:
        seqs = float(est.max_concurrent_sequences)
        payload |= {
            "gpu": gpu.id,
            "gpus": args.gpus,
            "engine": est.basis["engine"],
            "context_tokens": args.context_tokens,
            "fits": bool(est.fits),
            "max_concurrent_sequences": int(seqs) if math.isfinite(seqs) else None,
            "concurrent_sequences": args.concurrent_sequences,
            "max_context_tokens": _int_or_none(est.max_context_tokens),
            "model_max_context_tokens": model.max_context_tokens,
            "per_gpu_weights_bytes": _int_or_none(est.per_gpu_weights_bytes),
            "per_gpu_kv_cache_budget_bytes": _int_or_none(est.per_gpu_kv_budget_bytes),
            "visible_bytes_per_gpu": _int_or_none(est.visible_bytes_per_gpu),
        }
    text = "\n".join(f"{k}: {v}" for k, v in payload.items())
    return Output(payload, text)


def _perf(args: argparse.Namespace) -> Output:
    if args.grid:
        return _perf_grid(Path(args.grid))
    missing = [
        flag
        for flag, value in (
            ("--model", args.model),
            ("--gpu", args.gpu),
            ("--gpus", args.gpus),
            ("--precision", args.precision),
            ("--input-tokens", args.input_tokens),
            ("--output-tokens", args.output_tokens),
        )
        if value is None
    ]
    if missing:
        raise InvalidInputError("perf needs " + ", ".join(missing) + " (or --grid FILE.csv)")
    if args.layout == "best":
        from .plan import perf_best_layout

        return perf_best_layout(args)
    from ..catalog import load_catalog

    cat = load_catalog()
    est = estimate_serving(
        cat.model_spec(args.model),
        cat.gpu_spec(args.gpu),
        gpus=args.gpus,
        precision=args.precision,
        input_tokens=args.input_tokens,
        output_tokens=args.output_tokens,
        engine=args.engine,
        kv_precision=args.kv_precision,
        tp=args.tp,
        pp=args.pp,
        ep=args.ep,
        batch=args.batch,
        concurrency=args.concurrency,
        max_throughput=args.max_throughput,
        tpot_slo_s=args.tpot_slo_s,
        ttft_slo_s=args.ttft_slo_s,
        cached_input_fraction=args.cached_input_fraction,
        quant_scope=args.quant_scope,
        requests=args.requests,
        image_tiles=args.image_tiles,
        arrival_rate_per_s=args.request_rate,
    )
    payload = {k: _plain(getattr(est, k)) for k in PERF_KEYS}
    if args.request_rate is not None:
        for key in ("ttft_p50_s", "ttft_p95_s", "tpot_p50_s", "tpot_p95_s"):
            payload[key] = _plain(getattr(est, key))
    payload["weights_bytes_per_gpu"] = _int_or_none(est.weights_bytes_per_gpu)
    payload["basis"] = est.basis
    return Output(payload, est.explain())


def _plain(value: Any) -> Any:
    arr = np.asarray(value)
    if arr.dtype.kind in "biu" or arr.dtype == bool:
        return arr.item()
    if arr.dtype.kind == "f":
        f = float(arr)
        return f if math.isfinite(f) else None
    return str(arr)


# --- grid -----------------------------------------------------------------------------------

_GROUP_KEYS = (
    "model", "gpu", "gpus", "precision", "kv_precision", "engine", "tp", "pp", "ep",
    "mode", "tpot_slo_s", "ttft_slo_s", "quant_scope",
)  # fmt: skip
_FLOAT_COLUMNS = (
    "input_tokens", "output_tokens", "batch", "concurrency", "cached_input_fraction",
)  # fmt: skip


def _cell(row: dict[str, str], key: str) -> str | None:
    value = (row.get(key) or "").strip()
    return value or None


def _number(row: dict[str, str], key: str, kind: Callable[[str], Any]) -> Any:
    value = _cell(row, key)
    if value is None:
        return None
    try:
        return kind(value)
    except ValueError:
        raise InvalidInputError(f"{key} must be a number; got {value!r}") from None


def _parse_row(row: dict[str, str]) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """Split a CSV row into its group key and its per-row numbers."""
    for key in ("model", "gpu", "gpus", "precision", "input_tokens", "output_tokens"):
        if _cell(row, key) is None:
            raise InvalidInputError(f"column {key} is empty")
    throughput = (_cell(row, "max_throughput") or "").lower() in ("1", "true", "yes")
    modes = [_cell(row, "batch") is not None, _cell(row, "concurrency") is not None, throughput]
    has_slo = _cell(row, "tpot_slo_s") is not None or _cell(row, "ttft_slo_s") is not None
    if sum(modes) + (has_slo and not any(modes)) != 1:
        raise InvalidInputError("set exactly one of batch, concurrency, max_throughput or an SLO")
    mode = ["batch", "concurrency", "max_throughput"][modes.index(True)] if any(modes) else "slo"
    group = (
        _cell(row, "model"),
        _cell(row, "gpu"),
        _number(row, "gpus", int),
        _cell(row, "precision"),
        _cell(row, "kv_precision"),
        _cell(row, "engine") or "vllm",
        _number(row, "tp", int),
        _number(row, "pp", int) or 1,
        _number(row, "ep", int),
        mode,
        _number(row, "tpot_slo_s", float),
        _number(row, "ttft_slo_s", float),
        _cell(row, "quant_scope") or "checkpoint",
    )
    values = {k: _number(row, k, float) for k in _FLOAT_COLUMNS}
    values["cached_input_fraction"] = values["cached_input_fraction"] or 0.0
    return group, values


def _evaluate_group(group: tuple[Any, ...], rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    from ..catalog import load_catalog

    g = dict(zip(_GROUP_KEYS, group, strict=True))
    cat = load_catalog()

    def col(key: str) -> Any:
        return np.array([r[key] for r in rows], dtype=np.float64)

    est = estimate_serving(
        cat.model_spec(g["model"]),
        cat.gpu_spec(g["gpu"]),
        gpus=g["gpus"],
        precision=g["precision"],
        input_tokens=col("input_tokens"),
        output_tokens=col("output_tokens"),
        engine=g["engine"],
        kv_precision=g["kv_precision"],
        tp=g["tp"],
        pp=g["pp"],
        ep=g["ep"],
        batch=col("batch") if g["mode"] == "batch" else None,
        concurrency=col("concurrency") if g["mode"] == "concurrency" else None,
        max_throughput=g["mode"] == "max_throughput",
        tpot_slo_s=g["tpot_slo_s"],
        ttft_slo_s=g["ttft_slo_s"],
        cached_input_fraction=col("cached_input_fraction"),
        quant_scope=g["quant_scope"],
    )
    arrays = {k: np.broadcast_to(np.asarray(getattr(est, k)), (len(rows),)) for k in PERF_KEYS}
    return [{k: _plain(arrays[k][i]) for k in PERF_KEYS} for i in range(len(rows))]


def _perf_grid(path: Path) -> Output:
    try:
        with path.open(newline="", encoding="utf-8") as fh:
            table = list(csv.DictReader(fh))
    except OSError as exc:
        raise InvalidInputError(f"cannot read grid {str(path)!r}: {exc.strerror}") from exc
    results: list[dict[str, Any]] = [{} for _ in table]
    groups: dict[tuple[Any, ...], list[int]] = {}
    parsed: dict[int, dict[str, Any]] = {}
    for i, row in enumerate(table):
        try:
            key, values = _parse_row(row)
        except LlmcostError as exc:
            results[i] = {"error": str(exc)}
            continue
        groups.setdefault(key, []).append(i)
        parsed[i] = values
    for key, idx in groups.items():
        try:
            for i, res in zip(idx, _evaluate_group(key, [parsed[i] for i in idx]), strict=True):
                results[i] = res
        except LlmcostError:  # isolate the bad rows of the group
            for i in idx:
                try:
                    results[i] = _evaluate_group(key, [parsed[i]])[0]
                except LlmcostError as exc:
                    results[i] = {"error": str(exc)}
    columns = ["row", *PERF_KEYS[:6], "limited_by", "error"]
    text_rows = [{"row": i, **r} for i, r in enumerate(results)]
    return Output({"results": results}, format_table(text_rows, columns))
