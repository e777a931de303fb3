"""``llmcost.calibrate(files)``: import benchmark results, fit a deployment profile, save it.

Readers (one row per benchmark run; lengths are the run's mean tokens per request):

- vLLM ``benchmark_serving.py --save-result`` / ``vllm bench serve --save-result`` JSON: keys
  ``completed``, ``total_input_tokens``, ``total_output_tokens``, ``output_throughput``
  [tok/s], ``max_concurrency`` (null: all requests at once), ``num_prompts``,
  ``mean_ttft_ms``, ``mean_tpot_ms``, ``model_id`` (vllm-project/vllm
  benchmarks/benchmark_serving.py, ``save_result``);
- SGLang ``python -m sglang.bench_serving --output-file`` JSONL: one JSON object per line with
  the same key names (sgl-project/sglang python/sglang/bench_serving.py);
- NVIDIA genai-perf / aiperf ``profile_export_genai_perf.json`` / ``profile_export_aiperf.json``:
  ``output_token_throughput.avg`` [tok/s], ``input_sequence_length.avg``,
  ``output_sequence_length.avg``, ``time_to_first_token.avg`` and ``inter_token_latency.avg``
  [ms], concurrency in ``input_config`` (``concurrency``, or
  ``perf_analyzer.stimulus.concurrency``);
- a plain CSV with columns ``model, gpu, gpus, precision, input_tokens, output_tokens,
  concurrency, output_tokens_per_s`` and optional ``ttft_s, tpot_s, engine``.

The JSON formats do not say which GPU ran them: ``model``, ``gpu``, ``gpus``, ``precision``
are given to :func:`calibrate` (or added to the file: vLLM ``--metadata gpu=h100-sxm``).

The fit: least squares on log(predicted / measured) output tokens/s over four physical
parameters of the engine profile (:data:`CALIBRATED_FACTORS`), bounded, with standard errors
from the Jacobian at the optimum (covariance = s² (JᵀJ)⁻¹, s² = residual variance).
"""

from __future__ import annotations

import csv
import dataclasses
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._core.errors import InvalidInputError
from .._core.result import ResultShape
from .._core.serialize import jsonable
from ..catalog import Catalog, load_catalog
from ..perf.engines import ENGINE_PROFILES, EngineProfile, get_engine_profile
from ..perf.fit import predict_measurements

__all__ = [
    "CALIBRATED_FACTORS",
    "Calibration",
    "calibrate",
    "load_engine_profile",
    "read_benchmarks",
]

#: The parameters :func:`calibrate` fits, with their bounds.
CALIBRATED_FACTORS: dict[str, tuple[float, float]] = {
    "bandwidth_efficiency": (0.1, 1.0),
    "compute_efficiency": (0.05, 1.0),
    "step_overhead_s": (0.0, 20e-3),
    "sequence_overhead_s": (0.0, 500e-6),
}
_DEPLOYMENT = ("model", "gpu", "gpus", "precision")
MEASURED = "measured_output_tokens_per_s"


def _num(value: Any, where: str) -> float:
    try:
        out = float(value)
    except (TypeError, ValueError):
        raise InvalidInputError(f"{where}: expected a number; got {value!r}") from None
    if not math.isfinite(out):
        raise InvalidInputError(f"{where}: expected a finite number; got {value!r}")
    return out


def _serving_row(data: dict[str, Any], where: str) -> dict[str, Any]:
    """One vLLM / SGLang bench_serving result → a row."""
    for key in ("completed", "total_input_tokens", "total_output_tokens", "output_throughput"):
        if key not in data:
            raise InvalidInputError(f"{where}: no {key!r} (not a benchmark_serving result)")
    done = _num(data["completed"], f"{where}: completed")
    if done <= 0:
        raise InvalidInputError(f"{where}: completed = {done:g}, no successful request")
    conc = data.get("max_concurrency")
    row = {
        "input_tokens": _num(data["total_input_tokens"], where) / done,
        "output_tokens": _num(data["total_output_tokens"], where) / done,
        MEASURED: _num(data["output_throughput"], f"{where}: output_throughput"),
        "concurrency": None if conc is None else _num(conc, f"{where}: max_concurrency"),
        "requests": done if conc is None else None,
        "ttft_s": _ms(data.get("mean_ttft_ms")),
        "tpot_s": _ms(data.get("mean_tpot_ms")),
    }
    return row | _metadata(data)


def _ms(value: Any) -> float | None:
    return None if value is None else float(value) / 1000.0


def _metadata(data: dict[str, Any]) -> dict[str, Any]:
    """Deployment fields a result carries itself (e.g. vLLM ``--metadata gpu=h100-sxm``)."""
    return {k: data[k] for k in (*_DEPLOYMENT, "engine") if data.get(k) not in (None, "")}


def _genai_perf_row(data: dict[str, Any], where: str) -> dict[str, Any]:
    def avg(key: str) -> float:
        if not isinstance(data.get(key), dict) or "avg" not in data[key]:
            raise InvalidInputError(f"{where}: no {key}.avg (not a genai-perf/aiperf export)")
        return _num(data[key]["avg"], f"{where}: {key}.avg")

    cfg = data.get("input_config") or {}
    conc = cfg.get("concurrency")
    if conc is None:
        conc = (cfg.get("perf_analyzer") or {}).get("stimulus", {}).get("concurrency")
    if conc is None:
        raise InvalidInputError(f"{where}: input_config has no concurrency")
    ttft = data.get("time_to_first_token", {}).get("avg")
    itl = data.get("inter_token_latency", {}).get("avg")
    return {
        "input_tokens": avg("input_sequence_length"),
        "output_tokens": avg("output_sequence_length"),
        MEASURED: avg("output_token_throughput"),
        "concurrency": _num(conc, f"{where}: concurrency"),
        "requests": None,
        "ttft_s": _ms(ttft),
        "tpot_s": _ms(itl),
    }


def _csv_rows(path: Path) -> list[dict[str, Any]]:
    with path.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    need = ("input_tokens", "output_tokens", "concurrency", "output_tokens_per_s")
    out = []
    for i, r in enumerate(rows, start=2):
        where = f"{path.name} line {i}"
        missing = [c for c in need if not r.get(c)]
        if missing:
            raise InvalidInputError(f"{where}: missing {', '.join(missing)}")
        row = {
            "input_tokens": _num(r["input_tokens"], f"{where}: input_tokens"),
            "output_tokens": _num(r["output_tokens"], f"{where}: output_tokens"),
            "concurrency": _num(r["concurrency"], f"{where}: concurrency"),
            MEASURED: _num(r["output_tokens_per_s"], f"{where}: output_tokens_per_s"),
            "requests": None,
            "ttft_s": float(r["ttft_s"]) if r.get("ttft_s") else None,
            "tpot_s": float(r["tpot_s"]) if r.get("tpot_s") else None,
        }
        out.append(row | _metadata(r))
    return out


def _file_rows(path: Path) -> list[dict[str, Any]]:
    """The runs in one benchmark file, whatever its format."""
    if not path.is_file():
        raise InvalidInputError(f"benchmark file {str(path)!r} not found")
    if path.suffix.lower() == ".csv":
        return _csv_rows(path)
    text = path.read_text()
    try:
        if path.suffix.lower() == ".jsonl":
            items = [json.loads(line) for line in text.splitlines() if line.strip()]
        else:
            items = [json.loads(text)]
    except json.JSONDecodeError as exc:
        raise InvalidInputError(
            f"{path.name}: not valid JSON ({exc.msg}, line {exc.lineno})"
        ) from None
    rows = []
    for i, item in enumerate(items, start=1):
        where = f"{path.name}" + (f" line {i}" if len(items) > 1 else "")
        if not isinstance(item, dict):
            raise InvalidInputError(f"{where}: expected a JSON object")
        reader = _genai_perf_row if "output_token_throughput" in item else _serving_row
        rows.append(reader(item, where))
    return rows


def read_benchmarks(paths: list[str | Path], **deployment: Any) -> pd.DataFrame:
    """Every run in ``paths`` as one table.

    Columns of :func:`llmcost.perf.fit.predict_measurements` plus ``measured_output_tokens_per_s``,
    ``ttft_s``, ``tpot_s``, ``file``.

    ``deployment`` (``model``, ``gpu``, ``gpus``, ``precision``) fills what a file does not say.
    """
    rows = []
    for p in map(Path, paths):
        for row in _file_rows(p):
            full = {k: v for k, v in deployment.items() if v is not None} | row
            missing = [k for k in _DEPLOYMENT if full.get(k) in (None, "")]
            if missing:
                raise InvalidInputError(
                    f"{p.name}: the file does not say {', '.join(missing)}; give "
                    + ", ".join(f"--{m}" for m in missing)
                )
            full["gpus"] = int(_num(full["gpus"], f"{p.name}: gpus"))
            rows.append(full | {"file": p.name})
    if not rows:
        raise InvalidInputError("no benchmark runs in the files given")
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class Calibration(ResultShape):
    """A profile fitted to benchmark runs, with uncertainty and residuals.

    ``fitted`` / ``std_error``: each calibrated parameter and its standard error (from the
    Jacobian); ``predictions``: the runs with ``predicted_output_tokens_per_s`` and
    ``error_pct`` (100 × (predicted / measured − 1)); ``files``: where the runs came from.
    """

    name: str
    base: str
    profile: EngineProfile
    fitted: dict[str, float]
    std_error: dict[str, float]
    predictions: pd.DataFrame
    median_abs_pct_error: float
    max_abs_pct_error: float
    files: list[str]

    def to_dict(self) -> dict[str, Any]:
        """JSON-able summary (the ``llmcost calibrate --json`` payload)."""
        cols = ["file", "input_tokens", "output_tokens", "concurrency", MEASURED,
                "predicted_output_tokens_per_s", "error_pct"]  # fmt: skip
        out: dict[str, Any] = jsonable(
            {
                "name": self.name,
                "base": self.base,
                "fitted": self.fitted,
                "std_error": self.std_error,
                "median_abs_pct_error": self.median_abs_pct_error,
                "max_abs_pct_error": self.max_abs_pct_error,
                "files": self.files,
                "runs": self.predictions[cols].to_dict(orient="records"),
            }
        )
        return out

    def to_frame(self) -> pd.DataFrame:
        """The runs with ``predicted_output_tokens_per_s`` [tokens/s] and ``error_pct`` [%]."""
        return self.predictions

    def __repr__(self) -> str:
        return (
            f"Calibration({self.name!r} from {self.base}, {len(self.predictions):,} runs, "
            f"median |error| {self.median_abs_pct_error:.1f} %, max {self.max_abs_pct_error:.1f} %)"
        )

    def save(self, path: str | Path) -> Path:
        """Write the profile file (TOML).

        It is what ``engine_profile = "path"`` and ``llmcost perf --engine-profile`` read.
        """
        lines = [
            f"# llmcost engine profile fitted by llmcost.calibrate on {len(self.predictions)} runs",
            f"name = {json.dumps(self.name)}",
            f"base = {json.dumps(self.base)}",
            f"files = {json.dumps(self.files)}",
            f"median_abs_pct_error = {self.median_abs_pct_error!r}",
            "",
            "[fitted]",
            *(f"{k} = {v!r}" for k, v in self.fitted.items()),
            "",
            "[std_error]",
            *(f"{k} = {v!r}" for k, v in self.std_error.items()),
        ]
        out = Path(path)
        out.write_text("\n".join(lines) + "\n")
        return out


def load_engine_profile(path_or_name: str | Path) -> EngineProfile:
    """An engine profile by id (``vllm``, ``sglang``, ``trtllm``) or from a profile file.

    The file is one written by :meth:`Calibration.save` (its base engine with the fitted
    parameters).
    """
    import tomllib

    if str(path_or_name) in ENGINE_PROFILES:
        return get_engine_profile(str(path_or_name))
    path = Path(path_or_name)
    if not path.is_file():
        raise InvalidInputError(
            f"engine_profile {str(path_or_name)!r}: neither an engine "
            f"({', '.join(ENGINE_PROFILES)}) nor a profile file"
        )
    try:
        data = tomllib.loads(path.read_text())
        base = get_engine_profile(str(data["base"]))
        fitted: dict[str, Any] = {
            k: float(v) for k, v in data["fitted"].items() if k in CALIBRATED_FACTORS
        }
    except (tomllib.TOMLDecodeError, KeyError, TypeError, ValueError) as exc:
        raise InvalidInputError(f"engine_profile {path.name}: not a profile file ({exc})") from None
    source = f"fitted by llmcost.calibrate to {', '.join(data.get('files', []))} ({path.name})"
    return dataclasses.replace(base, name=str(data.get("name", path.stem)), source=source, **fitted)


def _fit(
    runs: pd.DataFrame, start: EngineProfile, specs: Catalog
) -> tuple[EngineProfile, dict[str, float], dict[str, float]]:
    """Bounded least squares on log errors; standard errors from the Jacobian."""
    from scipy.optimize import least_squares

    names = list(CALIBRATED_FACTORS)
    lo = np.array([CALIBRATED_FACTORS[n][0] for n in names])
    hi = np.array([CALIBRATED_FACTORS[n][1] for n in names])
    span = hi - lo
    measured = runs[MEASURED].to_numpy(float)

    def profile_at(z: np.ndarray) -> EngineProfile:
        x = lo + np.clip(z, 0.0, 1.0) * span
        changes: dict[str, Any] = {n: float(v) for n, v in zip(names, x, strict=True)}
        return dataclasses.replace(start, **changes)

    def residuals(z: np.ndarray) -> np.ndarray:
        pred = predict_measurements(runs, profile_at(z), specs)
        with np.errstate(divide="ignore", invalid="ignore"):
            r = np.log(pred / measured)
        return np.where(np.isfinite(r), r, 5.0)

    z0 = np.clip((np.array([float(getattr(start, n)) for n in names]) - lo) / span, 0.01, 0.99)
    res = least_squares(residuals, z0, bounds=(0.0, 1.0), diff_step=1e-3, x_scale="jac")
    n, p = len(measured), len(names)
    s2 = float(np.sum(res.fun**2)) / max(n - p, 1)
    try:
        cov = np.linalg.pinv(res.jac.T @ res.jac) * s2
        sd = np.sqrt(np.clip(np.diag(cov), 0.0, None)) * span
    except np.linalg.LinAlgError:
        sd = np.full(p, np.nan)
    prof = profile_at(res.x)
    fitted = {k: float(getattr(prof, k)) for k in names}
    return prof, fitted, {k: float(v) for k, v in zip(names, sd, strict=True)}


def calibrate(
    files: list[str | Path],
    *,
    engine: str = "vllm",
    name: str | None = None,
    model: str | None = None,
    gpu: str | None = None,
    gpus: int | None = None,
    precision: str | None = None,
    catalog: Catalog | None = None,
) -> Calibration:
    """Fit ``engine``'s profile to the runs in ``files``; return it with uncertainty and residuals.

    The files are vLLM / SGLang / genai-perf / aiperf / CSV, see the module docstring.

    ``model``, ``gpu`` [catalog ids], ``gpus`` and ``precision`` fill what the files do not
    say. Needs at least five runs (four parameters and a residual).
    """
    runs = read_benchmarks(files, model=model, gpu=gpu, gpus=gpus, precision=precision)
    if len(runs) < len(CALIBRATED_FACTORS) + 1:
        raise InvalidInputError(
            f"calibrate needs at least {len(CALIBRATED_FACTORS) + 1} benchmark runs to fit "
            f"{len(CALIBRATED_FACTORS)} parameters; got {len(runs)}"
        )
    specs = catalog or load_catalog()
    prof, fitted, sd = _fit(runs, get_engine_profile(engine), specs)
    label = name or f"{engine}-calibrated"
    prof = dataclasses.replace(prof, name=label)
    table = runs.copy()
    pred = predict_measurements(runs, prof, specs)
    table["predicted_output_tokens_per_s"] = pred
    table["error_pct"] = 100.0 * (pred / runs[MEASURED].to_numpy(float) - 1.0)
    abs_err = np.abs(table["error_pct"].to_numpy(float))
    return Calibration(
        name=label,
        base=engine,
        profile=prof,
        fitted=fitted,
        std_error=sd,
        predictions=table,
        median_abs_pct_error=float(np.nanmedian(abs_err)),
        max_abs_pct_error=float(np.nanmax(abs_err)),
        files=[Path(f).name for f in files],
    )
