"""Tables of a comparison as files: CSV, JSON and Parquet.

The tables themselves are built in :mod:`llmcost.scenario.tables` (one function each) and
re-exported here: :func:`components_frame`, :func:`features_frame`, :func:`assumptions_frame`,
:func:`sources_frame`. Use :meth:`Comparison.to_frame` for the options table and
:meth:`Comparison.horizon_frame` for the month-by-month table; :func:`options_frame` and
:func:`horizon_frame` here are deprecated aliases (removed in the next release).

Files: :func:`write_csv` (user text neutralised against formula injection), :func:`to_json` /
:func:`from_json` (the scenario and the result; reading it back and re-running ``compare`` gives
the same result), :func:`write_parquet` (needs pyarrow: ``pip install 'llmcost[parquet]'``).
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import pandas as pd

from .._core.errors import InvalidInputError
from ..scenario import tables as _tables
from ..scenario.tables import (
    TABLES,
    assumptions_frame,
    components_frame,
    features_frame,
    sources_frame,
)
from ._xlsx_book import MissingExtraError
from .safety import to_safe_csv

__all__ = [
    "TABLES",
    "assumptions_frame",
    "components_frame",
    "features_frame",
    "from_json",
    "horizon_frame",
    "options_frame",
    "sources_frame",
    "to_json",
    "write_csv",
    "write_parquet",
]

#: JSON format version written by :func:`to_json`.
JSON_FORMAT = "llmcost.comparison/1"


def options_frame(comparison: Any, *, components: bool = False) -> pd.DataFrame:
    """One row per option (deprecated: use ``comparison.to_frame().reset_index()``).

    Deprecated since the release after 0.1.0, removed in the one after: the same table as
    :meth:`Comparison.to_frame` with ``option`` as a column; without ``components`` the
    component columns are left out.

    Parameters
    ----------
    comparison : Comparison
        The result of :func:`llmcost.compare`.
    components : bool
        Keep one column per cost component [USD/month].

    Returns
    -------
    pandas.DataFrame
        The options table, ``option`` as the first column.
    """
    warnings.warn(
        "llmcost.export.options_frame is deprecated and will be removed in the release after next; "
        "use comparison.to_frame() (indexed by option) or .reset_index()",
        DeprecationWarning,
        stacklevel=2,
    )
    frame = _tables.options_frame(comparison).reset_index()
    if not components:
        names = {k for o in comparison.options for k in o.components}
        frame = frame.drop(columns=[c for c in frame.columns if c in names])
    return frame


def horizon_frame(comparison: Any) -> pd.DataFrame:
    """Month-by-month costs, long form (deprecated: use ``comparison.horizon_frame()``).

    Deprecated since the release after 0.1.0, removed in the one after: the old layout, kept
    for one release; :meth:`Comparison.horizon_frame` has the same figures indexed by calendar
    ``period`` (``option``, ``cost_usd``, ``cumulative_usd``).

    Parameters
    ----------
    comparison : Comparison
        The result of :func:`llmcost.compare`.

    Returns
    -------
    pandas.DataFrame
        ``option``, ``month``, ``monthly_cost_usd``, ``cumulative_usd``.
    """
    warnings.warn(
        "llmcost.export.horizon_frame is deprecated and will be removed in the release after next; "
        "use comparison.horizon_frame() (indexed by period; cost_usd, cumulative_usd)",
        DeprecationWarning,
        stacklevel=2,
    )
    frame = _tables.horizon_frame(comparison).reset_index(drop=True)
    frame.insert(1, "month", frame.groupby("option", sort=False).cumcount() + 1)
    frame = frame.rename(columns={"cost_usd": "monthly_cost_usd"})
    frame.attrs = {}
    return frame


def _table(comparison: Any, table: str) -> pd.DataFrame:
    if table not in TABLES:
        raise InvalidInputError(f"table must be one of {', '.join(TABLES)}; got {table!r}")
    return TABLES[table](comparison)


def write_csv(comparison: Any, path: str | Path, *, table: str = "options") -> Path:
    """Write one table of ``comparison`` as CSV (RFC 4180; formula-like text neutralised)."""
    out = Path(path)
    to_safe_csv(_table(comparison, table), out, index=False)
    return out


def write_parquet(comparison: Any, path: str | Path, *, table: str = "options") -> Path:
    """Write one table of ``comparison`` as Parquet (needs pyarrow)."""
    try:
        import pyarrow  # noqa: F401
    except ImportError as exc:
        raise MissingExtraError(
            "writing Parquet needs pyarrow: pip install 'llmcost[parquet]'"
        ) from exc
    out = Path(path)
    _table(comparison, table).to_parquet(out, index=False)
    return out


def to_json(comparison: Any, *, scenario: Any = None, indent: int | None = 2) -> str:
    """The comparison as JSON: ``{"format", "result", "scenario_config"}``.

    ``result`` is ``comparison.to_dict()`` (NaN written as null); ``scenario_config`` the
    scenario that produced it (when given), so that :func:`from_json` and ``compare`` can
    reproduce the result.
    """
    payload = {
        "format": JSON_FORMAT,
        "result": comparison.to_dict(),
        "scenario_config": None if scenario is None else scenario.model_dump(mode="json"),
    }
    return json.dumps(payload, indent=indent, allow_nan=False, ensure_ascii=False)


def from_json(text: str) -> tuple[Any, dict[str, Any]]:
    """Read :func:`to_json`'s output: ``(scenario or None, result dict)``.

    The scenario is validated again (``llmcost.scenario.parse_scenario``).
    """
    from ..scenario import parse_scenario

    try:
        payload = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInputError(f"not valid JSON: {exc}") from exc
    if not isinstance(payload, dict) or payload.get("format") != JSON_FORMAT:
        raise InvalidInputError(f"not an llmcost comparison (expected format {JSON_FORMAT!r})")
    config = payload.get("scenario_config")
    scenario = None if config is None else parse_scenario(config, source="scenario_config")
    return scenario, payload["result"]
