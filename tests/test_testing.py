"""The user-facing assertions of llmcost.testing: they pass, and they fail loudly and clearly."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from llmcost._core.errors import InvalidInputError
from llmcost.testing import assert_costs_sum, assert_relative, assert_usd_equal

money = st.floats(min_value=-1e9, max_value=1e9, allow_nan=False)


def test_usd_equal_within_a_cent_passes() -> None:
    assert_usd_equal(10.004, 10.0)
    assert_usd_equal(0.30 - 0.29, 0.0)  # exactly one cent in binary floating point
    assert_usd_equal(1_000_000.00, 1_000_000.01)
    assert_usd_equal(np.array([1.0, 2.0]), [1.001, 2.009])


def test_usd_equal_message_shows_both_values_and_the_difference() -> None:
    with pytest.raises(AssertionError) as info:
        assert_usd_equal(1234.57, 1234.55, cents=1)
    assert str(info.value) == (
        "USD amounts differ by more than 1 cent: actual $1,234.57, expected $1,234.55, "
        "difference $0.02"
    )


def test_usd_equal_array_message_points_at_the_worst_element() -> None:
    with pytest.raises(AssertionError, match=r"2 of 3 elements at index 2: .*difference -\$5\.00"):
        assert_usd_equal([1.0, 2.5, 5.0], [1.0, 2.0, 10.0])


def test_usd_equal_cents_widens_the_tolerance() -> None:
    assert_usd_equal(100.0, 100.49, cents=50)
    with pytest.raises(AssertionError, match="more than 50 cents"):
        assert_usd_equal(100.0, 100.51, cents=50)


def test_nan_never_passes() -> None:
    with pytest.raises(AssertionError, match="not a number"):
        assert_usd_equal(float("nan"), 1.0)
    with pytest.raises(AssertionError):
        assert_usd_equal(float("nan"), float("nan"))
    with pytest.raises(AssertionError):
        assert_relative(float("nan"), 1.0)


def test_bad_arguments_are_input_errors() -> None:
    with pytest.raises(InvalidInputError, match="cents"):
        assert_usd_equal(1.0, 1.0, cents=-1)
    with pytest.raises(InvalidInputError, match="actual"):
        assert_usd_equal("ten dollars", 1.0)  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="shapes"):
        assert_usd_equal([1.0, 2.0], [1.0, 2.0, 3.0])
    with pytest.raises(InvalidInputError, match="components"):
        assert_costs_sum({}, 0.0)


@given(money, st.floats(min_value=-0.0099, max_value=0.0099))
def test_usd_equal_accepts_any_sub_cent_difference(amount: float, delta: float) -> None:
    assert_usd_equal(amount + delta, amount)


@given(money, st.floats(min_value=0.0101, max_value=1e6))
def test_usd_equal_rejects_any_difference_over_a_cent(amount: float, delta: float) -> None:
    with pytest.raises(AssertionError):
        assert_usd_equal(amount + delta, amount)


def test_costs_sum() -> None:
    assert_costs_sum({"gpu_usd": 1_200.004, "staff_usd": 800.0}, 2_000.0)
    assert_costs_sum({"a_usd": [1.0, 2.0], "b_usd": 1.0}, [2.0, 3.0])
    with pytest.raises(AssertionError) as info:
        assert_costs_sum({"input_usd": 60.0, "output_usd": 30.0}, 100.0)
    message = str(info.value)
    assert "sum to $90.00" in message
    assert "total is $100.00" in message
    assert "input_usd $60.00, output_usd $30.00" in message


def test_relative() -> None:
    assert_relative(100.0, 100.0)
    assert_relative(0.0, 0.0)
    assert_relative([1.0, 2.0], [1.0 + 1e-12, 2.0])
    with pytest.raises(AssertionError, match=r"differ by 10% \(allowed 1%\)"):
        assert_relative(1.1, 1.0, rtol=0.01)
    with pytest.raises(AssertionError, match="unbounded"):
        assert_relative(1.0, 0.0)
