"""Fuzz (issue #19): generated scenarios with one hostile or boundary field exit 0 with finite
totals or exit 2 with one line naming the field; never a traceback, a stray file or a
changed input."""

from __future__ import annotations

import warnings

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .cases import FIELDS, SPECIAL_VALUES, scenario_toml
from .check import run_case

values = st.one_of(
    st.sampled_from(SPECIAL_VALUES),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,  # the same cases every CI run; benchmarks/fuzz.py explores at random
)
@given(field=st.sampled_from(FIELDS), value=values)
def test_one_hostile_field(field: tuple[str | int | None, str], value: object) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        outcome, message = run_case(scenario_toml(field, value))
    if outcome == "bad_input":
        # the message names the field (its key, or the option/section it sits in)
        assert field[1] in message or "not valid TOML" in message or "options[" in message, (
            field,
            message,
        )


def test_the_base_case_is_valid() -> None:
    assert run_case(scenario_toml(None, None))[0] == "ok"
