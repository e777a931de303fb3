"""JSON-safe values: the one NaN → None converter every ``to_dict`` and ``--json`` uses."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

import numpy as np

__all__ = ["dumps", "jsonable"]


def jsonable(value: Any) -> Any:
    """Convert numpy scalars/arrays, dates, NaN and infinities into plain JSON values.

    NaN and infinities become ``None`` (JSON ``null``: JSON has no spelling for them, and in
    llmcost a missing figure means "never" or "does not apply"); numpy scalars become Python
    numbers, arrays and tuples lists, dates ISO strings, mapping keys strings.

    Parameters
    ----------
    value : Any
        A number, string, date, mapping, sequence or numpy array, nested in any way.

    Returns
    -------
    Any
        The same structure made of ``dict``, ``list``, ``str``, ``int``, ``float``, ``bool``
        and ``None`` only.

    Examples
    --------
    >>> jsonable({"a": np.float64(1.5), "b": [np.nan], "c": np.int64(3)})
    {'a': 1.5, 'b': [None], 'c': 3}
    >>> jsonable((float("inf"), date(2025, 1, 31), np.array(2.0), np.array([[1, 2]])))
    [None, '2025-01-31', 2.0, [[1, 2]]]
    """
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return jsonable(value.tolist())  # a 0-d array gives its scalar
    if isinstance(value, np.bool_ | bool):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating | float):
        f = float(value)
        return f if math.isfinite(f) else None
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def dumps(value: Any, *, indent: int | None = None) -> str:
    """JSON text of :func:`jsonable` ``(value)`` (strict: no NaN, non-ASCII kept).

    Parameters
    ----------
    value : Any
        What :func:`jsonable` accepts.
    indent : int or None
        Spaces per nesting level; None writes one line.

    Returns
    -------
    str
        The JSON text.

    Examples
    --------
    >>> dumps({"x": float("nan"), "y": np.float32(0.5)})
    '{"x": null, "y": 0.5}'
    """
    return json.dumps(jsonable(value), indent=indent, allow_nan=False, ensure_ascii=False)
