"""The uncertain inputs of a scenario as a :class:`~llmcost.analysis.space.ParameterSpace`.

The space comes from the scenario's ``[uncertainty]`` table or, without one, from documented
default ranges (:func:`default_uncertainty`). Either way every input's **baseline is the
scenario's own value** (the plan's volume, the option's GPU price, its engineering FTE, 1 for
the price and capacity multipliers), never the middle of the distribution: a tornado's baseline
output is then exactly the difference :func:`~llmcost.scenario.compare` reports.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._core.errors import InvalidInputError
from ..analysis.space import ParameterSpace
from ..cost.load import profile_from_peak_to_average
from .bounds import check_uncertainty_ranges
from .config import Scenario
from .model import ScenarioModel

__all__ = ["ScenarioSpace", "default_uncertainty", "scenario_space", "scenario_values"]


def default_uncertainty(model: ScenarioModel) -> dict[str, tuple[dict[str, Any], str]]:
    """Default distributions, each with the reason for it, for a scenario with no table.

    Volume: lognormal with P5/P95 at ½× and 2× the plan. API prices: triangular 0.6–1.1× (list
    prices have mostly fallen). Self-hosted capacity: triangular 0.7–1.15× (the performance
    model's error band). Target utilization 0.75–1.15× (when that stays ≤ 1). Rented GPU price:
    triangular 0.7–1.3×; owned purchase price 0.85–1.2×; engineering effort 0.5–2×.
    Peak-to-average 0.8–1.3× (at least 1), unless the scenario gives an hourly profile.
    """
    base = model.baseline()
    out: dict[str, tuple[dict[str, Any], str]] = {}
    rpm = base.get("requests_per_month", 0.0)
    if rpm > 0:
        out["requests_per_month"] = (
            {"dist": "lognormal", "p5": rpm / 2, "p95": rpm * 2},
            "demand forecast: P5/P95 at ½× and 2× the plan",
        )
    peak = base.get("peak_to_average", 1.0)
    synthetic = np.allclose(model.mix.hourly_weights, profile_from_peak_to_average(peak))
    if synthetic and peak > 1.0:  # a given hourly profile is not replaced by a synthetic one
        out["peak_to_average"] = (
            {"dist": "triangular", "low": max(1.0, 0.8 * peak), "mode": peak, "high": 1.3 * peak},
            "the peak hour is forecast less well than the monthly total",
        )
    for ev in model.evaluators:
        n = ev.name
        if ev.kind == "api":
            out[f"{n}.api_price_multiplier"] = (
                {"dist": "triangular", "low": 0.6, "mode": 1.0, "high": 1.1},
                "API list prices have mostly fallen; a small rise allowed",
            )
            continue
        out[f"{n}.capacity_multiplier"] = (
            {"dist": "triangular", "low": 0.7, "mode": 1.0, "high": 1.15},
            "error band of the performance model vs measured serving",
        )
        util = base.get(f"{n}.target_utilization")
        if util is not None and util > 0 and 1.15 * util <= 1.0:
            out[f"{n}.target_utilization"] = (
                {"dist": "triangular", "low": 0.75 * util, "mode": util, "high": 1.15 * util},
                "how hard replicas can be run before latency suffers",
            )
        for key, low, high, why in (
            ("gpu_usd_per_hour", 0.7, 1.3, "GPU rental prices vary by provider and month"),
            ("purchase_usd_per_gpu", 0.85, 1.2, "server quotes vary"),
            ("engineering_fte", 0.5, 2.0, "operating effort is uncertain"),
        ):
            value = base.get(f"{n}.{key}")
            if value is not None and np.isfinite(value) and value > 0:
                out[f"{n}.{key}"] = (
                    {"dist": "triangular", "low": low * value, "mode": value, "high": high * value},
                    why,
                )
    return out


@dataclass(frozen=True)
class ScenarioSpace:
    """A scenario's uncertain inputs and where each came from.

    Attributes
    ----------
    space : the inputs, baselines at the scenario's values
    sources : input name → "scenario [uncertainty]" or "default: <reason>"
    """

    space: ParameterSpace
    sources: dict[str, str]


def _at_scenario_values(space: ParameterSpace, model: ScenarioModel) -> ParameterSpace:
    """``space`` with every baseline replaced by the scenario's value of that input."""
    values = scenario_values(model)
    params = tuple(
        dataclasses.replace(p, baseline=values[p.name]) if p.name in values else p
        for p in space.parameters
    )
    return dataclasses.replace(space, parameters=params)


def scenario_values(model: ScenarioModel) -> dict[str, float]:
    """The scenario's value of every input that has one.

    :meth:`ScenarioModel.baseline`, plus each global option input (``gpu_usd_per_hour`` for all
    options) whose options all share one value.
    """
    base = model.baseline()
    shared: dict[str, set[float]] = {}
    for name, value in base.items():
        option, _, key = name.rpartition(".")
        if option in model.option_names:
            shared.setdefault(key, set()).add(float(value))
    return {k: v.pop() for k, v in shared.items() if len(v) == 1 and k not in base} | base


def scenario_space(scenario: Scenario, model: ScenarioModel) -> ScenarioSpace:
    """The scenario's ``[uncertainty]`` table as a space (or the defaults).

    Baselines at the scenario's values. Raises before any draw if a distribution can leave its
    input's allowed range (:func:`~llmcost.scenario.bounds.check_uncertainty_ranges`).
    """
    if scenario.uncertainty:
        spec = {k: v.model_dump(exclude_none=True) for k, v in scenario.uncertainty.items()}
        try:
            space = ParameterSpace.from_dict(spec)
        except InvalidInputError as exc:
            raise InvalidInputError(f"the scenario's [uncertainty] table: {exc}") from None
        check_uncertainty_ranges(space)
        sources = dict.fromkeys(spec, "scenario [uncertainty]")
    else:
        defaults = default_uncertainty(model)
        if not defaults:
            raise InvalidInputError(
                "no uncertain inputs: add an [uncertainty] table to the scenario"
            )
        space = ParameterSpace.from_dict({k: spec for k, (spec, _) in defaults.items()})
        check_uncertainty_ranges(space, prefix="default uncertainty of ")
        sources = {k: f"default: {why}" for k, (_, why) in defaults.items()}
    return ScenarioSpace(_at_scenario_values(space, model), sources)
