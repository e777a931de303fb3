"""The performance model's constants and its step-time physics as spreadsheet formulas.

:func:`perf_constants` lists, for one self-hosted option, every number the sizing needs —
model architecture per GPU (bytes read and FLOPs per token, KV bytes per token), GPU datasheet
rates, engine efficiency factors and overheads, latency targets — each with its unit and
source, split into *live* inputs (an edit is meant to flow through: bandwidths, FLOP/s,
efficiencies, overheads, batch limits, targets) and *fixed* values computed by llmcost
(architecture-derived byte and FLOP counts, the KV budget after weights).

:func:`step_time` writes :func:`llmcost.perf.speed.step_time_s` term by term over those names
(weights vs compute roofline per kernel, MoE distinct experts, TP all-reduce, EP all-to-all,
pipeline send, engine overheads, the vision encoder), and :func:`layer_context_sum` the
attended-context sum of :func:`llmcost.perf.speed.layer_context_sum`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .._core.specs import COMPUTE_PRECISION
from .._core.units import BYTES_PER_ELEMENT, BYTES_PER_GB, FLOPS_PER_TFLOP

__all__ = ["PerfConstant", "PerfSetup", "layer_context_sum", "perf_setup", "step_time"]

_ACTIVATION_BYTES = BYTES_PER_ELEMENT["bf16"]


@dataclass(frozen=True)
class PerfConstant:
    """One named constant of an option's sizing."""

    key: str
    label: str
    value: Any
    unit: str
    source: str
    fixed: bool  # computed by llmcost from the model/GPU/engine: an edit does not propagate


def _overhead_note(profile: Any) -> str:
    """How the per-sequence-layer overhead was scaled to the GPU (empty if it was not)."""
    ref = profile.overhead_reference_bandwidth_gb_per_s
    if ref is None:
        return ""
    return (
        f"; {profile.sequence_layer_overhead_s * 1e6:.2f} µs fitted at {ref:,.0f} GB/s, × that"
        " ÷ this GPU's achievable HBM bandwidth (llmcost.perf.speed.sequence_layer_overhead_s)"
    )


@dataclass(frozen=True)
class PerfSetup:
    """What the Capacity sheet needs of one option: constants and structural choices."""

    constants: list[PerfConstant]
    moe: bool  # the model has routed experts
    chunk_tokens: int | None  # Llama 4 chunked-attention window (None: every layer global)
    n_local_layers: int
    kv_chunked: bool  # the engine keeps only a chunk of KV on the local layers
    reserves_full_sequence_kv: bool
    max_throughput: bool  # no latency targets: the batch is the KV/batch-cap capacity
    images: bool
    direct_links: bool = False  # one-shot/two-shot all-reduce available (NVLink/NVSwitch, xGMI)
    nvls: bool = False  # NVLink SHARP all-reduce available
    mesh_peers: float = 0.0  # full-mesh peer links of a GPU (AMD xGMI), 0: a switch or PCIe
    separate_prefill: bool = False  # a prefill is its own pass; the running batch waits (SGLang)


def perf_setup(args: Mapping[str, Any]) -> PerfSetup:
    """The constants of an option from its ``estimate_serving`` keywords (``perf_args``)."""
    from ..perf.engines import get_engine_profile
    from ..perf.kv import kv_cache_bytes_per_token, kv_heads_share_per_gpu
    from ..perf.memory import default_kv_precision, kv_budget_bytes_per_gpu
    from ..perf.moe import expected_max_standard_normal
    from ..perf.parallel import resolve_split
    from ..perf.speed import _link_bytes_per_s, attention_precision, deployment_rates
    from ..perf.weights import weight_bytes

    model, gpu, precision = args["model"], args["gpu"], args["precision"]
    profile = get_engine_profile(args["engine"], gpu).for_gpu(gpu)
    kv_prec = args["kv_precision"] or default_kv_precision(precision, profile)
    split = resolve_split(model, args["gpus"], tp=args["tp"], pp=args["pp"], ep=args["ep"])
    rates = deployment_rates(model, gpu, precision, kv_prec, split, profile)
    tp, pp, ep = (float(split.tp), float(split.pp), float(split.ep))
    per_gpu_weights = weight_bytes(model, precision).per_gpu(split.tp, split.pp, split.ep)
    budget = float(kv_budget_bytes_per_gpu(gpu, model, per_gpu_weights, profile, split.tp))
    fp4 = COMPUTE_PRECISION[precision] == "fp4"
    arch = f"llmcost.perf from the {model.id} architecture (catalog models)"
    eng = f"engine profile {profile.name}: {profile.source}"
    gpu_src = f"catalog gpus: {gpu.id}"
    c = [
        PerfConstant("tp", "Tensor-parallel degree", tp, "GPUs", "scenario option", True),
        PerfConstant("pp", "Pipeline stages", pp, "stages", "scenario option", True),
        PerfConstant("ep", "Expert-parallel degree", ep, "ranks", "scenario option", True),
        PerfConstant("layers", "Decoder layers", float(model.num_layers), "layers", arch, True),
        PerfConstant(
            "global_layers",
            "Layers with global attention",
            float(model.num_global_attention_layers),
            "layers",
            arch,
            True,
        ),
        PerfConstant("hidden_size", "Hidden size", float(model.hidden_size), "", arch, True),
        PerfConstant(
            "fixed_read_bytes",
            "Weights read every step per GPU (non-expert + LM head)",
            float(rates.fixed_read_bytes),
            "bytes",
            arch + f", {precision} weights",
            True,
        ),
        PerfConstant(
            "matmul_flops_per_token",
            "GEMM FLOPs per token per GPU (2 × active matmul params)",
            float(rates.matmul_flops_per_token),
            "FLOPs/token",
            arch,
            True,
        ),
        PerfConstant(
            "attention_flops_per_context",
            "Attention FLOPs per attended token per GPU (4 × heads × head_dim)",
            float(rates.attention_flops_per_context),
            "FLOPs/token",
            arch,
            True,
        ),
        PerfConstant(
            "kv_bytes_per_layer_token",
            f"KV cache per token per layer ({kv_prec})",
            kv_cache_bytes_per_token(model, kv_prec) / model.num_layers,
            "bytes",
            arch,
            True,
        ),
        PerfConstant(
            "kv_share_per_gpu",
            "Share of a token's KV heads each GPU keeps",
            float(kv_heads_share_per_gpu(model.num_kv_heads, split.tp)),
            "fraction",
            arch,
            True,
        ),
        PerfConstant(
            "kv_budget_bytes_per_gpu",
            "KV-cache memory per GPU (visible × utilization − weights − reserve)",
            budget,
            "bytes",
            f"llmcost.perf.memory: {gpu.memory_gb:g} GB GPU, {eng}",
            True,
        ),
    ]
    if model.attention_chunk_tokens is not None:
        c.append(
            PerfConstant(
                "chunk_tokens",
                "Chunked-attention window (local layers)",
                float(model.attention_chunk_tokens),
                "tokens",
                arch,
                True,
            )
        )
    if model.num_experts:
        c += [
            PerfConstant(
                "experts", "Routed experts per MoE layer", float(model.num_experts), "", arch, True
            ),
            PerfConstant(
                "experts_per_token",
                "Experts each token is routed to",
                float(model.experts_per_token),
                "",
                arch,
                True,
            ),
            PerfConstant(
                "moe_layers_per_stage",
                "MoE layers per pipeline stage",
                float(rates.moe_layers_per_stage),
                "layers",
                arch,
                True,
            ),
            PerfConstant(
                "expert_bytes_each",
                "Bytes of one routed expert of one layer, per GPU",
                float(rates.expert_bytes_each),
                "bytes",
                arch,
                True,
            ),
            PerfConstant(
                "expert_flops_per_token",
                "Routed-expert GEMM FLOPs per token per GPU",
                float(rates.expert_flops_per_token),
                "FLOPs/token",
                arch,
                True,
            ),
            PerfConstant(
                "expert_flops_each",
                "GEMM FLOPs of one routed expert of one layer per token, per GPU",
                float(rates.expert_flops_each),
                "FLOPs/token",
                arch,
                True,
            ),
            PerfConstant(
                "mma_tile_tokens",
                "Tokens per MMA tile (an expert's tokens are padded to whole tiles)",
                rates.mma_tile_tokens,
                "tokens",
                f"llmcost.perf.moe.MMA_TILE_TOKENS ({gpu.architecture})",
                True,
            ),
            PerfConstant(
                "imbalance_c",
                "Expected max of ep standard normals (busiest expert-parallel rank)",
                expected_max_standard_normal(int(ep)),
                "",
                "llmcost.perf.moe.rank_imbalance",
                True,
            ),
            PerfConstant(
                "moe_efficiency",
                "Grouped expert GEMM efficiency",
                profile.moe_efficiency,
                "fraction",
                eng,
                False,
            ),
        ]
    att_prec = attention_precision(precision, kv_prec)
    c += [
        PerfConstant(
            "hbm_bytes_per_s",
            "HBM bandwidth (datasheet)",
            gpu.hbm_bandwidth_gb_per_s * BYTES_PER_GB,
            "bytes/s",
            gpu_src,
            False,
        ),
        PerfConstant(
            "achievable_bandwidth_ratio",
            "Achievable bandwidth share vs H100's",
            gpu.achievable_bandwidth_ratio,
            "ratio",
            gpu_src,
            False,
        ),
        PerfConstant(
            "bandwidth_efficiency",
            "Engine bandwidth efficiency",
            profile.bandwidth_efficiency,
            "fraction",
            eng,
            False,
        ),
        PerfConstant(
            "gemm_peak_flops_per_s",
            f"Dense tensor peak, {precision} (GEMMs)",
            gpu.peak_tflops(precision) * FLOPS_PER_TFLOP,
            "FLOP/s",
            gpu_src,
            False,
        ),
        PerfConstant(
            "attention_peak_flops_per_s",
            f"Dense tensor peak, {att_prec} (attention)",
            gpu.peak_tflops(att_prec) * FLOPS_PER_TFLOP,
            "FLOP/s",
            gpu_src,
            False,
        ),
        PerfConstant(
            "achievable_compute_ratio",
            "Achievable compute share vs H100's",
            gpu.achievable_compute_ratio,
            "ratio",
            gpu_src,
            False,
        ),
        PerfConstant(
            "compute_efficiency",
            "Engine compute efficiency",
            profile.compute_efficiency,
            "fraction",
            eng,
            False,
        ),
        PerfConstant(
            "link_bytes_per_s",
            "GPU-to-GPU link bandwidth, one direction",
            _link_bytes_per_s(gpu),
            "bytes/s",
            gpu_src,
            False,
        ),
        PerfConstant(
            "interconnect_efficiency",
            "Share of link bandwidth collectives reach",
            profile.interconnect_efficiency,
            "fraction",
            eng,
            False,
        ),
        PerfConstant(
            "collective_latency_s",
            "Latency per ring step / all-to-all peer",
            profile.collective_latency_s,
            "s",
            eng,
            False,
        ),
        PerfConstant(
            "step_overhead_s", "Engine overhead per step", profile.step_overhead_s, "s", eng, False
        ),
        PerfConstant(
            "prefill_layer_launch_s",
            "Host launch time per layer of a pass with prompt tokens (the pass lasts at least "
            "layers × this)",
            profile.prefill_layer_launch_s,
            "s",
            eng,
            False,
        ),
        PerfConstant(
            "sequence_overhead_s",
            "Engine overhead per sequence per step",
            profile.sequence_overhead_s,
            "s",
            eng,
            False,
        ),
        PerfConstant(
            "sequence_layer_overhead_s",
            "Engine overhead per sequence per layer per step, at this GPU's memory bandwidth",
            rates.sequence_layer_overhead_s,
            "s",
            eng + _overhead_note(profile),
            False,
        ),
        PerfConstant(
            "max_batch",
            "Engine cap on running sequences (per rank)",
            float(profile.max_batch),
            "sequences",
            eng,
            False,
        ),
        PerfConstant(
            "max_batched_tokens",
            "Token budget of one step (chunked prefill)",
            float(profile.max_batched_tokens),
            "tokens",
            eng,
            False,
        ),
        PerfConstant(
            "kv_block_tokens",
            "KV-cache page size",
            float(profile.kv_block_tokens),
            "tokens",
            eng,
            False,
        ),
    ]
    if fp4:
        c.append(
            PerfConstant(
                "fp4_gemm_efficiency_ratio",
                "NVFP4 GEMM efficiency ratio",
                profile.fp4_gemm_efficiency_ratio,
                "ratio",
                eng,
                False,
            )
        )
    max_tp = args["tpot_slo_s"] is None and args["ttft_slo_s"] is None
    for key, label in (
        ("tpot_slo_s", "Latency target: TPOT"),
        ("ttft_slo_s", "Latency target: TTFT"),
    ):
        value = args[key]
        c.append(
            PerfConstant(
                key,
                label,
                None if value is None else float(value),  # empty: no target
                "s",
                "scenario option",
                False,
            )
        )
    images = bool((args["image_tiles"] > 0).any())
    if images:
        from ..perf.vision import (
            encoder_flops_per_s,
            vision_encoder_flops_per_tile,
            vision_encoder_for,
        )

        c += [
            PerfConstant(
                "encoder_flops_per_tile",
                "Vision encoder FLOPs per 336-px tile",
                vision_encoder_flops_per_tile(vision_encoder_for(model)),
                "FLOPs",
                "llmcost.perf.vision",
                True,
            ),
            PerfConstant(
                "encoder_flops_per_s",
                "Vision encoder rate per GPU (BF16 peak × attention share)",
                encoder_flops_per_s(rates, gpu)[0],
                "FLOP/s",
                "llmcost.perf.vision",
                True,
            ),
        ]
    return PerfSetup(
        constants=c,
        moe=bool(model.num_experts),
        chunk_tokens=model.attention_chunk_tokens,
        n_local_layers=model.num_layers - model.num_global_attention_layers,
        kv_chunked=profile.exploits_chunked_attention,
        separate_prefill=not profile.prefill_shares_decode_step,
        reserves_full_sequence_kv=profile.reserves_full_sequence_kv,
        max_throughput=max_tp,
        images=images,
        direct_links=bool(rates.direct_links),
        nvls=bool(rates.nvls),
        mesh_peers=float(rates.mesh_peers or 0.0),
    )


def _all_reduce(msg: str, n: str, link: str, lat: str, setup: PerfSetup) -> str:
    """One all-reduce [s], the fastest algorithm the topology allows.

    As :func:`llmcost.perf.collectives.all_reduce_s`: ring; one-shot and two-shot with direct peer
    links; NVLS with NVLink SHARP; 0 for one GPU.
    """
    shared = f"2*({n}-1)/{n}*{msg}/{link}"
    terms = [f"{shared}+2*({n}-1)*{lat}"]
    if setup.direct_links:
        terms += [f"({n}-1)*{msg}/{link}+2*{lat}", f"{shared}+3*{lat}"]
    if setup.nvls:
        terms.append(f"{msg}/{link}+2*{lat}")
    best = terms[0] if len(terms) == 1 else "MIN(" + ",".join(terms) + ")"
    return f"IF({n}>1,{best},0)"


def _positions_sum(n: str, chunk: str | None) -> str:
    """Σ_{p=1..n} min(p, chunk) (``chunk`` None: no cap)."""
    full = f"({n})*(({n})+1)/2"
    if chunk is None:
        return full
    return f"IF(({n})<={chunk},{full},{chunk}*({chunk}+1)/2+(({n})-{chunk})*{chunk})"


def layer_context_sum(p: str, setup: PerfSetup, start: str, end: str) -> str:
    """Σ over layers and query positions start+1..end of the attended context [tokens]."""
    text = f"{p}global_layers*({_positions_sum(end, None)}-{_positions_sum(start, None)})"
    if setup.n_local_layers and setup.chunk_tokens is not None:
        ch = f"{p}chunk_tokens"
        text += (
            f"+({p}layers-{p}global_layers)*({_positions_sum(end, ch)}-{_positions_sum(start, ch)})"
        )
    return text


def kv_bytes_per_sequence(p: str, setup: PerfSetup, context: str, chunked: bool) -> str:
    """KV cache of one sequence of ``context`` tokens on one GPU [bytes]."""
    if chunked and setup.chunk_tokens is not None:
        held = (
            f"({p}global_layers*{context}+({p}layers-{p}global_layers)"
            f"*MIN({context},{p}chunk_tokens))"
        )
    else:
        held = f"{p}layers*{context}"
    return f"{p}kv_bytes_per_layer_token*{held}*{p}kv_share_per_gpu/{p}pp"


def step_time(
    p: str,
    setup: PerfSetup,
    *,
    b: str,
    prefill: str,
    kv_read_per_seq: str,
    decode_ctx_sum: str,
    prefill_ctx: str,
    encoder_flops_per_token: str | None,
) -> str:
    """One engine step on one GPU [s] (``step_time_s``).

    GEMMs + attention + collectives + overheads + vision encoder, over the option's named constants
    (prefix ``p``).
    """
    tokens = f"({b}+{prefill})"
    bw, fl, afl = f"{p}eff_bytes_per_s", f"{p}eff_gemm_flops_per_s", f"{p}eff_attention_flops_per_s"
    gemm_flops = f"{tokens}*{p}matmul_flops_per_token"
    imbalance = "1"
    if setup.moe:
        e, k, ep = f"{p}experts", f"{p}experts_per_token", f"{p}ep"
        routed = f"{e}*(1-(1-{k}/{e})^({tokens}*{ep}))/{ep}"
        expert_read = f"{p}moe_layers_per_stage*{routed}*{p}expert_bytes_each"
        pairs = f"({tokens}*{ep}*{k})"
        imbalance = (
            f"IF({pairs}>0,MAX(1,MIN({ep},MAX(1+{p}imbalance_c*(({ep}-1)/{pairs})^0.5,"
            f"{ep}/{pairs}))),1)"
        )
        mu, tile = f"({pairs}/{e})", f"{p}mma_tile_tokens"
        padded = f"MAX({tile}*(1-EXP(-{mu}))+MAX(0,{mu}-({tile}+1)/2),{mu})"
        expert_flops = (
            f"{p}moe_layers_per_stage*{e}/{ep}*{padded}*{p}expert_flops_each*{imbalance}"
        )
        dense_flops = f"({gemm_flops}-{tokens}*{p}expert_flops_per_token)"
        gemm = (
            f"MAX({p}fixed_read_bytes/{bw},{dense_flops}/{fl})"
            f"+MAX({expert_read}/{bw},{expert_flops}/{fl})/{p}moe_efficiency"
        )
    else:
        gemm = f"MAX({p}fixed_read_bytes/{bw},{gemm_flops}/{fl})"
    attn_ctx = f"({b}*{decode_ctx_sum}+{prefill}*{prefill_ctx})"
    attention = f"MAX({b}*{kv_read_per_seq}/{bw},{attn_ctx}*{p}attention_flops_per_context/{afl})"
    msg = f"{tokens}*{p}hidden_size*{_ACTIVATION_BYTES:g}"
    link, lat, tp, pp = f"{p}eff_link_bytes_per_s", f"{p}collective_latency_s", f"{p}tp", f"{p}pp"
    stage_layers = f"{p}layers/{pp}"
    ep = f"{p}ep" if setup.moe else "1"
    if setup.mesh_peers:  # a full mesh: a group of n uses n − 1 of the GPU's peer links
        peers = f"{setup.mesh_peers:g}"
        link = f"MAX({link}*MIN(MAX({tp},{ep})-1,{peers})/{peers},{link}/{peers})"
    collectives = (
        f"2*{stage_layers}*{_all_reduce(msg, tp, link, lat, setup)}"
        f"+IF({pp}>1,{msg}/{link}+{lat},0)"
    )
    if setup.moe:
        collectives += (
            f"+IF({ep}>1,2*{p}moe_layers_per_stage*({msg}*{p}experts_per_token*({ep}-1)/{ep}"
            f"*{imbalance}/{link}+({ep}-1)*{lat}),0)"
        )
    overhead = (
        f"{p}step_overhead_s+({p}sequence_overhead_s+{p}sequence_layer_overhead_s"
        f"*{stage_layers})*{b}"
    )
    encoder = (
        f"+{prefill}*{encoder_flops_per_token}/{p}encoder_flops_per_s"
        if encoder_flops_per_token
        else ""
    )
    return f"{gemm}+{attention}+{collectives}+{overhead}{encoder}"


def launch_bound(p: str, pass_time: str) -> str:
    """A pass carrying prompt tokens, at least its host launch time [s] (``_launch_bound``)."""
    return f"MAX({pass_time},{p}layers/{p}pp*{p}prefill_layer_launch_s)"
