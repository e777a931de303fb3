"""Spreadsheet formulas that are exactly the cost layer's math (``llmcost.cost``).

Each function takes spreadsheet expressions (defined names or cell addresses) for its inputs
and returns formula text without the leading ``=``. They mirror, term by term:

- :func:`llmcost.cost.api.api_bill` (components of one request class; a sum over classes);
- :func:`llmcost.cost.load.replica_plan` (replicas in one hour of the day);
- :func:`llmcost.cost.rental.rental_cost`, :func:`~llmcost.cost.rental.committed_replicas` and
  :func:`~llmcost.cost.rental.replica_hours_above`;
- :func:`llmcost.cost.owned.owned_cost` and :func:`~llmcost.cost.owned.power_draw_fraction`
  (``PMT``, docs/architecture.md §4);
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

    An offer without a cached-input (or cache-write) price bills those tokens as plain input:
    give that class a share of 0 (:func:`priced_share`) and a price of 0
    (:func:`price_or_zero`), as ``api_bill`` does with a NaN price.
    """

    input: str
    cached_input: str
    cache_write: str
    output: str
    batch_discount: str


def priced_share(price: str, share: str) -> str:
    """``share`` where ``price`` is a number, else 0 (the tokens stay plain input)."""
    return f"IF(ISNUMBER({price}),{share},0)"


def price_or_zero(price: str) -> str:
    """``price`` where it is a number, else 0."""
    return f"IF(ISNUMBER({price}),{price},0)"


def api_components(classes: Sequence[RequestClass], prices: Sequence[ApiPrices]) -> dict[str, str]:
    """The four bill components [USD/month], each a sum over request classes.

    Each class has its own prices: a long-context tier may apply to one class and not another.

    Per class (``api_bill``): factor = 1 − batch share × discount, and
    input = requests × input tokens × (1 − cached − written) × input price × factor / 1e6, etc.
    """
    pairs = list(zip(classes, prices, strict=True))

    def total(term: str) -> str:
        return "+".join(
            f"{c.requests_per_month}*{term.format(c=c, p=p)}*(1-{c.batch_eligible_fraction}"
            f"*{p.batch_discount})/{MTOK}"
            for c, p in pairs
        )

    return {
        "input_usd": total(
            "{c.input_tokens_per_request}*(1-{c.cached_input_fraction}"
            "-{c.cache_write_fraction})*{p.input}"
        ),
        "cached_input_usd": total(
            "{c.input_tokens_per_request}*{c.cached_input_fraction}*{p.cached_input}"
        ),
        "cache_write_usd": total(
            "{c.input_tokens_per_request}*{c.cache_write_fraction}*{p.cache_write}"
        ),
        "output_usd": total("{c.output_tokens_per_request}*{p.output}"),
    }


def planned_capacity(capacity_requests_per_s: str, target_utilization: str) -> str:
    """Requests/s a replica is planned to serve: capacity × target utilization."""
    return f"{capacity_requests_per_s}*{target_utilization}"


def replica_floor(min_replicas: str, scale_to_zero: str) -> str:
    """Fewest replicas in an hour with demand: max(min, 1), or min with scale-to-zero."""
    return f"IF({scale_to_zero},{min_replicas},MAX({min_replicas},1))"


#: Stands for "no limit" on replicas (the library's infinity); no plan comes near it.
NO_LIMIT = "1E+300"


def replica_cap(max_replicas: str) -> str:
    """The replica limit: the cell's number, or no limit when it is empty."""
    return f"IF(ISNUMBER({max_replicas}),{max_replicas},{NO_LIMIT})"


def replicas_per_weight(demand_requests_per_s: str, planned_capacity: str) -> str:
    """Replicas an hour of weight 1 needs, before rounding up.

    Demand / planned capacity × (1 − 1e-12) (the tolerance keeps e.g. 8 / (4 × 0.5) at 4 replicas).
    """
    return f"{demand_requests_per_s}/({planned_capacity})*(1-1E-12)"


def planned_weight(*, weight: str, peak_weight: str, autoscaling: str) -> str:
    """The load an hour is planned for (``replica_plan``).

    Its own weight when the fleet autoscales, the peak hour's otherwise (a fixed fleet sized for the
    peak).
    """
    return f"IF({autoscaling},{weight},{peak_weight})"


def replicas_in_hour(
    *, per_weight: str, weight: str, floor: str, cap: str, scale_to_zero: str
) -> str:
    """Replicas running in one hour (``replica_plan``).

    ceil(per_weight × the hour's weight), at least the floor (0 in an hour without demand with
    scale-to-zero), at most the cap.
    """
    need = f"{per_weight}*{weight}"
    return f"MIN(MAX(CEILING({need},1),IF(AND({scale_to_zero},{need}<=0),0,{floor})),{cap})"


def committed_replicas(hours: str, commitment_fraction: str) -> str:
    """Replicas under a reservation.

    The always-on base when the fraction cell is not a number, else ceil(fraction × peak − 1e-9)
    (``committed_replicas``).
    """
    return (
        f"IF(ISNUMBER({commitment_fraction}),"
        f"CEILING({commitment_fraction}*MAX({hours})-1E-9,1),MIN({hours}))"
    )


def replica_hours_above(hours: str, committed: str) -> str:
    """Replica-hours per month above a commitment (``replica_hours_above``)."""
    return f"SUMPRODUCT(({hours}>{committed})*({hours}-{committed}))/{HOURS_IN_DAY}*{HOURS}"


def rental_components(
    *,
    usage_replica_hours: str,
    gpus_per_replica: str,
    usd_per_gpu_hour: str,
    committed: str,
    committed_usd_per_gpu_hour: str,
    interruption_overhead_fraction: str,
) -> dict[str, str]:
    """Rental components [USD/month] (``rental_cost``).

    The commitment, the pay-as-you-go replica-hours, and the spot interruption overhead on the
    latter.
    """
    usage = f"{usage_replica_hours}*{gpus_per_replica}*{usd_per_gpu_hour}"
    return {
        "gpu_committed_usd": (
            f"{committed}*{gpus_per_replica}*{HOURS}*{committed_usd_per_gpu_hour}"
        ),
        "gpu_usage_usd": usage,
        "spot_interruption_usd": f"{usage}*{interruption_overhead_fraction}",
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
    """Owned-hardware components [USD/month] (``owned_cost``, docs/architecture.md §4)."""
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
