"""Finance-ready outputs of a comparison (docs/architecture.md §1, issue 6).

- :func:`write_workbook`: the .xlsx workbook with named assumptions and live formulas
  (openpyxl: ``pip install 'llmcost[xlsx]'``);
- :func:`write_report`: a self-contained HTML or Markdown report (charts need
  ``llmcost[plot]``), with :func:`analyze` for its break-even, tornado and Monte Carlo parts;
- tidy tables with units (:func:`components_frame`, :func:`features_frame`… from
  :mod:`llmcost.scenario.tables`; ``options_frame`` and ``horizon_frame`` are deprecated for
  ``Comparison.to_frame`` / ``horizon_frame``), :func:`write_csv` (formula-safe),
  :func:`to_json` / :func:`from_json`, :func:`write_parquet` (``llmcost[parquet]``);
- :mod:`llmcost.export.safety`: user text never becomes a spreadsheet formula;
- :mod:`llmcost.export.plots`: the figures.
"""

from .files import write_files
from .frames import (
    assumptions_frame,
    components_frame,
    features_frame,
    from_json,
    horizon_frame,
    options_frame,
    sources_frame,
    to_json,
    write_csv,
    write_parquet,
)
from .report import AnalysisResults, analyze, render_report, write_report
from .xlsx import WorkbookSpec, write_workbook

__all__ = [
    "AnalysisResults",
    "WorkbookSpec",
    "analyze",
    "assumptions_frame",
    "components_frame",
    "features_frame",
    "from_json",
    "horizon_frame",
    "options_frame",
    "render_report",
    "sources_frame",
    "to_json",
    "write_csv",
    "write_files",
    "write_parquet",
    "write_report",
    "write_workbook",
]
