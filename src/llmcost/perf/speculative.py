"""Speculative decoding: a cheap drafter proposes ``k`` tokens, the target model verifies them.

Each round of a running sequence (Leviathan, Kalman & Matias 2023, "Fast Inference from
Transformers via Speculative Decoding", ICML, eq. 1 and Algorithm 1):

- the drafter proposes ``k`` tokens, one pass per token;
- the target runs **one** step over the ``k + 1`` positions (the verification step); it accepts
  the longest prefix of drafts that agrees with it and always adds one token of its own;
- with each draft accepted independently with probability ``α`` (``acceptance_rate``), the
  expected number of tokens a round emits is

      E = (1 − α^(k+1)) / (1 − α)          (k + 1 at α = 1; 1 at α = 0).

Time of a round = the drafter's ``k`` passes + the target's verification step, which reads the
weights and each sequence's KV cache once, like a decode step, but does the matrix multiplies
(and attention) of ``k + 1`` tokens per sequence: speculation wins where decode is bound by
memory bandwidth (small batches) and loses where it is bound by compute (large batches).

Drafters (``method``):

- ``"draft_model"``: a smaller model of the same tokenizer (e.g. Llama 3.2 1B for Llama 3.1
  70B); its passes cost its own step time from the same roofline and engine profile, on the
  same GPUs with the target's tensor-parallel degree (vLLM's default draft TP), and its weights
  and KV cache take memory from the target's KV budget.
- ``"eagle"``: an EAGLE head (Li et al. 2024, "EAGLE: Speculative Sampling Requires Rethinking
  Feature Uncertainty", ICML): one decoder layer of the target's width on the target's hidden
  states, plus the LM head over the vocabulary, in BF16; its passes cost that one-layer model's
  step time, its memory is that layer (the LM head is the target's).
- ``"ngram"``: prompt-lookup decoding (drafts copied from earlier n-grams of the context); a
  CPU lookup, no GPU time: only the verification step costs.

The engine's fixed per-step cost (scheduling) is paid once per round: the drafter's passes run
inside the same engine step. Draft tokens count against the step's token budget
(``max_batched_tokens``), as in vLLM.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import ArrayLike

from .._core._arrays import FloatArray
from .._core.errors import InvalidInputError
from .._core.specs import GpuSpec, ModelSpec
from .engines import EngineProfile
from .kv import kv_cache_bytes_per_token, kv_heads_share_per_gpu
from .parallel import ParallelSplit
from .speed import DeploymentRates, StepTime, deployment_rates, layer_context_sum, step_time_s
from .weights import weight_bytes

__all__ = [
    "SPECULATIVE_METHODS",
    "SpeculativeDecoding",
    "SpeculativeRates",
    "eagle_head_spec",
    "expected_tokens_per_round",
    "speculative_rates",
    "speculative_step_s",
]

#: Drafters the model knows.
SPECULATIVE_METHODS = ("draft_model", "eagle", "ngram")

#: Longest draft the model accepts (engines use 1-8; EAGLE trees up to ~10 deep).
MAX_DRAFT_TOKENS = 16


@dataclass(frozen=True)
class SpeculativeDecoding:
    """How a deployment speculates.

    Attributes
    ----------
    method
        ``"draft_model"``, ``"eagle"`` or ``"ngram"`` (see the module text).
    num_draft_tokens
        Tokens the drafter proposes per round, ``k`` (vLLM ``num_speculative_tokens``)
        [tokens, 1-16].
    acceptance_rate
        Probability ``α`` that each drafted token is accepted, given the ones before it were
        (Leviathan et al.'s α; not vLLM's "draft acceptance rate", accepted ÷ drafted, which is
        (E − 1) ÷ k) [0–1].
    draft_model
        The draft model's architecture (``method="draft_model"`` only).
    draft_precision
        Weight precision of the draft model (default: the target's).
    """

    method: str
    num_draft_tokens: int
    acceptance_rate: float
    draft_model: ModelSpec | None = None
    draft_precision: str | None = None

    def __post_init__(self) -> None:
        if self.method not in SPECULATIVE_METHODS:
            raise InvalidInputError(
                f"speculative method must be one of {', '.join(SPECULATIVE_METHODS)}; "
                f"got {self.method!r}"
            )
        k = self.num_draft_tokens
        if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= MAX_DRAFT_TOKENS:
            raise InvalidInputError(
                f"num_draft_tokens must be a whole number from 1 to {MAX_DRAFT_TOKENS}; got {k!r}"
            )
        a = self.acceptance_rate
        if not isinstance(a, int | float) or not 0.0 <= a <= 1.0:
            raise InvalidInputError(f"acceptance_rate must be in [0, 1]; got {a!r}")
        if (self.method == "draft_model") != (self.draft_model is not None):
            raise InvalidInputError(
                "draft_model is needed with method 'draft_model' and only with it; got method "
                f"{self.method!r} with draft_model "
                f"{None if self.draft_model is None else self.draft_model.id!r}"
            )

    @property
    def tokens_per_round(self) -> float:
        """Expected tokens one round emits per sequence, E [tokens]."""
        return float(expected_tokens_per_round(self.acceptance_rate, self.num_draft_tokens))

    def describe(self) -> dict[str, object]:
        """The settings as plain values (for a result's basis)."""
        return {
            "method": self.method,
            "num_draft_tokens": self.num_draft_tokens,
            "acceptance_rate": self.acceptance_rate,
            "draft_model": None if self.draft_model is None else self.draft_model.id,
            "draft_precision": self.draft_precision,
            "tokens_per_round": self.tokens_per_round,
        }


def expected_tokens_per_round(
    acceptance_rate: ArrayLike, num_draft_tokens: ArrayLike
) -> FloatArray:
    """Expected tokens a verification round emits: (1 − α^(k+1)) / (1 − α), k + 1 at α = 1.

    Leviathan et al. 2023, eq. 1 (i.i.d. acceptance with probability α).

    >>> float(expected_tokens_per_round(0.8, 4))  # (1 − 0.8⁵) / 0.2 = 0.67232 / 0.2
    3.3616
    >>> float(expected_tokens_per_round(1.0, 4)), float(expected_tokens_per_round(0.0, 4))
    (5.0, 1.0)
    """
    a = np.asarray(acceptance_rate, dtype=np.float64)
    k = np.asarray(num_draft_tokens, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        e = (1.0 - a ** (k + 1.0)) / (1.0 - a)
    return np.asarray(np.where(a >= 1.0, k + 1.0, e))


def eagle_head_spec(model: ModelSpec) -> ModelSpec:
    """The EAGLE draft head of ``model``: one dense decoder layer of its width, its vocabulary.

    >>> from llmcost._core.specs import ModelSpec
    >>> m = ModelSpec(id="m", hidden_size=8, num_layers=4, num_attention_heads=2,
    ...     num_kv_heads=1, head_dim=4, vocab_size=10, intermediate_size=16,
    ...     tie_word_embeddings=True, max_context_tokens=64, params_total_official=0,
    ...     params_active_official=0)
    >>> h = eagle_head_spec(m)
    >>> h.num_layers, h.hidden_size, h.vocab_size
    (1, 8, 10)
    """
    return replace(
        model,
        id=f"{model.id}-eagle-head",
        num_layers=1,
        tie_word_embeddings=False,
        num_experts=0,
        experts_per_token=0,
        num_shared_experts=0,
        expert_intermediate_size=0,
        moe_layer_step=1,
        attention_chunk_tokens=None,
        global_attention_layer_step=1,
        vision_encoder_params=0.0,
        fp8_checkpoint_scope="all_linear",
        fp8_checkpoint_bf16_layers=0,
    )


@dataclass(frozen=True)
class SpeculativeRates:
    """A speculation setting resolved for one deployment.

    ``draft`` is the drafter's :class:`~llmcost.perf.speed.DeploymentRates` (None for
    n-gram); ``draft_weights_bytes_per_gpu`` and ``draft_kv_ratio`` (the drafter's KV bytes
    per token per GPU ÷ the target's) are what it takes from the KV budget.
    """

    spec: SpeculativeDecoding
    draft: DeploymentRates | None
    draft_weights_bytes_per_gpu: FloatArray
    draft_kv_ratio: FloatArray

    @property
    def k(self) -> int:
        """Drafted tokens per round."""
        return self.spec.num_draft_tokens

    @property
    def tokens_per_round(self) -> float:
        """Expected tokens per round per sequence, E."""
        return self.spec.tokens_per_round


def _draft_precision(spec: SpeculativeDecoding, gpu: GpuSpec, precision: str) -> str:
    if spec.method == "eagle":
        return "bf16" if gpu.supports("bf16") else "fp16"
    return spec.draft_precision or precision


def speculative_rates(
    spec: SpeculativeDecoding,
    target: DeploymentRates,
    gpu: GpuSpec,
    precision: str,
    engine: EngineProfile,
) -> SpeculativeRates:
    """Resolve ``spec`` on the target deployment ``target`` (same GPUs, the target's TP)."""
    model = target.model
    if spec.method == "ngram":
        zero = np.zeros(())
        return SpeculativeRates(spec, None, zero, zero)
    draft_model = eagle_head_spec(model) if spec.method == "eagle" else spec.draft_model
    assert draft_model is not None  # SpeculativeDecoding checks it
    if draft_model.vocab_size != model.vocab_size:
        raise InvalidInputError(
            f"draft_model {draft_model.id!r} has a vocabulary of {draft_model.vocab_size:,} "
            f"tokens, the target {model.id!r} {model.vocab_size:,}: a draft model must share "
            "the target's tokenizer"
        )
    d_prec = _draft_precision(spec, gpu, precision)
    tp = target.split.tp
    split = ParallelSplit(tp=tp, pp=np.ones_like(tp), ep=np.ones_like(tp))
    draft = deployment_rates(draft_model, gpu, d_prec, target.kv_precision, split, engine)
    w = weight_bytes(draft_model, d_prec)
    # an EAGLE head holds its own layer; embedding and LM head are the target's
    per_gpu = w.non_expert_decoder / tp if spec.method == "eagle" else w.per_gpu(tp)
    kv_share = kv_heads_share_per_gpu(draft_model.num_kv_heads, tp)
    target_share = kv_heads_share_per_gpu(model.num_kv_heads, tp) / target.split.pp
    ratio = (
        kv_cache_bytes_per_token(draft_model, target.kv_precision) * kv_share
        / (kv_cache_bytes_per_token(model, target.kv_precision) * target_share)
    )  # fmt: skip
    return SpeculativeRates(spec, draft, np.asarray(per_gpu), np.asarray(ratio))


def _added(a: StepTime, b: StepTime, times: ArrayLike = 1.0) -> StepTime:
    """``a`` + ``times`` × ``b``, part by part."""
    n = np.asarray(times, dtype=np.float64)
    return StepTime(
        gemm=a.gemm + n * b.gemm,
        attention=a.attention + n * b.attention,
        collectives=a.collectives + n * b.collectives,
        overhead=a.overhead + n * b.overhead,
        encoder=a.encoder + n * b.encoder,
        bandwidth_part=a.bandwidth_part + n * b.bandwidth_part,
        compute_part=a.compute_part + n * b.compute_part,
        roofline=a.roofline + n * b.roofline,
    )


def _without_step_overhead(step: StepTime, engine: EngineProfile) -> StepTime:
    """A drafter pass inside the round's engine step: its fixed per-step cost is the round's."""
    return replace(step, overhead=np.maximum(step.overhead - engine.step_overhead_s, 0.0))


def speculative_step_s(
    spec: SpeculativeRates,
    rates: DeploymentRates,
    decode_sequences: ArrayLike,
    decode_context: ArrayLike,
    prefill_tokens: ArrayLike,
    prefill_layer_context_per_token: ArrayLike,
    **encoder: ArrayLike,
) -> StepTime:
    """One speculative round on one GPU: ``k`` drafter passes + the verification step.

    Parameters as :func:`~llmcost.perf.speed.step_time_s`; the prompt tokens of a mixed step
    go through the target (in the verification step) and through the drafter (in its first
    pass). The verification step decodes ``b`` sequences with ``k`` more tokens each, at the
    sequence's context.
    """
    b = np.asarray(decode_sequences, dtype=np.float64)
    ctx = np.asarray(decode_context, dtype=np.float64)
    p = np.asarray(prefill_tokens, dtype=np.float64)
    pctx = np.asarray(prefill_layer_context_per_token, dtype=np.float64)
    extra = spec.k * b  # drafted tokens the target verifies
    decode_ctx = layer_context_sum(rates.model, ctx - 1.0, ctx)
    with np.errstate(divide="ignore", invalid="ignore"):
        mixed_ctx = np.where(p + extra > 0, (p * pctx + extra * decode_ctx) / (p + extra), 0.0)
    verify = step_time_s(rates, b, ctx, p + extra, mixed_ctx, **encoder)
    if spec.draft is None:
        return verify
    eng = rates.engine
    draft_pctx = np.where(
        p > 0, pctx * spec.draft.model.num_layers / rates.model.num_layers, 0.0
    )  # the same queries over the drafter's layers (all global)
    first = _without_step_overhead(step_time_s(spec.draft, b, ctx, p, draft_pctx), eng)
    rest = _without_step_overhead(step_time_s(spec.draft, b, ctx, 0.0, 0.0), eng)
    return _added(_added(verify, first), rest, spec.k - 1)
