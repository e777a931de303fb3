"""The issue-15 accuracy targets of ``benchmarks/validation.py``, printed as measured figures.

Targets over every validation case (nothing in them was fitted): median |error| ≤ 10 %, p90
≤ 25 %, every model × GPU × precision × TP × EP group with ≥ 3 cases at median ≤ 20 %, and
TTFT and TPOT (any ``ttft*`` / ``tpot*`` / ``itl*`` metric) median ≤ 15 %. Each line says
"met" or "missed" next to the figure; groups that miss are named.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

MEDIAN_PCT, P90_PCT, GROUP_PCT, LATENCY_PCT = 10.0, 25.0, 20.0, 15.0
GROUP_KEYS = ["model", "gpu", "precision", "tp", "ep"]


def _verdict(value: float, limit: float) -> str:
    return f"{value:.1f} % (target ≤ {limit:g} %: {'met' if value <= limit else 'missed'})"


def target_lines(cases: pd.DataFrame, predicted: np.ndarray) -> list[str]:
    """One line per target with the measured figure, and the groups that miss theirs."""
    err = np.abs(predicted / cases["measured"].to_numpy(float) - 1.0) * 100.0
    frame = cases.assign(abs_err_pct=err).dropna(subset=["abs_err_pct"])
    groups = frame.groupby(GROUP_KEYS)["abs_err_pct"].agg(["size", "median"])
    big = groups[groups["size"] >= 3]
    missing = big[big["median"] > GROUP_PCT].sort_values("median", ascending=False)
    metric = frame["metric"].astype(str)
    ttft = frame.loc[metric.str.startswith("ttft"), "abs_err_pct"]
    tpot = frame.loc[metric.str.startswith(("tpot", "itl")), "abs_err_pct"]
    lines = [
        f"median |error|: {_verdict(float(frame['abs_err_pct'].median()), MEDIAN_PCT)}",
        f"p90 |error|: {_verdict(float(frame['abs_err_pct'].quantile(0.9)), P90_PCT)}",
        f"groups with ≥ 3 cases at median ≤ {GROUP_PCT:g} %: {len(big) - len(missing)} of "
        f"{len(big)} ({'met' if missing.empty else 'missed'})",
    ]
    for key, row in missing.iterrows():
        lines.append(f"    missed: {' '.join(str(k) for k in key)}: {row['median']:.1f} % "
                     f"({int(row['size'])} cases)")  # fmt: skip
    lines.append(f"TTFT median ({len(ttft)} cases): {_verdict(float(ttft.median()), LATENCY_PCT)}")
    lines.append(f"TPOT median ({len(tpot)} cases): {_verdict(float(tpot.median()), LATENCY_PCT)}")
    return lines
