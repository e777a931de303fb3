"""Your data in: build the workload from real usage exports (docs/how-to/workload-import.md).

::

    from llmcost.workload import from_usage

    w = from_usage(["spend_logs.csv"], format="litellm")
    w.requests_per_month, w.input_distribution.quantiles_tokens["p99"], w.peak_to_average
    w.to_frame()             # requests and tokens per calendar month
    w.save("workload.toml")  # a scenario uses it: [workload] from_usage = "workload.toml"

Layer: between ``scenario`` (which reads saved workloads) and ``cost`` (the API cost of the
imported requests); it never imports the catalog.
"""

from .api_cost import imported_api_cost
from .fits import GrowthFit, LengthDistribution, fit_growth, length_distribution
from .formats import FORMATS, UsageFormat, get_format
from .importer import from_usage, parse_columns
from .result import FeatureBy, UsageWorkload, load_workload

__all__ = [
    "FORMATS",
    "FeatureBy",
    "GrowthFit",
    "LengthDistribution",
    "UsageFormat",
    "UsageWorkload",
    "fit_growth",
    "from_usage",
    "get_format",
    "imported_api_cost",
    "length_distribution",
    "load_workload",
    "parse_columns",
]
