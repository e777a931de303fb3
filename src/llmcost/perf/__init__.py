"""Performance model of Llama serving: memory, step times, batching, latency.

See docs/architecture.md §2.

Pure numpy over :class:`~llmcost._core.specs.ModelSpec` and
:class:`~llmcost._core.specs.GpuSpec`; no catalog, no files.

- :func:`param_breakdown` — parameters by component (params.py)
- :func:`weight_bytes`, :func:`kv_cache_bytes_per_token`, :func:`memory_footprint` — memory
- :func:`step_time_s`, :func:`expected_distinct_experts` — step times (speed.py)
- :func:`estimate_serving` — throughput, TPOT, TTFT under continuous batching (serving.py)
- :func:`~llmcost.perf.vision.vision_encoder_flops_per_tile` — Llama 4's vision encoder
  compute per image tile, added to prefill by ``estimate_serving(image_tiles=)`` (vision.py)
- :class:`EngineProfile`, :func:`get_engine_profile` — vllm, sglang, trtllm (engines.py)
- :func:`search_layouts` — the layout of N GPUs (replicas × TP × PP × EP, precision, engine)
  with the most tokens/s per GPU under an SLO, and the Pareto front (layout_search.py)
- :func:`fit_engine_profile` — fit a profile to your own measurements (fit.py)
"""

from __future__ import annotations

from .device import visible_memory_bytes
from .engines import ENGINE_PROFILES, EngineProfile, get_engine_profile
from .kv import kv_cache_bytes_per_sequence, kv_cache_bytes_per_token, kv_heads_share_per_gpu
from .layout import LayoutSet, allowed_tp, enumerate_layouts, heads_allow_tp, pareto_front
from .layout_search import LayoutChoice, LayoutSearch, search_layouts
from .memory import MemoryEstimate, memory_footprint
from .params import ParamBreakdown, param_breakdown
from .quant import weight_bytes_per_param
from .serving import PerfEstimate, estimate_serving
from .speed import expected_distinct_experts, step_time_s
from .weights import WeightBytes, weight_bytes

__all__ = [
    "ENGINE_PROFILES",
    "EngineProfile",
    "LayoutChoice",
    "LayoutSearch",
    "LayoutSet",
    "MemoryEstimate",
    "ParamBreakdown",
    "PerfEstimate",
    "WeightBytes",
    "allowed_tp",
    "enumerate_layouts",
    "estimate_serving",
    "expected_distinct_experts",
    "get_engine_profile",
    "heads_allow_tp",
    "kv_cache_bytes_per_sequence",
    "kv_cache_bytes_per_token",
    "kv_heads_share_per_gpu",
    "memory_footprint",
    "param_breakdown",
    "pareto_front",
    "search_layouts",
    "step_time_s",
    "visible_memory_bytes",
    "weight_bytes",
    "weight_bytes_per_param",
]
