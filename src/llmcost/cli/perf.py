"""``llmcost memory`` and ``llmcost perf``: the performance model on the command line (§4)."""

from __future__ import annotations

import argparse
import math
from pathlib import Path
from typing import Any

import numpy as np

from .._core.errors import InvalidInputError
from ..perf import PerfEstimate, estimate_serving, memory_footprint
from ..perf.engines import ENGINE_PROFILES
from ._common import Output, add_json_flag
from ._disaggregated import (
    add_disaggregated_flags,
    check_disaggregated_flags,
    perf_disaggregated,
)
from ._fit_hint import what_would_fit
from ._knobs import add_knob_arguments, engine_from_args, knobs_from_args

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
    perf.add_argument(
        "--grid", help="CSV (or .parquet) of configurations, columns named like the flags"
    )
    perf.add_argument(
        "--out",
        metavar="FILE",
        help="with --grid: write every row to FILE.csv, FILE.parquet or FILE.json",
    )
    perf.add_argument("--force", action="store_true", help="replace an existing --out file")
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
    add_knob_arguments(perf)
    _add_speculative_flags(perf)
    add_disaggregated_flags(perf)
    perf.add_argument(
        "--explain", action="store_true", help="also where the engine's efficiency comes from"
    )
    perf.add_argument(
        "--engine-profile",
        metavar="PATH",
        help="a profile file from llmcost calibrate (replaces --engine's profile)",
    )
    add_json_flag(perf)
    perf.set_defaults(handler=_perf)


def _add_split_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--tp", type=int, help="tensor-parallel degree (default: all GPUs)")
    parser.add_argument("--pp", type=int, default=1, help="pipeline-parallel degree")
    parser.add_argument("--ep", type=int, help="expert-parallel degree (MoE)")
    parser.add_argument(
        "--moe-layout",
        choices=["dep", "tep"],
        default="dep",
        help="with --ep: dep = attention data-parallel over the ep ranks (default), tep = "
        "attention tensor-parallel over all tp × ep GPUs",
    )
    parser.add_argument(
        "--quant-scope",
        default="checkpoint",
        help="layers a quantized checkpoint quantizes: checkpoint, all_linear, mlp_only",
    )


def _add_speculative_flags(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("speculative decoding (default: none)")
    group.add_argument(
        "--speculative",
        choices=["draft_model", "eagle", "ngram"],
        help="drafter: a draft model (--draft-model), an EAGLE head, or n-gram prompt lookup",
    )
    group.add_argument("--draft-model", metavar="M", help="draft model id, e.g. llama-3.2-1b")
    group.add_argument(
        "--num-draft-tokens", type=int, metavar="K", help="tokens drafted per round (default 4)"
    )
    group.add_argument(
        "--acceptance-rate",
        type=float,
        metavar="A",
        help="probability each drafted token is accepted, 0-1 (required with --speculative)",
    )


def _speculative_from_args(args: argparse.Namespace, cat: Any) -> Any:
    """The :class:`~llmcost.perf.speculative.SpeculativeDecoding` the flags ask for, or None."""
    from ..perf.speculative import SpeculativeDecoding

    if args.speculative is None:
        given = [
            flag
            for flag, value in (
                ("--draft-model", args.draft_model),
                ("--num-draft-tokens", args.num_draft_tokens),
                ("--acceptance-rate", args.acceptance_rate),
            )
            if value is not None
        ]
        if given:
            raise InvalidInputError(f"{', '.join(given)} needs --speculative METHOD")
        return None
    if args.acceptance_rate is None:
        raise InvalidInputError("--speculative needs --acceptance-rate (0-1)")
    draft = cat.model_spec(args.draft_model) if args.draft_model else None
    return SpeculativeDecoding(
        method=args.speculative,
        num_draft_tokens=4 if args.num_draft_tokens is None else args.num_draft_tokens,
        acceptance_rate=args.acceptance_rate,
        draft_model=draft,
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
        attention_dp=args.moe_layout == "dep",
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
    if args.out and not args.grid:
        raise InvalidInputError("--out writes the rows of a --grid; give --grid FILE.csv")
    if args.grid:
        from ._grid import perf_grid

        out = Path(args.out) if args.out else None
        return perf_grid(Path(args.grid), out_path=out, as_json=args.json, force=args.force)
    missing = [
        flag
        for flag, value in (
            ("--model", args.model),
            ("--gpu", args.gpu),
            ("--gpus", args.gpus if args.disaggregated is None else 0),
            ("--precision", args.precision),
            ("--input-tokens", args.input_tokens),
            ("--output-tokens", args.output_tokens),
        )
        if value is None
    ]
    check_disaggregated_flags(args)
    if missing:
        raise InvalidInputError("perf needs " + ", ".join(missing) + " (or --grid FILE.csv)")
    if args.disaggregated is not None:
        return perf_disaggregated(args, knobs_from_args(args))
    if args.layout == "best":
        from .plan import perf_best_layout

        return perf_best_layout(args)
    from ..catalog import load_catalog

    cat = load_catalog()
    kwargs: dict[str, Any] = dict(
        model=cat.model_spec(args.model),
        gpu=cat.gpu_spec(args.gpu),
        gpus=args.gpus,
        precision=args.precision,
        input_tokens=args.input_tokens,
        output_tokens=args.output_tokens,
        engine=engine_from_args(args),
        kv_precision=args.kv_precision,
        tp=args.tp,
        pp=args.pp,
        ep=args.ep,
        attention_dp=args.moe_layout == "dep",
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
        knobs=knobs_from_args(args),
        speculative=_speculative_from_args(args, cat),
    )
    est = estimate_serving(**kwargs)
    payload = {k: _plain(getattr(est, k)) for k in PERF_KEYS}
    if args.request_rate is not None:
        for key in ("ttft_p50_s", "ttft_p95_s", "tpot_p50_s", "tpot_p95_s"):
            payload[key] = _plain(getattr(est, key))
    payload["weights_bytes_per_gpu"] = _int_or_none(est.weights_bytes_per_gpu)
    payload["basis"] = est.basis
    text = est.explain(provenance=args.explain)
    if not bool(np.all(est.fits)):
        text = _with_hint(text, what_would_fit(kwargs))
    return Output(payload, text)


def _with_hint(text: str, hint: str) -> str:
    """The hint line right after the first "does not fit" line."""
    lines = text.split("\n")
    at = next(i for i, line in enumerate(lines) if "does not fit" in line)
    return "\n".join([*lines[: at + 1], f"  {hint}", *lines[at + 1 :]])


def _plain(value: Any) -> Any:
    arr = np.asarray(value)
    if arr.dtype.kind in "biu" or arr.dtype == bool:
        return arr.item()
    if arr.dtype.kind == "f":
        f = float(arr)
        return f if math.isfinite(f) else None
    return str(arr)
