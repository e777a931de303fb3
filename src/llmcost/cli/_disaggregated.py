"""``llmcost perf --disaggregated P:D``: separate prefill and decode pools on the command line.

The numbers come from :func:`llmcost.perf.disaggregated.estimate_disaggregated`, the same
function a scenario's ``[options.disaggregated]`` table uses; this module only reads the flags,
refuses the ones that do not apply to two pools, and lays out the JSON and the text.
"""

from __future__ import annotations

import argparse
import math
from typing import Any

from .._core.errors import InvalidInputError
from ._common import Output

#: ``--kv-link`` choices: llmcost.perf.disaggregated.KV_LINKS, spelled out so that building
#: the parser imports no performance model (a test checks they agree).
KV_LINK_CHOICES = ("auto", "intra_node", "inter_node")
#: Flags of the one-pool model that have no meaning for two pools: (flag, attribute, default).
_ONE_POOL_FLAGS = (
    ("--gpus", "gpus", None),
    ("--tp", "tp", None),
    ("--pp", "pp", 1),
    ("--ep", "ep", None),
    ("--batch", "batch", None),
    ("--concurrency", "concurrency", None),
    ("--max-throughput", "max_throughput", False),
    ("--requests", "requests", None),
    ("--layout", "layout", None),
    ("--speculative", "speculative", None),
    ("--image-tiles", "image_tiles", 0.0),
    ("--quant-scope", "quant_scope", "checkpoint"),
)
#: Per-replica figures of the estimate, in the order the text prints them.
_FIGURES = (
    ("prefill_requests_per_s_per_replica", "requests/s per prefill replica"),
    ("decode_requests_per_s_per_replica", "requests/s per decode replica"),
    ("prefill_tokens_per_s_per_replica", "prompt tokens/s per prefill replica"),
    ("decode_output_tokens_per_s_per_replica", "output tokens/s per decode replica"),
    ("prefill_utilization_fraction", "prefill utilization"),
    ("decode_batch", "decode batch"),
    ("kv_bytes_per_request", "KV cache sent per request [bytes]"),
    ("kv_transfer_s", "KV transfer [s]"),
    ("ttft_s", "TTFT [s]"),
    ("tpot_s", "TPOT [s]"),
)


def add_disaggregated_flags(parser: argparse.ArgumentParser) -> None:
    """Add ``--disaggregated P:D``, ``--kv-link`` and ``--kv-link-gb-per-s`` to ``perf``."""
    group = parser.add_argument_group("disaggregated prefill/decode (default: one pool)")
    group.add_argument(
        "--disaggregated",
        metavar="P:D",
        help="GPUs of one prefill replica and of one decode replica, e.g. 4:4 (replaces "
        "--gpus; with --request-rate, the whole replicas of each pool for that rate)",
    )
    group.add_argument(
        "--kv-link",
        choices=KV_LINK_CHOICES,
        help="where the KV cache travels between the pools (default auto: intra_node when "
        "both replicas fit one NVLink domain)",
    )
    group.add_argument(
        "--kv-link-gb-per-s",
        type=float,
        metavar="GB_S",
        help="bandwidth of that link per GPU and direction [GB/s] (default: the GPU's NVLink "
        "or 50 GB/s between nodes)",
    )


def pool_sizes(text: str) -> tuple[int, int]:
    """``"4:2"`` → ``(4, 2)``: GPUs of one prefill replica and of one decode replica.

    >>> pool_sizes("4:2")
    (4, 2)
    """
    parts = text.split(":")
    if len(parts) == 2 and all(p.strip().isdigit() and int(p) >= 1 for p in parts):
        return int(parts[0]), int(parts[1])
    raise InvalidInputError(
        f"--disaggregated {text!r}: give P:D, two whole numbers ≥ 1 (GPUs of one prefill "
        "replica and of one decode replica), e.g. 4:4"
    )


def check_disaggregated_flags(args: argparse.Namespace) -> None:
    """Refuse two-pool flags without ``--disaggregated``, and one-pool flags with it."""
    if args.disaggregated is None:
        given = [
            flag
            for flag, value in (
                ("--kv-link", args.kv_link),
                ("--kv-link-gb-per-s", args.kv_link_gb_per_s),
            )
            if value is not None
        ]
        if given:
            raise InvalidInputError(f"{', '.join(given)} needs --disaggregated P:D")
        return
    for flag, attribute, default in _ONE_POOL_FLAGS:
        if getattr(args, attribute, default) != default:
            raise InvalidInputError(
                f"{flag} does not apply with --disaggregated (each pool is one tensor-parallel "
                "replica of P or D GPUs, sized at its best batch under the targets)"
            )


def perf_disaggregated(args: argparse.Namespace, knobs: Any) -> Output:
    """Run ``perf --disaggregated P:D``: per-replica capacity, and pools at ``--request-rate``."""
    from ..catalog import load_catalog
    from ..perf.disaggregated import estimate_disaggregated
    from ._knobs import engine_from_args

    if knobs is not None:
        raise InvalidInputError("engine knobs do not apply with --disaggregated")
    prefill_gpus, decode_gpus = pool_sizes(args.disaggregated)
    cat = load_catalog()
    est = estimate_disaggregated(
        cat.model_spec(args.model),
        cat.gpu_spec(args.gpu),
        prefill_gpus=prefill_gpus,
        decode_gpus=decode_gpus,
        precision=args.precision,
        input_tokens=args.input_tokens,
        output_tokens=args.output_tokens,
        engine=engine_from_args(args),
        kv_precision=args.kv_precision,
        ttft_slo_s=args.ttft_slo_s,
        tpot_slo_s=args.tpot_slo_s,
        cached_input_fraction=args.cached_input_fraction,
        kv_link=args.kv_link or "auto",
        kv_link_gb_per_s=args.kv_link_gb_per_s,
    )
    row = est.to_frame().iloc[0]
    payload: dict[str, Any] = {
        "disaggregated": True,
        "prefill_gpus_per_replica": prefill_gpus,
        "decode_gpus_per_replica": decode_gpus,
        "fits": bool(row["fits"]),
        "meets_slo": bool(row["meets_slo"]),
    }
    payload |= {key: _number(row[key]) for key, _ in _FIGURES}
    if args.request_rate is not None:
        pools = est.pools(args.request_rate)
        payload["pools"] = {
            "request_rate_per_s": _number(pools.request_rate_per_s),
            "prefill_replicas": _number(pools.prefill_replicas),
            "decode_replicas": _number(pools.decode_replicas),
            "prefill_gpus": _number(pools.prefill_gpus),
            "decode_gpus": _number(pools.decode_gpus),
            "gpus": _number(pools.gpus),
        }
    payload["basis"] = est.basis
    return Output(payload, _text(payload, args))


def _number(value: Any) -> float | int | None:
    """A finite number as int when whole-valued counts are meant, else float; NaN → None."""
    f = float(value)
    if not math.isfinite(f):
        return None
    return int(f) if f.is_integer() and abs(f) < 2**53 else f


def _text(payload: dict[str, Any], args: argparse.Namespace) -> str:
    p, d = payload["prefill_gpus_per_replica"], payload["decode_gpus_per_replica"]
    basis = payload["basis"]
    lines = [
        f"{args.model} on {args.gpu}, disaggregated: {p} prefill + {d} decode GPUs per replica "
        f"({basis['engine']}, {args.precision}, KV over {basis['kv_link']} at "
        f"{basis['kv_link_gb_per_s']:,.0f} GB/s per GPU)",
    ]
    if not payload["fits"]:
        lines.append("  does not fit: a pool's weights and KV cache exceed its GPUs' memory")
    elif not payload["meets_slo"]:
        lines.append(
            "  misses a target: no prefill load meets --ttft-slo-s or no decode batch "
            "meets --tpot-slo-s"
        )
    for key, label in _FIGURES:
        value = payload[key]
        lines.append(f"  {label}: {'n/a' if value is None else f'{value:,.4g}'}")
    pools = payload.get("pools")
    if pools is not None and pools["gpus"] is not None:
        lines.append(
            f"  at {pools['request_rate_per_s']:,.4g} requests/s: {pools['prefill_replicas']} "
            f"prefill + {pools['decode_replicas']} decode replicas = {pools['gpus']} GPUs"
        )
    return "\n".join(lines)
