"""Serving under continuous batching: throughput, TPOT and TTFT of a deployment.

Steady state of an engine running ``B`` sequences with chunked prefill inside the step budget:
every step each running sequence emits one token, and the prompts of the requests that replace
finished ones are prefilled in chunks that share the steps. Per emitted token the engine must
prefill ``r = input × (1 − cached_input_fraction) / output`` prompt tokens. A step has a budget
of ``max_batched_tokens``; steps that carry a prefill chunk (``chunk = max(budget − b, r·b)``
tokens) take ``t_mixed``, the others ``t_decode``, and a fraction ``f = r·b / chunk`` of steps
carries one, so the mean step is ``f·t_mixed + (1 − f)·t_decode`` (compute-bound prefill and
bandwidth-bound decode do not overlap inside a step: this is what makes a pure roofline
over-predict by ~2×). Pipeline stages each take a micro-batch of ``B / pp``; a token of every
sequence needs ``pp`` stage steps. Expert-parallel ranks each run ``B / ep`` sequences.

TPOT = the mean step of a round; output tokens/s = B / TPOT. TTFT = the mixed steps a prompt's
chunks need, plus — in a closed loop of ``C`` users — the longer of two waits: for the step in
progress and the prefills of other users' prompts (half a step plus an M/D/1 queue,
:mod:`llmcost.perf.queueing`), and, with
``C`` above the batch the engine can hold, for a slot (Little's law: time in system =
C / request rate).

The batch: ``batch`` as given; ``concurrency`` C → min(C, capacity); ``max_throughput`` → the
capacity: KV-cache sequences at the engine's admission rule (input + output tokens reserved per
sequence when the engine guarantees no eviction, else the average context input + output/2)
or the engine's batch cap, whichever is lower; an SLO → the batch with the highest throughput
whose TPOT and TTFT meet the targets (searched over a grid of batches, vectorized).

``max_throughput`` with ``requests`` N is a finite batch job (what offline benchmarks run): N
identical requests queued at once are served in waves of min(N, capacity) sequences and a last
partial wave (:mod:`llmcost.perf.batchjob`); throughput = N × output / makespan, TTFT adds the
mean wait for a wave.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._core._arrays import (
    FloatArray,
    check_finite,
    check_fraction,
    check_nonnegative,
    check_positive,
    check_range,
    scalar_or_array,
)
from .._core.arguments import check_specs
from .._core.display import compact
from .._core.errors import InvalidInputError
from .._core.result import ResultShape
from .._core.serialize import jsonable
from .._core.specs import GpuSpec, ModelSpec
from .batchjob import batch_job_mean_wait_s, check_requests, wave_split
from .engines import EngineProfile, get_engine_profile
from .knobs import EngineKnobs, apply_knobs
from .memory import default_kv_precision, kv_budget_bytes_per_gpu, max_concurrent_sequences
from .parallel import resolve_split
from .quant import KV_PRECISIONS, check_precision
from .queueing import (
    open_prefill_wait_s,
    overlap_admission_s,
    prefill_wait_s,
    running_quantile,
    step_residual_s,
    wait_quantile_s,
)
from .speculative import (
    SpeculativeDecoding,
    SpeculativeRates,
    speculative_rates,
    speculative_step_s,
)
from .speed import (
    DeploymentRates,
    StepTime,
    deployment_rates,
    layer_context_sum,
    step_time_s,
)
from .vision import encoder_flops_per_s, vision_encoder_flops_per_tile, vision_encoder_for
from .weights import weight_bytes

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["PerfEstimate", "estimate_serving"]

_SLO_GRID_POINTS = 64


@dataclass(frozen=True)
class PerfEstimate(ResultShape):
    """Serving performance of one replica (all its GPUs together), element-wise over inputs.

    Attributes
    ----------
    batch_size
        Sequences running concurrently [sequences].
    ttft_s, tpot_s
        Time to first token (queueing included) and time per output token [s].
    output_tokens_per_s, total_tokens_per_s
        Output tokens and input + output tokens per second over the replica [tokens/s].
    output_tokens_per_s_per_gpu
        Output tokens per second per GPU [tokens/s].
    requests_per_s
        Completed requests per second [1/s].
    fits
        The model fits and the batch's KV cache fits in memory.
    meets_slo
        TPOT and TTFT meet the targets given (True when none is given).
    limited_by
        What sets the result: "memory" (KV capacity sets the batch), "batch_cap",
        "requests" (a finite run smaller than the capacity), "slo", or the largest part of
        the step time: "bandwidth", "compute", "interconnect"; "arrival_rate" when requests
        arrive faster than the engine completes them (TTFT grows without bound: inf).
    roofline_output_tokens_per_s
        The same batch at 100 % of peak bandwidth and FLOPs, no overheads — an upper bound.
    ttft_p50_s, ttft_p95_s, tpot_p50_s, tpot_p95_s
        With ``arrival_rate_per_s``: median and 95th percentile of TTFT and TPOT under Poisson
        arrivals (:func:`_open_loop`); None in the other modes [s].
    basis
        Inputs, the parallel split, the dominant part of the step time (``bound``: bandwidth,
        compute or interconnect, whatever set the batch), the engine profile (``engine``;
        ``engine_requested`` is the id asked for, which differs when an AMD GPU picked the
        engine's ROCm variant) with its efficiency factors and source.
    """

    batch_size: Any
    ttft_s: Any
    tpot_s: Any
    output_tokens_per_s: Any
    total_tokens_per_s: Any
    output_tokens_per_s_per_gpu: Any
    requests_per_s: Any
    fits: Any
    meets_slo: Any
    limited_by: Any
    weights_bytes_per_gpu: Any
    kv_cache_bytes_per_gpu: Any
    max_batch_size: Any
    roofline_output_tokens_per_s: Any
    basis: dict[str, Any] = field(default_factory=dict)
    ttft_p50_s: Any = None
    ttft_p95_s: Any = None
    tpot_p50_s: Any = None
    tpot_p95_s: Any = None

    #: The results a user reads first (``llmcost perf`` prints these), in order.
    HEADLINE_COLUMNS = (
        "batch_size",
        "ttft_s",
        "tpot_s",
        "output_tokens_per_s",
        "total_tokens_per_s",
        "output_tokens_per_s_per_gpu",
        "requests_per_s",
        "fits",
        "meets_slo",
        "limited_by",
    )
    _COLUMNS = (
        *HEADLINE_COLUMNS,
        "weights_bytes_per_gpu",
        "kv_cache_bytes_per_gpu",
        "max_batch_size",
        "roofline_output_tokens_per_s",
    )

    def to_frame(self) -> pd.DataFrame:
        """One row per scenario (inputs broadcast together)."""
        import pandas as pd

        arrays = np.broadcast_arrays(
            *(np.atleast_1d(np.asarray(getattr(self, c))) for c in self._COLUMNS)
        )
        return pd.DataFrame(dict(zip(self._COLUMNS, arrays, strict=True)))

    def to_dict(self) -> dict[str, Any]:
        """Every figure and the basis as JSON-ready values (arrays as lists, NaN/inf → None)."""
        names = [*self._COLUMNS, "ttft_p50_s", "ttft_p95_s", "tpot_p50_s", "tpot_p95_s"]
        out: dict[str, Any] = jsonable({k: getattr(self, k) for k in names})
        out["basis"] = jsonable(self.basis)
        return out

    def __repr__(self) -> str:
        rate = np.asarray(self.output_tokens_per_s, dtype=np.float64).ravel()
        finite = rate[np.isfinite(rate)]
        best = compact(float(finite.max()) if finite.size else None)
        many = f"{rate.size:,} points, up to " if rate.size > 1 else ""
        fits = "fits" if bool(np.all(self.fits)) else "does not fit everywhere"
        return f"PerfEstimate({many}{best} output tokens/s per replica, {fits})"

    def explain(self, *, provenance: bool = True) -> str:
        """A short text: the deployment, the result and what limits it.

        A row that does not fit says so in one line (never NaN figures). ``provenance``: also where
        the engine's efficiency factors come from (a paragraph).
        """
        b = self.basis
        frame = self.to_frame()
        lines = [
            f"{b['model']} on {b['gpus']:g}× {b['gpu']} ({b['precision']} weights, "
            f"{b['kv_precision']} KV cache), engine {b['engine']}, tp={b['tp']} pp={b['pp']} "
            f"ep={b['ep']}{_moe_layout_note(b)}, mode {b['mode']}:",
        ]
        for row in frame.head(5).to_dict("records"):
            if not row["fits"]:
                lines.append(
                    f"  does not fit: {_NO_FIT.get(str(row['limited_by']), _NO_FIT['memory'])}"
                )
                continue
            lines.append(
                f"  batch {float(row['batch_size']):,.0f}: "
                f"{float(row['output_tokens_per_s']):,.0f} output tok/s "
                f"({float(row['output_tokens_per_s_per_gpu']):,.0f}/GPU), "
                f"TPOT {float(row['tpot_s']) * 1e3:,.1f} ms, "
                f"TTFT {float(row['ttft_s']) * 1e3:,.0f} ms; limited by {row['limited_by']}"
            )
        if len(frame) > 5:
            lines.append(f"  … {len(frame) - 5} more rows")
        if self.ttft_p50_s is not None:
            q = [np.atleast_1d(np.asarray(getattr(self, k), dtype=float)).flat[0] * 1e3 for k in
                 ("ttft_p50_s", "ttft_p95_s", "tpot_p50_s", "tpot_p95_s")]  # fmt: skip
            lines.append(
                f"  Poisson arrivals at {b['inputs']['arrival_rate_per_s']} req/s: TTFT p50 "
                f"{q[0]:,.0f} ms, p95 {q[1]:,.0f} ms; TPOT p50 {q[2]:,.1f} ms, p95 {q[3]:,.1f} ms"
                + ("" if np.isfinite(q[1]) else " — requests arrive faster than it serves them")
            )
        if b.get("speculative"):
            lines.append(_speculative_line(b["speculative"]))
        e = b["efficiency"]
        lines.append(
            f"Efficiency ({b['engine']}): bandwidth {e['bandwidth_efficiency']:.0%}, "
            f"compute {e['compute_efficiency']:.0%}, {e['sequence_overhead_s'] * 1e6:.0f} µs per "
            f"sequence-step, {e['step_overhead_s'] * 1e3:.1f} ms per step."
            + (f" Source: {b['engine_source']}" if provenance else " (sources: --explain)")
        )
        if b["engine_requested"] != b["engine"]:
            lines.append(
                f"{b['gpu']} is an AMD GPU: engine {b['engine_requested']} runs its ROCm "
                f"profile {b['engine']} ({e['sequence_layer_overhead_s'] * 1e6:.2f} µs per "
                "sequence per layer per step, fitted on vLLM-on-MI300X latency tables)."
            )
        ratios = (b["achievable_bandwidth_ratio"], b["achievable_compute_ratio"])
        if ratios != (1.0, 1.0):
            lines.append(
                f"{b['gpu']} reaches {ratios[0]:.2f}× the H100's share of its datasheet HBM "
                f"bandwidth and {ratios[1]:.2f}× its share of dense GEMM peak "
                "(microbenchmarks; catalog gpus.csv)."
            )
        return "\n".join(lines)


def _speculative_line(spec: dict[str, Any]) -> str:
    """One line on the speculation setting of an estimate."""
    drafter = {
        "draft_model": f"draft model {spec['draft_model']}",
        "eagle": "an EAGLE head (one BF16 decoder layer + LM head)",
        "ngram": "n-gram prompt lookup (no GPU time)",
    }[str(spec["method"])]
    return (
        f"  speculative decoding: {drafter} drafts {spec['num_draft_tokens']} tokens per round, "
        f"acceptance α = {spec['acceptance_rate']:g}: {spec['tokens_per_round']:.2f} tokens per "
        "verification step, (1 − α^(k+1)) / (1 − α); TPOT = round time / that"
    )


#: Why a row does not fit, by ``limited_by``.
_NO_FIT = {
    "memory": "the weights, the engine's reserve and the KV cache of one sequence exceed the "
    "GPUs' memory",
    "max_model_len": "a request is longer than max_model_len, or the KV cache cannot hold one "
    "max_model_len sequence",
}


@dataclass(frozen=True)
class _Encoder:
    """The vision encoder's work per prefilled prompt token, on one GPU."""

    flops_per_token: FloatArray  # [FLOPs/token]
    flops_per_s: float  # effective BF16 rate [FLOP/s]
    peak_flops_per_s: float  # [FLOP/s]

    def step_args(self, prefill_tokens: FloatArray) -> dict[str, FloatArray]:
        """``step_time_s`` keywords for a step prefilling ``prefill_tokens`` [tokens]."""
        flops = prefill_tokens * self.flops_per_token
        return {
            "encoder_s": flops / self.flops_per_s,
            "encoder_roofline_s": flops / self.peak_flops_per_s,
        }


@dataclass(frozen=True)
class _Steady:
    tpot_s: FloatArray
    decode_step_s: FloatArray  # one stage's step (a speculative round) with no prefill in it
    ttft_prefill_s: FloatArray
    output_tokens_per_s: FloatArray
    roofline_output_tokens_per_s: FloatArray
    bound: FloatArray  # 0 bandwidth, 1 compute, 2 interconnect


def _steady_state(
    rates: DeploymentRates,
    batch: FloatArray,
    input_tokens: FloatArray,
    output_tokens: FloatArray,
    cached: FloatArray,
    encoder: _Encoder | None = None,
    spec: SpeculativeRates | None = None,
    arrivals: bool = False,
) -> _Steady:
    model = rates.model
    split = rates.split
    eng = rates.engine
    b = batch / (split.dp * split.pp)  # sequences per rank per pipeline micro-batch
    computed_prompt = input_tokens * (1.0 - cached)
    r = computed_prompt / output_tokens
    budget = float(eng.max_batched_tokens)
    # a step (a speculative round) emits e tokens per sequence and carries k + 1 per sequence
    e, per_seq = (1.0, 1.0) if spec is None else (spec.tokens_per_round, spec.k + 1.0)
    steady_tokens = r * b * e  # prompt tokens per step that keep the batch in steady state
    # a step shared with decoding gives the running sequences' tokens budget room first; a
    # prefill pass of its own (SGLang's chunked_prefill_size) has the whole budget
    room = budget - b * per_seq if eng.prefill_shares_decode_step else np.full_like(b, budget)
    if arrivals:  # Poisson arrivals: a step carries the prompts that came in since the last one
        chunk = np.maximum(np.maximum(np.minimum(np.maximum(computed_prompt, steady_tokens), room),
                                      steady_tokens), 1.0)  # fmt: skip
    else:  # a standing queue: waiting prompts fill the step's budget whenever one has room
        chunk = np.maximum(np.maximum(room, steady_tokens), 1.0)
    frac = np.where(computed_prompt > 0, np.minimum(r * b * e / chunk, 1.0), 0.0)
    decode_ctx = input_tokens + output_tokens / 2.0
    with np.errstate(invalid="ignore", divide="ignore"):
        prefill_ctx = np.where(
            computed_prompt > 0,
            layer_context_sum(model, input_tokens - computed_prompt, input_tokens)
            / np.maximum(computed_prompt, 1.0),
            0.0,
        )

    def enc(prefill_tokens: FloatArray) -> dict[str, FloatArray]:
        return {} if encoder is None else encoder.step_args(prefill_tokens)

    def step(prefill: ArrayLike, context: ArrayLike, **kw: FloatArray) -> StepTime:
        if spec is None:
            return step_time_s(rates, b, decode_ctx, prefill, context, **kw)
        return speculative_step_s(spec, rates, b, decode_ctx, prefill, context, **kw)

    decode = step(0.0, 0.0)
    if eng.prefill_shares_decode_step:
        mixed = _launch_bound(rates, step(chunk, prefill_ctx, **enc(chunk)))
    else:  # a prefill pass of its own, with the running sequences waiting, then their step
        mixed = _passes(_prefill_pass(rates, chunk, prefill_ctx, enc(chunk)), decode)
    stage = frac * mixed.total + (1.0 - frac) * decode.total
    tpot = split.pp * stage / e
    roof_stage = frac * mixed.roofline + (1.0 - frac) * decode.roofline
    with np.errstate(divide="ignore", invalid="ignore"):
        out_tps = batch / tpot
        roof_tps = batch * e / (split.pp * roof_stage)
    # a prompt's own prefill: whole chunks, the last one only as long as what is left
    chunks = np.maximum(np.ceil(computed_prompt / chunk), 1.0)
    own_tokens = np.minimum(chunk, computed_prompt)
    if eng.prefill_shares_decode_step:
        own = _launch_bound(rates, step(own_tokens, prefill_ctx, **enc(own_tokens)))
    else:
        own = _prefill_pass(rates, own_tokens, prefill_ctx, enc(own_tokens))
    ttft = chunks * split.pp * own.total
    parts = np.stack(
        np.broadcast_arrays(
            frac * mixed.bandwidth_part + (1 - frac) * decode.bandwidth_part,
            frac * mixed.compute_part + (1 - frac) * decode.compute_part,
            frac * mixed.collectives + (1 - frac) * decode.collectives,
        )
    )
    return _Steady(
        tpot_s=np.asarray(tpot),
        decode_step_s=np.asarray(decode.total),
        ttft_prefill_s=np.asarray(ttft),
        output_tokens_per_s=np.asarray(out_tps),
        roofline_output_tokens_per_s=np.asarray(roof_tps),
        bound=np.argmax(parts, axis=0),
    )


def _prefill_pass(
    rates: DeploymentRates,
    tokens: FloatArray,
    context: FloatArray,
    encoder: dict[str, FloatArray],
) -> StepTime:
    """A forward pass over prompt tokens alone (no sequence decodes in it)."""
    return _launch_bound(rates, step_time_s(rates, 0.0, 0.0, tokens, context, **encoder))


def _launch_bound(rates: DeploymentRates, pass_: StepTime) -> StepTime:
    """Return ``pass_`` (one carrying prompt tokens) lasting at least its host launch time.

    The floor is ``layers per stage × prefill_layer_launch_s``; the GPU's idle gap shows as
    overhead.
    """
    if rates.engine.prefill_layer_launch_s <= 0.0:
        return pass_
    floor = rates.model.num_layers / rates.split.pp * rates.engine.prefill_layer_launch_s
    idle = np.maximum(floor - pass_.total, 0.0)
    return replace(pass_, overhead=np.asarray(pass_.overhead + idle))


def _passes(first: StepTime, second: StepTime) -> StepTime:
    """Two forward passes run one after the other: each part and the roofline add up."""
    parts = {f.name: getattr(first, f.name) + getattr(second, f.name) for f in fields(StepTime)}
    return StepTime(**parts)


_BOUND_NAMES = np.array(["bandwidth", "compute", "interconnect"])


def _moe_layout_note(basis: dict[str, Any]) -> str:
    """" (DEP)" / " (TEP)" after the split of an expert-parallel deployment, else ""."""
    if not np.any(np.asarray(basis.get("ep", 1)) > 1):
        return ""
    return " (DEP)" if basis.get("attention_dp", True) else " (TEP)"


def estimate_serving(
    model: ModelSpec,
    gpu: GpuSpec,
    *,
    gpus: int,
    precision: str,
    input_tokens: ArrayLike,
    output_tokens: ArrayLike,
    engine: str | EngineProfile = "vllm",
    kv_precision: str | None = None,
    tp: int | None = None,
    pp: int = 1,
    ep: int | None = None,
    attention_dp: bool = True,
    batch: ArrayLike | None = None,
    concurrency: ArrayLike | None = None,
    max_throughput: bool = False,
    requests: ArrayLike | None = None,
    tpot_slo_s: float | None = None,
    ttft_slo_s: float | None = None,
    cached_input_fraction: ArrayLike = 0.0,
    quant_scope: str = "checkpoint",
    image_tiles: ArrayLike = 0.0,
    arrival_rate_per_s: ArrayLike | None = None,
    knobs: EngineKnobs | None = None,
    speculative: SpeculativeDecoding | None = None,
) -> PerfEstimate:
    """Throughput and latency of serving ``model`` on ``gpus`` × ``gpu`` with an engine.

    Exactly one way to set the batch: ``batch``, ``concurrency`` (a closed loop of that many
    users, what serving benchmarks report), ``max_throughput=True``, ``arrival_rate_per_s``
    (open Poisson arrivals: the batch is what the traffic keeps running; p50/p95 latencies),
    or SLO targets (``tpot_slo_s`` / ``ttft_slo_s``: the best throughput that meets them).

    Parameters
    ----------
    gpus
        GPUs of one replica; split ``tp × pp × ep`` (default: all tensor-parallel).
    attention_dp
        With ``ep > 1``: True (DEP) runs attention data-parallel, each of the ``ep`` ranks
        with its own sequences; False (TEP) runs attention tensor-parallel over all
        ``tp × ep`` GPUs of a stage (:mod:`llmcost.perf.moe`).
    precision
        Weight precision; the GPU must support it (FP8 needs Hopper/Ada or newer, FP4 needs
        Blackwell) else :class:`~llmcost._core.errors.UnsupportedPrecisionError`.
    input_tokens, output_tokens
        Tokens per request [tokens]; arrays broadcast with ``batch``/``concurrency``.
    kv_precision
        KV-cache precision (default: the engine's choice for ``precision``).
    requests
        With ``max_throughput=True``: the number of identical requests of a finite offline run
        (e.g. ``trtllm-bench --num_requests``), a whole number ≥ 1 [requests]; None: an
        endless queue (steady state at the capacity).
    cached_input_fraction
        Share of input tokens served from the prefix cache: no prefill compute (KV memory is
        still used) [0–1].
    quant_scope
        Which layers a quantized checkpoint quantizes (see :func:`~llmcost.perf.weight_bytes`).
    image_tiles
        Image tiles per request (average) that go through the model's vision encoder before
        their tokens (already counted in ``input_tokens``) are prefilled; Llama 4: 336-px
        tiles, :func:`llmcost.cost.multimodal.llama4_encoder_tiles` [tiles]. The encoder's
        BF16 FLOPs (:mod:`llmcost.perf.vision`) are spread over the request's computed prompt
        tokens: they lengthen the prefill steps (TTFT and the prefill share of TPOT), and a
        prefix-cache hit skips the encoder for the cached share, as for tokens. 0: text only.
    arrival_rate_per_s
        Requests arriving per second at the replica, Poisson [1/s]: the running batch is the
        fixed point of Little's law, ``N = λ × (TTFT + (output − 1) × TPOT(N))``; TTFT adds
        the wait for the step in progress and an M/D/1 queue for other prompts' prefills;
        percentiles from :mod:`llmcost.perf.queueing` (``ttft_p50_s`` … ``tpot_p95_s``).
        Throughput is ``λ × output`` while the engine keeps up.
    knobs
        Engine settings (:class:`~llmcost.perf.knobs.EngineKnobs`: memory utilization, batch
        cap, step budget, ``max_model_len``, KV dtype, prefix caching, chunked prefill); None:
        the engine's defaults. A request longer than ``max_model_len``, or a KV cache that
        cannot hold one ``max_model_len`` sequence, does not fit (``limited_by``
        "max_model_len").
    speculative
        Speculative decoding (:class:`~llmcost.perf.speculative.SpeculativeDecoding`: draft
        model, EAGLE head or n-gram lookup, ``k`` drafted tokens, acceptance rate α): each
        step is a round of ``k`` drafter passes and a ``k + 1``-token verification step that
        emits (1 − α^(k+1)) / (1 − α) tokens per sequence on average; a draft model's weights
        and KV cache come out of the KV budget. None: plain decoding.
    """
    check_specs(model, gpu)
    check_precision(precision)
    profile = apply_knobs(get_engine_profile(engine, gpu), knobs, model.max_context_tokens).for_gpu(
        gpu
    )
    if knobs is not None and knobs.kv_cache_dtype is not None and kv_precision is None:
        kv_precision = knobs.kv_cache_dtype
    if knobs is not None and knobs.enable_prefix_caching is False:
        cached_input_fraction = np.zeros_like(np.asarray(cached_input_fraction, dtype=float))
    kv_prec = kv_precision or default_kv_precision(precision, profile)
    check_precision(kv_prec, "kv_precision", KV_PRECISIONS)
    modes = [
        batch is not None,
        concurrency is not None,
        bool(max_throughput),
        tpot_slo_s is not None or ttft_slo_s is not None,
        arrival_rate_per_s is not None,
    ]
    if sum(modes) != 1 and not (sum(modes) == 2 and modes[3] and modes[4]):
        raise InvalidInputError(
            "give exactly one of batch, concurrency, max_throughput=True, arrival_rate_per_s "
            f"or an SLO (tpot_slo_s / ttft_slo_s; it may go with arrival_rate_per_s); got "
            f"{sum(modes)}"
        )
    mode = ["batch", "concurrency", "max_throughput", "slo", "arrival_rate"][
        4 if modes[4] else modes.index(True)
    ]
    if requests is not None and mode != "max_throughput":
        raise InvalidInputError(
            f"requests (a finite offline run) needs max_throughput=True; got mode {mode!r}"
        )
    split = resolve_split(model, gpus, tp=tp, pp=pp, ep=ep, attention_dp=attention_dp)
    rates = deployment_rates(
        model, gpu, precision, kv_prec, split, profile, quant_scope=quant_scope
    )
    i_tok = check_positive(input_tokens, "input_tokens")
    o_tok = check_range(check_finite(output_tokens, "output_tokens"), "output_tokens", lo=1.0)
    cached = check_fraction(cached_input_fraction, "cached_input_fraction")
    tiles = check_nonnegative(image_tiles, "image_tiles")
    encoder = _encoder_work(model, gpu, rates, tiles, i_tok)
    for name, slo in (("tpot_slo_s", tpot_slo_s), ("ttft_slo_s", ttft_slo_s)):
        if slo is not None:
            check_positive(slo, name)

    spec = (
        None
        if speculative is None
        else speculative_rates(speculative, rates, gpu, precision, profile)
    )
    per_gpu_weights = weight_bytes(model, precision, quant_scope=quant_scope).per_gpu(
        split.tp, split.pp, split.ep, attention_tp=split.attention_tp
    )
    held_weights = (
        per_gpu_weights if spec is None else per_gpu_weights + spec.draft_weights_bytes_per_gpu
    )
    kv_budget = kv_budget_bytes_per_gpu(gpu, model, held_weights, profile, split.attention_tp)
    held_context = i_tok + (o_tok if profile.reserves_full_sequence_kv else o_tok / 2.0)
    capacity = max_concurrent_sequences(model, kv_prec, kv_budget, held_context, split, profile)
    if spec is not None:  # the drafter's KV of each sequence shares the budget
        capacity = np.floor(capacity / (1.0 + spec.draft_kv_ratio))
    cap = float(profile.max_batch) * split.dp
    b_max = np.minimum(capacity, cap)
    fits_model = capacity >= 1
    limit_name = np.where(capacity < cap, "memory", "batch_cap")
    if knobs is not None and knobs.max_model_len is not None:
        longest = float(knobs.max_model_len)
        one_max_len = max_concurrent_sequences(model, kv_prec, kv_budget, longest, split, profile)
        within = (i_tok + o_tok <= longest) & (one_max_len >= 1)
        fits_model = fits_model & within
        limit_name = np.where(within, limit_name, "max_model_len")

    if mode == "batch":
        b = check_positive(batch, "batch")  # type: ignore[arg-type]
        fits = fits_model & (b <= capacity)
    elif mode == "concurrency":
        users = check_positive(concurrency, "concurrency")  # type: ignore[arg-type]
        b = np.minimum(users, np.maximum(b_max, 1.0))
        fits = fits_model
    else:
        b = np.maximum(b_max, 1.0)
        fits = fits_model

    if mode == "slo":
        b, meets = _best_under_slo(
            rates, b_max, i_tok, o_tok, cached, tpot_slo_s, ttft_slo_s, encoder, spec
        )
    load: _Load | None = None
    if mode == "arrival_rate":
        lam = check_positive(arrival_rate_per_s, "arrival_rate_per_s")  # type: ignore[arg-type]
        load = _open_loop(rates, b_max, lam, i_tok, o_tok, cached, encoder, spec)
        b = load.batch
    if load is not None:
        steady, ttft = load.steady, load.ttft_s
    elif requests is None:
        steady = _steady_state(rates, b, i_tok, o_tok, cached, encoder, spec)
        ttft = steady.ttft_prefill_s
    else:
        n_req = check_requests(requests)
        b, steady, job_wait = _batch_job(rates, b, n_req, i_tok, o_tok, cached, encoder, spec)
        ttft = steady.ttft_prefill_s + job_wait
        limit_name = np.where(b < b_max, "requests", limit_name)
    if mode == "concurrency":
        with np.errstate(divide="ignore", invalid="ignore"):
            request_rate = steady.output_tokens_per_s / o_tok
            service = steady.ttft_prefill_s + (o_tok - 1.0) * steady.tpot_s
            slot_wait = np.maximum(users / request_rate - service, 0.0)
        queue_wait = step_residual_s(steady.tpot_s / split.pp, b) + prefill_wait_s(
            request_rate, steady.ttft_prefill_s, b
        )
        if profile.overlap_schedule:  # another user's step is launched ahead of the prompt
            queue_wait = queue_wait + overlap_admission_s(
                steady.decode_step_s, np.where(b > 1.0, 1.0, 0.0)
            )
        ttft = ttft + np.maximum(slot_wait, queue_wait)
    if mode != "slo":
        meets = _meets(steady.tpot_s, ttft, tpot_slo_s, ttft_slo_s)

    bound = _BOUND_NAMES[steady.bound]
    if load is not None:
        limited = np.where(load.keeps_up, np.where(b >= b_max, limit_name, bound), "arrival_rate")
    elif mode == "max_throughput":
        limited = limit_name
    elif mode == "concurrency":
        limited = np.where(users > b_max, limit_name, bound)
    elif mode == "slo":
        limited = np.where(b < b_max, "slo", limit_name)
    else:
        limited = np.where(fits, bound, "memory")
    limited = np.where(np.asarray(limit_name) == "max_model_len", "max_model_len", limited)
    ok = np.asarray(fits)
    nan_if_not = np.where(ok, 1.0, np.nan)
    out_tps = (steady.output_tokens_per_s if load is None else load.output_tokens_per_s) * (
        nan_if_not
    )
    kv_used = np.minimum(b, capacity) / np.maximum(capacity, 1.0) * kv_budget
    like = (
        input_tokens,
        output_tokens,
        batch,
        concurrency,
        requests,
        cached_input_fraction,
        image_tiles,
        arrival_rate_per_s,
    )
    basis: dict[str, Any] = {
        "model": model.id,
        "gpu": gpu.id,
        "gpus": float(np.max(split.gpus)),
        "precision": precision,
        "kv_precision": kv_prec,
        "quant_scope": quant_scope,
        "tp": _plain(split.tp),
        "pp": _plain(split.pp),
        "ep": _plain(split.ep),
        "attention_dp": split.attention_dp,
        "mode": mode,
        "inputs": {
            "input_tokens": _listed(i_tok),
            "output_tokens": _listed(o_tok),
            "batch": None if batch is None else _listed(batch),
            "concurrency": None if concurrency is None else _listed(concurrency),
            "requests": None if requests is None else _listed(requests),
            "cached_input_fraction": _listed(cached),
            "image_tiles": _listed(tiles),
            "arrival_rate_per_s": None
            if arrival_rate_per_s is None
            else _listed(arrival_rate_per_s),
        },
        "bound": _listed(bound),
        "tpot_slo_s": tpot_slo_s,
        "ttft_slo_s": ttft_slo_s,
        "engine": profile.name,
        "engine_requested": engine if isinstance(engine, str) else profile.name,
        "engine_source": profile.source,
        "engine_knobs": {} if knobs is None else knobs.given(),
        "speculative": None if speculative is None else speculative.describe(),
        "efficiency": profile.as_dict(),
        "peak_tflops": rates.peak_flops_per_s / 1e12,
        "hbm_bandwidth_gb_per_s": gpu.hbm_bandwidth_gb_per_s,
        "achievable_bandwidth_ratio": gpu.achievable_bandwidth_ratio,
        "achievable_compute_ratio": gpu.achievable_compute_ratio,
        "interconnect_kind": gpu.interconnect_kind,
    }

    def shaped(x: Any) -> Any:
        return scalar_or_array(x, *like)

    gpus_total = split.gpus
    return PerfEstimate(
        batch_size=shaped(b * np.ones_like(out_tps)),
        ttft_s=shaped(ttft * nan_if_not),
        tpot_s=shaped(steady.tpot_s * nan_if_not),
        output_tokens_per_s=shaped(out_tps),
        total_tokens_per_s=shaped(out_tps * (i_tok + o_tok) / o_tok),
        output_tokens_per_s_per_gpu=shaped(out_tps / gpus_total),
        requests_per_s=shaped(out_tps / o_tok),
        fits=shaped(np.broadcast_to(ok, np.shape(out_tps))),
        meets_slo=shaped(np.broadcast_to(meets & ok, np.shape(out_tps))),
        limited_by=shaped(np.broadcast_to(limited, np.shape(out_tps))),
        weights_bytes_per_gpu=shaped(per_gpu_weights * np.ones_like(out_tps)),
        kv_cache_bytes_per_gpu=shaped(kv_used * np.ones_like(out_tps)),
        max_batch_size=shaped(b_max * np.ones_like(out_tps)),
        roofline_output_tokens_per_s=shaped(steady.roofline_output_tokens_per_s * nan_if_not),
        basis=basis,
        **({} if load is None else load.percentiles(shaped, nan_if_not)),
    )


@dataclass(frozen=True)
class _Load:
    """The open-loop operating point at an arrival rate (see :func:`_open_loop`)."""

    batch: FloatArray
    steady: _Steady
    ttft_s: FloatArray
    output_tokens_per_s: FloatArray
    keeps_up: NDArray[np.bool_]
    quantiles: dict[str, FloatArray]

    def percentiles(self, shaped: Any, nan_if_not: FloatArray) -> dict[str, Any]:
        """The PerfEstimate percentile fields, shaped like the other results."""
        return {k: shaped(v * nan_if_not) for k, v in self.quantiles.items()}


#: Fixed-point iterations for the open-loop batch (N grows monotonically to the least fixed
#: point; 60 steps settle it to < 1e-6 relative on the benchmark cases).
_OPEN_LOOP_ITERATIONS = 60


def _open_loop(
    rates: DeploymentRates,
    b_max: FloatArray,
    lam: FloatArray,
    i_tok: FloatArray,
    o_tok: FloatArray,
    cached: FloatArray,
    encoder: _Encoder | None,
    spec: SpeculativeRates | None = None,
) -> _Load:
    """Requests arriving as a Poisson stream at ``lam`` per second.

    The running batch N solves Little's law ``N = λ × (TTFT(N) + (o − 1) × TPOT(N))``, found
    by iterating from N = 1 (the right side grows with N, so the iteration climbs to the
    least fixed point); where that exceeds the capacity the engine cannot keep up. A step
    carries the prompts that came in since the last one (at least one whole prompt, as arrivals
    are spread out), not a full budget of waiting prompts as under a standing queue. TTFT =
    own prefill S + the step in progress (uniform: mean half a step, p-quantile p × step) +
    the M/D/1 wait for other prompts' prefills (ρ = λ·S; exponential-tail quantiles) + with an
    overlap scheduler, the decode step launched ahead of the prompt when others run; TPOT at
    quantile p = TPOT of the batch's Poisson p-quantile (M/G/∞ occupancy), ≤ the capacity.
    Quantiles of the sum are taken as the sum of quantiles (an upper bound).
    """
    split = rates.split
    n = np.ones(np.broadcast(lam, i_tok, o_tok, cached, b_max).shape)

    def point(batch: FloatArray) -> tuple[_Steady, FloatArray, FloatArray, FloatArray, FloatArray]:
        st = _steady_state(rates, batch, i_tok, o_tok, cached, encoder, spec, arrivals=True)
        step = st.tpot_s / split.pp
        wait = open_prefill_wait_s(lam, st.ttft_prefill_s)
        ahead = _launched_ahead(rates, st, lam * (st.ttft_prefill_s + (o_tok - 1.0) * st.tpot_s))
        ttft = st.ttft_prefill_s + ahead + step / 2.0 + wait
        return st, ttft, step, wait, ahead

    for _ in range(_OPEN_LOOP_ITERATIONS):
        st, ttft, *_ = point(n)
        n = np.clip(lam * (ttft + (o_tok - 1.0) * st.tpot_s), 1.0, np.maximum(b_max, 1.0))
    st, ttft, step, wait, ahead = point(n)
    demand = lam * (ttft + (o_tok - 1.0) * st.tpot_s)
    keeps_up = np.asarray(demand <= np.maximum(b_max, 1.0) * (1.0 + 1e-6))
    rho = np.minimum(lam * st.ttft_prefill_s, 1.0)
    quantiles: dict[str, FloatArray] = {}
    for p in (0.5, 0.95):
        busy = np.clip(running_quantile(n, p), 1.0, np.maximum(b_max, 1.0))
        tpot_p = _steady_state(
            rates, busy, i_tok, o_tok, cached, encoder, spec, arrivals=True
        ).tpot_s
        ttft_p = st.ttft_prefill_s + ahead + p * step + wait_quantile_s(wait, rho, p)
        key = f"{round(p * 100)}"
        quantiles[f"ttft_p{key}_s"] = np.where(keeps_up, ttft_p, np.inf)
        quantiles[f"tpot_p{key}_s"] = tpot_p
    return _Load(
        batch=n,
        steady=st,
        ttft_s=np.where(keeps_up, ttft, np.inf),
        output_tokens_per_s=np.where(keeps_up, lam * o_tok, st.output_tokens_per_s),
        keeps_up=keeps_up,
        quantiles=quantiles,
    )


def _launched_ahead(rates: DeploymentRates, st: _Steady, running: FloatArray) -> FloatArray:
    """An overlap scheduler's decode step launched ahead of a new prompt (Poisson arrivals).

    One decode step when the engine has ``overlap_schedule`` and other sequences run, which an
    arrival finds with probability ``1 − exp(−N)`` for ``N = λ × (prefill + (o − 1) × TPOT)``
    in service on average (M/G/∞; arrivals see time averages) [s].
    """
    if not rates.engine.overlap_schedule:
        return np.zeros_like(np.asarray(st.decode_step_s, dtype=float))
    return overlap_admission_s(st.decode_step_s, 1.0 - np.exp(-np.asarray(running, dtype=float)))


def _encoder_work(
    model: ModelSpec,
    gpu: GpuSpec,
    rates: DeploymentRates,
    tiles: FloatArray,
    input_tokens: FloatArray,
) -> _Encoder | None:
    """The vision encoder's work per prompt token on one GPU (None: no images).

    tiles × FLOPs per tile ÷ prompt tokens ÷ TP (the encoder is sharded over the
    tensor-parallel group; on a pipeline it runs on the first stage, which then sets the pace).
    """
    if not np.any(tiles > 0):
        return None
    spec = vision_encoder_for(model)
    effective, peak = encoder_flops_per_s(rates, gpu)
    per_token = tiles * vision_encoder_flops_per_tile(spec) / input_tokens
    per_token = per_token / rates.split.attention_tp
    return _Encoder(np.asarray(per_token), effective, peak)


def _batch_job(
    rates: DeploymentRates,
    capacity: FloatArray,
    requests: FloatArray,
    i_tok: FloatArray,
    o_tok: FloatArray,
    cached: FloatArray,
    encoder: _Encoder | None = None,
    spec: SpeculativeRates | None = None,
) -> tuple[FloatArray, _Steady, FloatArray]:
    """A finite run of ``requests`` in waves.

    (full-wave batch, its request-averaged steady figures, mean wait for a wave [s]). Throughput =
    requests / Σ TPOT of the waves (each wave is ``output`` steps long); TPOT and TTFT are averaged
    over requests.
    """
    full, batch, rem = wave_split(requests, capacity)
    main = _steady_state(rates, batch, i_tok, o_tok, cached, encoder, spec)
    tail = _steady_state(rates, np.maximum(rem, 1.0), i_tok, o_tok, cached, encoder, spec)
    last = np.where(rem > 0, 1.0, 0.0)  # one partial wave, or none
    share = rem / requests  # requests served in the partial wave
    with np.errstate(divide="ignore", invalid="ignore"):
        roof_main = batch / main.roofline_output_tokens_per_s
        roof_tail = np.maximum(rem, 1.0) / tail.roofline_output_tokens_per_s
        steady = _Steady(
            tpot_s=np.asarray((1.0 - share) * main.tpot_s + share * tail.tpot_s),
            decode_step_s=np.asarray(
                (1.0 - share) * main.decode_step_s + share * tail.decode_step_s
            ),
            ttft_prefill_s=np.asarray(
                (1.0 - share) * main.ttft_prefill_s + share * tail.ttft_prefill_s
            ),
            output_tokens_per_s=np.asarray(requests / (full * main.tpot_s + last * tail.tpot_s)),
            roofline_output_tokens_per_s=np.asarray(
                requests / (full * roof_main + last * roof_tail)
            ),
            bound=main.bound,
        )
    wait = batch_job_mean_wait_s(full, batch, rem, o_tok * main.tpot_s)
    return batch, steady, wait


def _listed(x: ArrayLike) -> Any:
    """A scalar or a list, for the JSON-able basis."""
    arr = np.asarray(x)
    return arr.item() if arr.ndim == 0 else arr.tolist()


def _plain(x: FloatArray) -> Any:
    arr = np.asarray(x)
    return int(arr) if arr.ndim == 0 else arr.astype(int).tolist()


def _meets(
    tpot: FloatArray, ttft: FloatArray, tpot_slo_s: float | None, ttft_slo_s: float | None
) -> NDArray[np.bool_]:
    ok = np.ones(np.broadcast(tpot, ttft).shape, dtype=bool)
    if tpot_slo_s is not None:
        ok &= tpot <= tpot_slo_s
    if ttft_slo_s is not None:
        ok &= ttft <= ttft_slo_s
    return ok


def _best_under_slo(
    rates: DeploymentRates,
    b_max: FloatArray,
    i_tok: FloatArray,
    o_tok: FloatArray,
    cached: FloatArray,
    tpot_slo_s: float | None,
    ttft_slo_s: float | None,
    encoder: _Encoder | None = None,
    spec: SpeculativeRates | None = None,
) -> tuple[FloatArray, NDArray[np.bool_]]:
    """Batch with the highest throughput meeting the SLOs, over a geometric grid of batches.

    The grid runs along a new leading axis, so the inputs and the parallel split (arrays of
    layouts included) broadcast against it unchanged. Where no batch meets them, batch 1 is
    returned with ``meets = False``.
    """
    per_token = 0.0 if encoder is None else encoder.flops_per_token
    shape = np.broadcast(b_max, i_tok, o_tok, cached, per_token, rates.split.gpus).shape
    top = np.maximum(np.broadcast_to(b_max, shape), 1.0)
    q = np.linspace(0.0, 1.0, _SLO_GRID_POINTS).reshape((-1,) + (1,) * len(shape))
    grid = np.floor(top**q)
    if top.size == 1:
        grid = np.unique(grid).reshape((-1,) + (1,) * len(shape))
    steady = _steady_state(rates, grid, i_tok, o_tok, cached, encoder, spec)
    ok = _meets(steady.tpot_s, steady.ttft_prefill_s, tpot_slo_s, ttft_slo_s)
    score = np.where(ok, steady.output_tokens_per_s, -np.inf)
    best = np.argmax(score, axis=0)[None, ...]
    chosen = np.take_along_axis(np.broadcast_to(grid, score.shape), best, 0)[0]
    meets = np.take_along_axis(ok, best, 0)[0]
    return np.where(meets, chosen, 1.0), meets
