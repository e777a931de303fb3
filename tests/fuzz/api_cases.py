"""Generated API calls for the fuzz suite: ``compare``, ``breakeven``, ``tornado`` and
``monte_carlo`` with one argument replaced by a hostile or boundary value."""

from __future__ import annotations

import functools
import math
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

import llmcost

from .cases import BASE, scenario_toml
from .cli_cases import Picker

#: Hostile values for any argument: NaN/inf, numpy scalars, huge and negative numbers,
#: booleans, wrong types, empty and control-character text.
VALUES: list[Any] = [
    math.nan, math.inf, -math.inf, np.float64(math.nan), np.float64(2e-06), np.float64(-1.0),
    np.int64(-3), np.int64(0), 0, -1, 1, 2, 3, 0.5, 1e-300, 1e308, 10**30, 10**400, True, False,
    None, "", "1", "nope", "\u202e", "x\x07y", "=1+1", b"x", [1, 2], (0.9, 0.1), (0.1, 0.9),
    {}, {"x": 1}, np.array([1.0, 2.0]), np.array([]), "2025-13-45", "requests_per_month",
    "gpt-4o", "mini", "llama-8b", "log", "linear", "sobol", "lhs", "dask", 2**31, 1e9, 1e7,
]  # fmt: skip


@functools.cache
def _scenario_path() -> Path:
    root = Path(tempfile.mkdtemp(prefix="llmcost-api-fuzz-"))
    path = root / "s.toml"
    path.write_text(scenario_toml(None, None), encoding="utf-8")
    return path


@functools.cache
def _model() -> Any:
    return llmcost.scenario_model(_scenario_path())


@functools.cache
def _space() -> Any:
    from llmcost.scenario.uncertainty import scenario_space

    return scenario_space(llmcost.load_scenario(_scenario_path()), _model()).space


def _compare(**kw: Any) -> Any:
    return llmcost.compare(kw.pop("scenario", _scenario_path()), **kw)


def _breakeven(**kw: Any) -> Any:
    args = {"variable": "requests_per_month", "lo": 1e5, "hi": 1e8, "option_a": "gpt-4o",
            "option_b": "llama-8b", "n_grid": 257, "scale": "log"} | kw  # fmt: skip
    return llmcost.breakeven(_model(), args.pop("variable"), args.pop("lo"), args.pop("hi"), **args)


def _tornado(**kw: Any) -> Any:
    args = {"output": "gpt-4o"} | kw
    return llmcost.tornado(_model(), args.pop("space", _space()), args.pop("output"), **args)


def _monte_carlo(**kw: Any) -> Any:
    args = {"n": 64, "seed": 1} | kw
    return llmcost.monte_carlo(_model(), args.pop("space", _space()), args.pop("n"), **args)


#: function name → (call, the arguments a case may replace).
CALLS: dict[str, tuple[Callable[..., Any], tuple[str, ...]]] = {
    "compare": (_compare, ("scenario", "as_of", "overrides", "catalog")),
    "breakeven": (_breakeven, ("variable", "lo", "hi", "option_a", "option_b", "n_grid",
                               "scale", "inputs")),
    "tornado": (_tornado, ("space", "output", "relative", "quantiles", "ranges")),
    "monte_carlo": (_monte_carlo, ("space", "n", "seed", "percentiles", "chunk_rows", "backend",
                                   "method", "options", "outputs")),
}  # fmt: skip


@dataclass(frozen=True)
class ApiCase:
    """One call with one argument replaced."""

    function: str
    argument: str
    value: Any

    def call(self) -> Any:
        """Make the call."""
        fn, _ = CALLS[self.function]
        value = self.value
        if self.argument == "overrides" and not isinstance(value, dict):
            value = {"workload.requests_per_month": value}
        elif self.argument in ("inputs", "ranges") and not isinstance(value, dict):
            key = "requests_per_month" if self.argument == "inputs" else "gpt-4o.input_usd_per_mtok"
            value = {key: value}
        return fn(**{self.argument: value})

    def names(self) -> tuple[str, ...]:
        """What a message about this case may name: the argument, or a key it carries."""
        extra: tuple[str, ...] = ()
        if self.argument == "overrides":
            extra = ("requests_per_month", "overrides", "workload")
        elif self.argument in ("inputs", "ranges"):
            extra = ("requests_per_month", "input_usd_per_mtok", "gpt-4o")
        elif self.argument == "scenario":
            extra = ("scenario", "workload", "options", "name")
        return (self.argument, *extra)


def api_case(pick: Picker) -> ApiCase:
    """A random call with one hostile argument."""
    function = pick.choice(sorted(CALLS))
    return ApiCase(function, pick.choice(CALLS[function][1]), pick.choice(VALUES))


__all__ = ["BASE", "CALLS", "VALUES", "ApiCase", "api_case"]
