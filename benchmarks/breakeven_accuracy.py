"""The break-even engine against a dense grid, and the report's charts as PNG files.

1. For every bundled scenario and every pair of options, the sign changes of the cost difference
   on a 2·10^6-point log grid over 10^5–10^9 requests/month, against the crossings and jumps
   the engine reports over the same range (when issue #13 was filed, the old solver found 55 of
   73). A change is
   matched when a reported one lies within 10^-5 (relative) of the grid cell's middle.
2. Iman–Conover: the Spearman ρ reached for targets −0.9 … 0.9 at n = 10^5.
3. With ``--charts DIR``: the report's charts of the chat-assistant scenario as PNG files (cost
   against volume, break-even map, cumulative cost, tornado), for a person to look at.

Run: ``python benchmarks/breakeven_accuracy.py [--json] [--charts DIR]``.
"""

from __future__ import annotations

import argparse
import json
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np
from scipy import stats

from llmcost.analysis import ParameterSpace, breakeven_pairs
from llmcost.analysis.crossings import sign_of_difference
from llmcost.scenario import compare, load_scenario, scenario_model

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = sorted((ROOT / "examples" / "scenarios").glob("*.toml"))
LO, HI, DENSE = 1e5, 1e9, 2_000_000


def _grid_changes(a: np.ndarray, b: np.ndarray, x: np.ndarray) -> np.ndarray:
    s = sign_of_difference(a, b)
    nz = np.flatnonzero(s != 0)
    left, right = nz[:-1], nz[1:]
    change = s[left] != s[right]
    return np.sqrt(x[left[change]] * x[right[change]])


def engine_vs_grid() -> dict[str, Any]:
    """Changes found by the dense grid, by the engine, matched, and the engine's time."""
    x = np.geomspace(LO, HI, DENSE)
    grid_total = engine_total = matched = 0
    seconds = 0.0
    per_scenario = {}
    for path in SCENARIOS:
        model = scenario_model(load_scenario(path))
        names = list(model.option_names)
        t0 = time.perf_counter()
        results = breakeven_pairs(
            model, "requests_per_month", LO, HI, options=names, scale="log", n_grid=4097
        )
        seconds += time.perf_counter() - t0
        costs = model({"requests_per_month": x})
        g = e = m = 0
        for r in results:
            changes = _grid_changes(costs[r.option_a], costs[r.option_b], x)
            g += changes.size
            e += r.crossings.size
            m += sum(
                bool(r.crossings.size and np.min(np.abs(r.crossings - v) / v) <= 1e-5)
                for v in changes
            )
        per_scenario[path.stem] = {"grid": g, "engine": e, "matched": m}
        grid_total, engine_total, matched = grid_total + g, engine_total + e, matched + m
    return {
        "range": [LO, HI],
        "dense_grid_points": DENSE,
        "grid_changes": grid_total,
        "engine_changes": engine_total,
        "matched_within_1e-5": matched,
        "engine_seconds_all_scenarios": round(seconds, 3),
        "per_scenario": per_scenario,
    }


def iman_conover(n: int = 100_000) -> dict[str, float]:
    """Target Spearman ρ → reached ρ."""
    out = {}
    for rho in (-0.9, -0.6, -0.3, 0.3, 0.6, 0.9):
        space = ParameterSpace.from_dict(
            {
                "a": {"dist": "triangular", "low": 1.8, "mode": 2.5, "high": 3.5},
                "b": {"dist": "uniform", "low": 0.3, "high": 0.9},
            },
            correlation={("a", "b"): rho},
        )
        d = space.sample(n, seed=1)
        out[f"{rho:+.1f}"] = round(float(stats.spearmanr(d["a"], d["b"])[0]), 4)
    return out


def write_charts(directory: Path) -> list[str]:
    """The report's charts of the chat assistant as PNG files."""
    from llmcost.cli.sensitivity import space_for
    from llmcost.export import plots
    from llmcost.export.report import analyze

    scenario = load_scenario(ROOT / "examples" / "scenarios" / "chat-assistant.toml")
    comparison = compare(scenario)
    analysis = analyze(comparison, space=space_for(scenario, comparison.model)[0])
    figures = {
        "cost_vs_volume": plots.cost_curve_figure(
            analysis.curve_x,
            analysis.curve_costs,
            crossings=analysis.breakeven,
            log_x=True,
            log_y=True,
        ),
        "breakeven_map": plots.breakeven_map_figure(
            analysis.map_x,
            analysis.map_y,
            analysis.map_costs,
            x_label="requests per month (log scale)",
            y_label="rented GPU price [× today's]",
            log_x=True,
        ),
        "cumulative_cost": plots.cumulative_cost_figure(
            {o.name: o.horizon_cumulative_usd for o in comparison.options}
        ),
    }
    if analysis.tornado is not None:
        figures["tornado"] = plots.tornado_figure(analysis.tornado)
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, fig in figures.items():
        path = directory / f"{name}.png"
        fig.savefig(path, dpi=110)
        written.append(str(path))
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--charts", type=Path, metavar="DIR")
    args = parser.parse_args()
    warnings.simplefilter("ignore")  # stale-price warnings of the bundled catalog
    result: dict[str, Any] = {
        "breakeven": engine_vs_grid(),
        "iman_conover_spearman": iman_conover(),
    }
    if args.charts:
        result["charts"] = write_charts(args.charts)
    if args.json:
        print(json.dumps(result, indent=2))
        return
    b = result["breakeven"]
    print(
        f"break-even over {b['range'][0]:g}–{b['range'][1]:g} requests/month, all bundled "
        f"scenarios: dense grid ({b['dense_grid_points']:,} points) {b['grid_changes']} changes, "
        f"engine {b['engine_changes']}, matched within 1e-5: {b['matched_within_1e-5']} "
        f"({b['engine_seconds_all_scenarios']} s for the engine)"
    )
    for name, row in b["per_scenario"].items():
        print(f"  {name}: grid {row['grid']}, engine {row['engine']}, matched {row['matched']}")
    print("Iman–Conover, target ρ → Spearman ρ at n = 100,000:", result["iman_conover_spearman"])
    for path in result.get("charts", []):
        print("wrote", path)


if __name__ == "__main__":
    main()
