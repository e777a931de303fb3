"""User-facing scenarios: pydantic configs, TOML loading, and the ``compare()`` orchestrator.

::

    from llmcost.scenario import compare, load_scenario, scenario_model

    result = compare(load_scenario("examples/scenarios/chat-assistant.toml"))
    result.cheapest, result.to_frame()
    model = scenario_model(load_scenario("examples/scenarios/chat-assistant.toml"))
    model({"requests_per_month": volumes})  # each option's monthly cost, vectorized
"""

from .bounds import VARIABLE_RANGES, check_uncertainty_ranges
from .breakeven import ScenarioBreakeven, SearchRange, default_search_range, scenario_breakeven
from .comparison import Comparison, OptionResult, compare, scenario_model
from .config import (
    PRICING_MODES,
    SELF_HOSTED_DEFAULTS,
    ApiOption,
    Feature,
    Scenario,
    SelfHostedOption,
    UncertainInput,
    Workload,
)
from .horizon_draws import HorizonMonteCarlo, horizon_monte_carlo
from .loading import load_scenario, parse_scenario
from .model import (
    API_VARIABLES,
    OWNED_VARIABLES,
    RENTAL_VARIABLES,
    SELF_HOSTED_VARIABLES,
    WORKLOAD_VARIABLES,
    ScenarioModel,
)
from .uncertainty import ScenarioSpace, default_uncertainty, scenario_space
from .verdict import Verdict, verdict

__all__ = [
    "API_VARIABLES",
    "OWNED_VARIABLES",
    "PRICING_MODES",
    "RENTAL_VARIABLES",
    "SELF_HOSTED_DEFAULTS",
    "SELF_HOSTED_VARIABLES",
    "VARIABLE_RANGES",
    "WORKLOAD_VARIABLES",
    "ApiOption",
    "Comparison",
    "Feature",
    "HorizonMonteCarlo",
    "OptionResult",
    "Scenario",
    "ScenarioBreakeven",
    "ScenarioModel",
    "ScenarioSpace",
    "SearchRange",
    "SelfHostedOption",
    "UncertainInput",
    "Verdict",
    "Workload",
    "check_uncertainty_ranges",
    "compare",
    "default_search_range",
    "default_uncertainty",
    "horizon_monte_carlo",
    "load_scenario",
    "parse_scenario",
    "scenario_breakeven",
    "scenario_model",
    "scenario_space",
    "verdict",
]
