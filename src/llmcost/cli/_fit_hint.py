"""What would fit, when a ``llmcost perf`` deployment does not: one line of alternatives.

Each alternative is checked with the same performance model: more GPUs (the next powers of
two up to 8 per node, then 16), a lower weight precision the GPU supports, an FP8 KV cache,
the engine tuned (``gpu_memory_utilization`` 0.95, 2048 batched tokens), or fewer tokens per
request (the longest prompt + output the deployment holds).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import numpy as np

from .._core.errors import LlmcostError
from ..perf import estimate_serving, memory_footprint
from ..perf.knobs import EngineKnobs

_PRECISIONS = ("fp8", "int4", "fp4")
_TUNED = EngineKnobs(gpu_memory_utilization=0.95, max_num_batched_tokens=2048)


def _fits(run: Callable[..., Any], **changes: Any) -> bool:
    try:
        return bool(np.all(run(**changes).fits))
    except LlmcostError:
        return False


def what_would_fit(kwargs: dict[str, Any]) -> str:
    """One line: alternatives that fit, for the ``estimate_serving`` keywords ``kwargs``."""

    def run(**changes: Any) -> Any:
        return estimate_serving(**(kwargs | changes))

    ideas = []
    gpus = int(kwargs["gpus"])
    more = next((g for g in (2, 4, 8, 16) if g > gpus and _fits(run, gpus=g, tp=None)), None)
    if more:
        ideas.append(f"--gpus {more}")
    current = str(kwargs["precision"])
    lower = [p for p in _PRECISIONS if _bits(p) < _bits(current)]
    ok = next((p for p in lower if _fits(run, precision=p)), None)
    if ok:
        ideas.append(f"--precision {ok}")
    if kwargs.get("kv_precision") != "fp8" and _fits(run, kv_precision="fp8"):
        ideas.append("--kv-cache-dtype fp8")
    knobs = kwargs.get("knobs")
    merged = _TUNED if knobs is None else dataclasses.replace(knobs, **_TUNED.given())
    if _fits(run, knobs=merged):
        ideas.append("--gpu-memory-utilization 0.95 --max-num-batched-tokens 2048")
    longest = _longest(kwargs)
    if longest >= 2:
        ideas.append(f"at most {longest:,.0f} tokens per request (prompt + output)")
    if not ideas:
        return "nothing close fits: try a larger GPU or a smaller model"
    return "would fit with: " + "; or ".join(ideas)


def _bits(precision: str) -> float:
    return {"fp32": 32, "bf16": 16, "fp16": 16, "fp8": 8, "int8": 8, "int4": 4, "fp4": 4}.get(
        precision, 16
    )


def _longest(kwargs: dict[str, Any]) -> float:
    """The longest single sequence the deployment's KV cache holds [tokens] (0: none)."""
    try:
        mem = memory_footprint(
            kwargs["model"],
            kwargs["precision"],
            gpu=kwargs["gpu"],
            gpus=kwargs["gpus"],
            kv_precision=kwargs.get("kv_precision"),
            engine=kwargs.get("engine", "vllm"),
            tp=kwargs.get("tp"),
            pp=kwargs.get("pp", 1),
            ep=kwargs.get("ep"),
            attention_dp=kwargs.get("attention_dp", True),
        )
    except LlmcostError:
        return 0.0
    value = float(np.nan_to_num(np.asarray(mem.max_context_tokens, dtype=float)))
    return value if bool(mem.fits) else 0.0
