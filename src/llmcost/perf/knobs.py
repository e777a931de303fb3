"""Engine knobs that change capacity, with each engine's shipped defaults and their source.

A deployment tuned by hand (``vllm serve --gpu-memory-utilization 0.95 --max-model-len 8192
--kv-cache-dtype fp8``) holds more KV cache than the engine's defaults. :class:`EngineKnobs`
names those settings once, in vLLM's spelling, and :func:`apply_knobs` turns them into an
:class:`~llmcost.perf.engines.EngineProfile` (fields left at None keep the profile's, i.e. the
engine's defaults). The same settings in the other engines (SGLang; TensorRT-LLM):

- ``gpu_memory_utilization`` — ``mem_fraction_static``; ``KvCacheConfig.free_gpu_memory_fraction``
  (the share of the memory left after the weights that becomes KV cache) → the profile's
  ``memory_utilization`` (TensorRT-LLM: ``kv_free_memory_fraction``);
- ``max_num_seqs`` — ``max_running_requests``; ``max_batch_size`` → ``max_batch``;
- ``max_num_batched_tokens`` — ``chunked_prefill_size``; ``max_num_tokens`` →
  ``max_batched_tokens`` (and the activation memory vLLM profiles);
- ``max_model_len`` — ``context_length``; ``max_seq_len``: a fit check on each request and on
  the KV cache;
- ``kv_cache_dtype`` — ``kv_cache_dtype``; ``KvCacheConfig.dtype`` → the KV precision;
- ``enable_prefix_caching`` — the radix cache (``disable_radix_cache``);
  ``KvCacheConfig.enable_block_reuse``: off, cache hits save no prefill;
- ``enable_chunked_prefill`` — (``chunked_prefill_size = -1``); ``enable_chunked_prefill``:
  off, the step budget must hold a whole sequence.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any

from .._core.errors import InvalidInputError
from .engines import EngineProfile

__all__ = ["ENGINE_KNOB_DEFAULTS", "EngineKnobs", "apply_knobs"]

_VLLM_SOURCE = (
    "vLLM engine arguments (docs.vllm.ai 'Engine Arguments'; V1 API-server defaults in "
    "EngineArgs.get_batch_defaults): gpu_memory_utilization 0.9, max_num_seqs 1024 and "
    "max_num_batched_tokens 8192 on H100-class GPUs (256 / 2048 on smaller ones), max_model_len "
    "= the model's config, kv_cache_dtype 'auto' (= model dtype), prefix caching and chunked "
    "prefill on in V1"
)
_SGLANG_SOURCE = (
    "SGLang server arguments (sgl-project/sglang python/sglang/srt/server_args.py; docs "
    "'Server Arguments'): mem_fraction_static sized automatically (≈ 0.88 at TP1 on 80 GB "
    "GPUs, sgl-project/sglang benchmark/benchmark_vllm_060/README.md), chunked_prefill_size "
    "8192 on H100-class GPUs, context_length from config.json, kv_cache_dtype 'auto', radix "
    "(prefix) cache on unless disable_radix_cache"
)
_TRTLLM_SOURCE = (
    "TensorRT-LLM LLM API (nvidia.github.io/TensorRT-LLM llm-api/reference KvCacheConfig: "
    "free_gpu_memory_fraction = 0.9, enable_block_reuse = True, dtype 'auto'; 'How to Change KV "
    "Cache Behavior': 'The default for free_gpu_memory_fraction is 0.9'); perf-overview: "
    "max_num_tokens 8192, max_batch_size 2048, FP8 KV with FP8 quantization"
)

#: Each engine's shipped default of every knob, with where it comes from.
ENGINE_KNOB_DEFAULTS: dict[str, dict[str, Any]] = {
    "vllm": {
        "gpu_memory_utilization": 0.90,
        "max_num_seqs": 1024,
        "max_num_batched_tokens": 8192,
        "max_model_len": "model config",
        "kv_cache_dtype": "auto (model dtype)",
        "enable_prefix_caching": True,
        "enable_chunked_prefill": True,
        "source": _VLLM_SOURCE,
    },
    "sglang": {
        "gpu_memory_utilization": 0.88,
        "max_num_seqs": 4096,
        "max_num_batched_tokens": 8192,
        "max_model_len": "model config",
        "kv_cache_dtype": "auto (model dtype)",
        "enable_prefix_caching": True,
        "enable_chunked_prefill": True,
        "source": _SGLANG_SOURCE,
    },
    "trtllm": {
        "gpu_memory_utilization": 0.90,
        "max_num_seqs": 2048,
        "max_num_batched_tokens": 8192,
        "max_model_len": "model config",
        "kv_cache_dtype": "fp8 with fp8/fp4 weights, else model dtype",
        "enable_prefix_caching": True,
        "enable_chunked_prefill": False,
        "source": _TRTLLM_SOURCE,
    },
}

KV_DTYPES = ("bf16", "fp16", "fp8", "int8", "int4", "fp4")


@dataclass(frozen=True)
class EngineKnobs:
    """Engine settings that change capacity.

    None keeps the engine's default (:data:`ENGINE_KNOB_DEFAULTS`).

    Attributes
    ----------
    gpu_memory_utilization
        Share of GPU memory the engine may use (TensorRT-LLM: share of the memory left after
        the weights that becomes KV cache) [0–1].
    max_num_seqs
        Cap on running sequences [sequences].
    max_num_batched_tokens
        Token budget of one engine step, also the activation memory the engine profiles
        [tokens].
    max_model_len
        Longest prompt + output a request may have; the KV cache must hold one such sequence
        (vLLM refuses to start otherwise) [tokens].
    kv_cache_dtype
        KV-cache precision (``bf16``, ``fp16``, ``fp8``…).
    enable_prefix_caching
        False: cache hits are prefilled again (``cached_input_fraction`` saves no compute).
    enable_chunked_prefill
        False: a step must hold a whole prompt, so the step budget grows to ``max_model_len``.
    """

    gpu_memory_utilization: float | None = None
    max_num_seqs: int | None = None
    max_num_batched_tokens: int | None = None
    max_model_len: int | None = None
    kv_cache_dtype: str | None = None
    enable_prefix_caching: bool | None = None
    enable_chunked_prefill: bool | None = None

    def __post_init__(self) -> None:
        u = self.gpu_memory_utilization
        if u is not None and not 0.0 < u <= 1.0:
            raise InvalidInputError(f"gpu_memory_utilization must be in (0, 1]; got {u!r}")
        for name in ("max_num_seqs", "max_num_batched_tokens", "max_model_len"):
            value = getattr(self, name)
            if value is not None and (int(value) != value or value < 1):
                raise InvalidInputError(f"{name} must be a whole number ≥ 1; got {value!r}")
        if self.kv_cache_dtype is not None and self.kv_cache_dtype not in KV_DTYPES:
            raise InvalidInputError(
                f"kv_cache_dtype must be one of {', '.join(KV_DTYPES)}; got {self.kv_cache_dtype!r}"
            )

    def given(self) -> dict[str, Any]:
        """The knobs set (not None)."""
        return {k: v for k, v in asdict(self).items() if v is not None}


def apply_knobs(
    profile: EngineProfile, knobs: EngineKnobs | None, model_max_len: int | None = None
) -> EngineProfile:
    """``profile`` with the memory and batching knobs of ``knobs`` applied.

    ``kv_cache_dtype``, ``enable_prefix_caching`` and ``max_model_len`` act on the request
    (see :func:`llmcost.perf.estimate_serving`), not on the profile. Chunked prefill off makes
    the step budget at least ``max_model_len`` (else ``model_max_len``, the model's context),
    as vLLM does. A profile whose KV share
    is set by ``kv_free_memory_fraction`` (< 1, TensorRT-LLM) takes
    ``gpu_memory_utilization`` there.

    >>> from llmcost.perf import get_engine_profile
    >>> tuned = EngineKnobs(gpu_memory_utilization=0.95)
    >>> apply_knobs(get_engine_profile("vllm"), tuned).memory_utilization
    0.95
    """
    if knobs is None:
        return profile
    changes: dict[str, Any] = {}
    if knobs.gpu_memory_utilization is not None:
        field = (
            "kv_free_memory_fraction"
            if profile.kv_free_memory_fraction < 1.0
            else ("memory_utilization")
        )
        changes[field] = float(knobs.gpu_memory_utilization)
    if knobs.max_num_seqs is not None:
        changes |= {
            "max_batch": int(knobs.max_num_seqs),
            "small_gpu_max_batch": int(knobs.max_num_seqs),
        }
    budget = knobs.max_num_batched_tokens
    longest = knobs.max_model_len or model_max_len
    if knobs.enable_chunked_prefill is False and longest is not None:
        budget = max(budget or profile.max_batched_tokens, int(longest))
    if budget is not None:
        changes |= {
            "max_batched_tokens": int(budget),
            "small_gpu_max_batched_tokens": int(budget),
        }
        if profile.activation_tokens > 0:  # engines that profile a dummy batch of the budget
            changes["activation_tokens"] = int(budget)
    return replace(profile, **changes) if changes else profile
