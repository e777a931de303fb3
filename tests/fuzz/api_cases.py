"""Generated API calls for the fuzz suite: every public entry point (compare, the break-even
solvers, tornado, monte_carlo, sobol, sweep, the perf estimates, the layout search, the usage
import and the file writers) with one argument replaced by a hostile or boundary value."""

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
    "fp4", "fp8", "bf16", "vllm", "nan", "inf", [], ["gpt-4o"], ["gpt-4o", "nope"], object(),
]  # fmt: skip


@functools.cache
def _root() -> Path:
    root = Path(tempfile.mkdtemp(prefix="llmcost-api-fuzz-"))
    (root / "out").mkdir()
    return root


@functools.cache
def _scenario_path() -> Path:
    path = _root() / "s.toml"
    path.write_text(scenario_toml(None, None), encoding="utf-8")
    return path


@functools.cache
def _usage_path() -> Path:
    path = _root() / "usage.csv"
    path.write_text(
        "timestamp,model,input_tokens,output_tokens\n"
        "2025-05-01T10:00:00Z,gpt-4o,1000,200\n2025-05-01T11:00:00Z,gpt-4o,900,150\n",
        encoding="utf-8",
    )
    return path


@functools.cache
def _model() -> Any:
    return llmcost.scenario_model(_scenario_path())


@functools.cache
def _comparison() -> Any:
    return llmcost.compare(_scenario_path())


@functools.cache
def _space() -> Any:
    from llmcost.scenario.uncertainty import scenario_space

    return scenario_space(llmcost.load_scenario(_scenario_path()), _model()).space


@functools.cache
def _specs() -> tuple[Any, Any]:
    catalog = llmcost.load_catalog()
    return catalog.model_spec("llama-3.1-8b"), catalog.gpu_spec("h100-sxm")


def _compare(**kw: Any) -> Any:
    return llmcost.compare(kw.pop("scenario", _scenario_path()), **kw)


def _breakeven(**kw: Any) -> Any:
    args = {"variable": "requests_per_month", "lo": 1e5, "hi": 1e8, "option_a": "gpt-4o",
            "option_b": "llama-8b", "n_grid": 257, "scale": "log"} | kw  # fmt: skip
    return llmcost.breakeven(_model(), args.pop("variable"), args.pop("lo"), args.pop("hi"), **args)


def _breakeven_pairs(**kw: Any) -> Any:
    args = {"variable": "requests_per_month", "lo": 1e5, "hi": 1e8,
            "options": ["gpt-4o", "mini", "llama-8b"], "n_grid": 129} | kw  # fmt: skip
    return llmcost.breakeven_pairs(
        _model(), args.pop("variable"), args.pop("lo"), args.pop("hi"), **args
    )


def _tornado(**kw: Any) -> Any:
    args = {"output": "gpt-4o"} | kw
    return llmcost.tornado(_model(), args.pop("space", _space()), args.pop("output"), **args)


def _monte_carlo(**kw: Any) -> Any:
    args = {"n": 64, "seed": 1} | kw
    return llmcost.monte_carlo(_model(), args.pop("space", _space()), args.pop("n"), **args)


def _sobol(**kw: Any) -> Any:
    args = {"output": "gpt-4o", "n_base": 64, "seed": 1, "n_bootstrap": 10} | kw
    return llmcost.sobol(_model(), args.pop("space", _space()), args.pop("output"), **args)


def _sweep(**kw: Any) -> Any:
    args = {"inputs": {"requests_per_month": [1e5, 1e6]}} | kw
    return llmcost.sweep(_model(), args.pop("inputs"), **args)


def _serving(**kw: Any) -> Any:
    model, gpu = _specs()
    args = {"model": model, "gpu": gpu, "gpus": 1, "precision": "fp8", "input_tokens": 500,
            "output_tokens": 100, "max_throughput": True} | kw  # fmt: skip
    return llmcost.estimate_serving(args.pop("model"), args.pop("gpu"), **args)


def _memory(**kw: Any) -> Any:
    model, gpu = _specs()
    args = {"model": model, "precision": "fp8", "gpu": gpu} | kw
    return llmcost.memory_footprint(args.pop("model"), args.pop("precision"), **args)


def _layouts(**kw: Any) -> Any:
    from llmcost.perf import search_layouts

    model, gpu = _specs()
    args = {"model": model, "gpu": gpu, "gpus": 2, "input_tokens": 500.0, "output_tokens": 100.0,
            "precisions": "fp8", "engines": "vllm", "front_batches": 4} | kw  # fmt: skip
    return search_layouts(args.pop("model"), args.pop("gpu"), **args)


def _from_usage(**kw: Any) -> Any:
    from llmcost.workload import from_usage

    args = {"paths": _usage_path(), "format": "csv"} | kw
    return from_usage(args.pop("paths"), **args)


def _in_root(value: Any) -> Any:
    """A generated text path lands in the case directory, never in the working directory."""
    return _root() / "out" / value if isinstance(value, str) else value


def _write_report(**kw: Any) -> Any:
    args = {"comparison": _comparison(), "path": "r.md"} | kw
    args["path"] = _in_root(args["path"])
    if "xlsx" in kw:
        args["xlsx"] = _in_root(args["xlsx"])
    return llmcost.write_report(args.pop("comparison"), args.pop("path"), force=True, **args)


def _write_workbook(**kw: Any) -> Any:
    args = {"comparison": _comparison(), "path": "b.xlsx"} | kw
    args["path"] = _in_root(args["path"])
    return llmcost.write_workbook(args.pop("comparison"), args.pop("path"), **args)


def _pass_at_k(**kw: Any) -> Any:
    args = {"n": 100, "correct": 5, "k": 10} | kw
    return llmcost.pass_at_k(**args)


#: function name → (call, the arguments a case may replace).
CALLS: dict[str, tuple[Callable[..., Any], tuple[str, ...]]] = {
    "compare": (_compare, ("scenario", "as_of", "overrides", "catalog")),
    "breakeven": (_breakeven, ("variable", "lo", "hi", "option_a", "option_b", "n_grid",
                               "scale", "inputs")),
    "breakeven_pairs": (_breakeven_pairs, ("variable", "lo", "hi", "options", "pairs", "n_grid",
                                           "xtol_rel")),
    "tornado": (_tornado, ("space", "output", "relative", "quantiles", "ranges")),
    "monte_carlo": (_monte_carlo, ("space", "n", "seed", "percentiles", "chunk_rows", "backend",
                                   "method", "options", "outputs")),
    "sobol": (_sobol, ("space", "output", "n_base", "seed", "n_bootstrap", "confidence_level",
                       "method", "chunk_rows")),
    "sweep": (_sweep, ("inputs", "grid", "constants", "chunk_rows", "memory_budget_gb",
                       "backend")),
    "estimate_serving": (_serving, ("model", "gpu", "gpus", "precision", "input_tokens",
                                    "output_tokens", "engine", "tp", "pp", "batch",
                                    "tpot_slo_s", "cached_input_fraction")),
    "memory_footprint": (_memory, ("model", "precision", "gpu", "gpus", "context_tokens",
                                   "engine", "tp", "pp", "concurrent_sequences")),
    "search_layouts": (_layouts, ("model", "gpu", "gpus", "input_tokens", "output_tokens",
                                  "precisions", "engines", "tpot_slo_s", "front_batches",
                                  "max_pp")),
    "from_usage": (_from_usage, ("paths", "format", "columns", "skip_bad_rows")),
    "write_report": (_write_report, ("comparison", "path", "fmt", "xlsx")),
    "write_workbook": (_write_workbook, ("comparison", "path")),
    "pass_at_k": (_pass_at_k, ("n", "correct", "k")),
}  # fmt: skip

#: Keys a replaced mapping argument carries (so the message may name the key instead).
_KEYED = {"overrides": "workload.requests_per_month", "inputs": "requests_per_month",
          "ranges": "gpt-4o.input_usd_per_mtok", "constants": "requests_per_month"}  # fmt: skip


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
        key = _KEYED.get(self.argument)
        if key is not None and not isinstance(value, dict):
            value = {key: value}
        return fn(**{self.argument: value})

    def names(self) -> tuple[str, ...]:
        """What a message about this case may name: the argument, or a key it carries."""
        extra: tuple[str, ...] = ()
        key = _KEYED.get(self.argument)
        if key is not None:
            extra = (*key.split("."), key)
            if isinstance(self.value, dict):
                extra += tuple(str(k) for k in self.value)
        elif self.argument == "fmt":
            extra = ("format",)  # the CLI's --format, which write_report serves too
        elif self.argument in ("paths", "path", "xlsx", "scenario"):
            extra = ("file", "directory", "suffix")  # a bad path: the message names the file
        if self.argument == "scenario":
            extra += ("scenario", "workload", "options", "name")
        elif self.function.startswith("breakeven") and self.argument in ("lo", "hi"):
            extra = ("requests_per_month",)  # the model's own domain for the variable
        return (self.argument, *extra)


def api_case(pick: Picker) -> ApiCase:
    """A random call with one hostile argument."""
    function = pick.choice(sorted(CALLS))
    return ApiCase(function, pick.choice(CALLS[function][1]), pick.choice(VALUES))


__all__ = ["BASE", "CALLS", "VALUES", "ApiCase", "api_case"]
