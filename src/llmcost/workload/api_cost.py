"""The API cost of an imported per-request workload, long-context tiers applied per request."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from .._core.units import TOKENS_PER_MTOK
from ..cost.api import tier_index
from .result import UsageWorkload

__all__ = ["imported_api_cost"]


def imported_api_cost(
    workload: UsageWorkload,
    *,
    tier_threshold_tokens: ArrayLike,
    input_usd_per_mtok: ArrayLike,
    output_usd_per_mtok: ArrayLike,
    cached_input_usd_per_mtok: ArrayLike | None = None,
    cache_write_usd_per_mtok: ArrayLike | None = None,
) -> float:
    """Exact cost [USD] of every imported request over the span, each priced by its tier.

    A request whose prompt exceeds a tier's threshold pays that tier's prices for all of its
    tokens (:func:`llmcost.cost.api.tier_index`). Prices are one per tier [USD per 1M
    tokens]; without a cached (cache-write) price those tokens pay the input price. The sum
    runs over the distinct input lengths, which gives the same total as pricing row by row.
    """
    table = workload.requests_by_input_length()
    tiers = tier_index(table["input_tokens_per_request"].to_numpy(), tier_threshold_tokens)
    p_in = np.asarray(input_usd_per_mtok, dtype=np.float64)[tiers]
    p_out = np.asarray(output_usd_per_mtok, dtype=np.float64)[tiers]
    p_cached = (
        p_in
        if cached_input_usd_per_mtok is None
        else np.asarray(cached_input_usd_per_mtok, dtype=np.float64)[tiers]
    )
    p_write = (
        p_in
        if cache_write_usd_per_mtok is None
        else np.asarray(cache_write_usd_per_mtok, dtype=np.float64)[tiers]
    )
    tin = table["input_tokens_per_request"].to_numpy(np.float64) * table["requests"].to_numpy()
    cached = table["cached_input_tokens"].to_numpy(np.float64)
    write = table["cache_write_tokens"].to_numpy(np.float64)
    usd = (
        (tin - cached - write) * p_in
        + cached * p_cached
        + write * p_write
        + table["output_tokens"].to_numpy(np.float64) * p_out
    )
    return float(usd.sum() / TOKENS_PER_MTOK)
