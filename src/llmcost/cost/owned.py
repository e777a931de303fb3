"""Owned GPUs: capital (a level monthly payment), power, colocation and maintenance.

docs/architecture.md §4 money conventions, per month, for ``gpus`` owned GPUs:

- capital = gpus × ``PMT(cost_of_capital_per_year / 12, life_years × 12, −purchase, residual)``
  with residual = purchase × residual_fraction (straight line when the rate is 0);
- power = gpus × power_kw_per_gpu × power_draw_fraction × pue × usd_per_kwh × 730;
- colocation = gpus × power_kw_per_gpu × colocation_usd_per_kw_month (per kW of IT load,
  before PUE);
- maintenance = gpus × purchase × maintenance_fraction_per_year / 12.

``power_kw_per_gpu`` is all-in (the server's share per GPU at full load, e.g. DGX H100
10.2 kW / 8 GPUs = 1.275 kW). The draw at partial load is :func:`power_draw_fraction`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from numpy.typing import ArrayLike

from .._core._arrays import check_fraction, check_nonnegative, check_range, scalar_or_array
from .._core.units import HOURS_PER_MONTH, MONTHS_PER_YEAR
from .finance import pmt

__all__ = ["OwnedCost", "owned_cost", "power_draw_fraction"]


@dataclass(frozen=True)
class OwnedCost:
    """Monthly cost of owned GPUs by component [USD/month]; they sum to :attr:`total_usd`."""

    capital_usd: Any
    power_usd: Any
    colocation_usd: Any
    maintenance_usd: Any

    @property
    def total_usd(self) -> Any:
        """Sum of the components [USD/month]."""
        return self.capital_usd + self.power_usd + self.colocation_usd + self.maintenance_usd


def power_draw_fraction(utilization: ArrayLike, idle_power_fraction: ArrayLike) -> Any:
    """Average draw as a share of full-load power: ``idle + (1 − idle) × utilization``.

    A linear model between idle (GPUs powered, no work) and full load; ``utilization`` is the
    average load of the owned fleet over all hours.

    >>> power_draw_fraction(0.5, 0.5)  # idle 50 %, half loaded
    0.75
    """
    u = check_fraction(utilization, "utilization")
    idle = check_fraction(idle_power_fraction, "idle_power_fraction")
    return scalar_or_array(idle + (1.0 - idle) * u, utilization, idle_power_fraction)


def owned_cost(
    *,
    gpus: ArrayLike,
    purchase_usd_per_gpu: ArrayLike,
    life_years: ArrayLike,
    residual_fraction: ArrayLike = 0.0,
    cost_of_capital_per_year: ArrayLike = 0.0,
    power_kw_per_gpu: ArrayLike = 0.0,
    power_draw_fraction: ArrayLike = 1.0,
    pue: ArrayLike = 1.0,
    usd_per_kwh: ArrayLike = 0.0,
    colocation_usd_per_kw_month: ArrayLike = 0.0,
    maintenance_fraction_per_year: ArrayLike = 0.0,
) -> OwnedCost:
    """Monthly cost of owning ``gpus`` GPUs (see the module docstring for the formulas).

    Parameters
    ----------
    gpus : GPUs owned [GPUs]
    purchase_usd_per_gpu : all-in purchase price per GPU [USD]
    life_years : depreciation life [years], > 0
    residual_fraction : resale value at end of life, share of the purchase [0–1]
    cost_of_capital_per_year : annual rate [1/year]
    power_kw_per_gpu : all-in power per GPU at full load [kW]
    power_draw_fraction : average draw as a share of full load [0–1]
    pue : power usage effectiveness [ratio], ≥ 1
    usd_per_kwh : electricity [USD/kWh]
    colocation_usd_per_kw_month : [USD per kW of IT load per month]
    maintenance_fraction_per_year : of the purchase price [1/year]

    Hand check: 8 GPUs × $30,000 over 5 years, no residual, no interest: 240,000 / 60 = 4,000.

    >>> owned_cost(gpus=8, purchase_usd_per_gpu=30_000, life_years=5).capital_usd
    4000.0
    """
    n = check_nonnegative(gpus, "gpus")
    price = check_nonnegative(purchase_usd_per_gpu, "purchase_usd_per_gpu")
    life = check_range(life_years, "life_years", lo=0.0, lo_inclusive=False)
    residual = check_fraction(residual_fraction, "residual_fraction")
    rate = check_range(cost_of_capital_per_year, "cost_of_capital_per_year", lo=0.0, hi=1.0)
    kw = check_nonnegative(power_kw_per_gpu, "power_kw_per_gpu")
    draw = check_fraction(power_draw_fraction, "power_draw_fraction")
    pue_a = check_range(pue, "pue", lo=1.0, hi=5.0)
    kwh = check_nonnegative(usd_per_kwh, "usd_per_kwh")
    colo = check_nonnegative(colocation_usd_per_kw_month, "colocation_usd_per_kw_month")
    maint = check_range(maintenance_fraction_per_year, "maintenance_fraction_per_year", lo=0, hi=1)
    payment = pmt(rate / MONTHS_PER_YEAR, life * MONTHS_PER_YEAR, -price, price * residual)
    like = (gpus, purchase_usd_per_gpu, life_years)
    return OwnedCost(
        capital_usd=scalar_or_array(n * payment, *like),
        power_usd=scalar_or_array(n * kw * draw * pue_a * kwh * HOURS_PER_MONTH, *like),
        colocation_usd=scalar_or_array(n * kw * colo, *like),
        maintenance_usd=scalar_or_array(n * price * maint / MONTHS_PER_YEAR, *like),
    )
