"""``llmcost breakeven SCENARIO.toml [--variable NAME] [--range LO:HI] [--json]``.

For every pair of options, every change of the cheaper one as one input varies — a
``crossing`` where the costs are equal, a ``jump`` where a step (a replica added, an option
becoming infeasible) changes the order — over the default range of
:func:`llmcost.scenario.breakeven.default_search_range` (the same one ``llmcost report`` uses)
or the range given. The JSON is :meth:`ScenarioBreakeven.to_dict`.
"""

from __future__ import annotations

import argparse
from typing import Any

from ._common import Output, format_table
from ._scenario import add_scenario_arguments, model_from_args

__all__ = ["register"]


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``breakeven`` sub-command."""
    parser = subparsers.add_parser(
        "breakeven",
        help="where two options cost the same, as one input varies (all crossings)",
        description="Every crossing and jump of each pair of options' monthly costs as one "
        "input varies over a range; whole replicas make costs step functions, so there can be "
        "several. 'sustained' is the last one: above it the same option stays cheaper.",
    )
    add_scenario_arguments(parser)
    parser.add_argument(
        "--variable",
        help="input to vary (default: the volume, requests_per_month); 'option.input' for one "
        "option",
    )
    parser.add_argument(
        "--range", metavar="LO:HI", help="search range, e.g. 1e5:1e9 (default: see docs)"
    )
    parser.add_argument("--lo", type=float, help="start of the search range")
    parser.add_argument("--hi", type=float, help="end of the search range")
    parser.add_argument("--scale", choices=("linear", "log"), help="grid spacing")
    parser.add_argument(
        "--grid",
        type=int,
        help="grid points of the first pass (default: llmcost.scenario.breakeven.DEFAULT_GRID; "
        "steps are exact anyway)",
    )
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> Output:
    """Solve every pair and render."""
    from ..scenario.breakeven import DEFAULT_GRID, DEFAULT_VARIABLE, parse_range, scenario_breakeven

    scenario, model = model_from_args(args)
    lo, hi = parse_range(args.range) if args.range else (args.lo, args.hi)
    result = scenario_breakeven(
        model,
        scenario=scenario.name,
        variable=args.variable or DEFAULT_VARIABLE,
        lo=lo,
        hi=hi,
        scale=args.scale,
        n_grid=DEFAULT_GRID if args.grid is None else args.grid,
    )
    payload = result.to_dict()
    return Output(payload, render_text(payload))


def _fmt(x: float | None) -> str:
    """A readable number: 4,690,350 rather than 4.69035e+06; 0.3812 for fractions."""
    if x is None:
        return "never"
    return f"{x:,.0f}" if abs(x) >= 1000 else f"{x:.4g}"


def render_text(payload: dict[str, Any]) -> str:
    """Readable summary: one line per pair, then every crossing and jump."""
    lo, hi = payload["search_range"]
    base = payload["baseline"]
    lines = [
        f"{payload['scenario']}: break-even in {payload['variable']} over "
        f"[{_fmt(lo)}, {_fmt(hi)}] ({payload['scale']}); scenario value "
        f"{'n/a' if base is None else _fmt(base)}",
        f"range: {payload['range_reason']}",
        "",
    ]
    rows = [
        {
            "pair": f"{p['option_a']} vs {p['option_b']}",
            "changes": len(p["crossings"]),
            "first": _fmt(p["first"]),
            "sustained": _fmt(p["sustained"]),
            "cheaper above sustained": p["sustained_winner"] or "tie",
        }
        for p in payload["pairs"]
    ]
    lines.append(format_table(rows))
    if any(p["crossings"] for p in payload["pairs"]):
        lines += ["", "Changes (value → cheaper above it; 'jump': at a step, no equality):"]
    for p in payload["pairs"]:
        if p["crossings"]:
            steps = ", ".join(
                f"{_fmt(c['at'])} → {c['winner_above']}{' (jump)' if c['kind'] == 'jump' else ''}"
                for c in p["crossings"]
            )
            lines.append(f"  {p['option_a']} vs {p['option_b']}: {steps}")
    return "\n".join(lines)
