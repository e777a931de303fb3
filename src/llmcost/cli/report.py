"""``llmcost report SCENARIO.toml --out report.html [--xlsx book.xlsx]``: a self-contained report.

The comparison table and components, the cost-vs-volume chart with break-even volumes, the
tornado and Monte Carlo over the scenario's ``[uncertainty]`` table (or the documented default
uncertainties of ``llmcost sensitivity``), the horizon, and the assumptions and sources. HTML
embeds its charts (no external resource); ``--out report.md`` (or ``--format md``) writes
Markdown with the charts as data URIs. ``--xlsx`` also writes the finance workbook — the same
book as ``llmcost compare --xlsx`` (same analysis: the default 10,000 draws and seed).
"""

from __future__ import annotations

import argparse

from .._core.errors import InvalidInputError
from .._core.units import DEFAULT_MEMORY_BUDGET_GB
from ._common import DEFAULT_DRAWS, DEFAULT_SEED, Output
from ._scenario import add_scenario_arguments
from .compare import comparison_from_args
from .sensitivity import space_for


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``report`` sub-command."""
    parser = subparsers.add_parser(
        "report",
        help="write a self-contained HTML or Markdown report of a scenario",
        description="Comparison, cost against volume with break-even points, tornado, Monte "
        "Carlo, horizon, assumptions and sources in one file (charts embedded).",
    )
    add_scenario_arguments(parser)
    parser.add_argument("--out", required=True, metavar="FILE", help="report file (.html or .md)")
    parser.add_argument("--format", help="html or md (default: from the file's suffix)")
    parser.add_argument(
        "--monte-carlo",
        type=int,
        default=DEFAULT_DRAWS,
        metavar="N",
        help=f"Monte Carlo draws (default {DEFAULT_DRAWS:,}; 0 for none)",
    )
    parser.add_argument(
        "--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})"
    )
    parser.add_argument(
        "--memory-budget-gb",
        type=float,
        default=DEFAULT_MEMORY_BUDGET_GB,
        metavar="GB",
        help="memory the Monte Carlo may hold; more draws than fit are reduced per seeded "
        f"block in bounded memory (default {DEFAULT_MEMORY_BUDGET_GB:g} GB)",
    )
    parser.add_argument(
        "--xlsx",
        metavar="FILE",
        help="also write the finance workbook (.xlsx), the same book as compare --xlsx",
    )
    parser.add_argument(
        "--force", action="store_true", help="replace existing --out / --xlsx files"
    )
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> Output:
    """Compare, analyze, write the file; report where it went."""
    from .._core.arguments import whole_arg
    from .._core.display import whole
    from ..analysis.streaming import MAX_STREAM_DRAWS
    from ..export.output import check_target
    from ..export.report import FORMATS, REPORT_SUFFIXES, analyze, write_report
    from ..scenario import load_scenario

    if args.format is not None and args.format not in FORMATS:
        raise InvalidInputError(
            f"--format must be one of {', '.join(FORMATS)}; got {args.format!r}"
        )
    if args.monte_carlo < 0:  # a huge value is shown by its length, not in full
        shown = whole(args.monte_carlo)
        raise InvalidInputError(f"--monte-carlo must be ≥ 0 (0 for none); got {shown}")
    whole_arg(args.monte_carlo, "--monte-carlo", lo=0, hi=MAX_STREAM_DRAWS)  # draws take time
    if not args.memory_budget_gb > 0:
        raise InvalidInputError(f"--memory-budget-gb must be > 0; got {args.memory_budget_gb:g}")
    whole_arg(args.seed, "--seed", lo=0, hi=2**63 - 1)
    out = check_target(
        args.out, "--out", tuple(REPORT_SUFFIXES), inputs=[args.scenario], force=args.force
    )
    if args.xlsx is not None:  # checked before the (long) analysis runs
        check_target(args.xlsx, "--xlsx", (".xlsx",), inputs=[args.scenario], force=args.force)
    fmt = args.format or REPORT_SUFFIXES[out.suffix.lower()]
    comparison = comparison_from_args(args)
    scenario = load_scenario(args.scenario)
    try:
        space = space_for(scenario, comparison.model)[0]
    except InvalidInputError:  # nothing uncertain (e.g. zero volume): no sensitivity sections
        space = None
    analysis = analyze(
        comparison,
        space=space,
        monte_carlo_draws=args.monte_carlo,
        seed=args.seed,
        memory_budget_gb=args.memory_budget_gb,
    )
    path = write_report(
        comparison,
        out,
        fmt,
        analysis=analysis,
        scenario=scenario,
        inputs=[args.scenario],
        force=args.force,
        xlsx=args.xlsx,
    )
    payload = {
        "scenario": comparison.scenario,
        "report": str(path),
        "format": fmt,
        "bytes": path.stat().st_size,
        "cheapest": comparison.cheapest,
        "monte_carlo_draws": args.monte_carlo,
        "monte_carlo_streamed": type(analysis.monte_carlo).__name__ == "StreamingMonteCarloResult",
        "seed": args.seed,
    }
    text = f"wrote {path} ({fmt}, {payload['bytes']:,} bytes)"
    if args.xlsx is not None:
        payload["xlsx"] = str(args.xlsx)
        text += f"\nwrote {args.xlsx}"
    return Output(payload, text)
