"""The uncertain inputs of a model: a baseline and a distribution for each (SALib's "problem").

A :class:`ParameterSpace` is the first step of the sensitivity contract
(space → :meth:`~ParameterSpace.sample` → evaluate the model on the arrays → analyze). It is
built in code or from a plain dict such as a scenario file's ``[uncertainty]`` table::

    {"gpu_usd_per_hour": {"dist": "triangular", "low": 1.8, "mode": 2.5, "high": 3.5}}

(``distribution``, a scenario file's key, is another spelling of ``dist``, and errors use the
spelling given; ``None`` values are ignored).

Distributions: ``uniform`` (low, high), ``triangular`` (low, mode, high), ``pert`` (low, mode,
high; beta-PERT with λ = 4), ``normal`` (mean, sd, optional low/high truncation),
``lognormal`` (median and sigma, or p5 and p95), ``fixed`` (value), or any frozen
``scipy.stats`` distribution. Rank correlations between inputs are imposed with the
Iman–Conover method (Iman & Conover 1982), which keeps each marginal exactly. Draws are plain
Monte Carlo (``method="monte_carlo"``), a Latin hypercube (``"lhs"``) or a scrambled Sobol'
sequence (``"sobol"``), both from ``scipy.stats.qmc``, mapped through each quantile function.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any, cast

import numpy as np
from numpy.typing import ArrayLike
from scipy import special, stats
from scipy.stats import qmc

from .._core._arrays import FloatArray
from .._core.display import compact, html_table, plain
from .._core.errors import InvalidInputError

__all__ = [
    "SAMPLING_METHODS",
    "Parameter",
    "ParameterSpace",
    "normal_score_correlation",
    "unit_sample",
]

#: λ of the beta-PERT distribution (Vose, *Risk Analysis*, 3rd ed., §9.1.2).
PERT_LAMBDA = 4.0
_Z95 = float(stats.norm.ppf(0.95))  # 1.6449: P5/P95 of a normal are median ∓ 1.6449 σ

_REQUIRED: dict[str, tuple[str, ...]] = {
    "uniform": ("low", "high"),
    "triangular": ("low", "mode", "high"),
    "pert": ("low", "mode", "high"),
    "normal": ("mean", "sd"),
    "lognormal": (),
    "fixed": ("value",),
}
_OPTIONAL: dict[str, tuple[str, ...]] = {
    "uniform": (),
    "triangular": (),
    "pert": (),
    "normal": ("low", "high"),
    "lognormal": ("median", "sigma", "p5", "p95"),
    "fixed": (),
}


@dataclass(frozen=True)
class Parameter:
    """One uncertain input.

    Its name, a frozen scipy distribution (None when fixed), its baseline value and a description of
    the distribution for reports.
    """

    name: str
    distribution: Any  # scipy.stats frozen distribution, or None for a fixed input
    baseline: float
    description: str
    kind: str = ""  # "uniform", "triangular", "pert", "normal", "lognormal", "fixed", "scipy"

    @property
    def is_fixed(self) -> bool:
        """True when the input does not vary."""
        return self.distribution is None

    @property
    def support(self) -> tuple[float, float]:
        """Smallest and largest value a draw can take [unit of the input]; ±inf: unbounded."""
        if self.distribution is None:
            return self.baseline, self.baseline
        lo, hi = self.distribution.support()
        return float(lo), float(hi)

    def ppf(self, q: ArrayLike) -> FloatArray:
        """Quantile function [unit of the input] at probabilities ``q``."""
        q_arr = np.asarray(q, dtype=np.float64)
        if self.distribution is None:
            return np.full(q_arr.shape, self.baseline)
        return np.asarray(self.distribution.ppf(q_arr), dtype=np.float64)

    def sample(self, n: int, rng: np.random.Generator) -> FloatArray:
        """``n`` independent draws."""
        if self.distribution is None:
            return np.full(n, self.baseline)
        return np.asarray(self.distribution.rvs(size=n, random_state=rng), dtype=np.float64)

    def __repr__(self) -> str:
        return f"Parameter({self.name!r}, {self.description}, baseline={self.baseline:g})"


class _TruncatedNormal:
    """Normal(mean, sd) truncated to [low, high], sampled by inverse transform.

    SciPy's ``truncnorm.rvs`` is ~30× slower for a million draws.
    """

    def __init__(self, mean: float, sd: float, low: float, high: float) -> None:
        self.mean, self.sd, self.low, self.high = mean, sd, low, high
        self.cdf_low = float(special.ndtr((low - mean) / sd))
        self.cdf_high = float(special.ndtr((high - mean) / sd))
        if not self.cdf_high - self.cdf_low > 1e-12:
            raise InvalidInputError(
                f"truncation [{low:g}, {high:g}] leaves no probability mass of N({mean:g}, {sd:g})"
            )

    def ppf(self, q: ArrayLike) -> FloatArray:
        u = self.cdf_low + np.asarray(q, dtype=np.float64) * (self.cdf_high - self.cdf_low)
        return np.asarray(self.mean + self.sd * special.ndtri(u), dtype=np.float64)

    def rvs(self, size: int, random_state: np.random.Generator) -> FloatArray:
        return self.ppf(random_state.random(size))

    def support(self) -> tuple[float, float]:
        return self.low, self.high


def _number(name: str, key: str, value: Any) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError) as exc:
        raise InvalidInputError(f"{name}.{key} must be a number; got {plain(value)}") from exc
    if not np.isfinite(number):
        raise InvalidInputError(f"{name}.{key} must be finite; got {plain(value)}")
    return number


def _ordered(name: str, **values: float) -> None:
    keys = list(values)
    for a, b in pairwise(keys):
        if values[a] > values[b]:
            raise InvalidInputError(
                f"{name}: {a} must be ≤ {b}; got {a}={values[a]:g}, {b}={values[b]:g}"
            )


def _uniform(name: str, low: float, high: float) -> tuple[Any, float, str]:
    _ordered(name, low=low, high=high)
    if low == high:
        raise InvalidInputError(f"{name}: low must be < high; got {low:g} for both")
    return stats.uniform(loc=low, scale=high - low), (low + high) / 2, f"U({low:g}, {high:g})"


def _triangular(name: str, low: float, mode: float, high: float) -> tuple[Any, float, str]:
    _ordered(name, low=low, mode=mode, high=high)
    if low == high:
        raise InvalidInputError(f"{name}: low must be < high; got {low:g} for both")
    c = (mode - low) / (high - low)
    return (
        stats.triang(c, loc=low, scale=high - low),
        mode,
        f"Tri({low:g}, {mode:g}, {high:g})",
    )


def _pert(name: str, low: float, mode: float, high: float) -> tuple[Any, float, str]:
    _ordered(name, low=low, mode=mode, high=high)
    if low == high:
        raise InvalidInputError(f"{name}: low must be < high; got {low:g} for both")
    a = 1 + PERT_LAMBDA * (mode - low) / (high - low)
    b = 1 + PERT_LAMBDA * (high - mode) / (high - low)
    return (
        stats.beta(a, b, loc=low, scale=high - low),
        mode,
        f"PERT({low:g}, {mode:g}, {high:g})",
    )


def _normal(
    name: str, mean: float, sd: float, low: float | None = None, high: float | None = None
) -> tuple[Any, float, str]:
    if sd <= 0:
        raise InvalidInputError(f"{name}.sd must be > 0; got {sd:g}")
    if low is None and high is None:
        return stats.norm(mean, sd), mean, f"N({mean:g}, {sd:g})"
    lo = -np.inf if low is None else low
    hi = np.inf if high is None else high
    if not lo < hi:
        raise InvalidInputError(f"{name}: low must be < high; got low={lo:g}, high={hi:g}")
    return (
        _TruncatedNormal(mean, sd, lo, hi),
        float(np.clip(mean, lo, hi)),
        f"N({mean:g}, {sd:g}) on [{lo:g}, {hi:g}]",
    )


def _lognormal(
    name: str,
    median: float | None = None,
    sigma: float | None = None,
    p5: float | None = None,
    p95: float | None = None,
) -> tuple[Any, float, str]:
    if median is not None and sigma is not None and p5 is None and p95 is None:
        if median <= 0 or sigma <= 0:
            raise InvalidInputError(
                f"{name}: lognormal median and sigma must be > 0; got {median:g}, {sigma:g}"
            )
        return stats.lognorm(s=sigma, scale=median), median, f"LogN(median {median:g}, σ {sigma:g})"
    if p5 is not None and p95 is not None and median is None and sigma is None:
        if not 0 < p5 < p95:
            raise InvalidInputError(f"{name}: lognormal needs 0 < p5 < p95; got {p5:g}, {p95:g}")
        med = float(np.sqrt(p5 * p95))
        sig = float(np.log(p95 / p5) / (2 * _Z95))
        return stats.lognorm(s=sig, scale=med), med, f"LogN(P5 {p5:g}, P95 {p95:g})"
    raise InvalidInputError(f"{name}: lognormal takes either median and sigma, or p5 and p95")


_BUILDERS: dict[str, Callable[..., tuple[Any, float, str]]] = {
    "uniform": _uniform,
    "triangular": _triangular,
    "pert": _pert,
    "normal": _normal,
    "lognormal": _lognormal,
}


def _parameter_from_spec(name: str, spec: Any) -> Parameter:
    """One :class:`Parameter` from a number (fixed), a frozen scipy distribution or a dict."""
    if isinstance(spec, int | float) and not isinstance(spec, bool):
        value = _number(name, "value", spec)
        return Parameter(name, None, value, f"fixed {value:g}", "fixed")
    if hasattr(spec, "ppf") and hasattr(spec, "rvs"):
        median = float(spec.ppf(0.5))
        text = f"scipy {getattr(spec.dist, 'name', 'dist')}"
        return Parameter(name, spec, median, text, "scipy")
    if not isinstance(spec, Mapping):
        raise InvalidInputError(
            f"{name} must be a number, a scipy.stats frozen distribution or a table with "
            f"'distribution' (or 'dist'); got {spec!r}"
        )
    if "dist" in spec and "distribution" in spec:
        raise InvalidInputError(f"{name}: give 'dist' or 'distribution', not both")
    # errors name the key as the user wrote it (a scenario file says "distribution")
    key = "dist" if "dist" in spec else "distribution"
    spec = {("dist" if k == "distribution" else k): v for k, v in spec.items() if v is not None}
    kind = spec.get("dist")
    if kind not in _REQUIRED:
        raise InvalidInputError(f"{name}.{key} must be one of {', '.join(_REQUIRED)}; got {kind!r}")
    allowed = {"dist", "baseline", *_REQUIRED[kind], *_OPTIONAL[kind]}
    unknown = sorted(set(spec) - allowed)
    if unknown:
        shown = sorted({key if k == "dist" else k for k in allowed})
        raise InvalidInputError(
            f"{name}: unknown key(s) {', '.join(unknown)} for {key} {kind!r}; "
            f"allowed: {', '.join(shown)}"
        )
    missing = [k for k in _REQUIRED[kind] if k not in spec]
    if missing:
        raise InvalidInputError(f"{name}: {key} {kind!r} needs {', '.join(missing)}")
    args = {k: _number(name, k, v) for k, v in spec.items() if k not in ("dist", "baseline")}
    if kind == "fixed":
        return Parameter(name, None, args["value"], f"fixed {args['value']:g}", "fixed")
    dist, baseline, text = _BUILDERS[kind](name, **args)
    if "baseline" in spec:
        baseline = _number(name, "baseline", spec["baseline"])
    return Parameter(name, dist, float(baseline), text, kind)


@dataclass(frozen=True)
class ParameterSpace:
    """Named uncertain inputs, optionally rank-correlated.

    >>> space = ParameterSpace.from_dict({
    ...     "gpu_usd_per_hour": {"dist": "triangular", "low": 1.8, "mode": 2.5, "high": 3.5},
    ...     "utilization": {"dist": "uniform", "low": 0.3, "high": 0.9},
    ... })
    >>> space.baseline()
    {'gpu_usd_per_hour': 2.5, 'utilization': 0.6}
    >>> draws = space.sample(4, seed=1)
    >>> sorted(draws), draws["utilization"].shape
    (['gpu_usd_per_hour', 'utilization'], (4,))
    """

    parameters: tuple[Parameter, ...]
    correlation: FloatArray | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        names = [p.name for p in self.parameters]
        if not names:
            raise InvalidInputError("a parameter space needs at least one input")
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise InvalidInputError(f"duplicate input name(s): {', '.join(dupes)}")
        if self.correlation is not None:
            _check_correlation(self.correlation, len(names))

    # ----------------------------------------------------------------------------- construction
    @classmethod
    def from_dict(
        cls,
        spec: Mapping[str, Any],
        *,
        correlation: Mapping[tuple[str, str], float] | ArrayLike | None = None,
    ) -> ParameterSpace:
        """Build from ``{name: number | scipy frozen dist | {"dist": ..., ...}}``.

        ``correlation`` is either a full matrix (inputs in ``spec`` order) or a mapping of
        name pairs to rank correlations, e.g. ``{("gpu_usd_per_hour", "utilization"): -0.5}``.
        """
        if not isinstance(spec, Mapping) or not spec:
            raise InvalidInputError("uncertainty spec must be a non-empty table of inputs")
        params = tuple(_parameter_from_spec(str(k), v) for k, v in spec.items())
        return cls(params, _correlation_matrix(correlation, [p.name for p in params]))

    @classmethod
    def from_scenario(cls, scenario: Any) -> ParameterSpace:
        """The uncertain inputs of a scenario (a :class:`llmcost.Scenario`).

        Its ``[uncertainty]`` table, or documented default ranges for prices, capacity, staff and
        volume, with **every baseline at the scenario's value** (not the middle of the
        distribution), so a tornado's baseline output is the difference ``compare`` reports.
        """
        builder = getattr(scenario, "parameter_space", None)
        if not callable(builder):
            raise InvalidInputError(
                f"from_scenario needs a Scenario (llmcost.load_scenario(path)); got "
                f"{type(scenario).__name__}"
            )
        return cast(ParameterSpace, builder())

    # -------------------------------------------------------------------------------- accessors
    @property
    def names(self) -> list[str]:
        """Input names in order."""
        return [p.name for p in self.parameters]

    def __getitem__(self, name: str) -> Parameter:
        for p in self.parameters:
            if p.name == name:
                return p
        raise InvalidInputError(f"unknown input {name!r}; the space has: {', '.join(self.names)}")

    def baseline(self) -> dict[str, float]:
        """The baseline value of each input."""
        return {p.name: p.baseline for p in self.parameters}

    def quantiles(self, q: float) -> dict[str, float]:
        """Each input's ``q`` quantile (e.g. 0.1 for P10)."""
        return {p.name: float(p.ppf(q)) for p in self.parameters}

    def describe(self) -> list[dict[str, Any]]:
        """One plain row per input (name, distribution, baseline, P5, P95) for reports."""
        return [
            {
                "input": p.name,
                "distribution": p.description,
                "baseline": p.baseline,
                "p5": float(p.ppf(0.05)),
                "p95": float(p.ppf(0.95)),
            }
            for p in self.parameters
        ]

    def __repr__(self) -> str:
        names = ", ".join(self.names[:6]) + (", …" if len(self.names) > 6 else "")
        corr = ", rank-correlated" if self.correlation is not None else ""
        return f"ParameterSpace({len(self.parameters)} inputs: {names}{corr})"

    def _repr_html_(self) -> str:
        rows = [
            [r["input"], r["distribution"], compact(r["baseline"]), compact(r["p5"]),
             compact(r["p95"])]
            for r in self.describe()[:20]
        ]  # fmt: skip
        more = f", first 20 of {len(self.parameters)}" if len(self.parameters) > 20 else ""
        title = f"Parameter space: {len(self.parameters)} inputs{more}"
        return html_table(title, ["input", "distribution", "baseline", "P5", "P95"], rows)

    # --------------------------------------------------------------------------------- sampling
    def sample(
        self,
        n: int,
        seed: int | np.random.Generator | None = None,
        *,
        method: str = "monte_carlo",
    ) -> dict[str, FloatArray]:
        """``n`` draws of every input as named arrays; reproducible for a given ``seed``.

        Inputs are drawn independently — plain Monte Carlo, or the points of a Latin
        hypercube (``method="lhs"``) or a scrambled Sobol' sequence (``"sobol"``) mapped
        through each quantile function — then rearranged (not changed) so that their rank
        correlations match :attr:`correlation` (Iman–Conover).
        """
        if int(n) != n or n < 1:
            raise InvalidInputError(f"n must be a whole number ≥ 1; got {plain(n)}")
        rng = np.random.default_rng(seed)
        if method == "monte_carlo":
            draws = {p.name: p.sample(int(n), rng) for p in self.parameters}
        else:
            draws = self.from_unit(unit_sample(len(self.parameters), int(n), rng, method))
        if self.correlation is not None and n > 2:
            draws = _iman_conover(draws, self.correlation, rng, self.parameters)
        return draws

    def from_unit(self, u: ArrayLike) -> dict[str, FloatArray]:
        """Map points of the unit hypercube through each input's quantile function.

        Columns are in input order; the points are e.g. quasi-random Sobol points.
        """
        u_arr = np.asarray(u, dtype=np.float64)
        if u_arr.ndim != 2 or u_arr.shape[1] != len(self.parameters):
            raise InvalidInputError(
                f"unit points must have shape (n, {len(self.parameters)}); got {u_arr.shape}"
            )
        return {p.name: p.ppf(u_arr[:, j]) for j, p in enumerate(self.parameters)}


#: Sampling methods of :meth:`ParameterSpace.sample` and the Sobol' design.
SAMPLING_METHODS = ("monte_carlo", "lhs", "sobol")


def unit_sample(d: int, n: int, rng: np.random.Generator, method: str) -> FloatArray:
    """``n`` points of the unit hypercube [0, 1)^d.

    Independent uniforms (``monte_carlo``), a Latin hypercube (``lhs``: each of the n strata of
    every axis holds one point) or a scrambled Sobol' sequence (``sobol``; balanced when n is a
    power of two).
    """
    if method not in SAMPLING_METHODS:
        raise InvalidInputError(
            f"method must be one of {', '.join(SAMPLING_METHODS)}; got {method!r}"
        )
    if method == "monte_carlo":
        return rng.random((n, d))
    if method == "lhs":
        return np.asarray(qmc.LatinHypercube(d=d, seed=rng).random(n))
    engine = qmc.Sobol(d=d, scramble=True, seed=rng)
    if n & (n - 1) == 0:
        return np.asarray(engine.random_base2(int(np.log2(n))))
    with warnings.catch_warnings():  # balance properties need 2^m points; still low-discrepancy
        warnings.simplefilter("ignore", UserWarning)
        return np.asarray(engine.random(n))


def normal_score_correlation(rank_correlation: ArrayLike) -> FloatArray:
    """The Pearson correlation of normal scores that gives Spearman ρ [−1, 1].

    R = 2 sin(π ρ / 6) (Pearson 1907; for a bivariate normal, ρ = (6/π) arcsin(r / 2)).

    >>> round(float(normal_score_correlation(-0.6)), 4)
    -0.618
    """
    return 2.0 * np.sin(np.pi * np.asarray(rank_correlation, dtype=np.float64) / 6.0)


def _nearest_psd_correlation(matrix: FloatArray) -> FloatArray:
    """Clip negative eigenvalues and rescale to unit diagonal.

    The sine map can leave a tiny negative eigenvalue.
    """
    w, v = np.linalg.eigh(matrix)
    fixed = (v * np.maximum(w, 1e-12)) @ v.T
    d = np.sqrt(np.diag(fixed))
    return np.asarray(fixed / np.outer(d, d))


def _check_correlation(matrix: FloatArray, k: int) -> None:
    if matrix.shape != (k, k):
        raise InvalidInputError(f"correlation must be a {k}×{k} matrix; got shape {matrix.shape}")
    if not np.allclose(matrix, matrix.T) or not np.allclose(np.diag(matrix), 1.0):
        raise InvalidInputError("correlation must be symmetric with ones on the diagonal")
    if np.any(np.abs(matrix) > 1):
        raise InvalidInputError("correlations must lie in [−1, 1]")
    if np.linalg.eigvalsh(matrix).min() < -1e-10:
        raise InvalidInputError("correlation matrix must be positive semi-definite")


def _correlation_matrix(
    correlation: Mapping[tuple[str, str], float] | ArrayLike | None, names: list[str]
) -> FloatArray | None:
    if correlation is None:
        return None
    if isinstance(correlation, Mapping):
        matrix = np.eye(len(names))
        for pair, rho in correlation.items():
            if not (isinstance(pair, tuple) and len(pair) == 2):
                raise InvalidInputError(
                    f"correlation keys must be (name, name) pairs; got {pair!r}"
                )
            for n in pair:
                if n not in names:
                    raise InvalidInputError(
                        f"correlation names unknown input {n!r}; inputs: {', '.join(names)}"
                    )
            i, j = names.index(pair[0]), names.index(pair[1])
            if i == j:
                raise InvalidInputError(f"correlation pair {pair!r} names the same input twice")
            matrix[i, j] = matrix[j, i] = _number("correlation", f"{pair[0]},{pair[1]}", rho)
        return matrix
    return np.asarray(correlation, dtype=np.float64)


def _iman_conover(
    draws: dict[str, FloatArray],
    target: FloatArray,
    rng: np.random.Generator,
    parameters: tuple[Parameter, ...],
) -> dict[str, FloatArray]:
    """Reorder each column so that the rank correlation approaches ``target``.

    The target is a rank (Spearman) correlation; the scores are normal, so it is first
    converted to the normal-score correlation 2 sin(πρ/6) that has that rank correlation
    (without it a target of −0.6 comes out near −0.58). Fixed inputs are left alone (a
    constant has no ranks). Iman & Conover (1982), *A distribution-free approach to inducing
    rank correlation among input variables*.
    """
    free = [j for j, p in enumerate(parameters) if not p.is_fixed]
    if len(free) < 2:
        return draws
    n = next(iter(draws.values())).size
    c = normal_score_correlation(target[np.ix_(free, free)])
    np.fill_diagonal(c, 1.0)
    if np.linalg.eigvalsh(c).min() <= 0:
        c = _nearest_psd_correlation(c)
    scores = stats.norm.ppf(np.arange(1, n + 1) / (n + 1))
    m = np.stack([rng.permutation(scores) for _ in free], axis=1)
    e = np.corrcoef(m, rowvar=False)
    q = np.linalg.cholesky(e)
    p_chol = np.linalg.cholesky(c + 1e-12 * np.eye(len(free)))
    t = m @ np.linalg.inv(q).T @ p_chol.T
    out = dict(draws)
    for col, j in enumerate(free):
        name = parameters[j].name
        ranks = np.argsort(np.argsort(t[:, col]))
        out[name] = np.sort(draws[name])[ranks]
    return out
