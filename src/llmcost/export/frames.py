"""Tidy tables of a comparison (units in the column names), CSV, JSON and Parquet files.

Tables (one function each, all from a ``llmcost.scenario.Comparison``):

- :func:`options_frame`: one row per option; with ``components=True`` one more column per cost
  component (``<component>`` in USD/month, 0 where an option has none);
- :func:`components_frame`, :func:`features_frame`, :func:`horizon_frame`: long form (one row
  per option and component / feature / month);
- :func:`assumptions_frame` and :func:`sources_frame`: the defaults used and the catalog rows.

Files: :func:`write_csv` (user text neutralised against formula injection), :func:`to_json` /
:func:`from_json` (the scenario and the result; reading it back and re-running ``compare`` gives
the same result), :func:`write_parquet` (needs pyarrow: ``pip install 'llmcost[parquet]'``).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from .._core.errors import InvalidInputError
from ..scenario.comparison import quoted_columns
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


def _nan(value: float | None) -> float:
    return math.nan if value is None else float(value)


def options_frame(comparison: Any, *, components: bool = False) -> pd.DataFrame:
    """One row per option.

    Cost, $/1M tokens, the option's image tokens per request (traffic-weighted; 0 without images),
    capacity and latency, with units in the names (peak/average GPUs and replicas, utilization as a
    fraction; NaN where it does not apply).
    """
    names = sorted({k for o in comparison.options for k in o.components})
    rows = []
    for o in comparison.options:
        row: dict[str, Any] = {
            "option": o.name,
            "kind": o.kind,
            "monthly_cost_usd": o.monthly_cost_usd,
            "usd_per_mtok": o.usd_per_mtok,
            **quoted_columns(o),
            "tokens_per_month": o.tokens_per_month,
            "image_tokens_per_request": o.indicators.get("image_tokens_per_request", 0.0),
            "input_usd_per_mtok": _nan(o.input_usd_per_mtok),
            "output_usd_per_mtok": _nan(o.output_usd_per_mtok),
            "gpus_peak": _nan(o.gpus),
            "gpus_avg": _nan(o.gpus_avg),
            "replicas_peak": _nan(o.replicas),
            "replicas_avg": _nan(o.replicas_avg),
            "utilization_fraction": _nan(o.utilization),
            "ttft_s": _nan(o.ttft_s),
            "tpot_s": _nan(o.tpot_s),
            "npv_usd": _nan(o.npv_usd),
            "feasible": o.feasible,
            "cheapest": o.name == comparison.cheapest,
            "warnings": "; ".join(o.warnings),
        }
        if components:
            row |= {n: o.components.get(n, 0.0) for n in names}
        rows.append(row)
    return pd.DataFrame(rows)


def components_frame(comparison: Any) -> pd.DataFrame:
    """Long form: ``option``, ``component``, ``usd_per_month`` (they sum to each total)."""
    rows = [
        {"option": o.name, "component": k, "usd_per_month": v}
        for o in comparison.options
        for k, v in o.components.items()
    ]
    return pd.DataFrame(rows, columns=["option", "component", "usd_per_month"])


def features_frame(comparison: Any) -> pd.DataFrame:
    """Long form: ``option``, ``feature``, ``usd_per_month`` (each option's cost by feature)."""
    rows = [
        {"option": o.name, "feature": k, "usd_per_month": v}
        for o in comparison.options
        for k, v in o.features.items()
    ]
    return pd.DataFrame(rows, columns=["option", "feature", "usd_per_month"])


def horizon_frame(comparison: Any) -> pd.DataFrame:
    """Long form: ``option``, ``month`` (1-based), ``monthly_cost_usd``, ``cumulative_usd``."""
    rows = [
        {"option": o.name, "month": t + 1, "monthly_cost_usd": m, "cumulative_usd": c}
        for o in comparison.options
        for t, (m, c) in enumerate(
            zip(o.horizon_monthly_usd, o.horizon_cumulative_usd, strict=True)
        )
    ]
    return pd.DataFrame(rows, columns=["option", "month", "monthly_cost_usd", "cumulative_usd"])


def assumptions_frame(comparison: Any) -> pd.DataFrame:
    """Every default the comparison used: ``option``, ``name``, ``value``, ``unit``, ``source``."""
    columns = ["option", "name", "value", "unit", "source"]
    return pd.DataFrame(
        [{k: a.get(k) for k in columns} for a in comparison.assumptions], columns=columns
    )


def sources_frame(comparison: Any) -> pd.DataFrame:
    """The catalog rows used: ``entity``, ``id``, ``source``, ``as_of``."""
    columns = ["entity", "id", "source", "as_of"]
    return pd.DataFrame(
        [{k: r.get(k) for k in columns} for r in comparison.catalog_rows], columns=columns
    )


#: Table name → function, for :func:`write_csv` and the CLI.
TABLES: dict[str, Callable[[Any], pd.DataFrame]] = {
    "options": lambda c: options_frame(c, components=True),
    "components": components_frame,
    "features": features_frame,
    "horizon": horizon_frame,
    "assumptions": assumptions_frame,
    "sources": sources_frame,
}


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
