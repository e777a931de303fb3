"""Repeated-sampling economics: pass@k, coverage fits, cost per solved task."""

from __future__ import annotations

from fractions import Fraction
from math import comb

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from llmcost._core.errors import InvalidInputError
from llmcost.analysis import sampling
from llmcost.analysis.sampling import (
    accepted_within_k,
    breakeven_usd_per_sample,
    cost_per_correct_task_usd,
    cost_per_solved_task_usd,
    dataset_pass_at_k,
    dataset_verified_at_k,
    expected_attempts_until_accepted,
    expected_samples_until_success,
    fit_coverage,
    pass_at_k,
    smallest_k_for_target,
    usd_per_sample,
    verified_accuracy_within_k,
    verified_precision,
)


def _exact(n: int, c: int, k: int) -> float:
    """1 − C(n−c, k)/C(n, k) in exact rational arithmetic (Chen et al. 2021, eq. 1)."""
    if n - c < k:
        return 1.0
    return float(1 - Fraction(comb(n - c, k), comb(n, k)))


def test_pass_at_k_equals_exact_combinatorics_for_every_small_case() -> None:
    cases = [(n, c, k) for n in range(1, 16) for c in range(n + 1) for k in range(1, n + 1)]
    n, c, k = (np.array(v) for v in zip(*cases, strict=True))
    got = pass_at_k(n, c, k)
    want = np.array([_exact(*case) for case in cases])
    np.testing.assert_allclose(got, want, rtol=1e-13, atol=1e-15)


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 10_000), st.data())
def test_pass_at_k_is_stable_for_large_n(n: int, data: st.DataObject) -> None:
    c = data.draw(st.integers(0, n))
    k = data.draw(st.integers(1, n))
    want = _exact(n, c, k)
    got = pass_at_k(n, c, k)
    assert got == pytest.approx(want, rel=1e-11, abs=1e-300)


def test_the_log_beta_path_for_huge_arrays_matches_the_exact_value(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sampling, "_PRODUCT_FORM_MAX_FACTORS", 0)
    cases = [(10_000, 37, 100), (10_000, 9_000, 5), (500, 3, 200), (10, 3, 2)]
    for n, c, k in cases:
        assert pass_at_k(n, c, k) == pytest.approx(_exact(n, c, k), rel=1e-9)


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 3000), st.data())
def test_pass_at_k_invariants(n: int, data: st.DataObject) -> None:
    c = data.draw(st.integers(0, n))
    ks = np.arange(1, n + 1)
    curve = pass_at_k(n, c, ks)
    assert curve[0] == pytest.approx(c / n, rel=1e-12, abs=1e-15)  # pass@1 = c/n
    assert np.all(np.diff(curve) >= -1e-12)  # monotone in k
    assert np.all(curve[ks > n - c] == 1.0)  # k > n − c: certain
    assert np.all((curve >= 0) & (curve <= 1))


def test_chunked_product_form_matches_one_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    n, c, k = 200, np.arange(0, 201), np.arange(1, 201)[:, None]
    whole = pass_at_k(n, c, k)
    monkeypatch.setattr(sampling, "_PRODUCT_FORM_CHUNK", 20_000)  # 100 rows a chunk
    np.testing.assert_array_equal(pass_at_k(n, c, k), whole)


def test_scalar_in_scalar_out_and_array_shapes() -> None:
    assert isinstance(pass_at_k(10, 3, 1), float)
    assert pass_at_k(10, [0, 10], 1).tolist() == [0.0, 1.0]
    assert pass_at_k([[10], [20]], 5, [1, 2]).shape == (2, 2)


@pytest.mark.parametrize(
    ("n", "c", "k", "field"),
    [
        (10, 11, 1, "correct"),
        (10, 1, 0, "k"),
        (10, 1, 11, "k"),
        (0, 0, 1, "n"),
        (10, 2.5, 1, "correct"),
        (10, -1, 1, "correct"),
    ],
)
def test_bad_counts_raise_naming_the_field(n: float, c: float, k: float, field: str) -> None:
    with pytest.raises(InvalidInputError, match=field):
        pass_at_k(n, c, k)


def test_dataset_pass_at_k_averages_problems() -> None:
    # problem 1: 0 of 4 correct; problem 2: 2 of 4 → pass@2 = 1 − C(2,2)/C(4,2) = 5/6
    got = dataset_pass_at_k(4, [0, 2], [1, 2])
    np.testing.assert_allclose(got, [0.25, 5 / 12])


def test_cost_per_solved_task_hand_computed() -> None:
    # 1,000 prompt + 400 completion tokens at $0.20/$0.60 per 1M (self-hosted marginal price):
    # 1000 × 0.2e-6 + 400 × 0.6e-6 = $0.00044 per sample; unit tests cost $0.0001 per run.
    per_sample = usd_per_sample(1000, 400, 0.20, 0.60)
    assert per_sample == pytest.approx(0.00044)
    # k = 100 samples, pass@100 = 0.905 → 100 × (0.00044 + 0.0001) / 0.905 = $0.0596685…
    got = cost_per_solved_task_usd(100, 0.905, per_sample, 0.0001)
    assert got == pytest.approx(100 * 0.00054 / 0.905)
    assert got == pytest.approx(0.059668508, rel=1e-8)
    assert cost_per_solved_task_usd(5, 0.0, 1.0) == np.inf


def test_expected_samples_with_early_stopping() -> None:
    # one problem with per-sample success 1/2: pass@j = 1 − 2^−j; E[min(K, k)] for k = 3 is
    # 1 + 1/2 + 1/4 = 1.75.
    curve = 1 - 0.5 ** np.arange(1, 4)
    assert expected_samples_until_success(curve) == pytest.approx(1.75)
    with pytest.raises(InvalidInputError, match="non-decreasing"):
        expected_samples_until_success([0.5, 0.4])


def test_smallest_k_for_target() -> None:
    assert smallest_k_for_target([100, 1, 10], [0.9, 0.3, 0.7], 0.7) == 10.0
    assert np.isnan(smallest_k_for_target([1, 10], [0.3, 0.7], 0.99))


def test_breakeven_cost_per_sample_makes_both_sides_equal() -> None:
    k, ps, pl, cl = 100, 0.905, 0.902, 0.0125
    cs = breakeven_usd_per_sample(k, ps, pl, cl)
    assert cost_per_solved_task_usd(k, ps, cs) == pytest.approx(cost_per_solved_task_usd(1, pl, cl))


class TestCoverageFit:
    def test_recovers_an_exact_exponentiated_power_law(self) -> None:
        ks = np.array([1, 10, 100, 1000])
        truth = np.exp(-np.exp(0.3 - 0.25 * np.log(ks)))
        fit = fit_coverage(ks, truth)
        assert fit.intercept == pytest.approx(0.3)
        assert fit.slope == pytest.approx(-0.25)
        np.testing.assert_allclose(fit.covariance, 0.0, atol=1e-20)

    def test_power_law_kind_recovers_its_curve(self) -> None:
        ks = np.array([1.0, 4.0, 16.0])
        truth = 1 - 0.6 * ks**-0.5
        fit = fit_coverage(ks, truth, kind="power")
        frame = fit.predict([64])
        assert frame["pass_at_k"].iloc[0] == pytest.approx(1 - 0.6 / 8)

    def test_llama_31_published_points(self) -> None:
        """Llama 3.1 on Python code generation (HumanEval): pass@100 = 90.5 %, pass@1000 =
        95.1 %, vs GPT-4o pass@1 = 90.2 % (figures quoted in issue 7; repeated-sampling setting
        of Brown et al. 2024, arXiv:2407.21787). Through both points of an exponentiated power
        law: slope = ln(ln 0.951 / ln 0.905) / ln 10 = ln(0.0502419 / 0.0998203) / 2.302585
        = ln(0.503313) / 2.302585 = −0.29816."""
        fit = fit_coverage([100, 1000], [0.905, 0.951])
        assert fit.slope == pytest.approx(-0.29816, abs=1e-5)
        # the curve passes through both points; GPT-4o's 90.2 % is reached just below k = 100
        np.testing.assert_allclose(fit.predict([100, 1000])["pass_at_k"], [0.905, 0.951])
        k_star = fit.smallest_k(0.902)
        assert 90 <= k_star <= 100
        assert np.isnan(fit.predict([10])["pass_at_k_low"].iloc[0])  # 2 points: no interval

    def test_interval_brackets_the_estimate_and_widens_when_extrapolating(self) -> None:
        rng = np.random.default_rng(1)
        ks = np.array([1, 3, 10, 30, 100])
        p = np.exp(-np.exp(0.5 - 0.3 * np.log(ks) + rng.normal(0, 0.05, ks.size)))
        frame = fit_coverage(ks, p).predict([10, 10_000])
        assert np.all(frame["pass_at_k_low"] < frame["pass_at_k"])
        assert np.all(frame["pass_at_k"] < frame["pass_at_k_high"])
        width = frame["pass_at_k_high"] - frame["pass_at_k_low"]
        logit_width = np.log(width / (1 - frame["pass_at_k"]))
        assert logit_width.iloc[1] > logit_width.iloc[0]

    @pytest.mark.parametrize(
        ("ks", "ps", "match"),
        [
            ([1, 10], [0.5, 1.0], "strictly between"),
            ([1], [0.5], "at least 2"),
            ([5, 5], [0.2, 0.3], "two different"),
            ([0, 5], [0.2, 0.3], "≥ 1"),
        ],
    )
    def test_bad_points(self, ks: list[float], ps: list[float], match: str) -> None:
        with pytest.raises(InvalidInputError, match=match):
            fit_coverage(ks, ps)

    def test_unknown_kind(self) -> None:
        with pytest.raises(InvalidInputError, match="kind"):
            fit_coverage([1, 10], [0.2, 0.4], kind="logistic")


class TestImperfectVerifier:
    """Resampling until the verifier accepts, when it accepts a wrong sample with probability f
    (Stroebl et al. 2024, arXiv:2411.17501)."""

    def test_hand_computed_small_k(self) -> None:
        # p = 0.6, f = 0.25: a = 0.6 + 0.4 × 0.25 = 0.7 accepted per attempt.
        # k = 1: accepted 0.7, correct 0.6; k = 3: accepted 1 − 0.3³ = 0.973,
        # correct (0.6 / 0.7) × 0.973 = 0.834, attempts 1 + 0.3 + 0.09 = 1.39.
        p, f = 0.6, 0.25
        assert accepted_within_k(p, f, 1) == pytest.approx(0.7)
        assert verified_accuracy_within_k(p, f, 1) == pytest.approx(0.6)
        assert accepted_within_k(p, f, 3) == pytest.approx(0.973)
        assert verified_accuracy_within_k(p, f, 3) == pytest.approx(0.834)
        assert expected_attempts_until_accepted(p, f, 3) == pytest.approx(1.39)
        assert verified_precision(p, f) == pytest.approx(6 / 7)
        # $0.01 a sample + $0.002 of tests: 1.39 × 0.012 / 0.834 = $0.02
        assert cost_per_correct_task_usd(p, f, 3, 0.01, 0.002) == pytest.approx(0.02)

    def test_brute_force_enumeration_of_every_outcome(self) -> None:
        # k = 3 draws over {correct, accepted wrong, rejected}: stop at the first accepted one.
        p, f, k = 0.3, 0.4, 3
        probs = {"c": p, "w": (1 - p) * f, "r": (1 - p) * (1 - f)}
        acc = correct = attempts = 0.0
        for seq in np.array(np.meshgrid(*[list(probs)] * k)).T.reshape(-1, k):
            stop = next((i for i, s in enumerate(seq) if s != "r"), None)
            shown = seq[: k if stop is None else stop + 1]
            weight = float(np.prod([probs[s] for s in shown]))
            # each distinct prefix appears 3^(k − len) times in the full grid
            weight /= 3 ** (k - len(shown))
            acc += weight * (stop is not None)
            correct += weight * (stop is not None and seq[stop] == "c")
            attempts += weight * len(shown)
        assert accepted_within_k(p, f, k) == pytest.approx(acc)
        assert verified_accuracy_within_k(p, f, k) == pytest.approx(correct)
        assert expected_attempts_until_accepted(p, f, k) == pytest.approx(attempts)

    def test_perfect_verifier_reduces_to_the_existing_functions(self) -> None:
        p = np.array([0.0, 0.05, 0.3, 0.9, 1.0])
        ks = np.arange(1, 51)
        curve = 1 - (1 - p[:, None]) ** ks  # pass@k of independent draws
        np.testing.assert_allclose(accepted_within_k(p[:, None], 0.0, ks), curve, atol=1e-15)
        np.testing.assert_allclose(
            verified_accuracy_within_k(p[:, None], 0.0, ks), curve, atol=1e-15
        )
        drawn = expected_samples_until_success(curve)
        np.testing.assert_allclose(expected_attempts_until_accepted(p, 0.0, 50), drawn)
        old = cost_per_solved_task_usd(drawn, curve[:, -1], 0.01, 0.002)
        new = cost_per_correct_task_usd(p, 0.0, 50, 0.01, 0.002)
        np.testing.assert_allclose(new, old)
        assert np.all(verified_precision(p[1:], 0.0) == 1.0)

    def test_dataset_version_reduces_to_dataset_pass_at_k(self) -> None:
        correct = np.array([0, 3, 7, 10])
        ks = np.array([1, 2, 5, 10])
        frame = dataset_verified_at_k(10, correct, np.zeros(4), ks)
        np.testing.assert_allclose(frame["accuracy_fraction"], dataset_pass_at_k(10, correct, ks))
        np.testing.assert_allclose(frame["accepted_fraction"], frame["accuracy_fraction"])
        want = [expected_samples_until_success(pass_at_k(10, c, np.arange(1, 11))) for c in correct]
        assert frame["expected_attempts"].iloc[-1] == pytest.approx(np.mean(want))

    def test_dataset_version_hand_computed(self) -> None:
        # one problem, n = 4: 2 correct, 1 false positive, 1 rejected. Accepted within 2:
        # 1 − C(1,2)/C(4,2) = 1; correct 2/3; draws 1 + (1 − 3/4) = 1.25.
        row = dataset_verified_at_k(4, [2], [1], 2).iloc[0]
        assert row["accepted_fraction"] == 1.0
        assert row["accuracy_fraction"] == pytest.approx(2 / 3)
        assert row["expected_attempts"] == pytest.approx(1.25)

    def test_dataset_version_matches_a_shuffling_simulation(self) -> None:
        # Stroebl et al.'s procedure: shuffle the samples, take the first that passes.
        rng = np.random.default_rng(7)
        labels = np.array(["c"] * 3 + ["w"] * 2 + ["r"] * 5)
        k, hits, draws, runs = 4, 0, 0, 40_000
        for _ in range(runs):
            order = rng.permutation(labels)[:k]
            passed = np.flatnonzero(order != "r")
            hits += bool(passed.size) and order[passed[0]] == "c"
            draws += passed[0] + 1 if passed.size else k
        row = dataset_verified_at_k(10, [3], [2], k).iloc[0]
        assert row["accuracy_fraction"] == pytest.approx(hits / runs, abs=0.01)
        assert row["expected_attempts"] == pytest.approx(draws / runs, abs=0.02)

    @settings(max_examples=200, deadline=None)
    @given(
        st.floats(0, 1),
        st.floats(0, 1),
        st.lists(st.integers(1, 10_000), min_size=2, max_size=8),
    )
    def test_accuracy_capped_and_acceptance_monotone(
        self, p: float, f: float, ks: list[int]
    ) -> None:
        k = np.sort(np.array(ks, dtype=float))
        cap = verified_precision(p, f)
        accuracy = np.asarray(verified_accuracy_within_k(p, f, k))
        assert np.all(accuracy <= cap + 1e-12)
        accepted = np.asarray(accepted_within_k(p, f, k))
        assert np.all(np.diff(accepted) >= -1e-12)  # more samples never lower acceptance
        assert np.all(accuracy <= accepted + 1e-12)
        attempts = np.asarray(expected_attempts_until_accepted(p, f, k))
        assert np.all((attempts >= 1 - 1e-12) & (attempts <= k + 1e-9))

    @settings(max_examples=100, deadline=None)
    @given(st.floats(0.01, 0.99), st.floats(0.0, 0.5), st.floats(0.0, 0.5))
    def test_more_false_positives_never_raise_the_ceiling(
        self, p: float, f_lo: float, extra: float
    ) -> None:
        assert verified_precision(p, f_lo + extra) <= verified_precision(p, f_lo) + 1e-12

    @pytest.mark.parametrize(
        ("args", "field"),
        [
            ((1.2, 0.1, 3), "p_correct"),
            ((0.5, -0.1, 3), "false_positive_rate"),
            ((0.5, 0.1, 0), "k"),
        ],
    )
    def test_bad_input_names_the_field(self, args: tuple[float, ...], field: str) -> None:
        with pytest.raises(InvalidInputError, match=field):
            verified_accuracy_within_k(*args)

    @pytest.mark.parametrize(
        ("correct", "false_pos", "k", "match"),
        [
            ([5], [6], 1, "≤ n"),
            ([5], [-1], 1, "false_positives_per_problem"),
            ([5], [0.5], 1, "false_positives_per_problem"),
            ([5, 1], [1], 1, "same length"),
            ([5], [1], 11, "k must be ≤ n"),
        ],
    )
    def test_dataset_bad_input(
        self, correct: list[float], false_pos: list[float], k: int, match: str
    ) -> None:
        with pytest.raises(InvalidInputError, match=match):
            dataset_verified_at_k(10, correct, false_pos, k)

    def test_never_correct_costs_infinity(self) -> None:
        assert cost_per_correct_task_usd(0.0, 0.3, 10, 0.01) == np.inf
        assert verified_precision(0.0, 0.0) == 0.0
        assert expected_attempts_until_accepted(0.0, 0.0, 7) == 7.0
