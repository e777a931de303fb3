"""What a GPU-hour costs per million tokens at a given throughput."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from .._core._arrays import check_nonnegative, check_positive, scalar_or_array
from .._core.units import SECONDS_PER_HOUR, TOKENS_PER_MTOK

__all__ = ["usd_per_mtok_at_throughput"]


def usd_per_mtok_at_throughput(usd_per_gpu_hour: ArrayLike, tokens_per_s_per_gpu: ArrayLike) -> Any:
    """Cost of a million tokens on GPUs kept busy at ``tokens_per_s_per_gpu`` [USD/Mtok].

    ``usd_per_gpu_hour × 1e6 / (tokens_per_s_per_gpu × 3600)``: the GPU's price over the
    tokens it makes in an hour, at full utilization (no idle hours, no staff).

    >>> round(float(usd_per_mtok_at_throughput(3.6, 1000.0)), 6)  # 3.6 Mtok/h for $3.60
    1.0
    """
    price = check_nonnegative(usd_per_gpu_hour, "usd_per_gpu_hour")
    rate = check_positive(tokens_per_s_per_gpu, "tokens_per_s_per_gpu")
    result = price * TOKENS_PER_MTOK / (rate * SECONDS_PER_HOUR)
    return scalar_or_array(np.asarray(result), usd_per_gpu_hour, tokens_per_s_per_gpu)
