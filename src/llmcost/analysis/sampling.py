"""Repeated-sampling economics: pass@k, coverage curves, cost per solved task.

A small model sampled k times with a verifier (unit tests, a proof checker) can solve as many
tasks as a large model sampled once. Whether it is cheaper depends on the cost of one sample
(generation + verification) and on how fast coverage grows with k.

References
----------
- Chen et al. (2021), *Evaluating Large Language Models Trained on Code*, arXiv:2107.03374,
  §2.1: the unbiased estimator pass@k = E[1 − C(n−c, k) / C(n, k)].
- Brown et al. (2024), *Large Language Monkeys: Scaling Inference Compute with Repeated
  Sampling*, arXiv:2407.21787: coverage often follows an exponentiated power law
  log(coverage) ≈ a·k^b, i.e. log(−log pass@k) is linear in log k.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import special, stats

from .._core._arrays import FloatArray, as_float_array, check_fraction, check_nonnegative
from .._core._arrays import scalar_or_array as _shape
from .._core.display import plain
from .._core.errors import InvalidInputError
from .._core.result import ResultShape
from .._core.serialize import jsonable

__all__ = [
    "CoverageFit",
    "accepted_within_k",
    "breakeven_usd_per_sample",
    "cost_per_correct_task_usd",
    "cost_per_solved_task_usd",
    "dataset_pass_at_k",
    "dataset_verified_at_k",
    "expected_attempts_until_accepted",
    "expected_samples_until_success",
    "fit_coverage",
    "pass_at_k",
    "smallest_k_for_target",
    "usd_per_sample",
    "verified_accuracy_within_k",
    "verified_precision",
]


def _check_counts(n: ArrayLike, c: ArrayLike, k: ArrayLike) -> tuple[FloatArray, ...]:
    n_arr = as_float_array(n, "n")
    c_arr = as_float_array(c, "correct")
    k_arr = as_float_array(k, "k")
    for name, arr in (("n", n_arr), ("correct", c_arr), ("k", k_arr)):
        if np.any(~np.isfinite(arr)) or np.any(arr != np.round(arr)):
            bad = arr[~np.isfinite(arr) | (arr != np.round(arr))].flat[0]
            raise InvalidInputError(f"{name} must be a whole number; got {plain(bad)}")
    if np.any(n_arr < 1):
        raise InvalidInputError(f"n must be ≥ 1; got {n_arr[n_arr < 1].flat[0]:g}")
    if np.any(c_arr < 0):
        raise InvalidInputError(f"correct must be ≥ 0; got {c_arr[c_arr < 0].flat[0]:g}")
    if np.any(k_arr < 1):
        raise InvalidInputError(f"k must be ≥ 1; got {k_arr[k_arr < 1].flat[0]:g}")
    n_b, c_b, k_b = np.broadcast_arrays(n_arr, c_arr, k_arr)
    if np.any(c_b > n_b):
        i = np.flatnonzero(c_b > n_b)[0]
        raise InvalidInputError(
            f"correct must be ≤ n; got correct={c_b.flat[i]:g} with n={n_b.flat[i]:g}"
        )
    if np.any(k_b > n_b):
        i = np.flatnonzero(k_b > n_b)[0]
        raise InvalidInputError(
            f"k must be ≤ n (the samples drawn); got k={k_b.flat[i]:g} with n={n_b.flat[i]:g}"
        )
    return n_b, c_b, k_b


#: Longest product (factors per element) evaluated exactly; beyond, log-beta functions.
_PRODUCT_FORM_MAX_FACTORS = 20_000
#: Elements × factors held in memory at once by the product form.
_PRODUCT_FORM_CHUNK = 2_000_000


def _log_ratio_product(n: FloatArray, fails: FloatArray, k: FloatArray) -> FloatArray:
    """Log of C(n−c, k)/C(n, k) as Σ_{i<m} log(1 − a/(n−i)) with m = min(c, k), a = max(c, k).

    Evaluated over chunks of elements to bound memory.
    """
    c = n - fails
    m = np.minimum(c, k).astype(np.int64).ravel()
    a = np.maximum(c, k).ravel()
    n_flat = n.ravel()
    out = np.zeros(n_flat.size)
    width = max(int(m.max(initial=0)), 1)
    step = max(_PRODUCT_FORM_CHUNK // width, 1)
    i = np.arange(width, dtype=np.float64)
    for start in range(0, n_flat.size, step):
        sl = slice(start, start + step)
        with np.errstate(divide="ignore", invalid="ignore"):
            terms = np.log1p(-a[sl, None] / (n_flat[sl, None] - i))
        out[sl] = np.where(i < m[sl, None], terms, 0.0).sum(axis=-1)
    return out.reshape(n.shape)


def _log_ratio_betaln(n: FloatArray, fails: FloatArray, k: FloatArray) -> FloatArray:
    """The same ratio through log-beta functions (C(n, k) = 1 / ((n+1)·B(n−k+1, k+1)))."""
    return (
        np.log(n + 1)
        - np.log(fails + 1)
        - special.betaln(fails - k + 1, k + 1)
        + special.betaln(n - k + 1, k + 1)
    )


def pass_at_k(n: ArrayLike, correct: ArrayLike, k: ArrayLike) -> FloatArray | float:
    """Unbiased pass@k [fraction] from ``n`` samples of which ``correct`` passed (Chen et al.).

    pass@k = 1 − C(n−c, k) / C(n, k) = 1 − Π_{i=n−c+1}^{n} (1 − k/i), summed in log space
    (the product over min(c, k) factors; log-beta functions beyond 20,000 factors), so that
    n = 10,000 neither overflows nor loses precision. Broadcasts over all three arguments.

    >>> pass_at_k(10, 3, 1)
    0.3
    >>> round(pass_at_k(10, 3, 2), 12)  # 1 − C(7,2)/C(10,2) = 1 − 21/45
    0.533333333333
    >>> pass_at_k(10, 8, 3)  # k > n − c: every draw of 3 contains a correct one
    1.0
    """
    n_b, c_b, k_b = _check_counts(n, correct, k)
    fails = n_b - c_b
    always = k_b > fails
    safe_k = np.where(always, 0.0, k_b)  # masked elements: a valid, ignored ratio of 1
    if np.minimum(c_b, safe_k).max(initial=0) <= _PRODUCT_FORM_MAX_FACTORS:
        log_ratio = _log_ratio_product(n_b, fails, safe_k)
    else:
        log_ratio = _log_ratio_betaln(n_b, fails, safe_k)
    result = np.where(always, 1.0, -np.expm1(np.minimum(log_ratio, 0.0)))
    return _shape(result, n, correct, k)


def dataset_pass_at_k(
    n: ArrayLike, correct_per_problem: ArrayLike, k: ArrayLike
) -> FloatArray | float:
    """Mean pass@k [fraction] over problems: ``correct_per_problem`` has one count per problem.

    ``k`` may be a scalar or a 1-d array of sample budgets (result: one value per k).

    >>> dataset_pass_at_k(10, [0, 5, 10], 1)
    0.5
    """
    correct = as_float_array(correct_per_problem, "correct_per_problem")
    if correct.ndim != 1 or correct.size == 0:
        raise InvalidInputError("correct_per_problem must be a non-empty 1-d array of counts")
    k_arr = as_float_array(k, "k")
    values = np.asarray(pass_at_k(n, correct[:, None], np.atleast_1d(k_arr)[None, :]))
    mean = values.mean(axis=0)
    return _shape(mean.reshape(k_arr.shape), k)


def usd_per_sample(
    input_tokens: ArrayLike,
    output_tokens: ArrayLike,
    input_usd_per_mtok: ArrayLike,
    output_usd_per_mtok: ArrayLike,
    verifier_usd: ArrayLike = 0.0,
) -> FloatArray | float:
    """Cost of one attempt [USD]: tokens × marginal price + the verifier's run (e.g. unit tests).

    For a self-hosted option, pass its marginal or full-TCO $/1M tokens as both prices.

    >>> usd_per_sample(1000, 500, 2.5, 10.0)  # 1000 × 2.5e-6 + 500 × 10e-6
    0.0075
    """
    tin = check_nonnegative(input_tokens, "input_tokens")
    tout = check_nonnegative(output_tokens, "output_tokens")
    pin = check_nonnegative(input_usd_per_mtok, "input_usd_per_mtok")
    pout = check_nonnegative(output_usd_per_mtok, "output_usd_per_mtok")
    ver = check_nonnegative(verifier_usd, "verifier_usd")
    result = (tin * pin + tout * pout) / 1e6 + ver
    return _shape(
        result, input_tokens, output_tokens, input_usd_per_mtok, output_usd_per_mtok, verifier_usd
    )


def cost_per_solved_task_usd(
    k: ArrayLike,
    pass_at_k_fraction: ArrayLike,
    usd_per_attempt: ArrayLike,
    verifier_usd_per_attempt: ArrayLike = 0.0,
) -> FloatArray | float:
    """Expected cost per solved task [USD] when all ``k`` samples are drawn and verified.

    cost = k × (attempt + verifier) / pass@k; ``inf`` when pass@k is 0 (never solved).

    >>> cost_per_solved_task_usd(10, 0.5, 0.01, 0.002)  # 10 × 0.012 / 0.5
    0.24
    """
    k_arr = check_nonnegative(k, "k")
    p = check_fraction(pass_at_k_fraction, "pass_at_k_fraction")
    usd = check_nonnegative(usd_per_attempt, "usd_per_attempt")
    ver = check_nonnegative(verifier_usd_per_attempt, "verifier_usd_per_attempt")
    spent = k_arr * (usd + ver)
    with np.errstate(divide="ignore", invalid="ignore"):
        result = np.where(p > 0, spent / np.where(p > 0, p, 1.0), np.inf)
    return _shape(result, k, pass_at_k_fraction, usd_per_attempt, verifier_usd_per_attempt)


def expected_samples_until_success(pass_curve: ArrayLike) -> FloatArray | float:
    """Expected samples drawn [samples] when sampling stops at the first verified success.

    ``pass_curve[..., j]`` is pass@(j+1) for j = 0 … k−1 (last axis). Because the chance that
    the first j samples all fail is 1 − pass@j (pass@0 = 0), the expected count is
    Σ_{j=0}^{k−1} (1 − pass@j) — exact even when problems differ in difficulty.

    >>> expected_samples_until_success([0.5, 0.75])  # 1 + (1 − 0.5)
    1.5
    """
    curve = check_fraction(pass_curve, "pass_curve")
    if curve.ndim == 0 or curve.shape[-1] == 0:
        raise InvalidInputError("pass_curve must hold pass@1 … pass@k along its last axis")
    if np.any(np.diff(curve, axis=-1) < -1e-12):
        raise InvalidInputError("pass_curve must be non-decreasing in k")
    before = np.concatenate([np.zeros((*curve.shape[:-1], 1)), curve[..., :-1]], axis=-1)
    return _shape((1.0 - before).sum(axis=-1))


def smallest_k_for_target(k_values: ArrayLike, pass_values: ArrayLike, target: float) -> float:
    """Smallest ``k`` [samples] among ``k_values`` whose pass@k reaches ``target``; NaN if none.

    >>> smallest_k_for_target([1, 10, 100], [0.3, 0.7, 0.9], 0.8)
    100.0
    """
    ks = as_float_array(k_values, "k_values")
    ps = check_fraction(pass_values, "pass_values")
    t = float(check_fraction(target, "target"))
    if ks.shape != ps.shape or ks.ndim != 1:
        raise InvalidInputError("k_values and pass_values must be 1-d arrays of the same length")
    order = np.argsort(ks)
    hit = ps[order] >= t
    return float(ks[order][np.argmax(hit)]) if np.any(hit) else float("nan")


def breakeven_usd_per_sample(
    k: ArrayLike,
    small_pass_at_k: ArrayLike,
    large_pass_at_1: ArrayLike,
    large_usd_per_sample: ArrayLike,
) -> FloatArray | float:
    """Highest cost per sample [USD] (generation + verifier) at which k small samples still pay.

    At that cost "small model × k samples" costs no more per solved task than "large model × 1".

    Equality of k·c_s / p_s(k) and c_l / p_l(1) gives c_s* = c_l · p_s(k) / (k · p_l(1)).

    >>> round(breakeven_usd_per_sample(100, 0.905, 0.902, 0.0125), 8)
    0.00012542
    """
    k_arr = check_nonnegative(k, "k")
    ps = check_fraction(small_pass_at_k, "small_pass_at_k")
    pl = check_fraction(large_pass_at_1, "large_pass_at_1")
    cl = check_nonnegative(large_usd_per_sample, "large_usd_per_sample")
    with np.errstate(divide="ignore", invalid="ignore"):
        result = np.where((pl > 0) & (k_arr > 0), cl * ps / (k_arr * pl), np.nan)
    return _shape(result, k, small_pass_at_k, large_pass_at_1, large_usd_per_sample)


# --- Imperfect verifiers (Stroebl et al. 2024) -------------------------------------------------
#
# One problem, samples drawn independently until the verifier accepts one (at most k). Per
# attempt: P(correct) = p; a wrong sample passes the verifier with probability f (its false-
# positive rate), so P(accepted wrong) = (1 − p)·f and P(accepted) = a = p + (1 − p)·f.
# - The first j attempts are all rejected with probability (1 − a)^j, so
#   P(accepted within k) = 1 − (1 − a)^k.
# - The accepted attempt is correct with probability P(correct | accepted) = p / a, whichever
#   attempt it was (each attempt is the same Bernoulli draw), so
#   P(correct answer within k) = (p / a)·(1 − (1 − a)^k) → p / a as k → ∞: the ceiling that
#   no sample budget lifts when f > 0.
# - Attempt j+1 is drawn iff the first j were rejected: E[attempts] = Σ_{j<k} (1 − a)^j
#   = (1 − (1 − a)^k) / a (k when a = 0).
# - Expected cost per correctly solved task = E[attempts] × (sample + verifier) / P(correct).
# With f = 0, a = p: acceptance is 1 − (1 − p)^k (pass@k when samples are independent draws),
# the precision is 1 and the cost is that of cost_per_solved_task_usd with E[attempts] drawn.


def _acceptance(p_correct: ArrayLike, false_positive_rate: ArrayLike) -> tuple[FloatArray, ...]:
    p = check_fraction(p_correct, "p_correct")
    f = check_fraction(false_positive_rate, "false_positive_rate")
    p_b, f_b = np.broadcast_arrays(p, f)
    return p_b, p_b + (1.0 - p_b) * f_b


def _check_k(k: ArrayLike) -> FloatArray:
    k_arr = as_float_array(k, "k")
    if np.any(~np.isfinite(k_arr)) or np.any(k_arr < 1):
        bad = k_arr[~np.isfinite(k_arr) | (k_arr < 1)].flat[0]
        raise InvalidInputError(f"k must be ≥ 1 (samples allowed per problem); got {plain(bad)}")
    return k_arr


def _accepted_by_k(accept: FloatArray, k: FloatArray) -> FloatArray:
    """1 − (1 − a)^k [fraction] through expm1/log1p: accurate for tiny a, exactly 1 at a = 1."""
    with np.errstate(divide="ignore"):
        return -np.expm1(k * np.log1p(-accept))


def verified_precision(p_correct: ArrayLike, false_positive_rate: ArrayLike) -> FloatArray | float:
    """P(an accepted sample is correct) [fraction] = p / (p + (1 − p)·f).

    The accuracy ceiling of resampling until the verifier accepts, for any k (0 if nothing is ever
    accepted).

    >>> verified_precision(0.5, 0.1)  # 0.5 / (0.5 + 0.5 × 0.1)
    0.9090909090909091
    """
    p, a = _acceptance(p_correct, false_positive_rate)
    with np.errstate(divide="ignore", invalid="ignore"):
        result = np.where(a > 0, p / np.where(a > 0, a, 1.0), 0.0)
    return _shape(result, p_correct, false_positive_rate)


def accepted_within_k(
    p_correct: ArrayLike, false_positive_rate: ArrayLike, k: ArrayLike
) -> FloatArray | float:
    """P(the verifier accepts one of at most ``k`` samples) [fraction] = 1 − (1 − p − (1 − p)·f)^k.

    >>> round(accepted_within_k(0.5, 0.1, 2), 12)  # a = 0.55: 1 − 0.45²
    0.7975
    """
    _, a = _acceptance(p_correct, false_positive_rate)
    k_arr = _check_k(k)
    return _shape(_accepted_by_k(a, k_arr), p_correct, false_positive_rate, k)


def verified_accuracy_within_k(
    p_correct: ArrayLike, false_positive_rate: ArrayLike, k: ArrayLike
) -> FloatArray | float:
    """P(a *correct* sample is accepted within ``k``) [fraction].

    p / (p + (1 − p)·f) × (1 − (1 − p − (1 − p)·f)^k); never above :func:`verified_precision`.

    >>> round(verified_accuracy_within_k(0.5, 0.1, 2), 12)  # (0.5 / 0.55) × 0.7975
    0.725
    """
    precision = np.asarray(verified_precision(p_correct, false_positive_rate))
    accepted = np.asarray(accepted_within_k(p_correct, false_positive_rate, k))
    return _shape(precision * accepted, p_correct, false_positive_rate, k)


def expected_attempts_until_accepted(
    p_correct: ArrayLike, false_positive_rate: ArrayLike, k: ArrayLike
) -> FloatArray | float:
    """Expected samples drawn [samples] when drawing stops at the first accepted one, at most ``k``.

    Σ_{j<k} (1 − a)^j = (1 − (1 − a)^k) / a with a = p + (1 − p)·f (k when a = 0).

    >>> round(expected_attempts_until_accepted(0.5, 0.1, 2), 12)  # 1 + 0.45
    1.45
    """
    _, a = _acceptance(p_correct, false_positive_rate)
    k_arr = _check_k(k)
    a_b, k_b = np.broadcast_arrays(a, k_arr)
    with np.errstate(divide="ignore", invalid="ignore"):
        result = np.where(a_b > 0, _accepted_by_k(a_b, k_b) / np.where(a_b > 0, a_b, 1.0), k_b)
    return _shape(result, p_correct, false_positive_rate, k)


def cost_per_correct_task_usd(
    p_correct: ArrayLike,
    false_positive_rate: ArrayLike,
    k: ArrayLike,
    usd_per_attempt: ArrayLike,
    verifier_usd_per_attempt: ArrayLike = 0.0,
) -> FloatArray | float:
    """Expected cost per *correctly* solved task [USD] with stop-at-first-accepted sampling.

    Sampling stops at the first sample the verifier accepts (at most ``k``): E[attempts] × (attempt
    + verifier) / P(correct within k).

    Accepted wrong samples are paid for but not counted; ``inf`` when nothing correct is ever
    accepted.

    >>> round(cost_per_correct_task_usd(0.5, 0.1, 2, 0.01, 0.002), 12)  # 1.45 × 0.012 / 0.725
    0.024
    """
    attempts = np.asarray(expected_attempts_until_accepted(p_correct, false_positive_rate, k))
    correct = np.asarray(verified_accuracy_within_k(p_correct, false_positive_rate, k))
    usd = check_nonnegative(usd_per_attempt, "usd_per_attempt")
    ver = check_nonnegative(verifier_usd_per_attempt, "verifier_usd_per_attempt")
    spent = attempts * (usd + ver)
    with np.errstate(divide="ignore", invalid="ignore"):
        result = np.where(correct > 0, spent / np.where(correct > 0, correct, 1.0), np.inf)
    return _shape(
        result, p_correct, false_positive_rate, k, usd_per_attempt, verifier_usd_per_attempt
    )


def dataset_verified_at_k(
    n: ArrayLike,
    correct_per_problem: ArrayLike,
    false_positives_per_problem: ArrayLike,
    k: ArrayLike,
) -> pd.DataFrame:
    """Dataset-level resampling with an imperfect verifier, from measured samples.

    Per problem, ``n`` samples of which ``correct`` are right and ``false_positives`` are wrong
    but pass the verifier (e.g. pass HumanEval's tests, fail HumanEval+'s). Drawing them in a
    random order and stopping at the first accepted one (Stroebl et al.'s simulation, here in
    closed form): none of the first k is accepted with probability C(n−c−b, k) / C(n, k), so
    P(accepted within k) = pass@k(n, c + b); the accepted sample is uniform among the c + b
    accepted ones, so P(correct within k) = c / (c + b) × pass@k(n, c + b); the expected draws
    are Σ_{j<k} (1 − pass@j(n, c + b)). Columns, averaged over problems, one row per k:
    ``accepted_fraction``, ``accuracy_fraction`` [fraction], ``expected_attempts`` [samples].
    With no false positives, ``accuracy_fraction`` is :func:`dataset_pass_at_k`.

    >>> dataset_verified_at_k(4, [2], [1], [1]).round(6).to_dict("records")
    [{'k': 1.0, 'accepted_fraction': 0.75, 'accuracy_fraction': 0.5, 'expected_attempts': 1.0}]
    """
    correct = as_float_array(correct_per_problem, "correct_per_problem")
    false_pos = as_float_array(false_positives_per_problem, "false_positives_per_problem")
    if correct.ndim != 1 or correct.size == 0 or false_pos.shape != correct.shape:
        raise InvalidInputError(
            "correct_per_problem and false_positives_per_problem must be non-empty 1-d arrays "
            f"of the same length; got shapes {correct.shape} and {false_pos.shape}"
        )
    bad_fp = (false_pos < 0) | (false_pos != np.round(false_pos)) | ~np.isfinite(false_pos)
    if np.any(bad_fp):
        raise InvalidInputError(
            "false_positives_per_problem must be whole numbers ≥ 0; got "
            f"{plain(false_pos[bad_fp][0])}"
        )
    ks = np.atleast_1d(as_float_array(k, "k"))
    if ks.ndim != 1:
        raise InvalidInputError("k must be a scalar or a 1-d array of sample budgets")
    accepted_count = correct + false_pos
    _check_counts(n, correct, 1)
    over = accepted_count > np.broadcast_to(as_float_array(n, "n"), accepted_count.shape)
    if np.any(over):
        i = int(np.flatnonzero(over)[0])
        raise InvalidInputError(
            "correct_per_problem + false_positives_per_problem must be ≤ n (the samples drawn); "
            f"problem {i} has {correct[i]:g} + {false_pos[i]:g}"
        )
    _check_counts(n, accepted_count[:, None], ks[None, :])  # k whole, 1 ≤ k ≤ n
    # pass@j of the accepted samples for j = 1 … max k (one row per problem)
    curve = np.asarray(
        pass_at_k(n, accepted_count[:, None], np.arange(1, int(ks.max()) + 1)[None, :])
    )
    idx = ks.astype(np.int64) - 1
    accepted = curve[:, idx]
    safe = np.where(accepted_count > 0, accepted_count, 1.0)
    precision = np.where(accepted_count > 0, correct / safe, 0.0)
    before = np.concatenate([np.zeros((curve.shape[0], 1)), curve[:, :-1]], axis=1)
    attempts = np.cumsum(1.0 - before, axis=1)[:, idx]
    return pd.DataFrame(
        {
            "k": ks,
            "accepted_fraction": accepted.mean(axis=0),
            "accuracy_fraction": (precision[:, None] * accepted).mean(axis=0),
            "expected_attempts": attempts.mean(axis=0),
        }
    )


_KINDS = ("exp_power", "power")


@dataclass(frozen=True)
class CoverageFit(ResultShape):
    """A coverage curve fitted in log space, with its parameter covariance.

    ``kind="exp_power"`` (Brown et al. 2024): log(−log pass@k) = intercept + slope·log k.
    ``kind="power"``: log(1 − pass@k) = intercept + slope·log k.
    """

    kind: str
    intercept: float
    slope: float
    covariance: FloatArray  # 2×2, of (intercept, slope); NaN with fewer than 3 points
    k_values: FloatArray
    pass_values: FloatArray

    def _link_inverse(self, z: FloatArray) -> FloatArray:
        return np.exp(-np.exp(z)) if self.kind == "exp_power" else -np.expm1(z)

    def predict(self, k: ArrayLike, *, level: float = 0.9) -> pd.DataFrame:
        """Central pass@k [fraction] and a ``level`` interval from the parameter covariance."""
        k_arr = np.atleast_1d(as_float_array(k, "k"))
        if np.any(k_arr < 1):
            raise InvalidInputError(f"k must be ≥ 1; got {k_arr[k_arr < 1][0]:g}")
        x = np.log(k_arr)
        z = self.intercept + self.slope * x
        design = np.stack([np.ones_like(x), x], axis=-1)
        sd = np.sqrt(np.einsum("ij,jk,ik->i", design, self.covariance, design))
        half = stats.norm.ppf(0.5 + level / 2) * sd
        # both links decrease pass@k as z grows, so the upper z bound gives the low pass@k
        return pd.DataFrame(
            {
                "k": k_arr,
                "pass_at_k": self._link_inverse(z),
                "pass_at_k_low": self._link_inverse(z + half),
                "pass_at_k_high": self._link_inverse(z - half),
            }
        )

    def smallest_k(self, target: float) -> float:
        """Smallest whole k [samples] whose central fitted pass@k reaches ``target``.

        NaN if the curve never gets there (slope ≥ 0).
        """
        t = float(check_fraction(target, "target"))
        if t <= 0:
            return 1.0
        if t >= 1 or self.slope >= 0:
            return float("nan")
        z_target = np.log(-np.log(t)) if self.kind == "exp_power" else np.log1p(-t)
        k = np.exp((z_target - self.intercept) / self.slope)
        return float(max(1.0, np.ceil(k - 1e-9)))

    def to_frame(self) -> pd.DataFrame:
        """The fitted parameters with their standard errors."""
        se = np.sqrt(np.diag(self.covariance))
        return pd.DataFrame(
            {
                "parameter": ["intercept", "slope"],
                "value": [self.intercept, self.slope],
                "std_error": se,
            }
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain values for JSON: the fit, its covariance and the points (NaN → None)."""
        return jsonable(
            {
                "kind": self.kind,
                "intercept": self.intercept,
                "slope": self.slope,
                "covariance": self.covariance,
                "k_values": self.k_values,
                "pass_values": self.pass_values,
            }
        )

    def __repr__(self) -> str:
        """One line: the link, the line in log space and the points it was fitted on."""
        return (
            f"CoverageFit({self.kind!r}, intercept={self.intercept:.4g}, "
            f"slope={self.slope:.4g}, {np.size(self.k_values)} points)"
        )


def fit_coverage(
    k_values: ArrayLike, pass_values: ArrayLike, *, kind: str = "exp_power"
) -> CoverageFit:
    """Fit a coverage curve to measured (k, pass@k) points by least squares in log space.

    With two points the line goes through both and the covariance is NaN (no residual
    degrees of freedom); with three or more the covariance is the usual OLS one.

    >>> fit = fit_coverage([100, 1000], [0.905, 0.951])
    >>> round(fit.slope, 3)
    -0.298
    """
    if kind not in _KINDS:
        raise InvalidInputError(f"kind must be one of {', '.join(_KINDS)}; got {kind!r}")
    ks = as_float_array(k_values, "k_values")
    ps = as_float_array(pass_values, "pass_values")
    if ks.ndim != 1 or ks.shape != ps.shape or ks.size < 2:
        raise InvalidInputError(
            "k_values and pass_values must be 1-d arrays of the same length, at least 2 points"
        )
    if np.any(ks < 1):
        raise InvalidInputError(f"k_values must be ≥ 1; got {ks[ks < 1][0]:g}")
    if np.any((ps <= 0) | (ps >= 1)):
        bad = ps[(ps <= 0) | (ps >= 1)][0]
        raise InvalidInputError(f"pass_values must lie strictly between 0 and 1; got {plain(bad)}")
    if np.unique(ks).size < 2:
        raise InvalidInputError("k_values must hold at least two different k")
    x = np.log(ks)
    y = np.log(-np.log(ps)) if kind == "exp_power" else np.log1p(-ps)
    design = np.stack([np.ones_like(x), x], axis=-1)
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)
    dof = ks.size - 2
    if dof > 0:
        resid = y - design @ coef
        sigma2 = float(resid @ resid) / dof
        cov = sigma2 * np.linalg.inv(design.T @ design)
    else:
        cov = np.full((2, 2), np.nan)
    return CoverageFit(kind, float(coef[0]), float(coef[1]), cov, ks, ps)
