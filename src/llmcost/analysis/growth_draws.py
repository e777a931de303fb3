"""Monte Carlo over the horizon: monthly volumes drawn from an uncertain growth rate.

A growth fit (``llmcost.workload.fit_growth``) gives a rate and its standard error. Its
sampling distribution is taken as normal — ``g ~ Normal(growth_per_month,
growth_per_month_sd)``, the large-sample distribution of a least-squares estimate — and each
draw's volumes follow the horizon rule of :func:`llmcost.cost.horizon.monthly_volumes`
(month ``t`` = base × (1 + g)^t), so that a draw with g equal to the scenario's rate gives the
comparison's own horizon. Draws outside the allowed range are clipped to it (and counted).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .._core._arrays import FloatArray
from .._core.display import compact
from .._core.errors import InvalidInputError
from .._core.result import ResultShape
from .._core.serialize import jsonable
from ..cost.horizon import monthly_volumes

__all__ = ["GROWTH_RANGE", "GrowthDraws", "growth_draws"]

#: The growth rates a scenario accepts [fraction/month] (``Workload.growth_per_month``).
GROWTH_RANGE = (-0.5, 10.0)


@dataclass(frozen=True)
class GrowthDraws(ResultShape):
    """``n`` draws of the growth rate and of the volume of every month of the horizon."""

    base_per_month: float  # month 1 volume [requests/month]
    growth_per_month: float  # the rate drawn around [fraction/month]
    growth_per_month_sd: float  # its standard error [fraction/month]
    seed: int | None
    rates: FloatArray = field(repr=False)  # (n,) drawn rates [fraction/month]
    volumes: FloatArray = field(repr=False)  # (n, horizon) [requests/month]
    clipped_fraction: float  # share of draws clipped to GROWTH_RANGE [0–1]

    @property
    def n(self) -> int:
        """Number of draws."""
        return int(self.rates.size)

    def to_frame(self) -> pd.DataFrame:
        """One row per month of the horizon: mean, sd, p5, p50, p95 of the volume."""
        v = self.volumes
        p5, p50, p95 = np.percentile(v, [5.0, 50.0, 95.0], axis=0)
        return pd.DataFrame(
            {
                "month": np.arange(1, v.shape[1] + 1),
                "mean_requests_per_month": v.mean(axis=0),
                "sd_requests_per_month": v.std(axis=0, ddof=1) if self.n > 1 else 0.0,
                "p5_requests_per_month": p5,
                "p50_requests_per_month": p50,
                "p95_requests_per_month": p95,
            }
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain values for JSON: the fit drawn around and the per-month table (NaN → None)."""
        return jsonable(
            {
                "n": self.n,
                "seed": self.seed,
                "base_per_month": self.base_per_month,
                "growth_per_month": self.growth_per_month,
                "growth_per_month_sd": self.growth_per_month_sd,
                "clipped_fraction": self.clipped_fraction,
                "months": self.to_frame().to_dict(orient="records"),
            }
        )

    def __repr__(self) -> str:
        """One line: draws, the rate ± its standard error, months."""
        return (
            f"GrowthDraws(n={compact(self.n)}, growth {self.growth_per_month:.2%} ± "
            f"{self.growth_per_month_sd:.2%}/month, {self.volumes.shape[1]} months, "
            f"clipped {self.clipped_fraction:.1%})"
        )


def growth_draws(
    *,
    base_per_month: float,
    growth_per_month: float,
    growth_per_month_sd: float,
    horizon_months: int,
    n: int = 1000,
    seed: int | None = 0,
) -> GrowthDraws:
    """Draw ``n`` growth rates and the monthly volumes of a horizon (see the module docstring).

    Parameters
    ----------
    base_per_month
        Volume of the horizon's first month [requests/month], ≥ 0.
    growth_per_month, growth_per_month_sd
        The fitted rate and its standard error [fraction/month]; sd ≥ 0 (0: every draw is
        the rate itself).
    horizon_months
        Months of the horizon, ≥ 1.
    n
        Draws, ≥ 2.
    seed
        Seed of numpy's default generator (same seed → the same draws).

    Examples
    --------
    >>> d = growth_draws(base_per_month=100.0, growth_per_month=0.1, growth_per_month_sd=0.0,
    ...                  horizon_months=3, n=2)
    >>> [round(float(v), 9) for v in d.volumes[0]]
    [100.0, 110.0, 121.0]
    """
    values = {
        "base_per_month": base_per_month,
        "growth_per_month": growth_per_month,
        "growth_per_month_sd": growth_per_month_sd,
    }
    for name, value in values.items():
        if not np.isfinite(value):
            raise InvalidInputError(f"{name} must be finite; got {value!r}")
    if growth_per_month_sd < 0:
        raise InvalidInputError(f"growth_per_month_sd must be ≥ 0; got {growth_per_month_sd!r}")
    lo, hi = GROWTH_RANGE
    if not lo <= growth_per_month <= hi:
        raise InvalidInputError(
            f"growth_per_month must be in [{lo}, {hi}]; got {growth_per_month!r}"
        )
    if int(n) != n or n < 2:
        raise InvalidInputError(f"n (draws) must be a whole number ≥ 2; got {n!r}")
    rng = np.random.default_rng(seed)
    raw = growth_per_month + growth_per_month_sd * rng.standard_normal(int(n))
    rates = np.clip(raw, lo, hi)
    return GrowthDraws(
        base_per_month=float(base_per_month),
        growth_per_month=float(growth_per_month),
        growth_per_month_sd=float(growth_per_month_sd),
        seed=seed,
        rates=rates,
        volumes=monthly_volumes(base_per_month, rates, horizon_months),
        clipped_fraction=float(np.mean(rates != raw)),
    )
