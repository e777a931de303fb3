"""List and effective prices of an option, named apart.

A *list* price is the one published (or given): an API's price per 1 M input, cached-input and
output tokens; a GPU-hour's price for the pricing term. An *effective* price is what the
workload actually pays per unit after the rules are applied: per 1 M input tokens after cache
hits, cache writes and the batch discount; per GPU-hour after the commitment split (reserved
base + on-demand peak), spot re-runs, or — owned — capital, power, colocation and maintenance
over the GPU-hours used.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from .evaluators import ApiEvaluator, SelfHostedEvaluator
from .workload import FeatureMix

__all__ = ["price_labels"]

#: Components that pay for GPUs (the rest — staff, fixed, networking — do not).
GPU_COMPONENTS = (
    "gpu_on_demand_usd",
    "gpu_reserved_usd",
    "gpu_spot_usd",
    "spot_interruption_usd",
    "capital_usd",
    "power_usd",
    "colocation_usd",
    "maintenance_usd",
)


def _finite(x: float) -> float | None:
    return float(x) if np.isfinite(x) else None


def _weighted(prices: np.ndarray, weights: np.ndarray) -> float | None:
    ok = np.isfinite(prices)
    if not np.any(ok) or weights[ok].sum() <= 0:
        return None
    return float(np.sum(prices[ok] * weights[ok]) / weights[ok].sum())


def price_labels(
    ev: ApiEvaluator | SelfHostedEvaluator, out: Mapping[str, Any], mix: FeatureMix
) -> dict[str, float | None]:
    """``list_*`` and ``effective_*`` prices of one option at the scenario's values.

    API (list prices token-weighted over the features when their tiers differ):
    ``list_input_usd_per_mtok``, ``list_cached_input_usd_per_mtok``,
    ``list_output_usd_per_mtok``, ``effective_input_usd_per_mtok``,
    ``effective_output_usd_per_mtok`` [USD per 1 M tokens]. Self-hosted:
    ``list_usd_per_gpu_hour`` (rented: the pricing term's price; owned: None) and
    ``effective_usd_per_gpu_hour`` [USD per GPU-hour paid for].
    """
    if isinstance(ev, ApiEvaluator):
        w_in = mix.request_shares * mix.input_tokens
        w_out = mix.request_shares * mix.output_tokens
        return {
            "list_input_usd_per_mtok": _weighted(ev.input_usd_per_mtok, w_in),
            "list_cached_input_usd_per_mtok": _weighted(ev.cached_input_usd_per_mtok, w_in),
            "list_output_usd_per_mtok": _weighted(ev.output_usd_per_mtok, w_out),
            "effective_input_usd_per_mtok": _finite(float(out["input_usd_per_mtok"])),
            "effective_output_usd_per_mtok": _finite(float(out["output_usd_per_mtok"])),
        }
    hours = float(out.get("gpu_hours_per_month", np.nan))
    paid = sum(float(out.get(f"components.{k}", 0.0)) for k in GPU_COMPONENTS)
    listed = ev.base.get("gpu_usd_per_hour") if ev.pricing != "owned" else None
    return {
        "list_usd_per_gpu_hour": None if listed is None else _finite(float(listed)),
        "effective_usd_per_gpu_hour": _finite(paid / hours) if hours > 0 else None,
    }
