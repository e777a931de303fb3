"""Fits over imported usage: token-length distributions and monthly growth.

- :func:`length_distribution`: exact empirical quantiles of a histogram (the inverted-CDF
  definition, numpy's ``method="inverted_cdf"``) and the maximum-likelihood lognormal
  (μ, σ = mean and standard deviation of ln x over x > 0), with its fit quality as the
  Kolmogorov–Smirnov distance between the empirical CDF and the fitted one (evaluated with a
  continuity correction of ½ token, the lengths being whole numbers).
- :func:`fit_growth`: least-squares fits of the monthly volume, linear ``y = a + b·t`` and
  exponential ``y = a·(1 + g)^t``, each with the standard errors of its parameters from the
  fit's covariance, and Akaike's information criterion for Gaussian residuals,
  AIC = n·ln(RSS/n) + 2k (k = 2 for both; Burnham & Anderson 2002, eq. 2.13); the lower AIC
  is chosen.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize, stats

from .._core.result import ResultShape
from .._core.serialize import jsonable

__all__ = [
    "QUANTILES",
    "GrowthFit",
    "LengthDistribution",
    "fit_growth",
    "length_distribution",
]

#: Quantiles reported, as fractions.
QUANTILES = (0.5, 0.9, 0.95, 0.99, 0.999)


@dataclass(frozen=True)
class LengthDistribution(ResultShape):
    """Per-request token lengths [tokens]: empirical quantiles and a fitted lognormal."""

    requests: int
    mean_tokens: float
    max_tokens: int
    quantiles_tokens: dict[str, float]  # "p50", "p99"… → [tokens]
    lognormal_mu: float  # mean of ln(tokens) over requests with tokens > 0
    lognormal_sigma: float  # standard deviation of ln(tokens)
    ks_distance: float  # sup |F_empirical − F_lognormal| [0–1]; small = good fit
    zero_fraction: float  # share of requests with 0 tokens [0–1] (left out of the fit)

    def quantile(self, q: float) -> float:
        """The fitted lognormal's quantile ``q`` [tokens] (beyond the empirical ones)."""
        return float(math.exp(self.lognormal_mu + self.lognormal_sigma * stats.norm.ppf(q)))

    def to_frame(self) -> pd.DataFrame:
        """One row per statistic: name, value."""
        flat: dict[str, Any] = {k: v for k, v in asdict(self).items() if k != "quantiles_tokens"}
        flat |= {f"{k}_tokens": v for k, v in self.quantiles_tokens.items()}
        return pd.DataFrame({"statistic": list(flat), "value": list(flat.values())})

    def to_dict(self) -> dict[str, Any]:
        """Every field as plain JSON values (NaN → None)."""
        return jsonable(asdict(self))

    def __repr__(self) -> str:
        """One line: requests, mean, p99 and the lognormal's fit."""
        p99 = self.quantiles_tokens.get("p99", math.nan)
        return (
            f"LengthDistribution({self.requests:,} requests, mean {self.mean_tokens:,.0f} "
            f"tokens, p99 {p99:,.0f}, lognormal KS {self.ks_distance:.3f})"
        )


def quantile_label(q: float) -> str:
    """``0.5`` → ``"p50"``, ``0.999`` → ``"p99.9"``."""
    return "p" + f"{q * 100:.10g}"


def length_distribution(values: np.ndarray, counts: np.ndarray) -> LengthDistribution | None:
    """Distribution of lengths ``values`` [tokens] seen ``counts`` times each (None if empty).

    >>> d = length_distribution(np.array([100, 200, 400]), np.array([1, 2, 1]))
    >>> d.quantiles_tokens["p50"], d.mean_tokens, d.max_tokens
    (200.0, 225.0, 400)
    """
    order = np.argsort(values)
    values, counts = values[order].astype(np.float64), counts[order].astype(np.int64)
    n = int(counts.sum())
    if n == 0:
        return None
    cum = np.cumsum(counts)
    # inverted CDF: the smallest value whose cumulative count reaches q·n
    quantiles = {
        quantile_label(q): float(values[np.searchsorted(cum, q * n, side="left")])
        for q in QUANTILES
    }
    positive = values > 0
    n_pos = int(counts[positive].sum())
    mu = sigma = ks = math.nan
    if n_pos >= 2:
        logs = np.log(values[positive])
        w = counts[positive]
        mu = float(np.sum(w * logs) / n_pos)
        sigma = float(math.sqrt(np.sum(w * (logs - mu) ** 2) / n_pos))
        if sigma > 0:
            ks = _ks(values[positive], w, mu, sigma)
    return LengthDistribution(
        requests=n,
        mean_tokens=float(np.sum(values * counts) / n),
        max_tokens=int(values[-1]),
        quantiles_tokens=quantiles,
        lognormal_mu=mu,
        lognormal_sigma=sigma,
        ks_distance=ks,
        zero_fraction=float(1 - n_pos / n),
    )


def _ks(values: np.ndarray, counts: np.ndarray, mu: float, sigma: float) -> float:
    """KS distance of whole-number data against a continuous lognormal (½-token correction)."""
    n = counts.sum()
    above = np.cumsum(counts) / n  # empirical CDF at each value
    below = above - counts / n  # just below it
    hi = stats.lognorm.cdf(values + 0.5, s=sigma, scale=math.exp(mu))
    lo = stats.lognorm.cdf(np.maximum(values - 0.5, 0.0), s=sigma, scale=math.exp(mu))
    return float(max(np.max(np.abs(above - hi)), np.max(np.abs(below - lo))))


@dataclass(frozen=True)
class GrowthFit(ResultShape):
    """Monthly volume growth: both fits, the one chosen by AIC, and its growth rate."""

    months: int  # full months fitted
    chosen: str  # "linear" or "exponential"
    growth_per_month: float  # chosen fit's growth at the last month [fraction/month]
    growth_per_month_se: float  # its standard error [fraction/month]
    linear_intercept: float  # a [requests/month] at the first month
    linear_slope: float  # b [requests/month per month]
    linear_slope_se: float
    exponential_start: float  # a [requests/month] at the first month
    exponential_rate: float  # g [fraction/month]
    exponential_rate_se: float
    aic_linear: float
    aic_exponential: float

    def to_frame(self) -> pd.DataFrame:
        """One row per field: name, value."""
        d = asdict(self)
        return pd.DataFrame({"statistic": list(d), "value": list(d.values())})

    def to_dict(self) -> dict[str, Any]:
        """Every field as plain JSON values (NaN → None)."""
        return jsonable(asdict(self))

    def __repr__(self) -> str:
        """One line: the chosen fit and its growth rate ± standard error."""
        return (
            f"GrowthFit({self.chosen}, {self.growth_per_month:.2%} ± "
            f"{self.growth_per_month_se:.2%}/month over {self.months} months)"
        )


def _aic(residuals: np.ndarray, k: int) -> float:
    n = residuals.size
    rss = float(np.sum(residuals**2))
    return n * math.log(max(rss, 1e-300) / n) + 2 * k


def fit_growth(volumes: np.ndarray) -> GrowthFit | None:
    """Fit monthly ``volumes`` [requests/month] (at least 3 months, all > 0; else None).

    >>> g = fit_growth(np.array([100.0, 110.0, 121.0, 133.1]))
    >>> g.chosen, round(g.exponential_rate, 6)
    ('exponential', 0.1)
    """
    y = np.asarray(volumes, dtype=np.float64)
    if y.size < 3 or np.any(y <= 0):
        return None
    t = np.arange(y.size, dtype=np.float64)
    (b, a), cov_lin = np.polyfit(t, y, 1, cov="unscaled")
    res_lin = y - (a + b * t)
    dof = max(y.size - 2, 1)
    se_b = math.sqrt(cov_lin[0, 0] * np.sum(res_lin**2) / dof)
    g0 = math.exp(np.polyfit(t, np.log(y), 1)[0]) - 1.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optimize.OptimizeWarning)
        (a_e, g), cov_e = optimize.curve_fit(
            lambda tt, aa, gg: aa * (1.0 + gg) ** tt, t, y, p0=(y[0], g0), maxfev=10_000
        )
    res_exp = y - a_e * (1.0 + g) ** t
    se_g = float(math.sqrt(cov_e[1, 1])) if np.isfinite(cov_e[1, 1]) else 0.0
    aic_l, aic_e = _aic(res_lin, 2), _aic(res_exp, 2)
    last = a + b * t[-1]
    if aic_e < aic_l:
        chosen, rate, rate_se = "exponential", float(g), se_g
    else:  # linear: the month-over-month growth it implies at the last month
        chosen, rate, rate_se = "linear", float(b / last), float(se_b / last)
    return GrowthFit(
        months=int(y.size),
        chosen=chosen,
        growth_per_month=rate,
        growth_per_month_se=rate_se,
        linear_intercept=float(a),
        linear_slope=float(b),
        linear_slope_se=float(se_b),
        exponential_start=float(a_e),
        exponential_rate=float(g),
        exponential_rate_se=se_g,
        aic_linear=aic_l,
        aic_exponential=aic_e,
    )
