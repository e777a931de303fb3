"""User-facing scenario configs (docs/architecture.md §4), validated by pydantic.

Every model forbids unknown keys. Quantities carry their unit in the field name; fractions are
0–1. Ids (models, GPUs, offers) are checked against the catalog when the scenario is compared.
Defaults that change a result are listed in :data:`SELF_HOSTED_DEFAULTS` and reported in every
comparison's assumptions.
"""

from __future__ import annotations

import unicodedata
from datetime import date
from itertools import pairwise
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from .calendar import parse_month
from .disaggregated import DisaggregatedConfig
from .engine_knobs import EngineKnobsConfig
from .speculative import SpeculativeConfig

if TYPE_CHECKING:
    from ..analysis.space import ParameterSpace

__all__ = [
    "PRICING_MODES",
    "SELF_HOSTED_DEFAULTS",
    "ApiOption",
    "Feature",
    "Option",
    "RequestLengths",
    "Scenario",
    "SelfHostedOption",
    "UncertainInput",
    "Workload",
]

#: Largest magnitude of any number in a scenario: far above any real volume or price (1e15
#: requests a month, 1e15 USD), far below where float sums overflow to infinity.
MAX_VALUE = 1e15
#: Upper bound of replica counts and of each parallelism degree (tp, pp, ep).
MAX_REPLICAS = 100_000
MAX_PARALLEL = 1024


def _number(value: Any) -> Any:
    """Refuse booleans where a number is meant (TOML ``true`` would otherwise read as 1)."""
    if isinstance(value, bool):
        raise ValueError("must be a number, not a boolean")
    return value


def _plain_text(value: Any) -> Any:
    """Refuse control, bidi and other format characters in names (terminal, xlsx, CSV)."""
    if isinstance(value, str):
        bad = [c for c in value if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp")]
        if bad:
            raise ValueError(f"must not contain control or bidi characters; found {''.join(bad)!a}")
    return value


Number = BeforeValidator(_number)
Fraction = Annotated[float, Field(ge=0.0, le=1.0, allow_inf_nan=False), Number]
NonNeg = Annotated[float, Field(ge=0.0, le=MAX_VALUE, allow_inf_nan=False), Number]
Pos = Annotated[float, Field(gt=0.0, le=MAX_VALUE, allow_inf_nan=False), Number]
Count = Annotated[int, Field(ge=1, le=MAX_PARALLEL), Number]
#: A measured capacity of one replica [requests/s or tokens/s]: at least 1e-6 (one request in
#: 11.6 days); below it the replica count needed runs into the astronomic (fuzz: 1e-300 made
#: sizing allocate without bound).
MeasuredRate = Annotated[float, Field(ge=1e-6, le=MAX_VALUE, allow_inf_nan=False), Number]
OptionName = Annotated[
    str,
    Field(min_length=1, max_length=80, pattern=r"^\S(.*\S)?$"),
    BeforeValidator(_plain_text),
]
Text = Annotated[str, BeforeValidator(_plain_text)]
Px = Annotated[int, Field(gt=0, le=100_000), Number]
ImageDetail = Literal["high", "low"]

PRICING_MODES = ("on_demand", "reserved_1y", "reserved_3y", "spot", "owned")

#: Defaults of a self-hosted option with their unit and why; reported as assumptions when used.
SELF_HOSTED_DEFAULTS: dict[str, tuple[float, str, str]] = {
    "target_utilization": (
        0.8,
        "fraction",
        "planning headroom: replicas run at ≤ 80 % of capacity",
    ),
    "min_replicas": (1.0, "replicas", "always on unless scale_to_zero"),
    "engineering_fte": (0.5, "FTE", "illustrative: half an engineer runs the serving stack"),
    "fte_usd_per_year": (240_000.0, "USD/year", "illustrative fully-loaded US ML engineer cost"),
    "fixed_usd_per_month": (0.0, "USD/month", "software, monitoring: none unless given"),
    "networking_storage_usd_per_month": (0.0, "USD/month", "none unless given"),
    "spot_interruption_overhead_fraction": (
        0.1,
        "fraction",
        "assumption: 10 % extra spot GPU-hours re-run after preemption",
    ),
    "residual_fraction": (0.0, "fraction", "conservative: no resale value"),
    "cost_of_capital_per_year": (0.08, "1/year", "assumption: 8 % a year cost of capital"),
    "maintenance_fraction_per_year": (
        0.05,
        "1/year",
        "assumption: support/spares at 5 % of the purchase a year",
    ),
    "idle_power_fraction": (
        0.3,
        "fraction",
        "assumption: an idle server draws 30 % of its full-load power",
    ),
}


class _Config(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


Tokens = Annotated[int, Field(ge=0, le=int(MAX_VALUE)), Number]


class RequestLengths(_Config):
    """Per-request lengths of a workload, as ``llmcost workload import`` writes them.

    One row per distinct input length (``input_tokens_per_request``, increasing): the
    ``requests`` with that prompt length and the sums of their ``output_tokens``,
    ``cached_input_tokens`` and ``cache_write_tokens`` [tokens]; and
    ``sequence_tokens_p99``, the 99th percentile of input + output per request [tokens];
    optionally the histogram of input + output per request (``sequence_tokens_per_request``,
    increasing, and ``sequence_requests``, as many requests in all as ``requests``), which
    the context checks and the mixed p99 of several features use (without it, a request's
    input + output is taken as its input length + the mean output of that length).
    API offers bill each row at its own long-context tier; self-hosted sizing caps the batch
    at what the KV cache holds for p99-long sequences of the whole mix and weights the step
    times of length buckets by their share of the requests (docs/how-to/workload-import.md).
    """

    input_tokens_per_request: Annotated[list[Tokens], Field(min_length=1)]
    requests: list[Annotated[int, Field(ge=1, le=int(MAX_VALUE)), Number]]
    output_tokens: list[Tokens]
    cached_input_tokens: list[Tokens]
    cache_write_tokens: list[Tokens]
    sequence_tokens_p99: Pos
    sequence_tokens_per_request: list[Tokens] | None = None
    sequence_requests: list[Annotated[int, Field(ge=1, le=int(MAX_VALUE)), Number]] | None = None

    @model_validator(mode="after")
    def _rows(self) -> RequestLengths:
        lengths = self.input_tokens_per_request
        n = len(lengths)
        for name in ("requests", "output_tokens", "cached_input_tokens", "cache_write_tokens"):
            if len(getattr(self, name)) != n:
                raise ValueError(
                    f"{name} must have one value per input length ({n}); got "
                    f"{len(getattr(self, name))}"
                )
        if any(b <= a for a, b in pairwise(lengths)):
            raise ValueError("input_tokens_per_request must be increasing (one row per length)")
        for i, (tin, req, c, w) in enumerate(
            zip(lengths, self.requests, self.cached_input_tokens, self.cache_write_tokens,
                strict=True)
        ):  # fmt: skip
            if c + w > tin * req:
                raise ValueError(
                    f"row {i}: cached_input_tokens + cache_write_tokens ({c + w}) exceed the "
                    f"input tokens of its requests ({tin} × {req})"
                )
        self._sequence_rows()
        return self

    def _sequence_rows(self) -> None:
        seq, n = self.sequence_tokens_per_request, self.sequence_requests
        if seq is None and n is None:
            return
        if seq is None or n is None or len(seq) != len(n):
            raise ValueError(
                "sequence_tokens_per_request and sequence_requests go together, one count per "
                "length"
            )
        if any(b <= a for a, b in pairwise(seq)):
            raise ValueError("sequence_tokens_per_request must be increasing (one row per length)")
        if sum(n) != sum(self.requests):
            raise ValueError(
                f"sequence_requests sum to {sum(n)}; they must count the same requests as "
                f"requests ({sum(self.requests)})"
            )

    def check_means(self, input_tokens: float | None, output_tokens: float | None) -> None:
        """Raise ``ValueError`` unless the given mean lengths [tokens] are the table's means."""
        mean_in, mean_out = self.means()
        for name, given, mean in (
            ("input_tokens_per_request", input_tokens, mean_in),
            ("output_tokens_per_request", output_tokens, mean_out),
        ):
            if given is not None and abs(given - mean) > 1e-9 * max(abs(mean), 1.0):
                raise ValueError(
                    f"{name} = {given:g} differs from the mean of length_distribution "
                    f"({mean:.12g}); change both together or remove length_distribution"
                )

    def means(self) -> tuple[float, float]:
        """Mean input and output tokens per request [tokens]."""
        req = sum(self.requests)
        tin = sum(t * r for t, r in zip(self.input_tokens_per_request, self.requests, strict=True))
        return tin / req, sum(self.output_tokens) / req


class Feature(_Config):
    """One request class of the workload (chat, summarisation, an agent…).

    Volume is ``requests_per_month`` or ``tokens_per_month`` (input + output text tokens);
    fields left out inherit the workload's value (the image fields included).
    ``length_distribution`` holds the feature's per-request lengths (an imported workload
    split by model or tag), whose means must be the feature's per-request lengths.
    """

    name: Annotated[Text, Field(min_length=1, max_length=80)]
    requests_per_month: NonNeg | None = None
    tokens_per_month: NonNeg | None = None
    input_tokens_per_request: NonNeg
    output_tokens_per_request: NonNeg
    cached_input_fraction: Fraction | None = None
    cache_write_fraction: Fraction | None = None
    batch_eligible_fraction: Fraction | None = None
    images_per_request: NonNeg | None = None
    image_width_px: Px | None = None
    image_height_px: Px | None = None
    image_detail: ImageDetail | None = None
    length_distribution: RequestLengths | None = None

    @model_validator(mode="after")
    def _one_volume(self) -> Feature:
        if (self.requests_per_month is None) == (self.tokens_per_month is None):
            raise ValueError("give exactly one of requests_per_month or tokens_per_month")
        if self.input_tokens_per_request + self.output_tokens_per_request <= 0:
            raise ValueError("a request must have input or output tokens")
        if self.length_distribution is not None:
            self.length_distribution.check_means(
                self.input_tokens_per_request, self.output_tokens_per_request
            )
        return self


class Workload(_Config):
    """What is served: volume, request lengths, images, caching, batch share, daily shape, growth.

    ``input_tokens_per_request`` counts text only. Images are given as ``images_per_request``
    (an average, ≥ 0) of ``image_width_px`` × ``image_height_px`` (required when there are
    images: tokens per image depend strongly on the size) and OpenAI's ``image_detail``
    ("high" by default, as OpenAI's "auto" bills a large image; the other rules have no such
    mode and ignore it). Each option turns them into input tokens by its own rule: an API
    offer by its catalog ``image_token_rule``, a self-hosted model by its image processor.
    The horizon (``horizon_months`` from ``horizon_start``, fiscal years from
    ``fiscal_year_start_month``) is placed on the calendar by :mod:`llmcost.scenario.calendar`.
    ``growth_per_month_sd`` (the standard error of an imported growth fit) lets
    :func:`llmcost.scenario.horizon_monte_carlo` draw the growth rate; ``length_distribution``
    (an imported workload's per-request lengths, here or per feature) is billed and sized
    request by request.
    """

    requests_per_month: NonNeg | None = None
    tokens_per_month: NonNeg | None = None
    input_tokens_per_request: NonNeg | None = None
    output_tokens_per_request: NonNeg | None = None
    cached_input_fraction: Fraction = 0.0
    cache_write_fraction: Fraction = 0.0
    batch_eligible_fraction: Fraction = 0.0
    images_per_request: NonNeg = 0.0
    image_width_px: Px | None = None
    image_height_px: Px | None = None
    image_detail: ImageDetail = "high"
    peak_to_average: Annotated[float, Field(ge=1.0, le=24.0), Number] | None = None
    hourly_profile: list[NonNeg] | None = None
    growth_per_month: Annotated[float, Field(ge=-0.5, le=10.0), Number] = 0.0
    growth_per_month_sd: Annotated[float, Field(ge=0.0, le=10.0), Number] | None = None
    horizon_months: Annotated[int, Field(ge=1, le=240), Number] = 12
    #: first month of the horizon, "YYYY-MM" (None: the month after as_of, else after today;
    #: llmcost.scenario.calendar)
    horizon_start: Annotated[str, BeforeValidator(parse_month)] | None = None
    #: month (1–12) the fiscal year starts in, for quarters and years of the horizon
    fiscal_year_start_month: Annotated[int, Field(ge=1, le=12), Number] = 1
    discount_rate_per_year: Annotated[float, Field(ge=0.0, le=1.0), Number] = 0.08
    features: list[Feature] = Field(default_factory=list)
    length_distribution: RequestLengths | None = None

    @field_validator("hourly_profile")
    @classmethod
    def _24_hours(cls, value: list[float] | None) -> list[float] | None:
        if value is not None and (len(value) != 24 or sum(value) <= 0):
            raise ValueError(f"must hold 24 non-negative weights, not all 0; got {len(value)}")
        return value

    @model_validator(mode="after")
    def _volume_and_shape(self) -> Workload:
        if self.peak_to_average is not None and self.hourly_profile is not None:
            raise ValueError("give peak_to_average or hourly_profile, not both")
        top = (
            self.requests_per_month,
            self.tokens_per_month,
            self.input_tokens_per_request,
            self.output_tokens_per_request,
        )
        if self.length_distribution is not None:
            self._lengths_agree()
        if self.features:
            if any(v is not None for v in top):
                raise ValueError(
                    "with features, give volumes and lengths per feature, not at the top level"
                )
            names = [f.name for f in self.features]
            if len(set(names)) != len(names):
                raise ValueError(f"feature names must be unique; got {names}")
            self._image_sizes_given()
            return self
        if (self.requests_per_month is None) == (self.tokens_per_month is None):
            raise ValueError("give exactly one of requests_per_month or tokens_per_month")
        if self.input_tokens_per_request is None or self.output_tokens_per_request is None:
            raise ValueError("input_tokens_per_request and output_tokens_per_request are required")
        if self.input_tokens_per_request + self.output_tokens_per_request <= 0:
            raise ValueError("a request must have input or output tokens")
        self._image_sizes_given()
        return self

    def _lengths_agree(self) -> None:
        """``length_distribution`` goes with one request class whose means it gives."""
        if self.features:
            raise ValueError(
                "length_distribution at the top level describes one request class: with "
                "features, give each feature its own length_distribution"
            )
        self.length_distribution.check_means(  # type: ignore[union-attr]
            self.input_tokens_per_request, self.output_tokens_per_request
        )

    def _image_sizes_given(self) -> None:
        """Every feature with images has an image size (its own or the workload's)."""
        for f in self.feature_list():
            images = (
                self.images_per_request if f.images_per_request is None else f.images_per_request
            )
            if images <= 0:
                continue
            missing = [
                side
                for side in ("image_width_px", "image_height_px")
                if getattr(f, side) is None and getattr(self, side) is None
            ]
            if missing:
                where = "" if f.name == "all" and not self.features else f"features[{f.name}]: "
                raise ValueError(
                    f"{where}{' and '.join(missing)} required with images_per_request = "
                    f"{images:g} (> 0): tokens per image depend on the size [px]"
                )

    def feature_list(self) -> list[Feature]:
        """The features, or one feature named "all" built from the top-level fields."""
        if self.features:
            return list(self.features)
        return [
            Feature(
                name="all",
                requests_per_month=self.requests_per_month,
                tokens_per_month=self.tokens_per_month,
                input_tokens_per_request=self.input_tokens_per_request or 0.0,
                output_tokens_per_request=self.output_tokens_per_request or 0.0,
            )
        ]


class ApiOption(_Config):
    """A pay-per-token offer from the catalog (``provider/model``), with optional overrides."""

    name: OptionName
    kind: Literal["api"]
    offer: str
    input_usd_per_mtok: NonNeg | None = None
    cached_input_usd_per_mtok: NonNeg | None = None
    cache_write_usd_per_mtok: NonNeg | None = None
    output_usd_per_mtok: NonNeg | None = None
    batch_discount_fraction: Annotated[float, Field(ge=0.0, lt=1.0), Number] | None = None
    use_batch_api: bool = True
    tokens_per_minute: Pos | None = None
    requests_per_minute: Pos | None = None

    @model_validator(mode="after")
    def _cached_not_above_input(self) -> ApiOption:
        cached, full = self.cached_input_usd_per_mtok, self.input_usd_per_mtok
        if cached is not None and full is not None and cached > full:
            raise ValueError(
                f"cached_input_usd_per_mtok ({cached:g}) must be ≤ input_usd_per_mtok ({full:g})"
            )
        return self


class SelfHostedOption(_Config):
    """Llama served on GPUs: rented (on demand, reserved, spot) or owned.

    ``gpu_usd_per_hour`` is the price of the pricing term (for reserved terms the reserved
    price; the peak above the commitment is billed at ``on_demand_usd_per_gpu_hour``).
    ``requests_per_s_per_replica`` or ``output_tokens_per_s_per_replica`` (a benchmark's
    output tokens/s of one replica, optionally measured ``at_concurrency`` concurrent requests)
    replaces the performance model with a measured capacity. ``engine_knobs`` (e.g.
    ``{ gpu_memory_utilization = 0.95, max_model_len = 8192 }``) sets the engine's memory and
    batching settings for the performance model (:class:`EngineKnobsConfig`);
    ``engine_profile`` (an engine id or a profile file from ``llmcost calibrate``) replaces
    the engine's profile. ``speculative`` (:class:`SpeculativeConfig`: ``method``,
    ``num_draft_tokens``, ``acceptance_rate``, ``draft_model``) runs speculative decoding;
    ``disaggregated`` (:class:`DisaggregatedConfig`: ``prefill_gpus``, ``decode_gpus``) makes
    a replica a unit of separate prefill and decode pools (``gpus_per_replica`` left out).
    Replicas follow the hourly load (``autoscaling = true``, bounded by ``min_replicas`` /
    ``max_replicas``, optionally ``scale_to_zero``); ``autoscaling = false`` sizes a fixed
    fleet for the peak hour and runs it all month.
    Fields left at None take catalog or documented defaults (see :data:`SELF_HOSTED_DEFAULTS`).

    ``layout = "auto"`` leaves ``gpus_per_replica``, ``tp``, ``pp`` and ``ep`` out and lets
    sizing choose them: every valid split of 1 up to one scale-up domain of GPUs per replica
    (:func:`llmcost.perf.enumerate_layouts`), on each GPU of ``gpu`` (one id or a list), is
    priced and the cheapest feasible one is kept (see docs/how-to/layout-search.md). With
    ``speculative`` every candidate runs it; with a ``disaggregated`` table that leaves
    ``prefill_gpus`` / ``decode_gpus`` out, the candidates are those pool sizes instead.
    """

    name: OptionName
    kind: Literal["self_hosted"]
    model: str
    #: One GPU id; with ``layout = "auto"`` a list is allowed (held joined by commas,
    #: :attr:`gpu_choices` splits it).
    gpu: str
    gpus_per_replica: Count | None = None
    layout: Literal["fixed", "auto"] = "fixed"
    precision: Literal["bf16", "fp16", "fp8", "int8", "int4", "fp4"] = "bf16"
    kv_precision: Literal["bf16", "fp16", "fp8", "int8", "int4", "fp4"] | None = None
    engine: Literal["vllm", "sglang", "trtllm"] = "vllm"
    tp: Count | None = None
    pp: Count = 1
    ep: Count | None = None
    tpot_slo_s: Pos | None = None
    ttft_slo_s: Pos | None = None
    requests_per_s_per_replica: MeasuredRate | None = None
    output_tokens_per_s_per_replica: MeasuredRate | None = None
    at_concurrency: Annotated[int, Field(ge=1)] | None = None
    engine_knobs: EngineKnobsConfig | None = None
    engine_profile: Annotated[str, Field(min_length=1)] | None = None
    speculative: SpeculativeConfig | None = None
    disaggregated: DisaggregatedConfig | None = None
    pricing: Literal["on_demand", "reserved_1y", "reserved_3y", "spot", "owned"] = "on_demand"
    provider: str | None = None
    gpu_usd_per_hour: Pos | None = None
    on_demand_usd_per_gpu_hour: Pos | None = None
    commitment_fraction: Fraction | None = None
    spot_interruption_overhead_fraction: Fraction | None = None
    min_replicas: Annotated[int, Field(ge=0, le=MAX_REPLICAS), Number] | None = None
    max_replicas: Annotated[int, Field(ge=1, le=MAX_REPLICAS), Number] | None = None
    scale_to_zero: bool = False
    autoscaling: bool = True
    target_utilization: Annotated[float, Field(ge=0.01, le=1.0), Number] | None = None
    engineering_fte: NonNeg | None = None
    fte_usd_per_year: NonNeg | None = None
    fixed_usd_per_month: NonNeg | None = None
    networking_storage_usd_per_month: NonNeg | None = None
    # owned hardware
    purchase_usd_per_gpu: Pos | None = None
    life_years: Annotated[float, Field(gt=0.0, le=20.0), Number] | None = None
    residual_fraction: Fraction | None = None
    cost_of_capital_per_year: Annotated[float, Field(ge=0.0, le=1.0), Number] | None = None
    power_kw_per_gpu: Pos | None = None
    power_draw_fraction: Fraction | None = None
    idle_power_fraction: Fraction | None = None
    pue: Annotated[float, Field(ge=1.0, le=5.0), Number] | None = None
    usd_per_kwh: NonNeg | None = None
    colocation_usd_per_kw_month: NonNeg | None = None
    maintenance_fraction_per_year: Fraction | None = None

    @field_validator("gpu", mode="before")
    @classmethod
    def _gpu_list(cls, value: object) -> object:
        if isinstance(value, list | tuple):
            if not value or not all(isinstance(v, str) and v and "," not in v for v in value):
                raise ValueError(f"gpu must be a GPU id or a non-empty list of ids; got {value!r}")
            return ",".join(value)
        return value

    @property
    def gpu_choices(self) -> tuple[str, ...]:
        """The GPU ids given (one unless ``layout = "auto"`` with a list)."""
        return tuple(self.gpu.split(","))

    @model_validator(mode="after")
    def _layout_fields(self) -> SelfHostedOption:
        if self.layout == "auto":
            given = [
                f
                for f, v in (("gpus_per_replica", self.gpus_per_replica), ("tp", self.tp),
                             ("ep", self.ep), ("pp", None if self.pp == 1 else self.pp))
                if v is not None
            ]  # fmt: skip
            if given:
                raise ValueError(f"layout = 'auto' chooses {', '.join(given)}: leave it out")
            if self.requests_per_s_per_replica is not None:
                raise ValueError(
                    "layout = 'auto' needs the performance model; requests_per_s_per_replica "
                    "measures one fixed layout"
                )
        else:
            if self.gpus_per_replica is None and self.disaggregated is None:
                raise ValueError("gpus_per_replica is required unless layout = 'auto'")
            if len(self.gpu_choices) > 1:
                raise ValueError(f"a list of GPUs ({self.gpu}) needs layout = 'auto'")
        return self

    @model_validator(mode="after")
    def _consistent(self) -> SelfHostedOption:
        if (
            self.min_replicas is not None
            and self.max_replicas is not None
            and self.min_replicas > self.max_replicas
        ):
            raise ValueError(
                f"min_replicas ({self.min_replicas}) must be ≤ max_replicas ({self.max_replicas})"
            )
        if self.scale_to_zero and not self.autoscaling:
            raise ValueError(
                "scale_to_zero = true needs autoscaling = true: a fleet sized for the peak "
                "(autoscaling = false) runs every hour"
            )
        owned_only = ("purchase_usd_per_gpu", "life_years", "power_kw_per_gpu", "pue")
        if self.pricing != "owned":
            given = [f for f in owned_only if getattr(self, f) is not None]
            if given:
                raise ValueError(f"{', '.join(given)} only apply with pricing = 'owned'")
        if self.pricing == "owned" and self.gpu_usd_per_hour is not None:
            raise ValueError("gpu_usd_per_hour does not apply with pricing = 'owned'")
        self._one_measured_capacity()
        self._disaggregated_alone()
        if self.speculative is not None and (
            self.requests_per_s_per_replica or self.output_tokens_per_s_per_replica
        ):
            raise ValueError(
                "speculative sets up the performance model; a measured capacity "
                "(requests_per_s_per_replica / output_tokens_per_s_per_replica) replaces it"
            )
        return self

    def _disaggregated_alone(self) -> None:
        """``disaggregated`` sets the GPUs and split itself and needs the perf model."""
        if self.disaggregated is None:
            return
        given = [
            f
            for f in ("gpus_per_replica", "tp", "ep", "speculative", "requests_per_s_per_replica",
                      "output_tokens_per_s_per_replica")
            if getattr(self, f) is not None
        ] + (["pp"] if self.pp != 1 else [])  # fmt: skip
        if given:
            raise ValueError(
                "disaggregated sets the replica itself (prefill_gpus, decode_gpus, each pool "
                "all tensor-parallel, from the performance model): leave out " + ", ".join(given)
            )
        if self.layout == "auto" and self.disaggregated.sized:
            raise ValueError(
                "layout = 'auto' chooses disaggregated.prefill_gpus and decode_gpus: leave "
                "them out, or give them with a fixed layout"
            )
        if self.layout == "fixed" and not self.disaggregated.sized:
            raise ValueError(
                "disaggregated needs prefill_gpus and decode_gpus, or layout = 'auto' to "
                "choose them"
            )

    def _one_measured_capacity(self) -> None:
        """At most one measured capacity; ``at_concurrency`` only with one."""
        measured = ("requests_per_s_per_replica", "output_tokens_per_s_per_replica")
        given = [f for f in measured if getattr(self, f) is not None]
        if len(given) > 1:
            raise ValueError(f"give one of {' or '.join(measured)}, not both")
        if self.at_concurrency is not None and not given:
            raise ValueError(
                f"at_concurrency ({self.at_concurrency}) describes a measured capacity: give "
                "output_tokens_per_s_per_replica (or requests_per_s_per_replica) with it"
            )


Option = Annotated[ApiOption | SelfHostedOption, Field(discriminator="kind")]


class UncertainInput(_Config):
    """A distribution for one input, kept for the analysis layer (Monte Carlo, Sobol).

    Fields by distribution: uniform (low, high); triangular and pert (low, mode, high); normal
    (mean, sd, optionally truncated to low/high); lognormal (median and sigma, or p5 and p95);
    fixed (value). :class:`llmcost.analysis.ParameterSpace` checks the combination, and
    :func:`llmcost.scenario.check_uncertainty_ranges` that its support stays in the input's
    allowed range (a normal on a bounded input needs low/high).
    """

    distribution: Literal["uniform", "triangular", "pert", "normal", "lognormal", "fixed"]
    low: float | None = None
    high: float | None = None
    mode: float | None = None
    mean: float | None = None
    sd: Annotated[float, Field(gt=0.0)] | None = None
    median: Annotated[float, Field(gt=0.0)] | None = None
    sigma: Annotated[float, Field(gt=0.0)] | None = None
    p5: Annotated[float, Field(gt=0.0)] | None = None
    p95: Annotated[float, Field(gt=0.0)] | None = None
    value: float | None = None


class Scenario(_Config):
    """A workload and the options to compare for it."""

    name: Annotated[Text, Field(min_length=1, max_length=200)]
    description: str = ""
    as_of: date | None = None
    workload: Workload
    options: Annotated[list[Option], Field(min_length=1)]
    uncertainty: dict[str, UncertainInput] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _unique_names(self) -> Scenario:
        names = [o.name for o in self.options]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"option names must be unique; repeated: {', '.join(dupes)}")
        return self

    def parameter_space(self, *, as_of: date | None = None) -> ParameterSpace:
        """The uncertain inputs.

        The ``[uncertainty]`` table or the documented defaults, each baseline at this scenario's
        value (:func:`llmcost.scenario.uncertainty.scenario_space`).
        """
        from .comparison import scenario_model
        from .uncertainty import scenario_space

        return scenario_space(self, scenario_model(self, as_of=as_of)).space

    def replace(self, **changes: Any) -> Scenario:
        """A new scenario with ``changes`` applied and validated again, e.g.

        ``replace(requests_per_month=8e6, **{"options.<name>.gpu_usd_per_hour": 2.5})`` (keys:
        :mod:`llmcost.scenario.whatif`; errors name the key and the value).
        """
        from .whatif import replace_scenario

        return replace_scenario(self, changes)
