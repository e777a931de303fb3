"""Spreadsheet-compatible finance helpers: level payments (PMT) and net present value (NPV).

Semantics follow numpy-financial and the spreadsheet functions of the same names, so that the
xlsx export can write ``=PMT(...)`` and ``=NPV(...)`` and get the library's numbers. Payments
are made at the end of each period. A monthly rate is the annual rate / 12
(docs/architecture.md §4).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from .._core._arrays import as_float_array, check_finite, check_range, vectorized
from .._core.units import MONTHS_PER_YEAR

__all__ = ["monthly_rate", "npv", "pmt"]


@vectorized
def monthly_rate(rate_per_year: ArrayLike) -> object:
    """Monthly rate [1/month] from an annual rate [1/year]: annual / 12 (nominal convention).

    >>> monthly_rate(0.12)
    0.01
    """
    return check_range(rate_per_year, "rate_per_year", lo=-1.0) / MONTHS_PER_YEAR


@vectorized
def pmt(rate: ArrayLike, nper: ArrayLike, pv: ArrayLike, fv: ArrayLike = 0.0) -> object:
    """Level payment per period that pays off ``pv`` down to ``fv`` in ``nper`` periods.

    Spreadsheet sign convention: money paid out is negative, so ``pmt(r, n, -price, residual)``
    is a positive payment. For ``rate == 0`` (masked) the payment is straight line,
    ``-(pv + fv) / nper`` (also for |rate| < 1e-12, where the annuity formula
    loses precision).

    Parameters
    ----------
    rate : rate per period [1/period], > -1
    nper : number of periods [periods], > 0
    pv : present value [USD]
    fv : future value left after the last payment [USD]

    Examples
    --------
    >>> round(pmt(0.05 / 12, 36, -30_000.0, 6_000.0), 1)  # = PMT(5%/12, 36, -30000, 6000)
    744.3
    >>> pmt(0.0, 60, -30_000.0, 6_000.0)  # straight line: (30,000 − 6,000) / 60
    400.0
    """
    r = check_range(rate, "rate", lo=-1.0, lo_inclusive=False)
    n = check_range(check_finite(nper, "nper"), "nper", lo=0.0, lo_inclusive=False)
    pv_a = check_finite(pv, "pv")
    fv_a = check_finite(fv, "fv")
    zero = np.abs(r) < 1e-12  # straight line; the annuity differs by < 1e-10 relative there
    safe_r = np.where(zero, 1.0, r)
    growth_minus_1 = np.expm1(n * np.log1p(safe_r))  # (1 + r)^n − 1, accurate for tiny r
    annuity = -(fv_a + pv_a * (growth_minus_1 + 1.0)) * safe_r / growth_minus_1
    straight = -(fv_a + pv_a) / n
    return np.where(zero, straight, annuity)


@vectorized
def npv(rate: ArrayLike, values: ArrayLike) -> object:
    """Net present value of ``values`` (periods along the last axis), spreadsheet convention.

    Like the spreadsheet's ``NPV(rate, v1, …, vn)`` the first value is discounted one full
    period: ``Σ v_t / (1 + rate)^t`` for t = 1…n. ``rate`` broadcasts against
    ``values[..., 0]``.

    >>> round(npv(0.1, [-100.0, 60.0, 60.0]), 4)  # = NPV(10%, -100, 60, 60)
    3.7566
    """
    r = check_range(rate, "rate", lo=-1.0, lo_inclusive=False)
    v = as_float_array(values, "values")
    if v.ndim == 0:
        v = v[np.newaxis]
    t = np.arange(1, v.shape[-1] + 1, dtype=np.float64)
    discount = (1.0 + np.asarray(r)[..., np.newaxis]) ** -t
    return np.sum(v * discount, axis=-1)
