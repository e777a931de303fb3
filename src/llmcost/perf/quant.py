"""Storage cost of each precision, quantization scales included, and what a checkpoint quantizes.

Bytes per parameter of a quantized linear layer [bytes/parameter]:

- ``bf16``/``fp16``: 2.
- ``fp8``/``int8``: 1. Per-tensor or per-output-channel scales (FP8-dynamic, W8A8) add
  ≲ 0.01 % and are ignored.
- ``int4``: 0.5 + (2 + 0.5)/128 = 0.51953 — weight-only INT4 with groups of 128 weights
  sharing a 16-bit scale and a 4-bit packed zero point (asymmetric AWQ / GPTQ default layout:
  ``q_group_size=128``, ``zero_point=True``; AutoAWQ and GPTQ pack zeros as 4-bit ``qzeros``).
- ``fp4``: 0.5 + 1/16 = 0.5625 — NVFP4: blocks of 16 FP4 (E2M1) values with one FP8 (E4M3)
  scale, plus a per-tensor FP32 scale (negligible). Source: NVIDIA, "Introducing NVFP4 for
  efficient and accurate low-precision inference" (developer blog, 2025).

Quantized checkpoints keep the embedding table, the LM head, the norms, the MoE router and the
vision encoder in 16-bit and quantize the decoder's linear layers (ModelOpt, llm-compressor and
AutoAWQ defaults: ``ignore=["lm_head"]``). Meta's own Llama 3.1 405B FP8 checkpoint quantizes only
the MLP layers and leaves the first and last decoder layers in BF16 (Llama 3 Herd of Models,
arXiv:2407.21783 §6.2; ``fbgemm_fp8`` ``modules_to_not_convert``): ``ModelSpec.fp8_checkpoint_scope
= "mlp_only"`` with ``fp8_checkpoint_bf16_layers = 2``.
"""

from __future__ import annotations

from typing import Final

from .._core.display import plain
from .._core.errors import InvalidInputError
from .._core.units import BYTES_PER_ELEMENT, PRECISIONS

__all__ = [
    "KV_PRECISIONS",
    "QUANT_SCOPES",
    "SCALE_OVERHEAD_BYTES_PER_PARAM",
    "check_precision",
    "weight_bytes_per_param",
]

#: Extra bytes per parameter for block/group scales (and zero points) [bytes/parameter].
SCALE_OVERHEAD_BYTES_PER_PARAM: Final[dict[str, float]] = {
    "int4": (2.0 + 0.5) / 128.0,  # fp16 scale + 4-bit zero point per 128-weight group
    "fp4": 1.0 / 16.0,  # FP8 scale per 16-element NVFP4 block
}

#: Precisions the KV cache can be stored in.
KV_PRECISIONS: Final = ("bf16", "fp16", "fp8", "int8")

#: Which linear layers a quantized checkpoint quantizes. ``"checkpoint"`` means: what the
#: model's official checkpoint of that precision does (``ModelSpec.fp8_checkpoint_scope`` for FP8,
#: all decoder linear layers otherwise).
QUANT_SCOPES: Final = ("checkpoint", "all_linear", "mlp_only")


def check_precision(
    precision: str, name: str = "precision", allowed: tuple[str, ...] = PRECISIONS
) -> str:
    """Return ``precision`` if it is one of ``allowed``, else raise naming ``name``."""
    if not isinstance(precision, str) or precision not in allowed:
        raise InvalidInputError(
            f"{name} must be one of {', '.join(allowed)}; got {plain(precision)}"
        )
    return precision


def weight_bytes_per_param(precision: str) -> float:
    """Storage of one quantized linear-layer weight [bytes], scales included.

    >>> weight_bytes_per_param("fp8"), weight_bytes_per_param("int4")
    (1.0, 0.51953125)
    """
    check_precision(precision)
    return BYTES_PER_ELEMENT[precision] + SCALE_OVERHEAD_BYTES_PER_PARAM.get(precision, 0.0)
