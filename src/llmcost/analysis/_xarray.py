"""Results as xarray objects (``to_xarray()``): dims named, units in ``attrs``.

xarray comes with the ``dask`` extra (``pip install 'llmcost[dask]'``); nothing else needs it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from .._core.errors import InvalidInputError
from .._core.unit_names import unit_from_name

#: Units of statistics that are not in the output's own unit.
_STAT_UNITS = {"argmin": "draw index", "argmax": "draw index", "undefined_fraction": "1"}


def xarray() -> Any:
    """The xarray module, or a clear error naming the extra."""
    try:
        import xarray as xr
    except ImportError:
        raise InvalidInputError("to_xarray() needs xarray: pip install 'llmcost[dask]'") from None
    return xr


def summary_dataset(
    summary: Mapping[str, Mapping[str, float]],
    probability_cheapest: Mapping[str, float],
    *,
    units: Mapping[str, str],
    attrs: Mapping[str, Any],
    histograms: Mapping[str, Any] | None = None,
    breakeven: Mapping[str, Mapping[str, Any]] | None = None,
) -> Any:
    """A Monte Carlo summary as a Dataset over dim ``output``.

    One variable per statistic (``attrs["units"]``: the output's unit, per output in the ``units``
    coordinate, except for indices and fractions), ``probability_cheapest`` [1] and, when given,
    ``histogram`` (dims ``output``, ``bin``); an output missing from ``units`` gets the unit
    its name says (:func:`~llmcost._core.unit_names.unit_from_name`); break-even counts as
    ``breakeven_<statistic>`` over dim ``pair`` (``"a vs b"``), the variable and its range in
    their attrs.
    """
    xr = xarray()
    names = list(summary)
    stats = list(next(iter(summary.values()))) if names else []
    data: dict[str, Any] = {
        s: (
            "output",
            np.array([summary[o][s] for o in names], dtype=np.float64),
            {"units": _STAT_UNITS.get(s, "the output's (coordinate 'units')")},
        )
        for s in stats
    }
    if probability_cheapest:
        values = [probability_cheapest.get(o, np.nan) for o in names]
        data["probability_cheapest"] = ("output", np.array(values), {"units": "1"})
    if histograms:
        counts = np.stack([np.asarray(histograms[o][1]) for o in names])
        data["histogram"] = (("output", "bin"), counts, {"units": "draws"})
    coords: dict[str, Any] = {
        "output": names,
        "units": ("output", [units.get(o) or unit_from_name(o) for o in names]),
    }
    if breakeven:
        pairs = list(breakeven)
        coords["pair"] = pairs
        first = breakeven[pairs[0]]
        where = {"variable": first["variable"], "range": list(first["range"])}
        for stat in first:
            if stat in ("variable", "range", "unit"):
                continue
            unit = {"with_breakeven": "draws", "fraction": "1"}.get(
                stat, _STAT_UNITS.get(stat, first["unit"])
            )
            column = np.array([breakeven[p][stat] for p in pairs], dtype=np.float64)
            data[f"breakeven_{stat}"] = ("pair", column, {"units": unit, **where})
    return xr.Dataset(data, coords=coords, attrs=dict(attrs))
