"""Shared plumbing for the CLI: output rendering, JSON conversion, common flags."""

from __future__ import annotations

import argparse
import json
import math
import sys
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import numpy as np


class CliUsageError(Exception):
    """A command-line usage error (exit status 2, one line on stderr)."""


@dataclass
class Output:
    """What a command produced: a JSON-able payload and the human-readable text.

    ``json_text``, when set, is the payload already written as one JSON object (a large result
    serialized in one go by pandas), as pieces that ``emit`` prints one after the other (a
    100 MB text is never concatenated again).
    """

    payload: dict[str, Any]
    text: str
    json_text: tuple[str, ...] | None = None


def add_json_flag(parser: argparse.ArgumentParser) -> None:
    """Add the ``--json`` flag every command has."""
    parser.add_argument(
        "--json", action="store_true", help="print one JSON object on stdout and nothing else"
    )


def jsonable(value: Any) -> Any:
    """Convert numpy scalars/arrays, dates, NaN and infinities into plain JSON values.

    NaN and infinities become ``null``: JSON has no spelling for them.

    >>> jsonable({"a": np.float64(1.5), "b": [np.nan], "c": np.int64(3)})
    {'a': 1.5, 'b': [None], 'c': 3}
    """
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return [jsonable(v) for v in value.tolist()]
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


#: Version of the JSON contract (docs/architecture.md §4), the first key of every JSON object
#: a command prints; raised when a key is renamed, removed or changes meaning.
SCHEMA_VERSION = "1"


def emit(out: Output, *, as_json: bool) -> None:
    """Print ``out`` as one JSON object (``as_json``, with ``schema_version`` first) or as its text.

    ``out.json_text`` is JSON already written in one go (``perf --grid``); it must start with the
    ``schema_version`` member itself.
    """
    if as_json and out.json_text is not None:
        for piece in out.json_text:
            sys.stdout.write(piece)
        sys.stdout.write("\n")
    elif as_json:
        payload = {"schema_version": SCHEMA_VERSION} | jsonable(out.payload)
        sys.stdout.write(json.dumps(payload, allow_nan=False) + "\n")
    else:
        sys.stdout.write(out.text.rstrip("\n") + "\n")


def format_table(rows: list[dict[str, Any]], columns: list[str] | None = None) -> str:
    """Render rows as a plain fixed-width text table (None blank, NaN and ±inf as "n/a").

    >>> print(format_table([{"id": "a", "x": 1.5}, {"id": "bb", "x": float("nan")}]))
    id  x
    --  ---
    a   1.5
    bb  n/a
    """
    if not rows:
        return "(no rows)"
    columns = columns or list(rows[0])

    def cell(v: Any) -> str:
        if v is None:
            return ""
        if isinstance(v, float):
            if not math.isfinite(v):
                return "n/a"
            return f"{v:,.6g}" if abs(v) < 1e6 else f"{v:,.0f}"
        return str(v)

    cells = [[cell(r.get(c)) for c in columns] for r in rows]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += [
        "  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip() for row in cells
    ]
    return "\n".join(lines)
