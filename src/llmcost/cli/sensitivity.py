"""``llmcost sensitivity SCENARIO.toml [--monte-carlo N] [--seed S] [--json]``.

A tornado table (each uncertain input at its P10 and P90, the others at the scenario's values)
and, with ``--monte-carlo N``, the P5/P50/P95 of each option's monthly cost (over the draws
where it is feasible; the share where it is not is listed) and the probability that each
option is the cheapest. Uncertain inputs come from the scenario's ``[uncertainty]``
table; without one, the defaults of :func:`default_uncertainty` are used and listed.
"""

from __future__ import annotations

import argparse
from typing import Any

import numpy as np

from .._core.errors import InvalidInputError
from ..analysis.breakeven_draws import breakeven_per_draw
from ..analysis.montecarlo import monte_carlo, summarize_draws
from ..analysis.oat import tornado
from ..analysis.space import ParameterSpace
from ..scenario import ScenarioModel, check_uncertainty_ranges
from ..scenario.config import Scenario
from ._common import Output, format_table
from ._scenario import add_scenario_arguments, model_from_args
from .breakeven import default_search_range

DEFAULT_SEED = 0
MAX_DRAWS = 10_000_000
#: Draws solved for the break-even distribution (the first ones of the Monte Carlo sample).
MAX_BREAKEVEN_DRAWS = 10_000
BREAKEVEN_GRID = 257


def default_uncertainty(model: ScenarioModel) -> dict[str, tuple[dict[str, Any], str]]:
    """Default distributions, each with the reason for it, for a scenario with no table.

    Volume: lognormal with P5/P95 at ½× and 2× the plan. API prices: triangular 0.6–1.1× (list
    prices have mostly fallen). Self-hosted capacity: triangular 0.7–1.15× (the performance
    model's error band). Rented GPU price: triangular 0.7–1.3×; owned purchase price 0.85–1.2×;
    engineering effort 0.5–2×.
    """
    base = model.baseline()
    out: dict[str, tuple[dict[str, Any], str]] = {}
    rpm = base.get("requests_per_month", 0.0)
    if rpm > 0:
        out["requests_per_month"] = (
            {"dist": "lognormal", "p5": rpm / 2, "p95": rpm * 2},
            "demand forecast: P5/P95 at ½× and 2× the plan",
        )
    for ev in model.evaluators:
        n = ev.name
        if ev.kind == "api":
            out[f"{n}.api_price_multiplier"] = (
                {"dist": "triangular", "low": 0.6, "mode": 1.0, "high": 1.1},
                "API list prices have mostly fallen; a small rise allowed",
            )
            continue
        out[f"{n}.capacity_multiplier"] = (
            {"dist": "triangular", "low": 0.7, "mode": 1.0, "high": 1.15},
            "error band of the performance model vs measured serving",
        )
        for key, low, high, why in (
            ("gpu_usd_per_hour", 0.7, 1.3, "GPU rental prices vary by provider and month"),
            ("purchase_usd_per_gpu", 0.85, 1.2, "server quotes vary"),
            ("engineering_fte", 0.5, 2.0, "operating effort is uncertain"),
        ):
            value = base.get(f"{n}.{key}")
            if value is not None and np.isfinite(value) and value > 0:
                out[f"{n}.{key}"] = (
                    {"dist": "triangular", "low": low * value, "mode": value, "high": high * value},
                    why,
                )
    return out


def space_for(scenario: Scenario, model: ScenarioModel) -> tuple[ParameterSpace, dict[str, str]]:
    """The scenario's ``[uncertainty]`` table as a space (or the defaults), with the source of
    each input ("scenario" or the default's reason). Raises before any draw if a distribution
    can leave its input's allowed range (:func:`check_uncertainty_ranges`)."""
    if scenario.uncertainty:
        spec = {k: v.model_dump(exclude_none=True) for k, v in scenario.uncertainty.items()}
        try:
            space = ParameterSpace.from_dict(spec)
        except InvalidInputError as exc:
            raise InvalidInputError(f"the scenario's [uncertainty] table: {exc}") from None
        check_uncertainty_ranges(space)
        return space, dict.fromkeys(spec, "scenario [uncertainty]")
    defaults = default_uncertainty(model)
    if not defaults:
        raise InvalidInputError("no uncertain inputs: add an [uncertainty] table to the scenario")
    space = ParameterSpace.from_dict({k: spec for k, (spec, _) in defaults.items()})
    check_uncertainty_ranges(space, prefix="default uncertainty of ")
    return space, {k: f"default: {why}" for k, (_, why) in defaults.items()}


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``sensitivity`` sub-command."""
    parser = subparsers.add_parser(
        "sensitivity",
        help="tornado table and Monte Carlo over the scenario's uncertain inputs",
        description="Which inputs move the result most (tornado: each uncertain input at its "
        "P10/P90), and with --monte-carlo N the P5/P50/P95 of each option's monthly cost and "
        "the probability that each is cheapest. Same --seed, same output.",
    )
    add_scenario_arguments(parser)
    parser.add_argument("--monte-carlo", type=int, metavar="N", help="draws (e.g. 100000)")
    parser.add_argument(
        "--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})"
    )
    parser.add_argument(
        "--output",
        help="tornado output: an option's name (its monthly cost) or 'difference' (default: "
        "the cheapest self-hosted option's cost minus the cheapest API option's, or the "
        "runner-up's minus the cheapest's when the scenario has one kind)",
    )
    parser.add_argument(
        "--relative", type=float, help="move each input ±this share of its value instead of P10/P90"
    )
    parser.add_argument(
        "--breakeven",
        nargs="?",
        const="requests_per_month",
        metavar="VARIABLE",
        help="with --monte-carlo: also the distribution of the break-even VARIABLE (default "
        f"requests_per_month) between the same two options, on up to "
        f"{MAX_BREAKEVEN_DRAWS:,} draws",
    )
    parser.set_defaults(handler=handle)


def _contenders(model: ScenarioModel) -> tuple[str, str]:
    """(incumbent, challenger): see :meth:`ScenarioModel.contenders`."""
    pair = model.contenders()
    if pair is None:
        raise InvalidInputError("the scenario needs at least two feasible options to compare")
    challenger, incumbent = pair
    return incumbent, challenger


def _breakeven_distribution(
    model: ScenarioModel, space: ParameterSpace, variable: str, n: int, seed: int
) -> dict[str, Any]:
    if len(model.option_names) < 2:
        raise InvalidInputError("--breakeven needs a scenario with at least two options")
    first, second = _contenders(model)
    lo, hi, scale = default_search_range(model, variable)
    m = min(n, MAX_BREAKEVEN_DRAWS)
    draws = {k: v[:m] for k, v in space.sample(n, seed).items()}
    r = breakeven_per_draw(
        model,
        variable,
        lo,
        hi,
        option_a=first,
        option_b=second,
        draws=draws,
        n_grid=BREAKEVEN_GRID,
        scale=scale,
    )
    return {
        "variable": variable,
        "option_a": first,
        "option_b": second,
        "draws": m,
        "search_range": [lo, hi],
        "scale": scale,
        "first": summarize_draws(r.first),
        "sustained": summarize_draws(r.sustained),
        "probability_b_cheaper_at_hi": float(np.mean(r.b_cheaper_at_hi)),
    }


def _tornado_output(model: ScenarioModel, choice: str | None) -> tuple[Any, str]:
    names = list(model.option_names)
    if choice and choice != "difference":
        if choice not in names:
            raise InvalidInputError(
                f"--output must be 'difference' or an option name ({', '.join(names)}); "
                f"got {choice!r}"
            )
        return choice, f"{choice} monthly cost [USD]"
    if len(names) < 2:
        return names[0], f"{names[0]} monthly cost [USD]"
    first, second = _contenders(model)

    def diff(o: Any) -> Any:
        return o[second] - o[first]

    return diff, f"{second} - {first} monthly cost [USD]"


def handle(args: argparse.Namespace) -> Output:
    """Tornado (always) and Monte Carlo (with ``--monte-carlo``)."""
    if args.breakeven is not None and args.monte_carlo is None:
        raise InvalidInputError("--breakeven needs --monte-carlo N")
    if args.monte_carlo is not None and not 1 <= args.monte_carlo <= MAX_DRAWS:
        raise InvalidInputError(
            f"--monte-carlo must be between 1 and {MAX_DRAWS:,}; got {args.monte_carlo}"
        )
    scenario, model = model_from_args(args)
    space, sources = space_for(scenario, model)
    output, output_name = _tornado_output(model, args.output)
    result = tornado(model, space, output, output_name=output_name, relative=args.relative)
    inputs = [dict(row, source=sources[row["input"]]) for row in space.describe()]
    payload: dict[str, Any] = {
        "scenario": scenario.name,
        "uncertain_inputs": inputs,
        "tornado": result.to_dict(),
    }
    if args.monte_carlo is not None:
        mc = monte_carlo(
            model, space, args.monte_carlo, seed=args.seed, options=list(model.option_names)
        )
        payload["monte_carlo"] = {
            "n": mc.n,
            "seed": mc.seed,
            "monthly_cost_usd": mc.summary,
            "probability_cheapest": mc.probability_cheapest,
        }
        if args.breakeven is not None:
            payload["breakeven"] = _breakeven_distribution(
                model, space, args.breakeven, args.monte_carlo, args.seed
            )
    return Output(payload, render_text(payload))


def render_text(payload: dict[str, Any]) -> str:
    """Inputs, tornado and Monte Carlo as plain tables."""
    t = payload["tornado"]
    lines = [f"{payload['scenario']}: sensitivity", "", "Uncertain inputs:"]
    lines.append(
        format_table(
            [
                {k: r[k] for k in ("input", "distribution", "baseline", "p5", "p95", "source")}
                for r in payload["uncertain_inputs"]
            ]
        )
    )
    lines += [
        "",
        f"Tornado of {t['output']} (baseline {t['baseline_output']:,.0f}; {t['method']}):",
    ]
    lines.append(
        format_table(
            [
                {
                    "input": r["input"],
                    "low": r["low"],
                    "high": r["high"],
                    "at low": r["output_at_low"],
                    "at high": r["output_at_high"],
                    "swing": r["swing"],
                    "elasticity": r["elasticity"],
                }
                for r in t["rows"]
            ]
        )
    )
    if "monte_carlo" in payload:
        mc = payload["monte_carlo"]
        lines += ["", f"Monte Carlo, {mc['n']:,} draws (seed {mc['seed']}), monthly cost [USD]:"]
        rows = []
        for name, s in mc["monthly_cost_usd"].items():
            rows.append(
                {
                    "option": name,
                    "p5": s["p5"],
                    "p50": s["p50"],
                    "p95": s["p95"],
                    "mean": s["mean"],
                    "P(cheapest)": f"{mc['probability_cheapest'].get(name, 0.0):.1%}",
                    "infeasible": f"{s['undefined_fraction']:.1%}",
                }
            )
        lines.append(format_table(rows))
    if "breakeven" in payload:
        b = payload["breakeven"]
        lines += [
            "",
            f"Break-even {b['variable']}, {b['option_a']} vs {b['option_b']} "
            f"({b['draws']:,} draws, range {b['search_range'][0]:,.6g}–"
            f"{b['search_range'][1]:,.6g}):",
        ]
        rows = [
            {
                "crossing": key,
                "p5": b[key]["p5"],
                "p50": b[key]["p50"],
                "p95": b[key]["p95"],
                "never": f"{b[key]['undefined_fraction']:.1%}",
            }
            for key in ("first", "sustained")
        ]
        lines.append(format_table(rows))
    return "\n".join(lines)
