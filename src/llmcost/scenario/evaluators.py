"""Per-option cost evaluators: the numbers of one option, evaluated over arrays of inputs.

An evaluator holds what was resolved once (prices from the catalog, capacity from the
performance model) and maps arrays of the workload and of its own variables to a flat dict of
arrays: ``monthly_cost_usd``, ``components.<name>`` (they sum to the total),
``features.<name>`` (the total split by feature), and indicators. Nothing here reads files.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .._core._arrays import FloatArray
from .._core.units import HOURS_PER_MONTH, SECONDS_PER_MONTH, TOKENS_PER_MTOK
from ..cost.api import api_bill, exceeds_rate_limit, peak_per_minute
from ..cost.load import replica_plan
from ..cost.owned import owned_cost, power_draw_fraction
from ..cost.quoted import QUOTED_FIGURES, at_capacity_gpu_usd, quoted_figures
from ..cost.rental import committed_replicas, rental_cost, replica_hours_above
from ..cost.staff import staff_usd_per_month
from .context import sequence_tokens

__all__ = ["ApiEvaluator", "SelfHostedEvaluator", "WorkloadArrays"]

Arrays = dict[str, Any]

#: Quoted figures also given at capacity (GPU time only, fractional replicas).
AT_CAPACITY_FIGURES = ("usd_per_mtok", "usd_per_m_output_tokens", "usd_per_1k_requests")
#: Every ``at_capacity_*`` output of a self-hosted evaluator (without the prefix).
AT_CAPACITY_OUTPUTS = ("gpu_usd_per_month", "replicas_avg", *AT_CAPACITY_FIGURES)


@dataclass(frozen=True)
class WorkloadArrays:
    """The workload for one evaluation: per-feature arrays broadcast over the scenarios."""

    names: tuple[str, ...]
    request_shares: FloatArray  # per feature, share of the requests [0–1], summing to 1
    requests_per_month: list[Any]  # per feature [requests/month]
    input_tokens: FloatArray  # per feature [tokens/request]
    output_tokens: FloatArray  # per feature [tokens/request]
    cached_input_fraction: list[Any]  # per feature [0–1]
    cache_write_fraction: FloatArray  # per feature [0–1]
    batch_eligible_fraction: list[Any]  # per feature [0–1]
    hourly_weights: FloatArray  # (24,) or (n, 24)
    peak_to_average: Any  # [ratio]

    def tokens_per_month(self, image_tokens: FloatArray | None = None) -> Any:
        """Input + output tokens of all features [tokens/month].

        With an option's image tokens per request of each feature (``image_tokens``, default none)
        counted as input.
        """
        extra = np.zeros(len(self.names)) if image_tokens is None else image_tokens
        return sum(
            r * (i + x + o)
            for r, i, x, o in zip(
                self.requests_per_month, self.input_tokens, extra, self.output_tokens, strict=True
            )
        )


def _image_outputs(w: WorkloadArrays, image_tokens: FloatArray | None) -> Arrays:
    """The option's image tokens per request, traffic-weighted over the features [tokens]."""
    mean = 0.0 if image_tokens is None else float(np.sum(w.request_shares * image_tokens))
    return {"image_tokens_per_request": np.asarray(mean)}


def _within_context(w: WorkloadArrays, image_tokens: FloatArray | None, limit: float) -> bool:
    """Whether every feature's prompt (text + images) + output is at most ``limit`` [tokens]."""
    return bool(np.all(sequence_tokens(w.input_tokens, image_tokens, w.output_tokens) <= limit))


def _traffic(w: WorkloadArrays, image_tokens: FloatArray | None) -> dict[str, Any]:
    """Input (text + image) and output tokens and requests of a month, all features."""
    extra = np.zeros(len(w.names)) if image_tokens is None else image_tokens
    rows = list(zip(w.requests_per_month, w.input_tokens, extra, w.output_tokens, strict=True))
    return {
        "input_tokens_per_month": sum(r * (i + x) for r, i, x, _ in rows),
        "output_tokens_per_month": sum(r * o for r, _, _, o in rows),
        "requests_per_month": sum(r for r, _, _, _ in rows),
    }


def _finish(
    out: Arrays,
    components: Mapping[str, Any],
    tokens: Any,
    traffic: Mapping[str, Any],
    prices: tuple[Any, Any] | None = None,
) -> Arrays:
    """Total, components and every quoted figure (:func:`llmcost.cost.quoted_figures`).

    ``prices`` = effective (input, output) USD/1M tokens of an API offer, for the blend.
    """
    total = sum(components.values())
    out["monthly_cost_usd"] = total
    for name, value in components.items():
        out[f"components.{name}"] = value
    out["tokens_per_month"] = tokens
    figures = quoted_figures(
        total,
        input_tokens_per_month=traffic["input_tokens_per_month"],
        output_tokens_per_month=traffic["output_tokens_per_month"],
        requests_per_month=traffic["requests_per_month"],
        input_usd_per_mtok=None if prices is None else prices[0],
        output_usd_per_mtok=None if prices is None else prices[1],
    )
    out |= {k: figures[k] for k in QUOTED_FIGURES}
    out["output_tokens_per_month"] = np.asarray(traffic["output_tokens_per_month"]) + 0.0
    return out


@dataclass(frozen=True)
class ApiEvaluator:
    """A pay-per-token offer: per-feature prices (after tier selection), limits.

    ``image_tokens_per_request`` (per feature, None: no images) are the offer's input tokens
    for the feature's images, billed as input on top of the text. ``context_limit_tokens``:
    the most prompt + output tokens a request may have (the context window; inf: unknown) —
    a feature above it makes the offer infeasible (its bill is still computed), as does
    ``tail_within_context`` False (the p99 of per-request lengths above the limit).
    """

    name: str
    input_usd_per_mtok: FloatArray  # per feature
    cached_input_usd_per_mtok: FloatArray  # per feature, NaN = no caching
    cache_write_usd_per_mtok: FloatArray  # per feature, NaN = billed as input
    output_usd_per_mtok: FloatArray  # per feature
    tokens_per_minute_limit: float  # NaN = not published
    requests_per_minute_limit: float
    base: dict[str, float] = field(default_factory=dict)
    image_tokens_per_request: FloatArray | None = None  # per feature [tokens]
    context_limit_tokens: float = np.inf  # prompt + output [tokens]
    tail_within_context: bool = True  # the p99 prompt + output fits (per-request lengths)
    kind: str = "api"

    def __call__(self, w: WorkloadArrays, p: Mapping[str, Any]) -> Arrays:
        """Monthly bill and indicators for the arrays of ``w`` and parameters ``p``."""
        m = np.asarray(p["api_price_multiplier"], dtype=np.float64)
        discount = p["batch_discount_fraction"]
        parts: dict[str, Any] = {}
        out: Arrays = {}
        interactive_tokens: Any = 0.0
        interactive_requests: Any = 0.0
        in_paid: Any = 0.0
        in_tokens: Any = 0.0
        images = self.image_tokens_per_request
        for f, fname in enumerate(w.names):
            bill = api_bill(
                requests_per_month=w.requests_per_month[f],
                input_tokens_per_request=w.input_tokens[f] + (0.0 if images is None else images[f]),
                output_tokens_per_request=w.output_tokens[f],
                input_usd_per_mtok=self.input_usd_per_mtok[f] * m,
                output_usd_per_mtok=self.output_usd_per_mtok[f] * m,
                cached_input_usd_per_mtok=self.cached_input_usd_per_mtok[f] * m,
                cache_write_usd_per_mtok=self.cache_write_usd_per_mtok[f] * m,
                cached_input_fraction=w.cached_input_fraction[f],
                cache_write_fraction=w.cache_write_fraction[f],
                batch_eligible_fraction=w.batch_eligible_fraction[f],
                batch_discount_fraction=discount,
            )
            for key, value in bill.components().items():
                parts[key] = parts.get(key, 0.0) + value
            out[f"features.{fname}"] = bill.total_usd
            on_line = 1.0 - np.where(np.asarray(discount) > 0, w.batch_eligible_fraction[f], 0.0)
            interactive_tokens = interactive_tokens + (bill.input_tokens + bill.output_tokens) * (
                on_line
            )
            interactive_requests = interactive_requests + w.requests_per_month[f] * on_line
            in_paid = in_paid + bill.input_usd + bill.cached_input_usd + bill.cache_write_usd
            in_tokens = in_tokens + bill.input_tokens
        tokens = w.tokens_per_month(images)
        out_tokens = tokens - in_tokens
        with np.errstate(divide="ignore", invalid="ignore"):
            out["input_usd_per_mtok"] = np.where(
                in_tokens > 0, in_paid / in_tokens * TOKENS_PER_MTOK, np.nan
            )
            out["output_usd_per_mtok"] = np.where(
                out_tokens > 0, parts["output_usd"] / out_tokens * TOKENS_PER_MTOK, np.nan
            )
        prices = (out["input_usd_per_mtok"], out["output_usd_per_mtok"])
        out = _finish(out, parts, tokens, _traffic(w, images), prices) | _image_outputs(w, images)
        # Rate limits apply to the interactive (non-batch) traffic at the peak hour.
        peak_tpm = peak_per_minute(interactive_tokens, w.peak_to_average)
        peak_rpm = peak_per_minute(interactive_requests, w.peak_to_average)
        out["peak_tokens_per_minute"] = peak_tpm
        out["peak_requests_per_minute"] = peak_rpm
        out["rate_limited"] = np.asarray(
            exceeds_rate_limit(
                peak_per_minute=peak_tpm, limit_per_minute=self.tokens_per_minute_limit
            )
        ) | np.asarray(
            exceeds_rate_limit(
                peak_per_minute=peak_rpm, limit_per_minute=self.requests_per_minute_limit
            )
        )
        within = _within_context(w, images, self.context_limit_tokens) and (
            self.tail_within_context
        )
        out["feasible"] = np.full(np.shape(tokens), within)
        return out


@dataclass(frozen=True)
class SelfHostedEvaluator:
    """A self-hosted deployment: capacity per feature (from perf, once) and its price terms.

    ``seconds_per_request`` (n_features, n_grid) is the replica time one request of a
    feature takes at full load, tabulated on ``cached_grid`` (cached-input fractions) and
    interpolated linearly — prefill work falls linearly with the cache hit rate.
    ``image_tokens_per_request`` (per feature, None: no images) are the model's prompt tokens
    for the feature's images: already in ``seconds_per_request``, counted as tokens processed.
    ``context_limit_tokens``: the most prompt + output tokens a request may have (the model's
    trained context or what one replica's KV cache holds, the smaller; inf: unknown) — a
    feature above it makes the option infeasible, as does ``tail_within_context`` False (the
    p99 of per-request lengths above the limit).
    """

    name: str
    pricing: str  # on_demand | reserved_1y | reserved_3y | spot | owned
    gpus_per_replica: int
    cached_grid: FloatArray
    seconds_per_request: FloatArray
    image_tokens_per_request: FloatArray | None = None  # per feature [tokens]
    fits: bool = True
    meets_slo: bool = True  # the latency targets can be met at some batch size
    context_limit_tokens: float = np.inf  # prompt + output [tokens]
    tail_within_context: bool = True  # the p99 prompt + output fits (per-request lengths)
    scale_to_zero: bool = False
    autoscaling: bool = True  # False: the peak hour's replicas run all day
    base: dict[str, float] = field(default_factory=dict)
    kind: str = "self_hosted"
    #: the keywords ``seconds_per_request`` came from (``estimate_serving``'s, less the token
    #: arrays; ``image_tiles`` per feature), so a workbook can rebuild the sizing as formulas;
    #: None for a measured capacity
    perf_args: Mapping[str, Any] | None = field(default=None, compare=False, repr=False)

    def capacity_requests_per_s(self, w: WorkloadArrays, multiplier: Any) -> tuple[Any, list[Any]]:
        """Requests/s one replica serves for the mix, and each feature's share of replica time.

        The mix's capacity is Σ requests / Σ replica-seconds = 1 / Σ_f share_f × seconds_f
        (share_f = the feature's share of requests, fixed by the scenario).
        """
        busy = [
            share
            * np.interp(
                np.asarray(c, dtype=np.float64), self.cached_grid, self.seconds_per_request[f]
            )
            for f, (share, c) in enumerate(
                zip(w.request_shares, w.cached_input_fraction, strict=True)
            )
        ]
        mean_s = sum(busy)  # replica-seconds per request of the mix, > 0
        return np.asarray(multiplier) / mean_s, [b / mean_s for b in busy]

    def gpu_usd_per_hour_at_capacity(self, p: Mapping[str, Any]) -> Any:
        """$/GPU-hour of a GPU-hour of work: the term's price (spot: + re-run overhead).

        Owned: a month of one GPU's capital, full-load power, colocation and maintenance over 730
        hours.
        """
        if self.pricing != "owned":
            spot = p["spot_interruption_overhead_fraction"] if self.pricing == "spot" else 0.0
            return np.asarray(p["gpu_usd_per_hour"]) * (1.0 + np.asarray(spot))
        draw = np.where(np.isnan(p["power_draw_fraction"]), 1.0, p["power_draw_fraction"])
        one = _owned_cost(p, 1.0, draw)
        return np.asarray(one.total_usd) / HOURS_PER_MONTH

    def _at_capacity(self, traffic: Mapping[str, Any], cap: Any, p: Mapping[str, Any]) -> Arrays:
        """GPU cost in fractional replicas at full load (serverless / shared-GPU billing)."""
        gpu_usd, hours = at_capacity_gpu_usd(
            requests_per_month=traffic["requests_per_month"],
            capacity_requests_per_s_per_replica=cap,
            gpus_per_replica=float(self.gpus_per_replica),
            usd_per_gpu_hour=self.gpu_usd_per_hour_at_capacity(p),
        )
        figures = quoted_figures(gpu_usd, **traffic)
        return {
            "at_capacity_gpu_usd_per_month": np.asarray(gpu_usd) + 0.0,
            "at_capacity_replicas_avg": np.asarray(hours) / HOURS_PER_MONTH,
        } | {f"at_capacity_{k}": figures[k] for k in AT_CAPACITY_FIGURES}

    def __call__(self, w: WorkloadArrays, p: Mapping[str, Any]) -> Arrays:
        """Monthly cost and indicators for the arrays of ``w`` and parameters ``p``."""
        tokens = w.tokens_per_month(self.image_tokens_per_request)
        images = _image_outputs(w, self.image_tokens_per_request)
        traffic = _traffic(w, self.image_tokens_per_request)
        if not self.fits:
            nan = np.full(np.shape(tokens), np.nan)
            out: Arrays = {f"features.{n}": nan for n in w.names}
            out = _finish(out, {"gpu_usd": nan}, tokens, traffic) | images
            out |= {f"at_capacity_{k}": nan for k in AT_CAPACITY_OUTPUTS}
            out["feasible"] = np.zeros(np.shape(tokens), dtype=bool)
            return out
        cap, time_share = self.capacity_requests_per_s(w, p["capacity_multiplier"])
        demand = sum(w.requests_per_month) / SECONDS_PER_MONTH
        max_rep = np.where(np.isnan(p["max_replicas"]), np.inf, p["max_replicas"])
        plan = replica_plan(
            requests_per_s=demand,
            hourly_weights=w.hourly_weights,
            capacity_requests_per_s_per_replica=cap,
            target_utilization=p["target_utilization"],
            min_replicas=p["min_replicas"],
            max_replicas=max_rep,
            scale_to_zero=self.scale_to_zero,
            autoscaling=self.autoscaling,
        )
        g = float(self.gpus_per_replica)
        parts: dict[str, Any] = {}
        if self.pricing == "owned":
            gpus_owned = plan.replicas_peak * g
            # Owned GPUs stay powered all day: their load is the demand over the whole fleet.
            with np.errstate(divide="ignore", invalid="ignore"):
                fleet_util = np.where(
                    plan.replicas_peak > 0,
                    np.nan_to_num(plan.utilization)
                    * plan.replicas_avg
                    / np.maximum(plan.replicas_peak, 1e-300),
                    0.0,
                )
            draw = np.where(
                np.isnan(p["power_draw_fraction"]),
                power_draw_fraction(np.clip(fleet_util, 0.0, 1.0), p["idle_power_fraction"]),
                p["power_draw_fraction"],
            )
            owned = _owned_cost(p, gpus_owned, draw)
            parts |= {
                "capital_usd": owned.capital_usd,
                "power_usd": owned.power_usd,
                "colocation_usd": owned.colocation_usd,
                "maintenance_usd": owned.maintenance_usd,
            }
            gpu_hours = plan.replica_hours_per_month * g
        else:
            reserved = self.pricing.startswith("reserved")
            spot = self.pricing == "spot"
            committed: Any = 0.0
            usage_hours = plan.replica_hours_per_month
            if reserved:
                committed = committed_replicas(plan.replicas_by_hour, p["commitment_fraction"])
                usage_hours = replica_hours_above(plan.replicas_by_hour, committed)
            rent = rental_cost(
                usage_replica_hours_per_month=usage_hours,
                gpus_per_replica=g,
                usd_per_gpu_hour=p["on_demand_usd_per_gpu_hour"]
                if reserved
                else p["gpu_usd_per_hour"],
                committed_replicas=committed,
                committed_usd_per_gpu_hour=p["gpu_usd_per_hour"] if reserved else 0.0,
                interruption_overhead_fraction=(
                    p["spot_interruption_overhead_fraction"] if spot else 0.0
                ),
            )
            if reserved:
                parts["gpu_reserved_usd"] = rent.gpu_committed_usd
                parts["gpu_on_demand_usd"] = rent.gpu_usage_usd
            elif spot:
                parts["gpu_spot_usd"] = rent.gpu_usage_usd
                parts["spot_interruption_usd"] = rent.spot_interruption_usd
            else:
                parts["gpu_on_demand_usd"] = rent.gpu_usage_usd
            gpu_hours = rent.gpu_hours_per_month
        parts["staff_usd"] = staff_usd_per_month(p["engineering_fte"], p["fte_usd_per_year"])
        parts["networking_storage_usd"] = np.asarray(p["networking_storage_usd_per_month"]) + 0.0
        parts["fixed_usd"] = np.asarray(p["fixed_usd_per_month"]) + 0.0
        total = sum(parts.values())
        out = {f"features.{n}": total * s for n, s in zip(w.names, time_share, strict=True)}
        out = _finish(out, parts, tokens, traffic) | images
        out |= self._at_capacity(traffic, cap, p)
        out |= {
            "capacity_requests_per_s_per_replica": cap,
            "replicas_avg": plan.replicas_avg,
            "replicas_peak": plan.replicas_peak,
            "gpus_avg": plan.replicas_avg * g,
            "gpus_peak": plan.replicas_peak * g,
            "gpu_hours_per_month": gpu_hours,
            "utilization": plan.utilization,
            "served_fraction": plan.served_fraction,
            "feasible": np.asarray(plan.feasible, dtype=bool)
            & self.meets_slo
            & _within_context(w, self.image_tokens_per_request, self.context_limit_tokens)
            & self.tail_within_context,
        }
        return out


def _owned_cost(p: Mapping[str, Any], gpus: Any, draw: Any) -> Any:
    """:func:`~llmcost.cost.owned.owned_cost` of ``gpus`` owned GPUs from the option's inputs.

    Parameters
    ----------
    p : mapping
        The option's inputs by name (purchase price, life, power, facility …).
    gpus : array_like
        GPUs owned [GPUs].
    draw : array_like
        Power draw as a fraction of the rated power [0–1].
    """
    return owned_cost(
        gpus=gpus,
        purchase_usd_per_gpu=p["purchase_usd_per_gpu"],
        life_years=p["life_years"],
        residual_fraction=p["residual_fraction"],
        cost_of_capital_per_year=p["cost_of_capital_per_year"],
        power_kw_per_gpu=p["power_kw_per_gpu"],
        power_draw_fraction=draw,
        pue=p["pue"],
        usd_per_kwh=p["usd_per_kwh"],
        colocation_usd_per_kw_month=p["colocation_usd_per_kw_month"],
        maintenance_fraction_per_year=p["maintenance_fraction_per_year"],
    )
