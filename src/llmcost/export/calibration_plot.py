"""Predicted vs measured output tokens/s of a calibration (matplotlib, extra ``plot``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ..analysis.plotting import _quantity
from .plots import _new_figure

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["calibration_figure"]


def calibration_figure(calibration: Any, *, before: Any = None) -> Figure:
    """Log-log scatter of predicted vs measured output tokens/s, one colour per file.

    With the y = x line and a ±10 % band; ``before`` (predictions of the starting profile, same
    order) adds them as hollow markers.
    """
    from matplotlib.ticker import FuncFormatter

    table = calibration.predictions
    measured = table["measured_output_tokens_per_s"].to_numpy(float)
    fig = _new_figure((6.0, 5.5))
    ax = fig.add_subplot()
    lo, hi = float(np.nanmin(measured)) / 1.5, float(np.nanmax(measured)) * 1.5
    line = np.geomspace(lo, hi, 50)
    ax.fill_between(line, line * 0.9, line * 1.1, color="0.9", label="±10 %")
    ax.plot(line, line, color="0.4", lw=1, label="predicted = measured")
    if before is not None:
        ax.scatter(measured, before, facecolors="none", edgecolors="0.5", s=28,
                   label=f"{calibration.base} defaults")  # fmt: skip
    for name, rows in table.groupby("file", sort=False):
        ax.scatter(rows["measured_output_tokens_per_s"], rows["predicted_output_tokens_per_s"],
                   s=28, label=str(name))  # fmt: skip
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlim(lo, hi)
    ax.set_ylim(lo, hi)
    fmt = FuncFormatter(_quantity)
    ax.xaxis.set_major_formatter(fmt)
    ax.yaxis.set_major_formatter(fmt)
    ax.set_xlabel("measured output tokens/s")
    ax.set_ylabel("predicted output tokens/s")
    ax.set_title(
        f"{calibration.name}: median |error| {calibration.median_abs_pct_error:.1f} % "
        f"over {len(table)} runs"
    )
    ax.legend(loc="upper left", fontsize=8)
    return fig
