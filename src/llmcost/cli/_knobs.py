"""Engine-knob flags of ``llmcost perf`` (:class:`llmcost.perf.knobs.EngineKnobs`)."""

from __future__ import annotations

import argparse

from ..perf.engines import EngineProfile
from ..perf.knobs import EngineKnobs


def add_knob_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the engine-knob flags (vLLM's names; each engine's defaults when left out).

    ``--gpu-memory-utilization``, ``--max-num-seqs``, ``--max-num-batched-tokens``,
    ``--max-model-len``, ``--kv-cache-dtype``, ``--no-prefix-caching``, ``--no-chunked-prefill``.
    """
    group = parser.add_argument_group("engine knobs (default: the engine's shipped defaults)")
    group.add_argument(
        "--gpu-memory-utilization",
        type=float,
        metavar="F",
        help="share of GPU memory the engine may use (vLLM default 0.9)",
    )
    group.add_argument("--max-num-seqs", type=int, metavar="N", help="cap on running sequences")
    group.add_argument(
        "--max-num-batched-tokens", type=int, metavar="N", help="token budget of one engine step"
    )
    group.add_argument(
        "--max-model-len",
        type=int,
        metavar="N",
        help="longest prompt + output; the KV cache must hold one",
    )
    group.add_argument("--kv-cache-dtype", metavar="P", help="KV-cache precision (e.g. fp8)")
    group.add_argument(
        "--no-prefix-caching", action="store_true", help="cache hits are prefilled again"
    )
    group.add_argument(
        "--no-chunked-prefill",
        action="store_true",
        help="a step holds a whole prompt (budget ≥ max-model-len)",
    )


def knobs_from_args(args: argparse.Namespace) -> EngineKnobs | None:
    """The knobs the flags set (None: none given)."""
    knobs = EngineKnobs(
        gpu_memory_utilization=args.gpu_memory_utilization,
        max_num_seqs=args.max_num_seqs,
        max_num_batched_tokens=args.max_num_batched_tokens,
        max_model_len=args.max_model_len,
        kv_cache_dtype=args.kv_cache_dtype,
        enable_prefix_caching=False if args.no_prefix_caching else None,
        enable_chunked_prefill=False if args.no_chunked_prefill else None,
    )
    return knobs if knobs.given() else None


def engine_from_args(args: argparse.Namespace) -> str | EngineProfile:
    """``--engine-profile`` (a calibrated profile file) if given, else ``--engine``."""
    if getattr(args, "engine_profile", None):
        from ..scenario.calibration import load_engine_profile

        return load_engine_profile(args.engine_profile)
    return str(args.engine)
