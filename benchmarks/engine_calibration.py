"""Calibration of the vllm and sglang profiles on their own published numbers, fit vs validation.

``benchmarks/engine_split.toml`` names, per engine, the data files whose rows fit the profile and
those that only validate it. Each profile is the trtllm physics (its kernels, overheads and
collectives, fitted on NVIDIA's tables by ``benchmarks/accuracy.py``) with two factors of its
own, the physical ones where engines differ:

- a **decode factor** on the trtllm bandwidth efficiency: how much of the HBM bandwidth the
  engine's decode kernels (weights and paged KV reads) reach;
- a **prefill factor** on the trtllm compute efficiency: how much of the tensor-core peak its
  prefill GEMMs and attention reach.

Both are fitted (least mean absolute log error, scipy Nelder-Mead, every metric — throughput,
TTFT, TPOT — weighted alike) on the fit rows of that engine only, then the fitted profile is
scored on the validation rows. The script prints both errors, per metric, and the latency-
under-load figures: median |error| of TTFT and TPOT (and the inter-token latency, ITL) at the
published Poisson request rates. Rows where the model says the engine cannot keep up with the
arrival rate are counted apart: the measurement is a finite run whose queue was still growing,
which no steady-state figure describes.

Usage: ``python benchmarks/engine_calibration.py [--shipped | --prior] [--cases]``
(``--shipped``: score the shipped profiles without refitting; ``--prior``: score the factors
the profiles had before, 0.92 / 0.93 × trtllm with no launch time, on today's physics).
"""

from __future__ import annotations

import argparse
import dataclasses
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from validation import DATA_DIR, beyond_capacity, load_cases, predict

from llmcost.catalog import load_catalog
from llmcost.perf import EngineProfile, get_engine_profile

SPLIT = Path(__file__).resolve().parent / "engine_split.toml"
#: the parameters fitted per engine: the decode and prefill factors, and for SGLang, whose
#: prefill passes run eagerly (no CUDA graph), the host's launch time per layer of such a pass
FITTED = {"vllm": ("decode", "prefill", "launch_ms"), "sglang": ("decode", "prefill", "launch_ms")}
ENGINES = tuple(FITTED)
#: bounds: a decode factor above 1.25 would put decode above 100 % of peak [-, -, ms]
BOUNDS = {"decode": (0.3, 1.25), "prefill": (0.2, 1.5), "launch_ms": (0.0, 2.0)}
TARGET_LATENCY_PCT = 15.0
#: the profiles before this calibration: both factors 0.92 (vLLM) / 0.93 (SGLang) × trtllm
PRIOR = {
    "vllm": {"decode": 0.92, "prefill": 0.92, "launch_ms": 0.0},
    "sglang": {"decode": 0.93, "prefill": 0.93, "launch_ms": 0.0},
}
LATENCY_METRICS = {"ttft_p50_ms": "TTFT", "tpot_p50_ms": "TPOT", "itl_p50_ms": "ITL"}


def load_split(path: Path = SPLIT) -> dict[str, object]:
    """The split file as a dict."""
    return tomllib.loads(path.read_text())


def engine_cases(split: dict[str, object], engine: str, role: str) -> pd.DataFrame:
    """The engine's rows of the split's ``role`` files ("fit" or "validation"), with the
    exclusion reason of each row ("" if kept)."""
    files = split[engine][role]  # type: ignore[index]
    cases = load_cases(paths=[DATA_DIR / name for name in files])
    cases = cases[cases["engine"] == engine].reset_index(drop=True)
    excluded: dict[str, str] = split.get("excluded", {})  # type: ignore[assignment]
    return cases.assign(excluded=cases["id"].map(excluded).fillna(""))


def profile_with(engine: str, params: dict[str, float]) -> EngineProfile:
    """The shipped ``engine`` profile with its kernels at ``decode`` × the trtllm bandwidth
    efficiency and ``prefill`` × its compute efficiency, and ``launch_ms`` per prefill layer."""
    base = get_engine_profile("trtllm")
    shipped = get_engine_profile(engine)
    return dataclasses.replace(
        shipped,
        bandwidth_efficiency=min(base.bandwidth_efficiency * params["decode"], 1.0),
        compute_efficiency=min(base.compute_efficiency * params["prefill"], 1.0),
        prefill_layer_launch_s=params.get("launch_ms", 1e3 * shipped.prefill_layer_launch_s)
        * 1e-3,
    )


def shipped_params(engine: str) -> dict[str, float]:
    """The shipped profile's parameters in :data:`FITTED` terms."""
    base, prof = get_engine_profile("trtllm"), get_engine_profile(engine)
    return {
        "decode": prof.bandwidth_efficiency / base.bandwidth_efficiency,
        "prefill": prof.compute_efficiency / base.compute_efficiency,
        "launch_ms": 1e3 * prof.prefill_layer_launch_s,
    }


def log_errors(cases: pd.DataFrame, pred: np.ndarray) -> np.ndarray:
    """|ln(predicted / measured)|, 5 where the model has no finite figure."""
    with np.errstate(invalid="ignore", divide="ignore"):
        err = np.abs(np.log(pred / cases["measured"].to_numpy()))
    return np.where(np.isfinite(err), err, 5.0)


def fit_engine(cases: pd.DataFrame, catalog: object, engine: str) -> dict[str, float]:
    """The :data:`FITTED` parameters minimising the metric-balanced mean |log error| on
    ``cases`` (each metric — throughput, TTFT, TPOT — weighs the same)."""
    kept = cases[cases["excluded"] == ""].reset_index(drop=True)
    weights = 1.0 / kept.groupby("metric")["metric"].transform("size").to_numpy(float)
    names = FITTED[engine]

    def loss(x: np.ndarray) -> float:
        prof = profile_with(engine, dict(zip(names, map(float, x), strict=True)))
        pred = predict(kept, catalog, {engine: prof})
        return float(np.average(log_errors(kept, pred), weights=weights))

    shipped = shipped_params(engine)
    # Nelder-Mead's first simplex is a share of the start: a zero start would never move
    start = np.array([max(shipped[n], 0.3) for n in names])
    best = minimize(loss, start, method="Nelder-Mead", bounds=[BOUNDS[n] for n in names],
                    options={"xatol": 1e-3, "fatol": 1e-5, "maxiter": 300})  # fmt: skip
    return dict(zip(names, map(float, best.x), strict=True))


def scored(cases: pd.DataFrame, catalog: object, profile: EngineProfile) -> pd.DataFrame:
    """``cases`` with predictions and signed % errors; ``overloaded`` marks Poisson rows the
    model says the engine cannot keep up with (:func:`validation.beyond_capacity`)."""
    profiles = {profile.name: profile}
    pred = predict(cases, catalog, profiles)
    err = 100 * (pred / cases["measured"].to_numpy() - 1)
    over = beyond_capacity(cases, catalog, profiles)
    return cases.assign(predicted=pred, err_pct=err, overloaded=over)


def summary(frame: pd.DataFrame) -> pd.DataFrame:
    """Per metric: cases and median / worst absolute % error and median signed error, over the
    rows neither excluded nor overloaded."""
    kept = frame[(frame["excluded"] == "") & ~frame["overloaded"]]
    kept = kept.assign(abs_err=kept["err_pct"].abs())
    spec = {
        "cases": ("abs_err", "size"),
        "median_pct": ("abs_err", "median"),
        "worst_pct": ("abs_err", "max"),
        "bias_pct": ("err_pct", "median"),
    }
    table = kept.groupby("metric", sort=False).agg(**spec)  # type: ignore[call-overload]
    table.loc["all metrics"] = kept.assign(metric="all").groupby("metric").agg(**spec).iloc[0]
    return table


def _print_frame(title: str, frame: pd.DataFrame) -> None:
    print(title)
    print(frame.to_string(float_format=lambda x: f"{x:.1f}"))
    print()


def _report_engine(
    engine: str,
    split: dict[str, object],
    catalog: object,
    refit: bool,
    show_cases: bool,
    prior: dict[str, float] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    fit_rows = engine_cases(split, engine, "fit")
    val_rows = engine_cases(split, engine, "validation")
    shipped = shipped_params(engine)
    params = fit_engine(fit_rows, catalog, engine) if refit else (prior or shipped)
    profile = profile_with(engine, params)
    label = "fitted" if refit else "prior" if prior else "shipped"
    shown = ", ".join(f"{n} {params[n]:.3f} (shipped {shipped[n]:.3f})" for n in FITTED[engine])
    print(f"== {engine} {label}: {shown}; bandwidth_efficiency "
          f"{profile.bandwidth_efficiency:.3f}, compute_efficiency "
          f"{profile.compute_efficiency:.3f}")  # fmt: skip
    fit_scored = scored(fit_rows, catalog, profile)
    val_scored = scored(val_rows, catalog, profile)
    _print_frame(f"{engine} fit set ({', '.join(split[engine]['fit'])})",  # type: ignore[index]
                 summary(fit_scored))  # fmt: skip
    _print_frame(f"{engine} validation set (not fitted)", summary(val_scored))
    if show_cases:
        cols = ["id", "measured", "predicted", "err_pct", "excluded", "overloaded"]
        both = pd.concat([fit_scored.assign(set="fit"), val_scored.assign(set="validation")])
        print(both[["set", *cols]].to_string(index=False, float_format=lambda x: f"{x:.1f}"))
        print()
    return fit_scored, val_scored


def _latency_report(frames: list[pd.DataFrame], label: str) -> None:
    """Median |error| of TTFT, TPOT and ITL at the published request rates."""
    rows = pd.concat(frames)
    rows = rows[rows["metric"].isin(list(LATENCY_METRICS)) & (rows["excluded"] == "")]
    over = rows[rows["overloaded"]]
    kept = rows[~rows["overloaded"]]
    parts = []
    for metric, name in LATENCY_METRICS.items():
        errs = kept.loc[kept["metric"] == metric, "err_pct"].abs()
        if len(errs):
            verdict = "met" if errs.median() <= TARGET_LATENCY_PCT else "MISSED"
            parts.append(f"{name} {errs.median():.1f} % ({len(errs)} cases; target ≤ "
                         f"{TARGET_LATENCY_PCT:.0f} %: {verdict})")  # fmt: skip
    print(f"latency under load, {label}: " + "; ".join(parts))
    print(f"  beyond capacity in the model (finite runs with a growing queue, not scored): "
          f"{len(over)} rows ({', '.join(sorted(set(over['id'].str.split('-rps').str[0])))})")


def main() -> int:
    """Print fit and validation errors for each engine."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shipped", action="store_true", help="score the shipped profiles")
    parser.add_argument(
        "--prior", action="store_true", help="score the prior (0.92/0.93 x trtllm, no launch)"
    )
    parser.add_argument("--cases", action="store_true", help="also print every case")
    args = parser.parse_args()
    split, catalog = load_split(), load_catalog()
    pd.set_option("display.width", 200)
    fits, vals = [], []
    for engine in ENGINES:
        prior = PRIOR[engine] if args.prior else None
        fit_scored, val_scored = _report_engine(
            engine, split, catalog, not (args.shipped or args.prior), args.cases, prior
        )
        fits.append(fit_scored)
        vals.append(val_scored)
    _latency_report(fits, "fit set")
    _latency_report(vals, "validation set")
    reasons: dict[str, str] = split.get("reasons", {})  # type: ignore[assignment]
    for key, text in reasons.items():
        print(f"excluded ({key}): {' '.join(text.split())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
