"""Scenario spaces too large for memory: seeded blocks and bounded evaluation chunks.

The draws of a Monte Carlo run are cut into *blocks* of ``block_rows`` rows. Block ``i`` draws
from its own generator, seeded by the ``i``-th child of ``numpy.random.SeedSequence(seed)``
(``SeedSequence.spawn``), so block ``i`` is the same whichever process, worker or order computes
it: any chunking or number of workers gives the same draws, bit for bit. Inside a block the
model is evaluated in chunks whose size follows a memory budget, measured on the model itself
(:func:`bytes_per_row`), never on a guess.
"""

from __future__ import annotations

import tracemalloc
from collections.abc import Mapping

import numpy as np

from .._core._arrays import FloatArray
from .._core.display import plain, whole
from .._core.errors import InvalidInputError
from .._core.units import DEFAULT_MEMORY_BUDGET_GB
from ._model import Model, evaluate
from .space import ParameterSpace

__all__ = [
    "DEFAULT_BLOCK_ROWS",
    "DEFAULT_MEMORY_BUDGET_GB",
    "block_draws",
    "block_seed",
    "bytes_per_row",
    "check_full_array_fits",
    "chunk_rows_for_budget",
    "n_blocks",
]

#: Rows per seeded block (the unit of reproducibility and of distribution).
DEFAULT_BLOCK_ROWS = 65_536
_PROBE_ROWS = 2_048


def block_seed(seed: int | None, block: int) -> np.random.SeedSequence:
    """The seed of block ``block``: child ``block`` of ``SeedSequence(seed)``.

    Built directly from the root's entropy and the child's spawn key, so a worker does not
    have to spawn the children before it.

    >>> root = np.random.SeedSequence(7)
    >>> block_seed(7, 3).generate_state(2).tolist() == root.spawn(4)[3].generate_state(2).tolist()
    True
    """
    if seed is None:
        raise InvalidInputError("block draws need a seed (an int) to be reproducible")
    root = np.random.SeedSequence(seed)
    return np.random.SeedSequence(root.entropy, spawn_key=(*root.spawn_key, block))


def block_draws(
    space: ParameterSpace, seed: int | None, block: int, n: int, block_rows: int
) -> dict[str, FloatArray]:
    """The draws of block ``block`` of an ``n``-draw run (its last block may be short)."""
    start = block * block_rows
    rows = min(block_rows, n - start)
    if rows < 1:
        raise InvalidInputError(f"block {block} is past the end of {n:,} draws")
    return space.sample(rows, np.random.default_rng(block_seed(seed, block)))


def n_blocks(n: int, block_rows: int) -> int:
    """Blocks of ``block_rows`` rows covering ``n`` draws."""
    if block_rows < 1:
        raise InvalidInputError(f"block_rows must be ≥ 1; got {block_rows}")
    return -(-int(n) // int(block_rows))


def bytes_per_row(model: Model, inputs: Mapping[str, FloatArray]) -> float:
    """Peak bytes the model allocates per row [bytes].

    Measured with :mod:`tracemalloc` on the first rows of ``inputs`` (numpy reports its buffers to
    it).
    """
    rows = min(_PROBE_ROWS, next(iter(inputs.values())).size)
    probe = {k: np.ascontiguousarray(v[:rows]) for k, v in inputs.items()}
    started = not tracemalloc.is_tracing()
    if started:
        tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        evaluate(model, probe, rows)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        if started:
            tracemalloc.stop()
    return max(peak - base, 1) / rows


def chunk_rows_for_budget(per_row_bytes: float, memory_budget_gb: float) -> int:
    """Rows per evaluation chunk so that one chunk uses at most half the budget.

    The other half: the block's draws, outputs and the interpreter.
    """
    if not memory_budget_gb > 0:
        raise InvalidInputError(f"memory_budget_gb must be > 0; got {plain(memory_budget_gb)}")
    rows = int(0.5 * memory_budget_gb * 1e9 // per_row_bytes)
    if rows < 1:
        raise InvalidInputError(
            f"memory_budget_gb={memory_budget_gb:g} is too small: the model needs "
            f"{per_row_bytes:,.0f} bytes per row"
        )
    return rows


def check_full_array_fits(rows: int, columns: int, memory_budget_gb: float, what: str) -> None:
    """Refuse to hold ``rows × columns`` float64 values over the memory budget.

    With the reason and the way out.
    """
    need_bytes = int(rows) * int(columns) * 8  # exact: a huge count raises no OverflowError
    if need_bytes > memory_budget_gb * 1e9:
        need = f"{need_bytes / 1e9:,.1f} GB" if need_bytes < 10**30 else "more than 10²¹ GB"
        raise InvalidInputError(
            f"{what}: {whole(int(rows))} rows × {columns} columns need {need}, over the memory "
            f"budget of {memory_budget_gb:g} GB; raise memory_budget_gb (--memory-budget-gb) "
            "or ask for reductions only (summary, quantiles, counts) instead of every row"
        )
