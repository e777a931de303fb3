"""Readable assertions for your own budgeting tests.

A budget written with llmcost is code; test it like code. These helpers raise
``AssertionError`` with both values and the difference spelled out in dollars, so a failing
budget test reads like a finance review comment. They accept scalars or arrays (compared
element by element; the message shows the worst element).

>>> from llmcost.testing import assert_usd_equal, assert_costs_sum
>>> assert_usd_equal(1234.5649, 1234.57)        # within a cent
>>> assert_costs_sum({"gpu_rental_usd": 700.0, "staff_usd": 300.0}, 1000.0)
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from numpy.typing import ArrayLike

from ._core._arrays import FloatArray, as_float_array, check_nonnegative
from ._core.errors import InvalidInputError

__all__ = ["assert_costs_sum", "assert_relative", "assert_usd_equal"]

USD_PER_CENT = 0.01
#: Slack for binary floating point (0.30 − 0.29 is 0.010000000000000009, still one cent):
#: a few units in the last place of the larger amount.
_FLOAT_SLACK_RELATIVE = 8 * float(np.finfo(np.float64).eps)


def _usd(value: float) -> str:
    """``-$1,234.50``; amounts under a cent keep three significant digits (``$0.00432``)."""
    if not np.isfinite(value):
        return "not a number" if np.isnan(value) else f"{value}"
    digits = ",.2f" if value == 0 or abs(value) >= USD_PER_CENT else ".3g"
    return f"{'-' if value < 0 else ''}${abs(value):{digits}}"


def _pair(actual: ArrayLike, expected: ArrayLike) -> tuple[FloatArray, FloatArray]:
    a = as_float_array(actual, "actual")
    e = as_float_array(expected, "expected")
    try:
        a, e = np.broadcast_arrays(a, e)
    except ValueError as exc:
        raise InvalidInputError(
            f"actual and expected must have matching shapes; got {a.shape} and {e.shape}"
        ) from exc
    return a, e


def _worst(score: FloatArray) -> tuple[int, ...]:
    """Index of the largest ``score`` (NaN counts as the largest)."""
    flat = int(np.argmax(np.nan_to_num(score, nan=np.inf)))
    return tuple(int(k) for k in np.unravel_index(flat, score.shape))


def _where(a: FloatArray, index: tuple[int, ...]) -> str:
    return f" at index {index[0] if len(index) == 1 else index}" if a.ndim else ""


def assert_usd_equal(actual: ArrayLike, expected: ArrayLike, *, cents: float = 1) -> None:
    """Assert two USD amounts differ by at most ``cents`` cents (NaN never passes).

    Parameters
    ----------
    actual, expected : amounts [USD], scalars or arrays of one shape
    cents : allowed difference [US cents] (≥ 0)

    >>> assert_usd_equal(99.995, 100.0)
    >>> assert_usd_equal(12_345.60, 12_345.00)
    Traceback (most recent call last):
    ...
    AssertionError: USD amounts differ by more than 1 cent: actual $12,345.60, expected \
$12,345.00, difference $0.60
    """
    tolerance_cents = float(check_nonnegative(cents, "cents"))
    a, e = _pair(actual, expected)
    diff = a - e
    allowed = tolerance_cents * USD_PER_CENT + _FLOAT_SLACK_RELATIVE * np.maximum(
        np.abs(a), np.abs(e)
    )
    bad = ~(np.abs(diff) <= allowed)  # NaN compares False, so it is "bad"
    if not np.any(bad):
        return
    i = _worst(np.where(bad, np.abs(diff), -1.0))
    unit = "cent" if tolerance_cents == 1 else "cents"
    count = f" in {int(bad.sum())} of {bad.size} elements" if a.ndim else ""
    raise AssertionError(
        f"USD amounts differ by more than {tolerance_cents:g} {unit}{count}"
        f"{_where(a, i)}: actual {_usd(a[i])}, expected {_usd(e[i])}, "
        f"difference {_usd(diff[i])}"
    )


def assert_costs_sum(
    components: Mapping[str, ArrayLike], total: ArrayLike, *, cents: float = 1
) -> None:
    """Assert named cost components add up to ``total`` within ``cents`` cents.

    Parameters
    ----------
    components : name → amount [USD] (e.g. a result's ``components``)
    total : the total they must add up to [USD]
    cents : allowed difference [US cents]

    >>> assert_costs_sum({"input_usd": 60.0, "output_usd": 30.0}, 100.0)
    Traceback (most recent call last):
    ...
    AssertionError: components sum to $90.00 but the total is $100.00 (difference -$10.00); \
components: input_usd $60.00, output_usd $30.00
    """
    if not components:
        raise InvalidInputError("components must name at least one amount; got none")
    arrays = {name: as_float_array(v, name) for name, v in components.items()}
    summed = np.sum(np.broadcast_arrays(*arrays.values()), axis=0)
    try:
        assert_usd_equal(summed, total, cents=cents)
    except AssertionError:
        s, t = _pair(summed, total)
        i = _worst(np.abs(s - t))
        parts = ", ".join(
            f"{name} {_usd(float(np.broadcast_to(v, s.shape)[i]))}" for name, v in arrays.items()
        )
        raise AssertionError(
            f"components sum to {_usd(s[i])} but the total is {_usd(t[i])}{_where(s, i)} "
            f"(difference {_usd(s[i] - t[i])}); components: {parts}"
        ) from None


def assert_relative(actual: ArrayLike, expected: ArrayLike, rtol: float = 1e-9) -> None:
    """Assert ``|actual − expected| ≤ rtol × |expected|`` element-wise (NaN never passes).

    Parameters
    ----------
    actual, expected : quantities in one unit, scalars or arrays of one shape
    rtol : allowed relative difference [fraction] (≥ 0)

    >>> assert_relative(1.02, 1.0, rtol=0.05)
    >>> assert_relative(1.2, 1.0, rtol=0.05)
    Traceback (most recent call last):
    ...
    AssertionError: values differ by 20% (allowed 5%): actual 1.2, expected 1
    """
    tol = float(check_nonnegative(rtol, "rtol"))
    a, e = _pair(actual, expected)
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.abs(a - e) / np.abs(e)
    rel = np.where(a == e, 0.0, rel)  # 0 vs 0 is equal
    bad = ~(rel <= tol)
    if not np.any(bad):
        return
    i = _worst(np.where(bad, rel, -1.0))
    pct = f"{rel[i] * 100:.3g}%" if np.isfinite(rel[i]) else "an unbounded amount"
    raise AssertionError(
        f"values differ by {pct} (allowed {tol * 100:.3g}%){_where(a, i)}: "
        f"actual {a[i]:.10g}, expected {e[i]:.10g}"
    )
