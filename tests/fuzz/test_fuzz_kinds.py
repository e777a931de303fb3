"""Fuzz (issue #19) over the other kinds: damaged catalog sheets, hostile CLI flags and API calls.

Each generated case must end ``ok`` (exit 0 with finite figures; the call returned) or
``bad_input`` (exit 2 with one line naming the field or flag, nothing written; an
:class:`~llmcost.LlmcostError` naming the argument). A traceback, a stray, partial or changed
file, or a message naming nothing fails the test. ``python benchmarks/fuzz.py N SEED KIND``
runs the same generators at scale.
"""

from __future__ import annotations

import random
import warnings

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .kinds import KINDS

SETTINGS = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    derandomize=True,  # the same cases every CI run; benchmarks/fuzz.py explores at random
)


@pytest.mark.parametrize("kind", ["catalog", "cli", "api"])
@SETTINGS
@given(rng=st.randoms(use_true_random=False))
def test_generated_case_keeps_the_contract(kind: str, rng: random.Random) -> None:
    what, run = KINDS[kind](rng)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        outcome = run()
    assert outcome in ("ok", "bad_input"), what
