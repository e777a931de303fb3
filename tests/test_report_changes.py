"""A break-even row of the report lists its changes in full, or shortened when they run long."""

from __future__ import annotations

import numpy as np

from llmcost.analysis.breakeven import BreakevenResult
from llmcost.export.report import MAX_LISTED_CHANGES, _changes


def _result(n: int) -> BreakevenResult:
    # n alternating winners at volumes 1,000, 2,000, … (a self-hosted step cost against a line)
    winners = tuple("b" if i % 2 == 0 else "a" for i in range(n))
    return BreakevenResult(
        variable="requests_per_month",
        option_a="a",
        option_b="b",
        crossings=np.arange(1, n + 1) * 1000.0,
        cheaper_above=winners,
        jump=tuple(i % 2 == 1 for i in range(n)),
        search_range=(0.0, 1e6),
        cheaper_at_start="a",
    )


def test_a_few_changes_are_listed_in_full() -> None:
    text = _changes(_result(MAX_LISTED_CHANGES))
    assert text.count("→") == MAX_LISTED_CHANGES
    assert text.startswith("1,000 → b; 2,000 → a (jump)")
    assert "more" not in text


def test_a_long_run_shows_its_ends_and_a_count() -> None:
    text = _changes(_result(37))
    # first three, the 32 hidden ones counted, last two: 37 = 3 + 32 + 2
    assert text == (
        "1,000 → b; 2,000 → a (jump); 3,000 → b; … 32 more changes …; "
        "36,000 → a (jump); 37,000 → b"
    )
