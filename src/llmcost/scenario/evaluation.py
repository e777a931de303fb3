"""Labelled evaluations: every output of every option at many input points, with the inputs.

:meth:`Comparison.evaluate <llmcost.scenario.Comparison.evaluate>` and
:meth:`Comparison.draws <llmcost.scenario.Comparison.draws>` return an :class:`Evaluation`. It
reads like the nested dict it replaces (``ev["gpt-4o"]["monthly_cost_usd"]``) and adds:

- :meth:`Evaluation.to_frame`: one row per (point, option), the inputs as columns beside the
  outputs, numeric dtypes only (``feasible`` and ``rate_limited`` are bool; an output an
  option does not have, e.g. ``gpus_peak`` of an API, is NaN); units in ``attrs["units"]``;
- :meth:`Evaluation.to_xarray`: a ``DataArray`` over ``option`` × ``output`` × ``point`` (or
  ``draw``), inputs kept as coordinates on the point dimension, each output's unit in the
  ``units`` coordinate and ``attrs``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from .._core.result import ResultShape
from .._core.serialize import jsonable
from .._core.unit_names import unit_from_name as output_unit

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Evaluation", "output_unit"]

#: Model outputs whose table name carries the unit the model key leaves out (frame, xarray).
TABLE_NAMES = {"utilization": "utilization_fraction"}


def _input_unit(description: str) -> str:
    """The unit in brackets at the end of a variable's description ("" if none)."""
    found = re.search(r"\[([^\]]*)\]\s*$", description)
    return "" if found is None else found.group(1)


@dataclass(frozen=True)
class Evaluation(Mapping[str, dict[str, Any]], ResultShape):
    """Every output of every option at the input points, with the inputs that made them.

    A read-only mapping ``option → {output → value}`` (values as :meth:`ScenarioModel.evaluate`
    returns them: arrays of the inputs' broadcast shape, floats for a single point).
    ``inputs`` holds each given input broadcast to that shape; ``dim`` names the point
    dimension (``"point"``, or ``"draw"`` for Monte Carlo draws); ``input_units`` the unit of
    each input. ``to_frame()``, ``to_xarray()`` and ``to_dict()`` name ``utilization`` as
    ``utilization_fraction`` (:data:`TABLE_NAMES`); the mapping keeps the model's keys.
    """

    results: dict[str, dict[str, Any]]
    inputs: dict[str, np.ndarray]
    dim: str = "point"
    input_units: dict[str, str] = field(default_factory=dict)

    def __getitem__(self, option: str) -> dict[str, Any]:
        """The outputs of one option."""
        return self.results[option]

    def __iter__(self) -> Iterator[str]:
        """The option names, in scenario order."""
        return iter(self.results)

    def __len__(self) -> int:
        """The number of options."""
        return len(self.results)

    @property
    def n(self) -> int:
        """The number of input points."""
        first = next(iter(self.results.values()))
        return int(np.asarray(first["monthly_cost_usd"]).size)

    @property
    def outputs(self) -> list[str]:
        """Every output name, in first-seen order over the options."""
        return list(dict.fromkeys(k for out in self.results.values() for k in out))

    def units(self) -> dict[str, str]:
        """Unit of every input and output (``""`` where the name says none)."""
        return dict(self.input_units) | {k: output_unit(k) for k in self.outputs}

    def _column(self, option: str, output: str) -> np.ndarray:
        value = self.results[option].get(output)
        if value is None:
            return np.full(self.n, np.nan)
        return np.asarray(value).reshape(-1)

    def to_frame(self) -> pd.DataFrame:
        """One row per (point, option): the inputs, then every output; numeric dtypes.

        Indexed by (``point`` or ``draw``, ``option``); ``attrs["units"]`` maps each column
        to its unit.
        """
        import pandas as pd

        n, names = self.n, list(self.results)
        index = pd.MultiIndex.from_product([range(n), names], names=[self.dim, "option"])
        data: dict[str, np.ndarray] = {
            k: np.repeat(np.asarray(v, dtype=np.float64).reshape(-1), len(names))
            for k, v in self.inputs.items()
        }
        for output in self.outputs:
            stacked = np.stack([self._column(o, output) for o in names], axis=1).reshape(-1)
            data[TABLE_NAMES.get(output, output)] = _numeric(stacked)
        frame = pd.DataFrame(data, index=index)
        frame.attrs = {"units": {TABLE_NAMES.get(k, k): u for k, u in self.units().items()}}
        return frame

    def to_dict(self) -> dict[str, Any]:
        """Plain values for JSON: the inputs and every option's outputs as lists (NaN → None).

        Returns
        -------
        dict
            ``dim``, ``n``, ``inputs`` (name → values), ``units`` (every input and output),
            ``options`` (option → output → values, one per point).
        """
        units = {TABLE_NAMES.get(k, k): u for k, u in self.units().items()}
        options = {
            o: {TABLE_NAMES.get(k, k): self._column(o, k) for k in self.outputs}
            for o in self.results
        }
        inputs = {k: np.asarray(v).reshape(-1) for k, v in self.inputs.items()}
        return jsonable(
            {"dim": self.dim, "n": self.n, "inputs": inputs, "units": units, "options": options}
        )

    def to_xarray(self) -> Any:
        """A ``DataArray`` over ``option`` × ``output`` × point, inputs as coordinates.

        Values are float (``feasible`` as 1.0/0.0, NaN where an option has no such output);
        the ``units`` coordinate gives each output's unit, ``attrs["input_units"]`` the inputs'.
        Needs xarray (``pip install 'llmcost[dask]'``).
        """
        from ..analysis._xarray import xarray

        xr = xarray()
        names, outputs = list(self.results), self.outputs
        values = np.stack(
            [np.stack([self._column(o, k).astype(np.float64) for k in outputs]) for o in names]
        )
        coords: dict[str, Any] = {
            "option": names,
            "output": [TABLE_NAMES.get(k, k) for k in outputs],
            self.dim: np.arange(self.n),
            "units": ("output", [output_unit(k) for k in outputs]),
        }
        coords |= {
            k: (self.dim, np.asarray(v, dtype=np.float64).reshape(-1))
            for k, v in self.inputs.items()
        }
        return xr.DataArray(
            values,
            dims=("option", "output", self.dim),
            coords=coords,
            name="value",
            attrs={"input_units": dict(self.input_units)},
        )

    def __repr__(self) -> str:
        """One line: points, options, outputs, inputs."""
        names = list(self.inputs)
        given = ", ".join(names[:3]) + (f" +{len(names) - 3} more" if len(names) > 3 else "")
        return (
            f"Evaluation({self.n:,} {self.dim}s × {len(self.results)} options × "
            f"{len(self.outputs)} outputs; inputs: {given or 'none'})"
        )


def _numeric(values: np.ndarray) -> np.ndarray:
    """Bool where every option has the output as a bool, else float (NaN where one lacks it)."""
    return values if values.dtype == bool else values.astype(np.float64)


def evaluation(
    results: dict[str, dict[str, Any]],
    given: Mapping[str, Any],
    variables: Mapping[str, str],
    dim: str = "point",
) -> Evaluation:
    """An :class:`Evaluation` of ``results``, the ``given`` inputs broadcast to one shape."""
    arrays = {k: np.asarray(v, dtype=np.float64) for k, v in given.items()}
    shape = np.broadcast_shapes(*(a.shape for a in arrays.values())) if arrays else ()
    return Evaluation(
        results=results,
        inputs={k: np.broadcast_to(a, shape).copy() for k, a in arrays.items()},
        dim=dim,
        input_units={k: _input_unit(variables.get(k, "")) for k in arrays},
    )
