"""``[options.<name>.speculative]`` of a self-hosted option: speculative decoding settings.

The scenario-file edge of :class:`llmcost.perf.speculative.SpeculativeDecoding`; the draft
model is a catalog model id.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..perf.speculative import MAX_DRAFT_TOKENS, SpeculativeDecoding

if TYPE_CHECKING:
    from .._core.specs import ModelSpec

__all__ = ["SpeculativeConfig"]


class SpeculativeConfig(BaseModel):
    """Speculative decoding of a self-hosted option.

    ``method`` "draft_model" needs ``draft_model`` (a catalog model id sharing the target's
    tokenizer, e.g. ``llama-3.2-1b`` for ``llama-3.1-70b``); "eagle" and "ngram" take none.
    ``acceptance_rate`` is the per-token acceptance probability α (0–1).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    method: Literal["draft_model", "eagle", "ngram"]
    num_draft_tokens: Annotated[int, Field(ge=1, le=MAX_DRAFT_TOKENS, strict=True)]
    acceptance_rate: Annotated[float, Field(ge=0.0, le=1.0)]
    draft_model: Annotated[str, Field(min_length=1)] | None = None
    draft_precision: Literal["bf16", "fp16", "fp8", "int8", "int4", "fp4"] | None = None

    @model_validator(mode="after")
    def _draft_model_with_its_method(self) -> SpeculativeConfig:
        if (self.method == "draft_model") != (self.draft_model is not None):
            raise ValueError(
                "draft_model is needed with method = 'draft_model' and only with it; got "
                f"method = {self.method!r}, draft_model = {self.draft_model!r}"
            )
        if self.draft_precision is not None and self.method != "draft_model":
            raise ValueError("draft_precision applies to method = 'draft_model' only")
        return self

    def to_perf(self, draft_model: ModelSpec | None) -> SpeculativeDecoding:
        """The perf-layer value, with the draft model's architecture looked up by the caller."""
        return SpeculativeDecoding(
            method=self.method,
            num_draft_tokens=self.num_draft_tokens,
            acceptance_rate=float(self.acceptance_rate),
            draft_model=draft_model,
            draft_precision=self.draft_precision,
        )
