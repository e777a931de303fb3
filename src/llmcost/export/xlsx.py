"""The finance workbook: named assumptions and live formulas that recompute the comparison.

:func:`write_workbook` writes, for a comparison (or any :class:`WorkbookSpec`):

- *Assumptions*: every input one per row as a defined name (``w_…`` workload, ``f1_…`` per
  feature, ``o1_…`` per option), with unit, source and as-of date. A replica's capacity is an
  input there (replica-seconds per request, from the performance model), so the workbook needs
  no performance model;
- *Model*: a column per option, every cell a formula over the names: tokens, the API bill by
  component, replicas hour by hour, GPU-hours, rental / owned (``PMT``) / power / colocation /
  maintenance / staff costs, the total, $ per 1M tokens, and the cheapest option;
- *Horizon* (and its helper *Horizon replicas*): month by month with growth, cumulative cost,
  NPV — all formulas;
- *Break-even* and *Sensitivity*: values from the analysis layer, when given;
- *Sources*: the catalog rows used and the catalog version.

The formulas are the library's own math (:mod:`llmcost.export._xlsx_formulas` mirrors
:mod:`llmcost.cost` term by term); the tests recompute workbooks with a formula engine and
check every total against the library within 1e-9 relative. Requires openpyxl
(``pip install 'llmcost[xlsx]'``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..scenario.model import ScenarioModel
from ._xlsx_book import GENERAL, USD, Book, write_value
from ._xlsx_horizon import HorizonWriter
from ._xlsx_inputs import InputsWriter
from ._xlsx_model import ModelWriter

__all__ = ["WorkbookSpec", "write_workbook"]


@dataclass(frozen=True)
class WorkbookSpec:
    """Everything the workbook shows, independent of how it was computed.

    Parameters
    ----------
    title : scenario name
    model : the scenario's vectorized model (workload mix and one evaluator per option)
    growth_per_month, horizon_months, discount_rate_per_year : the horizon view
    catalog_version, as_of : what the prices are
    input_sources : ``(option name or "", input name)`` → ``(source, as_of, note)``; the
        name ``"prices"`` covers an API option's token prices
    sources : the catalog rows used (one per row)
    breakeven, sensitivity : analysis results to include as values
    """

    title: str
    model: ScenarioModel
    growth_per_month: float = 0.0
    horizon_months: int = 12
    discount_rate_per_year: float = 0.08
    catalog_version: str = ""
    as_of: str = ""
    input_sources: Mapping[tuple[str, str], tuple[str, str, str]] = field(default_factory=dict)
    sources: pd.DataFrame | None = None
    breakeven: pd.DataFrame | None = None
    sensitivity: pd.DataFrame | None = None


def write_workbook(comparison: Any, path: str | Path) -> Path:
    """Write the finance workbook of ``comparison`` to ``path`` (.xlsx); return the path.

    ``comparison`` is a :class:`WorkbookSpec` or a result of ``llmcost.scenario.compare``.
    """
    spec = comparison if isinstance(comparison, WorkbookSpec) else spec_from_comparison(comparison)
    book = Book()
    InputsWriter(book, spec).write()
    model = ModelWriter(book, spec)
    model.write()
    HorizonWriter(book, spec, model).write()
    if spec.breakeven is not None:
        _values_sheet(book, "Break-even", spec.breakeven)
    if spec.sensitivity is not None:
        _values_sheet(book, "Sensitivity", spec.sensitivity)
    _sources_sheet(book, spec)
    out = Path(path)
    book.save(out)
    return out


def spec_from_comparison(comparison: Any) -> WorkbookSpec:
    """The :class:`WorkbookSpec` of a comparison (see ``llmcost.scenario.compare``)."""
    raise NotImplementedError  # wired once the comparison result is final


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, list | tuple):
        return ", ".join(map(str, value))
    return value


def _values_sheet(book: Book, title: str, frame: pd.DataFrame) -> None:
    columns = [str(c) for c in frame.columns]
    ws = book.sheet(title, columns, [max(14, min(40, len(c) + 4)) for c in columns])
    for r, record in enumerate(frame.itertuples(index=False), start=2):
        for k, value in enumerate(record, start=1):
            fmt = USD if "usd" in columns[k - 1] else GENERAL
            write_value(ws.cell(row=r, column=k), _plain(value), fmt)


def _sources_sheet(book: Book, spec: WorkbookSpec) -> None:
    frame = spec.sources if spec.sources is not None else pd.DataFrame({"source": []})
    columns = [str(c) for c in frame.columns]
    ws = book.sheet("Sources", columns, [30] * len(columns))
    for r, record in enumerate(frame.itertuples(index=False), start=2):
        for k, value in enumerate(record, start=1):
            write_value(ws.cell(row=r, column=k), _plain(value))
    r = ws.max_row + 2
    for k, (label, value) in enumerate(
        (("catalog_version", spec.catalog_version), ("as_of", spec.as_of))
    ):
        write_value(ws.cell(row=r + k, column=1), label)
        write_value(ws.cell(row=r + k, column=2), value)
