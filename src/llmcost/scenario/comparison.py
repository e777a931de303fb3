"""``compare(scenario)``: every option's monthly cost, made of what, and which is cheapest."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .._core.arguments import mapping_arg
from .._core.display import html_table, money, text_table
from .._core.errors import InvalidInputError
from .._core.serialize import jsonable
from ..catalog import Catalog, check_fresh, load_catalog, max_price_age_days, sources_for
from ..cost.horizon import monthly_volumes, npv_usd, payback_month
from ..cost.quoted import DEFAULT_BLEND_INPUT_PER_OUTPUT, quoted_figures
from .availability import UnavailableOption, resolve_available
from .calendar import default_horizon_start, horizon_periods, parse_period, period_total
from .config import Scenario
from .evaluation import Evaluation, evaluation
from .loading import as_scenario, shown_value
from .model import ScenarioModel
from .prices import price_labels
from .resolve import Resolved
from .workload import feature_mix

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Comparison", "OptionResult", "compare", "scenario_model"]


@dataclass(frozen=True)
class OptionResult:
    """One option of a comparison at the scenario's base volume (money in USD per month)."""

    name: str
    kind: str  # "api" | "self_hosted"
    monthly_cost_usd: float
    components: dict[str, float]  # named USD/month amounts summing to monthly_cost_usd
    usd_per_mtok: float  # monthly cost per 1M tokens processed, input + output
    tokens_per_month: float
    feasible: bool
    warnings: list[str]
    features: dict[str, float]  # monthly cost split by feature
    input_usd_per_mtok: float | None = None  # API only
    output_usd_per_mtok: float | None = None  # API only
    gpus: float | None = None  # peak GPUs running (self-hosted)
    gpus_avg: float | None = None
    replicas: float | None = None  # peak replicas
    replicas_avg: float | None = None
    utilization: float | None = None  # served load / capacity of the replicas running
    ttft_s: float | None = None
    tpot_s: float | None = None
    horizon_monthly_usd: list[float] = field(default_factory=list)
    horizon_cumulative_usd: list[float] = field(default_factory=list)
    npv_usd: float | None = None
    #: owned hardware only: month (1-based) when buying the fleet for cash at month 0 has cost
    #: no more, cumulatively, than each other option (None: not within the horizon)
    payback_month_vs: dict[str, float | None] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)
    indicators: dict[str, float] = field(default_factory=dict)
    # -- the figures people quote (llmcost.cost.quoted; docs/cost-figures.md) --
    usd_per_m_output_tokens: float | None = None  # whole cost per 1M output tokens
    usd_per_m_input_tokens: float | None = None  # whole cost per 1M input tokens
    blended_usd_per_mtok: float | None = None  # at blend_input_tokens_per_output_token : 1
    blend_input_tokens_per_output_token: float = DEFAULT_BLEND_INPUT_PER_OUTPUT
    blend_basis: str = ""
    usd_per_request: float | None = None
    usd_per_1k_requests: float | None = None
    #: self-hosted only: GPU time of the work alone, in fractional replicas (serverless-style)
    at_capacity_gpu_usd_per_month: float | None = None
    at_capacity_replicas_avg: float | None = None
    at_capacity_usd_per_mtok: float | None = None
    at_capacity_usd_per_m_output_tokens: float | None = None
    at_capacity_usd_per_1k_requests: float | None = None

    @property
    def gpus_peak(self) -> float | None:
        """GPUs running at the peak hour (self-hosted; the same as ``gpus``)."""
        return self.gpus

    @property
    def gpus_per_replica(self) -> int | None:
        """GPUs of one replica (self-hosted)."""
        value = self.details.get("gpus_per_replica")
        return None if value is None else int(value)

    def to_dict(self) -> dict[str, Any]:
        """JSON-able dict (NaN → None).

        ``gpus`` is also given as ``gpus_peak``, with ``gpus_per_replica``, so that no reader takes
        the peak count for the average.
        """
        out: dict[str, Any] = jsonable(self.__dict__)
        out |= {"gpus_peak": jsonable(self.gpus_peak), "gpus_per_replica": self.gpus_per_replica}
        return out


@dataclass(frozen=True)
class Comparison:
    """The side-by-side result of :func:`compare`.

    ``options`` in scenario order; ``cheapest`` is the feasible option (it fits, meets its
    latency targets and replica cap, and every feature's prompt + output is within its context
    limits) with the lowest monthly cost (None if none is feasible). ``growth_per_month``
    [fraction/month], ``horizon_months`` and ``discount_rate_per_year`` [1/year] are the
    workload's horizon view, starting in the month ``horizon_start`` (``periods``; fiscal
    quarters and years from ``fiscal_year_start_month``, :mod:`llmcost.scenario.calendar`).
    ``assumptions`` lists every default used, with unit and source;
    ``catalog_rows`` the catalog rows used (entity, id, source, as_of).

    Files: :meth:`to_excel` (the finance workbook; needs ``llmcost[xlsx]``), :meth:`to_csv`
    and :meth:`to_json`, which defer to :mod:`llmcost.export`.
    """

    scenario: str
    as_of: date | None
    catalog_version: str
    options: list[OptionResult]
    cheapest: str | None
    growth_per_month: float
    horizon_months: int
    discount_rate_per_year: float
    assumptions: list[dict[str, Any]]
    catalog_rows: list[dict[str, Any]]
    model: ScenarioModel = field(repr=False)
    #: first month of the horizon, "YYYY-MM" (llmcost.scenario.calendar)
    horizon_start: str = ""
    #: month (1–12) the fiscal year starts in, for ``horizon_frame(by=...)`` and budgets
    fiscal_year_start_month: int = 1
    #: options with no price on ``as_of``, left out of ``options`` (llmcost.scenario.availability)
    unavailable: list[UnavailableOption] = field(default_factory=list)

    def option(self, name: str) -> OptionResult:
        """The result of the option called ``name``."""
        for opt in self.options:
            if opt.name == name:
                return opt
        raise InvalidInputError(
            f"unknown option {name!r}; options: {', '.join(o.name for o in self.options)}"
        )

    def evaluate(self, **overrides: Any) -> Evaluation:
        """Vectorized re-evaluation with overridden inputs (see :class:`ScenarioModel`).

        Returns an :class:`~llmcost.scenario.evaluation.Evaluation`: the mapping option →
        outputs, with ``to_frame()`` (inputs as columns) and ``to_xarray()``.
        """
        return evaluation(self.model.evaluate(overrides), overrides, self.model.variables)

    def draws(
        self, space: Any, n: int, *, seed: int | None = None, method: str = "monte_carlo"
    ) -> Evaluation:
        """Every output of every option at ``n`` draws of ``space`` (a ``ParameterSpace``).

        The draws of :func:`~llmcost.analysis.monte_carlo` with the same ``space``, ``n``,
        ``seed`` and ``method``, kept whole: ``to_frame()`` has one row per (draw, option) with
        the drawn inputs as columns, ``to_xarray()`` is option × output × draw.
        """
        drawn = space.sample(int(n), seed, method=method)
        results = self.model.evaluate(drawn)
        return evaluation(results, drawn, self.model.variables, dim="draw")

    def to_frame(self) -> pd.DataFrame:
        """One row per option, indexed by ``option``, units in the column names.

        Cost [USD/month], the quoted figures, ``gpus_peak``/``gpus_avg``,
        ``replicas_peak``/``replicas_avg``, ``utilization_fraction`` [0–1], latency [s] and
        one column per cost component [USD/month]; see
        :func:`llmcost.scenario.tables.options_frame`.
        """
        from .tables import options_frame

        return options_frame(self)

    @property
    def periods(self) -> pd.PeriodIndex:
        """The months of the horizon (monthly :class:`pandas.PeriodIndex` named ``period``)."""
        return horizon_periods(self.horizon_start, self.horizon_months)

    def horizon_frame(
        self, by: str = "month", *, fiscal_year_start_month: int | None = None
    ) -> pd.DataFrame:
        """Cost of each option per month, fiscal quarter or fiscal year, long form.

        Indexed by ``period`` (:class:`pandas.Period`; ``by`` = ``"month"``, ``"quarter"`` or
        ``"year"``, fiscal years starting in ``fiscal_year_start_month``, default the
        scenario's, named by the calendar year they end in), one row per option and period:
        ``option``, ``cost_usd`` and ``cumulative_usd`` [USD]. ``attrs`` holds the unit, and
        for quarters and years the ``partial_periods`` the horizon covers only in part; see
        :func:`llmcost.scenario.tables.horizon_frame`.
        """
        from .tables import horizon_frame

        if fiscal_year_start_month is None:
            fiscal_year_start_month = self.fiscal_year_start_month
        return horizon_frame(self, by, fiscal_year_start_month)

    def budget_usd(self, option: str, period: Any) -> float:
        """Cost of ``option`` [USD] over ``period``.

        ``period`` is a month (``"2027-03"``), a fiscal quarter (``"2027Q1"``), a fiscal year
        (``"2027"``, ``"FY2027"``) or a :class:`pandas.Period`; it must lie wholly within the
        horizon (else :class:`InvalidInputError` naming the horizon).
        """
        import pandas as pd

        opt = self.option(option)
        series = pd.Series(opt.horizon_monthly_usd, index=self.periods, dtype=float)
        return period_total(series, parse_period(period, self.fiscal_year_start_month))

    def monthly_budget_usd(self, option: str, period: Any) -> float:
        """Cost of ``option`` [USD] in one month, for budget checks in scripts and tests.

        ``period`` is ``"2027-03"`` or a monthly :class:`pandas.Period`.
        """
        return self.budget_usd(option, _of_kind(period, "M", self.fiscal_year_start_month))

    def quarterly_budget_usd(self, option: str, quarter: Any) -> float:
        """Cost of ``option`` [USD] in one fiscal quarter, the sum of its three months.

        ``quarter`` is ``"2027Q1"`` or a quarterly :class:`pandas.Period`.
        """
        return self.budget_usd(option, _of_kind(quarter, "Q", self.fiscal_year_start_month))

    def yearly_budget_usd(self, option: str, year: Any) -> float:
        """Cost of ``option`` [USD] in one fiscal year, the sum of its twelve months.

        ``year`` is ``"2027"``, ``"FY2027"`` or a yearly :class:`pandas.Period`.
        """
        return self.budget_usd(option, _of_kind(year, "Y", self.fiscal_year_start_month))

    def plot(self, ax: Any = None, *, cumulative: bool = True) -> Any:
        """Each option's cost month by month over the horizon, months named by period.

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
            Where to draw; default a new pyplot figure (needs ``llmcost[plot]``).
        cumulative : bool
            Month-end cumulative totals [USD] (default), or each month's cost [USD/month].

        Returns
        -------
        matplotlib.axes.Axes
            The axes drawn on (feasible options only; log y where the costs span decades).
        """
        from ..analysis.plotting import axes_for, draw_horizon

        usd = {
            o.name: o.horizon_cumulative_usd if cumulative else o.horizon_monthly_usd
            for o in self.options
            if o.feasible and o.horizon_monthly_usd
        }
        periods = [str(p) for p in self.periods]
        what = "Cumulative" if cumulative else "Monthly"
        title = f"{what} cost over the horizon, {self.scenario}"
        return draw_horizon(axes_for(ax), usd, periods=periods, cumulative=cumulative, title=title)

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract of ``llmcost compare --json`` (docs/architecture.md §4)."""
        return jsonable(
            {
                "scenario": self.scenario,
                "catalog_version": self.catalog_version,
                "as_of": self.as_of.isoformat() if self.as_of else None,
                "options": [o.to_dict() for o in self.options],
                "cheapest": self.cheapest,
                "unavailable": [u.to_dict() for u in self.unavailable],
                "growth_per_month": self.growth_per_month,
                "horizon_months": self.horizon_months,
                "horizon_start": self.horizon_start,
                "horizon_periods": [str(p) for p in self.periods],
                "fiscal_year_start_month": self.fiscal_year_start_month,
                "discount_rate_per_year": self.discount_rate_per_year,
                "assumptions": self.assumptions,
                "catalog_rows": self.catalog_rows,
            }
        )

    def to_excel(self, path: str | Path, *, analysis: Any = None) -> Path:
        """Write the finance workbook (named assumptions, live formulas) to ``path``.

        The same workbook as ``llmcost compare --xlsx``; ``analysis`` (an
        :class:`~llmcost.export.AnalysisResults`) adds the Break-even and Sensitivity sheets.
        Needs openpyxl (``pip install 'llmcost[xlsx]'``); without it raises an
        :class:`ImportError` (an :class:`~llmcost.LlmcostError`) naming the extra.
        """
        from ..export.xlsx import write_workbook  # deferred: export imports scenario

        return write_workbook(self, path, analysis=analysis)

    def to_csv(self, path: str | Path, *, table: str = "options") -> Path:
        """Write one table as CSV, formula-like text neutralised.

        The table is ``options``, ``components``, ``features``, ``horizon``, ``assumptions`` or
        ``sources``.
        """
        from ..export.frames import write_csv  # deferred: export imports scenario

        return write_csv(self, path, table=table)

    def to_json(self, *, scenario: Scenario | None = None, indent: int | None = 2) -> str:
        """The result as JSON.

        With ``scenario`` (the config compared) also the inputs, so that
        :func:`llmcost.export.from_json` and :func:`compare` reproduce it.
        """
        from ..export.frames import to_json  # deferred: export imports scenario

        return to_json(self, scenario=scenario, indent=indent)

    def table_rows(self) -> list[dict[str, Any]]:
        """Rows for a plain-text table (money rounded to dollars)."""
        rows = []
        for o in self.options:
            mark = "*" if o.name == self.cheapest else ""
            rows.append(
                {
                    "": mark,
                    "option": o.name,
                    "kind": o.kind,
                    "USD/month": _money(o.monthly_cost_usd),
                    "USD/1M tok": _per_mtok(o.usd_per_mtok),
                    "USD/1M out": _per_mtok(o.usd_per_m_output_tokens),
                    "USD/1k req": _per_mtok(o.usd_per_1k_requests),
                    "GPUs peak": "" if o.gpus is None else _count(o.gpus),
                    "GPUs avg": ""
                    if o.gpus_avg is None or math.isnan(o.gpus_avg)
                    else f"{o.gpus_avg:.1f}",
                    "util": ""
                    if o.utilization is None or math.isnan(o.utilization)
                    else f"{o.utilization:.0%}",
                    "feasible": "yes" if o.feasible else "NO",
                    "notes": _short_notes(o.warnings),
                }
            )
        return rows

    def __repr__(self) -> str:
        best = ""
        if self.cheapest is not None:
            best = f" at {money(self.option(self.cheapest).monthly_cost_usd)}/month"
        return (
            f"Comparison({self.scenario!r}, {len(self.options)} options, "
            f"cheapest={self.cheapest!r}{best}, as_of={self.as_of}, "
            f"catalog_version={self.catalog_version!r})"
        )

    def __str__(self) -> str:
        """The one-line repr and the plain-text table (what ``print(result)`` shows)."""
        return repr(self) + "\n" + text_table(self.table_rows())

    def _repr_html_(self) -> str:
        """The text table's rows as an HTML table under the scenario and the cheapest option."""
        rows = self.table_rows()
        title = f"{self.scenario} — cheapest: {self.cheapest}"
        return html_table(title, list(rows[0]), [list(r.values()) for r in rows])


def _of_kind(period: Any, kind: str, fiscal_year_start_month: int) -> Any:
    """``period`` parsed, checked to be a month (``kind`` "M"), quarter ("Q") or year ("Y")."""
    parsed = parse_period(period, fiscal_year_start_month)
    if not parsed.freqstr.startswith(kind):
        what = {"M": "a month 'YYYY-MM'", "Q": "a quarter 'YYYYQn'", "Y": "a year 'YYYY'"}[kind]
        raise InvalidInputError(f"period must be {what}; got {period!r}")
    return parsed



def _short_notes(warnings: list[str], width: int = 60) -> str:
    """The first warning, cut to ``width`` characters, and how many more there are."""
    if not warnings:
        return ""
    first = warnings[0] if len(warnings[0]) <= width else warnings[0][: width - 1] + "…"
    return first + (f" (+{len(warnings) - 1} more)" if len(warnings) > 1 else "")


def _per_mtok(value: float | None) -> str:
    """A per-unit price with 3 decimals; empty where it does not apply (None or NaN)."""
    return "" if value is None or math.isnan(value) else f"{value:.3f}"


def _money(value: float) -> str:
    return "n/a" if math.isnan(value) else f"{value:,.0f}"


def _count(value: float) -> str:
    """A whole count with thousands separators; "n/a" for NaN (the option does not fit)."""
    return "n/a" if math.isnan(value) else f"{value:,.0f}"


#: Catalog entities that hold prices (checked for staleness); the others are facts.
PRICE_ENTITIES = ("api_prices", "gpu_offers", "hardware")
#: Facility parameters that are prices (the others, PUE and hardware life, are facts).
PRICE_FACILITY_PARAMETERS = ("usd_per_kwh", "colocation_usd_per_kw_month")


def _is_price(row: Any) -> bool:
    if row.entity == "facility":
        return row.parameter in PRICE_FACILITY_PARAMETERS
    return row.entity in PRICE_ENTITIES


def _stale_price_rows(rows: list[Any], as_of: date | None) -> list[Any]:
    """Price rows seen longer ago than the threshold before ``as_of`` (default: today).

    Each also raises a :class:`~llmcost._core.errors.StaleCatalogWarning`.
    """
    return [
        row for row in rows if _is_price(row) and not check_fresh(row, today=as_of or date.today())
    ]


def _with_payback(
    results: list[OptionResult], model: ScenarioModel, horizon: dict[str, dict[str, Any]]
) -> list[OptionResult]:
    """Add, to owned options, the payback month of buying the fleet vs each other option.

    Buying: the fleet of the busiest month of the horizon paid for in cash at month 0
    (GPUs × ``purchase_usd_per_gpu``), then every cost but the capital payment each month.
    """
    out = []
    for res in results:
        ev = next(e for e in model.evaluators if e.name == res.name)
        if getattr(ev, "pricing", None) != "owned" or not res.feasible:
            out.append(res)
            continue
        h = horizon[res.name]
        upfront = float(np.max(h["gpus_peak"])) * ev.base["purchase_usd_per_gpu"]
        opex = np.atleast_1d(h["monthly_cost_usd"] - h["components.capital_usd"])
        payback: dict[str, float | None] = {}
        for other in results:
            if other.name == res.name or not other.feasible:
                continue
            month = payback_month(upfront, opex, np.asarray(other.horizon_monthly_usd))
            payback[other.name] = None if math.isnan(month) else float(month)
        out.append(replace(res, payback_month_vs=payback))
    return out


def _quoted(out: dict[str, Any], is_api: bool) -> dict[str, Any]:
    """The quoted-figure fields of an :class:`OptionResult` from an evaluator's outputs."""
    names = (
        "usd_per_m_output_tokens",
        "usd_per_m_input_tokens",
        "blended_usd_per_mtok",
        "usd_per_request",
        "usd_per_1k_requests",
    )
    fields: dict[str, Any] = {k: float(out[k]) for k in names}
    # the basis text of the blend comes from the same function that computed it
    fields["blend_basis"] = quoted_figures(
        1.0,
        input_tokens_per_month=1.0,
        output_tokens_per_month=1.0,
        requests_per_month=1.0,
        input_usd_per_mtok=1.0 if is_api else None,
        output_usd_per_mtok=1.0 if is_api else None,
    )["blend_basis"]
    if not is_api:
        fields |= {k: float(v) for k, v in out.items() if k.startswith("at_capacity_")}
    return fields


def _resolve_all(
    scenario: Scenario, catalog: Catalog, as_of: date | None
) -> tuple[ScenarioModel, list[Resolved], list[UnavailableOption]]:
    mix = feature_mix(scenario.workload)
    resolved, unavailable = resolve_available(scenario, mix, catalog, as_of)
    model = ScenarioModel(mix=mix, evaluators=tuple(r.evaluator for r in resolved))
    gone = tuple(f"{u.name}." for u in unavailable)
    unknown = [
        k for k in scenario.uncertainty if k not in model.variables and not k.startswith(gone)
    ]
    if unknown:
        try:
            model.evaluate({unknown[0]: 0.0})  # raises naming the input, with "did you mean"
        except InvalidInputError as exc:
            raise InvalidInputError(f"uncertainty.{unknown[0]}: {exc}") from None
    return model, resolved, unavailable


def _as_date(value: date | str | None) -> date | None:
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise InvalidInputError(
                f"as_of must be a date YYYY-MM-DD; got {shown_value(value)}"
            ) from None
    if value is not None and not isinstance(value, date):
        raise InvalidInputError(
            f"as_of must be a date or YYYY-MM-DD text; got {type(value).__name__} "
            f"{shown_value(value)}"
        )
    return value


def _catalog(value: Any) -> Catalog:
    """The catalog argument: a :class:`Catalog`, or None for the bundled one."""
    if value is None:
        return load_catalog()
    if not isinstance(value, Catalog):
        raise InvalidInputError(
            f"catalog must be a Catalog (llmcost.load_catalog(path)) or None; got "
            f"{type(value).__name__}"
        )
    return value


def scenario_model(
    scenario: Scenario | str | Path,
    *,
    as_of: date | str | None = None,
    catalog: Catalog | None = None,
) -> ScenarioModel:
    """The scenario as a vectorized model for the analysis layer (see :class:`ScenarioModel`).

    ``as_of`` (default: the scenario's, else the latest prices) picks the prices in force;
    ``scenario`` is a :class:`Scenario` or the path of a scenario file.
    """
    scenario = as_scenario(scenario)
    catalog = _catalog(catalog)
    return _resolve_all(scenario, catalog, _as_date(as_of) or scenario.as_of)[0]


def compare(
    scenario: Scenario | str | Path,
    *,
    as_of: date | str | None = None,
    catalog: Catalog | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Comparison:
    """Compare every option of ``scenario`` at its base volume and over its horizon.

    ``as_of`` (default: the scenario's, else the latest prices) picks the prices in force that
    day. Self-hosted capacity comes from the performance model at each feature's lengths and the
    option's latency targets (max throughput without targets), once. ``scenario`` is a
    :class:`Scenario` or the path of a scenario file. ``overrides`` compares
    ``scenario.replace(**overrides)`` instead (what-if; keys: :mod:`llmcost.scenario.whatif`).
    """
    scenario = as_scenario(scenario)
    if overrides is not None and mapping_arg(overrides, "overrides"):
        scenario = scenario.replace(**overrides)
    as_of = _as_date(as_of) or scenario.as_of
    catalog = _catalog(catalog)
    model, resolved, unavailable = _resolve_all(scenario, catalog, as_of)
    mix = model.mix
    wl = scenario.workload
    base = model.evaluate()
    months = monthly_volumes(mix.total_requests_per_month, wl.growth_per_month, wl.horizon_months)
    horizon = model.evaluate(requests_per_month=months)

    results = []
    stale_keys: set[tuple[str, str]] = set()
    for res, ev in zip(resolved, model.evaluators, strict=True):
        out = base[ev.name]
        monthly = np.atleast_1d(horizon[ev.name]["monthly_cost_usd"]).astype(float)
        warnings = list(res.warnings)
        for row in _stale_price_rows(res.rows, as_of):
            stale_keys.add((row.entity, row.key))
            warnings.append(
                f"stale price: {row.entity} {row.key} seen {row.as_of.isoformat()} "
                f"(older than {max_price_age_days()} days; check {row.source})"
            )
        feasible = bool(out["feasible"])
        if ev.kind == "api" and out["rate_limited"]:
            warnings.append(
                f"peak {out['peak_tokens_per_minute']:,.0f} tokens/min or "
                f"{out['peak_requests_per_minute']:,.0f} requests/min exceeds the offer's "
                f"limits at tier {res.details.get('rate_limit_tier')}"
            )
        plan_short = (
            res.details.get("fits")
            and res.details.get("meets_slo")
            and res.details.get("within_context")
            and not feasible
        )
        if ev.kind == "self_hosted" and plan_short:
            warnings.append(
                "max_replicas too small for the peak at the target utilization: serves "
                f"{out['served_fraction']:.0%} of the demand"
            )
        if not np.all(np.atleast_1d(horizon[ev.name]["feasible"])) and feasible:
            warnings.append("becomes infeasible within the horizon (growth)")
        warnings += res.notes
        is_api = ev.kind == "api"
        results.append(
            OptionResult(
                name=ev.name,
                kind=ev.kind,
                monthly_cost_usd=float(out["monthly_cost_usd"]),
                components={
                    k.removeprefix("components."): float(v)
                    for k, v in out.items()
                    if k.startswith("components.")
                },
                usd_per_mtok=float(out["usd_per_mtok"]),
                tokens_per_month=float(out["tokens_per_month"]),
                feasible=feasible,
                warnings=warnings,
                features={
                    k.removeprefix("features."): float(v)
                    for k, v in out.items()
                    if k.startswith("features.")
                },
                input_usd_per_mtok=float(out["input_usd_per_mtok"]) if is_api else None,
                output_usd_per_mtok=float(out["output_usd_per_mtok"]) if is_api else None,
                gpus=None if is_api else float(out.get("gpus_peak", np.nan)),
                gpus_avg=None if is_api else float(out.get("gpus_avg", np.nan)),
                replicas=None if is_api else float(out.get("replicas_peak", np.nan)),
                replicas_avg=None if is_api else float(out.get("replicas_avg", np.nan)),
                utilization=None if is_api else float(out.get("utilization", np.nan)),
                ttft_s=res.latency.get("ttft_s"),
                tpot_s=res.latency.get("tpot_s"),
                horizon_monthly_usd=monthly.tolist(),
                horizon_cumulative_usd=np.cumsum(monthly).tolist(),
                npv_usd=float(npv_usd(monthly, wl.discount_rate_per_year)),
                details=res.details | price_labels(ev, out, mix),
                indicators={
                    k: float(v)
                    for k, v in out.items()
                    if not k.startswith(("components.", "features."))
                    and k not in ("monthly_cost_usd", "usd_per_mtok", "tokens_per_month")
                },
                **_quoted(out, is_api),
            )
        )
    feasible_costs = [
        (o.monthly_cost_usd, o.name)
        for o in results
        if o.feasible and not math.isnan(o.monthly_cost_usd)
    ]
    cheapest = min(feasible_costs)[1] if feasible_costs else None

    assumptions = [a for r in resolved for a in r.assumptions]
    if wl.peak_to_average is None and wl.hourly_profile is None:
        assumptions.insert(
            0,
            {
                "option": "workload",
                "name": "peak_to_average",
                "value": 1.0,
                "unit": "ratio",
                "source": "llmcost default: a flat day (give peak_to_average or hourly_profile)",
            },
        )
    rows = [row for r in resolved for row in r.rows]
    frame = sources_for(rows)
    catalog_rows = [
        {str(k): (v.isoformat() if isinstance(v, date) else v) for k, v in rec.items()}
        | {"stale": (rec["entity"], rec["id"]) in stale_keys}
        for rec in frame.to_dict(orient="records")
    ]
    results = _with_payback(results, model, horizon)
    return Comparison(
        scenario=scenario.name,
        as_of=as_of,
        catalog_version=catalog.catalog_version,
        options=results,
        cheapest=cheapest,
        growth_per_month=wl.growth_per_month,
        horizon_months=wl.horizon_months,
        discount_rate_per_year=wl.discount_rate_per_year,
        assumptions=assumptions,
        catalog_rows=catalog_rows,
        model=model,
        horizon_start=wl.horizon_start or default_horizon_start(as_of),
        unavailable=unavailable,
        fiscal_year_start_month=wl.fiscal_year_start_month,
    )
