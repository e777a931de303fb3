"""The tidy tables of a :class:`~llmcost.scenario.Comparison` (units in the column names).

One function per table, each the only place that table is built: :meth:`Comparison.to_frame`,
:meth:`Comparison.horizon_frame`, ``llmcost compare --csv``, the report and
:mod:`llmcost.export` all call these.

- :func:`options_frame`: one row per option, indexed by ``option``; cost, the quoted figures,
  capacity (``gpus_peak``, ``gpus_avg``, ``replicas_peak``, ``replicas_avg``,
  ``utilization_fraction``), latency and one ``<component>`` column per cost component
  [USD/month] (0 where an option has none);
- :func:`components_frame`, :func:`features_frame`: long form (one row per option and
  component / feature);
- :func:`horizon_frame`: long form, indexed by calendar ``period`` (one row per option and
  month, fiscal quarter or fiscal year);
- :func:`assumptions_frame` and :func:`sources_frame`: the defaults used and the catalog rows.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pandas as pd

__all__ = [
    "QUOTED_COLUMNS",
    "TABLES",
    "assumptions_frame",
    "components_frame",
    "features_frame",
    "horizon_frame",
    "options_frame",
    "quoted_columns",
    "sources_frame",
]

#: The quoted-figure columns of the option tables (frames, CSV), in order.
QUOTED_COLUMNS = (
    "usd_per_m_output_tokens",
    "usd_per_m_input_tokens",
    "blended_usd_per_mtok",
    "blend_input_tokens_per_output_token",
    "usd_per_request",
    "usd_per_1k_requests",
    "at_capacity_gpu_usd_per_month",
    "at_capacity_replicas_avg",
    "at_capacity_usd_per_mtok",
    "at_capacity_usd_per_m_output_tokens",
    "at_capacity_usd_per_1k_requests",
)


def _nan(value: float | None) -> float:
    return math.nan if value is None else float(value)


def quoted_columns(o: Any) -> dict[str, float]:
    """An option's quoted figures as table columns (NaN where one does not apply).

    Parameters
    ----------
    o : OptionResult
        One option of a comparison.

    Returns
    -------
    dict of str to float
        :data:`QUOTED_COLUMNS` → value [USD, USD per 1M tokens, replicas; see each name].
    """
    return {k: _nan(getattr(o, k)) for k in QUOTED_COLUMNS}


def _option_row(o: Any, cheapest: str | None) -> dict[str, Any]:
    return {
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
        "cheapest": o.name == cheapest,
        "warnings": "; ".join(o.warnings),
    }


def options_frame(comparison: Any) -> pd.DataFrame:
    """One row per option, indexed by ``option``, with every component as a column.

    Parameters
    ----------
    comparison : Comparison
        The result of :func:`llmcost.compare`.

    Returns
    -------
    pandas.DataFrame
        Money in USD/month (``monthly_cost_usd``, ``npv_usd`` in USD, each component's
        ``<name>_usd``), prices in USD per 1M tokens, ``gpus_peak`` / ``gpus_avg`` /
        ``replicas_peak`` / ``replicas_avg`` [count], ``utilization_fraction`` [0–1],
        ``ttft_s`` / ``tpot_s`` [s]; NaN where a figure does not apply (an API has no GPUs).
    """
    names = sorted({k for o in comparison.options for k in o.components})
    rows = [
        _option_row(o, comparison.cheapest) | {n: o.components.get(n, 0.0) for n in names}
        for o in comparison.options
    ]
    columns = [*_option_row(comparison.options[0], None), *names] if rows else ["option"]
    return pd.DataFrame(rows, columns=columns).set_index("option")


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


def horizon_frame(
    comparison: Any, by: str = "month", fiscal_year_start_month: int = 1
) -> pd.DataFrame:
    """Long form, indexed by ``period``: ``option``, ``cost_usd``, ``cumulative_usd``.

    Parameters
    ----------
    comparison : Comparison
        The result of :func:`llmcost.compare`.
    by : {"month", "quarter", "year"}
        Sum the months of the horizon per month, fiscal quarter or fiscal year.
    fiscal_year_start_month : int
        Month (1–12) the fiscal year starts in; fiscal years are named by the calendar year
        they end in (:mod:`llmcost.scenario.calendar`).

    Returns
    -------
    pandas.DataFrame
        One row per option and period, options in the comparison's order, periods in time
        order, indexed by ``period`` (:class:`pandas.Period`); ``cost_usd`` is the option's
        cost in the period [USD] (the volume growing by the workload's ``growth_per_month``),
        ``cumulative_usd`` its running total over the horizon [USD]. ``attrs``: ``unit``,
        ``scenario`` and, for quarters and years, ``partial_periods`` (the periods the
        horizon covers only in part, as text).
    """
    from .calendar import aggregate

    wide = pd.DataFrame(
        {o.name: o.horizon_monthly_usd for o in comparison.options},
        index=comparison.periods,
        dtype=float,
    )
    wide.attrs = {"unit": "USD", "scenario": comparison.scenario}
    summed = aggregate(wide, by, fiscal_year_start_month)
    parts = [
        pd.DataFrame(
            {"option": name, "cost_usd": summed[name], "cumulative_usd": summed[name].cumsum()},
            index=summed.index,
        )
        for name in summed.columns
    ]
    columns = ["option", "cost_usd", "cumulative_usd"]
    empty = pd.DataFrame(columns=columns, index=summed.index[:0])
    frame = pd.concat(parts) if parts else empty
    frame.index.name = "period"
    frame.attrs = dict(summed.attrs)
    return frame


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


#: Table name → function, for ``Comparison.to_csv``, ``llmcost compare --csv`` and Parquet;
#: ``options`` has ``option``, ``horizon`` has ``period`` as a column there (files have no
#: index).
TABLES: dict[str, Callable[[Any], pd.DataFrame]] = {
    "options": lambda c: options_frame(c).reset_index(),
    "components": components_frame,
    "features": features_frame,
    "horizon": lambda c: horizon_frame(c).reset_index(),
    "assumptions": assumptions_frame,
    "sources": sources_frame,
}
