"""Spreadsheet formulas that are exactly the cost layer's math (``llmcost.cost``).

Each function takes spreadsheet expressions (defined names or cell addresses) for its inputs
and returns formula text without the leading ``=``. They mirror, term by term:

- :func:`llmcost.cost.api.api_bill` (components of one request class; a sum over classes);
- :func:`llmcost.cost.load.replica_plan` (replicas in one hour of the day);
- :func:`llmcost.cost.rental.rental_cost` and :func:`~llmcost.cost.rental.committed_replicas`;
- :func:`llmcost.cost.owned.owned_cost` and :func:`~llmcost.cost.owned.power_draw_fraction`
  (``PMT``, DESIGN.md §4);
- :func:`llmcost.cost.staff.staff_usd_per_month`.

Only functions every spreadsheet application (and the ``formulas`` engine used in the tests)
evaluates are used: arithmetic, ``SUM``, ``SUMPRODUCT``, ``MIN``, ``MAX``, ``CEILING``, ``IF``,
``AND``, ``ISNUMBER``, ``PMT``, ``NPV``, ``INDEX``, ``MATCH``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .._core.units import HOURS_PER_MONTH, MONTHS_PER_YEAR, TOKENS_PER_MTOK

MTOK = f"{TOKENS_PER_MTOK:.0f}"
HOURS = f"{HOURS_PER_MONTH:g}"
MONTHS = f"{MONTHS_PER_YEAR:g}"
HOURS_IN_DAY = "24"


@dataclass(frozen=True)
class RequestClass:
    """Expressions for one request class (feature) of the workload."""

    requests_per_month: str
    input_tokens_per_request: str
    output_tokens_per_request: str
    cached_input_fraction: str
    cache_write_fraction: str
    batch_eligible_fraction: str


@dataclass(frozen=True)
class ApiPrices:
    """Expressions for an API offer's prices [USD per 1M tokens] and batch discount [0–1].

    ``cached_input`` / ``cache_write`` must already fall back to ``input`` when the offer has no
    such price (the library's NaN rule), e.g. as an assumption cell holding ``=input``.
    """

    input: str
    cached_input: str
    cache_write: str
    output: str
    batch_discount: str


def api_components(classes: Sequence[RequestClass], prices: ApiPrices) -> dict[str, str]:
    """The four bill components [USD/month], each a sum over request classes.

    Per class (``api_bill``): factor = 1 − batch share × discount, and
    input = requests × input tokens × (1 − cached − written) × input price × factor / 1e6, etc.
    """

    def total(term: str) -> str:
        return "+".join(
            f"{c.requests_per_month}*{term.format(c=c)}*(1-{c.batch_eligible_fraction}"
            f"*{prices.batch_discount})/{MTOK}"
            for c in classes
        )

    return {
        "input_usd": total(
            "{c.input_tokens_per_request}*(1-{c.cached_input_fraction}"
            "-{c.cache_write_fraction})*" + prices.input
        ),
        "cached_input_usd": total(
            "{c.input_tokens_per_request}*{c.cached_input_fraction}*" + prices.cached_input
        ),
        "cache_write_usd": total(
            "{c.input_tokens_per_request}*{c.cache_write_fraction}*" + prices.cache_write
        ),
        "output_usd": total("{c.output_tokens_per_request}*" + prices.output),
    }


def replicas_in_hour(
    *,
    demand_requests_per_s: str,
    capacity_requests_per_s: str,
    target_utilization: str,
    min_replicas: str,
    max_replicas: str,
    scale_to_zero: str,
) -> str:
    """Replicas running in one hour (``replica_plan``).

    needed = ceil(demand / (capacity × utilization) × (1 − 1e-12)); floor = max(min, 1), or with
    scale-to-zero min (0 in an hour without demand); clipped to max_replicas when that cell holds
    a number (text such as "none" means no limit).
    """
    needed = (
        f"CEILING({demand_requests_per_s}/({capacity_requests_per_s}*{target_utilization})"
        f"*(1-1E-12),1)"
    )
    floor = (
        f"IF({scale_to_zero},IF({demand_requests_per_s}<=0,0,{min_replicas}),MAX({min_replicas},1))"
    )
    running = f"MAX({needed},{floor})"
    return f"IF(ISNUMBER({max_replicas}),MIN({running},{max_replicas}),{running})"


def replicas_needed_in_hour(
    *, demand_requests_per_s: str, capacity_requests_per_s: str, target_utilization: str
) -> str:
    """Replicas the demand needs in one hour, before the bounds (for the feasibility check)."""
    return (
        f"CEILING({demand_requests_per_s}/({capacity_requests_per_s}*{target_utilization})"
        f"*(1-1E-12),1)"
    )


def committed_replicas(hours: str, commitment_fraction: str) -> str:
    """Replicas under a reservation: the always-on base when the fraction cell is not a number,
    else ceil(fraction × peak − 1e-9) (``committed_replicas``)."""
    return (
        f"IF(ISNUMBER({commitment_fraction}),"
        f"CEILING({commitment_fraction}*MAX({hours})-1E-9,1),MIN({hours}))"
    )


def rental_components(
    *,
    hours: str,
    gpus_per_replica: str,
    usd_per_gpu_hour: str,
    committed: str,
    committed_usd_per_gpu_hour: str,
    interruption_overhead_fraction: str,
) -> dict[str, str]:
    """Rental components [USD/month] (``rental_cost``) over the 24 hourly replica cells."""
    usage = (
        f"SUMPRODUCT(({hours}>{committed})*({hours}-{committed}))/{HOURS_IN_DAY}"
        f"*{gpus_per_replica}*{HOURS}*{usd_per_gpu_hour}"
    )
    return {
        "gpu_committed_usd": (
            f"{committed}*{gpus_per_replica}*{HOURS}*{committed_usd_per_gpu_hour}"
        ),
        "gpu_usage_usd": usage,
        "spot_interruption_usd": f"({usage})*{interruption_overhead_fraction}",
    }


def power_draw_fraction(utilization: str, idle_power_fraction: str) -> str:
    """Average draw share of full-load power: idle + (1 − idle) × utilization."""
    return f"{idle_power_fraction}+(1-{idle_power_fraction})*{utilization}"


def owned_components(
    *,
    gpus: str,
    purchase_usd_per_gpu: str,
    life_years: str,
    residual_fraction: str,
    cost_of_capital_per_year: str,
    power_kw_per_gpu: str,
    power_draw_fraction: str,
    pue: str,
    usd_per_kwh: str,
    colocation_usd_per_kw_month: str,
    maintenance_fraction_per_year: str,
) -> dict[str, str]:
    """Owned-hardware components [USD/month] (``owned_cost``, DESIGN.md §4)."""
    return {
        "capital_usd": (
            f"{gpus}*PMT({cost_of_capital_per_year}/{MONTHS},{life_years}*{MONTHS},"
            f"-{purchase_usd_per_gpu},{purchase_usd_per_gpu}*{residual_fraction})"
        ),
        "power_usd": (
            f"{gpus}*{power_kw_per_gpu}*{power_draw_fraction}*{pue}*{usd_per_kwh}*{HOURS}"
        ),
        "colocation_usd": f"{gpus}*{power_kw_per_gpu}*{colocation_usd_per_kw_month}",
        "maintenance_usd": (
            f"{gpus}*{purchase_usd_per_gpu}*{maintenance_fraction_per_year}/{MONTHS}"
        ),
    }


def staff_usd_per_month(engineering_fte: str, fte_usd_per_year: str) -> str:
    """People [USD/month]: FTE × fully-loaded cost per year / 12."""
    return f"{engineering_fte}*{fte_usd_per_year}/{MONTHS}"
