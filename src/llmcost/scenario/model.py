"""A scenario as a vectorized model: arrays of overridden inputs → each option's monthly cost.

The analysis layer (break-even, sweeps, Monte Carlo, Sobol) calls :class:`ScenarioModel` with
named arrays. Capacity comes from the performance model once, when the model is built
(:func:`llmcost.scenario.scenario_model`); an evaluation is numpy only, chunked to bound memory.

Variables (:data:`WORKLOAD_VARIABLES`, :data:`API_VARIABLES`, :data:`SELF_HOSTED_VARIABLES`,
:data:`OWNED_VARIABLES`): a plain name (``gpu_usd_per_hour``) applies to every option that has
that input; ``"option_name.input"`` to one option (split at the last dot, so option names may
contain dots). Unknown names raise with "did you mean".

Images per request are not a variable: each option's image tokens (and the long-context tier
and capacity they imply) are fixed when the model is built, as in :func:`compare`. So are the
tokens per request, hence the context check: an option whose feature exceeds its context limit
(offer window, model context, one replica's KV cache) has ``feasible`` False everywhere.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from .._core._arrays import as_float_array
from .._core.display import plain
from .._core.errors import InvalidInputError, close_matches
from ..cost.load import profile_from_peak_to_average
from .evaluators import ApiEvaluator, SelfHostedEvaluator, WorkloadArrays
from .workload import FeatureMix

__all__ = [
    "API_VARIABLES",
    "OWNED_VARIABLES",
    "RENTAL_VARIABLES",
    "SELF_HOSTED_VARIABLES",
    "WORKLOAD_VARIABLES",
    "ScenarioModel",
]

#: Inputs of the workload, applied to every option [unit in the description].
WORKLOAD_VARIABLES: dict[str, str] = {
    "requests_per_month": "all features together, split by their base shares [requests/month]",
    "tokens_per_month": "input + output text tokens of all features (image tokens, which "
    "differ by option, excluded); sets requests_per_month through the mix's average request "
    "[tokens/month]",
    "cached_input_fraction": "prompt-cache hit share of input tokens, every feature [0–1]; "
    "lowers the API bill and raises self-hosted capacity",
    "batch_eligible_fraction": "share of requests that may use a batch API, every feature [0–1]",
    "peak_to_average": "peak hour over the average hour; replaces the daily profile [ratio]",
}
#: Inputs of an API option.
API_VARIABLES: dict[str, str] = {
    "api_price_multiplier": "scales every token price of the offer [ratio]",
    "batch_discount_fraction": "discount of the batch API [0–1]",
}
#: Inputs of every self-hosted option.
SELF_HOSTED_VARIABLES: dict[str, str] = {
    "capacity_multiplier": "scales the capacity per replica from the performance model [ratio]",
    "target_utilization": "planned load of a replica [0–1]",
    "min_replicas": "replicas always running [replicas]",
    "max_replicas": "cap on replicas (NaN: none) [replicas]",
    "engineering_fte": "engineers running the service [FTE]",
    "fte_usd_per_year": "fully-loaded cost of one FTE [USD/year]",
    "fixed_usd_per_month": "software, monitoring… [USD/month]",
    "networking_storage_usd_per_month": "network and storage [USD/month]",
}
#: Inputs of rented self-hosted options only.
RENTAL_VARIABLES: dict[str, str] = {
    "gpu_usd_per_hour": "price of the pricing term (on-demand, reserved or spot) [USD/GPU-hour]",
    "on_demand_usd_per_gpu_hour": "price of the peak above a reservation [USD/GPU-hour]",
    "commitment_fraction": "reserved share of the peak fleet (NaN: the always-on base) [0–1]",
    "spot_interruption_overhead_fraction": "extra spot GPU-hours lost to preemption [0–1]",
}
#: Inputs of owned self-hosted options only.
OWNED_VARIABLES: dict[str, str] = {
    "purchase_usd_per_gpu": "all-in purchase price per GPU [USD]",
    "life_years": "depreciation life [years]",
    "residual_fraction": "resale value at end of life, share of the purchase [0–1]",
    "cost_of_capital_per_year": "annual rate of the level payment [1/year]",
    "power_kw_per_gpu": "all-in power per GPU at full load [kW]",
    "power_draw_fraction": "average draw share of full load (NaN: from utilization) [0–1]",
    "idle_power_fraction": "draw of an idle server, share of full load [0–1]",
    "pue": "power usage effectiveness [ratio]",
    "usd_per_kwh": "electricity [USD/kWh]",
    "colocation_usd_per_kw_month": "colocation per kW of IT load [USD/kW-month]",
    "maintenance_fraction_per_year": "maintenance, share of the purchase a year [1/year]",
}

Evaluator = ApiEvaluator | SelfHostedEvaluator

#: Scenarios evaluated per chunk: bounds the (chunk × 24 hours) temporaries to a few MB each.
CHUNK_ROWS = 65_536
#: Most points one evaluation takes (larger grids: chunk them, or use dask arrays).
MAX_POINTS = 20_000_000


def option_variables(ev: Evaluator) -> dict[str, str]:
    """The variables one option accepts, with their descriptions."""
    if isinstance(ev, ApiEvaluator):
        return API_VARIABLES
    extra = OWNED_VARIABLES if ev.pricing == "owned" else RENTAL_VARIABLES
    return SELF_HOSTED_VARIABLES | extra


@dataclass(frozen=True)
class ScenarioModel:
    """Each option's monthly cost as a function of named input arrays.

    ``model(inputs)`` returns ``{option name: monthly cost [USD]}`` (NaN where infeasible);
    :meth:`evaluate` returns every output of every option.
    """

    mix: FeatureMix
    evaluators: tuple[Evaluator, ...]

    @property
    def option_names(self) -> tuple[str, ...]:
        """Names of the options, in scenario order."""
        return tuple(ev.name for ev in self.evaluators)

    @property
    def variables(self) -> dict[str, str]:
        """Every accepted input name → description (global names, then ``option.input``)."""
        out = dict(WORKLOAD_VARIABLES)
        for ev in self.evaluators:
            out |= option_variables(ev)
        for ev in self.evaluators:
            out |= {f"{ev.name}.{k}": v for k, v in option_variables(ev).items()}
        return out

    def baseline(self) -> dict[str, float]:
        """The value of every variable in the scenario as given (global names per option)."""
        out: dict[str, float] = {
            "requests_per_month": self.mix.total_requests_per_month,
            "tokens_per_month": self.mix.total_mtok_per_month * 1e6,
            "peak_to_average": self.mix.peak_to_average,
        }
        if len(set(self.mix.cached_input_fraction)) == 1:
            out["cached_input_fraction"] = float(self.mix.cached_input_fraction[0])
        if len(set(self.mix.batch_eligible_fraction)) == 1:
            out["batch_eligible_fraction"] = float(self.mix.batch_eligible_fraction[0])
        for ev in self.evaluators:
            out |= {f"{ev.name}.{k}": v for k, v in ev.base.items()}
        return out

    def contenders(self) -> tuple[str, str] | None:
        """``(challenger, incumbent)`` at the scenario's values.

        The cheapest feasible self-hosted option and the cheapest feasible API option when the
        scenario has both (the self-host-or-pay decision), else the runner-up and the cheapest;
        ``None`` with fewer than two feasible options. The default subject of tornado and break-even
        summaries.
        """
        full = self.evaluate({}, outputs=("monthly_cost_usd", "feasible"))
        cost = {n: float(np.asarray(o["monthly_cost_usd"])) for n, o in full.items()}
        ranked = sorted(
            (
                n
                for n, o in full.items()
                if bool(np.asarray(o["feasible"])) and np.isfinite(cost[n])
            ),
            key=cost.__getitem__,
        )
        kind = {ev.name: ev.kind for ev in self.evaluators}
        best_self = next((n for n in ranked if kind[n] == "self_hosted"), None)
        best_api = next((n for n in ranked if kind[n] == "api"), None)
        if best_self and best_api:
            return best_self, best_api
        return (ranked[1], ranked[0]) if len(ranked) > 1 else None

    def step_signature(
        self, inputs: Mapping[str, ArrayLike] | None = None
    ) -> tuple[np.ndarray, tuple[str, ...]]:
        """Where costs can step.

        An (n, k) array of replica counts (average and peak) and feasibility of every option, and
        the option each column belongs to.

        Between two inputs with the same signature every option's cost is smooth (no replica
        added, none removed, feasibility unchanged), so the break-even engine
        (:mod:`llmcost.analysis.crossings`) enumerates the steps exactly from it.
        """
        keys = ("replicas_avg", "replicas_peak", "feasible")
        full = self.evaluate(inputs)
        columns, owners = [], []
        for name, out in full.items():
            for key in keys:
                if key in out:
                    columns.append(np.asarray(out[key], dtype=np.float64).reshape(-1))
                    owners.append(name)
        return np.column_stack(columns), tuple(owners)

    def __call__(self, inputs: Mapping[str, ArrayLike] | None = None) -> dict[str, Any]:
        """Monthly cost [USD] of each option for the arrays in ``inputs``.

        NaN where the option is infeasible (as :func:`compare` judges it: weights, latency targets,
        replica cap, context limits), which the analyses read as "cannot serve this", never as
        cheapest. :meth:`evaluate` keeps the cost of an infeasible option beside ``feasible``.
        """
        full = self.evaluate(inputs, outputs=("monthly_cost_usd", "feasible"))
        out = {}
        for name, o in full.items():
            cost = np.where(o["feasible"], o["monthly_cost_usd"], np.nan)
            out[name] = cost.item() if cost.ndim == 0 else cost
        return out

    def evaluate(
        self,
        inputs: Mapping[str, ArrayLike] | None = None,
        *,
        outputs: Collection[str] | None = None,
        **overrides: ArrayLike,
    ) -> dict[str, dict[str, Any]]:
        """Every output of every option for the given inputs.

        ``monthly_cost_usd``, ``components.*``, ``features.*``, ``usd_per_mtok``, ``feasible``….

        Inputs broadcast to one shape; a scalar-only call returns floats/bools. ``outputs``
        keeps only the named outputs (faster over large arrays).
        """
        given = dict(inputs or {}) | overrides
        arrays = {k: as_float_array(v, k) for k, v in given.items()}
        self._check_names(arrays)
        try:
            shape = np.broadcast_shapes(*(a.shape for a in arrays.values()))
        except ValueError as exc:
            shapes = ", ".join(f"{k}: {a.shape}" for k, a in arrays.items())
            raise InvalidInputError(f"inputs must broadcast to one shape; got {shapes}") from exc
        flat = {k: np.broadcast_to(a, shape).reshape(-1) for k, a in arrays.items()}
        n = int(np.prod(shape)) if shape else 1
        if n == 0 or n > MAX_POINTS:
            shapes = ", ".join(f"{k}: {a.shape}" for k, a in arrays.items())
            raise InvalidInputError(
                f"inputs must hold between 1 and {MAX_POINTS:,} points; got {n:,} ({shapes})"
            )
        chunks = [
            self._evaluate_flat(
                {k: a[i : i + CHUNK_ROWS] for k, a in flat.items()},
                min(CHUNK_ROWS, n - i),
                outputs,
            )
            for i in range(0, n, CHUNK_ROWS)
        ]
        result: dict[str, dict[str, Any]] = {}
        for name in self.option_names:
            keys = chunks[0][name].keys()
            result[name] = {}
            for key in keys:
                joined = np.concatenate([c[name][key] for c in chunks]).reshape(shape)
                result[name][key] = joined.item() if joined.ndim == 0 else joined
        return result

    # -- internals -------------------------------------------------------------------------

    def _check_names(self, arrays: Mapping[str, Any]) -> None:
        known = self.variables
        for name in arrays:
            if name not in known:
                hint = close_matches(name, known)
                msg = f"unknown input {name!r}"
                if hint:
                    msg += "; did you mean " + " or ".join(repr(h) for h in hint) + "?"
                else:
                    msg += f"; known: {', '.join(known)}"
                raise InvalidInputError(msg)
        if "requests_per_month" in arrays and "tokens_per_month" in arrays:
            raise InvalidInputError("give requests_per_month or tokens_per_month, not both")

    def _workload(self, given: Mapping[str, Any], n: int) -> WorkloadArrays:
        mix = self.mix
        shares = mix.request_shares
        volume = next((k for k in ("tokens_per_month", "requests_per_month") if k in given), None)
        if volume is not None:
            _check_volume(given[volume], volume)
        if "tokens_per_month" in given:
            total = given["tokens_per_month"] / mix.tokens_per_request
        elif "requests_per_month" in given:
            total = given["requests_per_month"]
        else:
            total = np.full(n, mix.total_requests_per_month)
        nf = len(mix.names)

        def per_feature(name: str, base: Any) -> list[Any]:
            value = given.get(name)
            # scalars when not overridden: numpy broadcasts them, no (n,) array to fill
            return [float(base[f]) if value is None else value for f in range(nf)]

        if "peak_to_average" in given:
            weights = profile_from_peak_to_average(given["peak_to_average"])
            ratio = given["peak_to_average"]
        else:
            weights, ratio = mix.hourly_weights, mix.peak_to_average
        return WorkloadArrays(
            names=mix.names,
            request_shares=shares,
            requests_per_month=[total * shares[f] for f in range(nf)],
            input_tokens=mix.input_tokens,
            output_tokens=mix.output_tokens,
            cached_input_fraction=per_feature("cached_input_fraction", mix.cached_input_fraction),
            cache_write_fraction=mix.cache_write_fraction,
            batch_eligible_fraction=per_feature(
                "batch_eligible_fraction", mix.batch_eligible_fraction
            ),
            hourly_weights=weights,
            peak_to_average=ratio,
        )

    def _evaluate_flat(
        self, given: Mapping[str, Any], n: int, outputs: Collection[str] | None
    ) -> dict[str, dict[str, Any]]:
        workload = self._workload(given, n)
        out: dict[str, dict[str, Any]] = {}
        for ev in self.evaluators:
            names = option_variables(ev)
            params: dict[str, Any] = dict(ev.base)
            params |= {k: v for k, v in given.items() if k in names}
            params |= {
                k.rsplit(".", 1)[1]: v
                for k, v in given.items()
                if "." in k and k.rsplit(".", 1)[0] == ev.name
            }
            raw = ev(workload, params)
            out[ev.name] = {k: np.broadcast_to(np.asarray(v), (n,)).copy() for k, v in raw.items()}
        return out


#: Largest monthly volume an evaluation takes [requests or tokens per month]: far above any
#: real workload, low enough that no total overflows to infinity.
MAX_VOLUME_PER_MONTH = 1e18


def _check_volume(value: Any, name: str) -> None:
    """Raise naming ``name`` and the first bad value unless every volume is in [0, 1e18]."""
    arr = np.asarray(value, dtype=float)
    bad = ~np.isfinite(arr) | (arr < 0) | (arr > MAX_VOLUME_PER_MONTH)
    if np.any(bad):
        raise InvalidInputError(
            f"{name} must be a number from 0 to {MAX_VOLUME_PER_MONTH:g} per month; got "
            f"{plain(arr[bad].flat[0])}"
        )
