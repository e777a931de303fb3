"""Deployment search: the layout of ``gpus`` GPUs with the highest throughput per GPU under an SLO.

Candidates are every valid data-parallel × TP × PP × EP split of the GPUs
(:func:`~llmcost.perf.layout.enumerate_layouts`) × weight precision × engine. Each
(precision, engine) pair is one :func:`~llmcost.perf.estimate_serving` call over the arrays of
layouts (no loop over layouts), so changes to the serving model flow into the search:

- **ranking**: ``max_throughput=True`` without SLOs, else the SLO mode (the batch with the
  highest throughput whose TPOT and TTFT meet the targets). A candidate that does not fit in
  memory or misses the SLO is infeasible; the feasible ones are ranked by output tokens/s per
  GPU. Replicas are identical, so tokens/s per GPU of one replica is that of the whole set and
  the total is ``gpus ×`` it.
- **front**: each candidate is also run at a geometric grid of batches from 1 to its KV
  capacity (``batch=`` mode); the Pareto front of output tokens/s per GPU vs tokens/s per user
  (1 / TPOT) over all of them is the latency–throughput trade-off a serving engineer reads
  (what NVIDIA AIConfigurator plots).

The runner-up is the best feasible candidate with a *different parallel layout* from the best
(replicas, tp, pp, ep), so its loss is what the layout choice is worth.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._core._arrays import check_positive
from .._core.arguments import check_specs, names_arg, real_arg, whole_arg
from .._core.display import plain
from .._core.errors import InfeasibleError, InvalidInputError, UnsupportedPrecisionError
from .._core.result import ResultShape
from .._core.serialize import jsonable
from .._core.specs import GpuSpec, ModelSpec
from .engines import ENGINE_PROFILES
from .layout import LayoutSet, enumerate_layouts, pareto_front
from .quant import check_precision
from .serving import estimate_serving

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["LayoutChoice", "LayoutSearch", "search_layouts"]

#: Weight precisions searched when none are given (those the GPU has tensor cores for).
SEARCH_PRECISIONS = ("bf16", "fp8", "fp4")
#: Batches per candidate on the front's grid (geometric from 1 to the KV capacity).
FRONT_BATCHES = 24

_LAYOUT_KEYS = ("replicas", "tp", "pp", "ep")
_INT_FIELDS = frozenset(("replicas", "tp", "pp", "ep", "gpus_per_replica"))
_STR_FIELDS = frozenset(("precision", "engine", "limited_by", "bound"))
_COLUMNS = (
    "replicas",
    "tp",
    "pp",
    "ep",
    "gpus_per_replica",
    "precision",
    "engine",
    "batch_size",
    "output_tokens_per_s",
    "output_tokens_per_s_per_gpu",
    "output_tokens_per_s_per_user",
    "ttft_s",
    "tpot_s",
    "fits",
    "meets_slo",
    "feasible",
    "limited_by",
    "bound",
)


@dataclass(frozen=True)
class LayoutChoice:
    """One candidate: its layout and its serving figures over all ``replicas``.

    ``output_tokens_per_s`` covers every GPU [tokens/s]; ``_per_gpu`` divides by them;
    ``_per_user`` is one sequence's decode rate, 1 / TPOT [tokens/s]. ``limited_by`` says what
    set the batch ("memory": the KV cache, "batch_cap", "slo"), ``bound`` what dominates the
    step time ("bandwidth", "compute", "interconnect").
    """

    replicas: int
    tp: int
    pp: int
    ep: int
    gpus_per_replica: int
    precision: str
    engine: str
    batch_size: float
    output_tokens_per_s: float
    output_tokens_per_s_per_gpu: float
    output_tokens_per_s_per_user: float
    ttft_s: float
    tpot_s: float
    limited_by: str
    bound: str

    @property
    def layout(self) -> tuple[int, int, int, int]:
        """(replicas, tp, pp, ep)."""
        return (self.replicas, self.tp, self.pp, self.ep)

    def label(self) -> str:
        """Short text, e.g. ``8× tp1 pp1 ep1 fp8 vllm``."""
        return (
            f"{self.replicas}× tp{self.tp} pp{self.pp} ep{self.ep} {self.precision} {self.engine}"
        )

    def as_dict(self) -> dict[str, Any]:
        """Plain fields (for JSON)."""
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


@dataclass(frozen=True)
class LayoutSearch(ResultShape):
    """Result of :func:`search_layouts`: ranked candidates, the best, the runner-up, the front.

    Attributes
    ----------
    candidates
        Column arrays (:data:`_COLUMNS`), one entry per (layout, precision, engine), feasible
        ones first by output tokens/s per GPU, descending.
    front
        The Pareto front (same columns), by tokens/s per GPU descending.
    basis
        Inputs, what was searched and skipped, counts (layouts, candidates, operating points,
        rejected splits by reason, candidates that do not fit, that miss the SLO).
    """

    candidates: dict[str, NDArray[Any]]
    front: dict[str, NDArray[Any]]
    basis: dict[str, Any] = field(default_factory=dict)

    def to_frame(self) -> pd.DataFrame:
        """Ranked candidates, one row each."""
        import pandas as pd

        return pd.DataFrame(self.candidates)

    def to_dict(self) -> dict[str, Any]:
        """Best, runner-up, candidates, front and basis as JSON-ready values (None: no choice)."""
        import pandas as pd

        best, second = self.best, self.runner_up
        out: dict[str, Any] = jsonable(
            {
                "best": None if best is None else best.as_dict(),
                "runner_up": None if second is None else second.as_dict(),
                "runner_up_loss_fraction": self.runner_up_loss_fraction,
                "candidates": pd.DataFrame(self.candidates).to_dict(orient="records"),
                "front": pd.DataFrame(self.front).to_dict(orient="records"),
                "basis": self.basis,
            }
        )
        return out

    def __repr__(self) -> str:
        best = self.best
        chosen = "no feasible layout" if best is None else f"best {best.label()}"
        n = int(self.candidates["feasible"].size)
        return f"LayoutSearch({n:,} candidates, {len(self.front['tp']):,} on the front, {chosen})"

    def front_frame(self) -> pd.DataFrame:
        """The Pareto front, one row per operating point."""
        import pandas as pd

        return pd.DataFrame(self.front)

    def _choice(self, i: int) -> LayoutChoice:
        c = self.candidates
        values: dict[str, Any] = {}
        for k in LayoutChoice.__dataclass_fields__:
            v = c[k][i]
            values[k] = int(v) if k in _INT_FIELDS else str(v) if k in _STR_FIELDS else float(v)
        return LayoutChoice(**values)

    @property
    def best(self) -> LayoutChoice | None:
        """The feasible candidate with the most output tokens/s per GPU (None: none is)."""
        feasible = self.candidates["feasible"]
        return self._choice(0) if feasible.size and feasible[0] else None

    @property
    def runner_up(self) -> LayoutChoice | None:
        """The best feasible candidate whose (replicas, tp, pp, ep) differs from the best's."""
        best = self.best
        if best is None:
            return None
        c = self.candidates
        same = np.ones(c["tp"].shape, dtype=bool)
        for k, v in zip(_LAYOUT_KEYS, best.layout, strict=True):
            same &= c[k] == v
        other = c["feasible"] & ~same
        idx = np.flatnonzero(other)
        return self._choice(int(idx[0])) if idx.size else None

    @property
    def runner_up_loss_fraction(self) -> float | None:
        """1 − runner-up ÷ best output tokens/s per GPU [0–1] (None without a runner-up)."""
        best, second = self.best, self.runner_up
        if best is None or second is None:
            return None
        return 1.0 - second.output_tokens_per_s_per_gpu / best.output_tokens_per_s_per_gpu

    def require_best(self) -> LayoutChoice:
        """The best candidate, or :class:`InfeasibleError` saying why there is none."""
        best = self.best
        if best is None:
            b = self.basis
            raise InfeasibleError(
                f"no layout of {b['gpus']} × {b['gpu']} serves {b['model']}: "
                f"{b['candidates_not_fitting']} of {b['candidates']} candidates do not fit in "
                f"memory, {b['candidates_missing_slo']} miss the SLO "
                f"(tpot_slo_s={b['tpot_slo_s']}, ttft_slo_s={b['ttft_slo_s']})"
            )
        return best

    def explain(self) -> str:
        """Text: the best layout, what limits it, the runner-up and what it loses."""
        return explain_search(self)


def explain_search(result: LayoutSearch) -> str:
    """The text of :meth:`LayoutSearch.explain`."""
    b = result.basis
    targets = [
        f"{name} ≤ {b[key]:g} s"
        for name, key in (("TPOT", "tpot_slo_s"), ("TTFT", "ttft_slo_s"))
        if b[key] is not None
    ]
    slo = "SLO " + ", ".join(targets) if targets else "max throughput"
    lines = [
        f"{b['model']} on {b['gpus']} × {b['gpu']}, {b['input_tokens']:g} in / "
        f"{b['output_tokens']:g} out, {slo}: {b['layouts']} layouts × "
        f"{len(b['precisions'])} precisions × {len(b['engines'])} engines = {b['candidates']} "
        f"candidates ({b['candidates_not_fitting']} do not fit, {b['candidates_missing_slo']} "
        f"miss the SLO), {b['operating_points']} operating points on the front's grid."
    ]
    best = result.best
    if best is None:
        lines.append("No candidate is feasible.")
        return "\n".join(lines)
    lines.append(f"Best: {_describe(best)}")
    lines.append(
        f"  limited by {best.limited_by} (what sets the batch); step time mostly {best.bound}."
    )
    second = result.runner_up
    if second is not None:
        loss = result.runner_up_loss_fraction or 0.0
        lines.append(
            f"Runner-up (another layout): {_describe(second)}; {loss:.1%} fewer tok/s/GPU."
        )
    lines.append(f"Pareto front (tok/s/GPU vs tok/s/user): {result.front['tp'].size} points.")
    return "\n".join(lines)


def _describe(c: LayoutChoice) -> str:
    return (
        f"{c.label()}: {c.output_tokens_per_s:,.0f} output tok/s "
        f"({c.output_tokens_per_s_per_gpu:,.0f}/GPU, {c.output_tokens_per_s_per_user:,.1f}/user), "
        f"batch {c.batch_size:,.0f} per replica, TPOT {c.tpot_s * 1e3:,.1f} ms, "
        f"TTFT {c.ttft_s * 1e3:,.0f} ms"
    )


#: Most batches per candidate on the front's grid (the search evaluates candidates × this).
MAX_FRONT_BATCHES = 1024


def _workload_scalar(value: ArrayLike, name: str) -> float:
    arr = check_positive(value, name)
    if arr.ndim != 0:
        raise InvalidInputError(
            f"{name} must be one number for a layout search; got {plain(value)}"
        )
    return float(arr)


def _search_space(
    gpu: GpuSpec, precisions: str | Sequence[str] | None, engines: str | Sequence[str] | None
) -> tuple[list[str], list[str], list[str]]:
    """(precisions the GPU runs, engines, precisions skipped as unsupported)."""
    if isinstance(precisions, str):
        precisions = [precisions]
    if isinstance(engines, str):
        engines = [engines]
    wanted = list(SEARCH_PRECISIONS) if precisions is None else names_arg(precisions, "precisions")
    for p in wanted:
        check_precision(p)
    supported, skipped = [], []
    for p in wanted:
        try:
            gpu.peak_tflops(p)
        except UnsupportedPrecisionError:
            skipped.append(p)
        else:
            supported.append(p)
    if not supported:
        raise UnsupportedPrecisionError(
            f"precisions {', '.join(wanted)}: none is supported on GPU {gpu.id!r}"
        )
    if engines is None:
        # TensorRT-LLM is CUDA-only
        engines = [e for e in ENGINE_PROFILES if gpu.vendor == "nvidia" or e != "trtllm"]
    engines = names_arg(engines, "engines", ENGINE_PROFILES)
    if not engines:
        raise InvalidInputError("engines must name at least one engine; got an empty list")
    return supported, engines, skipped


def _evaluate(
    model: ModelSpec,
    gpu: GpuSpec,
    layouts: LayoutSet,
    precision: str,
    engine: str,
    common: dict[str, Any],
    slo: dict[str, Any],
    front_batches: int,
) -> tuple[dict[str, NDArray[Any]], dict[str, NDArray[Any]]]:
    """Candidates and front operating points of one (precision, engine) pair over all layouts."""
    split: dict[str, Any] = {
        "gpus": layouts.gpus_per_replica,
        "tp": layouts.tp,
        "pp": layouts.pp,
        "ep": layouts.ep,
    }
    has_slo = any(v is not None for v in slo.values())
    ranked = estimate_serving(
        model, gpu, precision=precision, engine=engine, **split, **common, **slo,
        max_throughput=not has_slo,
    )  # fmt: skip
    n = len(layouts)
    cand = _columns(layouts, precision, engine, ranked, n)
    # the front: a geometric grid of batches 1 … capacity per layout (duplicates dropped)
    top = np.maximum(np.nan_to_num(np.broadcast_to(ranked.max_batch_size, (n,))), 1.0)
    grid = np.floor(top[:, None] ** np.linspace(0.0, 1.0, front_batches))
    fresh = np.concatenate([np.ones((n, 1), bool), np.diff(grid, axis=1) > 0], axis=1)
    expanded: dict[str, Any] = {k: np.asarray(v)[:, None] for k, v in split.items()}
    swept = estimate_serving(
        model, gpu, precision=precision, engine=engine, **expanded, **common, batch=grid
    )
    flat = LayoutSet(
        **{k: np.broadcast_to(getattr(layouts, k)[:, None], grid.shape).ravel()
           for k in _LAYOUT_KEYS},
        rejected={},
    )  # fmt: skip
    points = _columns(flat, precision, engine, swept, grid.size, slo)
    keep = fresh.ravel() & points["fits"]
    return cand, {k: v[keep] for k, v in points.items()}


def _columns(
    layouts: LayoutSet,
    precision: str,
    engine: str,
    est: Any,
    n: int,
    slo: dict[str, float | None] | None = None,
) -> dict[str, NDArray[Any]]:
    """The result columns of an estimate over ``n`` layouts (flattened)."""

    def flat(x: Any) -> NDArray[Any]:
        return np.broadcast_to(np.asarray(x), np.shape(est.output_tokens_per_s)).ravel()

    per_gpu = flat(est.output_tokens_per_s_per_gpu)
    tpot = flat(est.tpot_s)
    meets = flat(est.meets_slo)
    if slo is not None:  # batch mode: the SLO check on the same TPOT and prefill TTFT
        meets = flat(est.fits).copy()
        ttft = flat(est.ttft_s)
        if slo["tpot_slo_s"] is not None:
            meets &= tpot <= slo["tpot_slo_s"]
        if slo["ttft_slo_s"] is not None:
            meets &= ttft <= slo["ttft_slo_s"]
    fits = flat(est.fits)
    gpus = layouts.replicas * layouts.gpus_per_replica
    with np.errstate(divide="ignore", invalid="ignore"):
        per_user = 1.0 / tpot
    return {
        "replicas": layouts.replicas,
        "tp": layouts.tp,
        "pp": layouts.pp,
        "ep": layouts.ep,
        "gpus_per_replica": layouts.gpus_per_replica,
        "precision": np.full(n, precision),
        "engine": np.full(n, engine),
        "batch_size": flat(est.batch_size).astype(float),
        "output_tokens_per_s": per_gpu * gpus,
        "output_tokens_per_s_per_gpu": per_gpu,
        "output_tokens_per_s_per_user": per_user,
        "ttft_s": flat(est.ttft_s),
        "tpot_s": tpot,
        "fits": fits,
        "meets_slo": meets,
        "feasible": fits & meets,
        "limited_by": flat(est.limited_by).astype(str),
        "bound": flat(est.basis["bound"]).astype(str),
    }


def search_layouts(
    model: ModelSpec,
    gpu: GpuSpec,
    *,
    gpus: int,
    input_tokens: float,
    output_tokens: float,
    precisions: str | Sequence[str] | None = None,
    engines: str | Sequence[str] | None = None,
    tpot_slo_s: float | None = None,
    ttft_slo_s: float | None = None,
    kv_precision: str | None = None,
    cached_input_fraction: float = 0.0,
    quant_scope: str = "checkpoint",
    front_batches: int = FRONT_BATCHES,
    max_pp: int | None = None,
) -> LayoutSearch:
    """Search every valid layout of ``gpus`` × ``gpu`` for the most output tokens/s per GPU.

    Parameters
    ----------
    gpus
        GPUs to lay out as replicas × tp × pp × ep [GPUs].
    input_tokens, output_tokens
        Tokens per request [tokens].
    precisions
        Weight precisions to try (default :data:`SEARCH_PRECISIONS`); those the GPU cannot
        run are skipped (``basis["skipped_precisions"]``), none left is an error.
    engines
        Engine profiles to try (default: vllm, sglang and, on NVIDIA GPUs, trtllm).
    tpot_slo_s, ttft_slo_s
        Targets [s]; without them candidates are ranked at max throughput.
    front_batches
        Batches per candidate on the front's geometric grid (≥ 2).
    max_pp
        Largest pipeline degree (None: any; see :func:`~llmcost.perf.layout.enumerate_layouts`).

    Returns
    -------
    LayoutSearch
        Ranked candidates, best, runner-up and the Pareto front. See the module notes.
    """
    check_specs(model, gpu)
    layouts = enumerate_layouts(model, gpu, gpus, max_pp=max_pp)
    if len(layouts) == 0:
        raise InfeasibleError(
            f"no valid layout of {gpus} × {gpu.id} for {model.id}; rejected: {layouts.rejected}"
        )
    front_batches = whole_arg(front_batches, "front_batches", lo=2, hi=MAX_FRONT_BATCHES)
    for name, target in (("tpot_slo_s", tpot_slo_s), ("ttft_slo_s", ttft_slo_s)):
        if target is not None:
            real_arg(target, name, lo=0.0, lo_open=True)
    precs, engs, skipped = _search_space(gpu, precisions, engines)
    i_tok = _workload_scalar(input_tokens, "input_tokens")
    o_tok = _workload_scalar(output_tokens, "output_tokens")
    common = {
        "input_tokens": i_tok,
        "output_tokens": o_tok,
        "kv_precision": kv_precision,
        "cached_input_fraction": cached_input_fraction,
        "quant_scope": quant_scope,
    }
    slo: dict[str, Any] = {"tpot_slo_s": tpot_slo_s, "ttft_slo_s": ttft_slo_s}
    parts = [
        _evaluate(model, gpu, layouts, p, e, common, slo, front_batches)
        for p in precs
        for e in engs
    ]
    cand = {k: np.concatenate([c[k] for c, _ in parts]) for k in _COLUMNS}
    points = {k: np.concatenate([f[k] for _, f in parts]) for k in _COLUMNS}
    score = np.where(cand["feasible"], cand["output_tokens_per_s_per_gpu"], -np.inf)
    order = np.argsort(-np.nan_to_num(score, nan=-np.inf), kind="stable")
    cand = {k: v[order] for k, v in cand.items()}
    on_front = pareto_front(
        points["output_tokens_per_s_per_gpu"], points["output_tokens_per_s_per_user"]
    )
    basis = {
        "model": model.id,
        "gpu": gpu.id,
        "gpus": int(gpus),
        "input_tokens": i_tok,
        "output_tokens": o_tok,
        "tpot_slo_s": tpot_slo_s,
        "ttft_slo_s": ttft_slo_s,
        "precisions": precs,
        "skipped_precisions": skipped,
        "engines": engs,
        "max_pp": max_pp,
        "layouts": len(layouts),
        "rejected_splits": layouts.rejected,
        "candidates": int(order.size),
        "candidates_not_fitting": int(np.sum(~cand["fits"])),
        "candidates_missing_slo": int(np.sum(cand["fits"] & ~cand["meets_slo"])),
        "operating_points": int(points["tp"].size),
    }
    return LayoutSearch(cand, {k: v[on_front] for k, v in points.items()}, basis)
