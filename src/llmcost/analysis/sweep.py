"""Sweeps: evaluate a model over a cartesian grid or aligned arrays of inputs, in chunks.

The engine behind break-even maps, plots and Monte Carlo. The model is called on whole arrays
(``DEFAULT_CHUNK_ROWS`` rows at a time), never once per row; pandas is used only to build the
final table.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from .._core._arrays import FloatArray
from .._core.errors import InvalidInputError
from ._model import DEFAULT_CHUNK_ROWS, Model, aligned_inputs
from .backends import evaluate_on
from .blocks import DEFAULT_MEMORY_BUDGET_GB, check_full_array_fits

__all__ = ["cartesian", "sweep", "sweep_arrays"]


def cartesian(
    axes: Mapping[str, ArrayLike], *, memory_budget_gb: float = DEFAULT_MEMORY_BUDGET_GB
) -> dict[str, FloatArray]:
    """Every combination of the axis values.

    Flattened to aligned 1-d arrays (first axis slowest, like ``itertools.product``). A grid whose
    arrays would exceed ``memory_budget_gb`` [GB] is refused before anything is allocated (a typo
    such as 10 axes × 1,000 values); :func:`~llmcost.analysis.streaming.monte_carlo_stream` reduces
    spaces of any size in bounded memory.

    >>> g = cartesian({"a": [1, 2], "b": [10, 20, 30]})
    >>> g["a"].tolist(), g["b"].tolist()
    ([1.0, 1.0, 1.0, 2.0, 2.0, 2.0], [10.0, 20.0, 30.0, 10.0, 20.0, 30.0])
    """
    values = {}
    for name, v in axes.items():
        arr = np.atleast_1d(np.asarray(v, dtype=np.float64))
        if arr.ndim != 1 or arr.size == 0:
            raise InvalidInputError(f"axis {name!r} must be a non-empty 1-d list of values")
        values[name] = arr
    if not values:
        raise InvalidInputError("a grid needs at least one axis")
    rows = int(np.prod([v.size for v in values.values()], dtype=np.float64))
    check_full_array_fits(rows, len(values), memory_budget_gb, "the grid")
    mesh = np.meshgrid(*values.values(), indexing="ij")
    return {name: m.ravel() for name, m in zip(values, mesh, strict=True)}


def sweep_arrays(
    model: Model,
    inputs: Mapping[str, ArrayLike],
    *,
    constants: Mapping[str, float] | None = None,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    backend: str = "numpy",
    scheduler: Any = None,
) -> dict[str, FloatArray]:
    """Evaluate ``model`` on aligned ``inputs`` (plus scalar ``constants``); outputs only.

    ``backend="dask"`` evaluates the chunks on a dask cluster (``scheduler``: an address or a
    ``Client``; :mod:`llmcost.analysis.backends`) — the same values, bit for bit.

    >>> sweep_arrays(lambda x: {"y": 2 * x["a"]}, {"a": [1, 2]})["y"]
    array([2., 4.])
    """
    arrays = aligned_inputs({**(constants or {}), **inputs})
    return evaluate_on(model, arrays, chunk_rows=chunk_rows, backend=backend, scheduler=scheduler)


def sweep(
    model: Model,
    inputs: Mapping[str, ArrayLike],
    *,
    grid: bool = False,
    constants: Mapping[str, float] | None = None,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    memory_budget_gb: float = DEFAULT_MEMORY_BUDGET_GB,
    backend: str = "numpy",
    scheduler: Any = None,
) -> pd.DataFrame:
    """A tidy table: one row per evaluation, a column per varied input, then one per output.

    ``grid=True`` takes the cartesian product of the input axes; otherwise the inputs are
    aligned arrays (e.g. ``space.sample(n, seed)``). ``constants`` are passed to the model on
    every row but not repeated in the table. ``backend``/``scheduler``: see
    :func:`sweep_arrays`; ``frame.to_xarray()`` gives the table as an xarray Dataset.

    Parameters
    ----------
    model : callable
        ``inputs → {output: array}``, vectorized.
    inputs : mapping of str to array_like
        The varied inputs [each in its own unit].
    grid : bool
        Take the cartesian product of the axes (else the arrays are aligned).
    constants : mapping of str to float, optional
        Inputs passed on every row, not repeated in the table.
    chunk_rows : int
        Rows evaluated at a time.
    memory_budget_gb : float
        A grid larger than this [GB] is refused before anything is allocated.
    backend : {"numpy", "dask"}
        Where the rows are evaluated.
    scheduler : optional
        The dask scheduler or client.

    Returns
    -------
    pandas.DataFrame
        One row per evaluation: the varied inputs, then the outputs.

    Examples
    --------
    >>> sweep(lambda x: {"cost": x["a"] * x["b"]}, {"a": [1, 2], "b": [3, 4]}, grid=True)
         a    b  cost
    0  1.0  3.0   3.0
    1  1.0  4.0   4.0
    2  2.0  3.0   6.0
    3  2.0  4.0   8.0
    """
    varied = (
        cartesian(inputs, memory_budget_gb=memory_budget_gb) if grid else aligned_inputs(inputs)
    )
    outputs = sweep_arrays(
        model, varied, constants=constants, chunk_rows=chunk_rows, backend=backend,
        scheduler=scheduler,
    )  # fmt: skip
    clash = sorted(set(varied) & set(outputs))
    if clash:
        raise InvalidInputError(f"model outputs reuse input name(s): {', '.join(clash)}")
    return pd.DataFrame({**varied, **outputs})
