"""Weight memory: bytes per component at a precision, and bytes per GPU under a parallel split.

Parallel layout assumed (what vLLM, SGLang and TensorRT-LLM do by default):

- tensor parallelism ``tp`` splits every decoder linear layer, the embedding table and the LM
  head (vocabulary-parallel) and the vision encoder ``tp`` ways; norms are replicated (tiny);
- pipeline parallelism ``pp`` splits the decoder layers evenly; the first stage also holds the
  embedding table and vision encoder, the last the LM head (the fuller stage sets the per-GPU
  figure);
- expert parallelism ``ep`` splits the routed experts of every MoE layer ``ep`` ways on top of
  ``tp``; attention, dense MLPs, shared experts and embeddings are *replicated* across the ``ep``
  ranks, which run attention data-parallel on their own sequences (TensorRT-LLM
  ``enable_attention_dp``, SGLang DP-attention). So ``gpus = tp × pp × ep``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from .._core._arrays import FloatArray
from .._core.errors import InvalidInputError
from .._core.specs import ModelSpec
from .._core.units import BYTES_PER_ELEMENT
from .params import Components, param_breakdown
from .quant import QUANT_SCOPES, check_precision, weight_bytes_per_param

__all__ = ["WeightBytes", "weight_bytes"]

_BASE_BYTES = BYTES_PER_ELEMENT["bf16"]  # unquantized tensors stay in 16-bit


@dataclass(frozen=True)
class WeightBytes(Components):
    """Weight storage of one model copy, by component [bytes]."""

    other: float  # norms and MoE routers
    vision_encoder: float
    expert_each_per_layer: float  # one routed expert of one MoE layer

    @property
    def total(self) -> float:
        """Whole model [bytes]."""
        return self.large_total + self.other + self.vision_encoder

    @property
    def non_expert_decoder(self) -> float:
        """Decoder weights every token reads: attention, dense MLP, shared experts, norms."""
        return self.attention + self.dense_mlp + self.shared_experts + self.other

    def per_gpu(
        self,
        tp: ArrayLike = 1,
        pp: ArrayLike = 1,
        ep: ArrayLike = 1,
        *,
        attention_tp: ArrayLike | None = None,
    ) -> FloatArray:
        """Weights held by the fullest GPU under a ``tp × pp × ep`` split [bytes].

        Experts are split over ``tp × pp × ep``; the other weights over ``pp`` and
        ``attention_tp`` (default ``tp``; ``tp × ep`` when attention is tensor-parallel over
        the expert-parallel ranks too, TEP).

        >>> w = WeightBytes(10, 10, 40, 40, 0, 0, 0, 0, 0)
        >>> float(w.per_gpu(tp=2)), float(w.per_gpu(pp=2))
        (50.0, 50.0)
        """
        tp_a, pp_a, ep_a = (np.asarray(x, dtype=np.float64) for x in (tp, pp, ep))
        edges_one_stage = self.embedding + self.vision_encoder + self.lm_head
        edges_fullest = np.where(
            pp_a > 1, max(self.embedding + self.vision_encoder, self.lm_head), edges_one_stage
        )
        shared_tp = tp_a if attention_tp is None else np.asarray(attention_tp, dtype=np.float64)
        shared = (self.non_expert_decoder / pp_a + edges_fullest) / shared_tp
        experts = self.routed_experts / (tp_a * pp_a * ep_a)
        return np.asarray(shared + experts, dtype=np.float64)


def weight_bytes(
    model: ModelSpec,
    precision: str,
    *,
    quant_scope: str = "checkpoint",
    include_vision: bool = True,
) -> WeightBytes:
    """Bytes of each weight component of ``model`` stored at ``precision``.

    Parameters
    ----------
    precision
        Storage of the quantized linear layers: bf16, fp16, fp8, int8, int4, fp4.
    quant_scope
        ``"checkpoint"`` (default): what the official checkpoint of that precision quantizes
        (``model.fp8_checkpoint_scope`` for FP8; every decoder linear layer otherwise);
        ``"all_linear"``: every decoder linear layer (ModelOpt, llm-compressor, AWQ);
        ``"mlp_only"``: MLP and expert layers only, attention in 16-bit.
    include_vision
        Count the vision encoder (loaded by default by multimodal serving engines).

    >>> from llmcost._core.specs import ModelSpec
    >>> m = ModelSpec(id="m", hidden_size=4096, num_layers=32, num_attention_heads=32,
    ...     num_kv_heads=8, head_dim=128, vocab_size=128256, intermediate_size=14336,
    ...     tie_word_embeddings=False, max_context_tokens=131072,
    ...     params_total_official=8.0e9, params_active_official=8.0e9)
    >>> weight_bytes(m, "bf16").total  # 2 × 8,030,261,248 parameters
    16060522496.0
    """
    check_precision(precision)
    if quant_scope not in QUANT_SCOPES:
        raise InvalidInputError(
            f"quant_scope must be one of {', '.join(QUANT_SCOPES)}; got {quant_scope!r}"
        )
    scope = quant_scope
    bf16_layers = 0
    if scope == "checkpoint":
        scope = model.fp8_checkpoint_scope if precision == "fp8" else "all_linear"
        bf16_layers = model.fp8_checkpoint_bf16_layers if precision == "fp8" else 0
    p = param_breakdown(model)
    q = weight_bytes_per_param(precision)
    # MLP-type layers: the quantized share of layers at q, the rest (kept in BF16) at 2 bytes.
    bf16_share = min(bf16_layers, model.num_layers) / model.num_layers
    mlp_bytes_per_param = q * (1 - bf16_share) + _BASE_BYTES * bf16_share
    attn_bytes_per_param = mlp_bytes_per_param if scope == "all_linear" else _BASE_BYTES
    return WeightBytes(
        embedding=p.embedding * _BASE_BYTES,
        lm_head=p.lm_head * _BASE_BYTES,
        attention=p.attention * attn_bytes_per_param,
        dense_mlp=p.dense_mlp * mlp_bytes_per_param,
        routed_experts=p.routed_experts * mlp_bytes_per_param,
        shared_experts=p.shared_experts * mlp_bytes_per_param,
        other=(p.norms + p.router) * _BASE_BYTES,
        vision_encoder=p.vision_encoder * _BASE_BYTES if include_vision else 0.0,
        expert_each_per_layer=p.expert_params_each * mlp_bytes_per_param,
    )
