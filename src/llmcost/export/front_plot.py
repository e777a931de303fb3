"""The latency–throughput front of a layout search, per GPU type (matplotlib, optional extra).

x: output tokens/s per user (1 / TPOT), y: output tokens/s per GPU, both on log axes; one
line per GPU type; a layout (replicas × split, precision, engine) is labelled at its first
point along the front, where the label does not crowd another. A TPOT target shows as a
vertical line (to its right the target is met).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np

from .._core.errors import InvalidInputError
from ..perf.layout_search import LayoutSearch
from .plots import _new_figure

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["layout_front_figure"]


def _point_labels(
    front: dict[str, np.ndarray],
    placed: list[tuple[float, float]],
    gap_decades: tuple[float, float] = (0.4, 0.06),
) -> list[str]:
    """A label at the first point of each (layout, precision, engine) along the front.

    Unless it would overlap a label in ``placed`` (closer than ``gap_decades`` in x and in y: a
    label runs ~0.4 decade to the right of its point). ``placed`` is extended, so fronts drawn
    together do not crowd each other either.
    """
    x = np.log10(front["output_tokens_per_s_per_user"])
    y = np.log10(front["output_tokens_per_s_per_gpu"])
    labels: list[str] = []
    seen: set[tuple[str, ...]] = set()
    for i in range(front["tp"].size):
        key = tuple(str(front[k][i]) for k in ("replicas", "tp", "pp", "ep", "precision", "engine"))
        near = any(
            abs(x[i] - px) < gap_decades[0] and abs(y[i] - py) < gap_decades[1] for px, py in placed
        )
        if key in seen or near:
            labels.append("")
            continue
        seen.add(key)
        placed.append((x[i], y[i]))
        r, tp, pp, ep, prec, eng = key
        split = f"tp{tp}" + (f" pp{pp}" if pp != "1" else "") + (f" ep{ep}" if ep != "1" else "")
        labels.append(f"{r}× {split} {prec} {eng}")
    return labels


def layout_front_figure(
    searches: Mapping[str, LayoutSearch], *, tpot_slo_s: float | None = None, title: str = ""
) -> Figure:
    """Pareto fronts of :func:`~llmcost.perf.search_layouts` results keyed by GPU id.

    Parameters
    ----------
    searches
        GPU id → its search (each front has at least one point).
    tpot_slo_s
        TPOT target drawn as a line at 1 / target tokens/s per user [s].
    """
    if not searches:
        raise InvalidInputError("searches must hold at least one layout search; got none")
    fig = _new_figure((8.5, 5.5))
    ax = fig.subplots()
    placed: list[tuple[float, float]] = []
    for gpu_id, result in searches.items():
        f = result.front
        x, y = f["output_tokens_per_s_per_user"], f["output_tokens_per_s_per_gpu"]
        (line,) = ax.plot(x, y, marker="o", markersize=4, label=gpu_id)
        for xi, yi, text in zip(x, y, _point_labels(f, placed), strict=True):
            if text:
                ax.annotate(
                    text, (xi, yi), xytext=(4, 3), textcoords="offset points", fontsize=7,
                    color=line.get_color(),
                )  # fmt: skip
    if tpot_slo_s is not None:
        ax.axvline(1.0 / tpot_slo_s, color="0.4", linestyle="--", linewidth=1)
        ax.annotate(
            f"TPOT ≤ {tpot_slo_s * 1e3:g} ms", (1.0 / tpot_slo_s, 1.0),
            xycoords=("data", "axes fraction"), xytext=(3, -12), textcoords="offset points",
            fontsize=8, color="0.3",
        )  # fmt: skip
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("output tokens/s per user (1 / TPOT)")
    ax.set_ylabel("output tokens/s per GPU")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(title="GPU")
    ax.set_title(title or "Layout search: throughput per GPU vs speed per user (Pareto front)")
    return fig
