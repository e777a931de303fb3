"""The API cost of an imported per-request workload, long-context tiers applied per request."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ..cost.api import api_bill, tier_weighted_prices
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
    tokens]; without a cached (cache-write) price those tokens pay the input price. The same
    rule as :func:`llmcost.compare` on a scenario that uses the saved workload: the prices of
    :func:`llmcost.cost.api.tier_weighted_prices` over the distinct input lengths, billed by
    :func:`llmcost.cost.api.api_bill` at the mean lengths — the row-by-row sum.
    """
    table = workload.requests_by_input_length()
    col = {c: table[c].to_numpy(np.float64) for c in table.columns}
    prices = tier_weighted_prices(
        prompt_tokens=col["input_tokens_per_request"],
        requests=col["requests"],
        cached_input_tokens=col["cached_input_tokens"],
        cache_write_tokens=col["cache_write_tokens"],
        output_tokens=col["output_tokens"],
        tier_threshold_tokens=tier_threshold_tokens,
        input_usd_per_mtok=input_usd_per_mtok,
        output_usd_per_mtok=output_usd_per_mtok,
        cached_input_usd_per_mtok=np.nan
        if cached_input_usd_per_mtok is None
        else cached_input_usd_per_mtok,
        cache_write_usd_per_mtok=np.nan
        if cache_write_usd_per_mtok is None
        else cache_write_usd_per_mtok,
    )
    requests = float(col["requests"].sum())
    tin = float(np.sum(col["input_tokens_per_request"] * col["requests"]))
    bill = api_bill(
        requests_per_month=requests,
        input_tokens_per_request=tin / requests,
        output_tokens_per_request=float(col["output_tokens"].sum()) / requests,
        input_usd_per_mtok=prices.input_usd_per_mtok,
        output_usd_per_mtok=prices.output_usd_per_mtok,
        cached_input_usd_per_mtok=prices.cached_input_usd_per_mtok,
        cache_write_usd_per_mtok=prices.cache_write_usd_per_mtok,
        cached_input_fraction=float(col["cached_input_tokens"].sum()) / tin if tin else 0.0,
        cache_write_fraction=float(col["cache_write_tokens"].sum()) / tin if tin else 0.0,
    )
    return float(bill.total_usd)
