"""``[options.<name>.disaggregated]`` of a self-hosted option: separate prefill and decode pools.

The scenario-file edge of :func:`llmcost.perf.disaggregated.estimate_disaggregated`. The
option's replica becomes a *unit* of ``prefill_replicas`` prefill replicas of
``prefill_gpus`` GPUs and ``decode_replicas`` decode replicas of ``decode_gpus`` GPUs (the
"xPyD" of published deployments); units are what the load profile scales, priced per GPU
like any replica.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = ["DisaggregatedConfig"]

_Whole = Annotated[int, Field(ge=1, le=1024, strict=True)]


class DisaggregatedConfig(BaseModel):
    """Disaggregated prefill/decode of a self-hosted option.

    ``prefill_gpus`` / ``decode_gpus`` left out (both): ``layout = "auto"`` chooses them, every
    pair of 1, 2, 4, … GPUs up to one scale-up domain that the model's heads allow.
    ``prefill_replicas`` / ``decode_replicas`` left out: one of them is 1 and the other the
    whole ratio of the two pools' loads for the workload (at least 1).
    ``kv_link``: "auto" (intra-node when both pools of a replica pair fit one scale-up
    domain), "intra_node" or "inter_node"; ``kv_link_gb_per_s`` overrides its bandwidth per
    GPU and direction.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    prefill_gpus: _Whole | None = None
    decode_gpus: _Whole | None = None
    prefill_replicas: _Whole | None = None
    decode_replicas: _Whole | None = None
    kv_link: Literal["auto", "intra_node", "inter_node"] = "auto"
    kv_link_gb_per_s: Annotated[float, Field(gt=0.0, le=1e6)] | None = None

    @model_validator(mode="after")
    def _both_pool_sizes_or_neither(self) -> DisaggregatedConfig:
        if (self.prefill_gpus is None) != (self.decode_gpus is None):
            given = "prefill_gpus" if self.decode_gpus is None else "decode_gpus"
            raise ValueError(
                f"disaggregated: {given} without the other; give both prefill_gpus and "
                "decode_gpus, or neither with layout = 'auto' (which chooses them)"
            )
        return self

    @property
    def sized(self) -> bool:
        """Whether the pools' GPUs per replica are given (else ``layout = "auto"`` picks them)."""
        return self.prefill_gpus is not None
