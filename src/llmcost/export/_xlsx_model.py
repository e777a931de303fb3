"""The *Model* sheet: a column per option, every cell a formula over the named assumptions.

Sections: volume; the API bill by component; capacity and replicas hour by hour (self-hosted);
self-hosted cost by component; the total, $ per 1M tokens, the context limit (prompt + output
per request) and the cheapest feasible option. Component rows carry the library's component
names (``gpu_on_demand_usd``, ``capital_usd``…), so each column's total is the sum of the same
components as ``compare()``'s.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Container
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .._core.units import HOURS_PER_MONTH, SECONDS_PER_MONTH, TOKENS_PER_MTOK
from ..scenario.evaluators import ApiEvaluator, SelfHostedEvaluator
from . import _xlsx_formulas as fx
from ._xlsx_book import (
    GENERAL,
    INTEGER,
    NUMBER,
    PERCENT,
    USD,
    USD_PRECISE,
    Book,
    Column,
    Formula,
    GridSheet,
)
from ._xlsx_inputs import HOURS
from .safety import write_text_cell

if TYPE_CHECKING:
    from .xlsx import WorkbookSpec

__all__ = ["COMPONENT_LABELS", "ModelWriter"]

API_COMPONENTS = ("input_usd", "cached_input_usd", "cache_write_usd", "output_usd")
#: The library's component names of each rental term, from ``rental_components``' keys.
RENTAL_COMPONENTS = {
    "on_demand": {"gpu_usage_usd": "gpu_on_demand_usd"},
    "reserved": {"gpu_committed_usd": "gpu_reserved_usd", "gpu_usage_usd": "gpu_on_demand_usd"},
    "spot": {"gpu_usage_usd": "gpu_spot_usd", "spot_interruption_usd": "spot_interruption_usd"},
}
COMPONENT_LABELS = {
    "input_usd": "API: input tokens",
    "cached_input_usd": "API: cached input tokens",
    "cache_write_usd": "API: cache writes",
    "output_usd": "API: output tokens",
    "gpu_reserved_usd": "GPUs, reserved (committed)",
    "gpu_on_demand_usd": "GPUs, on demand",
    "gpu_spot_usd": "GPUs, spot",
    "spot_interruption_usd": "Spot interruptions (re-run GPU-hours)",
    "capital_usd": "Capital: PMT of the purchase",
    "power_usd": "Power",
    "colocation_usd": "Colocation",
    "maintenance_usd": "Maintenance",
    "staff_usd": "Staff",
    "networking_storage_usd": "Networking and storage",
    "fixed_usd": "Software and other fixed costs",
}

Build = Callable[[Column], Formula | str | None]
#: Shows the "no limit" stand-in (1E+300) as words; numbers as integers.
NO_LIMIT_FORMAT = '[>=1E+299]"no limit";#,##0'


def rental_mode(pricing: str) -> str:
    """``on_demand``, ``reserved`` or ``spot`` for a rented pricing term."""
    return "reserved" if pricing.startswith("reserved") else pricing


@dataclass
class ModelWriter:
    """Writes the Model sheet; exposes its rows for the horizon sheets."""

    book: Book
    spec: WorkbookSpec
    grid: GridSheet = field(init=False)
    hour_span: dict[int, str] = field(init=False, default_factory=dict)
    components: dict[int, list[str]] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.evaluators = self.spec.model.evaluators
        self.grid = GridSheet(self.book, "Model", [ev.name for ev in self.evaluators])
        hosted = {
            j: ev for j, ev in enumerate(self.evaluators, 1) if isinstance(ev, SelfHostedEvaluator)
        }
        #: options whose model does not fit on their GPUs: no cost, not feasible
        self.unfit = {j for j, ev in hosted.items() if not ev.fits}
        self.hosted = {j: ev for j, ev in hosted.items() if ev.fits}
        self.apis = {
            j: ev for j, ev in enumerate(self.evaluators, 1) if isinstance(ev, ApiEvaluator)
        }
        self.n_features = len(self.spec.model.mix.names)
        self.has_images = any(ev.image_tokens_per_request is not None for ev in self.evaluators)

    def ref(self, key: str, j: int) -> str:
        """Absolute reference to line item ``key`` of option ``j`` (for other sheets)."""
        col = self.grid.columns[j - 1].letter
        return f"Model!${col}${self.grid.rows[key]}"

    def requests(self, i: int) -> str:
        """Requests per month of feature ``i`` (1-based)."""
        return f"w_requests_per_month*f{i}_request_share"

    def input_tokens(self, j: int, i: int) -> str:
        """Input tokens per request of feature ``i`` on option ``j``.

        Text + the option's image tokens (when the scenario has images).
        """
        text = f"f{i}_input_tokens_per_request"
        if self.evaluators[j - 1].image_tokens_per_request is None:
            return text
        return f"({text}+o{j}_f{i}_image_tokens_per_request)"

    def _only(self, options: Container[int], text_for: Callable[[int, Column], str]) -> Build:
        def build(c: Column) -> Formula | None:
            j = c.index + 1
            return Formula("=" + text_for(j, c)) if j in options else None

        return build

    def write(self) -> None:
        """Every section, then the totals and the cheapest option."""
        self._volume()
        self._api_bill()
        if self.hosted:
            self._capacity()
            self._self_hosted_cost()
        self._totals()

    # -- sections ------------------------------------------------------------------------

    def _volume(self) -> None:
        g, features = self.grid, range(1, self.n_features + 1)
        every = range(1, len(self.evaluators) + 1)
        g.section("Volume")
        g.add(
            "requests_per_month",
            "Requests",
            "requests/month",
            self._only(dict.fromkeys(every), lambda j, c: "w_requests_per_month"),
            INTEGER,
        )
        g.add(
            "input_tokens_per_month",
            "Input tokens (text + images)" if self.has_images else "Input tokens",
            "tokens/month",
            self._only(
                dict.fromkeys(every),
                lambda j, c: "+".join(
                    f"{self.requests(i)}*{self.input_tokens(j, i)}" for i in features
                ),
            ),
            INTEGER,
        )
        output = "+".join(f"{self.requests(i)}*f{i}_output_tokens_per_request" for i in features)
        g.add(
            "output_tokens_per_month",
            "Output tokens",
            "tokens/month",
            self._only(dict.fromkeys(every), constant(output)),
            INTEGER,
        )
        g.add(
            "tokens_per_month",
            "Tokens, input + output",
            "tokens/month",
            self._only(
                dict.fromkeys(every),
                lambda j, c: (
                    f"{c.cell('input_tokens_per_month')}+{c.cell('output_tokens_per_month')}"
                ),
            ),
            INTEGER,
        )

    def _api_bill(self) -> None:
        if not self.apis:
            return
        parts = {j: self._api_formulas(j) for j in self.apis}
        self.grid.section("API bill")
        for key in API_COMPONENTS:
            self.grid.add(
                key,
                COMPONENT_LABELS[key],
                "USD/month",
                self._only(self.apis, component_of(parts, key)),
                USD,
            )
        for j in self.apis:
            self.components[j] = list(API_COMPONENTS)

    def _api_formulas(self, j: int) -> dict[str, str]:
        classes, prices = [], []
        for i in range(1, self.n_features + 1):
            f, o = f"f{i}_", f"o{j}_f{i}_"
            cached, write = o + "cached_input_usd_per_mtok", o + "cache_write_usd_per_mtok"
            classes.append(
                fx.RequestClass(
                    requests_per_month=self.requests(i),
                    input_tokens_per_request=self.input_tokens(j, i),
                    output_tokens_per_request=f + "output_tokens_per_request",
                    cached_input_fraction=fx.priced_share(cached, f + "cached_input_fraction"),
                    cache_write_fraction=fx.priced_share(write, f + "cache_write_fraction"),
                    batch_eligible_fraction=f + "batch_eligible_fraction",
                )
            )
            m = f"*o{j}_api_price_multiplier"
            prices.append(
                fx.ApiPrices(
                    input=f"{o}input_usd_per_mtok{m}",
                    cached_input=fx.price_or_zero(cached) + m,
                    cache_write=fx.price_or_zero(write) + m,
                    output=f"{o}output_usd_per_mtok{m}",
                    batch_discount=f"o{j}_batch_discount_fraction",
                )
            )
        return fx.api_components(classes, prices)

    def _capacity(self) -> None:
        g, hosted, nf = self.grid, self.hosted, self.n_features

        def capacity(j: int, c: Column) -> str:
            """Σ requests / Σ replica-seconds of the mix (the library's capacity)."""
            seconds = [f"o{j}_f{i}_replica_s_per_request" for i in range(1, nf + 1)]
            reqs = "+".join(self.requests(i) for i in range(1, nf + 1))
            busy = "+".join(f"{self.requests(i + 1)}*{s}" for i, s in enumerate(seconds))
            mean = f"(({'+'.join(seconds)})/{nf})"
            m = f"o{j}_capacity_multiplier"
            return f"IF(w_requests_per_month>0,{m}*({reqs})/({busy}),{m}/{mean})"

        g.section("Capacity and replicas (self-hosted)")
        g.add(
            "capacity_requests_per_s_per_replica",
            "Capacity of one replica at full load",
            "requests/s",
            self._only(hosted, capacity),
            "0.0000",
        )
        g.add(
            "planned_capacity",
            "Planned load of one replica (× target utilization)",
            "requests/s",
            self._only(
                hosted,
                lambda j, c: fx.planned_capacity(
                    c.cell("capacity_requests_per_s_per_replica"), f"o{j}_target_utilization"
                ),
            ),
            "0.0000",
        )
        g.add(
            "demand_requests_per_s",
            "Average demand",
            "requests/s",
            self._only(hosted, lambda j, c: f"w_requests_per_month/{SECONDS_PER_MONTH:.0f}"),
            "0.0000",
        )
        g.add(
            "replicas_per_weight",
            "Replicas per unit of hourly weight (before rounding)",
            "replicas",
            self._only(
                hosted,
                lambda j, c: fx.replicas_per_weight(
                    c.cell("demand_requests_per_s"), c.cell("planned_capacity")
                ),
            ),
            "0.0000",
        )
        g.add(
            "replica_floor",
            "Fewest replicas in an hour with demand",
            "replicas",
            self._only(
                hosted, lambda j, c: fx.replica_floor(f"o{j}_min_replicas", f"o{j}_scale_to_zero")
            ),
            INTEGER,
        )
        g.add(
            "replica_cap",
            "Most replicas allowed",
            "replicas",
            self._only(hosted, lambda j, c: fx.replica_cap(f"o{j}_max_replicas")),
            NO_LIMIT_FORMAT,
        )
        for h in HOURS:
            g.add(
                f"replicas_h{h}",
                f"Replicas running, {h}:00",
                "replicas",
                self._only(hosted, replicas_in_hour(h)),
                INTEGER,
            )
        for j in hosted:
            c = g.columns[j - 1]
            self.hour_span[j] = c.span("replicas_h00", "replicas_h23")
        span = self.hour_span
        g.add(
            "replicas_avg",
            "Replicas, average over the day",
            "replicas",
            self._only(hosted, lambda j, c: f"AVERAGE({span[j]})"),
            NUMBER,
        )
        g.add(
            "replicas_peak",
            "Replicas, peak",
            "replicas",
            self._only(hosted, lambda j, c: f"MAX({span[j]})"),
            INTEGER,
        )
        g.add(
            "gpus_peak",
            "GPUs, peak",
            "GPUs",
            self._only(hosted, lambda j, c: f"{c.cell('replicas_peak')}*o{j}_gpus_per_replica"),
            INTEGER,
        )
        g.add(
            "replica_hours_per_month",
            "Replica-hours",
            "replica-hours/month",
            self._only(hosted, lambda j, c: f"{c.cell('replicas_avg')}*{HOURS_PER_MONTH:g}"),
            INTEGER,
        )
        g.add(
            "utilization",
            "Utilization of the replicas running",
            "fraction",
            self._only(
                hosted,
                lambda j, c: served_over_capacity(
                    span[j],
                    c.cell("demand_requests_per_s"),
                    "w_hourly_weights",
                    c.cell("capacity_requests_per_s_per_replica"),
                    otherwise='"n/a"',
                ),
            ),
            PERCENT,
        )

    def _self_hosted_cost(self) -> None:
        g, hosted = self.grid, self.hosted
        g.section("Self-hosted cost")
        reserved = {j: ev for j, ev in hosted.items() if rental_mode(ev.pricing) == "reserved"}
        rented = {j: ev for j, ev in hosted.items() if ev.pricing != "owned"}
        owned = {j: ev for j, ev in hosted.items() if ev.pricing == "owned"}
        if reserved:
            g.add(
                "committed_replicas",
                "Replicas reserved (committed)",
                "replicas",
                self._only(
                    reserved,
                    lambda j, c: fx.committed_replicas(
                        self.hour_span[j], f"o{j}_commitment_fraction"
                    ),
                ),
                INTEGER,
            )
        if rented:
            g.add(
                "usage_replica_hours",
                "Pay-as-you-go replica-hours",
                "replica-hours/month",
                self._only(
                    rented,
                    lambda j, c: (
                        fx.replica_hours_above(self.hour_span[j], c.cell("committed_replicas"))
                        if j in reserved
                        else c.cell("replica_hours_per_month")
                    ),
                ),
                INTEGER,
            )
        if owned:
            g.add(
                "fleet_utilization",
                "Load of the owned fleet over all hours",
                "fraction",
                self._only(
                    owned,
                    lambda j, c: fleet_load(
                        c.cell("utilization"), c.cell("replicas_avg"), c.cell("replicas_peak")
                    ),
                ),
                PERCENT,
            )
            g.add(
                "power_draw_fraction",
                "Power draw, share of full load",
                "fraction",
                self._only(owned, lambda j, c: draw_fraction(j, c.cell("fleet_utilization"))),
                PERCENT,
            )
        parts: dict[int, dict[str, str]] = {}
        for j, ev in hosted.items():
            c = g.columns[j - 1]
            if ev.pricing == "owned":
                parts[j] = owned_parts(j, c.cell("gpus_peak"), c.cell("power_draw_fraction"))
            else:
                parts[j] = rental_parts(
                    j,
                    ev.pricing,
                    c.cell("usage_replica_hours"),
                    c.cell("committed_replicas") if j in reserved else "0",
                )
            parts[j] |= common_parts(j)
        keys = [k for k in COMPONENT_LABELS if any(k in d for d in parts.values())]
        for key in keys:
            g.add(
                key,
                COMPONENT_LABELS[key],
                "USD/month",
                self._only({j for j in parts if key in parts[j]}, component_of(parts, key)),
                USD,
            )
        for j, d in parts.items():
            self.components[j] = list(d)

        def gpu_hours(j: int, c: Column) -> str:
            per = f"o{j}_gpus_per_replica"
            if j in owned:
                return f"{c.cell('replica_hours_per_month')}*{per}"
            committed = (
                f"{c.cell('committed_replicas')}*{per}*{HOURS_PER_MONTH:g}+"
                if j in reserved
                else ""
            )
            overhead = (
                f"o{j}_spot_interruption_overhead_fraction" if hosted[j].pricing == "spot" else "0"
            )
            return f"{committed}{c.cell('usage_replica_hours')}*{per}*(1+{overhead})"

        g.add(
            "gpu_hours_per_month",
            "GPU-hours paid for",
            "GPU-hours/month",
            self._only(hosted, gpu_hours),
            INTEGER,
        )

    def _quoted(self, or_unfit: Callable[[Build, str], Build]) -> None:
        """The quoted figures of :func:`llmcost.cost.quoted_figures` that are one division.

        Whole cost per 1M output / input tokens, per request, per 1,000 requests.
        """
        rows = (
            ("usd_per_m_output_tokens", "Cost per 1M output tokens (whole cost)",
             "output_tokens_per_month", TOKENS_PER_MTOK),
            ("usd_per_m_input_tokens", "Cost per 1M input tokens (whole cost)",
             "input_tokens_per_month", TOKENS_PER_MTOK),
            ("usd_per_request", "Cost per request", "requests_per_month", 1.0),
            ("usd_per_1k_requests", "Cost per 1,000 requests", "requests_per_month", 1000.0),
        )  # fmt: skip
        for key, label, per, scale in rows:

            def ratio(j: int, c: Column, per: str = per, scale: float = scale) -> str:
                return (
                    f"IF({c.cell(per)}>0,{c.cell('monthly_cost_usd')}/{c.cell(per)}"
                    f'*{scale:.0f},"n/a")'
                )

            unit = "USD/mtok" if scale == TOKENS_PER_MTOK else "USD"
            self.grid.add(
                key, label, unit, or_unfit(self._only(self.components, ratio), "n/a"), USD_PRECISE
            )

    def _totals(self) -> None:
        g, unfit = self.grid, self.unfit

        def or_unfit(build: Build, text: str) -> Build:
            return lambda c: text if c.index + 1 in unfit else build(c)

        g.section("Total")
        g.add(
            "monthly_cost_usd",
            "Monthly cost",
            "USD/month",
            or_unfit(
                self._only(
                    self.components, lambda j, c: "+".join(c.cell(k) for k in self.components[j])
                ),
                "does not fit",
            ),
            USD,
            bold=True,
        )
        g.add(
            "usd_per_mtok",
            "Cost per 1M tokens (input + output)",
            "USD/mtok",
            or_unfit(
                self._only(
                    self.components,
                    lambda j, c: (
                        f"IF({c.cell('tokens_per_month')}>0,{c.cell('monthly_cost_usd')}"
                        f'/{c.cell("tokens_per_month")}*{TOKENS_PER_MTOK:.0f},"n/a")'
                    ),
                ),
                "n/a",
            ),
            USD_PRECISE,
            bold=True,
        )
        self._quoted(or_unfit)
        every = range(1, len(self.evaluators) + 1)
        self._context(every)

        def feasible(j: int, c: Column) -> str:
            within = c.cell("within_context")
            if j in self.apis:
                return within
            if j in unfit:
                return "FALSE"
            peak = f"CEILING({c.cell('replicas_per_weight')}*MAX(w_hourly_weights),1)"
            return f"AND(o{j}_meets_latency_targets,{peak}<={c.cell('replica_cap')},{within})"

        g.add(
            "feasible",
            "Feasible (fits, meets latency targets, within max replicas and context limit)",
            "true/false",
            self._only(every, feasible),
            GENERAL,
        )
        g.add(
            "feasible_cost_usd",
            "Monthly cost if feasible",
            "USD/month",
            self._only(
                every,
                lambda j, c: f'IF({c.cell("feasible")},{c.cell("monthly_cost_usd")},"infeasible")',
            ),
            USD,
        )
        g.row += 1
        r = g.row + 1
        write_text_cell(g.ws.cell(row=r, column=1), "Cheapest feasible option")
        costs = g.row_range("feasible_cost_usd")
        g.ws.cell(
            row=r, column=g.first_column
        ).value = (
            f'=IF(COUNT({costs})=0,"none",INDEX({g.header_range()},MATCH(MIN({costs}),{costs},0)))'
        )
        g.rows["cheapest"] = r
        g.row = r
        self.book.define("cheapest_option", g.title, f"${g.columns[0].letter}${r}")

    def _context(self, every: range) -> None:
        """The context limit and whether every feature's prompt + output stays within it.

        The limit comes from the library: offer window, model context, KV cache of one replica.
        """
        g = self.grid

        def limit(c: Column) -> Formula | str:
            tokens = self.evaluators[c.index].context_limit_tokens
            return Formula(f"={tokens:.0f}") if math.isfinite(tokens) else "not known"

        def within(j: int, c: Column) -> str:
            if not getattr(self.evaluators[j - 1], "tail_within_context", True):
                return "FALSE"  # the library's p99 check of per-request lengths
            if not math.isfinite(self.evaluators[j - 1].context_limit_tokens):
                return "TRUE"
            lengths = (
                f"{self.input_tokens(j, i)}+f{i}_output_tokens_per_request<={c.cell('context')}"
                for i in range(1, self.n_features + 1)
            )
            return f"AND({','.join(lengths)})"

        g.add(
            "context",
            "Context limit per request, prompt + output (smallest of the offer's window, the "
            "model's trained context, one replica's KV cache; library)",
            "tokens",
            limit,
            INTEGER,
        )
        g.add(
            "within_context",
            "Every feature's prompt + output within the context limit",
            "true/false",
            self._only(every, within),
            GENERAL,
        )


def constant(text: str) -> Callable[[int, Column], str]:
    """The same formula text for every option."""
    return lambda _j, _c: text


def replicas_in_hour(h: str) -> Callable[[int, Column], str]:
    """Replicas of option ``j`` in hour ``h`` from the column's planning cells."""

    def text(j: int, c: Column) -> str:
        return fx.replicas_in_hour(
            per_weight=c.cell("replicas_per_weight"),
            weight=fx.planned_weight(
                weight=f"w_hour_{h}",
                peak_weight="MAX(w_hourly_weights)",
                autoscaling=f"o{j}_autoscaling",
            ),
            floor=c.cell("replica_floor"),
            cap=c.cell("replica_cap"),
            scale_to_zero=f"o{j}_scale_to_zero",
        )

    return text


def component_of(parts: dict[int, dict[str, str]], key: str) -> Callable[[int, Column], str]:
    """The formula text of component ``key`` for option ``j``."""
    return lambda j, _c: parts[j][key]


# --- formulas shared with the horizon sheets ------------------------------------------------


def served_over_capacity(
    hours: str, demand: str, weights: str, capacity: str, *, otherwise: str
) -> str:
    """Utilization: Σ_h min(demand × w_h, replicas_h × capacity) / Σ_h replicas_h × capacity."""
    dw, rc = f"{demand}*{weights}", f"{hours}*{capacity}"
    return (
        f"IF(SUM({hours})>0,SUMPRODUCT({dw}-({dw}>{rc})*({dw}-{rc}))"
        f"/(SUM({hours})*{capacity}),{otherwise})"
    )


def fleet_load(utilization: str, replicas_avg: str, replicas_peak: str) -> str:
    """Load of an owned fleet sized for the peak: utilization × average / peak, in [0, 1]."""
    u = f"IF(ISNUMBER({utilization}),{utilization},0)"
    return f"IF({replicas_peak}>0,MIN(MAX({u}*{replicas_avg}/{replicas_peak},0),1),0)"


def draw_fraction(j: int, fleet_utilization: str) -> str:
    """The given power draw, or idle + (1 − idle) × the fleet's load."""
    p = f"o{j}_power_draw_fraction"
    return (
        f"IF(ISNUMBER({p}),{p},"
        + fx.power_draw_fraction(fleet_utilization, f"o{j}_idle_power_fraction")
        + ")"
    )


def owned_parts(j: int, gpus: str, draw: str) -> dict[str, str]:
    """Owned-hardware components of option ``j``."""
    p = f"o{j}_"
    return fx.owned_components(
        gpus=gpus,
        purchase_usd_per_gpu=p + "purchase_usd_per_gpu",
        life_years=p + "life_years",
        residual_fraction=p + "residual_fraction",
        cost_of_capital_per_year=p + "cost_of_capital_per_year",
        power_kw_per_gpu=p + "power_kw_per_gpu",
        power_draw_fraction=draw,
        pue=p + "pue",
        usd_per_kwh=p + "usd_per_kwh",
        colocation_usd_per_kw_month=p + "colocation_usd_per_kw_month",
        maintenance_fraction_per_year=p + "maintenance_fraction_per_year",
    )


def rental_parts(j: int, pricing: str, usage_hours: str, committed: str) -> dict[str, str]:
    """Rental components of option ``j``, under the library's component names."""
    p, mode = f"o{j}_", rental_mode(pricing)
    reserved = mode == "reserved"
    rent = fx.rental_components(
        usage_replica_hours=usage_hours,
        gpus_per_replica=p + "gpus_per_replica",
        usd_per_gpu_hour=p + ("on_demand_usd_per_gpu_hour" if reserved else "gpu_usd_per_hour"),
        committed=committed,
        committed_usd_per_gpu_hour=p + "gpu_usd_per_hour" if reserved else "0",
        interruption_overhead_fraction=(
            p + "spot_interruption_overhead_fraction" if mode == "spot" else "0"
        ),
    )
    return {new: rent[old] for old, new in RENTAL_COMPONENTS[mode].items()}


def common_parts(j: int) -> dict[str, str]:
    """Staff, networking/storage and fixed costs of self-hosted option ``j``."""
    p = f"o{j}_"
    return {
        "staff_usd": fx.staff_usd_per_month(p + "engineering_fte", p + "fte_usd_per_year"),
        "networking_storage_usd": p + "networking_storage_usd_per_month",
        "fixed_usd": p + "fixed_usd_per_month",
    }
