"""llmcost: should we serve Llama ourselves on GPUs, or pay per token for an API.

A pure library (no server, no network): a sourced catalog of models, GPUs and prices; a
performance model of Llama serving; API billing and self-hosted TCO; break-even solvers and
sensitivity analysis; finance-ready exports.

The names most scripts need are available at the top level and imported on first use, so
``import llmcost`` stays cheap::

    import llmcost

    result = llmcost.compare(llmcost.load_scenario("examples/scenarios/chat-assistant.toml"))
    result.to_frame()

Everything else lives in the layers: :mod:`llmcost.catalog`, :mod:`llmcost.perf`,
:mod:`llmcost.cost`, :mod:`llmcost.analysis`, :mod:`llmcost.scenario`, :mod:`llmcost.export`,
:mod:`llmcost.testing`.
"""

from __future__ import annotations

import typing as _typing
from importlib import import_module as _import_module

from ._core.errors import (
    CatalogError,
    InfeasibleError,
    InvalidInputError,
    LlmcostError,
    PriceNotYetAvailableError,
    StaleCatalogWarning,
    UnknownIdError,
    UnsupportedPrecisionError,
)

__version__ = "0.1.0"

#: public name → the subpackage that defines it (imported lazily, PEP 562).
_LAZY: dict[str, str] = {
    **dict.fromkeys(
        [
            "ApiOption",
            "Comparison",
            "Scenario",
            "SelfHostedOption",
            "Workload",
            "compare",
            "load_scenario",
            "parse_scenario",
            "scenario_model",
        ],
        "llmcost.scenario",
    ),
    **dict.fromkeys(["Catalog", "load_catalog"], "llmcost.catalog"),
    **dict.fromkeys(["estimate_serving", "memory_footprint"], "llmcost.perf"),
    "fit_engine_profile": "llmcost.perf.fit",
    "calibrate": "llmcost.scenario.calibration",
    **dict.fromkeys(
        [
            "ParameterSpace",
            "breakeven",
            "breakeven_pairs",
            "monte_carlo",
            "monte_carlo_stream",
            "pass_at_k",
            "sobol",
            "sweep",
            "tornado",
        ],
        "llmcost.analysis",
    ),
    **dict.fromkeys(["write_report", "write_workbook"], "llmcost.export"),
}

__all__ = [
    "ApiOption",
    "Catalog",
    "CatalogError",
    "Comparison",
    "InfeasibleError",
    "InvalidInputError",
    "LlmcostError",
    "ParameterSpace",
    "PriceNotYetAvailableError",
    "Scenario",
    "SelfHostedOption",
    "StaleCatalogWarning",
    "UnknownIdError",
    "UnsupportedPrecisionError",
    "Workload",
    "__version__",
    "breakeven",
    "breakeven_pairs",
    "calibrate",
    "compare",
    "estimate_serving",
    "fit_engine_profile",
    "load_catalog",
    "load_scenario",
    "memory_footprint",
    "monte_carlo",
    "monte_carlo_stream",
    "parse_scenario",
    "pass_at_k",
    "scenario_model",
    "sobol",
    "sweep",
    "tornado",
    "write_report",
    "write_workbook",
]


def __getattr__(name: str) -> _typing.Any:
    """Import a top-level name from its subpackage on first use."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'llmcost' has no attribute {name!r}")
    value = getattr(_import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(__all__) | {n for n in globals() if n.startswith("__")})


if _typing.TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from .analysis import (
        ParameterSpace,
        breakeven,
        breakeven_pairs,
        monte_carlo,
        monte_carlo_stream,
        pass_at_k,
        sobol,
        sweep,
        tornado,
    )
    from .catalog import Catalog, load_catalog
    from .export import write_report, write_workbook
    from .perf import estimate_serving, memory_footprint
    from .perf.fit import fit_engine_profile
    from .scenario import (
        ApiOption,
        Comparison,
        Scenario,
        SelfHostedOption,
        Workload,
        compare,
        load_scenario,
        parse_scenario,
        scenario_model,
    )
    from .scenario.calibration import calibrate

del annotations  # the __future__ feature object; not part of the public namespace
