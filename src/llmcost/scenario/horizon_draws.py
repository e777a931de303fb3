"""``horizon_monte_carlo(scenario)``: the horizon's cost when the growth rate is uncertain.

The growth rate is drawn around the scenario's ``growth_per_month`` with its standard error
``growth_per_month_sd`` (written by ``llmcost workload import`` from the growth fit;
:func:`llmcost.analysis.growth_draws.growth_draws`), each draw's month-by-month volumes are
evaluated by the scenario's model (the numbers :func:`~llmcost.scenario.compare` shows for its
horizon), and each option's cost over the horizon and its NPV are summarized over the draws.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._core._arrays import FloatArray
from .._core.display import most_often_cheapest
from .._core.errors import InvalidInputError
from .._core.result import ResultShape
from .._core.serialize import jsonable
from ..analysis.growth_draws import GrowthDraws, growth_draws
from ..analysis.montecarlo import probability_cheapest
from ..catalog import Catalog
from ..cost.horizon import npv_usd
from .comparison import scenario_model
from .config import Scenario
from .loading import as_scenario

__all__ = ["HorizonMonteCarlo", "horizon_monte_carlo"]


@dataclass(frozen=True)
class HorizonMonteCarlo(ResultShape):
    """Costs over the horizon per draw of the growth rate (money in USD).

    ``total_usd[option]`` and ``npv_usd[option]`` have one value per draw (NaN where the
    option is infeasible in some month of that draw); ``probability_cheapest`` is the share of
    draws in which an option has the lowest total over the horizon.
    """

    scenario: str
    horizon_months: int
    growth: GrowthDraws
    total_usd: dict[str, FloatArray] = field(repr=False)
    npv_usd: dict[str, FloatArray] = field(repr=False)
    probability_cheapest: dict[str, float]

    def to_frame(self) -> pd.DataFrame:
        """One row per option: mean, p5, p50, p95 of the horizon total and NPV, P(cheapest)."""
        rows = []
        for name, total in self.total_usd.items():
            ok = total[np.isfinite(total)]
            npv = self.npv_usd[name][np.isfinite(self.npv_usd[name])]
            p5, p50, p95 = np.percentile(ok, [5, 50, 95]) if ok.size else (np.nan,) * 3
            rows.append(
                {
                    "option": name,
                    "mean_total_usd": ok.mean() if ok.size else np.nan,
                    "p5_total_usd": p5,
                    "p50_total_usd": p50,
                    "p95_total_usd": p95,
                    "mean_npv_usd": npv.mean() if npv.size else np.nan,
                    "infeasible_fraction": 1.0 - ok.size / total.size,
                    "probability_cheapest": self.probability_cheapest.get(name, 0.0),
                }
            )
        return pd.DataFrame(rows)

    def to_dict(self) -> dict[str, Any]:
        """Plain values for JSON: the growth draws and the per-option table (NaN → None)."""
        return jsonable(
            {
                "scenario": self.scenario,
                "horizon_months": self.horizon_months,
                "growth": self.growth.to_dict(),
                "options": self.to_frame().to_dict(orient="records"),
                "probability_cheapest": self.probability_cheapest,
            }
        )

    def __repr__(self) -> str:
        """One line: scenario, draws, months and the option most often cheapest."""
        cheapest = most_often_cheapest(self.probability_cheapest)
        return (
            f"HorizonMonteCarlo({self.scenario!r}, n={self.growth.n:,}, "
            f"{self.horizon_months} months{cheapest})"
        )


def horizon_monte_carlo(
    scenario: Scenario | str | Path,
    *,
    n: int = 1000,
    seed: int | None = 0,
    growth_per_month_sd: float | None = None,
    as_of: date | str | None = None,
    catalog: Catalog | None = None,
) -> HorizonMonteCarlo:
    """Draw the growth rate ``n`` times and cost every option over the scenario's horizon.

    Parameters
    ----------
    scenario
        A :class:`Scenario` or the path of a scenario file.
    n, seed
        Draws (≥ 2) and the seed of the generator.
    growth_per_month_sd
        Standard error of the growth rate [fraction/month]; default the workload's
        ``growth_per_month_sd`` (an imported growth fit's).
    as_of, catalog
        As for :func:`~llmcost.scenario.compare`.

    Raises
    ------
    InvalidInputError
        Without a standard error (neither given nor in the workload).
    """
    scenario = as_scenario(scenario)
    wl = scenario.workload
    sd = wl.growth_per_month_sd if growth_per_month_sd is None else growth_per_month_sd
    if sd is None:
        raise InvalidInputError(
            "workload.growth_per_month_sd is not set: import a workload with at least 3 full "
            "months (llmcost workload import) or give growth_per_month_sd"
        )
    model = scenario_model(scenario, as_of=as_of, catalog=catalog)
    draws = growth_draws(
        base_per_month=model.mix.total_requests_per_month,
        growth_per_month=wl.growth_per_month,
        growth_per_month_sd=sd,
        horizon_months=wl.horizon_months,
        n=n,
        seed=seed,
    )
    out = model.evaluate(requests_per_month=draws.volumes, outputs=("monthly_cost_usd", "feasible"))
    totals: dict[str, FloatArray] = {}
    npvs: dict[str, FloatArray] = {}
    for name, o in out.items():
        monthly = np.where(np.asarray(o["feasible"], dtype=bool), o["monthly_cost_usd"], np.nan)
        totals[name] = monthly.sum(axis=-1)  # NaN if any month is infeasible
        npvs[name] = np.asarray(npv_usd(monthly, wl.discount_rate_per_year), dtype=np.float64)
    return HorizonMonteCarlo(
        scenario=scenario.name,
        horizon_months=wl.horizon_months,
        growth=draws,
        total_usd=totals,
        npv_usd=npvs,
        probability_cheapest=probability_cheapest(totals),
    )
