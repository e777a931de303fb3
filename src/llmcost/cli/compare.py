"""``llmcost compare SCENARIO.toml [--json] [--as-of DATE] [--csv FILE] [--xlsx FILE]``.

The side-by-side comparison, optionally also written as CSV and as the finance workbook.

The module is three steps so that more outputs (``--csv``, ``--xlsx``) slot in: flags in
:func:`add_arguments`, the comparison from :func:`comparison_from_args`, and what is printed
from :func:`render_text` / :meth:`Comparison.to_dict` in :func:`handle`.
"""

from __future__ import annotations

import argparse
import math
import textwrap
import warnings
from typing import TYPE_CHECKING, Any

from .._core.errors import InvalidInputError, StaleCatalogWarning
from ._common import DEFAULT_DRAWS, DEFAULT_SEED, Output
from ._measured import add_measured_argument, apply_measured
from ._scenario import add_scenario_arguments, load_from_args

if TYPE_CHECKING:
    from ..scenario import Comparison
    from ..scenario.verdict import Verdict


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``compare`` sub-command."""
    parser = subparsers.add_parser(
        "compare",
        help="compare the options of a scenario: monthly cost, components, cheapest",
        description="Monthly cost of each option of a scenario file (TOML), its components, "
        "$ per 1M tokens, GPUs, utilization, feasibility; the cheapest is marked with *.",
    )
    add_arguments(parser)
    parser.set_defaults(handler=handle)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The flags of ``compare``."""
    add_scenario_arguments(parser)
    add_measured_argument(parser)
    # -- files (export helper) --
    parser.add_argument("--csv", metavar="FILE", help="also write the options table as CSV")
    parser.add_argument(
        "--xlsx",
        metavar="FILE",
        help="also write the finance workbook (.xlsx: named assumptions, live formulas)",
    )
    parser.add_argument("--force", action="store_true", help="replace existing --csv/--xlsx files")
    parser.add_argument(
        "--by",
        choices=("month", "quarter", "year"),
        help="also show the horizon's cost per month, fiscal quarter or fiscal year "
        "(fiscal years start in workload.fiscal_year_start_month)",
    )


def comparison_from_args(args: argparse.Namespace) -> Comparison:
    """Load the scenario and the catalog named by ``args`` and compare."""
    from ..scenario import compare

    scenario, as_of, catalog = load_from_args(args)
    scenario = apply_measured(scenario, getattr(args, "measured", []))
    with warnings.catch_warnings():
        # stale prices are reported in each option's warnings (text notes and JSON) already
        warnings.simplefilter("ignore", StaleCatalogWarning)
        return compare(scenario, as_of=as_of, catalog=catalog)


def render_text(result: Comparison, summary: Verdict | None = None) -> str:
    """The readable report.

    The verdict, the table, each option's components, warnings, provenance.
    """
    from .._core.display import text_table

    when = result.as_of.isoformat() if result.as_of else "latest prices"
    lines = [
        f"{result.scenario} — {when}, catalog {result.catalog_version}",
        "",
        *([textwrap.fill(summary.sentence, 100), ""] if summary is not None else []),
        text_table(result.table_rows()),
        "",
        f"* cheapest feasible option: {result.cheapest or 'none'}",
        *[f"- {u} (left out)" for u in result.unavailable],
        "",
        "Components (USD/month):",
    ]
    for o in result.options:
        parts = ", ".join(
            f"{k.removesuffix('_usd')} {_amount(v)}" for k, v in o.components.items() if v != 0
        )
        lines.append(f"  {o.name}: {parts or '0'}")
    lines += _quoted_lines(result)
    horizon = [
        f"  {o.name}: {_money(o.horizon_cumulative_usd[-1])} cumulative, NPV {_money(o.npv_usd)}"
        for o in result.options
    ]
    periods = result.periods
    lines += [
        "",
        f"Over {result.horizon_months} months, {periods[0]} – {periods[-1]} "
        f"(discount {result.discount_rate_per_year:.1%}/yr):",
        *horizon,
        "",
        f"{len(result.assumptions)} defaults used and {len(result.catalog_rows)} catalog rows "
        "(sources, dates): see --json",
    ]
    return "\n".join(lines)


def _quoted_lines(result: Comparison) -> list[str]:
    """Blended 3:1 and per-request figures, and self-hosted GPU cost at capacity."""
    lines = [
        "",
        "Quoted figures (whole monthly cost per 1M output / per 1M input tokens; blended: API "
        "prices at input:output 3:1, self-hosted at the workload's ratio):",
    ]
    for o in result.options:
        text = (
            f"  {o.name}: {_price(o.usd_per_m_output_tokens)}/1M out, "
            f"{_price(o.usd_per_m_input_tokens)}/1M in, {_price(o.blended_usd_per_mtok)}/1M "
            f"blended, {_price(o.usd_per_request, 5)}/request"
        )
        if o.at_capacity_gpu_usd_per_month is not None:
            text += (
                f"; at capacity (GPU time only, {_price(o.at_capacity_replicas_avg, 2, '')} "
                f"replicas avg): {_price(o.at_capacity_usd_per_m_output_tokens)}/1M out"
            )
        lines.append(text)
    return lines


def _price(value: float | None, digits: int = 3, unit: str = "$") -> str:
    return "n/a" if value is None or math.isnan(value) else f"{unit}{value:,.{digits}f}"


def _amount(value: float) -> str:
    """A USD amount rounded to dollars; "n/a" for NaN (an option that does not fit)."""
    return "n/a" if math.isnan(value) else f"{value:,.0f}"


def _money(value: float | None) -> str:
    return "n/a" if value is None or math.isnan(value) else f"${value:,.0f}"


def by_period(result: Comparison, by: str) -> tuple[dict[str, Any], str]:
    """The horizon summed per month, fiscal quarter or fiscal year: JSON member and text."""
    from .._core.display import text_table

    long = result.horizon_frame(by)
    partial = long.attrs.get("partial_periods", [])
    frame = long.pivot(columns="option", values="cost_usd")[[o.name for o in result.options]]
    payload = {
        "by": by,
        "fiscal_year_start_month": result.fiscal_year_start_month,
        "periods": [str(p) for p in frame.index],
        "partial_periods": partial,
        "usd": {name: frame[name].tolist() for name in frame.columns},
    }
    rows = [
        {"period": str(p) + (" (part)" if str(p) in partial else "")}
        | {name: _amount(v) for name, v in zip(frame.columns, values, strict=True)}
        for p, values in zip(frame.index, frame.to_numpy(dtype=float).tolist(), strict=True)
    ]
    title = f"Cost per {by} (USD)"
    if by != "month" and result.fiscal_year_start_month != 1:
        title = f"Cost per fiscal {by} (USD), fiscal years from month "
        title += str(result.fiscal_year_start_month)
    return payload, "\n".join(["", title + ":", text_table(rows)])


def _workbook_analysis(args: argparse.Namespace, result: Comparison) -> Any:
    """The workbook's Break-even and Sensitivity sheets.

    The same analysis as ``llmcost report`` (default uncertainty or the scenario's
    ``[uncertainty]``, 10,000 Monte Carlo draws, seed 0), so the two documents agree; none when
    nothing is uncertain (e.g. zero volume).
    """
    from ..export.report import analyze
    from ..scenario import load_scenario
    from .sensitivity import space_for

    try:
        space = space_for(load_scenario(args.scenario), result.model)[0]
    except InvalidInputError:
        return analyze(result)
    return analyze(result, space=space, monte_carlo_draws=DEFAULT_DRAWS, seed=DEFAULT_SEED)


def handle(args: argparse.Namespace) -> Output:
    """Run ``compare``: JSON payload (docs/architecture.md §4) and the text report."""
    from ..scenario.verdict import verdict

    result = comparison_from_args(args)
    summary = verdict(result)
    payload, text = result.to_dict(), render_text(result, summary)
    payload["verdict"] = summary.to_dict()
    if getattr(args, "by", None):
        payload["horizon_by"], table = by_period(result, args.by)
        text += "\n" + table
    # -- files (export helper) --
    if args.csv or args.xlsx:
        from ..export.files import write_files

        analysis = _workbook_analysis(args, result) if args.xlsx else None
        payload["written"] = write_files(
            result,
            csv=args.csv,
            xlsx=args.xlsx,
            analysis=analysis,
            inputs=[args.scenario],
            force=getattr(args, "force", False),
        )
        text += "".join(f"\nwrote {path}" for path in payload["written"].values())
    return Output(payload=payload, text=text)
