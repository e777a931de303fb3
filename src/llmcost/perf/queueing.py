"""Waiting for a prefill: the queue a new prompt meets when other prompts are being prefilled.

Engines prefill prompts first come, first served inside the step budget, so a prompt that
arrives while another user's prompt is being prefilled waits for it. With prompts arriving at
``λ`` per second and each taking ``S`` seconds to prefill, the prefill path is busy a share
``ρ = λ·S`` of the time, and the mean wait of an M/D/1 queue (Poisson arrivals, fixed service
time; Pollaczek–Khinchine formula, Kleinrock, *Queueing Systems* vol. 1, 1975, eq. 5.105) is

    W = ρ·S / (2·(1 − ρ)).

In a closed loop of ``C`` users a prompt never waits for its own user, so it meets the load of
the other ``C − 1`` only: ``ρ = λ·S·(C − 1)/C`` (a finite-source correction: ``C = 1`` never
waits). Steps are not preempted either: with other sequences running, a prompt arrives in the
middle of a step and waits for its end, half a step on average (the mean residual of a fixed
step). This is what makes TTFT grow with concurrency long before the batch is full: NVIDIA NIM's
Llama 3.3 70B FP8 on 2× H100, 5000-token prompts, measured TTFT 407 ms at 1 user and 835 ms at
50 users with the batch far from full (docs.nvidia.com/nim/benchmarking/llm, Performance).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from .._core._arrays import FloatArray
from .._core.errors import InvalidInputError

__all__ = [
    "MAX_PREFILL_UTILIZATION",
    "open_prefill_wait_s",
    "overlap_admission_s",
    "prefill_wait_s",
    "running_quantile",
    "step_residual_s",
    "wait_quantile_s",
]

#: Cap on the prefill path's busy share, so the wait stays finite where the steady-state model
#: puts the prefill path at (or beyond) saturation.
MAX_PREFILL_UTILIZATION = 0.95


def prefill_wait_s(request_rate: ArrayLike, prefill_s: ArrayLike, users: ArrayLike) -> FloatArray:
    """Mean wait of a new prompt for the prefills of other users' prompts [s].

    Parameters
    ----------
    request_rate
        Prompts arriving per second over the deployment [1/s].
    prefill_s
        Time one prompt's prefill occupies the engine [s].
    users
        Concurrent users of the closed loop (≥ 1) [users].

    >>> float(prefill_wait_s(1.0, 0.4, 1))  # a single user never waits
    0.0
    >>> round(float(prefill_wait_s(1.0, 0.4, 2)), 4)  # ρ = 1·0.4·½ = 0.2: 0.2·0.4 / (2·0.8)
    0.05
    """
    lam = np.asarray(request_rate, dtype=np.float64)
    s = np.asarray(prefill_s, dtype=np.float64)
    c = np.asarray(users, dtype=np.float64)
    rho = np.minimum(lam * s * (c - 1.0) / c, MAX_PREFILL_UTILIZATION)
    return np.asarray(rho * s / (2.0 * (1.0 - rho)))


def step_residual_s(step_s: ArrayLike, users: ArrayLike) -> FloatArray:
    """Mean wait of a new prompt for the engine step in progress to end [s].

    Half a step when other users' sequences keep the engine stepping, none for a single user (idle
    engine).

    >>> float(step_residual_s(0.02, 1)), float(step_residual_s(0.02, 8))
    (0.0, 0.01)
    """
    step = np.asarray(step_s, dtype=np.float64)
    c = np.asarray(users, dtype=np.float64)
    return np.asarray(np.where(c > 1.0, step / 2.0, 0.0))


def open_prefill_wait_s(request_rate: ArrayLike, prefill_s: ArrayLike) -> FloatArray:
    """Mean wait of a prompt for other prompts' prefills under open Poisson arrivals [s].

    The M/D/1 mean ``ρ·S / (2(1 − ρ))`` with ``ρ = λ·S`` (no finite-source correction), ``ρ`` capped
    at :data:`MAX_PREFILL_UTILIZATION`.

    >>> round(float(open_prefill_wait_s(1.0, 0.4)), 4)  # ρ = 0.4: 0.4·0.4 / (2·0.6)
    0.1333
    """
    lam = np.asarray(request_rate, dtype=np.float64)
    s = np.asarray(prefill_s, dtype=np.float64)
    rho = np.minimum(lam * s, MAX_PREFILL_UTILIZATION)
    return np.asarray(rho * s / (2.0 * (1.0 - rho)))


def overlap_admission_s(decode_step_s: ArrayLike, others_running: ArrayLike) -> FloatArray:
    """Extra wait of a new prompt behind an overlap scheduler's step already launched [s].

    An overlap scheduler (SGLang since v0.3.6/v0.4, sgl-project/sglang PR 2067) launches step
    ``k + 1`` before it processes step ``k``'s results, and it reads new requests only between
    the two, so a prompt arriving during step ``k`` is prefilled after ``k + 1``: one decode
    step later than with a scheduler that admits it into the next step (the TensorRT-LLM
    overlap-scheduler docs: "introduces one extra decoding step"). That happens only when
    other sequences keep the engine stepping: ``others_running`` is the probability of that
    (open Poisson arrivals with ``N`` running on average: ``1 − exp(−N)``, the M/G/∞
    occupancy; a closed loop of more than one user: 1).

    >>> float(overlap_admission_s(0.015, 1.0))  # another user's decode step is launched ahead
    0.015
    >>> round(float(overlap_admission_s(0.015, 1.0 - np.exp(-8.0))), 6)  # N = 8 running
    0.014995
    """
    step = np.asarray(decode_step_s, dtype=np.float64)
    busy = np.asarray(others_running, dtype=np.float64)
    return np.asarray(step * np.clip(busy, 0.0, 1.0))


def wait_quantile_s(mean_wait_s: ArrayLike, utilization: ArrayLike, p: float) -> FloatArray:
    """The ``p``-quantile of an M/G/1 queue's waiting time from its mean and utilization [s].

    A share ``1 − ρ`` of arrivals find the server idle and do not wait; the others wait an
    exponential time with mean ``W̄/ρ`` (the heavy-traffic exponential approximation, exact
    for M/M/1; Kingman 1962, "On queues in heavy traffic"), so ``P(W > t) = ρ·exp(−ρt/W̄)``
    and ``t_p = W̄/ρ · ln(ρ / (1 − p))`` when ``p > 1 − ρ``, else 0.

    >>> round(float(wait_quantile_s(0.1, 0.5, 0.95)), 4)  # 0.2 · ln(10)
    0.4605
    >>> float(wait_quantile_s(0.1, 0.5, 0.5))  # half the arrivals do not wait
    0.0
    """
    if not 0.0 < p < 1.0:
        raise InvalidInputError(f"p must be in (0, 1); got {p!r}")
    w = np.asarray(mean_wait_s, dtype=np.float64)
    rho = np.asarray(utilization, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = w / rho * np.log(rho / (1.0 - p))
    return np.asarray(np.where((rho > 0.0) & (rho > 1.0 - p), t, 0.0))


def running_quantile(mean_running: ArrayLike, p: float) -> FloatArray:
    """The ``p``-quantile of the number of requests in service under Poisson arrivals.

    Poisson with the mean (M/G/∞: exact for any service-time distribution while the engine has free
    slots; Kleinrock 1975, vol. 1, §3.4) [requests].

    >>> float(running_quantile(10.0, 0.5)), float(running_quantile(10.0, 0.95))
    (10.0, 15.0)
    """
    from scipy.stats import poisson

    return np.asarray(poisson.ppf(p, np.asarray(mean_running, dtype=np.float64)), dtype=float)
