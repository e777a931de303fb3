"""Short displays of results.

Compact numbers for one-line reprs and small HTML tables for notebooks (``_repr_html_``), so no
result prints as kilobytes of arrays.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = [
    "MINUS",
    "compact",
    "html_table",
    "money",
    "money_tick",
    "plain",
    "text_table",
    "whole",
]

#: The minus sign used in displays ("−$40k", not "$-40k").
MINUS = "\u2212"
_SUFFIXES = ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k"))


def compact(x: float | None, *, never: str = "n/a") -> str:
    """A number in 3–4 significant figures with a k/M/B/T suffix; ``never`` for NaN or None.

    >>> compact(4_690_350.0), compact(-18_693.2), compact(0.3812), compact(float("nan"))
    ('4.69M', '−18.7k', '0.381', 'n/a')
    """
    if x is None or not math.isfinite(x):
        return never
    sign = MINUS if x < 0 else ""
    a = abs(x)
    for scale, suffix in _SUFFIXES:
        if a >= scale:
            return f"{sign}{a / scale:.3g}{suffix}"
    return f"{sign}{a:.3g}"


def plain(value: Any, limit: int = 80) -> str:
    """A value for an error message as a user would write it.

    Numpy scalars and arrays show as Python numbers and lists, dates in ISO form, strings
    quoted; long text is cut.

    >>> import numpy as np
    >>> from datetime import date
    >>> plain(np.float64(2e-06)), plain(date(2025, 1, 31)), plain([np.int64(3), 0.5])
    ('2e-06', '2025-01-31', '[3, 0.5]')
    >>> plain("x"), plain(np.array([1.0, np.nan]))
    ("'x'", '[1.0, nan]')
    """
    text = _plain(value)
    return text if len(text) <= limit else text[:limit] + "…"


def whole(n: int) -> str:
    """A whole number for a message: with thousands separators, a huge one by its length.

    >>> whole(10_000_000_000), whole(-(10**400)), whole(10**30)
    ('10,000,000,000', 'a negative 401-digit number', 'a 31-digit number')
    """
    if abs(n) < 10**20:
        return f"{n:,}"
    return f"a {'negative ' if n < 0 else ''}{len(str(abs(n)))}-digit number"


def _plain(value: Any) -> str:
    if hasattr(value, "isoformat") and callable(value.isoformat):
        return str(value.isoformat())
    if hasattr(value, "tolist") and callable(value.tolist):  # numpy scalar or array
        value = value.tolist()
    if isinstance(value, list | tuple):
        inner = ", ".join(_plain(v) for v in value)
        return (
            f"[{inner}]"
            if isinstance(value, list)
            else f"({inner}{',' if len(value) == 1 else ''})"
        )
    if isinstance(value, float):
        return f"{value:g}" if math.isfinite(value) and value != int(value) else repr(value)
    return repr(value)


def most_often_cheapest(probability_cheapest: Mapping[str, float]) -> str:
    """The repr tail naming the option most often cheapest, or "" with no shares.

    >>> most_often_cheapest({"api": 0.25, "h100": 0.75})
    ', most often cheapest: h100 (75%)'
    >>> most_often_cheapest({})
    ''
    """
    best = max(probability_cheapest.items(), key=lambda kv: kv[1], default=None)
    return "" if best is None else f", most often cheapest: {best[0]} ({best[1]:.0%})"


def money(x: float | None) -> str:
    """USD, compact, the sign before the dollar: ``−$40k``; "n/a" for NaN or None.

    >>> money(-40_000.0), money(1_234_567.0), money(None)
    ('−$40k', '$1.23M', 'n/a')
    """
    if x is None or not math.isfinite(x):
        return "n/a"
    return (MINUS if x < 0 else "") + "$" + compact(abs(x))


def money_tick(value: float, _pos: Any = None) -> str:
    """A chart's money tick label: the real minus sign before the dollar, k/M/B suffixes.

    Shared by every chart (a matplotlib ``FuncFormatter`` takes it as is).

    >>> money_tick(-40_000.0), money_tick(1_250_000.0), money_tick(-12.5), money_tick(0.0)
    ('−$40k', '$1.25M', '−$12.5', '$0')
    """
    sign = MINUS if value < 0 else ""
    v = abs(value)
    for div, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if v >= div:
            return f"{sign}${v / div:,.3g}{suffix}"
    return f"{sign}${v:,.3g}"


def html_table(title: str, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A bold title and a small table, every cell escaped.

    >>> html_table("t<1>", ["a"], [["x&y"]])
    '<p><b>t&lt;1&gt;</b></p><table><tr><th>a</th></tr><tr><td>x&amp;y</td></tr></table>'
    """
    head = "".join(f"<th>{html.escape(str(h))}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in r) + "</tr>" for r in rows
    )
    return f"<p><b>{html.escape(title)}</b></p><table><tr>{head}</tr>{body}</table>"


def _text_cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        if not math.isfinite(v):
            return "n/a"
        return f"{v:,.6g}" if abs(v) < 1e6 else f"{v:,.0f}"
    return str(v)


def text_table(rows: Sequence[Mapping[str, Any]], columns: Sequence[str] | None = None) -> str:
    """Rows as a plain fixed-width text table: header, rule, rows.

    The one table printer of the CLI and of ``print(result)``: None is blank, NaN and ±inf are
    "n/a", floats have 6 significant figures (whole numbers from a million), text is as given.

    Parameters
    ----------
    rows : sequence of mapping
        One mapping per row; a key missing from a row is a blank cell.
    columns : sequence of str, optional
        The columns in order (default: the first row's keys).

    Returns
    -------
    str
        The table, lines joined with newlines; ``"(no rows)"`` for no rows.

    Examples
    --------
    >>> print(text_table([{"id": "a", "x": 1.5}, {"id": "bb", "x": float("nan")}]))
    id  x
    --  ---
    a   1.5
    bb  n/a
    """
    if not rows:
        return "(no rows)"
    cols = list(columns) if columns is not None else list(rows[0])
    cells = [[_text_cell(r.get(c)) for c in cols] for r in rows]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(cols)]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(cols, widths, strict=True)).rstrip(),
        "  ".join("-" * w for w in widths),
    ]
    lines += ["  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip() for r in cells]
    return "\n".join(lines)
