"""``llmcost report SCENARIO.toml --out report.html``: a self-contained report of a comparison.

The comparison table and components, the cost-vs-volume chart with break-even volumes, the
tornado and Monte Carlo over the scenario's ``[uncertainty]`` table (or the documented default
uncertainties of ``llmcost sensitivity``), the horizon, and the assumptions and sources. HTML
embeds its charts (no external resource); ``--out report.md`` (or ``--format md``) writes
Markdown with the charts as data URIs.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from .._core.errors import InvalidInputError
from ..export.report import FORMATS, analyze, write_report
from ..scenario import load_scenario
from ._common import Output
from ._scenario import add_scenario_arguments
from .compare import comparison_from_args
from .sensitivity import DEFAULT_SEED, MAX_DRAWS, space_for

DEFAULT_DRAWS = 10_000


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
    parser.add_argument(
        "--format", choices=FORMATS, help="html or md (default: from the file's suffix)"
    )
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
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> Output:
    """Compare, analyze, write the file; report where it went."""
    if not 0 <= args.monte_carlo <= MAX_DRAWS:
        raise InvalidInputError(
            f"--monte-carlo must be between 0 and {MAX_DRAWS:,}; got {args.monte_carlo}"
        )
    out = Path(args.out)
    if not out.parent.is_dir():
        raise InvalidInputError(f"--out: directory {str(out.parent)!r} does not exist")
    comparison = comparison_from_args(args)
    scenario = load_scenario(args.scenario)
    try:
        space = space_for(scenario, comparison.model)[0]
    except InvalidInputError:  # nothing uncertain (e.g. zero volume): no sensitivity sections
        space = None
    analysis = analyze(comparison, space=space, monte_carlo_draws=args.monte_carlo, seed=args.seed)
    fmt = args.format or ("md" if out.suffix.lower() in (".md", ".markdown") else "html")
    path = write_report(comparison, out, fmt, analysis=analysis, scenario=scenario)
    payload = {
        "scenario": comparison.scenario,
        "report": str(path),
        "format": fmt,
        "bytes": path.stat().st_size,
        "cheapest": comparison.cheapest,
        "monte_carlo_draws": args.monte_carlo,
        "seed": args.seed,
    }
    return Output(payload, f"wrote {path} ({fmt}, {payload['bytes']:,} bytes)")
