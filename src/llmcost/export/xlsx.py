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
from ..scenario.verdict import flip_text, verdict
from ._xlsx_book import GENERAL, USD, Book, write_value
from ._xlsx_capacity import CapacityWriter
from ._xlsx_eval import add_cached_values
from ._xlsx_horizon import HorizonWriter
from ._xlsx_inputs import InputsWriter
from ._xlsx_model import ModelWriter
from ._xlsx_perf import PerfSetup, perf_setup
from ._xlsx_profile import ProfileWriter, is_synthetic
from ._xlsx_summary import SummaryWriter
from .output import check_comparison as _check_comparison
from .output import check_target, write_all

__all__ = ["WorkbookSpec", "spec_from_comparison", "write_workbook"]


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
    meets_latency_targets : option name → whether the performance model met its targets
    sources : the catalog rows used (one per row)
    breakeven, sensitivity, monte_carlo : analysis results to include as values
    verdict : the :class:`~llmcost.scenario.verdict.Verdict` the Summary sheet restates (its
        flip figures, which a spreadsheet cannot recompute); ``flip_text`` its words
    option_costs : option name → monthly cost as written [USD/month] (orders the Summary)
    gpu_types : option name → its GPU type (self-hosted options)
    """

    title: str
    model: ScenarioModel
    growth_per_month: float = 0.0
    horizon_months: int = 12
    discount_rate_per_year: float = 0.08
    catalog_version: str = ""
    as_of: str = ""
    input_sources: Mapping[tuple[str, str], tuple[str, str, str]] = field(default_factory=dict)
    meets_latency_targets: Mapping[str, bool] = field(default_factory=dict)
    sources: pd.DataFrame | None = None
    breakeven: pd.DataFrame | None = None
    sensitivity: pd.DataFrame | None = None
    monte_carlo: pd.DataFrame | None = None
    verdict: Any = None
    flip_text: str = ""
    option_costs: Mapping[str, float] = field(default_factory=dict)
    gpu_types: Mapping[str, str] = field(default_factory=dict)


def write_workbook(comparison: Any, path: str | Path, *, analysis: Any = None) -> Path:
    """Write the finance workbook of ``comparison`` to ``path`` (.xlsx); return the path.

    ``comparison`` is a :class:`WorkbookSpec` or a result of ``llmcost.scenario.compare``;
    ``analysis`` (an :class:`~llmcost.export.report.AnalysisResults`) adds the Break-even and
    Sensitivity sheets. The file is written to a temporary file and moved into place (an existing
    file at ``path`` is replaced; a directory, another suffix or a missing folder is refused).
    """
    out = check_target(path, "path", (".xlsx",), force=True)
    _check_comparison(comparison, (WorkbookSpec,))
    spec = (
        comparison
        if isinstance(comparison, WorkbookSpec)
        else spec_from_comparison(comparison, analysis)
    )
    book = Book()
    setups = perf_setups(spec)
    inputs = InputsWriter(book, spec, setups)
    inputs.write()
    mix = spec.model.mix
    ProfileWriter(book, is_synthetic(mix.hourly_weights, mix.peak_to_average)).write()
    model = ModelWriter(book, spec)
    model.write()
    if setups:
        CapacityWriter(book, spec, setups).write()
    HorizonWriter(book, spec, model).write()
    SummaryWriter(book, spec, model, inputs.sheet.names).write()
    if spec.breakeven is not None:
        _values_sheet(book, "Break-even", spec.breakeven)
    if spec.sensitivity is not None:
        _values_sheet(book, "Sensitivity", spec.sensitivity)
    if spec.monte_carlo is not None:
        _values_sheet(book, "Monte Carlo", spec.monte_carlo)
    _sources_sheet(book, spec)

    def save(p: Path) -> None:
        book.save(p)
        add_cached_values(book.wb, p)

    write_all([(out, save)])
    return out


def perf_setups(spec: WorkbookSpec) -> dict[int, PerfSetup]:
    """Option number → its performance-model constants.

    For the self-hosted options that fit and whose capacity the performance model computed (a
    measured capacity stays an input).
    """
    out = {}
    for j, ev in enumerate(spec.model.evaluators, start=1):
        args = getattr(ev, "perf_args", None)
        if args is not None and getattr(ev, "fits", False):
            out[j] = perf_setup(args)
    return out


#: Inputs that are analysis levers of the library rather than scenario or catalog values.
LEVERS = {
    "api_price_multiplier": ("llmcost lever", "", "1 = the prices below as listed"),
    "capacity_multiplier": ("llmcost lever", "", "1 = the capacity from the performance model"),
}


def spec_from_comparison(comparison: Any, analysis: Any = None) -> WorkbookSpec:
    """The :class:`WorkbookSpec` of a ``llmcost.scenario.Comparison``.

    Inputs the comparison lists as assumptions carry their source; other inputs come from the
    scenario file; an API option's prices carry the catalog row in force. ``analysis`` (an
    :class:`~llmcost.export.report.AnalysisResults`) adds the Break-even and Sensitivity sheets.
    """
    sources: dict[tuple[str, str], tuple[str, str, str]] = {}
    for item in comparison.assumptions:
        option = "" if item.get("option") == "workload" else str(item.get("option", ""))
        sources[(option, str(item["name"]))] = (str(item.get("source", "")), "", "")
    for opt, ev in zip(comparison.options, comparison.model.evaluators, strict=True):
        offer = opt.details.get("offer")
        rows = [r for r in comparison.catalog_rows if str(r.get("id", "")).startswith(f"{offer}@")]
        if offer and rows:
            since = opt.details.get("price_effective_from", "")
            row_source = f"catalog api_prices {rows[0]['id']}: {rows[0]['source']}"
            sources[(opt.name, "prices")] = (
                row_source,
                str(rows[0].get("as_of", "")),
                f"price in force from {since}" if since else "",
            )
            sources.setdefault(
                (opt.name, "batch_discount_fraction"),
                (row_source, str(rows[0].get("as_of", "")), "unless the scenario overrides it"),
            )
        for name in ev.base:
            default = LEVERS.get(name, ("scenario file", "", ""))
            sources.setdefault((opt.name, name), default)
    sources.setdefault(("", "requests_per_month"), ("scenario file", "", ""))
    summary = analysis.verdict if analysis is not None else None
    summary = summary if summary is not None else verdict(comparison)
    return WorkbookSpec(
        title=comparison.scenario,
        model=comparison.model,
        growth_per_month=comparison.growth_per_month,
        horizon_months=comparison.horizon_months,
        discount_rate_per_year=comparison.discount_rate_per_year,
        catalog_version=comparison.catalog_version,
        as_of=comparison.as_of.isoformat() if comparison.as_of else "latest prices",
        input_sources=sources,
        meets_latency_targets={
            o.name: bool(o.details.get("meets_slo", True)) for o in comparison.options
        },
        sources=pd.DataFrame(comparison.catalog_rows),
        breakeven=None if analysis is None else analysis.breakeven_frame(),
        sensitivity=None if analysis is None else analysis.sensitivity_frame(),
        monte_carlo=None if analysis is None else analysis.monte_carlo_frame(),
        verdict=summary,
        flip_text=flip_text(summary, comparison),
        option_costs={o.name: float(o.monthly_cost_usd) for o in comparison.options},
        gpu_types={
            o.name: str(o.details["gpu"]) for o in comparison.options if o.details.get("gpu")
        },
    )


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
