"""The unit of a quantity from its name: llmcost names carry their units (``_usd``, ``_s``, …).

One table of rules for every labelled result (``Evaluation``, sweeps, Monte Carlo summaries,
``to_xarray()`` attributes), so a name reads as the same unit everywhere.
"""

from __future__ import annotations

import re

__all__ = ["unit_from_name"]

#: (pattern, unit) tried in order on a name; the first match wins.
_UNIT_RULES: tuple[tuple[str, str], ...] = (
    (r"^(feasible|rate_limited)$", "bool"),
    (r"^(utilization|served_fraction)$", "1"),
    (r"(_fraction|_multiplier)$", "1"),
    (r"usd_per_m_output_tokens$", "USD/1M output tokens"),
    (r"usd_per_m_input_tokens$", "USD/1M input tokens"),
    (r"usd_per_mtok$", "USD/1M tokens"),
    (r"usd_per_1k_requests$", "USD/1k requests"),
    (r"usd_per_request$", "USD/request"),
    (r"gpu_usd_per_hour$", "USD/GPU-hour"),
    (r"(^|_|\.)usd(_per_month)?$", "USD/month"),
    (r"^(components|features)\.", "USD/month"),
    (r"tokens_per_request$", "tokens/request"),
    (r"tokens_per_month$", "tokens/month"),
    (r"requests_per_month$", "requests/month"),
    (r"tokens_per_minute$", "tokens/minute"),
    (r"requests_per_minute$", "requests/minute"),
    (r"requests_per_s_per_replica$", "requests/s per replica"),
    (r"tokens_per_s$", "tokens/s"),
    (r"requests_per_s$", "requests/s"),
    (r"gpu_hours_per_month$", "GPU-hours/month"),
    (r"^gpus_", "GPUs"),
    (r"replicas", "replicas"),
    (r"_gb$", "GB"),
    (r"_s$", "s"),
)


def unit_from_name(name: str) -> str:
    """The unit a name says, e.g. ``"USD/month"`` for ``monthly_cost_usd`` ("" if it says none).

    Parameters
    ----------
    name : an input or output name (``"opt.gpu_usd_per_hour"``, ``"components.staff_usd"``)

    Returns
    -------
    str
        The unit (``"1"`` for fractions and multipliers, ``"bool"`` for flags).

    Examples
    --------
    >>> unit_from_name("monthly_cost_usd"), unit_from_name("components.gpu_on_demand_usd")
    ('USD/month', 'USD/month')
    >>> unit_from_name("usd_per_mtok"), unit_from_name("gpus_peak"), unit_from_name("feasible")
    ('USD/1M tokens', 'GPUs', 'bool')
    >>> unit_from_name("h100.gpu_usd_per_hour"), unit_from_name("ttft_s"), unit_from_name("api")
    ('USD/GPU-hour', 's', '')
    """
    for pattern, unit in _UNIT_RULES:
        if re.search(pattern, name):
            return unit
    return ""
