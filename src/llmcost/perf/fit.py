"""Fit an engine profile to your own throughput measurements, and score any profile on them.

The measurement table has one row per benchmark run, columns named like the CLI grid:
``model``, ``gpu``, ``gpus``, ``precision``, ``input_tokens``, ``output_tokens``, and one of
``batch`` / ``concurrency`` / ``max_throughput`` (empty or missing: max throughput), optional
``tp``, ``pp``, ``ep``, ``kv_precision``, ``quant_scope``, ``requests`` (the request count of a
finite offline run; see :mod:`llmcost.perf.batchjob`), and the measured
``measured_output_tokens_per_s`` (output tokens per second of the whole replica). The fit
minimises the mean absolute log error over a few global factors of the profile (bounded
Nelder-Mead, scipy; optionally balanced over configuration groups), so that one profile
serves every row — not one factor per row.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from .._core.errors import InvalidInputError
from .._core.specs import GpuSpec, ModelSpec
from .engines import EngineProfile, get_engine_profile
from .serving import estimate_serving

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["DEFAULT_FIT_FACTORS", "ProfileFit", "fit_engine_profile", "predict_measurements"]

#: Factors fitted by default, with their bounds.
DEFAULT_FIT_FACTORS: dict[str, tuple[float, float]] = {
    "bandwidth_efficiency": (0.2, 1.0),
    "compute_efficiency": (0.1, 1.0),
    "sequence_layer_overhead_s": (0.0, 5e-6),
    "interconnect_efficiency": (0.1, 1.0),
    "reserve_gb_per_gpu": (0.0, 20.0),
}
_MEASURED = "measured_output_tokens_per_s"
_REQUIRED = ("model", "gpu", "gpus", "precision", "input_tokens", "output_tokens", _MEASURED)


class SpecSource(Protocol):
    """Anything that can look up specs by id, e.g. :class:`llmcost.catalog.Catalog`."""

    def model_spec(self, model_id: str) -> ModelSpec: ...

    def gpu_spec(self, gpu_id: str) -> GpuSpec: ...


@dataclass(frozen=True)
class ProfileFit:
    """A fitted profile with its per-row predictions and errors.

    ``predictions`` holds the input rows plus ``predicted_output_tokens_per_s`` and
    ``error_pct`` (100 × (predicted / measured − 1)).
    """

    profile: EngineProfile
    predictions: pd.DataFrame
    median_abs_pct_error: float
    max_abs_pct_error: float
    fitted: dict[str, float]


def _lookup(specs: SpecSource | Mapping[str, Any], kind: str, key: str) -> Any:
    if isinstance(specs, Mapping):
        if key not in specs:
            from .._core.errors import UnknownIdError

            raise UnknownIdError(kind, key, [k for k, v in specs.items() if _is_kind(v, kind)])
        return specs[key]
    return specs.model_spec(key) if kind == "model" else specs.gpu_spec(key)


def _is_kind(value: Any, kind: str) -> bool:
    return isinstance(value, ModelSpec if kind == "model" else GpuSpec)


def _opt(value: Any) -> Any:
    """None for missing cells (NaN, None, empty)."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value == "":
        return None
    return value


def predict_measurements(
    measurements: pd.DataFrame,
    profile: str | EngineProfile,
    specs: SpecSource | Mapping[str, Any],
) -> np.ndarray:
    """Predicted output tokens/s for every row of ``measurements`` (vectorized per group)."""
    missing = [c for c in _REQUIRED[:-1] if c not in measurements.columns]
    if missing:
        raise InvalidInputError(f"measurements need columns {', '.join(missing)}")
    frame = measurements.reset_index(drop=True)
    optional = ["tp", "pp", "ep", "kv_precision", "quant_scope", "batch", "concurrency",
                "requests"]  # fmt: skip
    for col in optional:
        if col not in frame.columns:
            frame[col] = None
    frame["_mode"] = np.where(
        frame["batch"].map(_opt).notna(),
        "batch",
        np.where(frame["concurrency"].map(_opt).notna(), "concurrency", "max_throughput"),
    )
    keys = ["model", "gpu", "gpus", "precision", "tp", "pp", "ep", "kv_precision", "quant_scope",
            "_mode"]  # fmt: skip
    out = np.full(len(frame), np.nan)
    grouped = frame.assign(**{k: frame[k].map(_opt).astype(object) for k in keys}).groupby(
        keys, dropna=False, sort=False
    )
    for key, rows in grouped:
        g: dict[str, Any] = dict(zip(keys, key, strict=True))
        mode = g["_mode"]
        est = estimate_serving(
            _lookup(specs, "model", g["model"]),
            _lookup(specs, "GPU", g["gpu"]),
            gpus=int(g["gpus"]),
            precision=str(g["precision"]).lower(),
            input_tokens=rows["input_tokens"].to_numpy(float),
            output_tokens=rows["output_tokens"].to_numpy(float),
            engine=profile,  # an id resolves per GPU (vllm-rocm on AMD GPUs)
            kv_precision=_opt(g["kv_precision"]),
            tp=None if _opt(g["tp"]) is None else int(g["tp"]),
            pp=1 if _opt(g["pp"]) is None else int(g["pp"]),
            ep=None if _opt(g["ep"]) is None else int(g["ep"]),
            batch=rows["batch"].to_numpy(float) if mode == "batch" else None,
            concurrency=rows["concurrency"].to_numpy(float) if mode == "concurrency" else None,
            max_throughput=mode == "max_throughput",
            requests=_requests(rows) if mode == "max_throughput" else None,
            quant_scope=_opt(g["quant_scope"]) or "checkpoint",
        )
        out[rows.index.to_numpy()] = np.broadcast_to(est.output_tokens_per_s, len(rows))
    return out


def _requests(rows: pd.DataFrame) -> np.ndarray | None:
    """The rows' finite request counts, or None if none is given (an endless queue)."""
    counts = rows["requests"].map(_opt)
    if counts.isna().all():
        return None
    if counts.isna().any():
        raise InvalidInputError("requests must be given for all or none of a group's rows")
    return counts.to_numpy(float)


def _score(pred: np.ndarray, measured: np.ndarray, weights: np.ndarray) -> float:
    with np.errstate(invalid="ignore", divide="ignore"):
        err = np.abs(np.log(pred / measured))
    return float(np.average(np.where(np.isfinite(err), err, 5.0), weights=weights))


def _group_weights(measurements: pd.DataFrame) -> np.ndarray:
    """1 / size of the row's (model, gpu, precision, gpus) group.

    Every configuration counts the same however many length combinations it was measured at.
    """
    keys = [k for k in ("model", "gpu", "precision", "gpus") if k in measurements.columns]
    sizes = measurements.groupby(keys, sort=False)[keys[0]].transform("size")
    return 1.0 / sizes.to_numpy(float)


def fit_engine_profile(
    measurements: pd.DataFrame,
    *,
    base: EngineProfile | str,
    specs: SpecSource | Mapping[str, Any],
    factors: Mapping[str, tuple[float, float]] | Sequence[str] | None = None,
    balance_groups: bool = False,
    max_iterations: int = 400,
    restarts: int = 2,
) -> ProfileFit:
    """Fit ``factors`` of ``base`` to measured output tokens/s.

    Parameters
    ----------
    measurements
        Table of runs (see module docstring) with ``measured_output_tokens_per_s``.
    base
        Starting profile; unfitted fields are kept.
    specs
        Where to find ``ModelSpec``/``GpuSpec`` by id: a catalog or a ``{id: spec}`` mapping.
    factors
        Names (default bounds) or ``{name: (low, high)}``; default :data:`DEFAULT_FIT_FACTORS`.
    balance_groups
        Weight rows so that each (model, GPU, precision, GPU count) group weighs the same;
        by default every row weighs the same.
    max_iterations, restarts
        Nelder-Mead iterations per run, and how many times to restart from the last optimum.
    """
    from scipy.optimize import minimize

    if _MEASURED not in measurements.columns:
        raise InvalidInputError(f"measurements need a {_MEASURED} column")
    measured = measurements[_MEASURED].to_numpy(float)
    if np.any(~(measured > 0)):
        raise InvalidInputError(f"{_MEASURED} must be > 0 on every row")
    start = get_engine_profile(base)
    weights = _group_weights(measurements) if balance_groups else np.ones(len(measured))
    if factors is None:
        bounds = dict(DEFAULT_FIT_FACTORS)
    elif isinstance(factors, Mapping):
        bounds = dict(factors)
    else:
        known = DEFAULT_FIT_FACTORS | {
            "moe_efficiency": (0.1, 1.0),
            "collective_latency_s": (0.0, 50e-6),
        }
        bounds = {name: known.get(name, (0.0, 10.0 * getattr(start, name) + 1e-6))
                  for name in factors}  # fmt: skip
    names = list(bounds)
    lo = np.array([bounds[n][0] for n in names])
    hi = np.array([bounds[n][1] for n in names])
    x0 = np.clip(np.array([float(getattr(start, n)) for n in names]), lo, hi)
    span = np.where(hi > lo, hi - lo, 1.0)

    def profile_at(z: np.ndarray) -> EngineProfile:
        x = np.clip(lo + z * span, lo, hi)
        changes: dict[str, Any] = {n: float(v) for n, v in zip(names, x, strict=True)}
        return dataclasses.replace(start, **changes)

    def objective(z: np.ndarray) -> float:
        outside = float(np.sum(np.clip(-z, 0, None) + np.clip(z - 1, 0, None)))
        try:
            pred = predict_measurements(measurements, profile_at(z), specs)
            return _score(pred, measured, weights) + outside
        except InvalidInputError:
            return 10.0 + outside

    z = (x0 - lo) / span
    for _ in range(restarts + 1):  # restarting rebuilds a collapsed simplex
        z = minimize(
            objective,
            z,
            method="Nelder-Mead",
            options={"maxiter": max_iterations, "xatol": 1e-4, "fatol": 1e-6},
        ).x
    fitted_profile = profile_at(z)
    pred = predict_measurements(measurements, fitted_profile, specs)
    table = measurements.copy()
    table["predicted_output_tokens_per_s"] = pred
    table["error_pct"] = 100.0 * (pred / measured - 1.0)
    abs_err = np.abs(table["error_pct"].to_numpy())
    return ProfileFit(
        profile=fitted_profile,
        predictions=table,
        median_abs_pct_error=float(np.nanmedian(abs_err)),
        max_abs_pct_error=float(np.nanmax(abs_err)),
        fitted={n: float(getattr(fitted_profile, n)) for n in names},
    )
