"""Plain, validated-elsewhere descriptions of a model architecture and a GPU.

The catalog builds these from its pydantic records (``ModelRecord.to_spec()``); the math layers
(``perf``, ``cost``) take them without knowing about files or pydantic. Units are in the names.
Only the fields a hand-built spec can get silently wrong are checked here (the GPU's vendor and
achievable ratios); the rest is validated by the catalog records.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import InvalidInputError, UnsupportedPrecisionError


@dataclass(frozen=True)
class ModelSpec:
    """Architecture of a decoder-only Llama model: what memory and speed models need.

    Dense models leave the MoE fields at zero. For MoE models, ``moe_layer_step`` = n means
    every n-th decoder layer is an MoE layer (Maverick: 2, Scout: 1); the other layers use a dense
    MLP of width ``intermediate_size``. Llama 4's chunked local attention: every
    ``global_attention_layer_step``-th layer attends globally, the others only within chunks of
    ``attention_chunk_tokens`` tokens (None: every layer is global).
    """

    id: str
    hidden_size: int
    num_layers: int
    num_attention_heads: int
    num_kv_heads: int
    head_dim: int
    vocab_size: int
    intermediate_size: int  # width of the dense MLP [neurons]
    tie_word_embeddings: bool
    max_context_tokens: int
    params_total_official: float  # as published, text + vision [parameters]
    params_active_official: float  # per token, as published [parameters]
    num_experts: int = 0  # routed experts per MoE layer
    experts_per_token: int = 0  # routed experts each token uses
    num_shared_experts: int = 0  # always-on experts per MoE layer
    expert_intermediate_size: int = 0  # width of each expert's MLP [neurons]
    moe_layer_step: int = 1  # every n-th layer is MoE (when num_experts > 0)
    attention_chunk_tokens: int | None = None  # chunked local attention window [tokens]
    global_attention_layer_step: int = 1  # every n-th layer is global attention
    vision_encoder_params: float = 0.0  # image encoder + projector [parameters]
    # Which linear layers the official FP8 checkpoint quantizes: "all_linear" (attention + MLP)
    # or "mlp_only" (Meta's Llama 3.1 405B FP8), and how many decoder layers it leaves in BF16.
    fp8_checkpoint_scope: str = "all_linear"
    fp8_checkpoint_bf16_layers: int = 0
    released: bool = True

    @property
    def is_moe(self) -> bool:
        """True for a mixture-of-experts model."""
        return self.num_experts > 0

    @property
    def num_moe_layers(self) -> int:
        """Number of decoder layers with an MoE block."""
        return self.num_layers // self.moe_layer_step if self.is_moe else 0

    @property
    def num_global_attention_layers(self) -> int:
        """Number of layers that keep KV for the whole context."""
        if self.attention_chunk_tokens is None:
            return self.num_layers
        return self.num_layers // self.global_attention_layer_step


#: Which tensor-core rate a weight precision runs at. INT4 is weight-only (W4A16): its
#: matrix multiplies run at the 16-bit rate after dequantization.
COMPUTE_PRECISION: dict[str, str] = {
    "bf16": "bf16",
    "fp16": "fp16",
    "fp8": "fp8",
    "int8": "int8",
    "int4": "bf16",
    "fp4": "fp4",
}


#: GPU vendors: the software stack an engine runs on (CUDA for "nvidia", ROCm for "amd").
GPU_VENDORS = ("nvidia", "amd")

#: Upper bound of ``GpuSpec.achievable_*_ratio``: a GPU reaching twice the reference's share
#: of its own datasheet peak is a data error, not a measurement.
MAX_ACHIEVABLE_RATIO = 2.0


@dataclass(frozen=True)
class GpuSpec:
    """One GPU as the performance model sees it. Dense (not sparse) tensor throughput.

    ``interconnect_gb_per_s`` is the per-GPU aggregate bidirectional scale-up bandwidth as
    vendors quote it (H100 SXM NVLink 4: 900); ``interconnect_kind`` is "nvlink", "xgmi",
    "pcie" or "none" (then ``pcie_gb_per_s`` carries GPU-to-GPU traffic).

    Datasheet peaks are not equally reachable on every GPU: ``achievable_bandwidth_ratio`` and
    ``achievable_compute_ratio`` carry a GPU's measured microbenchmark fractions relative to
    the H100 SXM's, whose fractions the engine profiles' efficiencies already contain
    (:func:`llmcost.perf.speed.deployment_rates` multiplies them in) [ratio, default 1].

    ``vendor`` ("nvidia" or "amd") picks the engine's software stack: an engine named by id
    runs its ROCm profile on AMD GPUs (:func:`llmcost.perf.engines.get_engine_profile`).
    """

    id: str
    memory_gb: float  # as marketed: GiB for HBM parts, decimal GB for GDDR parts
    hbm_bandwidth_gb_per_s: float
    bf16_tflops: float | None
    fp16_tflops: float | None
    fp8_tflops: float | None
    int8_tops: float | None
    fp4_tflops: float | None
    interconnect_kind: str
    interconnect_gb_per_s: float | None
    pcie_gb_per_s: float
    tdp_w: float
    architecture: str = ""
    #: GPUs that share the scale-up fabric (HGX 8, H100 NVL pairs 2, GB200 NVL72 72, PCIe 1);
    #: tensor parallelism beyond it crosses ``pcie_gb_per_s`` (or the network).
    scale_up_domain_gpus: int = 8
    #: "hbm" (sold by binary size: an "80 GB" H100 has 80 GiB) or "gddr" (decimal GB).
    memory_type: str = "hbm"
    #: Achievable share of the datasheet HBM bandwidth (STREAM-like copy/triad microbenchmark)
    #: relative to that of the reference GPU the engine profiles were calibrated on (H100 SXM):
    #: 0.88 = this GPU reaches 0.88 × the fraction an H100 reaches. 1.0: no measured difference.
    achievable_bandwidth_ratio: float = 1.0
    #: The same for dense GEMM throughput (max-achievable matmul FLOP/s ÷ dense peak).
    achievable_compute_ratio: float = 1.0
    #: "nvidia" (CUDA) or "amd" (ROCm); a hand-built AMD spec must say so.
    vendor: str = "nvidia"
    #: The scale-up switch reduces in the network (NVLink SHARP, "NVLS": third-generation
    #: NVSwitch and later, HGX H100/H200, B200, NVL72), so an all-reduce moves each byte once
    #: (:func:`llmcost.perf.collectives.all_reduce_s`).
    nvls: bool = False

    def __post_init__(self) -> None:
        if self.vendor not in GPU_VENDORS:
            raise InvalidInputError(
                f"vendor of GPU {self.id!r} must be one of {', '.join(GPU_VENDORS)}; "
                f"got {self.vendor!r}"
            )
        for name in ("achievable_bandwidth_ratio", "achievable_compute_ratio"):
            value = getattr(self, name)
            if not 0.0 < value <= MAX_ACHIEVABLE_RATIO:
                raise InvalidInputError(
                    f"{name} of GPU {self.id!r} must be in (0, {MAX_ACHIEVABLE_RATIO:g}]; "
                    f"got {value!r}"
                )

    def peak_tflops(self, precision: str) -> float:
        """Dense peak [TFLOP/s] for the matrix multiplies of a weight ``precision``.

        Raises :class:`UnsupportedPrecisionError` when the GPU has no such tensor cores.
        """
        if precision not in COMPUTE_PRECISION:
            allowed = ", ".join(COMPUTE_PRECISION)
            raise InvalidInputError(f"precision must be one of {allowed}; got {precision!r}")
        compute = COMPUTE_PRECISION[precision]
        value = {
            "bf16": self.bf16_tflops,
            "fp16": self.fp16_tflops,
            "fp8": self.fp8_tflops,
            "int8": self.int8_tops,
            "fp4": self.fp4_tflops,
        }[compute]
        if value is None:
            supported = [p for p in COMPUTE_PRECISION if self._has(COMPUTE_PRECISION[p])]
            raise UnsupportedPrecisionError(
                f"precision {precision!r} is not supported on GPU {self.id!r} "
                f"(no {compute.upper()} tensor cores); supported: {', '.join(supported)}"
            )
        return value

    def _has(self, compute: str) -> bool:
        return {
            "bf16": self.bf16_tflops,
            "fp16": self.fp16_tflops,
            "fp8": self.fp8_tflops,
            "int8": self.int8_tops,
            "fp4": self.fp4_tflops,
        }[compute] is not None

    def supports(self, precision: str) -> bool:
        """True when the GPU can run ``precision``'s matrix multiplies natively."""
        return precision in COMPUTE_PRECISION and self._has(COMPUTE_PRECISION[precision])
