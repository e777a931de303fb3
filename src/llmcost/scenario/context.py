"""Context-window feasibility: whether each feature's prompt + output fits an option's limits.

A request needs prompt (text + image tokens) + output tokens of context. An API offer caps it
at its context window; a self-hosted model at its trained context and at what the KV cache of
one replica holds. Every limit is a number of tokens with a description that says which limit
it is; the option's binding limit is the smallest known one.

With per-request lengths (an imported workload), the tail is checked too
(:func:`tail_context_check`): the p99 input + output of the whole mix of features against each
limit, and the share of the requests above it. An option whose limit is below the p99 cannot
serve the tail and is infeasible; a smaller share above a limit is priced with a warning that
names it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .._core._arrays import FloatArray
from .._core.specs import GpuSpec, ModelSpec
from ..perf import EngineProfile, get_engine_profile, memory_footprint
from ..perf.knobs import apply_knobs
from .config import SelfHostedOption
from .workload import TAIL_QUANTILE, FeatureMix, mixed_sequences, sequence_quantile

__all__ = [
    "ContextLimit",
    "TailCheck",
    "api_context_limits",
    "binding_limit_tokens",
    "context_notes",
    "memory_context_limit",
    "model_context_limit",
    "sequence_tokens",
    "tail_context_check",
]


@dataclass(frozen=True)
class ContextLimit:
    """A cap on prompt + output tokens of one request [tokens] and what sets it."""

    tokens: float | None  # None: unknown (not checked)
    what: str  # e.g. "the context window of openai/gpt-4o"


def sequence_tokens(
    text_tokens: FloatArray, image_tokens: FloatArray | None, output_tokens: FloatArray
) -> FloatArray:
    """Prompt (text + image) + output tokens of one request of each feature [tokens].

    >>> sequence_tokens(np.array([1000.0]), np.array([258.0]), np.array([200.0])).tolist()
    [1458.0]
    """
    images = np.zeros_like(text_tokens) if image_tokens is None else image_tokens
    out: FloatArray = text_tokens + images + output_tokens
    return out


def binding_limit_tokens(limits: Sequence[ContextLimit]) -> float:
    """The smallest known limit [tokens]; ``inf`` when none is known.

    >>> binding_limit_tokens([ContextLimit(None, "a"), ContextLimit(131072, "b")])
    131072.0
    """
    known = [float(lim.tokens) for lim in limits if lim.tokens is not None]
    return min(known, default=float("inf"))


def context_notes(
    names: Sequence[str],
    text_tokens: FloatArray,
    image_tokens: FloatArray | None,
    output_tokens: FloatArray,
    limits: Sequence[ContextLimit],
) -> list[str]:
    """One note per feature and known limit that its prompt + output exceeds.

    A request exactly at the limit fits; one token over does not.

    >>> context_notes(("docs",), np.array([200000.0]), None, np.array([1000.0]),
    ...               [ContextLimit(128000, "the context window of openai/gpt-4o")])
    ["feature 'docs': 200,000 prompt + 1,000 output = 201,000 tokens exceed the context window of openai/gpt-4o: 128,000 tokens"]
    """  # noqa: E501
    total = sequence_tokens(text_tokens, image_tokens, output_tokens)
    notes = []
    for f, name in enumerate(names):
        text = f"{text_tokens[f]:,.0f}"
        if image_tokens is not None and image_tokens[f] > 0:
            text = f"({text} text + {image_tokens[f]:,.0f} image)"
        for lim in limits:
            if lim.tokens is not None and total[f] > lim.tokens:
                notes.append(
                    f"feature {name!r}: {text} prompt + {output_tokens[f]:,.0f} output = "
                    f"{total[f]:,.0f} tokens exceed {lim.what}: {lim.tokens:,.0f} tokens"
                )
    return notes


@dataclass(frozen=True)
class TailCheck:
    """The long tail of a mix against the context limits (per-request lengths only)."""

    sequence_tokens_p99: float  # p99 prompt + output of the whole mix [tokens]
    longest_tokens: float  # the longest prompt + output [tokens]
    #: per known limit (its description), the share of the requests above it [0–1]
    share_beyond: dict[str, float]
    fits: bool  # the p99 is within every known limit
    notes: tuple[str, ...]  # one per limit that some requests exceed

    @property
    def share_beyond_context(self) -> float:
        """Share of the requests above the binding (smallest) limit [0–1]."""
        return max(self.share_beyond.values(), default=0.0)


def tail_context_check(
    mix: FeatureMix, image_tokens: FloatArray | None, limits: Sequence[ContextLimit]
) -> TailCheck | None:
    """The p99 prompt + output of the mix and the share of requests above each limit.

    None without per-request lengths (``mix.lengths``). The distribution is that of the
    whole mix (:func:`~llmcost.scenario.workload.mixed_sequences`, with each feature's image
    tokens); a request exactly at a limit fits.

    >>> from llmcost.scenario.workload import LengthMix
    >>> lm = LengthMix(np.array([1000.0, 9000.0]), np.array([98.0, 2.0]),
    ...                np.array([9800.0, 200.0]), np.zeros(2), np.zeros(2), 9100.0)
    >>> mix = FeatureMix(("all",), np.array([100.0]), np.array([1160.0]), np.array([100.0]),
    ...                  *[np.zeros(1)] * 3, np.ones(24), 1.0, lengths=(lm,))
    >>> t = tail_context_check(mix, None, [ContextLimit(8192, "the window")])
    >>> t.sequence_tokens_p99, t.share_beyond, t.fits
    (9100.0, {'the window': 0.02}, False)
    """
    if mix.lengths is None:
        return None
    values, shares = mixed_sequences(mix, image_tokens)
    p99 = sequence_quantile(values, shares, TAIL_QUANTILE)
    longest = float(values[shares > 0].max())
    beyond: dict[str, float] = {}
    notes = []
    fits = True
    for lim in limits:
        if lim.tokens is None:
            continue
        share = float(shares[values > lim.tokens].sum())
        beyond[lim.what] = share
        if share <= 0:
            continue
        head = (
            f"{share:.2%} of the requests (prompt + output up to {longest:,.0f} tokens; p99 "
            f"{p99:,.0f}) exceed {lim.what}: {lim.tokens:,.0f} tokens"
        )
        if p99 > lim.tokens:
            fits = False
            notes.append(f"{head}; the p99 does not fit: cannot serve the tail (infeasible)")
        else:
            notes.append(f"{head}; priced as if they were served")
    return TailCheck(p99, longest, beyond, fits, tuple(notes))


def api_context_limits(
    offer: str,
    windows: Sequence[int | None],
    llama_model: str | None = None,
    llama_max_tokens: int | None = None,
) -> tuple[list[ContextLimit], list[str]]:
    """An API offer's limit and the notes when it is unknown.

    ``windows``: the ``context_window_tokens`` of the offer's tiers in force (the largest
    applies: a long-context tier extends the window). Without any, an offer serving a Llama
    (``llama_model``) is held to that model's trained context ``llama_max_tokens`` (an upper
    bound: the provider may serve less); otherwise nothing is checked. Both cases say so.
    """
    known = [w for w in windows if w is not None]
    if known:
        return [ContextLimit(max(known), f"the context window of {offer}")], []
    if llama_model is not None and llama_max_tokens is not None:
        limit = ContextLimit(llama_max_tokens, f"{llama_model}'s trained context")
        note = (
            f"context window of {offer} not in the catalog: prompt + output checked only "
            f"against {llama_model}'s trained context ({llama_max_tokens:,} tokens); the "
            "provider may serve less"
        )
        return [limit], [note]
    note = f"context window of {offer} not in the catalog: prompt + output length not checked"
    return [], [note]


def model_context_limit(model: str, max_tokens: int | None) -> tuple[ContextLimit, list[str]]:
    """A self-hosted model's trained context and, when the catalog lacks it, a note."""
    limit = ContextLimit(max_tokens, f"{model}'s trained context")
    if max_tokens is not None:
        return limit, []
    return limit, [f"max context of {model} not in the catalog: not checked against the model"]


def engine_for(option: SelfHostedOption, gpu: GpuSpec) -> EngineProfile:
    """The option's engine profile.

    Its ``engine_profile`` (an id or a profile file) if given, else its ``engine`` (the ROCm variant
    on AMD GPUs).
    """
    if option.engine_profile is None:
        return get_engine_profile(option.engine, gpu)
    from .calibration import load_engine_profile  # deferred: reads a file

    return load_engine_profile(option.engine_profile)


def memory_context_limit(
    option: SelfHostedOption, model: ModelSpec, gpu: GpuSpec
) -> ContextLimit | None:
    """The longest sequence one replica's KV cache holds alone.

    None: the weights and the engine reserve do not fit at all, so no sequence does.

    Same memory accounting as the capacity model (:func:`llmcost.perf.memory_footprint`).
    """
    assert option.gpus_per_replica is not None  # config validation: a fixed layout has it
    knobs = None if option.engine_knobs is None else option.engine_knobs.to_knobs()
    engine = apply_knobs(engine_for(option, gpu), knobs, model.max_context_tokens)
    mem = memory_footprint(
        model,
        option.precision,
        gpu=gpu,
        gpus=option.gpus_per_replica,
        kv_precision=option.kv_precision or (knobs.kv_cache_dtype if knobs else None),
        engine=engine,
        tp=option.tp,
        pp=option.pp,
        ep=option.ep,
    )
    if not bool(mem.fits):
        return None
    what = (
        f"the longest sequence the KV cache of one replica holds ({option.gpus_per_replica} × "
        f"{option.gpu}, {option.precision} weights, {mem.basis['kv_precision']} KV, "
        f"{option.engine})"
    )
    max_len = None if knobs is None else knobs.max_model_len
    if max_len is not None and max_len < float(mem.max_context_tokens):
        return ContextLimit(float(max_len), "the engine's max_model_len")
    return ContextLimit(float(mem.max_context_tokens), what)
