"""Checks of API arguments: each names the argument, shows the value plainly, says what is allowed.

Issue #19: an API call with a bad argument raises :class:`InvalidInputError` (or another
:class:`LlmcostError`), never a ``TypeError`` or ``ValueError`` from deep inside numpy.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from .display import plain, whole
from .errors import InvalidInputError, close_matches

__all__ = [
    "check_specs",
    "instance_arg",
    "mapping_arg",
    "name_arg",
    "names_arg",
    "real_arg",
    "whole_arg",
]


def real_arg(
    value: Any,
    name: str,
    *,
    lo: float | None = None,
    hi: float | None = None,
    lo_open: bool = False,
) -> float:
    """``value`` as a finite float within [lo, hi] (``lo_open``: lo excluded).

    >>> real_arg(2, "lo")
    2.0
    >>> real_arg(float("nan"), "lo")
    Traceback (most recent call last):
    ...
    llmcost._core.errors.InvalidInputError: lo must be a finite number; got nan
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise InvalidInputError(f"{name} must be a number; got {plain(value)}")
    try:
        x = float(value)
    except OverflowError:
        raise InvalidInputError(f"{name} must be a finite number; got {plain(value)}") from None
    if not math.isfinite(x):
        raise InvalidInputError(f"{name} must be a finite number; got {plain(value)}")
    if lo is not None and (x <= lo if lo_open else x < lo):
        raise InvalidInputError(f"{name} must be {'>' if lo_open else '≥'} {lo:g}; got {x:g}")
    if hi is not None and x > hi:
        raise InvalidInputError(f"{name} must be ≤ {hi:g}; got {x:g}")
    return x


def whole_arg(value: Any, name: str, *, lo: int = 0, hi: int | None = None) -> int:
    """``value`` as an int within [lo, hi] (a whole float such as 64.0 is accepted).

    >>> whole_arg(64.0, "n")
    64
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise InvalidInputError(f"{name} must be a whole number; got {plain(value)}")
    if isinstance(value, numbers.Integral):
        n = int(value)
    else:
        x = float(value)
        if not math.isfinite(x) or x != int(x):
            raise InvalidInputError(f"{name} must be a whole number; got {plain(value)}")
        n = int(x)
    top = "" if hi is None else f" and ≤ {hi:,}"
    if n < lo or (hi is not None and n > hi):
        shown = plain(n) if abs(n) < 10**20 else whole(n)
        raise InvalidInputError(f"{name} must be a whole number ≥ {lo:,}{top}; got {shown}")
    return n


def name_arg(value: Any, name: str, allowed: Iterable[str] | None = None) -> str:
    """``value`` as a non-empty string, one of ``allowed`` when given.

    >>> name_arg("log", "scale", ("linear", "log"))
    'log'
    """
    if not isinstance(value, str) or not value:
        raise InvalidInputError(f"{name} must be a non-empty string; got {plain(value)}")
    if allowed is not None:
        known = list(allowed)
        if value not in known:
            hint = close_matches(value, known)
            raise InvalidInputError(
                f"{name} must be one of {', '.join(known)}; got {plain(value)}"
                + ("; did you mean " + " or ".join(map(plain, hint)) + "?" if hint else "")
            )
    return value


def names_arg(value: Any, name: str, allowed: Iterable[str] | None = None) -> list[str]:
    """``value`` as a list of names (a sequence of strings, not a single string).

    >>> names_arg(("a", "b"), "options", "abc")
    ['a', 'b']
    """
    if isinstance(value, str | bytes) or not isinstance(value, Sequence):
        raise InvalidInputError(f"{name} must be a list of names; got {plain(value)}")
    known = None if allowed is None else list(allowed)
    return [name_arg(v, f"{name}[{i}]", known) for i, v in enumerate(value)]


def mapping_arg(value: Any, name: str) -> Mapping[str, Any]:
    """``value`` as a mapping with string keys.

    >>> mapping_arg({"x": 1}, "inputs")
    {'x': 1}
    """
    if not isinstance(value, Mapping) or not all(isinstance(k, str) for k in value):
        raise InvalidInputError(f"{name} must be a mapping of names to values; got {plain(value)}")
    return value


def instance_arg(value: Any, name: str, cls: type, how: str) -> Any:
    """``value`` if it is a ``cls``, else an error saying how to get one (``how``).

    >>> instance_arg("h100", "gpu", int, "Catalog.gpu_spec(id)")
    Traceback (most recent call last):
    ...
    llmcost._core.errors.InvalidInputError: gpu must be a int (Catalog.gpu_spec(id)); got str 'h100'
    """
    if not isinstance(value, cls):
        raise InvalidInputError(
            f"{name} must be a {cls.__name__} ({how}); got {type(value).__name__} {plain(value)}"
        )
    return value


def check_specs(model: Any, gpu: Any, *, gpu_optional: bool = False) -> None:
    """Raise unless ``model`` is a ModelSpec and ``gpu`` a GpuSpec (or None if optional)."""
    from .specs import GpuSpec, ModelSpec

    instance_arg(model, "model", ModelSpec, "Catalog.model_spec(id)")
    if not (gpu_optional and gpu is None):
        instance_arg(gpu, "gpu", GpuSpec, "Catalog.gpu_spec(id)")
