"""The cost figures people quote, from one monthly cost and one month of traffic.

Published cost calculations quote different denominators; each figure here names its own:

- ``usd_per_mtok`` — cost per 1M tokens processed, input + output together;
- ``usd_per_m_output_tokens`` — the whole cost per 1M *output* tokens (what self-hosting
  write-ups quote: $/hour ÷ output tokens/hour);
- ``usd_per_m_input_tokens`` — the whole cost per 1M *input* tokens;
- ``usd_per_request`` and ``usd_per_1k_requests``;
- ``blended_usd_per_mtok`` — a price per 1M tokens at a stated input:output ratio ``r``
  (default 3:1, the convention of Artificial Analysis' "blended price"):
  ``(r × input_price + output_price) / (r + 1)``. It needs separate input and output prices
  (an API offer's effective ones); without them (self-hosted: one cost for both) it is the cost
  per 1M tokens at the workload's own ratio, and ``blend_basis`` says which it is.

At-capacity figures (:func:`at_capacity_gpu_usd`) bill GPU time only for the seconds of work
done, in fractional replicas — as serverless or shared-GPU billing works — beside the
whole-replica fleet sized for the peak with headroom.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from .._core.units import SECONDS_PER_HOUR, TOKENS_PER_MTOK

__all__ = [
    "DEFAULT_BLEND_INPUT_PER_OUTPUT",
    "QUOTED_FIGURES",
    "at_capacity_gpu_usd",
    "quoted_figures",
]

#: Input tokens per output token of the blended figure (3:1, Artificial Analysis' blend).
DEFAULT_BLEND_INPUT_PER_OUTPUT = 3.0

#: The names :func:`quoted_figures` returns, in display order.
QUOTED_FIGURES = (
    "usd_per_mtok",
    "usd_per_m_output_tokens",
    "usd_per_m_input_tokens",
    "blended_usd_per_mtok",
    "usd_per_request",
    "usd_per_1k_requests",
)


def _per(cost: Any, amount: Any, scale: float) -> Any:
    """``cost / amount × scale``, NaN where ``amount`` is 0 (never inf, never a warning)."""
    amount = np.asarray(amount, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return np.where(
            amount > 0, np.asarray(cost) / np.where(amount > 0, amount, 1.0), np.nan
        ) * (scale)


def quoted_figures(
    monthly_cost_usd: ArrayLike,
    *,
    input_tokens_per_month: ArrayLike,
    output_tokens_per_month: ArrayLike,
    requests_per_month: ArrayLike,
    input_usd_per_mtok: ArrayLike | None = None,
    output_usd_per_mtok: ArrayLike | None = None,
    blend_input_per_output: float = DEFAULT_BLEND_INPUT_PER_OUTPUT,
) -> dict[str, Any]:
    """Every quoted figure of one monthly cost [USD/month] (see the module docstring).

    ``input_tokens_per_month`` counts cached and image tokens too [tokens/month];
    ``input_usd_per_mtok`` / ``output_usd_per_mtok`` are effective prices [USD/1M tokens]
    (give both for a price blend, else the blend is the cost per token of the workload).
    NaN where a denominator is 0.

    >>> f = quoted_figures(1000.0, input_tokens_per_month=3e8, output_tokens_per_month=1e8,
    ...                    requests_per_month=1e6)
    >>> round(float(f["usd_per_m_output_tokens"]), 2), round(float(f["usd_per_request"]), 4)
    (10.0, 0.001)
    """
    r = float(blend_input_per_output)
    if not np.isfinite(r) or r < 0:
        from .._core.errors import InvalidInputError

        raise InvalidInputError(
            f"blend_input_per_output must be a finite number ≥ 0 (input tokens per output "
            f"token); got {blend_input_per_output!r}"
        )
    tin = np.asarray(input_tokens_per_month, dtype=np.float64)
    tout = np.asarray(output_tokens_per_month, dtype=np.float64)
    total = _per(monthly_cost_usd, tin + tout, TOKENS_PER_MTOK)
    if input_usd_per_mtok is not None and output_usd_per_mtok is not None:
        blended = (r * np.asarray(input_usd_per_mtok) + np.asarray(output_usd_per_mtok)) / (r + 1)
        basis = f"prices blended {r:g}:1 (input:output)"
    else:
        blended = total
        basis = "cost per 1M tokens at the workload's own input:output ratio (one cost for both)"
    return {
        "usd_per_mtok": total,
        "usd_per_m_output_tokens": _per(monthly_cost_usd, tout, TOKENS_PER_MTOK),
        "usd_per_m_input_tokens": _per(monthly_cost_usd, tin, TOKENS_PER_MTOK),
        "blended_usd_per_mtok": blended,
        "usd_per_request": _per(monthly_cost_usd, requests_per_month, 1.0),
        "usd_per_1k_requests": _per(monthly_cost_usd, requests_per_month, 1000.0),
        "blend_input_tokens_per_output_token": r,
        "blend_basis": basis,
    }


def at_capacity_gpu_usd(
    *,
    requests_per_month: ArrayLike,
    capacity_requests_per_s_per_replica: ArrayLike,
    gpus_per_replica: float,
    usd_per_gpu_hour: ArrayLike,
) -> tuple[Any, Any]:
    """GPU cost when only the replica-seconds of work are billed [USD/month].

    And the fractional replica-hours [replica-hours/month].

    replica-hours = requests / capacity [requests/s] / 3600; cost = replica-hours × GPUs per
    replica × $/GPU-hour. No headroom, no minimum replicas, no idle hours.

    >>> at_capacity_gpu_usd(requests_per_month=3.6e6, capacity_requests_per_s_per_replica=10.0,
    ...                     gpus_per_replica=2, usd_per_gpu_hour=2.5)
    (500.0, 100.0)
    """
    hours = _per(requests_per_month, capacity_requests_per_s_per_replica, 1.0 / SECONDS_PER_HOUR)
    cost = hours * float(gpus_per_replica) * np.asarray(usd_per_gpu_hour, dtype=np.float64)
    if np.ndim(cost) == 0:
        return float(cost), float(hours)
    return cost, hours
