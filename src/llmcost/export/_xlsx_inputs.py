"""The *Assumptions* sheet: every input of the workbook as a named cell.

Names: ``w_…`` for the workload, ``f{i}_…`` for feature i, ``o{j}_…`` for option j (1-based,
in scenario order), ``o{j}_f{i}_…`` for an option's per-feature values (API prices after the
long-context tier, image tokens per request, self-hosted replica time per request).
``w_hourly_weights`` names the 24
hourly weights.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from ..scenario.evaluators import ApiEvaluator, SelfHostedEvaluator
from ._xlsx_book import INTEGER, NUMBER, PERCENT, USD, USD_PRECISE, AssumptionsSheet, Book
from ._xlsx_perf import PerfSetup
from ._xlsx_profile import HOURS, PROFILE_SHEET, is_synthetic

__all__ = ["HOURS", "NAN_TEXT", "UNITS", "InputsWriter"]

if TYPE_CHECKING:
    from .xlsx import WorkbookSpec


#: Unit of each option input (the scenario model's variable names).
UNITS = {
    "api_price_multiplier": "ratio",
    "batch_discount_fraction": "fraction",
    "capacity_multiplier": "ratio",
    "target_utilization": "fraction",
    "min_replicas": "replicas",
    "max_replicas": "replicas",
    "engineering_fte": "FTE",
    "fte_usd_per_year": "USD/year",
    "fixed_usd_per_month": "USD/month",
    "networking_storage_usd_per_month": "USD/month",
    "gpu_usd_per_hour": "USD/GPU-hour",
    "on_demand_usd_per_gpu_hour": "USD/GPU-hour",
    "commitment_fraction": "fraction",
    "spot_interruption_overhead_fraction": "fraction",
    "purchase_usd_per_gpu": "USD/GPU",
    "life_years": "years",
    "residual_fraction": "fraction",
    "cost_of_capital_per_year": "1/year",
    "power_kw_per_gpu": "kW/GPU",
    "power_draw_fraction": "fraction",
    "idle_power_fraction": "fraction",
    "pue": "ratio",
    "usd_per_kwh": "USD/kWh",
    "colocation_usd_per_kw_month": "USD/kW-month",
    "maintenance_fraction_per_year": "1/year",
}
#: Inputs the library leaves "not a number" (NaN) on purpose: the cell stays empty (no text in
#: a number cell) and this note says what an empty cell means.
NAN_TEXT = {
    "max_replicas": "empty: no limit on replicas",
    "commitment_fraction": "empty: the always-on base (the fewest replicas of the day) is "
    "committed",
    "power_draw_fraction": "empty: power draw follows the fleet's load",
}


def unread_inputs(ev: ApiEvaluator | SelfHostedEvaluator) -> set[str]:
    """Inputs of ``ev.base`` that no formula of the option's pricing reads.

    Left out of the book: a cell nobody reads looks live and is not.
    """
    if isinstance(ev, ApiEvaluator):
        return set()
    pricing = ev.pricing
    unread = set()
    if not pricing.startswith("reserved"):
        unread |= {"on_demand_usd_per_gpu_hour", "commitment_fraction"}
    if pricing != "spot":
        unread.add("spot_interruption_overhead_fraction")
    return unread


def _format(unit: str) -> str:
    if unit.startswith("USD"):
        return USD_PRECISE if unit in ("USD/kWh", "USD/mtok") else USD
    return PERCENT if unit == "fraction" else NUMBER


@dataclass
class InputsWriter:
    """Writes the Assumptions sheet of a :class:`~llmcost.export.xlsx.WorkbookSpec`."""

    book: Book
    spec: WorkbookSpec
    setups: Mapping[int, PerfSetup] = field(default_factory=dict)
    sheet: AssumptionsSheet = field(init=False)

    def __post_init__(self) -> None:
        self.sheet = AssumptionsSheet(self.book)

    def _source(self, option: str, name: str) -> dict[str, Any]:
        source, as_of, note = self.spec.input_sources.get((option, name), ("", "", ""))
        return {"source": source, "as_of": as_of, "note": note}

    def write(self) -> None:
        """Workload, features, daily profile, then each option."""
        self._workload()
        for j, ev in enumerate(self.spec.model.evaluators, start=1):
            self._option(j, ev)

    def _workload(self) -> None:
        mix, a = self.spec.model.mix, self.sheet
        a.section(f"Workload: {self.spec.title}")
        a.add(
            "w_requests_per_month",
            "Requests per month, all features",
            mix.total_requests_per_month,
            "requests/month",
            number_format=INTEGER,
            **self._source("", "requests_per_month"),
        )
        a.add(
            "w_growth_per_month",
            "Volume growth per month",
            self.spec.growth_per_month,
            "fraction/month",
            number_format=PERCENT,
        )
        a.add(
            "w_discount_rate_per_year",
            "Discount rate (NPV)",
            self.spec.discount_rate_per_year,
            "1/year",
            number_format=PERCENT,
        )
        a.section("Features (request classes)")
        rows: list[tuple[str, str, Any, str, str, str]] = []
        for i, name in enumerate(mix.names):
            rows += [
                (
                    "request_share",
                    "share of requests",
                    mix.request_shares[i],
                    "fraction",
                    PERCENT,
                    "from the scenario's feature volumes",
                ),
                (
                    "input_tokens_per_request",
                    "input tokens per request",
                    mix.input_tokens[i],
                    "tokens",
                    INTEGER,
                    "",
                ),
                (
                    "output_tokens_per_request",
                    "output tokens per request",
                    mix.output_tokens[i],
                    "tokens",
                    INTEGER,
                    "",
                ),
                (
                    "cached_input_fraction",
                    "prompt-cache hit share of input",
                    mix.cached_input_fraction[i],
                    "fraction",
                    PERCENT,
                    "self-hosted capacity was computed at this share",
                ),
                (
                    "cache_write_fraction",
                    "cache-write share of input",
                    mix.cache_write_fraction[i],
                    "fraction",
                    PERCENT,
                    "",
                ),
                (
                    "batch_eligible_fraction",
                    "batch-eligible share of requests",
                    mix.batch_eligible_fraction[i],
                    "fraction",
                    PERCENT,
                    "",
                ),
            ]
            for key, label, value, unit, fmt, note in rows[-6:]:
                a.add(
                    f"f{i + 1}_{key}",
                    f"{name}: {label}",
                    float(value),
                    unit,
                    number_format=fmt,
                    note=note,
                )
        a.section("Daily load profile")
        if is_synthetic(mix.hourly_weights, mix.peak_to_average):
            a.add(
                "w_peak_to_average",
                "Peak hour over the average hour (peak factor)",
                float(f"{mix.peak_to_average:.12g}"),  # the scenario's 2.5, not 2.4999999999999996
                "ratio",
                number_format="0.00",
                **self._source("", "peak_to_average"),
            )
            a.add_text_line(
                f"The 24 hourly weights follow from the peak factor: sheet {PROFILE_SHEET} "
                "(llmcost.cost.load.profile_from_peak_to_average)"
            )
            return
        first = a.row + 1
        for h, weight in zip(HOURS, mix.hourly_weights, strict=True):
            a.add(
                f"w_profile_{h}",
                f"Demand weight, {h}:00 (as given)",
                float(weight),
                "ratio",
                number_format="0.0000",
                note="scaled to mean 1 on sheet Load profile" if h == "00" else "",
            )
        self.book.define("w_profile", a.title, f"$C${first}:$C${first + 23}")

    def _option(self, j: int, ev: ApiEvaluator | SelfHostedEvaluator) -> None:
        a, mix = self.sheet, self.spec.model.mix
        kind = "API" if isinstance(ev, ApiEvaluator) else f"self-hosted, {ev.pricing}"
        a.section(f"Option {j}: {ev.name} ({kind})")
        p = f"o{j}_"
        for name, value in ev.base.items():
            if name in unread_inputs(ev):
                continue
            v = float(value)
            unit = UNITS.get(name, "")
            src = self._source(ev.name, name)
            empty = bool(np.isnan(v))
            if empty:
                meaning = NAN_TEXT.get(name, "empty: not given")
                src["note"] = f"{meaning}; {src['note']}" if src["note"] else meaning
            a.add(
                p + name,
                name.replace("_", " "),
                None if empty else v,
                unit,
                number_format=_format(unit),
                **src,
            )
        self._image_tokens(j, ev)
        if isinstance(ev, ApiEvaluator):
            self._api_prices(j, ev)
            return
        a.add(
            p + "gpus_per_replica",
            "GPUs per replica",
            float(ev.gpus_per_replica),
            "GPUs",
            number_format=INTEGER,
        )
        a.add(
            p + "scale_to_zero",
            "Scale to zero in hours without demand",
            bool(ev.scale_to_zero),
            "true/false",
        )
        a.add(
            p + "autoscaling",
            "Autoscaling (false: a fleet sized for the peak hour runs all day)",
            bool(ev.autoscaling),
            "true/false",
        )
        setup = self.setups.get(j)
        if setup is not None:
            self._perf_constants(j, setup)
            return
        a.add(
            p + "meets_latency_targets",
            "Meets its latency targets (TTFT/TPOT)",
            bool(self.spec.meets_latency_targets.get(ev.name, ev.meets_slo)),
            "true/false",
            source="llmcost performance model",
            fixed=True,
        )
        for i, fname in enumerate(mix.names):
            seconds = float(
                np.interp(mix.cached_input_fraction[i], ev.cached_grid, ev.seconds_per_request[i])
            )
            a.add(
                f"{p}f{i + 1}_replica_s_per_request",
                f"{fname}: replica time per request",
                seconds,
                "replica-seconds",
                number_format="0.000000",
                source="measured capacity (scenario requests_per_s_per_replica)",
            )

    def _perf_constants(self, j: int, setup: PerfSetup) -> None:
        """The named constants the Capacity sheet's formulas read."""
        a, p = self.sheet, f"o{j}_"
        for c in setup.constants:
            fmt = (
                "0.000E+00"
                if isinstance(c.value, float) and abs(c.value) >= 1e5
                else ("0.000000" if c.unit == "s" else "0.0000")
            )
            a.add(
                p + c.key,
                c.label,
                c.value,
                c.unit,
                number_format=fmt,
                source=c.source,
                as_of=self.spec.catalog_version and f"catalog {self.spec.catalog_version}",
                note="empty: no such target" if c.value is None else "",
                fixed=c.fixed,
            )
        if setup.images:
            ev = self.spec.model.evaluators[j - 1]
            tiles = (ev.perf_args or {})["image_tiles"]  # type: ignore[union-attr]
            for i, fname in enumerate(self.spec.model.mix.names):
                a.add(
                    f"{p}f{i + 1}_image_tiles_per_request",
                    f"{fname}: image tiles per request",
                    float(tiles[i]),
                    "tiles",
                    number_format=NUMBER,
                    source="llmcost.cost.multimodal (336-px tiles)",
                    fixed=True,
                )

    def _image_tokens(self, j: int, ev: ApiEvaluator | SelfHostedEvaluator) -> None:
        """The option's image tokens per request of each feature (only when there are images)."""
        tokens = ev.image_tokens_per_request
        if tokens is None:
            return
        done_with = (
            "the long-context tier was chosen at this prompt length"
            if isinstance(ev, ApiEvaluator)
            else "the replica time per request was computed with them"
        )
        for i, fname in enumerate(self.spec.model.mix.names):
            self.sheet.add(
                f"o{j}_f{i + 1}_image_tokens_per_request",
                f"{fname}: image tokens per request",
                float(tokens[i]),
                "tokens",
                number_format=NUMBER,
                source="llmcost.cost.multimodal: images × tokens per image by the option's "
                "image_token_rule (catalog)",
                note=f"input tokens on top of the text; {done_with}",
            )

    def _api_prices(self, j: int, ev: ApiEvaluator) -> None:
        a = self.sheet
        src = self._source(ev.name, "prices")
        for i, fname in enumerate(self.spec.model.mix.names):
            q = f"o{j}_f{i + 1}_"
            prices: Mapping[str, tuple[str, Any]] = {
                "input": ("input price", ev.input_usd_per_mtok[i]),
                "cached_input": ("cached input price", ev.cached_input_usd_per_mtok[i]),
                "cache_write": ("cache-write price", ev.cache_write_usd_per_mtok[i]),
                "output": ("output price", ev.output_usd_per_mtok[i]),
            }
            for key, (label, value) in prices.items():
                cell: Any = float(value)
                note = src["note"]
                if np.isnan(cell):  # the library bills such tokens as plain input
                    cell, note = None, "empty: no such price; these tokens are billed as input"
                a.add(
                    f"{q}{key}_usd_per_mtok",
                    f"{fname}: {label}",
                    cell,
                    "USD/mtok",
                    number_format=USD_PRECISE,
                    source=src["source"],
                    as_of=src["as_of"],
                    note=note,
                )
