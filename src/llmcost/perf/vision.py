"""The vision encoder's compute: FLOPs per image tile and the rate it runs at.

Llama 4 (Scout and Maverick share the encoder) cuts an image into 336×336-px tiles
(:func:`llmcost.cost.multimodal.llama4_encoder_tiles`); each tile goes through a ViT before its
144 tokens enter the language model:

1. patch embedding: 14-px patches → (336/14)² = 576 patches of 3·14² = 588 values, a linear
   588 → 1408 (no bias); a class token is appended: 577 tokens;
2. 34 encoder layers on the 577 tokens, each: q, k, v, o projections 1408 → 1408 (with bias),
   bidirectional attention (no mask: QKᵀ and AV over all 577² pairs), MLP 1408 → 5632 → 1408
   (GELU, with bias);
3. the class token dropped; pixel shuffle 0.5 folds 2×2 patches: 144 tokens of 4·1408 = 5632;
   adapter MLP 5632 → 4096 → 4096 (no bias);
4. the multimodal projector 4096 → 5120 (the text model's hidden size).

FLOPs = 2 per multiply-accumulate of every linear layer on the tokens it sees, plus attention
4 × tokens² × hidden per layer (QKᵀ and AV; Kaplan et al. 2020 convention, as
:mod:`llmcost.perf.speed`). Norms, GELU, RoPE and the pixel shuffle (a reshape) are left out
(< 0.1 % of the FLOPs).

Precision and sharding: vLLM builds ``Llama4VisionModel(..., quant_config=None)``
(vllm model_executor/models/mllama4.py), so the encoder runs in BF16 even for FP8 checkpoints
(SGLang likewise when the checkpoint's ``quantization_config.ignore`` lists ``vision_model*``
and ``multi_modal_projector*``); its linear layers are sharded over the tensor-parallel group
(``mm_encoder_tp_mode`` "weights", vLLM's default). Its rate is the GPU's BF16 dense peak times
the same achievable share as the decoder's 16-bit kernels (:func:`encoder_flops_per_s`).
Compute-bound only: reading the encoder's BF16 weights (1.74 GB ÷ TP) takes about half of one
tile's compute time on an H100 with vLLM's efficiencies (0.78 vs 1.67 ms, both ÷ TP), and less
per tile when a step encodes several tiles (a 1024×1024 image has 17), so it is left out, as
are the encoder's own all-reduces.

Sources (checked 2026-11-23): the Scout/Maverick ``vision_config`` (hidden_size 1408,
num_hidden_layers 34, num_attention_heads 16, intermediate_size 5632, image_size 336,
patch_size 14, pixel_shuffle_ratio 0.5, projector_input_dim 4096, projector_output_dim 4096,
vision_output_dim 4096; as quoted in NVIDIA TensorRT-LLM's Llama 4 tests and Neuron's Scout
mock config) and Hugging Face transformers ``models/llama4/modeling_llama4.py``
(``Llama4VisionModel.forward``: class token appended, ``attention_mask=None``, class token
removed before ``vision_adapter``; ``Llama4VisionPixelShuffleMLP``; ``Llama4MultiModalProjector``).
"""

from __future__ import annotations

from dataclasses import dataclass

from .._core.errors import InvalidInputError
from .._core.specs import GpuSpec, ModelSpec
from .._core.units import FLOPS_PER_TFLOP
from .speed import DeploymentRates

__all__ = [
    "LLAMA4_VISION_ENCODER",
    "VisionEncoderSpec",
    "encoder_flops_per_s",
    "vision_encoder_flops_per_tile",
    "vision_encoder_for",
    "vision_encoder_params",
]


@dataclass(frozen=True)
class VisionEncoderSpec:
    """A ViT encoder with a pixel-shuffle adapter and a projector (Llama 4's layout)."""

    hidden_size: int
    num_layers: int
    intermediate_size: int  # encoder MLP width [neurons]
    tile_px: int  # side of one tile [px]
    patch_px: int  # side of one patch [px]
    num_channels: int
    pixel_shuffle_ratio: float  # tokens per side kept after the shuffle [ratio]
    projector_input_dim: int  # adapter MLP hidden width
    projector_output_dim: int  # adapter MLP output width
    text_hidden_size: int  # the projector's output: the language model's hidden size

    @property
    def patches_per_tile(self) -> int:
        """Patches of one tile [patches] (576 for Llama 4)."""
        return (self.tile_px // self.patch_px) ** 2

    @property
    def tokens_per_tile(self) -> int:
        """Tokens a tile becomes after the pixel shuffle [tokens] (144 for Llama 4)."""
        return round(self.patches_per_tile * self.pixel_shuffle_ratio**2)

    @property
    def shuffled_width(self) -> int:
        """Width of a token after the pixel shuffle (hidden ÷ ratio²) [values]."""
        return round(self.hidden_size / self.pixel_shuffle_ratio**2)


#: Llama 4 Scout / Maverick ``vision_config`` (identical in both checkpoints).
LLAMA4_VISION_ENCODER = VisionEncoderSpec(
    hidden_size=1408,
    num_layers=34,
    intermediate_size=5632,
    tile_px=336,
    patch_px=14,
    num_channels=3,
    pixel_shuffle_ratio=0.5,
    projector_input_dim=4096,
    projector_output_dim=4096,
    text_hidden_size=5120,
)


def _linear_weights(spec: VisionEncoderSpec) -> tuple[int, int, int, int]:
    """Weights (no biases) of: patch embedding, one encoder layer, adapter, projector."""
    d = spec.hidden_size
    patch = spec.num_channels * spec.patch_px**2 * d
    layer = 4 * d * d + 2 * d * spec.intermediate_size
    adapter = (
        spec.shuffled_width * spec.projector_input_dim
        + spec.projector_input_dim * spec.projector_output_dim
    )
    projector = spec.projector_output_dim * spec.text_hidden_size
    return patch, layer, adapter, projector


def vision_encoder_params(spec: VisionEncoderSpec = LLAMA4_VISION_ENCODER) -> int:
    """Parameters of the encoder, adapter and projector [parameters].

    Weights plus biases (attention and MLP of every layer), the class and position embeddings
    (one per patch and the class token) and the LayerNorms (pre, post and two per layer).

    >>> vision_encoder_params()   # Llama 4: models.csv vision_encoder_params
    871932416
    """
    d = spec.hidden_size
    patch, layer, adapter, projector = _linear_weights(spec)
    biases = 4 * d + spec.intermediate_size + d
    norms = 2 * 2 * d
    embeddings = d + (spec.patches_per_tile + 1) * d
    per_layer = layer + biases + norms
    return patch + embeddings + 2 * 2 * d + spec.num_layers * per_layer + adapter + projector


def vision_encoder_flops_per_tile(spec: VisionEncoderSpec = LLAMA4_VISION_ENCODER) -> float:
    """Forward FLOPs of one image tile through the encoder, adapter and projector [FLOPs].

    2 × weights × tokens each linear layer sees (patch embedding: the patches; encoder layers:
    patches + class token; adapter and projector: the shuffled tokens) + 4 × tokens² × hidden
    per encoder layer (bidirectional attention).

    >>> round(vision_encoder_flops_per_tile() / 1e9, 1)   # Llama 4: 576 patches + class token
    1015.6
    """
    patch, layer, adapter, projector = _linear_weights(spec)
    patches = spec.patches_per_tile
    seq = patches + 1  # the class token
    shuffled = spec.tokens_per_tile
    linear = 2.0 * (
        patch * patches + spec.num_layers * layer * seq + (adapter + projector) * shuffled
    )
    attention = 4.0 * seq * seq * spec.hidden_size * spec.num_layers
    return linear + attention


def vision_encoder_for(model: ModelSpec) -> VisionEncoderSpec:
    """The vision encoder of ``model``, recognized by its ``vision_encoder_params``.

    Raises :class:`~llmcost._core.errors.InvalidInputError` for a text-only model or an
    encoder whose architecture is not known here.
    """
    if model.vision_encoder_params == vision_encoder_params(LLAMA4_VISION_ENCODER):
        return LLAMA4_VISION_ENCODER
    if model.vision_encoder_params <= 0:
        raise InvalidInputError(
            f"image_tiles > 0 needs a vision encoder; model {model.id!r} is text only "
            "(vision_encoder_params 0): allowed image_tiles = 0"
        )
    raise InvalidInputError(
        f"model {model.id!r}: no vision encoder architecture is known with "
        f"vision_encoder_params = {model.vision_encoder_params:,.0f}; known: Llama 4 "
        f"({vision_encoder_params(LLAMA4_VISION_ENCODER):,})"
    )


def encoder_flops_per_s(rates: DeploymentRates, gpu: GpuSpec) -> tuple[float, float]:
    """(effective, peak) BF16 FLOP/s one GPU runs the vision encoder at [FLOP/s].

    Peak = the GPU's dense BF16 tensor peak; effective = peak × the share of its peak the
    deployment's 16-bit attention kernels reach (achievable_compute_ratio × compute_efficiency,
    as :func:`~llmcost.perf.speed.deployment_rates` sets them).
    """
    peak = gpu.peak_tflops("bf16") * FLOPS_PER_TFLOP
    share = rates.attention_flops_per_s / rates.peak_attention_flops_per_s
    return peak * share, peak
