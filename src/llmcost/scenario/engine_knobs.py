"""``engine_knobs = {...}`` of a self-hosted option: the engine settings that change capacity.

The scenario-file edge of :class:`llmcost.perf.knobs.EngineKnobs` (names in vLLM's
spelling; each engine's defaults in :data:`llmcost.perf.knobs.ENGINE_KNOB_DEFAULTS`).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..perf.knobs import EngineKnobs

__all__ = ["EngineKnobsConfig"]


class EngineKnobsConfig(BaseModel):
    """Engine knobs of a self-hosted option; fields left out keep the engine's defaults."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    gpu_memory_utilization: Annotated[float, Field(gt=0.0, le=1.0)] | None = None
    max_num_seqs: Annotated[int, Field(ge=1)] | None = None
    max_num_batched_tokens: Annotated[int, Field(ge=1)] | None = None
    max_model_len: Annotated[int, Field(ge=1)] | None = None
    kv_cache_dtype: Literal["bf16", "fp16", "fp8", "int8", "int4", "fp4"] | None = None
    enable_prefix_caching: bool | None = None
    enable_chunked_prefill: bool | None = None

    def to_knobs(self) -> EngineKnobs:
        """The perf-layer value."""
        return EngineKnobs(**self.model_dump())
