"""The "model" every analysis evaluates: named input arrays in, named output arrays out.

A model is any callable ``model(inputs) -> outputs`` where ``inputs`` maps input names to 1-d
float arrays of one common length and ``outputs`` maps output names (e.g. each option's monthly
cost [USD]) to arrays of that length (scalars are broadcast). The scenario layer builds one
from a scenario file; tests build them from plain numpy.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
from numpy.typing import ArrayLike

from .._core._arrays import FloatArray, as_float_array
from .._core.arguments import mapping_arg, whole_arg
from .._core.errors import InvalidInputError

Model = Callable[[Mapping[str, FloatArray]], Mapping[str, ArrayLike]]

#: Rows evaluated per call when a sweep is chunked (~8 MB per float column).
DEFAULT_CHUNK_ROWS = 1_000_000


def aligned_inputs(inputs: Mapping[str, ArrayLike]) -> dict[str, FloatArray]:
    """Convert each input to a 1-d float array; scalars are broadcast to the common length.

    >>> aligned_inputs({"a": [1, 2], "b": 3.0})["b"]
    array([3., 3.])
    """
    arrays: dict[str, FloatArray] = {}
    for name, value in mapping_arg(inputs, "inputs").items():
        arrays[name] = as_float_array(value, f"input {name!r}")
        if arrays[name].ndim > 1:
            raise InvalidInputError(
                f"input {name!r} must be a scalar or a 1-d array; got shape {arrays[name].shape}"
            )
    lengths = {a.size for a in arrays.values() if a.ndim == 1}
    if len(lengths) > 1:
        detail = ", ".join(f"{k}: {a.size}" for k, a in arrays.items() if a.ndim == 1)
        raise InvalidInputError(f"inputs must all have the same length; got {detail}")
    n = lengths.pop() if lengths else 1
    return {k: np.broadcast_to(a, (n,)).astype(np.float64) for k, a in arrays.items()}


def evaluate(model: Model, inputs: Mapping[str, FloatArray], n: int) -> dict[str, FloatArray]:
    """Call ``model`` once and check that every output is a float array of length ``n``."""
    raw = model(inputs)
    if not isinstance(raw, Mapping) or not raw:
        raise InvalidInputError("a model must return a non-empty mapping of named output arrays")
    out: dict[str, FloatArray] = {}
    for name, value in raw.items():
        arr = np.asarray(value, dtype=np.float64)
        if arr.ndim == 0:
            arr = np.full(n, float(arr))
        if arr.shape != (n,):
            raise InvalidInputError(
                f"model output {name!r} has shape {arr.shape}; expected ({n},) like its inputs"
            )
        out[str(name)] = arr
    return out


def evaluate_chunked(
    model: Model, inputs: Mapping[str, FloatArray], *, chunk_rows: int = DEFAULT_CHUNK_ROWS
) -> dict[str, FloatArray]:
    """Evaluate ``model`` over aligned ``inputs`` in chunks of ``chunk_rows`` rows."""
    chunk_rows = whole_arg(chunk_rows, "chunk_rows", lo=1)
    n = next(iter(inputs.values())).size if inputs else 1
    if n <= chunk_rows:
        return evaluate(model, inputs, n)
    parts: list[dict[str, FloatArray]] = []
    for start in range(0, n, chunk_rows):
        stop = min(start + chunk_rows, n)
        parts.append(evaluate(model, {k: v[start:stop] for k, v in inputs.items()}, stop - start))
    return {name: np.concatenate([p[name] for p in parts]) for name in parts[0]}


def select_output(
    outputs: Mapping[str, FloatArray],
    output: str | Callable[[Mapping[str, FloatArray]], ArrayLike],
) -> FloatArray:
    """One output array: by name, or computed from all outputs by a callable."""
    if callable(output):
        n = next(iter(outputs.values())).size
        return np.broadcast_to(np.asarray(output(outputs), dtype=np.float64), (n,))
    if output not in outputs:
        known = ", ".join(outputs)
        raise InvalidInputError(f"unknown model output {output!r}; the model returns: {known}")
    return outputs[output]
