"""Disaggregated prefill and decode: separate pools of replicas, the KV cache sent between them.

A prefill replica of ``prefill_gpus`` GPUs only prefills prompts. It computes the first token
and sends the prompt's KV cache to a decode replica of ``decode_gpus`` GPUs, which generates
the rest. Each pool is sized on its own load (Zhong et al. 2024, "DistServe", OSDI; the
layout NVIDIA Dynamo, vLLM and SGLang call PD disaggregation).

**Prefill pool** (prompt tokens/s and the TTFT target). A prompt of ``p`` computed tokens
(``input × (1 − cached_input_fraction)``) runs alone in ``⌈p / budget⌉`` steps of up to
``budget = max_batched_tokens`` tokens: ``S_own`` (:func:`~llmcost.perf.speed.step_time_s` with
no decoding sequences). Under load, short prompts share the steps, so a replica serves prompt
tokens at ``budget / t_step(budget)`` and one request takes ``S = p · t_step(budget) / budget``
of its time (``S_own`` for prompts longer than the budget). Prompts arrive as a Poisson
stream and are served first come first served: an M/D/1 queue with mean wait
``W = ρ·S / (2(1 − ρ))``, ``ρ = λ_replica · S`` (:mod:`llmcost.perf.queueing`). Then

    TTFT = S_own + W + KV transfer.

The busiest a prefill replica may run and still meet ``ttft_slo_s`` follows from
``W ≤ W_max = ttft_slo_s − S_own − transfer``: ``ρ_max = 2·W_max / (S + 2·W_max)``, capped
at :data:`~llmcost.perf.queueing.MAX_PREFILL_UTILIZATION` (the cap alone without a target).
A replica serves ``ρ_max / S`` requests per second.

**Decode pool** (decode tokens/s and the TPOT target). A decode replica holds each request's
KV cache (prompt + output) and runs decode steps only: the continuous-batching steady state
of :func:`~llmcost.perf.serving.estimate_serving` with nothing to prefill (every prompt token
arrives cached), at the batch with the best throughput under ``tpot_slo_s`` (the batch memory
allows without a target). A replica serves ``output tokens/s ÷ output tokens`` requests per
second (the first token counted too: it is a slight over-estimate of the decode work).

**KV transfer**. The prompt's KV cache, ``kv bytes per token × input`` (all layers), leaves
the prefill replica's GPUs in parallel, each its share, over the link between the pools:
``bytes / (min(prefill_gpus, decode_gpus) × link) + latency``. ``kv_link = "intra_node"``:
both pools in one NVLink/xGMI domain, the GPU's peer bandwidth per direction × the engine's
``interconnect_efficiency`` (as the collectives); ``"inter_node"``: each GPU's network
interface, 400 Gb/s = 50 GB/s per direction by default (one ConnectX-7 per GPU on DGX/HGX
H100 and B200: NVIDIA DGX H100/B200 user guides, "8× single-port ConnectX-7 400 Gb/s"), or
``kv_link_gb_per_s``. Counted whole in TTFT (not overlapped layer by layer with the prefill:
conservative); it does not hold the prefill GPUs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike

from .._core._arrays import FloatArray, check_finite, check_fraction, check_positive, check_range
from .._core.arguments import check_specs
from .._core.errors import InvalidInputError
from .._core.result import ResultShape
from .._core.serialize import jsonable
from .._core.specs import GpuSpec, ModelSpec
from .._core.units import BYTES_PER_GB
from .engines import EngineProfile, get_engine_profile
from .kv import kv_cache_bytes_per_sequence
from .memory import default_kv_precision, kv_budget_bytes_per_gpu, max_concurrent_sequences
from .parallel import resolve_split
from .queueing import MAX_PREFILL_UTILIZATION
from .serving import estimate_serving
from .speed import _link_bytes_per_s, deployment_rates, layer_context_sum, step_time_s
from .weights import weight_bytes

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "INTER_NODE_GB_PER_S",
    "KV_LINKS",
    "DisaggregatedEstimate",
    "DisaggregatedPools",
    "estimate_disaggregated",
]

#: Network bandwidth per GPU and direction between nodes: one 400 Gb/s ConnectX-7 per GPU
#: (NVIDIA DGX H100 / DGX B200 user guides) [GB/s].
INTER_NODE_GB_PER_S = 50.0
#: Latency of one KV transfer (an RDMA write's setup and completion; ~10 µs class) [s].
KV_TRANSFER_LATENCY_S = 20e-6
#: Where the KV cache travels between the pools.
KV_LINKS = ("auto", "intra_node", "inter_node")
#: Attributes whose table name carries the unit (:meth:`DisaggregatedEstimate.to_frame`).
_TABLE_NAMES = {"prefill_utilization": "prefill_utilization_fraction"}


@dataclass(frozen=True)
class DisaggregatedPools:
    """Whole replicas of each pool for a request rate, and their GPUs.

    ``gpus`` = ``prefill_gpus`` + ``decode_gpus``; ``*_gpus`` = replicas × GPUs per replica.
    """

    request_rate_per_s: Any
    prefill_replicas: Any
    decode_replicas: Any
    prefill_gpus: Any
    decode_gpus: Any
    gpus: Any


@dataclass(frozen=True)
class DisaggregatedEstimate(ResultShape):
    """Capacity of one prefill and one decode replica under their targets (see module text).

    Attributes
    ----------
    prefill_requests_per_s_per_replica, decode_requests_per_s_per_replica
        Requests per second one replica of each pool serves within its target [1/s].
    prefill_tokens_per_s_per_replica
        Prompt tokens per second one prefill replica computes at that load [tokens/s].
    decode_output_tokens_per_s_per_replica
        Output tokens per second of one decode replica [tokens/s].
    prefill_s, prefill_service_s
        One prompt's own prefill time alone (``S_own``) and its share of a busy replica
        (``S``) [s].
    prefill_utilization
        ``ρ_max``: the busy share of a prefill replica at that load [0–1].
    decode_batch
        Sequences a decode replica runs [sequences].
    kv_bytes_per_request, kv_transfer_s
        The prompt's KV cache sent to the decode pool, and the time it takes [bytes, s].
    ttft_s, tpot_s
        TTFT (own prefill + queue + transfer) at that load, and TPOT of the decode pool [s].
    fits, meets_slo
        Both pools fit in memory; both meet their targets.
    prefill_gpus_per_replica, decode_gpus_per_replica
        GPUs of one replica of each pool.
    basis
        Inputs, the link, the engine and the decode estimate's basis.
    """

    prefill_requests_per_s_per_replica: Any
    decode_requests_per_s_per_replica: Any
    prefill_tokens_per_s_per_replica: Any
    decode_output_tokens_per_s_per_replica: Any
    prefill_s: Any
    prefill_service_s: Any
    prefill_utilization: Any
    decode_batch: Any
    kv_bytes_per_request: Any
    kv_transfer_s: Any
    ttft_s: Any
    tpot_s: Any
    fits: Any
    meets_slo: Any
    prefill_gpus_per_replica: int
    decode_gpus_per_replica: int
    basis: dict[str, Any] = field(default_factory=dict)

    _COLUMNS = (
        "prefill_requests_per_s_per_replica",
        "decode_requests_per_s_per_replica",
        "prefill_tokens_per_s_per_replica",
        "decode_output_tokens_per_s_per_replica",
        "prefill_s",
        "prefill_utilization",
        "decode_batch",
        "kv_bytes_per_request",
        "kv_transfer_s",
        "ttft_s",
        "tpot_s",
        "fits",
        "meets_slo",
    )

    def pools(self, request_rate_per_s: ArrayLike) -> DisaggregatedPools:
        """Whole replicas of each pool that serve ``request_rate_per_s`` within the targets.

        ⌈λ / per-replica capacity⌉ each (e.g. 10 req/s with 4 and 1.5 req/s per replica: 3
        prefill and 7 decode replicas); NaN where a pool does not fit or misses its target.
        """
        lam = check_positive(request_rate_per_s, "request_rate_per_s")
        with np.errstate(divide="ignore", invalid="ignore"):
            n_p = np.ceil(lam / np.asarray(self.prefill_requests_per_s_per_replica) - 1e-9)
            n_d = np.ceil(lam / np.asarray(self.decode_requests_per_s_per_replica) - 1e-9)
        ok = np.asarray(self.fits) & np.asarray(self.meets_slo)
        n_p = np.where(ok, np.maximum(n_p, 1.0), np.nan)
        n_d = np.where(ok, np.maximum(n_d, 1.0), np.nan)
        g_p = n_p * self.prefill_gpus_per_replica
        g_d = n_d * self.decode_gpus_per_replica
        return DisaggregatedPools(lam, n_p, n_d, g_p, g_d, g_p + g_d)

    def to_frame(self) -> pd.DataFrame:
        """One row per input combination (``prefill_utilization`` as ``…_fraction`` [0–1])."""
        import pandas as pd

        arrays = np.broadcast_arrays(
            *(np.atleast_1d(np.asarray(getattr(self, c))) for c in self._COLUMNS)
        )
        names = [_TABLE_NAMES.get(c, c) for c in self._COLUMNS]
        return pd.DataFrame(dict(zip(names, arrays, strict=True)))

    def to_dict(self) -> dict[str, Any]:
        """Plain values for JSON: the table's columns as lists, GPUs per replica, the basis."""
        return jsonable(
            {
                "prefill_gpus_per_replica": self.prefill_gpus_per_replica,
                "decode_gpus_per_replica": self.decode_gpus_per_replica,
                "rows": self.to_frame().to_dict(orient="list"),
                "basis": self.basis,
            }
        )

    def __repr__(self) -> str:
        """One line: the pools' GPUs, rows, and whether every row fits and meets its targets."""
        ok = bool(np.all(np.asarray(self.fits) & np.asarray(self.meets_slo)))
        n = len(self.to_frame())
        return (
            f"DisaggregatedEstimate({self.prefill_gpus_per_replica} prefill + "
            f"{self.decode_gpus_per_replica} decode GPUs per replica, {n} rows, "
            f"{'all fit and meet their targets' if ok else 'some rows miss a fit or a target'})"
        )


def _kv_link_bytes_per_s(
    gpu: GpuSpec,
    link: str,
    prefill_gpus: int,
    decode_gpus: int,
    engine: EngineProfile,
    kv_link_gb_per_s: float | None,
) -> tuple[float, str]:
    """(bytes/s per GPU and direction, the link used) for the KV transfer."""
    if link not in KV_LINKS:
        raise InvalidInputError(f"kv_link must be one of {', '.join(KV_LINKS)}; got {link!r}")
    together = prefill_gpus + decode_gpus <= gpu.scale_up_domain_gpus
    if link == "auto":
        link = "intra_node" if together and gpu.interconnect_kind != "pcie" else "inter_node"
    if link == "intra_node" and not together:
        raise InvalidInputError(
            f"kv_link 'intra_node' needs both pools in one scale-up domain of "
            f"{gpu.scale_up_domain_gpus} {gpu.id} GPUs; got {prefill_gpus} + {decode_gpus}"
        )
    if kv_link_gb_per_s is not None:
        return float(check_positive(kv_link_gb_per_s, "kv_link_gb_per_s")) * BYTES_PER_GB, link
    if link == "intra_node":
        return _link_bytes_per_s(gpu) * engine.interconnect_efficiency, link
    return INTER_NODE_GB_PER_S * BYTES_PER_GB, link


def _prefill_pool(
    model: ModelSpec,
    gpu: GpuSpec,
    gpus: int,
    precision: str,
    kv_precision: str,
    profile: EngineProfile,
    input_tokens: FloatArray,
    computed: FloatArray,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """(own prefill time S_own, service share S, fits) of a prefill replica [s, s, bool]."""
    split = resolve_split(model, gpus)
    rates = deployment_rates(model, gpu, precision, kv_precision, split, profile)
    budget = float(profile.max_batched_tokens)
    with np.errstate(divide="ignore", invalid="ignore"):
        pctx = layer_context_sum(model, input_tokens - computed, input_tokens) / np.maximum(
            computed, 1.0
        )
    chunk = np.minimum(computed, budget)
    own = np.ceil(computed / budget) * step_time_s(rates, 0.0, 0.0, chunk, pctx).total
    full = step_time_s(rates, 0.0, 0.0, budget, pctx).total
    service = np.where(computed < budget, computed * full / budget, own)
    per_gpu = weight_bytes(model, precision).per_gpu(split.tp, split.pp, split.ep)
    kv_budget = kv_budget_bytes_per_gpu(gpu, model, per_gpu, profile, split.tp)
    fits = max_concurrent_sequences(model, kv_precision, kv_budget, input_tokens, split, profile)
    return np.asarray(own), np.asarray(service), np.asarray(fits >= 1)


def estimate_disaggregated(
    model: ModelSpec,
    gpu: GpuSpec,
    *,
    prefill_gpus: int,
    decode_gpus: int,
    precision: str,
    input_tokens: ArrayLike,
    output_tokens: ArrayLike,
    engine: str | EngineProfile = "vllm",
    kv_precision: str | None = None,
    ttft_slo_s: float | None = None,
    tpot_slo_s: float | None = None,
    cached_input_fraction: ArrayLike = 0.0,
    kv_link: str = "auto",
    kv_link_gb_per_s: float | None = None,
) -> DisaggregatedEstimate:
    """Capacity of disaggregated prefill and decode replicas under TTFT and TPOT targets.

    Parameters
    ----------
    prefill_gpus, decode_gpus
        GPUs of one prefill replica and of one decode replica, each all tensor-parallel.
    input_tokens, output_tokens
        Tokens per request (arrays broadcast) [tokens].
    ttft_slo_s, tpot_slo_s
        Targets: TTFT sizes the prefill pool, TPOT the decode pool (None: the prefill pool at
        the utilization cap, the decode pool at the batch memory allows) [s].
    cached_input_fraction
        Share of prompt tokens served from the prefix cache: not prefilled, still sent [0–1].
    kv_link, kv_link_gb_per_s
        Link of the KV transfer: "auto" (intra-node when both pools fit one scale-up domain),
        "intra_node" or "inter_node"; its bandwidth per GPU and direction to override the
        default [GB/s].
    """
    check_specs(model, gpu)
    for name, value in (("prefill_gpus", prefill_gpus), ("decode_gpus", decode_gpus)):
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
            raise InvalidInputError(f"{name} must be a whole number ≥ 1; got {value!r}")
    profile = get_engine_profile(engine, gpu).for_gpu(gpu)
    kv_prec = kv_precision or default_kv_precision(precision, profile)
    i_tok = check_positive(input_tokens, "input_tokens")
    o_tok = check_range(check_finite(output_tokens, "output_tokens"), "output_tokens", lo=1.0)
    cached = check_fraction(cached_input_fraction, "cached_input_fraction")
    for name, slo in (("ttft_slo_s", ttft_slo_s), ("tpot_slo_s", tpot_slo_s)):
        if slo is not None:
            check_positive(slo, name)
    link_bps, link_used = _kv_link_bytes_per_s(
        gpu, kv_link, prefill_gpus, decode_gpus, profile, kv_link_gb_per_s
    )
    computed = i_tok * (1.0 - cached)
    own, service, prefill_fits = _prefill_pool(
        model, gpu, prefill_gpus, precision, kv_prec, profile, i_tok, np.maximum(computed, 1.0)
    )
    kv_bytes = kv_cache_bytes_per_sequence(
        model, kv_prec, i_tok, chunked_attention=profile.exploits_chunked_attention
    )
    transfer = kv_bytes / (min(prefill_gpus, decode_gpus) * link_bps) + KV_TRANSFER_LATENCY_S
    if ttft_slo_s is None:
        rho = np.full(np.shape(own), MAX_PREFILL_UTILIZATION)
        prefill_ok = np.ones(np.shape(own), dtype=bool)
    else:
        w_max = ttft_slo_s - own - transfer
        with np.errstate(divide="ignore", invalid="ignore"):
            rho = np.minimum(2.0 * w_max / (service + 2.0 * w_max), MAX_PREFILL_UTILIZATION)
        prefill_ok = w_max > 0
        rho = np.where(prefill_ok, rho, np.nan)
    wait = rho * service / (2.0 * (1.0 - rho))
    decode = estimate_serving(
        model,
        gpu,
        gpus=decode_gpus,
        precision=precision,
        input_tokens=i_tok,
        output_tokens=o_tok,
        engine=profile,
        kv_precision=kv_prec,
        cached_input_fraction=1.0,  # the decode pool prefills nothing: the KV cache arrives
        max_throughput=tpot_slo_s is None,
        tpot_slo_s=tpot_slo_s,
    )
    fits = prefill_fits & np.asarray(decode.fits, dtype=bool)
    meets = prefill_ok & np.asarray(decode.meets_slo, dtype=bool)
    nan = np.where(fits & meets, 1.0, np.nan)
    basis = {
        "model": model.id,
        "gpu": gpu.id,
        "precision": precision,
        "kv_precision": kv_prec,
        "engine": profile.name,
        "kv_link": link_used,
        "kv_link_gb_per_s": link_bps / BYTES_PER_GB,
        "ttft_slo_s": ttft_slo_s,
        "tpot_slo_s": tpot_slo_s,
        "decode": decode.basis,
    }
    return DisaggregatedEstimate(
        prefill_requests_per_s_per_replica=rho / service * nan,
        decode_requests_per_s_per_replica=np.asarray(decode.requests_per_s) * nan,
        prefill_tokens_per_s_per_replica=rho / service * computed * nan,
        decode_output_tokens_per_s_per_replica=np.asarray(decode.output_tokens_per_s) * nan,
        prefill_s=own,
        prefill_service_s=service,
        prefill_utilization=rho,
        decode_batch=np.asarray(decode.batch_size),
        kv_bytes_per_request=np.asarray(kv_bytes),
        kv_transfer_s=np.asarray(transfer),
        ttft_s=(own + wait + transfer) * nan,
        tpot_s=np.asarray(decode.tpot_s) * nan,
        fits=fits,
        meets_slo=meets & fits,
        prefill_gpus_per_replica=int(prefill_gpus),
        decode_gpus_per_replica=int(decode_gpus),
        basis=basis,
    )
