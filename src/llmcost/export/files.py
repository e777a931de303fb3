"""Write a comparison's files in one call (what ``llmcost compare --csv/--xlsx`` uses)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .._core.errors import InvalidInputError
from .frames import write_csv
from .xlsx import write_workbook

__all__ = ["write_files"]


def _target(path: str | Path, flag: str, suffixes: tuple[str, ...]) -> Path:
    out = Path(path)
    if not out.parent.is_dir():
        raise InvalidInputError(f"{flag}: directory {str(out.parent)!r} does not exist")
    if out.suffix.lower() not in suffixes:
        raise InvalidInputError(
            f"{flag}: expected a file ending in {' or '.join(suffixes)}; got {str(out)!r}"
        )
    return out


def write_files(
    comparison: Any,
    *,
    csv: str | Path | None = None,
    xlsx: str | Path | None = None,
    analysis: Any = None,
) -> dict[str, str]:
    """Write the options table as CSV and/or the workbook; return ``{"csv": path, …}``.

    Both targets are checked (existing directory, suffix) before anything is written.
    """
    targets = {
        "csv": None if csv is None else _target(csv, "--csv", (".csv",)),
        "xlsx": None if xlsx is None else _target(xlsx, "--xlsx", (".xlsx",)),
    }
    written: dict[str, str] = {}
    if targets["csv"] is not None:
        written["csv"] = str(write_csv(comparison, targets["csv"]))
    if targets["xlsx"] is not None:
        written["xlsx"] = str(write_workbook(comparison, targets["xlsx"], analysis=analysis))
    return written
