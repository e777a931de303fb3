"""``llmcost breakeven SCENARIO.toml [--variable NAME] [--json]``: where options cost the same.

For every pair of options, every crossing of their monthly costs as one input varies over a
search range (default: the scenario's value ÷ 100 to × 100 on a log scale for volumes; 0–1 for
fractions; see :func:`default_search_range`), the first crossing and the sustained one.
"""

from __future__ import annotations

import argparse
import math
from typing import TYPE_CHECKING, Any

from .._core.errors import InvalidInputError
from ._common import Output, format_table
from ._scenario import add_scenario_arguments, model_from_args

if TYPE_CHECKING:
    from ..analysis.breakeven import BreakevenResult
    from ..scenario import ScenarioModel

DEFAULT_VARIABLE = "requests_per_month"
#: Volumes are searched from the scenario's value ÷ SPAN to × SPAN.
SPAN = 100.0


def baseline_value(model: ScenarioModel, variable: str) -> float | None:
    """The scenario's value of ``variable`` (a global name takes the first option's value)."""
    base = model.baseline()
    if variable in base:
        return base[variable]
    for name in model.option_names:
        if f"{name}.{variable}" in base:
            return base[f"{name}.{variable}"]
    return None


def default_search_range(model: ScenarioModel, variable: str) -> tuple[float, float, str]:
    """(lo, hi, scale) for ``variable``: volumes and multipliers over decades around the
    scenario's value (log scale), fractions over [0, 1], other inputs from 0 to 10 × value."""
    if variable not in model.variables:
        model.evaluate({variable: 0.0})  # raises: unknown input, did you mean …
    short = variable.rsplit(".", 1)[-1]
    value = baseline_value(model, variable)
    if short in ("requests_per_month", "tokens_per_month"):
        v = value if value and value > 0 else 1e6
        return v / SPAN, v * SPAN, "log"
    if short.endswith("_multiplier"):
        return 0.05, 20.0, "log"
    if short == "target_utilization":
        return 0.01, 1.0, "linear"
    if short.endswith("_fraction"):
        return 0.0, 1.0, "linear"
    if value is None or not math.isfinite(value) or value <= 0:
        raise InvalidInputError(
            f"no default search range for {variable!r} (no positive value in the scenario); "
            "give --lo and --hi"
        )
    return 0.0, 10.0 * value, "linear"


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``breakeven`` sub-command."""
    parser = subparsers.add_parser(
        "breakeven",
        help="where two options cost the same, as one input varies (all crossings)",
        description="Every crossing of each pair of options' monthly costs as one input "
        "varies over a range; whole replicas make costs step functions, so there can be "
        "several. 'sustained' is the last crossing: above it the same option stays cheaper.",
    )
    add_scenario_arguments(parser)
    parser.add_argument(
        "--variable",
        default=DEFAULT_VARIABLE,
        help=f"input to vary (default {DEFAULT_VARIABLE}); 'option.input' for one option",
    )
    parser.add_argument("--lo", type=float, help="start of the search range")
    parser.add_argument("--hi", type=float, help="end of the search range")
    parser.add_argument("--scale", choices=("linear", "log"), help="grid spacing")
    parser.add_argument(
        "--grid", type=int, default=4097, help="grid points of the first pass (default 4097)"
    )
    parser.set_defaults(handler=handle)


def pair_payload(r: BreakevenResult) -> dict[str, Any]:
    """One pair in the CLI's JSON shape (NaN → null)."""
    d = r.to_dict()

    def clean(x: float) -> float | None:
        return x if math.isfinite(x) else None

    return {
        "option_a": d["option_a"],
        "option_b": d["option_b"],
        "crossings": d["crossings"],
        "cheaper_above": d["cheaper_above"],
        "jump": d["jump"],
        "first": clean(d["first"]),
        "sustained": clean(d["sustained"]),
        "sustained_winner": d["sustained_winner"],
        "cheaper_at_start": d["cheaper_at_start"],
    }


def handle(args: argparse.Namespace) -> Output:
    """Solve every pair and render."""
    from ..analysis.breakeven import breakeven_pairs

    scenario, model = model_from_args(args)
    if len(model.option_names) < 2:
        raise InvalidInputError("break-even needs a scenario with at least two options")
    if args.lo is not None and args.hi is not None:  # no default needed (there may be none)
        model.evaluate({args.variable: args.lo})  # raises on an unknown name, did you mean …
        lo, hi, scale = args.lo, args.hi, args.scale or "linear"
    else:
        lo, hi, scale = default_search_range(model, args.variable)
        lo = args.lo if args.lo is not None else lo
        hi = args.hi if args.hi is not None else hi
        scale = args.scale or scale
    results = breakeven_pairs(
        model,
        args.variable,
        lo,
        hi,
        options=list(model.option_names),
        n_grid=args.grid,
        scale=scale,
    )
    payload = {
        "scenario": scenario.name,
        "variable": args.variable,
        "baseline": baseline_value(model, args.variable),
        "search_range": [lo, hi],
        "scale": scale,
        "pairs": [pair_payload(r) for r in results],
    }
    return Output(payload, render_text(payload))


def _fmt(x: float | None) -> str:
    """A readable number: 4,690,350 rather than 4.69035e+06; 0.3812 for fractions."""
    if x is None:
        return "never"
    return f"{x:,.0f}" if abs(x) >= 1000 else f"{x:.4g}"


def _baseline(x: float | None) -> str:
    """The scenario's value; "n/a" when it has none (features differ, or NaN: no cap)."""
    return "n/a" if x is None or not math.isfinite(x) else _fmt(x)


def render_text(payload: dict[str, Any]) -> str:
    """Readable summary: one line per pair, then every crossing."""
    lo, hi = payload["search_range"]
    lines = [
        f"{payload['scenario']}: break-even in {payload['variable']} over "
        f"[{_fmt(lo)}, {_fmt(hi)}] ({payload['scale']}); scenario value "
        f"{_baseline(payload['baseline'])}",
        "",
    ]
    rows = []
    for p in payload["pairs"]:
        rows.append(
            {
                "pair": f"{p['option_a']} vs {p['option_b']}",
                "crossings": len(p["crossings"]),
                "first": _fmt(p["first"]),
                "sustained": _fmt(p["sustained"]),
                "cheaper above sustained": p["sustained_winner"] or "tie",
            }
        )
    lines.append(format_table(rows))
    if any(p["crossings"] for p in payload["pairs"]):
        lines += ["", "Crossings (value → cheaper above it):"]
    for p in payload["pairs"]:
        if p["crossings"]:
            steps = ", ".join(
                f"{_fmt(x)} → {w}{' (step)' if j else ''}"
                for x, w, j in zip(p["crossings"], p["cheaper_above"], p["jump"], strict=True)
            )
            lines.append(f"  {p['option_a']} vs {p['option_b']}: {steps}")
    return "\n".join(lines)
