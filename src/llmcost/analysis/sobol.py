"""Global sensitivity: Sobol first-order and total indices with bootstrap confidence intervals.

Sampling (Saltelli 2002/2010): two independent matrices A and B (one design of 2k dimensions
split in halves: a scrambled Sobol' sequence by default, or a Latin hypercube or plain Monte
Carlo, ``method=``), and for each input i the matrix AB_i = A with column i taken from B —
N·(k + 2) model rows in one vectorized evaluation. :func:`analyze` is the estimator on its own,
with the contract of SALib's ``sobol.analyze`` (outputs in the sample's order in, ``S1``,
``S1_conf``, ``ST``, ``ST_conf`` out; :meth:`SobolResult.to_salib`).

Estimators (Saltelli et al. 2010, *Computer Physics Communications* 181, Table 2):

- first order  S_i  = mean(f(B) · (f(AB_i) − f(A))) / V        (Saltelli 2010, b)
- total        ST_i = mean((f(A) − f(AB_i))²) / (2V)           (Jansen 1999, f)

with V the variance of f over A and B together. Confidence intervals: percentile-free normal
bootstrap like SALib (``z · std`` of the estimates over resamples of the N base rows).
Indices assume independent inputs; a space with correlations is rejected.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import stats
from scipy.stats import qmc

from .._core._arrays import FloatArray
from .._core.arguments import name_arg, real_arg, whole_arg
from .._core.display import plain
from .._core.errors import InvalidInputError
from .._core.result import ResultShape
from .._core.serialize import jsonable
from .._core.unit_names import unit_from_name
from ._model import DEFAULT_CHUNK_ROWS, Model, select_output
from ._xarray import xarray
from .backends import evaluate_on
from .space import SAMPLING_METHODS, ParameterSpace, unit_sample

__all__ = ["SobolResult", "analyze", "saltelli_sample", "sobol"]


@dataclass(frozen=True)
class SobolResult(ResultShape):
    """First-order (``s1``) and total (``st``) indices per varied input.

    With the half-widths of their ``confidence_level`` intervals (``s1_conf``, ``st_conf``).
    """

    output: str
    inputs: tuple[str, ...]
    s1: FloatArray
    s1_conf: FloatArray
    st: FloatArray
    st_conf: FloatArray
    n_base: int
    n_evaluations: int
    confidence_level: float

    def to_frame(self) -> pd.DataFrame:
        """One row per input, in the space's order."""
        return pd.DataFrame(
            {
                "input": list(self.inputs),
                "s1": self.s1,
                "s1_conf": self.s1_conf,
                "st": self.st,
                "st_conf": self.st_conf,
            }
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain values for JSON (NaN → None)."""
        out: dict[str, Any] = jsonable(
            {
                "output": self.output,
                "n_base": self.n_base,
                "n_evaluations": self.n_evaluations,
                "confidence_level": self.confidence_level,
                "indices": self.to_frame().to_dict(orient="records"),
            }
        )
        return out

    def __repr__(self) -> str:
        top = int(np.nanargmax(self.st)) if np.isfinite(self.st).any() else None
        lead = "" if top is None else f", top: {self.inputs[top]} (ST {self.st[top]:.2f})"
        return (
            f"SobolResult({self.output}: {len(self.inputs)} inputs, "
            f"{self.n_evaluations:,} evaluations{lead})"
        )

    def to_xarray(self) -> Any:
        """The indices as an ``xarray.Dataset`` over dim ``input``.

        Indices and their interval half-widths are fractions of the output's variance: units
        "1"; ``attrs["output_units"]`` is the output's own unit (from its name, "" if none).
        """
        xr = xarray()
        data = {
            k: ("input", np.asarray(getattr(self, k)), {"units": "1"})
            for k in ("s1", "s1_conf", "st", "st_conf")
        }
        attrs = {
            "output": self.output,
            "output_units": unit_from_name(self.output),
            "n_base": self.n_base,
            "n_evaluations": self.n_evaluations,
            "confidence_level": self.confidence_level,
        }
        return xr.Dataset(data, coords={"input": list(self.inputs)}, attrs=attrs)

    def to_salib(self) -> dict[str, Any]:
        """SALib's ``ResultDict`` keys.

        ``S1``, ``S1_conf``, ``ST``, ``ST_conf`` (arrays in input order) and ``names``.
        """
        return {
            "S1": self.s1,
            "S1_conf": self.s1_conf,
            "ST": self.st,
            "ST_conf": self.st_conf,
            "names": list(self.inputs),
        }


def saltelli_sample(
    space: ParameterSpace, n_base: int, *, seed: int | None = None, method: str = "sobol"
) -> tuple[dict[str, FloatArray], list[str]]:
    """Saltelli design over the varied inputs of ``space``: rows A, B, AB_1 … AB_k stacked.

    Returns the named input arrays (N·(k + 2) rows; fixed inputs held at their value) and the
    names of the varied inputs in order. A and B come from one ``method`` design of 2k
    dimensions ("sobol": ``n_base`` must be a power of two, for balance; "lhs";
    "monte_carlo").
    """
    if int(n_base) != n_base or n_base < 2:
        raise InvalidInputError(f"n_base must be a whole number ≥ 2; got {plain(n_base)}")
    if method == "sobol" and n_base & (n_base - 1):
        raise InvalidInputError(f"n_base must be a power of two ≥ 2; got {plain(n_base)}")
    if space.correlation is not None:
        raise InvalidInputError(
            "Sobol indices need independent inputs; drop the correlation or use Monte Carlo"
        )
    varied = [p for p in space.parameters if not p.is_fixed]
    k = len(varied)
    if k == 0:
        raise InvalidInputError("Sobol analysis needs at least one input that varies")
    if method == "sobol":
        u = qmc.Sobol(d=2 * k, scramble=True, seed=seed).random(n_base)
    else:
        u = unit_sample(2 * k, int(n_base), np.random.default_rng(seed), method)
    a, b = u[:, :k], u[:, k:]
    blocks = [a, b]
    for i in range(k):
        ab = a.copy()
        ab[:, i] = b[:, i]
        blocks.append(ab)
    unit = np.concatenate(blocks, axis=0)
    rows = unit.shape[0]
    arrays = {p.name: np.full(rows, p.baseline) for p in space.parameters if p.is_fixed}
    for j, p in enumerate(varied):
        arrays[p.name] = p.ppf(unit[:, j])
    ordered = {p.name: arrays[p.name] for p in space.parameters}
    return ordered, [p.name for p in varied]


def _indices(fa: FloatArray, fb: FloatArray, fab: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Estimators over the last axis (``fab`` may carry a leading axis of inputs)."""
    var = np.var(np.concatenate([fa, fb], axis=-1), axis=-1)
    s1 = np.mean(fb * (fab - fa), axis=-1) / var
    st = 0.5 * np.mean((fa - fab) ** 2, axis=-1) / var
    return s1, st


#: Largest Saltelli base sample [rows per matrix]; the design has n_base × (k + 2) rows.
MAX_N_BASE = 1_000_000
#: Most bootstrap resamples.
MAX_BOOTSTRAP = 100_000


def sobol(
    model: Model,
    space: ParameterSpace,
    output: str | Callable[[Mapping[str, FloatArray]], ArrayLike],
    *,
    output_name: str | None = None,
    n_base: int = 4096,
    seed: int | None = None,
    n_bootstrap: int = 200,
    confidence_level: float = 0.95,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    method: str = "sobol",
    backend: str = "numpy",
    scheduler: Any = None,
) -> SobolResult:
    """Sobol indices of ``output`` over the varied inputs of ``space``.

    Design: ``method``, see :func:`saltelli_sample`; estimator: :func:`analyze`.

    ``backend="dask"`` evaluates the Saltelli rows on a cluster (``scheduler``: an address or
    a ``Client``): the same indices, bit for bit.

    Parameters
    ----------
    model : callable
        ``inputs → {output: array}``, vectorized.
    space : ParameterSpace
        The inputs; fixed ones are held at their value.
    output : str or callable
        The output analysed, or a function of all outputs.
    output_name : str, optional
        The name of a computed ``output`` (default ``"output"``).
    n_base : int
        Base sample size N [rows]; the model runs N × (k + 2) times for k varied inputs.
    seed : int, optional
        Seed of the design and of the bootstrap.
    n_bootstrap : int
        Bootstrap resamples for the confidence intervals [count].
    confidence_level : float
        Of the intervals [0–1].
    chunk_rows : int
        Rows evaluated at a time.
    method : {"sobol", "lhs", "monte_carlo"}
        The design of the two base matrices.
    backend : {"numpy", "dask"}
        Where the rows are evaluated.
    scheduler : optional
        The dask scheduler or client.

    Returns
    -------
    SobolResult
        First-order ``s1`` and total ``st`` indices per varied input [fraction of the output's
        variance] with the half-widths of their intervals.

    Examples
    --------
    >>> space = ParameterSpace.from_dict({
    ...     "a": {"dist": "uniform", "low": 0, "high": 1},
    ...     "b": {"dist": "uniform", "low": 0, "high": 1},
    ... })
    >>> r = sobol(lambda x: {"y": x["a"] + 2 * x["b"]}, space, "y", n_base=1024, seed=0)
    >>> np.round(r.st, 1).tolist()  # analytic: 1/5 and 4/5
    [0.2, 0.8]
    """
    if not isinstance(space, ParameterSpace):
        raise InvalidInputError(f"space must be a ParameterSpace; got {type(space).__name__}")
    if not callable(output):
        output = name_arg(output, "output", getattr(model, "option_names", None))
    n_base = whole_arg(n_base, "n_base", lo=2, hi=MAX_N_BASE)
    seed = None if seed is None else whole_arg(seed, "seed", lo=0, hi=2**63 - 1)
    n_bootstrap = whole_arg(n_bootstrap, "n_bootstrap", lo=2, hi=MAX_BOOTSTRAP)
    confidence_level = real_arg(confidence_level, "confidence_level", lo=0.0, lo_open=True)
    method = name_arg(method, "method", SAMPLING_METHODS)
    inputs, _ = saltelli_sample(space, n_base, seed=seed, method=method)
    evaluated = evaluate_on(
        model, inputs, chunk_rows=chunk_rows, backend=backend, scheduler=scheduler
    )
    y = select_output(evaluated, output)
    return analyze(
        space,
        y,
        n_bootstrap=n_bootstrap,
        confidence_level=confidence_level,
        seed=seed,
        output_name=output if isinstance(output, str) else (output_name or "output"),
    )


def analyze(
    space: ParameterSpace,
    y: ArrayLike,
    *,
    n_bootstrap: int = 200,
    confidence_level: float = 0.95,
    seed: int | None = None,
    output_name: str = "output",
) -> SobolResult:
    """Sobol indices from model outputs ``y`` on the rows of :func:`saltelli_sample`.

    Same row order: A, B, AB_1 … AB_k; like SALib's ``sobol.analyze(problem, Y, num_resamples,
    conf_level, seed)``; ``to_salib()`` gives its keys.

    >>> space = ParameterSpace.from_dict({
    ...     "a": {"dist": "uniform", "low": 0, "high": 1},
    ...     "b": {"dist": "uniform", "low": 0, "high": 1},
    ... })
    >>> x, _ = saltelli_sample(space, 1024, seed=0, method="lhs")
    >>> np.round(analyze(space, x["a"] + 2 * x["b"]).to_salib()["ST"], 1).tolist()
    [0.2, 0.8]
    """
    if not 0 < confidence_level < 1:
        raise InvalidInputError(
            f"confidence_level must lie in (0, 1); got {plain(confidence_level)}"
        )
    if n_bootstrap < 2:
        raise InvalidInputError(f"n_bootstrap must be ≥ 2; got {plain(n_bootstrap)}")
    names = [p.name for p in space.parameters if not p.is_fixed]
    k = len(names)
    out = np.asarray(y, dtype=np.float64).reshape(-1)
    if k == 0 or out.size % (k + 2) or out.size < 2 * (k + 2):
        raise InvalidInputError(
            f"y must hold N·(k + 2) outputs for the k = {k} varied inputs (the rows of "
            f"saltelli_sample); got {out.size}"
        )
    if not np.all(np.isfinite(out)):
        bad = int(np.count_nonzero(~np.isfinite(out)))
        raise InvalidInputError(
            f"the model output is NaN/infinite in {bad} of {out.size} Sobol rows; narrow the "
            "input ranges to where every option is feasible"
        )
    n_base = out.size // (k + 2)
    # centre the output (as SALib does): the first-order estimator is consistent either way,
    # but a large mean (a monthly bill) would otherwise swamp it with noise
    out = out - out[: 2 * n_base].mean()
    fa, fb = out[:n_base], out[n_base : 2 * n_base]
    fab = out[2 * n_base :].reshape(k, n_base)
    s1, st = _indices(fa, fb, fab)
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, n_base, size=(n_bootstrap, n_base))
    fa_b, fb_b = fa[idx], fb[idx]
    boot = [_indices(fa_b, fb_b, fab[i][idx]) for i in range(k)]  # one input at a time: memory
    s1_boot = np.stack([b[0] for b in boot])  # (k, n_bootstrap)
    st_boot = np.stack([b[1] for b in boot])
    z = float(stats.norm.ppf(0.5 + confidence_level / 2))
    return SobolResult(
        output=output_name,
        inputs=tuple(names),
        s1=s1,
        s1_conf=z * s1_boot.std(axis=-1, ddof=1),
        st=st,
        st_conf=z * st_boot.std(axis=-1, ddof=1),
        n_base=n_base,
        n_evaluations=int(out.size),
        confidence_level=confidence_level,
    )
