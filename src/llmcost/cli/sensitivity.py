"""``llmcost sensitivity SCENARIO.toml [--monte-carlo N] [--seed S] [--growth] [--json]``.

A tornado table (each uncertain input at its P10 and P90, the others at the scenario's values)
and, with ``--monte-carlo N``, the P5/P50/P95 of each option's monthly cost (over the draws
where it is feasible; the share where it is not is listed) and the probability that each
option is the cheapest. Uncertain inputs come from the scenario's ``[uncertainty]``
table; without one, the defaults of
:func:`llmcost.scenario.uncertainty.default_uncertainty` are used and listed. Baselines are
always the scenario's values. ``--growth`` instead draws the growth rate and costs the horizon
(:mod:`llmcost.cli._growth`).
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

import numpy as np

from .._core.errors import InvalidInputError
from .._core.units import DEFAULT_MEMORY_BUDGET_GB
from ._common import DEFAULT_SEED, Output, format_table
from ._growth import add_growth_arguments, handle_growth
from ._scenario import add_scenario_arguments, model_from_args

if TYPE_CHECKING:
    from ..analysis.space import ParameterSpace
    from ..scenario import ScenarioModel
    from ..scenario.config import Scenario

#: ``--sampling`` choices: llmcost.analysis.space.SAMPLING_METHODS, spelled out so that
#: building the parser imports no scipy (a test checks they agree).
SAMPLING_CHOICES = ("monte_carlo", "lhs", "sobol")
#: Draws solved for the break-even distribution (the first ones of the Monte Carlo sample).
MAX_BREAKEVEN_DRAWS = 10_000
BREAKEVEN_GRID = 257


def space_for(scenario: Scenario, model: ScenarioModel) -> tuple[ParameterSpace, dict[str, str]]:
    """The scenario's uncertain inputs and the source of each (see :func:`scenario_space`)."""
    from ..scenario.uncertainty import scenario_space

    found = scenario_space(scenario, model)
    return found.space, found.sources


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``sensitivity`` sub-command."""
    parser = subparsers.add_parser(
        "sensitivity",
        help="tornado table and Monte Carlo over the scenario's uncertain inputs",
        description="Which inputs move the result most (tornado: each uncertain input at its "
        "P10/P90), and with --monte-carlo N the P5/P50/P95 of each option's monthly cost and "
        "the probability that each is cheapest; with --growth, the horizon's cost over draws "
        "of the growth rate. Same --seed, same output.",
    )
    add_scenario_arguments(parser)
    parser.add_argument("--monte-carlo", type=int, metavar="N", help="draws (e.g. 100000)")
    parser.add_argument(
        "--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})"
    )
    parser.add_argument(
        "--sampling",
        choices=SAMPLING_CHOICES,
        default="monte_carlo",
        help="how --monte-carlo draws: plain random, Latin hypercube or scrambled Sobol'",
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
    add_growth_arguments(parser)
    add_scale_arguments(parser)
    parser.set_defaults(handler=handle)


def add_scale_arguments(parser: argparse.ArgumentParser) -> None:
    """``--memory-budget-gb``, ``--stream``, ``--backend`` and ``--scheduler``."""
    parser.add_argument(
        "--memory-budget-gb",
        type=float,
        default=DEFAULT_MEMORY_BUDGET_GB,
        metavar="GB",
        help=f"memory the Monte Carlo may hold (default {DEFAULT_MEMORY_BUDGET_GB:g} GB)",
    )
    parser.add_argument(
        "--stream",
        action="store_true",
        help="reduce per seeded block (mean, std, exact percentiles, P(cheapest)) in bounded "
        "memory: any N; the draws are block-seeded, so they differ from the default run's",
    )
    parser.add_argument(
        "--backend",
        choices=("numpy", "dask"),
        default="numpy",
        help="where the blocks run: here, or on dask (extra llmcost[dask])",
    )
    parser.add_argument("--scheduler", metavar="ADDRESS", help="dask scheduler, tcp://host:8786")


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
    from ..analysis.breakeven_draws import breakeven_per_draw
    from ..analysis.montecarlo import summarize_draws

    first, second = _contenders(model)
    from ..scenario.breakeven import default_search_range

    rng = default_search_range(model, variable)
    lo, hi, scale = rng.lo, rng.hi, rng.scale
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
    """Tornado and Monte Carlo (with ``--monte-carlo``), or the growth draws (``--growth``)."""
    from .._core.display import whole
    from ..analysis.oat import tornado
    from ..analysis.streaming import MAX_STREAM_DRAWS

    if args.growth:
        return handle_growth(args)
    if args.growth_sd is not None:
        raise InvalidInputError("--growth-sd needs --growth")

    if args.breakeven is not None and args.monte_carlo is None:
        raise InvalidInputError("--breakeven needs --monte-carlo N")
    if (args.stream or args.backend != "numpy") and args.monte_carlo is None:
        raise InvalidInputError("--stream and --backend need --monte-carlo N")
    if args.scheduler and args.backend != "dask":
        raise InvalidInputError("--scheduler needs --backend dask")
    if args.monte_carlo is not None and not 1 <= args.monte_carlo <= MAX_STREAM_DRAWS:
        raise InvalidInputError(
            f"--monte-carlo must be between 1 and the memory budget's limit (or up to "
            f"{MAX_STREAM_DRAWS:,} with --stream); got {whole(args.monte_carlo)}"
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
        payload["monte_carlo"] = _monte_carlo(args, model, space)
        if args.breakeven is not None:
            n = min(args.monte_carlo, MAX_BREAKEVEN_DRAWS) if args.stream else args.monte_carlo
            payload["breakeven"] = _breakeven_distribution(
                model, space, args.breakeven, n, args.seed
            )
    return Output(payload, render_text(payload))


def _monte_carlo(args: argparse.Namespace, model: ScenarioModel, space: ParameterSpace) -> Any:
    """Every draw in memory (within ``--memory-budget-gb``).

    Or per-block reductions with ``--stream``; on ``--backend dask`` the blocks run on
    ``--scheduler``.
    """
    from .._core.display import whole
    from ..analysis.blocks import bytes_per_row, check_full_array_fits, chunk_rows_for_budget
    from ..analysis.montecarlo import monte_carlo
    from ..analysis.streaming import monte_carlo_stream

    options = list(model.option_names)
    where = {"backend": args.backend, "scheduler": args.scheduler}
    if args.stream and args.sampling != "monte_carlo":
        raise InvalidInputError(
            f"--stream draws plain Monte Carlo blocks; --sampling {args.sampling} needs the "
            "whole design in memory (leave out --stream)"
        )
    if args.stream:
        mc: Any = monte_carlo_stream(
            model,
            space,
            args.monte_carlo,
            seed=args.seed,
            options=options,
            memory_budget_gb=args.memory_budget_gb,
            **where,
        )
    else:
        columns = len(space.names) + len(options)
        check_full_array_fits(
            args.monte_carlo,
            columns,
            args.memory_budget_gb,
            f"--monte-carlo {whole(args.monte_carlo)} (add --stream for more)",
        )
        probe = space.sample(min(args.monte_carlo, 2_048), args.seed)
        chunk = chunk_rows_for_budget(bytes_per_row(model, probe), args.memory_budget_gb)
        mc = monte_carlo(
            model,
            space,
            args.monte_carlo,
            seed=args.seed,
            options=options,
            chunk_rows=chunk,
            method=args.sampling,
            **where,
        )
    return {
        "n": mc.n,
        "seed": mc.seed,
        "sampling": args.sampling,
        "monthly_cost_usd": mc.summary,
        "probability_cheapest": mc.probability_cheapest,
    }


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
