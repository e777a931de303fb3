"""Break-even solvers: closed forms, all crossings of step costs, payback, brute-force oracle."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from llmcost._core.errors import InfeasibleError, InvalidInputError
from llmcost.analysis._model import Model
from llmcost.analysis.breakeven import (
    breakeven,
    breakeven_curve,
    breakeven_linear,
    breakeven_pairs,
    payback_months,
    payback_months_constant,
)


def _replica_costs(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """API at $1 per unit vs whole replicas of 400 units at $290 each."""
    return 1.0 * x, 290.0 * np.ceil(x / 400.0)


class TestLinear:
    def test_closed_form(self) -> None:
        # $10,000/month of GPUs vs $2.5 per 1M tokens: 4,000 M tokens a month
        assert breakeven_linear(10_000.0, 0.0, 0.0, 2.5) == pytest.approx(4000.0)
        # both with fixed and variable parts: 1000 + 1x = 3000 + 0.5x → x = 4000
        assert breakeven_linear(1000.0, 1.0, 3000.0, 0.5) == pytest.approx(4000.0)

    def test_masks_parallel_and_negative(self) -> None:
        # a = x + 1 vs b = x (parallel); a = x vs b = 5 + 2x (meet at −5); a = 2x vs b = 1 + x
        got = breakeven_linear([1.0, 0.0, 0.0], [1.0, 1.0, 2.0], [0.0, 5.0, 1.0], [1.0, 2.0, 1.0])
        assert np.isnan(got[0])  # parallel
        assert np.isnan(got[1])  # would meet at x = −5
        assert got[2] == pytest.approx(1.0)

    def test_agrees_with_the_numeric_solver(self) -> None:
        numeric = breakeven_curve(lambda x: (1000.0 + 1.0 * x, 3000.0 + 0.5 * x), 0.0, 1e5)
        assert numeric.first == pytest.approx(breakeven_linear(1000.0, 1.0, 3000.0, 0.5))


class TestStepCosts:
    def test_every_crossing_of_a_replica_staircase(self) -> None:
        # Hand-worked: API a = x; self-hosted b = 290 × ceil(x / 400).
        # (0, 400]: b = 290 → a crosses at 290, self-hosting cheaper above.
        # at 400: b jumps to 580 > 400 → API cheaper again (a jump crossing).
        # (400, 800]: crosses at 580; at 800: b → 870 > 800 (jump); (800, 1200]: crosses at 870;
        # at 1200: b → 1160 < 1200, no change; self-hosting stays cheaper to 2000.
        r = breakeven_curve(
            _replica_costs, 0.0, 2000.0, variable="units", option_a="api", option_b="own"
        )
        np.testing.assert_allclose(r.crossings, [290, 400, 580, 800, 870], rtol=1e-9)
        assert r.cheaper_above == ("own", "api", "own", "api", "own")
        assert r.jump == (False, True, False, True, False)
        assert r.first == pytest.approx(290.0)
        assert r.sustained == pytest.approx(870.0)
        assert r.sustained_winner == "own"
        assert r.cheaper_at_start == "api"  # both cost 0 at x = 0; the API is cheaper just above
        frame = r.to_frame()
        assert list(frame["cheaper_above"]) == ["own", "api", "own", "api", "own"]
        assert r.to_dict()["first"] == pytest.approx(290.0)

    def test_log_scale_finds_the_same_crossings(self) -> None:
        r = breakeven_curve(_replica_costs, 1.0, 2000.0, scale="log", n_grid=4097)
        np.testing.assert_allclose(r.crossings, [290, 400, 580, 800, 870], rtol=1e-9)

    def test_never_is_empty_and_nan(self) -> None:
        r = breakeven_curve(lambda x: (x, x + 1.0), 0.0, 10.0)
        assert r.crossings.size == 0
        assert np.isnan(r.first)
        assert np.isnan(r.sustained)
        assert r.sustained_winner == "a"

    def test_raise_on_failure(self) -> None:
        with pytest.raises(InfeasibleError, match="do not cross"):
            breakeven_curve(lambda x: (x, x + 1.0), 0.0, 10.0, raise_on_failure=True)

    def test_infeasible_cost_loses(self) -> None:
        # b cannot serve above 5 (NaN): a is cheaper from there on
        r = breakeven_curve(lambda x: (x, np.where(x < 5.0, 1.0, np.nan)), 0.0, 10.0)
        np.testing.assert_allclose(r.crossings, [1.0, 5.0], rtol=1e-9)
        assert r.cheaper_above == ("b", "a")

    @pytest.mark.parametrize(
        ("lo", "hi", "scale", "n_grid", "match"),
        [
            (5.0, 1.0, "linear", 10, "lo < hi"),
            (0.0, 1.0, "log", 10, "above 0"),
            (0.0, 1.0, "cubic", 10, "scale"),
            (0.0, 1.0, "linear", 1, "n_grid"),
            (0.0, np.inf, "linear", 10, "finite"),
        ],
    )
    def test_bad_ranges(self, lo: float, hi: float, scale: str, n_grid: int, match: str) -> None:
        with pytest.raises(InvalidInputError, match=match):
            breakeven_curve(_replica_costs, lo, hi, scale=scale, n_grid=n_grid)


def _model(inputs: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    v = inputs["volume"]
    price = inputs["api_price"]
    return {"api": price * v, "own": 290.0 * np.ceil(v / 400.0), "flat": 700.0 + 0 * v}


class TestModelInterface:
    def test_variable_and_baseline_inputs(self) -> None:
        m: Model = _model  # type: ignore[assignment]
        r = breakeven(m, "volume", 0, 2000, option_a="api", option_b="own", inputs={"api_price": 2})
        # price 2: (0, 400] crosses at 145; jump at 400 (580 < 800: no change) → only 145
        np.testing.assert_allclose(r.crossings, [145.0], rtol=1e-9)
        # vary the API price instead, at a volume of 300 (self-hosted: $290)
        r2 = breakeven(m, "api_price", 0, 5, option_a="api", option_b="own", inputs={"volume": 300})
        assert r2.first == pytest.approx(290.0 / 300.0)

    def test_all_pairs(self) -> None:
        m: Model = _model  # type: ignore[assignment]
        pairs = breakeven_pairs(
            m, "volume", 0, 2000, options=["api", "own", "flat"], inputs={"api_price": 1.0}
        )
        assert [(p.option_a, p.option_b) for p in pairs] == [
            ("api", "own"),
            ("api", "flat"),
            ("own", "flat"),
        ]
        assert pairs[1].first == pytest.approx(700.0)

    def test_unknown_output_is_named(self) -> None:
        m: Model = _model  # type: ignore[assignment]
        with pytest.raises(InvalidInputError, match=r"'gpu'.*api, own, flat"):
            breakeven(m, "volume", 0, 10, option_a="api", option_b="gpu", inputs={"api_price": 1})


class TestPayback:
    def test_constant(self) -> None:
        # $100k of hardware, $2k/month to run, replaces $6k/month of rent: 100/4 = 25 months
        assert payback_months_constant(100_000.0, 2_000.0, 6_000.0) == pytest.approx(25.0)
        got = payback_months_constant([1.0, 1.0, 0.0], [5.0, 1.0, 1.0], [4.0, 2.0, 1.0])
        np.testing.assert_allclose(got, [np.nan, 1.0, 0.0])

    def test_fractional_month_by_interpolation(self) -> None:
        # alternative grows: cumulative 1000, 3000, 6000 after 3 months; 4,000 left to recover,
        # month 4 saves 5,000 → pays back 0.8 into month 4 = 3.8 months
        assert payback_months(10_000.0, [0.0] * 5, [1000, 2000, 3000, 5000, 5000]) == (
            pytest.approx(3.8)
        )
        # exactly at a month end
        assert payback_months(10_000.0, [0.0] * 5, [1000, 2000, 3000, 4000, 5000]) == (
            pytest.approx(4.0)
        )

    def test_matches_constant_form_and_is_vectorized(self) -> None:
        upfront = np.array([1000.0, 5000.0, 9000.0])
        got = payback_months(upfront, np.full((3, 36), 100.0), np.full((3, 36), 500.0))
        np.testing.assert_allclose(got, payback_months_constant(upfront, 100.0, 500.0))

    def test_never_within_horizon(self) -> None:
        assert np.isnan(payback_months(10_000.0, [0.0] * 6, [1_000.0] * 6))
        with pytest.raises(InfeasibleError, match="horizon"):
            payback_months(10_000.0, [0.0] * 6, [1_000.0] * 6, raise_on_failure=True)


# --- brute-force oracle on random piecewise and step costs -------------------------------------

_LO, _HI, _N_GRID = 0.0, 1000.0, 2049


@st.composite
def _cost_pairs(draw: st.DrawFn) -> tuple[np.ndarray, ...]:
    """A random linear cost (API-like) and a random staircase + slope (replica-like), or two
    random continuous piecewise-linear curves."""
    kind = draw(st.sampled_from(["staircase", "piecewise"]))
    floats = st.floats(0.0, 10.0, allow_nan=False)
    if kind == "staircase":
        slope_a = draw(st.floats(0.1, 3.0))
        fixed_a = draw(floats)
        cap = draw(st.floats(20.0, 300.0))
        step = draw(st.floats(10.0, 400.0))
        slope_b = draw(st.floats(0.0, 0.5))
        return np.array([0.0, fixed_a, slope_a, cap, step, slope_b])
    knots = draw(st.integers(2, 12))
    ya = draw(st.lists(st.floats(0.0, 100.0), min_size=knots, max_size=knots))
    yb = draw(st.lists(st.floats(0.0, 100.0), min_size=knots, max_size=knots))
    return np.array([1.0, float(knots), *ya, *yb])


def _as_function(params: np.ndarray):  # type: ignore[no-untyped-def]
    if params[0] == 0.0:
        _, fixed_a, slope_a, cap, step, slope_b = params

        def f(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            return fixed_a + slope_a * x, step * np.ceil(x / cap) + slope_b * x

        return f
    knots = int(params[1])
    xs = np.linspace(_LO, _HI, knots)
    ya, yb = params[2 : 2 + knots], params[2 + knots :]

    def g(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return np.interp(x, xs, ya), np.interp(x, xs, yb)

    return g


@settings(max_examples=150, deadline=None)
@given(_cost_pairs())
def test_crossings_agree_with_a_brute_force_grid(params: np.ndarray) -> None:
    f = _as_function(params)
    fine = np.linspace(_LO, _HI, 200_001)
    a, b = f(fine)
    d = np.sign(a - b)
    nz = np.flatnonzero(d != 0)
    change = nz[:-1][d[nz[:-1]] != d[nz[1:]]]
    fine_crossings = fine[change]
    # costs tied over a whole interval have no single crossing point: not this test's subject
    assume(not np.any((d[:-1] == 0) & (d[1:] == 0)))
    # the solver's grid cell is ~0.49: crossings closer than a few cells may hide each other
    cell = (_HI - _LO) / (_N_GRID - 1)
    assume(fine_crossings.size < 2 or np.min(np.diff(fine_crossings)) > 3 * cell)

    r = breakeven_curve(f, _LO, _HI, n_grid=_N_GRID)

    # 1. every crossing returned really is one: the order of the costs flips across it
    for x, winner in zip(r.crossings, r.cheaper_above, strict=True):
        # probe just either side; where the gap opens slower than float resolution (a
        # crossing at a knot where the costs part by 1e-8), probe a little further out
        for rel in (1e-9, 1e-6):
            eps = rel * max(abs(x), 1.0)
            (a_lo, a_hi), (b_lo, b_hi) = f(np.clip([x - eps, x + eps], _LO, _HI))
            if a_lo != b_lo and a_hi != b_hi:
                break
        assert np.sign(a_lo - b_lo) == -np.sign(a_hi - b_hi) != 0
        assert winner == ("a" if a_hi < b_hi else "b")
    # 2. no crossing of the fine grid is missed
    assert r.crossings.size == fine_crossings.size
    np.testing.assert_allclose(r.crossings, fine_crossings, atol=(fine[1] - fine[0]) * 1.01)
