"""Write a comparison's files in one call (what ``llmcost compare --csv/--xlsx`` uses)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .frames import write_csv
from .output import check_target, write_all
from .xlsx import write_workbook

__all__ = ["write_files"]


def write_files(
    comparison: Any,
    *,
    csv: str | Path | None = None,
    xlsx: str | Path | None = None,
    analysis: Any = None,
    inputs: Iterable[str | Path] = (),
    force: bool = False,
) -> dict[str, str]:
    """Write the options table as CSV and/or the workbook; return ``{"csv": path, …}``.

    Both targets are checked (:func:`~llmcost.export.output.check_target`: a file in an existing
    directory, the suffix, not one of ``inputs``, replaced only with ``force``) before anything
    is written, and both are written atomically or neither is.
    """
    inputs = list(inputs)
    jobs = []
    if csv is not None:
        target = check_target(csv, "--csv", (".csv",), inputs=inputs, force=force)
        jobs.append((target, lambda p: write_csv(comparison, p)))
    if xlsx is not None:
        target = check_target(xlsx, "--xlsx", (".xlsx",), inputs=inputs, force=force)
        jobs.append((target, lambda p: write_workbook(comparison, p, analysis=analysis)))
    done = write_all(jobs)
    kinds = [k for k, v in (("csv", csv), ("xlsx", xlsx)) if v is not None]
    return {k: str(p) for k, p in zip(kinds, done, strict=True)}
