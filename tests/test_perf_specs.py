"""Reference specs for the perf tests, written out so the tests need no catalog and no files.

Architecture numbers: HF config.json fields as transcribed in the project's reference notes
(meta-llama/llama-models ``sku_list.py``; transformers ``configuration_llama4.py``). GPU numbers:
NVIDIA datasheets (dense tensor throughput). The test in this module pins the parameter counts
derived from those configs, so a typo in a spec fails here first.
"""

from __future__ import annotations

import pytest

from llmcost._core.specs import GpuSpec, ModelSpec
from llmcost.perf.params import param_breakdown

LLAMA_31_8B = ModelSpec(
    id="llama-3.1-8b",
    hidden_size=4096,
    num_layers=32,
    num_attention_heads=32,
    num_kv_heads=8,
    head_dim=128,
    vocab_size=128256,
    intermediate_size=14336,
    tie_word_embeddings=False,
    max_context_tokens=131072,
    params_total_official=8.0e9,
    params_active_official=8.0e9,
)
LLAMA_31_70B = ModelSpec(
    id="llama-3.1-70b",
    hidden_size=8192,
    num_layers=80,
    num_attention_heads=64,
    num_kv_heads=8,
    head_dim=128,
    vocab_size=128256,
    intermediate_size=28672,
    tie_word_embeddings=False,
    max_context_tokens=131072,
    params_total_official=70e9,
    params_active_official=70e9,
)
LLAMA_31_405B = ModelSpec(
    id="llama-3.1-405b",
    hidden_size=16384,
    num_layers=126,
    num_attention_heads=128,
    num_kv_heads=8,
    head_dim=128,
    vocab_size=128256,
    intermediate_size=53248,
    tie_word_embeddings=False,
    max_context_tokens=131072,
    params_total_official=405e9,
    params_active_official=405e9,
    fp8_checkpoint_scope="mlp_only",
    fp8_checkpoint_bf16_layers=2,
)
LLAMA_32_1B = ModelSpec(
    id="llama-3.2-1b",
    hidden_size=2048,
    num_layers=16,
    num_attention_heads=32,
    num_kv_heads=8,
    head_dim=64,
    vocab_size=128256,
    intermediate_size=8192,
    tie_word_embeddings=True,
    max_context_tokens=131072,
    params_total_official=1.23e9,
    params_active_official=1.23e9,
)
_LLAMA4 = dict(
    hidden_size=5120,
    num_layers=48,
    num_attention_heads=40,
    num_kv_heads=8,
    head_dim=128,
    vocab_size=202048,
    intermediate_size=16384,
    tie_word_embeddings=False,
    params_active_official=17e9,
    experts_per_token=1,
    num_shared_experts=1,
    expert_intermediate_size=8192,
    attention_chunk_tokens=8192,
    global_attention_layer_step=4,
    vision_encoder_params=871_932_416,
)
LLAMA_4_SCOUT = ModelSpec(
    id="llama-4-scout",
    max_context_tokens=10_000_000,
    params_total_official=109e9,
    num_experts=16,
    moe_layer_step=1,
    **_LLAMA4,  # type: ignore[arg-type]
)
LLAMA_4_MAVERICK = ModelSpec(
    id="llama-4-maverick",
    max_context_tokens=1_048_576,
    params_total_official=400e9,
    num_experts=128,
    moe_layer_step=2,
    **_LLAMA4,  # type: ignore[arg-type]
)

H100_SXM = GpuSpec(
    id="h100-sxm",
    memory_gb=80,
    hbm_bandwidth_gb_per_s=3350,
    bf16_tflops=989.4,
    fp16_tflops=989.4,
    fp8_tflops=1978.9,
    int8_tops=1978.9,
    fp4_tflops=None,
    interconnect_kind="nvlink",
    interconnect_gb_per_s=900,
    pcie_gb_per_s=128,
    tdp_w=700,
)
A100_80GB = GpuSpec(
    id="a100-80gb",
    memory_gb=80,
    hbm_bandwidth_gb_per_s=2039,
    bf16_tflops=312,
    fp16_tflops=312,
    fp8_tflops=None,
    int8_tops=624,
    fp4_tflops=None,
    interconnect_kind="nvlink",
    interconnect_gb_per_s=600,
    pcie_gb_per_s=64,
    tdp_w=400,
)
A100_80GB_PCIE = GpuSpec(
    id="a100-80gb-pcie",
    memory_gb=80,
    hbm_bandwidth_gb_per_s=1935,
    bf16_tflops=312,
    fp16_tflops=312,
    fp8_tflops=None,
    int8_tops=624,
    fp4_tflops=None,
    interconnect_kind="pcie",
    interconnect_gb_per_s=64,
    pcie_gb_per_s=64,
    tdp_w=300,
)
L40S = GpuSpec(
    id="l40s",
    memory_gb=48,
    hbm_bandwidth_gb_per_s=864,
    bf16_tflops=362,
    fp16_tflops=362,
    fp8_tflops=733,
    int8_tops=733,
    fp4_tflops=None,
    interconnect_kind="pcie",
    interconnect_gb_per_s=64,
    pcie_gb_per_s=64,
    tdp_w=350,
    memory_type="gddr",
)


@pytest.mark.parametrize(
    ("model", "text_params"),
    [
        # "derived.params_total" of reference/model_configs.json (computed from config.json)
        (LLAMA_31_8B, 8_030_261_248),
        (LLAMA_31_70B, 70_553_706_496),
        (LLAMA_31_405B, 405_853_388_800),
        (LLAMA_32_1B, 1_235_814_400),
        (LLAMA_4_SCOUT, 107_769_861_120),
        (LLAMA_4_MAVERICK, 400_711_848_960),
    ],
)
def test_reference_specs_give_the_derived_parameter_counts(model: ModelSpec, text_params: int):
    assert param_breakdown(model).text_total == text_params
