"""A finite batch job: ``requests`` identical requests queued at once, served in waves.

Offline benchmarks (``trtllm-bench throughput``, ``vllm bench throughput``) queue a fixed number
of requests and report requests × output tokens / makespan. When every request has the same
lengths, requests admitted together finish together, so an engine holding at most ``capacity``
sequences runs ``full = ⌊requests / batch⌋`` full waves of ``batch = min(requests, capacity)``
sequences, then one partial wave of the ``remainder``. Each wave lasts ``output_tokens`` steps
at its own batch (prompt prefill rides inside those steps, as in steady state), so

    makespan = output × (full × TPOT(batch) + TPOT(remainder))        (remainder > 0)

A steady-state figure at the capacity over-states throughput when the job is only one or two
waves long: the last wave runs a small batch at nearly the same step time (decode is bound by
reading the weights). NVIDIA's TensorRT-LLM perf-overview runs 1,000-30,000 requests per
input/output pair (``docs/source/performance/perf-overview.md``, v1.0 edition, "$num_requests"
table), e.g. 3,000 at 128/2048: 1.15 waves for Llama 4 Maverick on 8× H200 (KV capacity ≈ 2,600
sequences) but 7 waves on 8× H100 (≈ 430) — the reason Maverick H200/B200 rows were
over-predicted by 35-50 % while H100 rows were not.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from .._core._arrays import FloatArray, as_float_array
from .._core.errors import InvalidInputError

__all__ = ["batch_job_mean_wait_s", "check_requests", "wave_split"]


def check_requests(requests: ArrayLike) -> FloatArray:
    """``requests`` as a float array after checking each is a whole number ≥ 1 [requests].

    >>> check_requests(0.5)
    Traceback (most recent call last):
    ...
    llmcost._core.errors.InvalidInputError: requests must be a whole number ≥ 1; got 0.5
    """
    n = as_float_array(requests, "requests")
    with np.errstate(invalid="ignore"):
        bad = ~(np.isfinite(n) & (n >= 1.0) & (n == np.floor(n)))
    if np.any(bad):
        raise InvalidInputError(f"requests must be a whole number ≥ 1; got {n[bad].flat[0]:g}")
    return n


def wave_split(
    requests: ArrayLike, capacity: ArrayLike
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Full waves, their batch and the last partial wave of a batch job.

    Parameters
    ----------
    requests
        Requests queued at once, whole numbers ≥ 1 [requests].
    capacity
        Sequences the engine can hold at a time (≥ 1) [sequences].

    Returns
    -------
    full, batch, remainder
        Number of full waves, sequences per full wave = min(requests, capacity), and sequences
        in the final partial wave (0 when ``batch`` divides ``requests``).

    >>> [float(x) for x in wave_split(3000, 2616)]
    [1.0, 2616.0, 384.0]
    >>> [float(x) for x in wave_split(3000, 4904)]
    [1.0, 3000.0, 0.0]
    """
    n = check_requests(requests)
    cap = np.maximum(np.asarray(capacity, dtype=np.float64), 1.0)
    batch = np.minimum(n, cap)
    full = np.floor(n / batch)
    remainder = n - full * batch
    return np.asarray(full), np.asarray(batch), np.asarray(remainder)


def batch_job_mean_wait_s(
    full: ArrayLike, batch: ArrayLike, remainder: ArrayLike, wave_s: ArrayLike
) -> FloatArray:
    """Mean wait of a batch job's requests for a slot [s].

    Wave ``j`` (0-based) starts after ``j`` full waves of ``wave_s`` each, so the mean is ``wave_s ×
    (batch × full(full − 1)/2 + remainder × full) / requests``.

    >>> float(batch_job_mean_wait_s(2, 10, 5, 1.0))  # 10 wait 0, 10 wait 1, 5 wait 2 waves
    0.8
    """
    k = np.asarray(full, dtype=np.float64)
    b = np.asarray(batch, dtype=np.float64)
    r = np.asarray(remainder, dtype=np.float64)
    n = k * b + r
    waits = b * k * (k - 1.0) / 2.0 + r * k
    return np.asarray(np.asarray(wave_s, dtype=np.float64) * waits / n)
