"""Keep user-supplied text from becoming a formula in CSV and XLSX files.

Spreadsheet applications execute a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and some
treat a leading tab or carriage return the same way) — the "CSV injection" / "formula
injection" class of attacks (OWASP). Labels users supply (option names, notes, offer ids…) go
through these helpers before they are written:

- CSV: the text is prefixed with an apostrophe, which spreadsheets show as text and do not run;
- XLSX: the cell is stored as a string (never a formula) with the "quote prefix" style, so that
  it stays text even when someone edits it in Excel. Its content is kept unchanged.

Numbers are written as numbers and are not touched.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from .._core.formula_text import FORMULA_TRIGGERS, is_formula_like, neutralize_csv_text

__all__ = [
    "FORMULA_TRIGGERS",
    "is_formula_like",
    "neutralize_csv_text",
    "neutralize_frame_for_csv",
    "to_safe_csv",
    "write_text_cell",
]


def neutralize_frame_for_csv(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells, column names and index labels are CSV-safe.

    >>> neutralize_frame_for_csv(pd.DataFrame({"name": ["@evil", "ok"], "usd": [-1.0, 2.0]}))
         name  usd
    0  '@evil -1.0
    1      ok  2.0
    """
    out = frame.copy()
    for column in out.columns:
        if not (pd.api.types.is_numeric_dtype(out[column]) or _is_temporal(out[column])):
            out[column] = out[column].map(neutralize_csv_text)
    out.columns = [neutralize_csv_text(c) for c in out.columns]
    out.index = out.index.map(neutralize_csv_text)
    return out


def _is_temporal(series: pd.Series) -> bool:
    return bool(
        pd.api.types.is_datetime64_any_dtype(series) or pd.api.types.is_timedelta64_dtype(series)
    )


def to_safe_csv(frame: pd.DataFrame, path: str | Path | None = None, **kwargs: Any) -> str | None:
    """Write ``frame`` as RFC 4180 CSV after :func:`neutralize_frame_for_csv`.

    Rows end in CRLF, so fields holding CR or LF are quoted; the text is returned when ``path`` is
    None.

    >>> to_safe_csv(pd.DataFrame({"name": ["+1"]}), index=False).splitlines()
    ['name', "'+1"]
    """
    return neutralize_frame_for_csv(frame).to_csv(path, lineterminator="\r\n", **kwargs)


def write_text_cell(cell: Any, text: object) -> None:
    """Write ``text`` into an openpyxl cell as a string that can never run as a formula.

    openpyxl treats any value starting with ``=`` as a formula; here the value is stored with
    the string data type, and formula-like text also gets Excel's quote-prefix style.
    """
    value = "" if text is None else str(text)
    cell.value = value
    cell.data_type = "s"
    if is_formula_like(value):
        cell.quotePrefix = True
