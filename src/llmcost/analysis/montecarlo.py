"""Monte Carlo: propagate a :class:`ParameterSpace` through a model.

Draws every input at once (seeded), evaluates the model on the whole arrays in chunks, and
summarizes each output (mean, percentiles, the share of draws where it is undefined — e.g. a
break-even volume that never occurs), plus the probability that each option is the cheapest.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .._core._arrays import FloatArray
from .._core.arguments import name_arg, names_arg, real_arg, whole_arg
from .._core.display import compact, html_table, most_often_cheapest, plain
from .._core.errors import InvalidInputError
from .._core.result import ResultShape
from .._core.serialize import jsonable
from ._model import DEFAULT_CHUNK_ROWS, Model
from ._xarray import summary_dataset
from .backends import BACKENDS, evaluate_on
from .blocks import block_draws, n_blocks
from .space import SAMPLING_METHODS, ParameterSpace

__all__ = ["MonteCarloResult", "monte_carlo", "probability_cheapest", "summarize_draws"]

DEFAULT_PERCENTILES = (5.0, 50.0, 95.0)


@dataclass(frozen=True)
class MonteCarloResult(ResultShape):
    """Summary of ``n`` draws.

    ``summary[output]`` holds ``mean``, ``std``, ``p5``/``p50``/``p95`` (or the percentiles
    asked for) over the draws where the output is finite, and ``undefined_fraction`` — the share
    of draws where it is NaN (infeasible, or "never" for a derived quantity).
    ``probability_cheapest[option]`` is the share of draws in which that option costs least
    (an infeasible option never does; exact ties go to the option listed first).
    """

    n: int
    seed: int | None
    inputs: tuple[dict[str, Any], ...]  # the space, described (name, distribution, …)
    summary: dict[str, dict[str, float]]
    probability_cheapest: dict[str, float]
    draws: dict[str, FloatArray] = field(repr=False, compare=False)
    #: the drawn inputs that made ``draws``, by input name
    input_draws: dict[str, FloatArray] = field(default_factory=dict, repr=False, compare=False)
    #: unit of each output (e.g. ``"USD/month"``), for :meth:`to_xarray`
    units: dict[str, str] = field(default_factory=dict)

    def draws_frame(self) -> pd.DataFrame:
        """One row per draw (index ``draw``): the drawn inputs, then every output kept.

        Float columns; NaN where an output is undefined in that draw (infeasible, "never").
        """
        data = {k: np.asarray(v, dtype=np.float64) for k, v in self.input_draws.items()}
        data |= {k: np.asarray(v, dtype=np.float64) for k, v in self.draws.items()}
        return pd.DataFrame(data, index=pd.RangeIndex(self.n, name="draw"))

    def to_frame(self) -> pd.DataFrame:
        """One row per output: mean, std, percentiles, undefined fraction, P(cheapest)."""
        return summary_frame(self.summary, self.probability_cheapest)

    def to_dict(self) -> dict[str, Any]:
        """Plain, deterministic values (same seed → the same JSON, byte for byte; NaN → None)."""
        return summary_dict(self, {"n": self.n, "seed": self.seed})

    def __repr__(self) -> str:
        cheapest = most_often_cheapest(self.probability_cheapest)
        return (
            f"MonteCarloResult(n={self.n:,}, seed={self.seed}, {len(self.inputs)} inputs, "
            f"{len(self.summary)} outputs{cheapest})"
        )

    def _repr_html_(self) -> str:
        rows = [
            [name, compact(s.get("p5")), compact(s.get("p50")), compact(s.get("p95")),
             f"{s['undefined_fraction']:.1%}",
             "" if name not in self.probability_cheapest
             else f"{self.probability_cheapest[name]:.1%}"]
            for name, s in list(self.summary.items())[:10]
        ]  # fmt: skip
        more = f"; first 10 of {len(self.summary)} outputs" if len(self.summary) > 10 else ""
        title = f"Monte Carlo: {self.n:,} draws, seed {self.seed}{more}"
        header = ["output", "P5", "P50", "P95", "undefined", "P(cheapest)"]
        return html_table(title, header, rows)

    def plot(
        self, ax: Any = None, outputs: Sequence[str] | None = None, *, kind: str = "hist"
    ) -> Any:
        """Histograms (``kind="hist"``) or CDFs (``"cdf"``) of the kept draws, P5/P50/P95 marked.

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
            Where to draw; default a new pyplot figure (needs ``llmcost[plot]``).
        outputs : sequence of str, optional
            The outputs to show; default every output with draws kept.
        kind : {"hist", "cdf"}
            Density histograms or cumulative shares.

        Returns
        -------
        matplotlib.axes.Axes
            The axes drawn on; the money axis is logarithmic where the draws span decades.
        """
        from .plotting import axes_for, draw_monte_carlo

        return draw_monte_carlo(axes_for(ax), self, outputs, kind=kind)

    def to_xarray(self, units: Mapping[str, str] | None = None) -> Any:
        """The summary as an ``xarray.Dataset`` over dim ``output``.

        ``units`` names each output's unit (e.g. ``"USD/month"``; default: the result's
        ``units``, then the unit the output's name says), kept in a coordinate and the
        ``attrs``.
        """
        return summary_dataset(
            self.summary,
            self.probability_cheapest,
            units=dict(self.units) | dict(units or {}),
            attrs={"n": self.n} | ({} if self.seed is None else {"seed": self.seed}),
        )


def summary_frame(
    summary: Mapping[str, Mapping[str, float]], probability_cheapest: Mapping[str, float]
) -> pd.DataFrame:
    """One row per output of a Monte Carlo summary, with P(cheapest) where it is an option.

    Parameters
    ----------
    summary : mapping
        ``output → {statistic: value}`` (the units of each statistic are its output's).
    probability_cheapest : mapping
        ``option → share of draws it is cheapest`` [fraction].

    Returns
    -------
    pandas.DataFrame
        Columns ``output``, the statistics, then ``probability_cheapest`` (NaN for outputs that
        are not options).
    """
    frame = pd.DataFrame.from_dict(dict(summary), orient="index")
    frame.index.name = "output"
    if probability_cheapest:
        frame["probability_cheapest"] = pd.Series(dict(probability_cheapest))
    return frame.reset_index()


def summary_dict(
    result: Any, head: dict[str, Any], tail: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """``head``, the inputs, summary and P(cheapest) of a Monte Carlo ``result``, then ``tail``.

    The one JSON form of :class:`MonteCarloResult` and the streaming results (NaN → None).
    """
    return jsonable(
        head
        | {
            "inputs": [dict(r) for r in result.inputs],
            "summary": {k: dict(v) for k, v in result.summary.items()},
            "probability_cheapest": dict(result.probability_cheapest),
        }
        | dict(tail or {})
    )


def summarize_draws(
    values: FloatArray, percentiles: Sequence[float] = DEFAULT_PERCENTILES
) -> dict[str, float]:
    """Mean, std and percentiles of the finite draws, and the share that is NaN/infinite.

    >>> summarize_draws(np.array([1.0, 2.0, 3.0, np.nan]), [50])
    {'mean': 2.0, 'std': 1.0, 'p50': 2.0, 'undefined_fraction': 0.25}
    """
    finite = values[np.isfinite(values)]
    out: dict[str, float] = {}
    if finite.size:
        out["mean"] = float(finite.mean())
        out["std"] = float(finite.std(ddof=1)) if finite.size > 1 else 0.0
        for q, v in zip(percentiles, np.percentile(finite, percentiles), strict=True):
            out[f"p{q:g}"] = float(v)
    else:
        out["mean"] = out["std"] = float("nan")
        for q in percentiles:
            out[f"p{q:g}"] = float("nan")
    out["undefined_fraction"] = float(1.0 - finite.size / values.size)
    return out


def probability_cheapest(costs: Mapping[str, FloatArray]) -> dict[str, float]:
    """Share of draws in which each option has the lowest cost.

    NaN counts as never cheapest; draws where every option is NaN count for none.

    >>> probability_cheapest({"a": np.array([1.0, 5.0]), "b": np.array([2.0, 3.0])})
    {'a': 0.5, 'b': 0.5}
    """
    names = list(costs)
    stacked = np.stack([np.where(np.isnan(costs[k]), np.inf, costs[k]) for k in names])
    winner = np.argmin(stacked, axis=0)
    any_feasible = np.isfinite(stacked).any(axis=0)
    n = stacked.shape[1]
    counts = np.bincount(winner[any_feasible], minlength=len(names))
    return {name: float(c / n) for name, c in zip(names, counts, strict=True)}


#: Most draws :func:`monte_carlo` holds in memory at once (the scenario model's own cap,
#: ``MAX_POINTS``); :func:`~llmcost.analysis.streaming.monte_carlo_stream` takes more.
MAX_DRAWS = 20_000_000


def _sequence(value: Any, name: str) -> list[Any]:
    """``value`` as a list (a sequence that is not a string)."""
    if isinstance(value, str | bytes) or not isinstance(value, Sequence):
        raise InvalidInputError(f"{name} must be a list of numbers; got {plain(value)}")
    return list(value)


def monte_carlo(
    model: Model,
    space: ParameterSpace,
    n: int,
    *,
    seed: int | None = None,
    outputs: Sequence[str] | None = None,
    options: Sequence[str] | None = None,
    percentiles: Sequence[float] = DEFAULT_PERCENTILES,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    backend: str = "numpy",
    scheduler: Any = None,
    method: str = "monte_carlo",
    block_rows: int | None = None,
    units: Mapping[str, str] | None = None,
) -> MonteCarloResult:
    """Draw ``n`` samples of ``space``, evaluate ``model``, and summarize.

    The draws are seeded; ``method`` is "monte_carlo", "lhs" or "sobol" (see
    :meth:`ParameterSpace.sample`). With ``block_rows``, the draws are the seeded blocks of
    :func:`~llmcost.analysis.streaming.monte_carlo_stream` (the same draws, all in memory).

    Parameters
    ----------
    model : callable
        ``inputs → {output: array}``, vectorized over the draws (a scenario's model, or any
        function of numpy arrays).
    space : ParameterSpace
        The uncertain inputs.
    n : int
        Draws [count].
    seed : int, optional
        Seed of the draws; the same seed gives the same result, byte for byte.
    outputs : sequence of str, optional
        Outputs to summarize (default: all the model returns).
    options : sequence of str, optional
        Outputs that are options' costs, for the probability each is cheapest.
    percentiles : sequence of float
        Percentiles to report [%], e.g. (5, 50, 95).
    units : mapping of str to str, optional
        Unit of each output (e.g. ``{"api": "USD/month"}``), kept for ``to_xarray()``.
    chunk_rows : int
        Draws evaluated at a time [rows] (bounds memory).
    backend : {"numpy", "dask"}
        ``"dask"`` evaluates the chunks on a cluster, the same values bit for bit
        (:mod:`llmcost.analysis.backends`).
    scheduler : optional
        The dask scheduler or client (``backend="dask"``).
    method : {"monte_carlo", "lhs", "sobol"}
        Independent draws, a Latin hypercube or a scrambled Sobol' sequence.
    block_rows : int, optional
        Draw the seeded blocks of :func:`~llmcost.analysis.streaming.monte_carlo_stream`
        (the same draws, all in memory).

    Returns
    -------
    MonteCarloResult
        Per output the mean, std, percentiles and the share of undefined draws (NaN), and
        P(cheapest) per option; the draws themselves in ``draws``. For more draws than fit in
        memory use :func:`~llmcost.analysis.streaming.monte_carlo_stream`.

    Examples
    --------
    >>> space = ParameterSpace.from_dict({"p": {"dist": "uniform", "low": 0, "high": 2}})
    >>> r = monte_carlo(lambda x: {"api": x["p"], "own": np.ones_like(x["p"])}, space, 10_000,
    ...                 seed=1, options=["api", "own"])
    >>> round(r.probability_cheapest["api"], 2)
    0.5
    """
    if not isinstance(space, ParameterSpace):
        raise InvalidInputError(f"space must be a ParameterSpace; got {type(space).__name__}")
    n = whole_arg(n, "n", lo=1, hi=MAX_DRAWS)  # more: monte_carlo_stream
    seed = None if seed is None else whole_arg(seed, "seed", lo=0, hi=2**63 - 1)
    percentiles = [
        real_arg(q, f"percentiles[{i}]", lo=0.0, hi=100.0)
        for i, q in enumerate(_sequence(percentiles, "percentiles"))
    ]
    chunk_rows = whole_arg(chunk_rows, "chunk_rows", lo=1)
    backend = name_arg(backend, "backend", BACKENDS)
    method = name_arg(method, "method", SAMPLING_METHODS)
    known = getattr(model, "option_names", None)
    outputs = None if outputs is None else names_arg(outputs, "outputs", known)
    options = None if options is None else names_arg(options, "options", known)
    draws = _draws(space, n, seed, method, block_rows)
    results = evaluate_on(model, draws, chunk_rows=chunk_rows, backend=backend, scheduler=scheduler)
    wanted = list(outputs) if outputs is not None else list(results)
    opts = list(options or [])
    missing = sorted(set(wanted + opts) - set(results))
    if missing:
        raise InvalidInputError(
            f"unknown model output(s) {', '.join(missing)}; the model returns: {', '.join(results)}"
        )
    summary = {name: summarize_draws(results[name], percentiles) for name in wanted}
    cheapest = probability_cheapest({k: results[k] for k in opts}) if len(opts) >= 2 else {}
    return MonteCarloResult(
        n=int(n),
        seed=seed,
        inputs=tuple(space.describe()),
        summary=summary,
        probability_cheapest=cheapest,
        draws={name: results[name] for name in dict.fromkeys(wanted + opts)},
        input_draws=dict(draws),
        units=dict(units or {}),
    )


def _draws(
    space: ParameterSpace, n: int, seed: int | None, method: str, block_rows: int | None
) -> dict[str, FloatArray]:
    """One seeded design of ``n`` rows, or the blocks of ``block_rows`` rows joined in order."""
    if block_rows is None:
        return space.sample(n, seed, method=method)
    if method != "monte_carlo":
        raise InvalidInputError(
            f"block_rows draws plain Monte Carlo blocks; method {method!r} needs one design"
        )
    blocks = [block_draws(space, seed, b, n, block_rows) for b in range(n_blocks(n, block_rows))]
    return {k: np.concatenate([b[k] for b in blocks]) for k in blocks[0]}
