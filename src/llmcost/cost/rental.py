"""Rented GPUs: on-demand, reserved (a commitment covering part of the fleet) and spot.

A fleet that runs ``R_h`` replicas of ``g`` GPUs in hour ``h`` of the day costs per month
(a month is 730 hours, each hour of the day stands for 730 / 24 hours):

- committed [USD] = committed replicas × g × 730 × reserved $/GPU-hour — paid every hour,
  used or not (reserved 1y/3y: the always-on base by default, :func:`committed_replicas`);
- usage [USD] = replica-hours above the commitment (:func:`replica_hours_above`) × g ×
  $/GPU-hour of the pay-as-you-go part (on-demand, or spot);
- interruption [USD] = usage × ``interruption_overhead_fraction`` — spot capacity lost to
  preemption and re-run (extra GPU-hours), 0 for on-demand.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from .._core._arrays import (
    FloatArray,
    as_float_array,
    check_fraction,
    check_nonnegative,
    check_range,
    scalar_or_array,
)
from .._core.errors import InvalidInputError
from .._core.units import HOURS_PER_MONTH

__all__ = ["RentalCost", "committed_replicas", "rental_cost", "replica_hours_above"]


@dataclass(frozen=True)
class RentalCost:
    """Monthly rental cost by component [USD/month]; they sum to :attr:`total_usd`."""

    gpu_committed_usd: Any
    gpu_usage_usd: Any
    spot_interruption_usd: Any
    gpu_hours_per_month: Any  # GPU-hours paid for, including the idle committed ones

    @property
    def total_usd(self) -> Any:
        """Sum of the components [USD/month]."""
        return self.gpu_committed_usd + self.gpu_usage_usd + self.spot_interruption_usd


def _replicas_by_hour(value: ArrayLike) -> FloatArray:
    reps = as_float_array(value, "replicas_by_hour")
    if reps.shape[-1:] != (24,):
        raise InvalidInputError(f"replicas_by_hour must have 24 hours; got shape {reps.shape}")
    if not np.min(reps) >= 0:  # one pass; catches NaN too
        check_nonnegative(reps, "replicas_by_hour")  # raises naming the bad value
    return reps


def committed_replicas(replicas_by_hour: ArrayLike, commitment_fraction: ArrayLike) -> Any:
    """Replicas covered by a reservation [replicas].

    ``commitment_fraction`` NaN → the always-on base (the fewest replicas running in any
    hour); otherwise ``ceil(fraction × peak replicas)``.

    >>> committed_replicas([[2.0] * 12 + [5.0] * 12], [np.nan, 0.5])
    array([2., 3.])
    """
    reps = _replicas_by_hour(replicas_by_hour)
    frac = check_range(commitment_fraction, "commitment_fraction", lo=0.0, hi=1.0, allow_nan=True)
    peak = reps.max(axis=-1)
    base = reps.min(axis=-1)
    out = np.where(np.isnan(frac), base, np.ceil(np.nan_to_num(frac) * peak - 1e-9))
    return scalar_or_array(out, commitment_fraction)


def replica_hours_above(replicas_by_hour: ArrayLike, committed_replicas: ArrayLike) -> Any:
    """Replica-hours per month above a commitment [replica-hours/month].

    >>> replica_hours_above([2.0] * 12 + [5.0] * 12, 2.0)  # 3 extra replicas half the day
    1095.0
    """
    reps = _replicas_by_hour(replicas_by_hour)
    committed = check_nonnegative(committed_replicas, "committed_replicas")
    above = np.maximum(reps - committed[..., np.newaxis], 0.0).mean(axis=-1)
    return scalar_or_array(above * HOURS_PER_MONTH, committed_replicas)


def rental_cost(
    *,
    usage_replica_hours_per_month: ArrayLike,
    gpus_per_replica: ArrayLike,
    usd_per_gpu_hour: ArrayLike,
    committed_replicas: ArrayLike = 0.0,
    committed_usd_per_gpu_hour: ArrayLike = 0.0,
    interruption_overhead_fraction: ArrayLike = 0.0,
) -> RentalCost:
    """Monthly cost of renting GPUs (see the module docstring).

    Parameters
    ----------
    usage_replica_hours_per_month : pay-as-you-go replica-hours, above any commitment
        [replica-hours/month] (a replica plan's ``replica_hours_per_month`` when nothing is
        reserved, else :func:`replica_hours_above`)
    gpus_per_replica : [GPUs]
    usd_per_gpu_hour : pay-as-you-go price (on-demand or spot) [USD/GPU-hour]
    committed_replicas : replicas reserved for every hour [replicas]
    committed_usd_per_gpu_hour : reserved price [USD/GPU-hour]
    interruption_overhead_fraction : extra pay-as-you-go GPU-hours lost to preemption [0–1]

    Hand check: 8 GPUs on demand at $2.50 all month: 8 × 2.5 × 730 = 14,600.

    >>> rental_cost(usage_replica_hours_per_month=730, gpus_per_replica=8,
    ...             usd_per_gpu_hour=2.5).total_usd
    14600.0
    """
    usage = check_nonnegative(usage_replica_hours_per_month, "usage_replica_hours_per_month")
    g = check_nonnegative(gpus_per_replica, "gpus_per_replica")
    price = check_nonnegative(usd_per_gpu_hour, "usd_per_gpu_hour")
    committed = check_nonnegative(committed_replicas, "committed_replicas")
    reserved_price = check_nonnegative(committed_usd_per_gpu_hour, "committed_usd_per_gpu_hour")
    overhead = check_fraction(interruption_overhead_fraction, "interruption_overhead_fraction")
    committed_hours = committed * g * HOURS_PER_MONTH
    usage_hours = usage * g
    usage_usd = usage_hours * price
    like = (usage_replica_hours_per_month, gpus_per_replica, usd_per_gpu_hour, committed_replicas)
    return RentalCost(
        gpu_committed_usd=scalar_or_array(committed_hours * reserved_price, *like),
        gpu_usage_usd=scalar_or_array(usage_usd, *like),
        spot_interruption_usd=scalar_or_array(usage_usd * overhead, *like),
        gpu_hours_per_month=scalar_or_array(committed_hours + usage_hours * (1 + overhead), *like),
    )
