"""A small TOML writer for workload files (tables, arrays of tables, scalars, lists of scalars).

The standard library reads TOML (``tomllib``) but does not write it. Keys are written bare when
they are ``[A-Za-z0-9_-]+`` and quoted otherwise; strings are JSON-escaped (a subset of TOML's
basic strings); None is left out; NaN is ``nan``.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from typing import Any

__all__ = ["dumps"]

_BARE = re.compile(r"^[A-Za-z0-9_-]+$")


def _key(k: str) -> str:
    return k if _BARE.match(k) else json.dumps(k, ensure_ascii=False)


def _value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, list | tuple):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    if isinstance(v, Mapping):
        inner = ", ".join(f"{_key(k)} = {_value(x)}" for k, x in v.items() if x is not None)
        return "{" + inner + "}"
    raise TypeError(f"cannot write {type(v).__name__} to TOML")


def _is_table_list(v: Any) -> bool:
    return isinstance(v, list | tuple) and bool(v) and all(isinstance(x, Mapping) for x in v)


def dumps(data: Mapping[str, Any], _prefix: str = "") -> str:
    """TOML text of ``data``.

    >>> print(dumps({"a": 1, "t": {"b": "x", "rows": [{"c": 1.5}]}}))
    a = 1
    <BLANKLINE>
    [t]
    b = "x"
    <BLANKLINE>
    [[t.rows]]
    c = 1.5
    <BLANKLINE>
    """
    lines = [
        f"{_key(k)} = {_value(v)}"
        for k, v in data.items()
        if v is not None and not isinstance(v, Mapping) and not _is_table_list(v)
    ]
    out = "\n".join(lines) + ("\n" if lines else "")
    for k, v in data.items():
        name = f"{_prefix}{_key(k)}"
        if isinstance(v, Mapping):
            out += f"\n[{name}]\n" + dumps(v, f"{name}.")
        elif _is_table_list(v):
            for row in v:
                out += f"\n[[{name}]]\n" + dumps(row, f"{name}.")
    return out
