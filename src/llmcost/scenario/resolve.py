"""Resolve a scenario's options against the catalog and the performance model.

Everything that needs files or the performance model happens here, once: prices in force on
``as_of`` (tier per feature), rental/purchase/facility defaults, capacity per replica per
feature on a grid of cache hit rates. The result is a list of numeric evaluators plus what a
report must show: the assumptions (every default used, with its unit and source), the catalog
rows used, latency and warnings.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .._core._arrays import FloatArray
from .._core.errors import InvalidInputError, PriceNotYetAvailableError, UnknownIdError
from .._core.specs import GpuSpec, ModelSpec
from ..catalog import Catalog
from ..cost.api import TieredPrices, tier_index, tier_weighted_prices
from ..cost.multimodal import image_input_tokens, model_encoder_tiles, model_image_tokens
from ..perf.knobs import EngineKnobs
from ..perf.speculative import SpeculativeDecoding
from .config import SELF_HOSTED_DEFAULTS, ApiOption, SelfHostedOption
from .context import (
    ContextLimit,
    api_context_limits,
    binding_limit_tokens,
    context_notes,
    engine_for,
    memory_context_limit,
    model_context_limit,
    tail_context_check,
)
from .disaggregated_capacity import DisaggregatedCapacity, disaggregated_capacity
from .evaluators import ApiEvaluator, SelfHostedEvaluator
from .workload import TAIL_QUANTILE, FeatureMix, mixed_sequences, sequence_quantile

__all__ = ["CACHED_GRID", "Resolved", "resolve_api", "resolve_self_hosted"]

#: Cache hit rates at which capacity is tabulated, then interpolated linearly (hit rates above
#: the last point use its capacity: conservative).
CACHED_GRID = np.array([0.0, 0.25, 0.5, 0.75, 0.9, 0.95])

#: Units of the catalog's facility defaults.
FACILITY_UNITS = {
    "pue": "ratio",
    "usd_per_kwh": "USD/kWh",
    "colocation_usd_per_kw_month": "USD/kW-month",
    "life_years": "years",
}

#: Server power ÷ GPU board power at full load when no purchase row gives the server's power
#: (DGX H100: 10.2 kW for 8 × 700 W ≈ 1.8; pricing.md §3b).
SERVER_TO_GPU_POWER = 1.8


@dataclass
class Resolved:
    """An option's evaluator and what a report shows about it."""

    evaluator: ApiEvaluator | SelfHostedEvaluator
    details: dict[str, Any] = field(default_factory=dict)
    assumptions: list[dict[str, Any]] = field(default_factory=list)
    rows: list[Any] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # informational: listed after the warnings
    latency: dict[str, float] = field(default_factory=dict)

    def assume(self, name: str, value: Any, unit: str, source: str) -> None:
        """Record a default used."""
        self.assumptions.append(
            {
                "option": self.evaluator.name,
                "name": name,
                "value": value,
                "unit": unit,
                "source": source,
            }
        )


def _lookup(what: str, where: str, fn: Any, *args: Any, **kwargs: Any) -> Any:
    """Call a catalog lookup; an unknown id names the scenario field it came from."""
    try:
        return fn(*args, **kwargs)
    except UnknownIdError as exc:
        raise UnknownIdError(f"{exc.kind} ({where})", exc.value, exc.known) from None
    except PriceNotYetAvailableError as exc:
        raise PriceNotYetAvailableError(f"{where}: {exc}", exc.available_from) from None
    except InvalidInputError as exc:
        raise InvalidInputError(f"{where}: {exc}") from None


def _image_tokens(
    mix: FeatureMix, rule: str | None, tokens_per_image: Any, where: str, what: str
) -> FloatArray | None:
    """Image tokens per request of each feature under ``rule`` (None: the mix has no images).

    ``tokens_per_image(rule, width_px, height_px, detail)`` applies the rule; a feature with
    images and no rule (a text-only offer or model) raises, naming ``where`` and ``what``.
    """
    images = mix.images
    if images is None:
        return None
    out = np.zeros(len(mix.names))
    for f, n in enumerate(images.images_per_request):
        if n <= 0:
            continue
        if rule is None:
            raise InvalidInputError(
                f"{where}: {what} takes no images (its catalog image_token_rule is empty: "
                f"text only), but feature {mix.names[f]!r} has images_per_request = {n:g}; "
                "choose an option that takes images or set images_per_request = 0"
            )
        detail = images.detail[f]
        per_image = tokens_per_image(rule, images.width_px[f], images.height_px[f], detail)
        out[f] = n * float(per_image)
    return out


def _assume_images(res: Resolved, mix: FeatureMix, tokens: FloatArray | None, rule: str) -> None:
    """Record the option's image tokens per request (traffic-weighted) and the rule used."""
    if tokens is None or mix.images is None:
        return
    res.details["image_token_rule"] = rule
    res.details["image_tokens_per_request"] = dict(zip(mix.names, tokens.tolist(), strict=True))
    sizes = sorted(
        {
            f"{n:g} × {w:.0f}×{h:.0f} px"
            for n, w, h in zip(
                mix.images.images_per_request,
                mix.images.width_px,
                mix.images.height_px,
                strict=True,
            )
            if n > 0
        }
    )
    res.assume(
        "image_tokens_per_request",
        float(np.sum(mix.request_shares * tokens)),
        "tokens",
        f"image rule {rule} (llmcost.cost.multimodal) on {', '.join(sizes)} images per request",
    )


def resolve_api(
    option: ApiOption, index: int, mix: FeatureMix, catalog: Catalog, as_of: date | None
) -> Resolved:
    """Prices of an API offer in force on ``as_of``, the tier per feature, overrides applied.

    Images are billed as input tokens by the offer's ``image_token_rule``; the long-context
    tier follows the whole prompt (text + image tokens). A feature whose prompt + output
    exceeds the offer's context window makes the offer infeasible, with a note.
    """
    where = f"options[{index}]({option.name}).offer"
    tiers = _lookup("offer", where, catalog.api_tiers, option.offer, as_of)
    rule = tiers[0].image_token_rule
    image_tokens = _image_tokens(
        mix,
        rule,
        lambda r, w, h, detail: image_input_tokens(
            r, w, h, detail if r.startswith("openai_") else "high"
        ),
        where,
        f"offer {option.offer!r}",
    )
    prompt = mix.input_tokens if image_tokens is None else mix.input_tokens + image_tokens
    thresholds = np.array([t.min_prompt_tokens for t in tiers], dtype=np.float64)
    idx = np.atleast_1d(tier_index(prompt, thresholds))
    prices = _tier_prices(option, tiers)
    by_request = _distribution_prices(mix, image_tokens, thresholds, prices)
    used_tiers = set(idx.tolist())
    for f, got in by_request.items():
        used_tiers.discard(int(idx[f]))
        used_tiers |= {k for k, n in enumerate(got.tier_requests) if n > 0}
    used = [tiers[i] for i in sorted(used_tiers)]

    def per_feature(attr: str) -> FloatArray:
        out = prices[attr][idx]
        for f, got in by_request.items():
            out[f] = getattr(got, attr)
        return out

    _check_cached_override(option, where, prices["input_usd_per_mtok"][sorted(used_tiers)])
    base_row = tiers[0]
    discount = (
        option.batch_discount_fraction
        if option.batch_discount_fraction is not None
        else base_row.batch_discount_fraction
    )
    if not option.use_batch_api:
        discount = 0.0
    llama = base_row.llama_model
    llama_rec = None if llama is None else _lookup("model", where, catalog.model, llama)
    limits, unknown = api_context_limits(
        option.offer,
        [t.context_window_tokens for t in tiers],
        llama,
        None if llama_rec is None else llama_rec.max_context_tokens,
    )
    tpm = option.tokens_per_minute or base_row.tokens_per_minute
    rpm = option.requests_per_minute or base_row.requests_per_minute
    ev = ApiEvaluator(
        name=option.name,
        input_usd_per_mtok=per_feature("input_usd_per_mtok"),
        cached_input_usd_per_mtok=per_feature("cached_input_usd_per_mtok"),
        cache_write_usd_per_mtok=per_feature("cache_write_usd_per_mtok"),
        output_usd_per_mtok=per_feature("output_usd_per_mtok"),
        tokens_per_minute_limit=float(tpm) if tpm else np.nan,
        requests_per_minute_limit=float(rpm) if rpm else np.nan,
        base={"api_price_multiplier": 1.0, "batch_discount_fraction": float(discount)},
        image_tokens_per_request=image_tokens,
        context_limit_tokens=binding_limit_tokens(limits),
    )
    res = Resolved(evaluator=ev, rows=list(used))
    res.details = {
        "offer": option.offer,
        "price_effective_from": base_row.effective_from.isoformat(),
        "rate_limit_tier": base_row.rate_limit_tier,
        "tokens_per_minute_limit": tpm,
        "requests_per_minute_limit": rpm,
    }
    _assume_images(res, mix, image_tokens, str(rule))
    res.warnings += _context_warnings(res, mix, image_tokens, limits)
    res.evaluator = replace(ev, tail_within_context=bool(res.details["tail_within_context"]))
    res.notes += unknown
    if len(used) > 1 or used[0].min_prompt_tokens > 0:
        names = [
            _tier_share(n, by_request.get(f))
            for f, (n, i) in enumerate(zip(mix.names, idx, strict=True))
            if (tiers[i].min_prompt_tokens if f not in by_request else _above_base(by_request[f]))
        ]
        res.warnings.append(f"long-context tier prices apply to: {', '.join(names)}")
    no_caching = (
        base_row.cached_input_usd_per_mtok is None and option.cached_input_usd_per_mtok is None
    )
    if np.any(mix.cached_input_fraction > 0) and no_caching:
        res.warnings.append("the offer has no prompt caching: cache hits billed as input")
    if np.any(mix.batch_eligible_fraction > 0) and discount == 0:
        res.warnings.append("no batch discount on this offer: batch-eligible traffic at list price")
    return res


_PRICE_FIELDS = (
    "input_usd_per_mtok",
    "cached_input_usd_per_mtok",
    "cache_write_usd_per_mtok",
    "output_usd_per_mtok",
)


def _tier_prices(option: ApiOption, tiers: list[Any]) -> dict[str, FloatArray]:
    """Per price field, one price per tier [USD per 1M tokens].

    An override sets every tier; NaN: the tier has no such price.
    """
    out = {}
    for attr in _PRICE_FIELDS:
        override = getattr(option, attr)
        values = [override if override is not None else getattr(t, attr) for t in tiers]
        out[attr] = np.array([np.nan if v is None else v for v in values], dtype=np.float64)
    return out


def _distribution_prices(
    mix: FeatureMix,
    image_tokens: FloatArray | None,
    thresholds: FloatArray,
    prices: dict[str, FloatArray],
) -> dict[int, TieredPrices]:
    """Prices that bill every request at its own tier, for the features with per-request lengths.

    See :func:`llmcost.cost.api.tier_weighted_prices`; the prompt is each request's text plus the
    feature's image tokens per request.
    """
    out: dict[int, TieredPrices] = {}
    for f, lengths in enumerate(mix.lengths or ()):
        if lengths is None:
            continue
        extra = 0.0 if image_tokens is None else float(image_tokens[f])
        out[f] = tier_weighted_prices(
            prompt_tokens=lengths.input_tokens + extra,
            requests=lengths.requests,
            cached_input_tokens=lengths.cached_input_tokens,
            cache_write_tokens=lengths.cache_write_tokens,
            output_tokens=lengths.output_tokens,
            tier_threshold_tokens=thresholds,
            **prices,
        )
    return out


def _above_base(got: TieredPrices) -> float:
    """Share of the requests priced above the base tier [0–1]."""
    return 1.0 - got.tier_requests[0] / max(sum(got.tier_requests), 1)


def _tier_share(name: str, got: TieredPrices | None) -> str:
    """A feature's name, with the share of its requests above the base tier if known."""
    return name if got is None else f"{name} ({_above_base(got):.2%} of its requests)"


def _check_cached_override(option: ApiOption, where: str, listed: FloatArray) -> None:
    """Refuse a cached-input price override above the input price the catalog charges.

    (Both overrides given are compared by the scenario's validation.) ``listed`` is the
    catalog input price of each feature's tier [USD per 1 M tokens].
    """
    cached = option.cached_input_usd_per_mtok
    if cached is None or option.input_usd_per_mtok is not None:
        return
    ok = listed[np.isfinite(listed)]
    if ok.size and cached > float(ok.min()):
        top = float(ok.min())
        raise InvalidInputError(
            f"{where.removesuffix('.offer')}.cached_input_usd_per_mtok: {cached:g} USD per 1M "
            f"tokens is above the input price of {option.offer} ({top:g} USD per 1M tokens); "
            f"allowed: 0 to {top:g} (a cache hit is never dearer than a miss)"
        )


def _price(
    res: Resolved,
    catalog: Catalog,
    option: SelfHostedOption,
    where: str,
    term: str,
    name: str,
    override: float | None,
    as_of: date | None,
) -> float:
    if override is not None:
        return float(override)
    assert option.gpus_per_replica is not None  # config validation: a fixed layout has it
    quote = _lookup(
        "gpu",
        where,
        catalog.replica_gpu_price,
        option.gpu,
        option.gpus_per_replica,
        term,
        option.provider,
        as_of,
        tensor_gpus=tensor_group_gpus(option),
    )
    res.rows.extend(quote.used)
    who = f"provider {option.provider}, " if option.provider else ""
    res.assume(
        name,
        quote.usd_per_gpu_hour,
        "USD/GPU-hour",
        f"catalog gpu_offers, {term}, {who}{quote.describe()}",
    )
    if quote.fallback:
        res.warnings.append(
            f"{name}: no {term} offer for {option.gpu} comes in an instance that holds a "
            f"{option.gpus_per_replica}-GPU replica whole; priced at the median of all "
            f"{len(quote.used)} offers (set gpu_usd_per_hour or provider)"
        )
    return quote.usd_per_gpu_hour


def tensor_group_gpus(option: SelfHostedOption) -> int:
    """GPUs of an option's tensor-parallel group, ``tp × ep`` [GPUs].

    ``tp`` left out is what the performance model infers: ``gpus_per_replica ÷ (pp × ep)``.
    """
    assert option.gpus_per_replica is not None  # config validation: a fixed layout has it
    ep = option.ep or 1
    tp = option.tp if option.tp is not None else max(option.gpus_per_replica // (option.pp * ep), 1)
    return int(tp * ep)


def resolve_self_hosted(
    option: SelfHostedOption,
    index: int,
    mix: FeatureMix,
    catalog: Catalog,
    as_of: date | None,
) -> Resolved:
    """Capacity from the performance model (or the measured one), prices and defaults.

    Images become prompt tokens by the model's ``image_token_rule`` (Llama 4's processor):
    prefill work and KV cache in the performance model, and tokens processed; their 336-px
    tiles add the vision encoder's compute to prefill (``estimate_serving(image_tiles=)``).
    A feature whose prompt + output exceeds the model's trained context, or what one replica's
    KV cache holds (perf-model capacity only: a measured capacity is taken as proof), makes the
    option infeasible, with a note naming the limit.
    """
    if option.layout == "auto":
        from .auto_layout import resolve_auto_layout

        return resolve_auto_layout(option, index, mix, catalog, as_of, resolve_self_hosted)
    where = f"options[{index}]({option.name})"
    model_rec = _lookup("model", f"{where}.model", catalog.model, option.model)
    rule = model_rec.image_token_rule
    image_tokens = _image_tokens(
        mix,
        rule,
        lambda r, w, h, _detail: model_image_tokens(r, w, h),
        f"{where}.model",
        f"model {option.model!r}",
    )
    gpu_rec = _lookup("GPU", f"{where}.gpu", catalog.gpu, option.gpu)
    disagg = None
    if option.disaggregated is not None:  # the unit of prefill + decode pools is the replica
        disagg = _disaggregated(option, where, catalog, gpu_rec.to_spec(), mix, image_tokens)
        option = option.model_copy(update={"gpus_per_replica": disagg.unit_gpus})
    assert option.gpus_per_replica is not None
    placeholder = SelfHostedEvaluator(
        name=option.name,
        pricing=option.pricing,
        gpus_per_replica=option.gpus_per_replica,
        cached_grid=CACHED_GRID,
        seconds_per_request=np.ones((len(mix.names), CACHED_GRID.size)),
    )
    res = Resolved(evaluator=placeholder, rows=[model_rec, gpu_rec])
    base: dict[str, float] = {}

    def default(name: str, given: float | None) -> float:
        if given is not None:
            return float(given)
        value, unit, why = SELF_HOSTED_DEFAULTS[name]
        res.assume(name, value, unit, f"llmcost default: {why}")
        return value

    # --- capacity ---------------------------------------------------------------------------
    fits, meets_slo = True, True
    perf_args: dict[str, Any] | None = None
    model_limit, unknown = model_context_limit(option.model, model_rec.max_context_tokens)
    limits: list[ContextLimit] = [model_limit]
    weights_fit = True
    measured = _measured_seconds(option, where, mix, res)
    if measured is not None:
        seconds = measured
        if option.tp is not None:  # a measured replica ran some split: a given tp must be real
            check_tp(option, where, catalog.model_spec(option.model))
    elif disagg is not None:
        seconds, fits, meets_slo = disagg.seconds, disagg.fits, disagg.meets_slo
        res.latency = disagg.latency
        res.details |= {"capacity_basis": "perf model, disaggregated prefill/decode pools"}
        res.details["disaggregated"] = disagg.details
    else:
        model_spec = _lookup("model", f"{where}.model", catalog.model_spec, option.model)
        check_tp(option, where, model_spec)
        gpu_spec = gpu_rec.to_spec()
        image_tiles = _image_tokens(
            mix,
            rule,
            lambda r, w, h, _detail: model_encoder_tiles(r, w, h),
            f"{where}.model",
            f"model {option.model!r}",
        )
        speculative = _speculative_of(option, where, catalog, res)
        seconds, fits, meets_slo, latency, basis = _perf_seconds_per_request(
            option, where, model_spec, gpu_spec, mix, image_tokens, image_tiles, speculative
        )
        perf_args = {
            "model": model_spec,
            "gpu": gpu_spec,
            "gpus": option.gpus_per_replica,
            "precision": option.precision,
            "engine": option.engine,
            "kv_precision": option.kv_precision,
            "tp": option.tp,
            "pp": option.pp,
            "ep": option.ep,
            "tpot_slo_s": option.tpot_slo_s,
            "ttft_slo_s": option.ttft_slo_s,
            "image_tiles": np.zeros(len(mix.names)) if image_tiles is None else image_tiles,
        }
        if mix.lengths is not None:
            perf_args = None  # sized over length buckets: the workbook keeps it as an input
            res.assume(
                "sequence_tokens_p99",
                sequence_quantile(*mixed_sequences(mix), TAIL_QUANTILE),
                "tokens",
                "imported length_distribution: the batch is capped at what the KV cache holds "
                "at this input + output length (the p99 of the whole mix of features); "
                "throughput from input-length buckets weighted by their share of the requests",
            )
        if speculative is not None:  # the workbook's Capacity formulas do not speculate
            perf_args = None
        res.latency = latency
        res.details["capacity_basis"] = basis
        if option.engine_profile is not None:
            res.details["engine_profile"] = engine_for(option, gpu_spec).name
        memory_limit = memory_context_limit(option, model_spec, gpu_spec)
        weights_fit = memory_limit is not None
        if memory_limit is not None:
            limits.append(memory_limit)
        if option.tpot_slo_s is None and option.ttft_slo_s is None:
            res.assume(
                "latency_targets",
                "none",
                "",
                "no tpot_slo_s/ttft_slo_s: capacity at max throughput",
            )
    too_long = _context_warnings(res, mix, image_tokens, limits)
    if not fits and (not weights_fit or not too_long):
        res.warnings.append(
            f"{option.model} at {option.precision} does not fit on {option.gpus_per_replica} × "
            f"{option.gpu}"
        )
    res.warnings += too_long
    res.notes += unknown
    if fits and not meets_slo:
        res.warnings.append("latency targets not met at any batch size")

    # --- prices -----------------------------------------------------------------------------
    pricing = option.pricing
    if pricing == "owned":
        hw = _purchase_rows(_lookup("GPU", f"{where}.gpu", catalog.hardware_for, option.gpu), as_of)
        if option.purchase_usd_per_gpu is None and hw and hw[0].price_scope == "gpu_only":
            res.warnings.append(
                f"purchase price {hw[0].item_id} is the GPU alone, no server around it: "
                "set purchase_usd_per_gpu for an all-in price"
            )
        if option.purchase_usd_per_gpu is not None:
            base["purchase_usd_per_gpu"] = float(option.purchase_usd_per_gpu)
        elif hw:
            base["purchase_usd_per_gpu"] = hw[0].usd_per_gpu
            res.rows.append(hw[0])
            res.assume(
                "purchase_usd_per_gpu",
                hw[0].usd_per_gpu,
                "USD",
                f"catalog hardware {hw[0].item_id}",
            )
        else:
            raise InvalidInputError(
                f"{where}.purchase_usd_per_gpu: required — the catalog has no purchase price "
                f"for {option.gpu!r}"
            )
        if option.power_kw_per_gpu is not None:
            base["power_kw_per_gpu"] = float(option.power_kw_per_gpu)
        elif hw and hw[0].server_power_kw:
            base["power_kw_per_gpu"] = hw[0].server_power_kw / hw[0].gpus_per_server
            res.assume(
                "power_kw_per_gpu",
                base["power_kw_per_gpu"],
                "kW",
                f"catalog hardware {hw[0].item_id}: server power / GPUs per server",
            )
        else:
            base["power_kw_per_gpu"] = gpu_rec.tdp_w / 1000.0 * SERVER_TO_GPU_POWER
            res.assume(
                "power_kw_per_gpu",
                base["power_kw_per_gpu"],
                "kW",
                f"GPU TDP × {SERVER_TO_GPU_POWER} (server ÷ GPU power, DGX H100)",
            )
        for name in ("pue", "usd_per_kwh", "colocation_usd_per_kw_month", "life_years"):
            given = getattr(option, name)
            if given is not None:
                base[name] = float(given)
                continue
            rec = _lookup("facility", f"{where}.{name}", catalog.facility_default, name)
            base[name] = rec.value
            res.rows.append(rec)
            res.assume(name, rec.value, FACILITY_UNITS[name], f"catalog facility: {rec.source}")
        for name in (
            "residual_fraction",
            "cost_of_capital_per_year",
            "maintenance_fraction_per_year",
        ):
            base[name] = default(name, getattr(option, name))
        if option.power_draw_fraction is None:
            base["idle_power_fraction"] = default("idle_power_fraction", option.idle_power_fraction)
        else:  # unused unless power_draw_fraction is overridden with NaN
            idle = option.idle_power_fraction
            base["idle_power_fraction"] = (
                SELF_HOSTED_DEFAULTS["idle_power_fraction"][0] if idle is None else idle
            )
        base["power_draw_fraction"] = (
            float(option.power_draw_fraction) if option.power_draw_fraction is not None else np.nan
        )
    else:
        base["gpu_usd_per_hour"] = _price(
            res,
            catalog,
            option,
            f"{where}.gpu",
            pricing,
            "gpu_usd_per_hour",
            option.gpu_usd_per_hour,
            as_of,
        )
        if pricing.startswith("reserved"):
            base["on_demand_usd_per_gpu_hour"] = _price(
                res,
                catalog,
                option,
                f"{where}.gpu",
                "on_demand",
                "on_demand_usd_per_gpu_hour",
                option.on_demand_usd_per_gpu_hour,
                as_of,
            )
            if base["gpu_usd_per_hour"] > base["on_demand_usd_per_gpu_hour"]:
                res.warnings.append(
                    f"reserved price {base['gpu_usd_per_hour']:.2f} > on-demand "
                    f"{base['on_demand_usd_per_gpu_hour']:.2f} $/GPU-hour (different providers?"
                    " set provider or the prices)"
                )
        else:
            base["on_demand_usd_per_gpu_hour"] = base["gpu_usd_per_hour"]
        base["commitment_fraction"] = (
            float(option.commitment_fraction) if option.commitment_fraction is not None else np.nan
        )
        base["spot_interruption_overhead_fraction"] = (
            default(
                "spot_interruption_overhead_fraction", option.spot_interruption_overhead_fraction
            )
            if pricing == "spot"
            else 0.0
        )

    # --- fleet, people, fixed ----------------------------------------------------------------
    base["capacity_multiplier"] = 1.0
    base["target_utilization"] = default("target_utilization", option.target_utilization)
    min_rep = option.min_replicas
    if min_rep is None and not option.scale_to_zero:
        min_rep = int(default("min_replicas", None))
    base["min_replicas"] = float(min_rep or 0)
    base["max_replicas"] = float(option.max_replicas) if option.max_replicas is not None else np.nan
    for name in (
        "engineering_fte",
        "fte_usd_per_year",
        "fixed_usd_per_month",
        "networking_storage_usd_per_month",
    ):
        base[name] = default(name, getattr(option, name))

    res.evaluator = SelfHostedEvaluator(
        name=option.name,
        pricing=pricing,
        gpus_per_replica=option.gpus_per_replica,
        cached_grid=CACHED_GRID,
        seconds_per_request=seconds,
        image_tokens_per_request=image_tokens,
        fits=fits,
        meets_slo=meets_slo,
        context_limit_tokens=binding_limit_tokens(limits),
        tail_within_context=bool(res.details["tail_within_context"]),
        scale_to_zero=option.scale_to_zero,
        autoscaling=option.autoscaling,
        base=base,
        perf_args=perf_args,
    )
    res.details |= {
        "model": option.model,
        "gpu": option.gpu,
        "gpus_per_replica": option.gpus_per_replica,
        "precision": option.precision,
        "engine": option.engine,
        "pricing": pricing,
        "autoscaling": option.autoscaling,
        "meets_slo": bool(meets_slo),
        "fits": bool(fits),
    }
    _assume_images(res, mix, image_tokens, str(rule))
    return res


def check_tp(option: SelfHostedOption, where: str, model: ModelSpec) -> None:
    """Refuse a ``tp`` the model's attention and KV heads do not allow (engines assert it).

    The ``tp`` checked is the option's own or, left out, ``gpus_per_replica ÷ (pp × ep)``
    (skipped when that is not whole: :func:`llmcost.perf.parallel.resolve_split` names it).
    Raises :class:`InvalidInputError` naming ``<where>.tp``, the value and the allowed values.
    """
    from ..perf.layout import allowed_tp, heads_allow_tp

    assert option.gpus_per_replica is not None  # config validation: a fixed layout has it
    ep = option.ep or 1
    if option.tp is None and option.gpus_per_replica % (option.pp * ep) != 0:
        return
    tp = option.tp if option.tp is not None else option.gpus_per_replica // (option.pp * ep)
    if bool(heads_allow_tp(model, tp)):
        return
    shown = (
        f"{tp}"
        if option.tp is not None
        else f"{tp} (gpus_per_replica {option.gpus_per_replica} ÷ (pp {option.pp} × ep {ep}))"
    )
    raise InvalidInputError(
        f"{where}.tp: {shown} does not split the {model.num_attention_heads} attention heads "
        f"and {model.num_kv_heads} KV heads of {model.id} (vLLM, SGLang and TensorRT-LLM need "
        "heads divisible by tp, and KV heads divisible by tp or tp by KV heads); allowed tp: "
        f"{', '.join(str(t) for t in allowed_tp(model))}"
    )


def _measured_seconds(
    option: SelfHostedOption, where: str, mix: FeatureMix, res: Resolved
) -> FloatArray | None:
    """Replica-seconds per request from a measured capacity (None: use the perf model).

    ``output_tokens_per_s_per_replica`` T: a request of a feature with O output tokens takes
    O / T replica-seconds (the benchmark's token rate, taken to hold at the workload's
    lengths); ``requests_per_s_per_replica`` R: 1 / R for every feature.
    """
    shape = (len(mix.names), CACHED_GRID.size)
    at = "" if option.at_concurrency is None else f" at concurrency {option.at_concurrency}"
    if option.requests_per_s_per_replica is not None:
        res.details["capacity_basis"] = f"measured (requests_per_s_per_replica{at})"
        return np.full(shape, 1.0 / option.requests_per_s_per_replica)
    rate = option.output_tokens_per_s_per_replica
    if rate is None:
        return None
    empty = [n for n, o in zip(mix.names, mix.output_tokens, strict=True) if o <= 0]
    if empty:
        raise InvalidInputError(
            f"{where}.output_tokens_per_s_per_replica: feature {empty[0]!r} has no output "
            "tokens, so an output-token rate gives it no replica time; give "
            "requests_per_s_per_replica instead"
        )
    res.details["capacity_basis"] = f"measured (output_tokens_per_s_per_replica{at})"
    if option.at_concurrency is not None:
        res.details["measured_at_concurrency"] = option.at_concurrency
    res.assume(
        "output_tokens_per_s_per_replica",
        float(rate),
        "tokens/s",
        f"measured{at}: replica-seconds per request = output tokens / rate",
    )
    return np.broadcast_to((mix.output_tokens / rate)[:, np.newaxis], shape).copy()


def _context_warnings(
    res: Resolved, mix: FeatureMix, image_tokens: FloatArray | None, limits: list[ContextLimit]
) -> list[str]:
    """Notes for the features whose prompt + output exceed a limit, and for the tail.

    Records the limits and whether every feature is within them (``within_context``) in
    ``res.details``; with per-request lengths also the p99 of the mix, the share of the
    requests above the binding limit and whether the p99 fits (``tail_within_context``,
    :func:`~llmcost.scenario.context.tail_context_check`).
    """
    notes = context_notes(mix.names, mix.input_tokens, image_tokens, mix.output_tokens, limits)
    res.details["context_limits_tokens"] = {lim.what: lim.tokens for lim in limits}
    tail = tail_context_check(mix, image_tokens, limits)
    tail_fits = tail is None or tail.fits
    res.details["tail_within_context"] = tail_fits
    res.details["within_context"] = not notes and tail_fits
    if tail is not None:
        res.details["sequence_tokens_p99"] = tail.sequence_tokens_p99
        res.details["share_beyond_context"] = tail.share_beyond_context
        notes += tail.notes
    return notes


def _purchase_rows(rows: list[Any], as_of: date | None) -> list[Any]:
    """Purchase rows seen by ``as_of``, all-in server shares first, newest first."""
    seen = [r for r in rows if as_of is None or r.as_of <= as_of] or rows
    return sorted(seen, key=lambda r: (r.price_scope != "server_share", -r.as_of.toordinal()))


def _disaggregated(
    option: SelfHostedOption,
    where: str,
    catalog: Catalog,
    gpu: GpuSpec,
    mix: FeatureMix,
    image_tokens: FloatArray | None,
) -> DisaggregatedCapacity:
    """The option's unit of prefill + decode pools (:mod:`.disaggregated_capacity`)."""
    model = _lookup("model", f"{where}.model", catalog.model_spec, option.model)
    prompt = mix.input_tokens if image_tokens is None else mix.input_tokens + image_tokens
    return disaggregated_capacity(option, where, model, gpu, mix, prompt, CACHED_GRID)


def _speculative_of(
    option: SelfHostedOption, where: str, catalog: Catalog, res: Resolved
) -> SpeculativeDecoding | None:
    """The option's speculative decoding for the perf model (None: plain decoding).

    Records it as an assumption, and that the workbook keeps this capacity as an input.
    """
    cfg = option.speculative
    if cfg is None:
        return None
    draft = None
    if cfg.draft_model is not None:
        draft = _lookup(
            "model", f"{where}.speculative.draft_model", catalog.model_spec, cfg.draft_model
        )
    spec = cfg.to_perf(draft)
    drafter = cfg.draft_model or cfg.method
    res.assume(
        "speculative_tokens_per_round",
        spec.tokens_per_round,
        "tokens",
        f"speculative decoding ({drafter}, k = {cfg.num_draft_tokens}, acceptance "
        f"{cfg.acceptance_rate:g}): (1 − α^(k+1)) / (1 − α) tokens per verification step",
    )
    res.notes.append(
        f"{option.name}: speculative decoding is in the performance model; the workbook keeps "
        "this option's capacity as an input"
    )
    return spec


def _perf_seconds_per_request(
    option: SelfHostedOption,
    where: str,
    model_spec: ModelSpec,
    gpu_spec: GpuSpec,
    mix: FeatureMix,
    image_tokens: FloatArray | None,
    image_tiles: FloatArray | None = None,
    speculative: SpeculativeDecoding | None = None,
) -> tuple[FloatArray, bool, bool, dict[str, float], str]:
    """Replica-seconds per request for each feature × cache-hit grid, from the perf model.

    The prompt is the text plus the image tokens of each feature (``image_tokens``, or none);
    ``image_tiles`` (per feature, or none) go through the vision encoder in prefill.

    A feature with per-request lengths (an imported workload) is served as its length buckets
    (:meth:`LengthMix.buckets`): the engine's batch is capped at what the KV cache holds for
    sequences of the p99 input + output length of the whole mix (:func:`_p99_batch_cap`), each
    bucket's
    throughput is estimated at its own mean lengths, and the feature's replica-seconds per
    request are the buckets' seconds weighted by their share of the requests.

    With latency targets the capacity is the best throughput that meets them, otherwise
    max throughput. Returns (seconds (n_features, n_grid), fits, meets_slo, latency, basis);
    latency (TTFT/TPOT) is the traffic-weighted value at the capacity point with the
    workload's own cache hit rate, i.e. at full load (an upper bound at the planned load).
    """
    from ..perf import estimate_serving

    assert option.gpus_per_replica is not None  # config validation: a fixed layout has it
    prompt = mix.input_tokens if image_tokens is None else mix.input_tokens + image_tokens
    for side, tokens in (("input", prompt), ("output", mix.output_tokens)):
        empty = [n for n, t in zip(mix.names, tokens, strict=True) if t <= 0]
        if empty:
            raise InvalidInputError(
                f"{where}: the performance model needs {side}_tokens_per_request ≥ 1; feature "
                f"{empty[0]!r} has 0 (give a measured requests_per_s_per_replica instead)"
            )
    rows = _length_rows(mix, prompt)
    tin = rows.input_tokens[:, np.newaxis]
    tout = rows.output_tokens[:, np.newaxis]
    grid = CACHED_GRID[np.newaxis, :]
    shape = (tin.shape[0], grid.shape[1])
    tiles = 0.0 if image_tiles is None else image_tiles[rows.feature][:, np.newaxis]
    slo = option.tpot_slo_s is not None or option.ttft_slo_s is not None
    knobs = None if option.engine_knobs is None else option.engine_knobs.to_knobs()
    common: dict[str, Any] = {
        "gpus": option.gpus_per_replica,
        "precision": option.precision,
        "engine": engine_for(option, gpu_spec),
        "kv_precision": option.kv_precision,
        "tp": option.tp,
        "pp": option.pp,
        "ep": option.ep,
        "speculative": speculative,
    }
    basis = "perf model, " + (
        "best throughput meeting the latency targets" if slo else "max throughput"
    )
    try:
        if rows.p99_tokens is not None:
            knobs, cap_text = _p99_batch_cap(
                estimate_serving, model_spec, gpu_spec, common, knobs, rows.p99_tokens
            )
            basis += f", {rows.feature.size} length buckets, {cap_text}"
        est = estimate_serving(
            model_spec,
            gpu_spec,
            input_tokens=np.broadcast_to(tin, shape),
            output_tokens=np.broadcast_to(tout, shape),
            max_throughput=not slo,
            tpot_slo_s=option.tpot_slo_s,
            ttft_slo_s=option.ttft_slo_s,
            cached_input_fraction=np.broadcast_to(grid, shape),
            image_tiles=tiles,
            knobs=knobs,
            **common,
        )
    except InvalidInputError as exc:
        raise InvalidInputError(f"{where}: {exc}") from None
    rps = np.broadcast_to(np.asarray(est.requests_per_s, dtype=np.float64), shape)
    fits_arr = np.broadcast_to(np.asarray(est.fits, dtype=bool), rps.shape)
    meets = np.broadcast_to(np.asarray(est.meets_slo, dtype=bool), rps.shape)
    # A grid point with no throughput (nothing fits) makes the option infeasible as a whole:
    # its cost is NaN with feasible False, never a NaN hidden in a total.
    ok = fits_arr & (rps > 0) & np.isfinite(rps)
    fits = bool(np.all(ok))
    row_seconds = np.where(ok, 1.0 / np.where(ok, rps, 1.0), np.nan)
    seconds = np.zeros((len(mix.names), CACHED_GRID.size))
    np.add.at(seconds, rows.feature, rows.share[:, np.newaxis] * row_seconds)
    col = [int(np.argmin(np.abs(CACHED_GRID - c))) for c in mix.cached_input_fraction]
    weight = mix.request_shares[rows.feature] * rows.share
    row_col = np.array(col)[rows.feature]
    latency = {}
    for key in ("ttft_s", "tpot_s"):
        arr = np.broadcast_to(np.asarray(getattr(est, key), dtype=np.float64), rps.shape)
        latency[key] = float(np.sum(weight * arr[np.arange(row_col.size), row_col]))
    return seconds, fits, bool(np.all(meets)), latency, basis


@dataclass(frozen=True)
class _Rows:
    """What the perf model is evaluated at: one row per feature, or per length bucket."""

    feature: NDArray[np.intp]  # the feature of each row
    share: FloatArray  # the row's share of its feature's requests [0–1]
    input_tokens: FloatArray  # prompt (text + images) [tokens/request]
    output_tokens: FloatArray  # [tokens/request]
    p99_tokens: float | None  # p99 input + output of the whole mix (None: no lengths) [tokens]


def _length_rows(mix: FeatureMix, prompt: FloatArray) -> _Rows:
    """Rows of :func:`_perf_seconds_per_request`.

    A feature with per-request lengths gives its length buckets (prompt = bucket mean + the
    feature's image tokens), the others one row. With any such feature, the p99 input + output
    is that of the whole mix (:func:`~llmcost.scenario.workload.mixed_sequences`: every
    feature's distribution weighted by its share of the requests, a feature without one at
    its mean lengths).
    """
    feature, share, tin, tout = [], [], [], []
    p99: float | None = None
    if mix.lengths is not None:  # the KV cap: the p99 of the whole mix, images included
        extra_tokens = prompt - mix.input_tokens
        p99 = sequence_quantile(*mixed_sequences(mix, extra_tokens), TAIL_QUANTILE)
    lengths = mix.lengths or (None,) * len(mix.names)
    for f, lm in enumerate(lengths):
        if lm is None:
            feature.append(np.array([f]))
            share.append(np.ones(1))
            tin.append(prompt[f : f + 1])
            tout.append(mix.output_tokens[f : f + 1])
            continue
        s, i, o = lm.buckets()
        extra = prompt[f] - mix.input_tokens[f]  # image tokens per request
        feature.append(np.full(s.size, f))
        share.append(s)
        tin.append(np.maximum(i + extra, 1.0))  # the perf model needs ≥ 1 token a side
        tout.append(np.maximum(o, 1.0))
    return _Rows(
        feature=np.concatenate(feature).astype(np.intp),
        share=np.concatenate(share),
        input_tokens=np.concatenate(tin),
        output_tokens=np.concatenate(tout),
        p99_tokens=p99,
    )


def _p99_batch_cap(
    estimate: Any,
    model_spec: ModelSpec,
    gpu_spec: GpuSpec,
    common: dict[str, Any],
    knobs: EngineKnobs | None,
    p99_tokens: float,
) -> tuple[EngineKnobs | None, str]:
    """Engine knobs whose batch cap is what the KV cache holds at the p99 length, and a text.

    The largest batch of sequences of ``p99_tokens`` (input + output) held whole
    (``estimate_serving(max_throughput=True)`` at that prompt and one output token): the
    engine may not run more sequences at once, so that the long tail rarely preempts. A cap
    below one sequence leaves the engine's own cap (the context checks flag the option).
    """
    probe = estimate(
        model_spec,
        gpu_spec,
        input_tokens=max(p99_tokens, 1.0),
        output_tokens=1.0,
        max_throughput=True,
        knobs=knobs,
        **common,
    )
    batch = float(np.asarray(probe.max_batch_size))
    if not bool(np.asarray(probe.fits)) or not batch >= 1.0:
        return knobs, f"p99 sequence of {p99_tokens:,.0f} tokens does not fit the KV cache"
    ep = int(np.max(np.asarray(probe.basis["ep"])))
    per_ep = max(int(batch // ep), 1)
    if knobs is not None and knobs.max_num_seqs is not None:
        per_ep = min(per_ep, int(knobs.max_num_seqs))
    capped = replace(knobs or EngineKnobs(), max_num_seqs=per_ep)
    return capped, f"batch ≤ {per_ep * ep} (KV cache at the p99 length, {p99_tokens:,.0f} tokens)"
