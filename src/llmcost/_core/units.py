"""Named constants for every unit conversion in llmcost.

Conventions: money in US dollars, time in seconds unless a name says otherwise, GB = 10⁹ bytes,
a month is 730 hours (8,760 hours a year / 12), token prices per million tokens ("mtok").
"""

from __future__ import annotations

from typing import Final

HOURS_PER_YEAR: Final = 8760.0
MONTHS_PER_YEAR: Final = 12.0
HOURS_PER_MONTH: Final = HOURS_PER_YEAR / MONTHS_PER_YEAR  # 730.0
HOURS_PER_DAY: Final = 24.0
SECONDS_PER_HOUR: Final = 3600.0
SECONDS_PER_MINUTE: Final = 60.0
SECONDS_PER_MONTH: Final = HOURS_PER_MONTH * SECONDS_PER_HOUR
MINUTES_PER_MONTH: Final = HOURS_PER_MONTH * 60.0

TOKENS_PER_MTOK: Final = 1e6
BYTES_PER_GB: Final = 1e9
BYTES_PER_GIB: Final = 2.0**30
FLOPS_PER_TFLOP: Final = 1e12
BYTES_PER_TB: Final = 1e12
WATTS_PER_KW: Final = 1e3

#: Bytes per parameter or KV element of each storage precision, before quantization scales.
BYTES_PER_ELEMENT: Final[dict[str, float]] = {
    "fp32": 4.0,
    "bf16": 2.0,
    "fp16": 2.0,
    "fp8": 1.0,
    "int8": 1.0,
    "int4": 0.5,
    "fp4": 0.5,
}

#: The precisions a user may ask for (weights or KV cache).
PRECISIONS: Final = ("bf16", "fp16", "fp8", "int8", "int4", "fp4")

#: Memory an analysis may hold at once by default [GB]: full arrays above it are refused with a
#: message, and evaluation chunks are sized to half of it (``memory_budget_gb`` overrides it).
DEFAULT_MEMORY_BUDGET_GB: Final = 1.0
