"""``llmcost sensitivity SCENARIO.toml --growth [--monte-carlo N] [--growth-sd SD]``.

The horizon's cost when the growth rate is uncertain (:func:`llmcost.scenario.
horizon_monte_carlo`): the rate is drawn ``N`` times around the workload's
``growth_per_month`` with its standard error (the workload's ``growth_per_month_sd``, written
by ``llmcost workload import``, or ``--growth-sd``), and each option's total and NPV over the
horizon are summarized with the probability that it is the cheapest.
"""

from __future__ import annotations

import argparse
from typing import Any

from .._core.errors import InvalidInputError
from ._common import Output, format_table
from ._scenario import load_from_args

__all__ = ["DEFAULT_GROWTH_DRAWS", "add_growth_arguments", "handle_growth"]

#: Draws of ``--growth`` without ``--monte-carlo N``.
DEFAULT_GROWTH_DRAWS = 1000
#: Flags of the input Monte Carlo that ``--growth`` does not take (flag, default).
_NOT_WITH_GROWTH = (
    ("breakeven", None),
    ("stream", False),
    ("backend", "numpy"),
    ("sampling", "monte_carlo"),
    ("output", None),
    ("relative", None),
)


def add_growth_arguments(parser: argparse.ArgumentParser) -> None:
    """Add ``--growth`` and ``--growth-sd``."""
    parser.add_argument(
        "--growth",
        action="store_true",
        help="instead of the tornado: the horizon's total and NPV per option over draws of the "
        f"growth rate (--monte-carlo N draws, default {DEFAULT_GROWTH_DRAWS:,}) around "
        "workload.growth_per_month with its standard error",
    )
    parser.add_argument(
        "--growth-sd",
        type=float,
        metavar="SD",
        help="with --growth: standard error of the growth rate [fraction/month] (default: "
        "the workload's growth_per_month_sd, from llmcost workload import)",
    )


def handle_growth(args: argparse.Namespace) -> Output:
    """Run :func:`~llmcost.scenario.horizon_monte_carlo` for the flags; text and payload."""
    from ..scenario import horizon_monte_carlo

    for flag, default in _NOT_WITH_GROWTH:
        if getattr(args, flag) != default:
            raise InvalidInputError(
                f"--{flag} is not used with --growth (the growth draws have their own output); "
                "leave it out"
            )
    n = DEFAULT_GROWTH_DRAWS if args.monte_carlo is None else args.monte_carlo
    if n < 2:
        raise InvalidInputError(f"--monte-carlo must be ≥ 2 with --growth; got {n}")
    scenario, as_of, catalog = load_from_args(args)
    mc = horizon_monte_carlo(
        scenario,
        n=n,
        seed=args.seed,
        growth_per_month_sd=args.growth_sd,
        as_of=as_of,
        catalog=catalog,
    )
    g = mc.growth
    payload: dict[str, Any] = {
        "scenario": mc.scenario,
        "growth": {
            "n": g.n,
            "seed": g.seed,
            "growth_per_month": g.growth_per_month,
            "growth_per_month_sd": g.growth_per_month_sd,
            "base_requests_per_month": g.base_per_month,
            "clipped_fraction": g.clipped_fraction,
            "horizon_months": mc.horizon_months,
            "volumes": g.to_frame().to_dict("records"),
        },
        "options": mc.to_frame().to_dict("records"),
        "probability_cheapest": mc.probability_cheapest,
    }
    return Output(payload, render_growth(payload))


def render_growth(payload: dict[str, Any]) -> str:
    """The draws, the last month's volume and each option's horizon total as plain tables."""
    g = payload["growth"]
    last = g["volumes"][-1]
    lines = [
        f"{payload['scenario']}: horizon cost over {g['n']:,} draws of the growth rate "
        f"(seed {g['seed']})",
        f"growth {g['growth_per_month']:.4g} ± {g['growth_per_month_sd']:.4g} per month "
        f"(normal; {g['clipped_fraction']:.1%} of draws clipped to the allowed range), "
        f"{g['horizon_months']} months from {g['base_requests_per_month']:,.0f} requests/month",
        f"month {last['month']}: p5 {last['p5_requests_per_month']:,.0f}, p50 "
        f"{last['p50_requests_per_month']:,.0f}, p95 {last['p95_requests_per_month']:,.0f} "
        "requests/month",
        "",
        "Cost over the horizon [USD]:",
    ]
    rows = [
        {
            "option": r["option"],
            "p5": r["p5_total_usd"],
            "p50": r["p50_total_usd"],
            "p95": r["p95_total_usd"],
            "mean": r["mean_total_usd"],
            "mean NPV": r["mean_npv_usd"],
            "P(cheapest)": f"{r['probability_cheapest']:.1%}",
            "infeasible": f"{r['infeasible_fraction']:.1%}",
        }
        for r in payload["options"]
    ]
    lines.append(format_table(rows))
    return "\n".join(lines)
