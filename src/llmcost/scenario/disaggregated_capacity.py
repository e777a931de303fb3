"""Capacity of a disaggregated option's unit (``[options.<name>.disaggregated]``).

One unit = ``x`` prefill replicas + ``y`` decode replicas (:class:`DisaggregatedConfig`). For
each feature and prefix-cache hit rate, a unit serves ``min(x · prefill capacity, y · decode
capacity)`` requests per second within the option's TTFT and TPOT targets
(:func:`llmcost.perf.disaggregated.estimate_disaggregated`), so a request takes the inverse in
unit-seconds. A mix of features is charged the sum of each feature's unit-seconds, each at its
busier pool: an upper bound on the unit time of the mix (the pools' slack is not shared
between features).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .._core._arrays import FloatArray
from .._core.errors import InvalidInputError
from .._core.specs import GpuSpec, ModelSpec
from .config import SelfHostedOption
from .context import engine_for
from .workload import FeatureMix

__all__ = ["DisaggregatedCapacity", "disaggregated_capacity"]


@dataclass(frozen=True)
class DisaggregatedCapacity:
    """A disaggregated unit's GPUs, unit-seconds per request and what a comparison shows.

    The seconds are over the features × cache grid.
    """

    unit_gpus: int
    seconds: FloatArray
    fits: bool
    meets_slo: bool
    latency: dict[str, float]
    details: dict[str, Any]


def _ratio(prefill_s: float, decode_s: float, cfg: Any) -> tuple[int, int, bool]:
    """(prefill replicas, decode replicas) of a unit, and whether they were chosen here."""
    if cfg.prefill_replicas is not None or cfg.decode_replicas is not None:
        return cfg.prefill_replicas or 1, cfg.decode_replicas or 1, False
    if decode_s >= prefill_s:
        return 1, max(1, round(decode_s / prefill_s)), True
    return max(1, round(prefill_s / decode_s)), 1, True


def disaggregated_capacity(
    option: SelfHostedOption,
    where: str,
    model: ModelSpec,
    gpu: GpuSpec,
    mix: FeatureMix,
    prompt_tokens: FloatArray,
    cached_grid: FloatArray,
) -> DisaggregatedCapacity:
    """The unit of ``option`` (its ``disaggregated`` set) for the workload ``mix``."""
    from ..perf.disaggregated import estimate_disaggregated

    cfg = option.disaggregated
    assert cfg is not None  # the caller checks
    # config validation: a fixed layout gives both pool sizes (layout = "auto" fills them in)
    assert cfg.prefill_gpus is not None
    assert cfg.decode_gpus is not None
    if np.any(prompt_tokens <= 0) or np.any(mix.output_tokens <= 0):
        raise InvalidInputError(
            f"{where}: disaggregated serving needs input and output tokens ≥ 1 per request"
        )
    shape = (len(mix.names), cached_grid.size)
    try:
        est = estimate_disaggregated(
            model,
            gpu,
            prefill_gpus=cfg.prefill_gpus,
            decode_gpus=cfg.decode_gpus,
            precision=option.precision,
            input_tokens=np.broadcast_to(prompt_tokens[:, np.newaxis], shape),
            output_tokens=np.broadcast_to(mix.output_tokens[:, np.newaxis], shape),
            engine=engine_for(option, gpu),
            kv_precision=option.kv_precision,
            ttft_slo_s=option.ttft_slo_s,
            tpot_slo_s=option.tpot_slo_s,
            cached_input_fraction=np.broadcast_to(cached_grid[np.newaxis, :], shape),
            kv_link=cfg.kv_link,
            kv_link_gb_per_s=cfg.kv_link_gb_per_s,
        )
    except InvalidInputError as exc:
        raise InvalidInputError(f"{where}.disaggregated: {exc}") from None
    cap_p = np.broadcast_to(np.asarray(est.prefill_requests_per_s_per_replica), shape)
    cap_d = np.broadcast_to(np.asarray(est.decode_requests_per_s_per_replica), shape)
    ok = np.isfinite(cap_p) & np.isfinite(cap_d) & (cap_p > 0) & (cap_d > 0)
    shares = mix.request_shares
    col = [int(np.argmin(np.abs(cached_grid - c))) for c in mix.cached_input_fraction]
    rows = np.arange(len(col))
    if not np.all(ok[rows, col]):
        x, y, chosen = 1, 1, False
    else:
        x, y, chosen = _ratio(
            float(np.sum(shares / cap_p[rows, col])), float(np.sum(shares / cap_d[rows, col])), cfg
        )
    with np.errstate(divide="ignore", invalid="ignore"):
        unit_rps = np.minimum(x * cap_p, y * cap_d)
        seconds = np.where(ok, 1.0 / np.where(ok, unit_rps, 1.0), np.nan)
    latency = {
        key: float(
            np.sum(shares * np.broadcast_to(np.asarray(getattr(est, key)), shape)[rows, col])
        )
        for key in ("ttft_s", "tpot_s")
    }
    details = {
        "prefill_replicas_per_unit": x,
        "decode_replicas_per_unit": y,
        "prefill_gpus_per_replica": cfg.prefill_gpus,
        "decode_gpus_per_replica": cfg.decode_gpus,
        "ratio_chosen_from_loads": chosen,
        "kv_link": est.basis["kv_link"],
        "kv_link_gb_per_s": est.basis["kv_link_gb_per_s"],
        "kv_transfer_s": float(
            np.sum(shares * np.broadcast_to(np.asarray(est.kv_transfer_s), shape)[rows, col])
        ),
    }
    return DisaggregatedCapacity(
        unit_gpus=x * cfg.prefill_gpus + y * cfg.decode_gpus,
        seconds=np.asarray(seconds),
        fits=bool(np.all(np.broadcast_to(np.asarray(est.fits), shape))),
        meets_slo=bool(np.all(ok)),
        latency=latency,
        details=details,
    )
