"""The catalog layer (docs/architecture.md §1, §3).

Models, GPUs, API price sheets, GPU rental and purchase prices, facility defaults — loaded from
``data/pricing/`` and validated by pydantic.

>>> from llmcost.catalog import load_catalog
>>> cat = load_catalog()
>>> cat.gpu_spec("h100-sxm").memory_gb
80.0
>>> cat.api_price("openai/gpt-4o", as_of="2024-06-01").input_usd_per_mtok
5.0
"""

from ._files import bundled_dir
from .catalog import ENTITIES, Catalog
from .freshness import (
    DEFAULT_MAX_PRICE_AGE_DAYS,
    MAX_AGE_ENV,
    check_fresh,
    max_price_age_days,
    sources_for,
)
from .load import load_catalog, with_prices
from .price_files import PRICE_FORMATS, PriceFile, read_price_file
from .records import (
    FACILITY_PARAMETERS,
    TERMS,
    ApiPriceRecord,
    FacilityRecord,
    GpuOfferRecord,
    GpuRecord,
    HardwareRecord,
    ModelRecord,
)
from .replica_price import ReplicaGpuPrice, instance_fits_replica, replica_gpu_price

__all__ = [
    "DEFAULT_MAX_PRICE_AGE_DAYS",
    "ENTITIES",
    "FACILITY_PARAMETERS",
    "MAX_AGE_ENV",
    "PRICE_FORMATS",
    "TERMS",
    "ApiPriceRecord",
    "Catalog",
    "FacilityRecord",
    "GpuOfferRecord",
    "GpuRecord",
    "HardwareRecord",
    "ModelRecord",
    "PriceFile",
    "ReplicaGpuPrice",
    "bundled_dir",
    "check_fresh",
    "instance_fits_replica",
    "load_catalog",
    "max_price_age_days",
    "read_price_file",
    "replica_gpu_price",
    "sources_for",
    "with_prices",
]
