"""Load profiles → replicas needed each hour of the day → replica-hours per month.

Demand through the day is a 24-hour profile of weights with mean 1 (hour 0 = midnight), either
given (``hourly_profile``) or built from a peak-to-average ratio ``p`` by
:func:`profile_from_peak_to_average`:

- the day follows ``s(h) = (1 + cos(2π (h − 14) / 24)) / 2`` (0 at 02:00, 1 at 14:00, mean ½);
- for ``1 ≤ p ≤ 2``: ``w(h) = (2 − p) + 2 (p − 1) s(h)`` — mean 1, peak ``p``, trough ``2 − p``;
- for ``2 < p ≤ 24``: ``w(h) = p · s(h)^k / max(s^k)`` with ``k ≥ 1`` solved (bisection) so
  that the mean is 1 — a narrower peak, trough 0. ``p = 24`` puts the whole day in one hour.

Each hour, replicas = ceil(demand / (capacity per replica × target utilization)), clipped to
``[floor, max_replicas]`` where floor = ``max(min_replicas, 1)`` (always on) or, with
``scale_to_zero``, 0 in hours without demand. That is an autoscaled fleet; without
autoscaling (``autoscaling=False``) the fleet is sized for the peak hour and held all day:
replicas(h) = max_h replicas(h), the same bounds applied. When ``max_replicas`` is too small the
plan is infeasible and only part of the demand is served (at full capacity of the replicas
running).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._core._arrays import (
    FloatArray,
    as_float_array,
    check_nonnegative,
    check_range,
    scalar_or_array,
)
from .._core.errors import InvalidInputError
from .._core.units import HOURS_PER_DAY, HOURS_PER_MONTH, SECONDS_PER_MONTH

__all__ = [
    "ReplicaPlan",
    "average_requests_per_s",
    "normalize_profile",
    "profile_from_peak_to_average",
    "replica_plan",
]

_HOURS = np.arange(int(HOURS_PER_DAY), dtype=np.float64)
#: The daily shape s(h) in [0, 1]: trough at 02:00, peak at 14:00.
_DAY_SHAPE = (1.0 + np.cos(2.0 * np.pi * (_HOURS - 14.0) / HOURS_PER_DAY)) / 2.0


def normalize_profile(hourly_profile: ArrayLike) -> FloatArray:
    """Scale 24 non-negative hourly weights (last axis) to mean 1.

    >>> normalize_profile([1.0] * 12 + [3.0] * 12)[[0, 23]]
    array([0.5, 1.5])
    """
    w = check_nonnegative(hourly_profile, "hourly_profile")
    if w.shape[-1:] != (24,):
        raise InvalidInputError(f"hourly_profile must have 24 weights; got shape {w.shape}")
    mean = w.mean(axis=-1, keepdims=True)
    if np.any(mean <= 0):
        raise InvalidInputError("hourly_profile must have at least one positive weight")
    return w / mean


def profile_from_peak_to_average(peak_to_average: ArrayLike) -> FloatArray:
    """24 hourly weights [mean 1] whose maximum is ``peak_to_average`` (shape (..., 24)).

    See the module docstring for the construction.

    >>> w = profile_from_peak_to_average(1.5)
    >>> float(w.mean()), float(w.max()), float(w.min())
    (1.0, 1.5, 0.5)
    >>> w = profile_from_peak_to_average(4.0)
    >>> round(float(w.mean()), 9), round(float(w.max()), 9)
    (1.0, 4.0)
    """
    p = check_range(peak_to_average, "peak_to_average", lo=1.0, hi=HOURS_PER_DAY)
    pp = p[..., np.newaxis]
    gentle = (2.0 - pp) + 2.0 * (pp - 1.0) * _DAY_SHAPE
    # Peaked: mean(s^k) falls from 1/2 (k = 1) toward 1/24 as k grows; solve mean = 1/p in log k.
    target = 1.0 / np.maximum(p, 2.0)
    lo = np.zeros_like(p)
    hi = np.full_like(p, 12.0)  # k up to e^12: mean(s^k) ≈ 1/24 to machine precision
    for _ in range(60):  # fixed-count bisection, vectorized over p
        mid = (lo + hi) / 2.0
        too_wide = np.mean(_DAY_SHAPE ** np.exp(mid)[..., np.newaxis], axis=-1) > target
        lo = np.where(too_wide, mid, lo)
        hi = np.where(too_wide, hi, mid)
    shaped = _DAY_SHAPE ** np.exp((lo + hi) / 2.0)[..., np.newaxis]
    peaked = shaped / shaped.mean(axis=-1, keepdims=True)
    return np.where(pp <= 2.0, gentle, peaked)


def average_requests_per_s(requests_per_month: ArrayLike) -> Any:
    """Average request rate [requests/s] of a monthly volume (a month is 730 hours).

    >>> average_requests_per_s(2_628_000)
    1.0
    """
    req = check_nonnegative(requests_per_month, "requests_per_month")
    return scalar_or_array(req / SECONDS_PER_MONTH, requests_per_month)


@dataclass(frozen=True)
class ReplicaPlan:
    """Replicas running each hour of the day and what they serve (arrays broadcast).

    The day is stored by distinct load level (hours with equal weight share a column):
    ``replicas_by_level`` (..., n_levels) and ``hour_level`` (24,) map hours to levels;
    :attr:`replicas_by_hour` expands them to (..., 24).
    """

    replicas_by_level: FloatArray  # [replicas], shape (..., n_levels)
    hour_level: NDArray[np.intp]  # level of each hour, shape (24,) or (..., 24)
    replicas_avg: Any  # mean over the day [replicas]
    replicas_peak: Any  # max over the day [replicas]
    replicas_min: Any  # min over the day [replicas]
    replica_hours_per_month: Any  # [replica-hours/month]
    utilization: Any  # served demand / capacity of the replicas running [0–1]; NaN if none run
    served_fraction: Any  # share of the demand served [0–1]
    feasible: Any  # True when max_replicas covers every hour at the target utilization

    @property
    def replicas_by_hour(self) -> FloatArray:
        """Replicas running in each hour of the day [replicas], shape (..., 24)."""
        if self.hour_level.ndim == 1:
            out: FloatArray = self.replicas_by_level[..., self.hour_level]
            return out
        return np.take_along_axis(self.replicas_by_level, self.hour_level, axis=-1)


def replica_plan(
    *,
    requests_per_s: ArrayLike,
    hourly_weights: ArrayLike,
    capacity_requests_per_s_per_replica: ArrayLike,
    target_utilization: ArrayLike = 1.0,
    min_replicas: ArrayLike = 1,
    max_replicas: ArrayLike = np.inf,
    scale_to_zero: ArrayLike = False,
    autoscaling: ArrayLike = True,
) -> ReplicaPlan:
    """Replicas needed each hour to serve ``requests_per_s × hourly_weights``.

    Parameters
    ----------
    requests_per_s : average demand [requests/s], ≥ 0
    hourly_weights : 24 weights with mean 1 (last axis), e.g. from
        :func:`profile_from_peak_to_average`
    capacity_requests_per_s_per_replica : what one replica serves at full load [requests/s], > 0
    target_utilization : load a replica is planned to run at (headroom) [0–1], > 0
    min_replicas, max_replicas : bounds on the replicas running [replicas]; a fractional
        bound is rounded inward (min up, max down)
    scale_to_zero : allow zero replicas in hours without demand
    autoscaling : replicas follow the hourly demand; False holds the peak hour's replicas all
        day (a fixed fleet sized for the peak)

    >>> plan = replica_plan(requests_per_s=10.0, hourly_weights=np.ones(24),
    ...                     capacity_requests_per_s_per_replica=4.0, target_utilization=0.8)
    >>> plan.replicas_peak, plan.replica_hours_per_month, plan.utilization
    (4.0, 2920.0, 0.625)
    >>> day = [0.5] * 12 + [1.5] * 12  # 2 replicas at night and 4 by day, or 4 all day
    >>> [replica_plan(requests_per_s=10.0, hourly_weights=day, autoscaling=a,
    ...               capacity_requests_per_s_per_replica=4.0).replica_hours_per_month
    ...  for a in (True, False)]
    [2190.0, 2920.0]
    """
    demand_avg = check_nonnegative(requests_per_s, "requests_per_s")
    weights = as_float_array(hourly_weights, "hourly_weights")
    if weights.shape[-1:] != (24,):
        raise InvalidInputError(f"hourly_weights must have 24 weights; got shape {weights.shape}")
    cap = check_range(
        capacity_requests_per_s_per_replica,
        "capacity_requests_per_s_per_replica",
        lo=0.0,
        lo_inclusive=False,
    )
    util = check_range(target_utilization, "target_utilization", lo=0.0, hi=1.0, lo_inclusive=False)
    # Replicas are whole: a fractional bound (a sweep or a draw) is rounded inward.
    lo_rep = np.ceil(check_nonnegative(min_replicas, "min_replicas"))
    hi_rep = np.floor(check_range(max_replicas, "max_replicas", lo=0.0))
    lo_b, hi_b = np.broadcast_arrays(lo_rep, hi_rep)
    over = np.flatnonzero(lo_b > hi_b)
    if over.size:
        raise InvalidInputError(
            "min_replicas must be ≤ max_replicas (whole replicas); got "
            f"{lo_b.flat[over[0]]:g} > {hi_b.flat[over[0]]:g}"
        )
    to_zero = np.asarray(scale_to_zero, dtype=bool)
    autoscaled = np.asarray(autoscaling, dtype=bool)

    lead = np.broadcast_shapes(
        demand_avg.shape,
        cap.shape,
        util.shape,
        lo_rep.shape,
        hi_rep.shape,
        to_zero.shape,
        autoscaled.shape,
        weights.shape[:-1],
    )
    if weights.ndim == 1:  # one day shape for every scenario: work on its distinct levels
        levels, hour_level, counts = np.unique(weights, return_inverse=True, return_counts=True)
    else:
        levels, hour_level, counts = weights, np.broadcast_to(np.arange(24), weights.shape), None
    # Replicas at each level: ceil(demand × w / (capacity × utilization)); the relative
    # tolerance keeps e.g. 8 / (4 × 0.5) at 4 replicas, not 5 from rounding noise.
    per_replica = (demand_avg / (cap * util) * (1.0 - 1e-12))[..., np.newaxis]
    replicas = np.multiply(per_replica, levels, out=np.empty((*lead, levels.shape[-1])))
    np.ceil(replicas, out=replicas)
    needed_peak = np.ceil(per_replica[..., 0] * levels.max(axis=-1))
    floor = np.where(to_zero, lo_rep, np.maximum(lo_rep, 1.0))[..., np.newaxis]
    if np.any(to_zero):  # no replica in hours without demand
        idle = (levels <= 0.0) | (per_replica <= 0.0)
        floor = np.where(idle & to_zero[..., np.newaxis], 0.0, floor)
    np.clip(replicas, floor, hi_rep[..., np.newaxis], out=replicas)
    if not np.all(autoscaled):  # a fixed fleet: the peak hour's replicas at every level
        held = replicas.max(axis=-1, keepdims=True)
        replicas = np.where(autoscaled[..., np.newaxis], replicas, held)
    if counts is None:
        replica_sum = replicas.sum(axis=-1)
        peak, low = replicas.max(axis=-1), replicas.min(axis=-1)
    else:
        replica_sum = replicas @ counts.astype(np.float64)
        peak, low = replicas[..., -1], replicas[..., 0]  # levels ascend; the plan is monotone
    feasible = np.broadcast_to(needed_peak <= hi_rep, lead)
    demand_sum = np.broadcast_to(demand_avg * weights.sum(axis=-1), lead)
    capacity_sum = replica_sum * cap
    # Demand is fully served where max_replicas covers every hour; elsewhere serve what the
    # replicas running can (computed only on those rows).
    served_sum = np.array(demand_sum, dtype=np.float64)
    short = ~feasible
    if np.any(short):
        hourly = np.broadcast_to(demand_avg[..., np.newaxis] * weights, (*lead, 24))[short]
        if counts is None:
            by_hour = np.take_along_axis(replicas, np.asarray(hour_level), axis=-1)
        else:
            by_hour = replicas[..., hour_level]
        cap_rows = np.broadcast_to(cap, lead)[short][..., np.newaxis]
        served_sum[short] = np.minimum(hourly, by_hour[short] * cap_rows).sum(axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        utilization = np.where(capacity_sum > 0, served_sum / capacity_sum, np.nan)
        served_fraction = np.where(demand_sum > 0, served_sum / demand_sum, 1.0)
    like = (requests_per_s, capacity_requests_per_s_per_replica, target_utilization)
    return ReplicaPlan(
        replicas_by_level=replicas,
        hour_level=np.asarray(hour_level),
        replicas_avg=scalar_or_array(replica_sum / 24.0, *like),
        replicas_peak=scalar_or_array(peak, *like),
        replicas_min=scalar_or_array(low, *like),
        replica_hours_per_month=scalar_or_array(replica_sum / 24.0 * HOURS_PER_MONTH, *like),
        utilization=scalar_or_array(utilization, *like),
        served_fraction=scalar_or_array(served_fraction, *like),
        feasible=scalar_or_array(feasible, *like),
    )
