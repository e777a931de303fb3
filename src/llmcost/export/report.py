"""A self-contained report of a comparison: HTML (figures embedded) or Markdown.

:func:`write_report` shows the comparison table and cost components, the cost-vs-volume chart
with the break-even volumes, the tornado and the Monte Carlo summary (when an
:class:`AnalysisResults` carries them; :func:`analyze` computes them), the horizon, and every
assumption and catalog source. Figures need matplotlib (``pip install 'llmcost[plot]'``);
without it the report says so and keeps the tables.
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._core.arguments import whole_arg
from .._core.display import plain
from .._core.errors import InvalidInputError
from .._core.units import DEFAULT_MEMORY_BUDGET_GB
from ..analysis.blocks import check_full_array_fits
from ..analysis.breakeven import BreakevenResult
from ..analysis.montecarlo import MonteCarloResult, monte_carlo
from ..analysis.oat import TornadoResult, tornado
from ..analysis.space import ParameterSpace
from ..analysis.streaming import (
    MAX_STREAM_DRAWS,
    StreamingMonteCarloResult,
    monte_carlo_stream,
)
from ..scenario.breakeven import ScenarioBreakeven, scenario_breakeven
from ..scenario.verdict import Verdict, verdict
from ._render import Figure, Report, Section, Table, to_html, to_markdown
from .frames import assumptions_frame, sources_frame
from .output import check_comparison, check_target, write_all
from .report_data import report_data, workload_inputs

__all__ = ["FORMATS", "AnalysisResults", "analyze", "render_report", "write_report"]

FORMATS = ("html", "md")
#: Report file suffix → format.
REPORT_SUFFIXES = {".html": "html", ".htm": "html", ".md": "md", ".markdown": "md"}
#: Statistics only the streaming reductions give; the report shows the same columns either way.
_STREAM_ONLY = ("min", "argmin", "max", "argmax")


@dataclass(frozen=True)
class AnalysisResults:
    """What the analysis layer found for a comparison (each part optional).

    ``curve_x`` / ``curve_costs``: each option's monthly cost along ``variable`` (the
    cost-vs-volume chart, over the break-even range); ``breakeven``: every pair's crossings and
    jumps, the pairs of ``breakeven_summary`` (:func:`llmcost.scenario.scenario_breakeven`,
    the object ``llmcost breakeven --json`` prints).
    """

    variable: str = "requests_per_month"
    curve_x: np.ndarray | None = None
    curve_costs: Mapping[str, np.ndarray] = field(default_factory=dict)
    breakeven: Sequence[BreakevenResult] = ()
    tornado: TornadoResult | None = None
    #: every draw in memory, or per-block reductions when the draws outgrow the memory budget
    monte_carlo: MonteCarloResult | StreamingMonteCarloResult | None = None
    breakeven_summary: ScenarioBreakeven | None = None
    verdict: Verdict | None = None
    #: who wins where: volumes (x) × rented GPU price multipliers (y), costs (len(y), len(x))
    map_x: np.ndarray | None = None
    map_y: np.ndarray | None = None
    map_costs: Mapping[str, np.ndarray] = field(default_factory=dict)

    def breakeven_frame(self) -> pd.DataFrame | None:
        """One row per pair.

        First and sustained crossing, winner above (NaN: never), every change as text ("volume →
        cheaper above (jump)") and why the range was searched — the workbook's Break-even sheet.
        """
        if not self.breakeven:
            return None
        return pd.DataFrame(
            [
                {
                    "variable": r.variable,
                    "option_a": r.option_a,
                    "option_b": r.option_b,
                    "cheaper_at_start": r.cheaper_at_start,
                    "first_crossing": r.first,
                    "sustained_crossing": r.sustained,
                    "cheaper_above_sustained": r.sustained_winner,
                    "crossings": len(r.crossings),
                    "search_low": r.search_range[0],
                    "search_high": r.search_range[1],
                    "every_change": _changes(r),
                    "range_reason": r.range_reason,
                }
                for r in self.breakeven
            ]
        )

    def monte_carlo_frame(self) -> pd.DataFrame | None:
        """Percentiles of each option's monthly cost and the probability it is cheapest."""
        if self.monte_carlo is None:
            return None
        frame = self.monte_carlo.to_frame().rename(columns={"output": "option"})
        frame = frame.drop(columns=[c for c in _STREAM_ONLY if c in frame.columns])
        money = [c for c in frame.columns if c in ("mean", "std") or c.startswith("p")]
        frame = frame.rename(columns={c: f"{c}_usd" for c in money if c != "probability_cheapest"})
        return frame

    def sensitivity_frame(self) -> pd.DataFrame | None:
        """The tornado rows (output at each input's low and high, swing, elasticity)."""
        if self.tornado is None:
            return None
        frame = self.tornado.to_frame()
        return frame.rename(
            columns={
                "output_at_low": "output_at_low_usd",
                "output_at_high": "output_at_high_usd",
                "swing": "swing_usd",
            }
        )


def analyze(
    comparison: Any,
    *,
    space: ParameterSpace | None = None,
    tornado_output: Any = None,
    monte_carlo_draws: int = 0,
    seed: int = 0,
    points: int = 121,
    memory_budget_gb: float = DEFAULT_MEMORY_BUDGET_GB,
    stream: bool | None = None,
) -> AnalysisResults:
    """Break-even of every pair, the cost-vs-volume curve, and optionally tornado and Monte Carlo.

    The break-even runs over the default range (:func:`scenario_breakeven`, the same call as
    ``llmcost breakeven``), and the curve over that range; with ``space`` a tornado (of
    ``tornado_output``, default: the decision's two contenders,
    :meth:`~llmcost.scenario.ScenarioModel.contenders`) and, with ``monte_carlo_draws`` > 0, a Monte
    Carlo over it: every draw in memory while the draws fit ``memory_budget_gb`` [GB], else (or
    with ``stream=True``) bounded-memory reductions
    (:func:`~llmcost.analysis.streaming.monte_carlo_stream`: the same statistics over draws
    seeded per block; ``stream=False`` refuses draws over the budget).
    """
    monte_carlo_draws = whole_arg(monte_carlo_draws, "monte_carlo_draws", lo=0, hi=MAX_STREAM_DRAWS)
    model = comparison.model
    names = list(model.option_names)
    summary = scenario_breakeven(model, scenario=comparison.scenario) if len(names) > 1 else None
    if summary is not None and summary.search_range.scale == "log":
        lo, hi = summary.search_range.lo, summary.search_range.hi
    else:
        volume = model.mix.total_requests_per_month
        lo, hi = (volume / 100, volume * 100) if volume > 0 else (1e4, 1e8)
    x = np.geomspace(lo, hi, points)
    curve = {k: np.asarray(v, dtype=float) for k, v in model({"requests_per_month": x}).items()}
    map_y, map_costs = _price_map(model, x[::2])
    result_tornado = result_mc = None
    if space is not None:
        output = tornado_output or _focus_difference(comparison)
        label = output if isinstance(output, str) else _difference_label(comparison)
        result_tornado = tornado(model, space, output, output_name=label)
        if monte_carlo_draws > 0:
            result_mc = _monte_carlo(
                model, space, monte_carlo_draws, seed, memory_budget_gb, stream
            )
    return AnalysisResults(
        curve_x=x,
        curve_costs=curve,
        breakeven=() if summary is None else summary.pairs,
        tornado=result_tornado,
        monte_carlo=result_mc,
        breakeven_summary=summary,
        verdict=verdict(comparison, summary) if summary is not None else None,
        map_x=x[::2] if map_y is not None else None,
        map_y=map_y,
        map_costs=map_costs,
    )


def _monte_carlo(
    model: Any,
    space: ParameterSpace,
    n: int,
    seed: int,
    memory_budget_gb: float,
    stream: bool | None,
) -> MonteCarloResult | StreamingMonteCarloResult:
    """Each option's monthly cost over ``n`` draws: in memory, or streamed over the budget."""
    names = list(model.option_names)
    units = dict.fromkeys(names, "USD/month")
    columns = len(space.names) + len(names)
    if stream is None:
        stream = n * columns * 8 > memory_budget_gb * 1e9  # ints: exact for any n
    if stream:
        return monte_carlo_stream(
            model, space, n, seed=seed, options=names, memory_budget_gb=memory_budget_gb,
            units=units,
        )  # fmt: skip
    check_full_array_fits(n, columns, memory_budget_gb, f"{n:,} Monte Carlo draws in memory")
    return monte_carlo(model, space, n, seed=seed, options=names, units=units)


def _price_map(model: Any, volumes: np.ndarray) -> tuple[np.ndarray | None, dict[str, Any]]:
    """Every option's cost over volumes × a multiplier of every rented option's own GPU price.

    Multipliers 0.25× to 2×; owned hardware and APIs unchanged; None without a rented option.
    """
    base = model.baseline()
    keys = [
        f"{n}.gpu_usd_per_hour"
        for n in model.option_names
        if np.isfinite(base.get(f"{n}.gpu_usd_per_hour", np.nan))
    ]
    if not keys:
        return None, {}
    y = np.linspace(0.25, 2.0, 60)
    vv, mm = np.meshgrid(volumes, y)
    inputs = {"requests_per_month": vv.ravel()} | {k: mm.ravel() * base[k] for k in keys}
    out = model(inputs)
    return y, {k: np.asarray(v, dtype=float).reshape(vv.shape) for k, v in out.items()}


def _focus_difference(comparison: Any) -> Any:
    pair = comparison.model.contenders()
    if pair is None:
        return comparison.options[0].name
    challenger, incumbent = pair
    return lambda o: o[challenger] - o[incumbent]


def _difference_label(comparison: Any) -> str:
    pair = comparison.model.contenders()
    return f"{pair[0]} minus {pair[1]} [USD/month]" if pair else "cost"


# --- the report --------------------------------------------------------------------------


def _usd(value: Any) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "n/a"
    return f"${value:,.0f}" if abs(value) >= 100 else f"${value:,.2f}"


def _usd_or_blank(value: Any) -> str:
    return "" if value is None or (isinstance(value, float) and math.isnan(value)) else _usd(value)


def _volume(value: Any) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return ""
    return f"{value:,.0f}"


def _usd_mtok(value: Any) -> str:
    return "n/a" if value is None or not math.isfinite(value) else f"${value:,.3f}"


def _number(value: Any) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return ""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    return f"{value:,.4g}"


def _percent(value: Any) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return ""
    return f"{value:.0%}"


def _png(fig: Any) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110)
    return buffer.getvalue()


def _figures(analysis: AnalysisResults, comparison: Any = None) -> tuple[dict[str, Figure], str]:
    """The charts as PNG, or a note on why there are none."""
    try:
        from . import plots
    except ImportError:  # pragma: no cover - plots only needs numpy at import
        return {}, "Charts need matplotlib: pip install 'llmcost[plot]'."
    out: dict[str, Figure] = {}
    point = _scenario_point(comparison, analysis)
    try:
        if comparison is not None and comparison.options[0].horizon_cumulative_usd:
            fig = plots.cumulative_cost_figure(
                {o.name: o.horizon_cumulative_usd for o in comparison.options if o.feasible},
                periods=[str(p) for p in comparison.periods],
            )
            out["cumulative"] = Figure(
                _png(fig),
                "Cumulative cost of each option over the horizon",
                f"Month-end cumulative cost with the workload's growth of "
                f"{comparison.growth_per_month:.1%} a month (feasible options).",
            )
        if analysis.curve_x is not None and analysis.curve_costs:
            fig = plots.cost_curve_figure(
                analysis.curve_x,
                analysis.curve_costs,
                crossings=analysis.breakeven,
                log_x=True,
                log_y=True,
            )
            out["curve"] = Figure(
                _png(fig),
                "Monthly cost of each option against volume",
                "Monthly cost against requests per month, both axes logarithmic; dots mark "
                "every change of the cheaper of two options (the table below lists them).",
            )
        if analysis.map_x is not None and analysis.map_y is not None and analysis.map_costs:
            fig = plots.breakeven_map_figure(
                analysis.map_x,
                analysis.map_y,
                analysis.map_costs,
                x_label="requests per month (log scale)",
                y_label="rented GPU price [× today's]",
                log_x=True,
                point=point,
            )
            out["map"] = Figure(
                _png(fig),
                "Cheapest option by volume and GPU price",
                "Who is cheapest where: volume against the price of rented GPUs, as a multiple of "
                "each rented option's own price today (owned hardware and APIs unchanged). "
                "Lines are the break-evens; the star is the scenario.",
            )
        if analysis.tornado is not None and analysis.tornado.rows:
            out["tornado"] = Figure(
                _png(plots.tornado_figure(analysis.tornado)),
                "Tornado chart",
                f"Method: {analysis.tornado.method}.",
            )
        if analysis.monte_carlo is not None:
            out["monte_carlo"] = Figure(
                _png(plots.monte_carlo_figure(analysis.monte_carlo)),
                "Monte Carlo distribution of monthly cost",
                "",
            )
    except ImportError:
        return {}, "Charts need matplotlib: pip install 'llmcost[plot]'."
    return out, ""


def _scenario_point(comparison: Any, analysis: AnalysisResults) -> tuple[float, float] | None:
    if comparison is None or analysis.map_y is None:
        return None
    return float(comparison.model.mix.total_requests_per_month), 1.0


def _summary(comparison: Any) -> list[str]:
    cheapest = next((o for o in comparison.options if o.name == comparison.cheapest), None)
    volume = comparison.model.mix.total_requests_per_month
    lines = []
    if cheapest is None:
        lines.append("No option is feasible as specified.")
    else:
        lines.append(
            f"Cheapest feasible option at {volume:,.0f} requests per month: {cheapest.name}, "
            f"{_usd(cheapest.monthly_cost_usd)} a month ({_usd_mtok(cheapest.usd_per_mtok)} per "
            f"million tokens, input and output together)."
        )
    for o in comparison.options:
        if o.name == comparison.cheapest or not o.feasible or cheapest is None:
            continue
        line = f"{o.name}: {_usd(o.monthly_cost_usd)} a month"
        if cheapest.monthly_cost_usd > 0:
            line += f", {o.monthly_cost_usd / cheapest.monthly_cost_usd:.2f}× the cheapest"
        lines.append(line + ".")
    lines += [
        f"{u.name}: unavailable on {u.as_of.isoformat()}, left out of the comparison — the "
        f"catalog's first price for it starts {u.available_from.isoformat()}."
        for u in getattr(comparison, "unavailable", [])
    ]
    as_of = comparison.as_of.isoformat() if comparison.as_of else "latest in the catalog"
    lines.append(f"Prices as of {as_of}; catalog version {comparison.catalog_version}.")
    return lines


def _options_table(comparison: Any) -> Table:
    rows = [
        {
            "option": o.name,
            "kind": o.kind.replace("_", "-"),
            "monthly cost": o.monthly_cost_usd,
            "per 1M tokens": o.usd_per_mtok,
            "GPUs at peak": o.gpus_peak,
            "GPUs per replica": o.gpus_per_replica,
            "GPUs (day average)": o.gpus_avg,
            "utilization": o.utilization,
            "feasible": "yes" if o.feasible else "NO",
            "cheapest": "✓" if o.name == comparison.cheapest else "",
            "notes": "; ".join(o.warnings),
        }
        for o in comparison.options
    ]
    return Table(
        pd.DataFrame(rows),
        "Options at the scenario's volume (USD per month)",
        {
            "monthly cost": _usd,
            "per 1M tokens": _usd_mtok,
            "GPUs at peak": _number,
            "GPUs per replica": _number,
            "GPUs (day average)": _number,
            "utilization": _percent,
        },
    )


def _components_table(comparison: Any) -> Table:
    names = [n for n in dict.fromkeys(k for o in comparison.options for k in o.components)]
    rows = [
        {"component": n.removesuffix("_usd").replace("_", " ")}
        | {o.name: o.components.get(n) for o in comparison.options}
        for n in names
    ]
    rows.append({"component": "total"} | {o.name: o.monthly_cost_usd for o in comparison.options})
    frame = pd.DataFrame(rows)
    return Table(
        frame,
        "Cost components (USD per month; blank: not part of that option)",
        {o.name: _usd_or_blank for o in comparison.options},
    )


def _horizon_table(comparison: Any) -> Table:
    rows = [
        {
            "option": o.name,
            "first month": o.horizon_monthly_usd[0] if o.horizon_monthly_usd else None,
            "last month": o.horizon_monthly_usd[-1] if o.horizon_monthly_usd else None,
            "cumulative": o.horizon_cumulative_usd[-1] if o.horizon_cumulative_usd else None,
            "NPV": o.npv_usd,
        }
        for o in comparison.options
    ]
    fmt = {k: _usd for k in ("first month", "last month", "cumulative", "NPV")}
    caption = (
        f"Horizon: {comparison.horizon_months} months, NPV at "
        f"{comparison.discount_rate_per_year:.1%} a year"
    )
    return Table(pd.DataFrame(rows), caption, fmt)


#: Changes a break-even row of the report lists in full; above it, the first three, a count
#: and the last two (the report's JSON block and the CLI's ``breakeven --json`` list them all).
MAX_LISTED_CHANGES = 6


def _changes(r: BreakevenResult) -> str:
    """Every change of the cheaper option as ``"volume → winner"``, long runs shortened."""
    texts = [
        f"{e.at:,.0f} → {e.winner_above}{' (jump)' if e.kind == 'jump' else ''}" for e in r.events
    ]
    if len(texts) > MAX_LISTED_CHANGES:
        hidden = len(texts) - 5
        texts = [*texts[:3], f"… {hidden} more changes …", *texts[-2:]]
    return "; ".join(texts)


def _breakeven_table(analysis: AnalysisResults) -> Table | None:
    summary = analysis.breakeven_summary
    if summary is None or not summary.pairs:
        return None
    rows = [
        {
            "options": f"{r.option_a} vs {r.option_b}",
            "cheaper at low volume": r.cheaper_at_start or "equal",
            "changes": len(r.crossings),
            "first": r.first,
            "sustained": r.sustained,
            "cheaper above it": r.sustained_winner or "",
            "every change (volume → cheaper above)": _changes(r),
        }
        for r in summary.pairs
    ]
    rng = summary.search_range
    caption = (
        f"Break-even requests per month, every pair (searched {rng.lo:,.0f} to {rng.hi:,.0f}: "
        f"{rng.reason}; blank: never; a jump is a change at a step, with no equal cost; a row of "
        f"more than {MAX_LISTED_CHANGES} changes shows its first three and last two, the JSON "
        "block lists all)"
    )
    return Table(pd.DataFrame(rows), caption, {"first": _volume, "sustained": _volume})


def _inputs_section(comparison: Any) -> Section:
    w = workload_inputs(comparison)
    rows = [
        {
            "feature": f["name"],
            "share of requests": f["request_share"],
            "input tokens": f["input_tokens_per_request"],
            "output tokens": f["output_tokens_per_request"],
            "cached input": f["cached_input_fraction"],
            "batch eligible": f["batch_eligible_fraction"],
        }
        for f in w["features"]
    ]
    base = comparison.model.baseline()
    option_rows = [
        {"option": k.split(".", 1)[0], "input": k.split(".", 1)[1], "value": v}
        for k, v in base.items()
        if "." in k and k.split(".", 1)[0] in comparison.model.option_names
    ]
    text = (
        f"{w['requests_per_month']:,.0f} requests and {w['tokens_per_month'] / 1e6:,.0f} M "
        f"tokens a month; peak hour {w['peak_to_average']:.2f}× the average; growth "
        f"{w['growth_per_month']:.1%} a month over {w['horizon_months']} months."
    )
    pct = {"share of requests": _percent, "cached input": _percent, "batch eligible": _percent}
    return Section(
        "Inputs",
        (
            text,
            "Every model input of each option, as given or defaulted (defaults and their "
            "sources are listed under Assumptions).",
        ),
        [
            Table(pd.DataFrame(rows), "Workload per feature (tokens per request)", pct),
            Table(pd.DataFrame(option_rows), "Model inputs of each option", {"value": _number}),
        ],
    )


def _tornado_table(result: TornadoResult) -> Table:
    from .plots import zero_swing

    rows = [
        {
            "input": r["input"],
            "low": r["low"],
            "high": r["high"],
            "output at low": r["output_at_low"],
            "output at high": r["output_at_high"],
            "swing": r["swing"],
            "elasticity at baseline": r["elasticity"],
        }
        for r in result.rows
        if not zero_swing(r, result.baseline_output)
    ]
    dropped = len(result.rows) - len(rows)
    return Table(
        pd.DataFrame(rows),
        f"Tornado of {result.output} (baseline {_usd(result.baseline_output)})"
        + (f"; {dropped} inputs that do not move it left out" if dropped else "")
        + "; elasticity at baseline = d ln(output) / d ln(input) there, 0 where the cost is flat"
        " at the baseline (it moves only when a whole replica is added or removed)",
        {
            "low": _number,
            "high": _number,
            "output at low": _usd,
            "output at high": _usd,
            "swing": _usd,
            "elasticity at baseline": _number,
        },
    )


def _monte_carlo_table(result: MonteCarloResult | StreamingMonteCarloResult) -> Table:
    rows = [
        {
            "option": name,
            "P5": s.get("p5"),
            "P50": s.get("p50"),
            "P95": s.get("p95"),
            "mean": s.get("mean"),
            "P(cheapest)": result.probability_cheapest.get(name, 0.0),
        }
        for name, s in result.summary.items()
    ]
    how = (
        f"; reduced in blocks of {result.block_rows:,} draws, each seeded on its own"
        if isinstance(result, StreamingMonteCarloResult)
        else ""
    )
    caption = f"Monte Carlo: {result.n:,} draws (seed {result.seed}{how}), monthly cost"
    return Table(
        pd.DataFrame(rows),
        caption,
        {k: _usd for k in ("P5", "P50", "P95", "mean")} | {"P(cheapest)": _percent},
    )


def build_report(
    comparison: Any, analysis: AnalysisResults | None = None, scenario: Any = None
) -> Report:
    """The report's content (sections of paragraphs, tables and figures) and its embedded data.

    The data is :func:`~llmcost.export.report_data.report_data`; ``scenario``, the scenario file's
    content, is restated there when given.
    """
    analysis = analysis or AnalysisResults()
    figures, why_not = _figures(analysis, comparison)
    sections = [
        Section(
            "Summary",
            ([analysis.verdict.sentence] if analysis.verdict else []) + _summary(comparison),
        ),
        Section("Comparison", (), [_options_table(comparison), _components_table(comparison)]),
    ]
    volume_items: list[Table | Figure] = [figures[k] for k in ("curve", "map") if k in figures]
    table = _breakeven_table(analysis)
    if table is not None:
        volume_items.append(table)
    if volume_items:
        sections.append(Section("Cost against volume", (why_not,) if why_not else (), volume_items))
    if analysis.tornado is not None:
        items: list[Table | Figure] = [figures["tornado"]] if "tornado" in figures else []
        sections.append(Section("Sensitivity", (), [*items, _tornado_table(analysis.tornado)]))
    if analysis.monte_carlo is not None:
        items = [figures["monte_carlo"]] if "monte_carlo" in figures else []
        sections.append(
            Section(
                "Uncertainty (Monte Carlo)", (), [*items, _monte_carlo_table(analysis.monte_carlo)]
            )
        )
    horizon_items: list[Table | Figure] = [figures["cumulative"]] if "cumulative" in figures else []
    sections.append(Section("Horizon", (), [*horizon_items, _horizon_table(comparison)]))
    sections.append(_inputs_section(comparison))
    sections.append(
        Section(
            "Assumptions",
            (
                "Every default the comparison used, with its unit "
                "and source; everything else is the scenario's.",
            ),
            [Table(assumptions_frame(comparison), "", {"value": _number})],
        )
    )
    sections.append(
        Section(
            "Sources",
            (f"Catalog version {comparison.catalog_version}.",),
            [Table(sources_frame(comparison))],
        )
    )
    prices = (
        f"prices in force on {comparison.as_of.isoformat()}"
        if comparison.as_of
        else "latest catalog prices"
    )
    return Report(
        title=f"llmcost: {comparison.scenario}",
        subtitle=f"Self-hosted Llama vs pay-per-token APIs — {prices}",
        sections=sections,
        footer=f"Generated by llmcost; catalog {comparison.catalog_version}. A month is 730 "
        "hours; money in US dollars. Every number and input is also embedded as JSON "
        '(script id "llmcost-data").',
        data=report_data(comparison, analysis, scenario),
    )


def render_report(
    comparison: Any,
    fmt: str = "html",
    *,
    analysis: AnalysisResults | None = None,
    scenario: Any = None,
) -> str:
    """The report as text in ``fmt`` ("html" or "md")."""
    if fmt not in FORMATS:
        raise InvalidInputError(f"fmt must be one of {', '.join(FORMATS)}; got {fmt!r}")
    report = build_report(comparison, analysis, scenario)
    return to_html(report) if fmt == "html" else to_markdown(report)


def write_report(
    comparison: Any,
    path: str | Path,
    fmt: str | None = None,
    *,
    analysis: AnalysisResults | None = None,
    inputs: Sequence[str | Path] = (),
    force: bool = False,
    scenario: Any = None,
    xlsx: str | Path | None = None,
) -> Path:
    """Write the report to ``path`` atomically.

    The format follows the suffix (.html/.htm → HTML, .md/.markdown → Markdown; any other suffix is
    refused) and ``fmt``, if given, must agree. An existing file is replaced only with ``force``;
    ``inputs`` are never overwritten. ``scenario`` (the :class:`~llmcost.scenario.Scenario`) lets
    the report restate its inputs. ``xlsx``: also write the finance workbook there (the book of
    ``llmcost compare --xlsx``, with this report's analysis); both files are written or neither.
    """
    check_comparison(comparison)
    out = check_target(path, "--out", tuple(REPORT_SUFFIXES), inputs=inputs, force=force)
    book = (
        None
        if xlsx is None
        else check_target(xlsx, "--xlsx", (".xlsx",), inputs=[*inputs, out], force=force)
    )
    if book is not None and out.resolve() == book.resolve():  # pragma: no cover - suffixes differ
        raise InvalidInputError("--out and --xlsx name the same file")
    by_suffix = REPORT_SUFFIXES[out.suffix.lower()]
    if fmt is not None and fmt != by_suffix:
        raise InvalidInputError(
            f"--format {plain(fmt)} does not match the suffix of --out {str(out)!r} ({by_suffix})"
        )
    text = render_report(comparison, by_suffix, analysis=analysis, scenario=scenario)
    jobs: list[tuple[Path, Any]] = [(out, lambda p: p.write_text(text, encoding="utf-8"))]
    if book is not None:
        from .xlsx import write_workbook

        jobs.append((book, lambda p: write_workbook(comparison, p, analysis=analysis)))
    write_all(jobs)
    return out
