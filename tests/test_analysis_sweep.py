"""Sweeps over grids and aligned arrays, chunked."""

from __future__ import annotations

import numpy as np
import pytest

from llmcost._core.errors import InvalidInputError
from llmcost.analysis.sweep import cartesian, sweep, sweep_arrays


def _model(x: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    return {"cost": x["price"] * x["volume"] + x["fixed"]}


def test_grid_sweep_is_tidy_and_correct() -> None:
    frame = sweep(
        _model, {"price": [1.0, 2.0], "volume": [10, 20, 30]}, grid=True, constants={"fixed": 5}
    )
    assert list(frame.columns) == ["price", "volume", "cost"]
    assert len(frame) == 6
    np.testing.assert_allclose(frame["cost"], frame["price"] * frame["volume"] + 5)


def test_aligned_arrays_and_chunks_agree() -> None:
    rng = np.random.default_rng(0)
    inputs = {"price": rng.random(10_001), "volume": rng.random(10_001), "fixed": 1.0}
    whole = sweep_arrays(_model, inputs)
    chunked = sweep_arrays(_model, inputs, chunk_rows=1_000)
    np.testing.assert_array_equal(whole["cost"], chunked["cost"])


def test_errors() -> None:
    with pytest.raises(InvalidInputError, match="same length"):
        sweep(_model, {"price": [1, 2], "volume": [1, 2, 3], "fixed": 0})
    with pytest.raises(InvalidInputError, match="shape"):
        sweep(lambda x: {"y": np.ones(3)}, {"a": [1.0, 2.0]})
    with pytest.raises(InvalidInputError, match="axis 'a'"):
        cartesian({"a": []})
    with pytest.raises(InvalidInputError, match="reuse input"):
        sweep(lambda x: {"a": x["a"]}, {"a": [1.0]})


def test_oversized_grid_is_refused_by_the_memory_budget() -> None:
    # 16 rows × 2 axes × 8 bytes = 256 bytes > 100 bytes
    with pytest.raises(InvalidInputError, match=r"16 rows × 2 columns .* memory budget of 1e-07"):
        cartesian({"a": range(4), "b": range(4)}, memory_budget_gb=1e-7)
    assert cartesian({"a": range(4), "b": range(4)}, memory_budget_gb=1e-6)["a"].size == 16
