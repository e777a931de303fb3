"""Pydantic records, one per catalog file: the validation every row (bundled or user) goes through.

Field names equal the CSV headers and carry their unit (``_gb``, ``_usd_per_mtok``…). Every record
has ``source`` (a citation a reader can follow) and ``as_of`` (the ISO date the value was seen).
Quirks of billing and hardware are data (columns here), not code.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from .._core.errors import InvalidInputError
from .._core.specs import MAX_ACHIEVABLE_RATIO, GpuSpec, ModelSpec

#: A lowercase kebab slug; dots are allowed inside version numbers ("llama-3.1-8b").
_SLUG = re.compile(r"^[a-z0-9]+(?:[.-][a-z0-9]+)*$")

NonNegFloat = Annotated[float, Field(ge=0)]
PosFloat = Annotated[float, Field(gt=0)]
NonNegInt = Annotated[int, Field(ge=0)]
PosInt = Annotated[int, Field(gt=0)]
AchievableRatio = Annotated[float, Field(gt=0, le=MAX_ACHIEVABLE_RATIO)]

#: Rental terms a GPU offer can have.
TERMS = ("on_demand", "reserved_1y", "reserved_3y", "spot")
Term = Literal["on_demand", "reserved_1y", "reserved_3y", "spot"]

#: API image → token rules (``image_token_rule`` of api_prices.csv); each is implemented in
#: :mod:`llmcost.cost.multimodal` (``IMAGE_TOKEN_RULES``; a test keeps the two lists equal).
ImageTokenRule = Literal[
    "openai_tiles",
    "openai_tiles_4o_mini",
    "openai_patches_gpt_4_1_mini",
    "openai_patches_gpt_4_1_nano",
    "openai_patches_o4_mini",
    "anthropic_pixels",
    "gemini_fixed",
]
#: Self-hosted model image → prompt-token rules (``image_token_rule`` of models.csv;
#: ``MODEL_IMAGE_TOKEN_RULES`` of :mod:`llmcost.cost.multimodal`). Empty: text only.
ModelImageTokenRule = Literal["llama4_tiles"]

#: GPU architectures without FP8 tensor cores, and those with FP4 tensor cores.
_NO_FP8_ARCHITECTURES = frozenset({"volta", "turing", "ampere", "cdna2"})
_FP4_ARCHITECTURES = frozenset({"blackwell", "cdna4"})


def check_slug(value: str, what: str) -> str:
    """Return ``value`` if it is a lowercase kebab slug, else raise ``ValueError``."""
    if not _SLUG.match(value):
        raise ValueError(f"{what} must be a lowercase kebab slug such as 'h100-sxm'; got {value!r}")
    return value


class _Record(BaseModel):
    """Common fields and settings of every catalog row."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    #: Name of the entity ("models", "gpus"…) used in messages and ``sources_for``.
    entity: ClassVar[str] = ""

    source: str = Field(min_length=1)
    as_of: date
    notes: str = ""

    @field_validator("as_of", "effective_from", mode="before", check_fields=False)
    @classmethod
    def _iso_date(cls, value: Any) -> Any:
        if isinstance(value, str):
            try:
                return date.fromisoformat(value)
            except ValueError:
                raise ValueError(f"must be an ISO date YYYY-MM-DD; got {value!r}") from None
        return value

    @property
    def key(self) -> str:
        """The row's identifier, as shown in ``sources_for``."""
        raise NotImplementedError

    @classmethod
    def columns(cls) -> list[str]:
        """Field names in file order: the entity's own fields, then source, as_of, notes."""
        common = list(_Record.model_fields)
        return [f for f in cls.model_fields if f not in common] + common

    def as_row(self, *, json: bool = False) -> dict[str, Any]:
        """The row as a dict in :meth:`columns` order (``json``: dates as ISO strings)."""
        data = self.model_dump(mode="json" if json else "python")
        return {c: data[c] for c in self.columns()}


class ModelRecord(_Record):
    """A Llama model: architecture facts from its config and the official parameter counts.

    Architecture fields are optional only for models that are announced but not released
    (``released=False``, e.g. Llama 4 Behemoth); a released model must have them all.
    """

    entity: ClassVar[str] = "models"
    _ARCHITECTURE: ClassVar[tuple[str, ...]] = (
        "hidden_size",
        "num_layers",
        "num_attention_heads",
        "num_kv_heads",
        "head_dim",
        "vocab_size",
        "intermediate_size",
        "tie_word_embeddings",
        "max_context_tokens",
    )

    id: str
    name: str = Field(min_length=1)
    hf_repo: str = ""
    hidden_size: PosInt | None = None
    num_layers: PosInt | None = None
    num_attention_heads: PosInt | None = None
    num_kv_heads: PosInt | None = None
    head_dim: PosInt | None = None
    vocab_size: PosInt | None = None
    intermediate_size: PosInt | None = None  # dense MLP width [neurons]
    tie_word_embeddings: bool | None = None
    max_context_tokens: PosInt | None = None
    params_total_official: PosFloat  # as published, text + vision [parameters]
    params_active_official: PosFloat  # per token, as published [parameters]
    num_experts: NonNegInt = 0
    experts_per_token: NonNegInt | None = None
    num_shared_experts: NonNegInt | None = None
    expert_intermediate_size: NonNegInt | None = None  # [neurons]
    moe_layer_step: PosInt | None = None
    attention_chunk_tokens: PosInt | None = None  # [tokens]
    global_attention_layer_step: PosInt | None = None
    vision_encoder_params: NonNegFloat | None = None  # [parameters]
    image_token_rule: ModelImageTokenRule | None = None  # None: text only
    fp8_checkpoint_scope: Literal["all_linear", "mlp_only"] | None = None
    fp8_checkpoint_bf16_layers: NonNegInt | None = None
    released: bool = True

    @field_validator("id")
    @classmethod
    def _id_slug(cls, value: str) -> str:
        return check_slug(value, "model id")

    @model_validator(mode="after")
    def _consistent(self) -> ModelRecord:
        if self.params_active_official > self.params_total_official:
            raise ValueError("params_active_official exceeds params_total_official")
        if self.image_token_rule is not None and self.vision_encoder_params == 0:
            raise ValueError(
                f"image_token_rule {self.image_token_rule!r} needs a vision encoder; "
                "vision_encoder_params is 0"
            )
        if self.released:
            missing = [f for f in self._ARCHITECTURE if getattr(self, f) is None]
            if missing:
                raise ValueError(f"a released model needs {', '.join(missing)}")
            heads, kv_heads = self.num_attention_heads or 0, self.num_kv_heads or 1
            if heads % kv_heads:
                raise ValueError("num_attention_heads must be a multiple of num_kv_heads")
            if self.num_experts and not (self.experts_per_token and self.expert_intermediate_size):
                raise ValueError(
                    "an MoE model needs experts_per_token and expert_intermediate_size"
                )
            if (
                self.num_experts
                and self.experts_per_token
                and (self.experts_per_token > self.num_experts)
            ):
                raise ValueError("experts_per_token exceeds num_experts")
        return self

    @property
    def key(self) -> str:
        """The unique key of the row in its table: the model id."""
        return self.id

    def to_spec(self) -> ModelSpec:
        """The plain :class:`ModelSpec` the performance model takes.

        Raises :class:`InvalidInputError` for a model that is announced but has no published
        architecture (``released=False``).
        """
        if not self.released:
            raise InvalidInputError(
                f"model {self.id!r} is announced, no published architecture: it has no "
                "ModelSpec (only its announced parameter counts are in the catalog)"
            )
        # A released model has every architecture field (checked in _consistent).
        arch = {name: getattr(self, name) for name in self._ARCHITECTURE}
        return ModelSpec(
            id=self.id,
            **arch,
            params_total_official=self.params_total_official,
            params_active_official=self.params_active_official,
            num_experts=self.num_experts,
            experts_per_token=self.experts_per_token or 0,
            num_shared_experts=self.num_shared_experts or 0,
            expert_intermediate_size=self.expert_intermediate_size or 0,
            moe_layer_step=self.moe_layer_step or 1,
            attention_chunk_tokens=self.attention_chunk_tokens,
            global_attention_layer_step=self.global_attention_layer_step or 1,
            vision_encoder_params=self.vision_encoder_params or 0.0,
            fp8_checkpoint_scope=self.fp8_checkpoint_scope or "all_linear",
            fp8_checkpoint_bf16_layers=self.fp8_checkpoint_bf16_layers or 0,
            released=self.released,
        )


class GpuRecord(_Record):
    """A GPU: memory, bandwidth, DENSE tensor peaks per precision (None: unsupported), links.

    ``scale_up_domain_gpus`` is how many GPUs share the fast interconnect (8 on HGX, 2 for NVLink
    bridges, 72 on GB200 NVL72, 1 for PCIe-only cards); it is catalog information the
    :class:`GpuSpec` does not carry.

    ``achievable_bandwidth_ratio`` / ``achievable_compute_ratio``: the GPU's measured share of
    its datasheet HBM bandwidth (STREAM-like copy/triad) and dense GEMM peak (max-achievable
    matmul) divided by the H100 SXM's share, the class the engine profiles were calibrated on.
    Empty cells mean 1.0 (no measured difference); a value other than 1.0 cites its
    microbenchmarks and their dates in ``source`` and ``notes``.

    ``nvls``: the NVSwitch reduces in the network (NVLink SHARP), true only for NVLink parts.
    """

    entity: ClassVar[str] = "gpus"

    id: str
    name: str = Field(min_length=1)
    vendor: Literal["nvidia", "amd"]
    architecture: str = Field(min_length=1)
    memory_gb: PosFloat
    memory_type: Literal["hbm2e", "hbm3", "hbm3e", "gddr6", "gddr6x", "gddr7"]
    hbm_bandwidth_gb_per_s: PosFloat
    bf16_tflops: PosFloat | None = None
    fp16_tflops: PosFloat | None = None
    fp8_tflops: PosFloat | None = None
    int8_tops: PosFloat | None = None
    fp4_tflops: PosFloat | None = None
    interconnect_kind: Literal["nvlink", "xgmi", "pcie", "none"]
    interconnect_gb_per_s: PosFloat | None = None
    scale_up_domain_gpus: PosInt = 1
    pcie_gb_per_s: PosFloat
    tdp_w: PosFloat
    achievable_bandwidth_ratio: AchievableRatio = 1.0
    achievable_compute_ratio: AchievableRatio = 1.0
    nvls: bool = False

    @field_validator("id")
    @classmethod
    def _id_slug(cls, value: str) -> str:
        return check_slug(value, "GPU id")

    @field_validator("architecture")
    @classmethod
    def _arch_lower(cls, value: str) -> str:
        return value.lower()

    @model_validator(mode="after")
    def _precisions_match_architecture(self) -> GpuRecord:
        if self.architecture in _NO_FP8_ARCHITECTURES and self.fp8_tflops is not None:
            raise ValueError(f"fp8_tflops must be empty: {self.architecture} has no FP8")
        if self.fp4_tflops is not None and self.architecture not in _FP4_ARCHITECTURES:
            raise ValueError(
                f"fp4_tflops must be empty: {self.architecture} has no FP4 "
                f"(FP4 needs {' or '.join(sorted(_FP4_ARCHITECTURES))})"
            )
        if self.interconnect_kind != "none" and self.interconnect_gb_per_s is None:
            raise ValueError("interconnect_gb_per_s is required unless interconnect_kind is none")
        if self.nvls and self.interconnect_kind != "nvlink":
            raise ValueError(
                f"nvls needs an NVLink switch; interconnect_kind is {self.interconnect_kind}"
            )
        return self

    @property
    def key(self) -> str:
        """The unique key of the row in its table: the GPU id."""
        return self.id

    def to_spec(self) -> GpuSpec:
        """The plain :class:`GpuSpec` the performance model takes."""
        return GpuSpec(
            id=self.id,
            memory_gb=self.memory_gb,
            memory_type="gddr" if self.memory_type.startswith("gddr") else "hbm",
            hbm_bandwidth_gb_per_s=self.hbm_bandwidth_gb_per_s,
            bf16_tflops=self.bf16_tflops,
            fp16_tflops=self.fp16_tflops,
            fp8_tflops=self.fp8_tflops,
            int8_tops=self.int8_tops,
            fp4_tflops=self.fp4_tflops,
            interconnect_kind=self.interconnect_kind,
            interconnect_gb_per_s=self.interconnect_gb_per_s,
            pcie_gb_per_s=self.pcie_gb_per_s,
            tdp_w=self.tdp_w,
            architecture=self.architecture,
            scale_up_domain_gpus=self.scale_up_domain_gpus,
            achievable_bandwidth_ratio=self.achievable_bandwidth_ratio,
            achievable_compute_ratio=self.achievable_compute_ratio,
            vendor=self.vendor,
            nvls=self.nvls,
        )


class ApiPriceRecord(_Record):
    """One dated price row of a pay-per-token offer ``provider/model``.

    A row applies from ``effective_from`` until the next row of the same offer and tier.
    ``min_prompt_tokens`` > 0 marks a long-context tier: it applies to requests whose prompt
    exceeds that many tokens, and (``tier_scope="whole_request"``) then prices the request's
    whole input and output. ``batch_discount_fraction`` is the discount of the batch API
    (0.5 = half price; 0 = no batch API). Empty cached price = no prompt caching.
    """

    entity: ClassVar[str] = "api_prices"

    offer_id: str
    provider: str
    model: str = Field(min_length=1)  # the provider's own model name
    llama_model: str | None = None  # catalog model id when the offer serves a Llama
    effective_from: date
    min_prompt_tokens: NonNegInt = 0
    tier_scope: Literal["whole_request"] = "whole_request"
    input_usd_per_mtok: NonNegFloat
    cached_input_usd_per_mtok: NonNegFloat | None = None
    cache_write_usd_per_mtok: NonNegFloat | None = None
    output_usd_per_mtok: NonNegFloat
    batch_discount_fraction: Annotated[float, Field(ge=0, le=1)] = 0.0
    context_window_tokens: PosInt | None = None
    rate_limit_tier: str | None = None
    tokens_per_minute: PosInt | None = None
    requests_per_minute: PosInt | None = None
    image_token_rule: ImageTokenRule | None = None  # None: the offer takes no images

    @field_validator("provider")
    @classmethod
    def _provider_slug(cls, value: str) -> str:
        return check_slug(value, "provider")

    @field_validator("offer_id")
    @classmethod
    def _offer_id_shape(cls, value: str) -> str:
        provider, sep, name = value.partition("/")
        if not sep:
            raise ValueError(f"offer_id must look like 'provider/model'; got {value!r}")
        check_slug(provider, "offer_id provider part")
        check_slug(name, "offer_id model part")
        return value

    @model_validator(mode="after")
    def _offer_matches_provider(self) -> ApiPriceRecord:
        if self.offer_id.split("/", 1)[0] != self.provider:
            raise ValueError(
                f"offer_id {self.offer_id!r} must start with its provider {self.provider!r}/"
            )
        if (self.tokens_per_minute or self.requests_per_minute) and not self.rate_limit_tier:
            raise ValueError("rate limits need rate_limit_tier (the tier they apply to)")
        return self

    @property
    def key(self) -> str:
        """The unique key of the row: ``offer_id@effective_from`` (``>N`` added for a tier)."""
        tier = f">{self.min_prompt_tokens}" if self.min_prompt_tokens else ""
        return f"{self.offer_id}@{self.effective_from.isoformat()}{tier}"


class GpuOfferRecord(_Record):
    """A rental price per GPU-hour: one instance type, region and term, as seen on ``as_of``."""

    entity: ClassVar[str] = "gpu_offers"

    provider: str
    gpu: str
    region: str | None = None
    term: Term
    usd_per_gpu_hour: PosFloat
    gpus_per_instance: PosInt
    instance_type: str = Field(min_length=1)

    @field_validator("provider")
    @classmethod
    def _provider_slug(cls, value: str) -> str:
        return check_slug(value, "provider")

    @property
    def key(self) -> str:
        """The unique key of the row: ``provider/instance_type/region/term``."""
        return f"{self.provider}/{self.instance_type}/{self.region or 'any'}/{self.term}"


class HardwareRecord(_Record):
    """A purchase price per GPU.

    ``price_scope`` says what the price covers: ``"server_share"`` = a whole server's price
    divided by its GPUs (all-in: CPUs, memory, network, chassis); ``"gpu_only"`` = the GPU card,
    module or baseboard alone (a server around it costs extra).
    """

    entity: ClassVar[str] = "hardware"

    item_id: str
    gpu: str
    price_scope: Literal["server_share", "gpu_only"]
    usd_per_gpu: PosFloat
    gpus_per_server: PosInt
    server_power_kw: PosFloat | None = None  # whole server at full load [kW]

    @field_validator("item_id")
    @classmethod
    def _id_slug(cls, value: str) -> str:
        return check_slug(value, "item_id")

    @property
    def key(self) -> str:
        """The unique key of the row: the item id."""
        return self.item_id


#: Facility and finance defaults the cost engine may use, by the scenario field they feed.
FACILITY_PARAMETERS = ("pue", "usd_per_kwh", "colocation_usd_per_kw_month", "life_years")


class FacilityRecord(_Record):
    """A documented default for owning hardware (PUE, $/kWh, colocation, server life)."""

    entity: ClassVar[str] = "facility"

    parameter: Literal["pue", "usd_per_kwh", "colocation_usd_per_kw_month", "life_years"]
    value: PosFloat

    @model_validator(mode="after")
    def _pue_at_least_one(self) -> FacilityRecord:
        if self.parameter == "pue" and self.value < 1:
            raise ValueError(f"pue must be >= 1; got {self.value}")
        return self

    @property
    def key(self) -> str:
        """The unique key of the row: the parameter name."""
        return self.parameter


AnyRecord = (
    ModelRecord | GpuRecord | ApiPriceRecord | GpuOfferRecord | HardwareRecord | FacilityRecord
)
