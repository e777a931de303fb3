"""Sweeps: evaluate a model over a cartesian grid or aligned arrays of inputs, in chunks.

The engine behind break-even maps, plots and Monte Carlo. The model is called on whole arrays
(``DEFAULT_CHUNK_ROWS`` rows at a time), never once per row; pandas is used only to build the
final table, a :class:`SweepFrame` (a DataFrame that knows its grid and units, for
``to_xarray()``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from .._core._arrays import FloatArray
from .._core.arguments import mapping_arg, real_arg
from .._core.display import plain
from .._core.errors import InvalidInputError
from .._core.serialize import dumps, jsonable
from .._core.unit_names import unit_from_name
from ._model import DEFAULT_CHUNK_ROWS, Model, aligned_inputs
from .backends import evaluate_on
from .blocks import DEFAULT_MEMORY_BUDGET_GB, check_full_array_fits

__all__ = ["SweepAccessor", "SweepFrame", "cartesian", "sweep", "sweep_arrays"]


class SweepFrame(pd.DataFrame):
    """The table :func:`sweep` returns: a DataFrame that also knows its grid and units.

    ``attrs["units"]`` maps every column (and constant) to its unit; ``attrs["inputs"]``,
    ``attrs["outputs"]`` and ``attrs["constants"]`` name them; ``attrs["grid_shape"]`` is the
    number of values on each input axis of a cartesian sweep (absent for aligned inputs). Any
    operation that derives a new table (filtering, sorting, arithmetic) returns a plain
    DataFrame, whose rows need no longer be the grid; ``attrs`` are kept.
    """

    @property
    def _constructor(self) -> type[pd.DataFrame]:
        return pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        """The table as a plain DataFrame (a copy, ``attrs`` kept)."""
        frame = pd.DataFrame(self, copy=True)
        frame.attrs = dict(self.attrs)
        return frame

    # pandas' own to_dict/to_json stay reachable with any of their arguments
    def to_dict(self, *args: Any, **kwargs: Any) -> Any:
        """The sweep as plain JSON-ready values (NaN and infinities → None, "never").

        Called without arguments: ``{"inputs", "outputs", "constants", "units", "grid_shape",
        "rows"}``, ``rows`` one record per evaluation (``grid_shape`` None for aligned
        inputs), the shape every llmcost result's ``to_dict`` has. With pandas' arguments
        (``orient=...``) it is :meth:`pandas.DataFrame.to_dict`.

        Returns
        -------
        dict
            The sweep's names, units and rows, strict-JSON values only.

        Examples
        --------
        >>> f = sweep(lambda x: {"cost_usd": np.where(x["a"] > 0, x["a"], np.inf)}, {"a": [0, 2]})
        >>> f.to_dict()["rows"]
        [{'a': 0.0, 'cost_usd': None}, {'a': 2.0, 'cost_usd': 2.0}]
        """
        if args or kwargs:
            return super().to_dict(*args, **kwargs)
        shape = self.attrs.get("grid_shape")
        columns = [str(c) for c in self.columns]
        values = [self[c].to_numpy().tolist() for c in self.columns]
        return jsonable(
            {
                "inputs": list(self.attrs.get("inputs", [])),
                "outputs": list(self.attrs.get("outputs", [])),
                "constants": dict(self.attrs.get("constants", {})),
                "units": dict(self.attrs.get("units", {})),
                "grid_shape": None if shape is None else list(shape),
                "rows": [dict(zip(columns, row, strict=True)) for row in zip(*values, strict=True)],
            }
        )

    def to_json(self, *args: Any, **kwargs: Any) -> Any:
        """``to_dict()`` as strict JSON text (no NaN); with pandas' arguments, pandas' own.

        Parameters
        ----------
        *args, **kwargs
            Only ``indent`` [spaces per level], or :meth:`pandas.DataFrame.to_json`'s arguments.

        Returns
        -------
        str
            The JSON text.
        """
        if args or set(kwargs) - {"indent"}:
            return super().to_json(*args, **kwargs)
        return dumps(self.to_dict(), indent=kwargs.get("indent"))

    # pandas' stubs mark to_xarray final; pandas' own version cannot know the grid or the units
    def to_xarray(self) -> Any:  # type: ignore[misc]
        """An ``xarray.Dataset``: one variable per output, units in every ``attrs["units"]``.

        A cartesian sweep has one dimension per input axis (its values the coordinate, first
        axis first); aligned inputs share dimension ``point``, with the inputs as coordinates
        on it. Constants are scalar coordinates. Needs xarray (``pip install 'llmcost[dask]'``).
        """
        from ._xarray import xarray

        xr = xarray()
        units = self.attrs.get("units", {})
        inputs, outputs = self.attrs["inputs"], self.attrs["outputs"]
        shape = self.attrs.get("grid_shape")
        coords: dict[str, Any] = {}
        if shape is None:
            dims: tuple[str, ...] = ("point",)
            shape = (len(self),)
            coords["point"] = np.arange(len(self))
            for name in inputs:
                coords[name] = ("point", self[name].to_numpy(), {"units": units.get(name, "")})
        else:
            dims = tuple(inputs)
            for axis, name in enumerate(inputs):
                column = self[name].to_numpy().reshape(shape)
                along = column[tuple(slice(None) if k == axis else 0 for k in range(len(shape)))]
                coords[name] = (name, along, {"units": units.get(name, "")})
        for name, value in self.attrs.get("constants", {}).items():
            coords[name] = ((), value, {"units": units.get(name, "")})
        data = {
            name: (dims, self[name].to_numpy().reshape(shape), {"units": units.get(name, "")})
            for name in outputs
        }
        return xr.Dataset(data, coords=coords)


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
    units: Mapping[str, str] | None = None,
) -> SweepFrame:
    """A tidy table: one row per evaluation, a column per varied input, then one per output.

    ``grid=True`` takes the cartesian product of the input axes; otherwise the inputs are
    aligned arrays (e.g. ``space.sample(n, seed)``). ``constants`` are passed to the model on
    every row but not repeated in the table. ``backend``/``scheduler``: see
    :func:`sweep_arrays`. ``units`` maps input, constant and output names to their units; a
    name not in it gets the unit its suffix says (``_usd`` → USD/month, ``_s`` → s, …; ""
    if none). ``frame.to_xarray()`` gives an xarray Dataset with one dimension per grid axis
    (:class:`SweepFrame`); ``frame.llmcost.plot()`` draws the outputs against the input
    (:class:`SweepAccessor`).

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
    if not isinstance(grid, bool):
        raise InvalidInputError(f"grid must be True or False; got {plain(grid)}")
    memory_budget_gb = real_arg(memory_budget_gb, "memory_budget_gb", lo=0.0, lo_open=True)
    if constants is not None:
        constants = mapping_arg(constants, "constants")
        constants = {k: real_arg(v, f"constants[{k!r}]") for k, v in constants.items()}
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
    frame = SweepFrame({**varied, **outputs})
    given = dict(units or {})
    fixed = {k: float(v) for k, v in (constants or {}).items()}
    frame.attrs["units"] = {k: given.get(k, unit_from_name(k)) for k in [*varied, *outputs, *fixed]}
    frame.attrs["inputs"] = list(varied)
    frame.attrs["outputs"] = list(outputs)
    frame.attrs["constants"] = fixed
    if grid:
        frame.attrs["grid_shape"] = tuple(np.atleast_1d(inputs[k]).size for k in varied)
    return frame


@pd.api.extensions.register_dataframe_accessor("llmcost")
class SweepAccessor:
    """``frame.llmcost``: llmcost's chart of a :func:`sweep` table.

    ``DataFrame.plot`` stays pandas' own; ``frame.llmcost.plot()`` draws with the same function
    as the report's cost curve (money ticks "−$40k", log axes where values span decades).

    Parameters
    ----------
    frame : pandas.DataFrame
        A table from :func:`sweep` (its ``attrs`` name the inputs and outputs), or any table
        with the columns given to :meth:`plot`.
    """

    def __init__(self, frame: pd.DataFrame) -> None:
        self._frame = frame

    def plot(
        self,
        ax: Any = None,
        *,
        x: str | None = None,
        outputs: list[str] | None = None,
        money: bool | None = None,
        y_label: str | None = None,
    ) -> Any:
        """Each output against one varied input (one row per value of ``x``).

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
            Where to draw; default a new pyplot figure (needs ``llmcost[plot]``).
        x : str, optional
            The input on the x axis; default the sweep's only varied input.
        outputs : list of str, optional
            The columns to draw; default the sweep's outputs.
        money : bool, optional
            Money ticks on the y axis, or plain quantities; default money unless the outputs'
            unit (``attrs["units"]``) is known and not USD.
        y_label : str, optional
            The y axis label, with its unit in [brackets]; default from the outputs' unit
            ("monthly cost [USD/month]" when none is recorded, as for a scenario's options).

        Returns
        -------
        matplotlib.axes.Axes
            The axes drawn on.
        """
        from .plotting import axes_for, draw_cost_curve

        frame = self._frame
        inputs = list(frame.attrs.get("inputs", []))
        if x is None:
            if len(inputs) != 1:
                raise InvalidInputError(
                    f"x must name the input to draw against; the sweep varies {inputs or 'none'}"
                )
            x = inputs[0]
        names = outputs or [c for c in frame.attrs.get("outputs", []) if c != x]
        missing = [c for c in (x, *names) if c not in frame.columns]
        if missing or not names:
            raise InvalidInputError(
                f"columns {missing or 'to draw'} not in the table; columns: {list(frame.columns)}"
            )
        if frame[x].duplicated().any():
            raise InvalidInputError(
                f"{x!r} repeats (a grid of several inputs): select one value of the others first"
            )
        units = {frame.attrs.get("units", {}).get(c, "") for c in names}
        unit = units.pop() if len(units) == 1 else ""
        if money is None:
            money = not unit or "USD" in unit
        if y_label is None:
            y_label = f"{'cost' if money else 'value'} [{unit}]" if unit else (
                "monthly cost [USD/month]" if money else "value"
            )  # fmt: skip
        rows = frame.sort_values(x)
        costs = {c: rows[c].to_numpy(dtype=float) for c in names}
        return draw_cost_curve(
            axes_for(ax, (7.5, 5.0)), rows[x].to_numpy(dtype=float), costs,
            x_label=x.replace("_", " "), y_label=y_label, money=money,
            title="Sweep of " + x.replace("_", " "),
        )  # fmt: skip
