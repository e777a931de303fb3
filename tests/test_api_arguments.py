"""Issue #19: a bad argument to a public API function raises an LlmcostError naming the
argument, the value as given and what is allowed (never a TypeError, ValueError, OverflowError
or AttributeError from numpy, pydantic or Python)."""

from __future__ import annotations

import functools
import math
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import llmcost
from llmcost import InvalidInputError
from llmcost._core.arguments import name_arg, real_arg, whole_arg
from llmcost.perf import search_layouts
from llmcost.workload import from_usage

CHAT = Path(__file__).resolve().parents[1] / "examples" / "scenarios" / "chat-assistant.toml"


@functools.cache
def _model() -> Any:
    return llmcost.scenario_model(CHAT)


@functools.cache
def _space() -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return llmcost.load_scenario(CHAT).parameter_space()


@functools.cache
def _specs() -> tuple[Any, Any]:
    c = llmcost.load_catalog()
    return c.model_spec("llama-3.1-8b"), c.gpu_spec("h100-sxm")


def _options() -> list[str]:
    return list(_model().option_names)


def _raises(call: Any, *parts: str) -> str:
    with pytest.raises(InvalidInputError) as info:
        call()
    message = str(info.value)
    for part in parts:
        assert part in message, (part, message)
    assert "\n" not in message, message
    assert "np.float64(" not in message, message
    return message


# -- the helpers ---------------------------------------------------------------------------


def test_real_arg_refuses_booleans_nan_inf_huge_and_out_of_range() -> None:
    assert real_arg(np.float64(2.5), "x") == 2.5
    _raises(lambda: real_arg(True, "x"), "x must be a number", "True")
    _raises(lambda: real_arg(math.nan, "x"), "x must be a finite number", "nan")
    _raises(lambda: real_arg(10**400, "x"), "x must be a finite number")
    _raises(lambda: real_arg(-1, "x", lo=0), "x must be ≥ 0", "-1")
    _raises(lambda: real_arg(0, "x", lo=0, lo_open=True), "x must be > 0")
    _raises(lambda: real_arg("1", "x"), "x must be a number", "'1'")


def test_whole_arg_takes_whole_floats_and_names_huge_ints_by_length() -> None:
    assert whole_arg(64.0, "n") == 64
    assert whole_arg(np.int64(3), "n") == 3
    _raises(lambda: whole_arg(0.5, "n"), "n must be a whole number", "0.5")
    huge = 10**400
    _raises(lambda: whole_arg(huge, "n", lo=1, hi=10), "whole number ≥ 1 and ≤ 10", "401-digit")


def test_name_arg_suggests_the_closest_name() -> None:
    _raises(
        lambda: name_arg("lgo", "scale", ("linear", "log")),
        "scale must be one of linear, log",
        "got 'lgo'",
        "did you mean 'log'",
    )


# -- the entry points ----------------------------------------------------------------------


def test_compare_refuses_a_wrong_catalog_date_and_overrides() -> None:
    _raises(lambda: llmcost.compare(CHAT, catalog={}), "catalog must be a Catalog", "dict")
    _raises(lambda: llmcost.compare(CHAT, as_of="2025-13-45"), "as_of", "2025-13-45")
    _raises(lambda: llmcost.compare(CHAT, as_of=3), "as_of must be a date", "int")
    _raises(lambda: llmcost.compare(CHAT, overrides=[1]), "overrides must be a mapping")
    _raises(
        lambda: llmcost.compare(CHAT, overrides={"workload.requests_per_month": np.array([1, 2])}),
        "workload.requests_per_month",
        "[1, 2]",
    )


def test_breakeven_names_each_bad_argument() -> None:
    a, b = _options()[:2]

    def call(**kw: Any) -> Any:
        args = {"variable": "requests_per_month", "lo": 1e5, "hi": 1e8} | kw
        return llmcost.breakeven(
            _model(), args.pop("variable"), args.pop("lo"), args.pop("hi"),
            option_a=args.pop("option_a", a), option_b=args.pop("option_b", b), **args,
        )  # fmt: skip

    _raises(lambda: call(variable="requests_per_mnth"), "variable must be one of", "did you mean")
    _raises(lambda: call(lo=math.inf), "lo must be a finite number", "inf")
    _raises(lambda: call(hi=True), "hi must be a number", "True")
    _raises(lambda: call(option_a="nope"), "option_a must be one of", "'nope'")
    _raises(lambda: call(n_grid=10**30), "n_grid must be a whole number ≥ 2 and ≤ 10,000,000")
    _raises(lambda: call(scale="lgo"), "scale must be one of", "did you mean 'log'")
    _raises(lambda: call(inputs=[1]), "inputs must be a mapping")
    _raises(lambda: call(inputs={"peak_to_average": 10**400}), "'peak_to_average'", "401-digit")


def test_breakeven_pairs_checks_the_pairs_and_the_tolerance() -> None:
    names = _options()

    def call(**kw: Any) -> Any:
        model = _model()
        return llmcost.breakeven_pairs(model, "requests_per_month", 1e5, 1e8, options=names, **kw)

    _raises(lambda: call(pairs="ab"), "pairs must be a non-empty list of option pairs")
    _raises(lambda: call(pairs=[("x",)]), "pairs[0] must be two option names")
    _raises(lambda: call(pairs=[(names[0], "nope")]), "pairs[0] must be one of", "'nope'")
    _raises(lambda: call(xtol_rel="1"), "xtol_rel must be a number")
    _raises(lambda: call(xtol_rel=-1.0), "xtol_rel must be > 0")


def test_tornado_monte_carlo_and_sobol_name_their_arguments() -> None:
    out = _options()[0]
    _raises(lambda: llmcost.tornado(_model(), 3, out), "space must be a ParameterSpace", "int")
    _raises(lambda: llmcost.tornado(_model(), _space(), "nope"), "output must be one of")
    _raises(lambda: llmcost.tornado(_model(), _space(), out, quantiles="x"), "quantiles must be")
    _raises(lambda: llmcost.tornado(_model(), _space(), out, relative=2.0), "relative", "≤ 1")
    _raises(
        lambda: llmcost.tornado(_model(), _space(), out, relative=0.9),
        "relative=0.9 moves an input outside what it allows",
    )
    mc = functools.partial(llmcost.monte_carlo, _model(), _space())
    _raises(lambda: mc(10**30), "n must be a whole number ≥ 1")
    _raises(lambda: mc(64, seed=math.nan), "seed must be a whole number", "nan")
    _raises(lambda: mc(64, percentiles=[50, 101]), "percentiles[1] must be ≤ 100", "101")
    _raises(lambda: mc(64, backend="dsk"), "backend must be one of", "did you mean 'dask'")
    _raises(lambda: mc(64, chunk_rows=None), "chunk_rows must be a whole number", "None")
    sb = functools.partial(llmcost.sobol, _model(), _space(), out)
    _raises(lambda: sb(n_base=math.inf), "n_base must be a whole number", "inf")
    _raises(lambda: sb(n_bootstrap=1), "n_bootstrap must be a whole number ≥ 2")
    _raises(lambda: sb(confidence_level="x"), "confidence_level must be a number")
    _raises(lambda: sb(method="sobl"), "method must be one of", "did you mean 'sobol'")


def test_sweep_checks_inputs_grid_and_budget() -> None:
    sw = functools.partial(llmcost.sweep, _model())
    _raises(lambda: sw({"requests_per_month": 10**400}), "'requests_per_month'", "401-digit")
    _raises(lambda: sw({"requests_per_month": 1e300}), "requests_per_month must be a number")
    _raises(lambda: sw({"requests_per_month": [1e5]}, grid=np.array([1])), "grid must be True")
    _raises(lambda: sw({"requests_per_month": [1e5]}, memory_budget_gb=0), "memory_budget_gb")


def test_perf_functions_refuse_wrong_specs_and_arguments() -> None:
    model, gpu = _specs()
    est = functools.partial(
        llmcost.estimate_serving, model, gpu, precision="fp8", input_tokens=500,
        output_tokens=100, max_throughput=True,
    )  # fmt: skip
    _raises(
        lambda: llmcost.estimate_serving("llama-3.1-8b", gpu, gpus=1, precision="fp8",
                                         input_tokens=1, output_tokens=1, max_throughput=True),
        "model must be a ModelSpec (Catalog.model_spec(id)); got str 'llama-3.1-8b'",
    )  # fmt: skip
    _raises(lambda: est(gpus=0.5), "gpus must be a whole number from 1 to 1,024", "0.5")
    _raises(lambda: est(gpus=[]), "gpus must hold at least one number")
    _raises(lambda: est(gpus=10**400), "gpus must be a finite number", "401-digit")
    _raises(lambda: est(gpus=1, pp=2), "gpus must be a multiple of pp × ep to infer tp")
    _raises(lambda: est(gpus=1, engine=["vllm"]), "engine must be an engine id")
    _raises(lambda: est(gpus=1, precision=np.float64(1)), "precision must be one of", "got 1.0")
    _raises(lambda: est(gpus=1, output_tokens=1e-300), "output_tokens must be ≥ 1")
    _raises(
        lambda: llmcost.memory_footprint(model, "fp8", gpu="h100-sxm"),
        "gpu must be a GpuSpec (Catalog.gpu_spec(id)); got str 'h100-sxm'",
    )
    lay = functools.partial(search_layouts, model, gpu, input_tokens=500.0, output_tokens=100.0)
    _raises(lambda: lay(gpus=10**30), "gpus must be a whole number ≥ 1 and ≤ 65,536")
    _raises(lambda: lay(gpus=2, precisions=3), "precisions must be a list of names")
    _raises(lambda: lay(gpus=2, engines=["vlm"]), "engines[0] must be one of", "did you mean")
    _raises(lambda: lay(gpus=2, front_batches=2**31), "front_batches must be a whole number ≥ 2")
    _raises(lambda: lay(gpus=2, tpot_slo_s=[1, 2]), "tpot_slo_s must be a number")


def test_usage_import_and_writers_name_their_arguments(tmp_path: Path) -> None:
    _raises(lambda: from_usage(3), "paths must be a file path or a list of file paths", "3")
    _raises(lambda: from_usage([tmp_path / "a.csv", 1]), "paths must be a file path")
    _raises(lambda: from_usage(CHAT, format=["csv"]), "format must be a non-empty", "['csv']")
    _raises(lambda: from_usage(CHAT, columns={"timestamp": 1}), "columns['timestamp']")
    _raises(lambda: llmcost.write_report("x", tmp_path / "r.md"), "comparison must be the result")
    _raises(lambda: llmcost.write_workbook("x", tmp_path / "b.xlsx"), "comparison must be")
    comparison = llmcost.compare(CHAT)
    _raises(lambda: llmcost.write_workbook(comparison, tmp_path), "is a directory")
    _raises(lambda: llmcost.write_workbook(comparison, tmp_path / "b.pdf"), "ending in .xlsx")
    _raises(lambda: llmcost.write_workbook(comparison, 3), "path must be a file path")
    assert list(tmp_path.iterdir()) == []


def test_sweep_constant_that_is_not_a_number_is_named() -> None:
    """Fuzz find: a text constant reached float() inside sweep (ValueError)."""

    def model(x: dict[str, Any]) -> dict[str, Any]:
        return {"cost": x["a"] * x["b"]}

    with pytest.raises(InvalidInputError, match=r"constants\['b'\] must be a number"):
        llmcost.sweep(model, {"a": [1.0, 2.0]}, constants={"b": "2025-13-45"})


def test_scenario_path_too_long_for_the_file_system_is_named() -> None:
    """Fuzz find: a 400-character file name raised OSError (ENAMETOOLONG) from pathlib."""
    with pytest.raises(InvalidInputError, match="scenario file cannot be read"):
        llmcost.load_scenario("9" * 400)
