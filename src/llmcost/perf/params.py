"""Parameter counts of a Llama architecture, by component.

Every count follows the Hugging Face ``LlamaForCausalLM`` / ``Llama4ForCausalLM`` module layout
(no biases; RMSNorm weights of width ``hidden_size``; SwiGLU MLP = gate, up and down
projections, 3 × hidden × intermediate; Llama 4's QK-norm is a parameter-free L2 norm).
Checked against the derived counts of ``reference/model_configs.json``: 8,030,261,248 for
Llama 3.1 8B, 70,553,706,496 for 70B, 107,769,861,120 for Llama 4 Scout (text) and
400,711,848,960 for Maverick (text).
"""

from __future__ import annotations

from dataclasses import dataclass

from .._core.specs import ModelSpec

__all__ = ["Components", "ParamBreakdown", "param_breakdown"]


@dataclass(frozen=True)
class Components:
    """The large components of a Llama model, each summed over all layers, in one unit.

    Parameters in :class:`ParamBreakdown`, bytes in :class:`~llmcost.perf.weights.WeightBytes`.
    """

    embedding: float
    lm_head: float
    attention: float
    dense_mlp: float
    routed_experts: float
    shared_experts: float

    @property
    def large_total(self) -> float:
        """Embedding, LM head, attention, dense MLPs and experts together [unit of the fields]."""
        return (
            self.embedding
            + self.lm_head
            + self.attention
            + self.dense_mlp
            + self.routed_experts
            + self.shared_experts
        )


@dataclass(frozen=True)
class ParamBreakdown(Components):
    """Parameters of each component, summed over all layers [parameters].

    ``expert_params_each`` is one routed expert of one MoE layer.
    """

    router: float
    norms: float
    vision_encoder: float
    routed_experts_active: float
    expert_params_each: float

    @property
    def text_total(self) -> float:
        """All text-decoder parameters, embeddings and head included [parameters]."""
        return self.large_total + self.router + self.norms

    @property
    def total(self) -> float:
        """Text decoder plus vision encoder [parameters] — what model cards quote."""
        return self.text_total + self.vision_encoder

    @property
    def active_per_token(self) -> float:
        """Parameters a text token touches (one expert choice per MoE layer) [parameters].

        Counts the embedding table like the published "active" figures do.
        """
        return self.text_total - self.routed_experts + self.routed_experts_active

    @property
    def matmul_per_token(self) -> float:
        """Parameters in the matrix multiplies one decoded token runs [parameters].

        Active parameters without the embedding lookup (a gather, not a matmul) and norms,
        with the LM head — which a tied model computes with the embedding matrix.
        """
        head = self.lm_head if self.lm_head else self.embedding
        return (
            self.attention
            + self.dense_mlp
            + self.shared_experts
            + self.routed_experts_active
            + self.router
            + head
        )

    @property
    def decoder_linear(self) -> float:
        """Linear-layer weights of the decoder blocks: what quantized checkpoints quantize."""
        return self.attention + self.dense_mlp + self.routed_experts + self.shared_experts


def param_breakdown(model: ModelSpec) -> ParamBreakdown:
    """Count the parameters of ``model`` by component.

    >>> from llmcost._core.specs import ModelSpec
    >>> tiny = ModelSpec(id="tiny", hidden_size=8, num_layers=2, num_attention_heads=2,
    ...     num_kv_heads=1, head_dim=4, vocab_size=10, intermediate_size=16,
    ...     tie_word_embeddings=True, max_context_tokens=64, params_total_official=0,
    ...     params_active_official=0)
    >>> p = param_breakdown(tiny)
    >>> p.attention, p.dense_mlp, p.lm_head, p.text_total
    (384.0, 768.0, 0.0, 1272.0)
    """
    h = float(model.hidden_size)
    q_width = model.num_attention_heads * model.head_dim
    kv_width = model.num_kv_heads * model.head_dim
    attention_per_layer = h * q_width * 2 + h * kv_width * 2  # q, o + k, v
    mlp_dense_per_layer = 3.0 * h * model.intermediate_size
    n_moe = model.num_moe_layers
    n_dense = model.num_layers - n_moe
    expert_each = 3.0 * h * model.expert_intermediate_size if model.is_moe else 0.0
    embedding = float(model.vocab_size) * h
    return ParamBreakdown(
        embedding=embedding,
        lm_head=0.0 if model.tie_word_embeddings else embedding,
        attention=attention_per_layer * model.num_layers,
        dense_mlp=mlp_dense_per_layer * n_dense,
        routed_experts=expert_each * model.num_experts * n_moe,
        shared_experts=expert_each * model.num_shared_experts * n_moe,
        router=h * model.num_experts * n_moe,
        norms=h * (2 * model.num_layers + 1),
        vision_encoder=float(model.vision_encoder_params),
        routed_experts_active=expert_each * model.experts_per_token * n_moe,
        expert_params_each=expert_each,
    )
