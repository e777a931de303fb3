"""Finance helpers and the horizon view against spreadsheet values and numpy-financial."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from llmcost._core.errors import InvalidInputError
from llmcost.cost.finance import monthly_rate, npv, pmt
from llmcost.cost.horizon import monthly_volumes, npv_usd, payback_month


def test_pmt_spreadsheet_values() -> None:
    # =PMT(0.08/12; 60; -250000; 25000), by hand: r = 0.0066667, (1+r)^60 = 1.489846,
    # (250,000 × 1.489846 − 25,000) × r / 0.489846 = 347,461.5 × 0.0066667 / 0.489846 = 4,728.86
    assert pmt(0.08 / 12, 60, -250_000, 25_000) == pytest.approx(4_728.86, abs=0.01)
    # =PMT(0.1; 10; 1000) = −162.75 (textbook annuity factor 0.16275)
    assert pmt(0.1, 10, 1000) == pytest.approx(-162.745, abs=0.001)


def test_pmt_zero_rate_is_straight_line_and_vectorized() -> None:
    out = pmt(np.array([0.0, 0.01]), 12, -1200.0)
    assert out[0] == 100.0
    assert out[1] == pytest.approx(106.6185, abs=1e-4)  # =PMT(1%; 12; -1200)


def test_pmt_matches_numpy_financial_formula() -> None:
    rate, n, pv, fv = 0.004, 36, -5000.0, 700.0
    growth = (1 + rate) ** n
    expected = -(fv + pv * growth) * rate / (growth - 1)  # numpy_financial.pmt, when="end"
    assert pmt(rate, n, pv, fv) == pytest.approx(expected)


def test_npv_first_value_discounted() -> None:
    # =NPV(10%; -100; 60; 60) = -90.909 + 49.587 + 45.079 = 3.7566
    assert npv(0.1, [-100.0, 60.0, 60.0]) == pytest.approx(3.75657, abs=1e-5)
    assert npv(np.array([0.0, 0.1]), [100.0, 100.0]) == pytest.approx([200.0, 173.55372])


def test_monthly_rate_and_npv_usd() -> None:
    assert monthly_rate(0.06) == pytest.approx(0.005)
    # 12 × 1,000 at 1 %/month: 1000 × (1 − 1.01^-12) / 0.01 = 11,255.08
    assert npv_usd(np.full(12, 1000.0), 0.12) == pytest.approx(11_255.08, abs=0.01)


def test_horizon_volumes_and_payback() -> None:
    np.testing.assert_allclose(
        monthly_volumes([100.0, 10.0], 0.5, 3), [[100, 150, 225], [10, 15, 22.5]]
    )
    # upfront 10,000; saves 1,000/month → cumulative gap 0 at month 10
    assert payback_month(10_000.0, np.full(24, 500.0), np.full(24, 1500.0)) == 10.0
    assert np.isnan(payback_month(10_000.0, np.full(24, 1500.0), np.full(24, 1000.0)))
    with pytest.raises(InvalidInputError, match="horizon_months"):
        monthly_volumes(1.0, 0.0, 0)


@given(rate=st.floats(0.0, 0.2), n=st.integers(1, 120), price=st.floats(1.0, 1e6))
def test_pmt_repays_the_loan(rate: float, n: int, price: float) -> None:
    # A level payment pays the loan off: PV of the payments equals the price.
    payment = pmt(rate, n, -price)
    pv = npv(rate, np.full(n, payment))
    assert pv == pytest.approx(price, rel=1e-9)
