"""Where the blocks of an evaluation run: here (``"numpy"``) or on a dask cluster (``"dask"``).

Both backends call the same numpy functions on the same blocks; dask only decides where. With
``backend="dask"`` the work is a dask array over the blocks (one chunk per block) and
``scheduler`` is a ``dask.distributed`` scheduler address (``"tcp://host:8786"``), a
``Client``, or None for the current default client (or dask's local threads). Needs the
``dask`` extra: ``pip install 'llmcost[dask]'``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from .._core._arrays import FloatArray
from .._core.arguments import name_arg, whole_arg
from .._core.errors import InvalidInputError
from ._model import DEFAULT_CHUNK_ROWS, Model, evaluate, evaluate_chunked

__all__ = ["BACKENDS", "evaluate_on", "map_blocks"]

BACKENDS = ("numpy", "dask")


def check_backend(backend: str) -> None:
    """Raise unless ``backend`` is one of :data:`BACKENDS`."""
    name_arg(backend, "backend", BACKENDS)


def _dask() -> Any:
    try:
        import dask.array as da
    except ImportError:
        raise InvalidInputError("backend='dask' needs dask: pip install 'llmcost[dask]'") from None
    return da


def _compute(collection: Any, scheduler: Any) -> Any:
    """Compute on ``scheduler`` (an address opens a client for the call)."""
    if scheduler is None:
        return collection.compute()
    if isinstance(scheduler, str):
        from distributed import Client

        with Client(scheduler) as client:
            return client.compute(collection).result()
    return scheduler.compute(collection).result()


def map_blocks(
    fn: Callable[[int], Any], blocks: int, *, backend: str = "numpy", scheduler: Any = None
) -> list[Any]:
    """``[fn(0), fn(1), …]`` in block order, each call wherever the backend runs it."""
    check_backend(backend)
    if backend == "numpy":
        return [fn(b) for b in range(blocks)]
    da = _dask()

    def run(ids: Any) -> Any:
        out = np.empty(len(ids), dtype=object)
        out[:] = [fn(int(b)) for b in ids]
        return out

    ids = da.arange(blocks, chunks=1)
    return list(_compute(ids.map_blocks(run, dtype=object), scheduler))


def evaluate_on(
    model: Model,
    inputs: Mapping[str, FloatArray],
    *,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    backend: str = "numpy",
    scheduler: Any = None,
) -> dict[str, FloatArray]:
    """The model's outputs over aligned ``inputs``, evaluated in row chunks on ``backend``.

    Identical values: the model works row by row.
    """
    check_backend(backend)
    chunk_rows = whole_arg(chunk_rows, "chunk_rows", lo=1)
    if backend == "numpy":
        return evaluate_chunked(model, inputs, chunk_rows=chunk_rows)
    da = _dask()
    names = list(inputs)
    n = next(iter(inputs.values())).size
    first = evaluate(model, {k: v[:1] for k, v in inputs.items()}, 1)
    outputs = list(first)
    stacked = da.from_array(np.column_stack([inputs[k] for k in names]), chunks=(chunk_rows, -1))

    def block(x: Any) -> Any:
        got = evaluate(model, {k: x[:, j] for j, k in enumerate(names)}, x.shape[0])
        return np.column_stack([got[o] for o in outputs])

    result = stacked.map_blocks(block, dtype=np.float64, chunks=(stacked.chunks[0], len(outputs)))
    values = np.asarray(_compute(result, scheduler)).reshape(n, len(outputs))
    return {o: np.ascontiguousarray(values[:, j]) for j, o in enumerate(outputs)}
