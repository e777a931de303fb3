"""People and fixed costs of running a self-hosted service."""

from __future__ import annotations

from typing import Any

from numpy.typing import ArrayLike

from .._core._arrays import check_nonnegative, scalar_or_array
from .._core.units import MONTHS_PER_YEAR

__all__ = ["staff_usd_per_month"]


def staff_usd_per_month(engineering_fte: ArrayLike, fte_usd_per_year: ArrayLike) -> Any:
    """Engineering/operations people [USD/month]: FTE × fully-loaded cost per year / 12.

    >>> staff_usd_per_month(0.5, 240_000)
    10000.0
    """
    fte = check_nonnegative(engineering_fte, "engineering_fte")
    salary = check_nonnegative(fte_usd_per_year, "fte_usd_per_year")
    return scalar_or_array(fte * salary / MONTHS_PER_YEAR, engineering_fte, fte_usd_per_year)
