"""Array helpers: scalar in → scalar out, array in → array out, Series keep their index.

Validation here is vectorized and names the field, the offending value and what is allowed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .display import plain, whole
from .errors import InvalidInputError

FloatArray = NDArray[np.float64]


def as_float_array(value: ArrayLike, name: str) -> FloatArray:
    """Convert ``value`` to a float64 array, with an error naming ``name`` on failure.

    >>> as_float_array([1, 2], "gpus")
    array([1., 2.])
    """
    if isinstance(value, str | bytes):
        raise InvalidInputError(
            f"{name} must be a number or an array of numbers; got {plain(value)}"
        )
    try:
        arr = np.asarray(value, dtype=np.float64)
    except OverflowError:  # an int beyond float range (10**400)
        raise InvalidInputError(f"{name} must be a finite number; got {_digits(value)}") from None
    except (TypeError, ValueError) as exc:
        raise InvalidInputError(f"{name} must be numeric; got {plain(value)}") from exc
    return arr


def check_not_empty(arr: FloatArray, name: str) -> FloatArray:
    """Raise if ``arr`` holds no element (a reduction over it would fail)."""
    if arr.size == 0:
        raise InvalidInputError(f"{name} must hold at least one number; got an empty array")
    return arr


def _digits(value: Any) -> str:
    """A huge int as its length, anything else plainly (no 400-digit message)."""
    if isinstance(value, int) and abs(value) >= 10**20:
        return whole(value)
    return plain(value)


def as_float_arrays(**values: ArrayLike) -> dict[str, FloatArray]:
    """Convert each keyword to a float64 array; raises naming the first bad field.

    >>> as_float_arrays(a=1, b=[1, 2])["b"]
    array([1., 2.])
    """
    return {name: as_float_array(v, name) for name, v in values.items()}


def _first_bad(arr: FloatArray, bad: NDArray[np.bool_]) -> float:
    return float(np.asarray(arr)[np.asarray(bad)].flat[0])


def check_finite(value: ArrayLike, name: str) -> FloatArray:
    """Raise if any element is NaN or infinite."""
    arr = as_float_array(value, name)
    bad = ~np.isfinite(arr)
    if np.any(bad):
        raise InvalidInputError(f"{name} must be a finite number; got {_first_bad(arr, bad)!r}")
    return arr


def check_range(
    value: ArrayLike,
    name: str,
    *,
    lo: float | None = None,
    hi: float | None = None,
    lo_inclusive: bool = True,
    hi_inclusive: bool = True,
    allow_nan: bool = False,
) -> FloatArray:
    """Return ``value`` as a float array after checking ``lo ≤ value ≤ hi`` element-wise.

    >>> check_range(0.5, "cached_input_fraction", lo=0, hi=1)
    array(0.5)
    >>> check_range(1.5, "cached_input_fraction", lo=0, hi=1)
    Traceback (most recent call last):
    ...
    llmcost._core.errors.InvalidInputError: cached_input_fraction must be ≤ 1; got 1.5
    """
    arr = as_float_array(value, name)
    nan = np.isnan(arr)
    if not allow_nan and np.any(nan):
        raise InvalidInputError(f"{name} must be a number; got NaN")
    with np.errstate(invalid="ignore"):
        if lo is not None:
            bad = (arr < lo) if lo_inclusive else (arr <= lo)
            bad &= ~nan
            if np.any(bad):
                op = "≥" if lo_inclusive else ">"
                raise InvalidInputError(f"{name} must be {op} {lo:g}; got {_first_bad(arr, bad)!r}")
        if hi is not None:
            bad = (arr > hi) if hi_inclusive else (arr >= hi)
            bad &= ~nan
            if np.any(bad):
                op = "≤" if hi_inclusive else "<"
                raise InvalidInputError(f"{name} must be {op} {hi:g}; got {_first_bad(arr, bad)!r}")
    return arr


def check_fraction(value: ArrayLike, name: str) -> FloatArray:
    """Check a fraction lies in [0, 1]."""
    return check_range(value, name, lo=0.0, hi=1.0)


def check_nonnegative(value: ArrayLike, name: str) -> FloatArray:
    """Check a quantity is ≥ 0 and finite."""
    return check_range(check_finite(value, name), name, lo=0.0)


def check_positive(value: ArrayLike, name: str) -> FloatArray:
    """Check a quantity is > 0 and finite."""
    return check_range(check_finite(value, name), name, lo=0.0, lo_inclusive=False)


def scalar_or_array(result: Any, *like: Any) -> Any:
    """Shape ``result`` like the inputs: a 0-d result becomes a Python float.

    If any input was a pandas Series, the result becomes a Series with that index.

    >>> scalar_or_array(np.array(2.0), 1.0)
    2.0
    >>> scalar_or_array(np.array([1.0, 2.0]), [1, 2])
    array([1., 2.])
    """
    arr = np.asarray(result)
    for x in like:
        index = getattr(x, "index", None)
        is_series = type(x).__name__ == "Series" and type(x).__module__.startswith("pandas")
        if is_series and index is not None and arr.shape == (len(index),):
            return type(x)(arr, index=index, name=getattr(x, "name", None))
    if arr.ndim == 0:
        return arr.item()
    return arr


def vectorized(func: Callable[..., Any]) -> Callable[..., Any]:
    """Decorator: apply :func:`scalar_or_array` to ``func``'s result using its arguments."""
    import functools

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return scalar_or_array(func(*args, **kwargs), *args, *kwargs.values())

    return wrapper
