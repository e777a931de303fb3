"""The horizon view: month-by-month volumes with growth, cumulative cost, NPV and payback.

Month ``t`` (0-based) of a horizon has volume ``base × (1 + growth_per_month)^t``. Cash flows
are discounted monthly at ``discount_rate_per_year / 12`` with the spreadsheet NPV convention
(the first month is discounted one period).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from .._core._arrays import (
    FloatArray,
    as_float_array,
    check_nonnegative,
    check_range,
    scalar_or_array,
)
from .._core.errors import InvalidInputError
from .finance import monthly_rate, npv

__all__ = ["monthly_volumes", "npv_usd", "payback_month"]


def monthly_volumes(
    base_per_month: ArrayLike, growth_per_month: ArrayLike, horizon_months: int
) -> FloatArray:
    """Volume of each month of the horizon, shape (..., horizon_months).

    >>> monthly_volumes(100.0, 0.1, 3)
    array([100., 110., 121.])
    """
    base = check_nonnegative(base_per_month, "base_per_month")
    growth = check_range(growth_per_month, "growth_per_month", lo=-1.0)
    if int(horizon_months) != horizon_months or horizon_months < 1:
        raise InvalidInputError(f"horizon_months must be an integer ≥ 1; got {horizon_months!r}")
    t = np.arange(int(horizon_months), dtype=np.float64)
    out: FloatArray = base[..., np.newaxis] * (1.0 + growth[..., np.newaxis]) ** t
    return out


def npv_usd(monthly_usd: ArrayLike, discount_rate_per_year: ArrayLike) -> Any:
    """Present value [USD] of monthly amounts (last axis), discounted at the annual rate / 12.

    >>> round(npv_usd([1000.0] * 12, 0.12), 2)  # = NPV(1%, 1000 × 12)
    11255.08
    """
    return npv(monthly_rate(discount_rate_per_year), as_float_array(monthly_usd, "monthly_usd"))


def payback_month(
    upfront_usd: ArrayLike, monthly_usd: ArrayLike, alternative_monthly_usd: ArrayLike
) -> Any:
    """First month (1-based) when buying has cost no more, cumulatively, than the alternative.

    Buying costs ``upfront_usd`` at month 0 plus ``monthly_usd`` each month (power,
    staff…); the alternative costs ``alternative_monthly_usd`` each month (last axis = months).
    NaN when it never pays back within the horizon.

    >>> payback_month(10_000.0, [500.0] * 24, [1_500.0] * 24)  # saves 1,000 a month
    10.0
    >>> payback_month(10_000.0, [500.0] * 6, [1_500.0] * 6)
    nan
    """
    upfront = check_nonnegative(upfront_usd, "upfront_usd")
    own = check_nonnegative(monthly_usd, "monthly_usd")
    alt = check_nonnegative(alternative_monthly_usd, "alternative_monthly_usd")
    own, alt = np.broadcast_arrays(own, alt)
    gap = upfront[..., np.newaxis] + np.cumsum(own - alt, axis=-1)
    paid = gap <= 1e-9 * np.maximum(upfront[..., np.newaxis], 1.0)
    first = np.argmax(paid, axis=-1).astype(np.float64) + 1.0
    return scalar_or_array(np.where(paid.any(axis=-1), first, np.nan), upfront_usd)
