"""The cost layer (docs/architecture.md §1, §4): pure numpy functions, no catalog, no pydantic.

- :mod:`~llmcost.cost.api` — API billing rules: input, cached input, cache writes, output,
  batch discount, long-context tiers, rate-limit flags (:func:`api_bill`)
- :mod:`~llmcost.cost.load` — daily load profile → replicas each hour (:func:`replica_plan`)
- :mod:`~llmcost.cost.rental` — on-demand, reserved (commitment + on-demand peak), spot
- :mod:`~llmcost.cost.owned` — capital as a level payment (PMT), power, colocation, maintenance
- :mod:`~llmcost.cost.staff` — engineering FTE × fully-loaded cost
- :mod:`~llmcost.cost.finance` — spreadsheet-compatible ``pmt``, ``npv``
- :mod:`~llmcost.cost.horizon` — month-by-month growth, NPV, payback month
- :mod:`~llmcost.cost.quoted` — the figures people quote: $/1M output, input, blended 3:1,
  per request, and GPU cost at capacity (fractional replicas)

Scalar in → scalar out, array in → array out; money in USD per month, a month is 730 hours.
"""

from __future__ import annotations

from .api import (
    ApiBill,
    api_bill,
    exceeds_rate_limit,
    peak_per_minute,
    select_tier_price,
    tier_index,
)
from .finance import monthly_rate, npv, pmt
from .horizon import monthly_volumes, npv_usd, payback_month
from .load import (
    ReplicaPlan,
    average_requests_per_s,
    normalize_profile,
    profile_from_peak_to_average,
    replica_plan,
)
from .owned import OwnedCost, owned_cost, power_draw_fraction
from .quoted import at_capacity_gpu_usd, quoted_figures
from .rental import RentalCost, committed_replicas, rental_cost, replica_hours_above
from .staff import staff_usd_per_month

__all__ = [
    "ApiBill",
    "OwnedCost",
    "RentalCost",
    "ReplicaPlan",
    "api_bill",
    "at_capacity_gpu_usd",
    "average_requests_per_s",
    "committed_replicas",
    "exceeds_rate_limit",
    "monthly_rate",
    "monthly_volumes",
    "normalize_profile",
    "npv",
    "npv_usd",
    "owned_cost",
    "payback_month",
    "peak_per_minute",
    "pmt",
    "power_draw_fraction",
    "profile_from_peak_to_average",
    "quoted_figures",
    "rental_cost",
    "replica_hours_above",
    "replica_plan",
    "select_tier_price",
    "staff_usd_per_month",
    "tier_index",
]
