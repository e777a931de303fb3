"""The machine-readable content of a report: what it shows, and every input behind it.

:func:`report_data` is embedded in the HTML report as ``<script type="application/json"
id="llmcost-data">``. Its ``breakeven`` member is :meth:`ScenarioBreakeven.to_dict` — the very
object ``llmcost breakeven --json`` prints for the scenario — and ``inputs`` restates every
input: the scenario as given, the workload as resolved, each option's model inputs (given or
defaulted), the defaults applied with their sources, the catalog rows used (source, as-of) and
the performance-model basis of each self-hosted option.
"""

from __future__ import annotations

from typing import Any

from .._core.serialize import jsonable

__all__ = ["inputs_payload", "report_data", "workload_inputs"]

#: The version of the embedded JSON's shape.
DATA_FORMAT = "llmcost-report/1"


def workload_inputs(comparison: Any) -> dict[str, Any]:
    """The workload as the model uses it.

    Total volume, per-feature tokens and shares, the daily profile [weights, mean 1] and its
    peak-to-average, growth and horizon.
    """
    mix = comparison.model.mix
    return jsonable(
        {
            "requests_per_month": mix.total_requests_per_month,
            "tokens_per_month": mix.total_mtok_per_month * 1e6,
            "peak_to_average": mix.peak_to_average,
            "hourly_weights": mix.hourly_weights,
            "features": [
                {
                    "name": name,
                    "request_share": mix.request_shares[f],
                    "input_tokens_per_request": mix.input_tokens[f],
                    "output_tokens_per_request": mix.output_tokens[f],
                    "cached_input_fraction": mix.cached_input_fraction[f],
                    "batch_eligible_fraction": mix.batch_eligible_fraction[f],
                }
                for f, name in enumerate(mix.names)
            ],
            "growth_per_month": comparison.growth_per_month,
            "horizon_months": comparison.horizon_months,
            "discount_rate_per_year": comparison.discount_rate_per_year,
        }
    )


def inputs_payload(comparison: Any, scenario: Any = None) -> dict[str, Any]:
    """Every input of the comparison (see the module docstring)."""
    base = comparison.model.baseline()
    options = []
    for o in comparison.options:
        prefix = f"{o.name}."
        options.append(
            {
                "name": o.name,
                "kind": o.kind,
                "model_inputs": {
                    k[len(prefix) :]: v for k, v in base.items() if k.startswith(prefix)
                },
                "basis": o.details,
            }
        )
    return jsonable(
        {
            "scenario_file": None if scenario is None else scenario.model_dump(mode="json"),
            "as_of": comparison.as_of,
            "catalog_version": comparison.catalog_version,
            "workload": workload_inputs(comparison),
            "options": options,
            "defaults_applied": comparison.assumptions,
            "catalog_rows": comparison.catalog_rows,
        }
    )


def report_data(comparison: Any, analysis: Any = None, scenario: Any = None) -> dict[str, Any]:
    """The embedded JSON.

    ``format``, ``scenario``, ``comparison`` (the ``compare --json`` object), ``breakeven`` (the
    ``breakeven --json`` object, or None), ``verdict`` (when the analysis has one) and ``inputs``.
    """
    summary = getattr(analysis, "breakeven_summary", None)
    verdict = getattr(analysis, "verdict", None)
    return {
        "format": DATA_FORMAT,
        "scenario": comparison.scenario,
        "comparison": comparison.to_dict(),
        "breakeven": None if summary is None else summary.to_dict(),
        "verdict": None if verdict is None else verdict.to_dict(),
        "inputs": inputs_payload(comparison, scenario),
    }
