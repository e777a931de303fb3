"""What a GPU offers the engine: visible memory, and whether engines treat it as "small".

Marketed capacity → usable bytes. HBM data-centre parts are sold by their binary size: an
"80 GB" H100 has 80 GiB of HBM3 (5 stacks of 16 GiB), of which CUDA reports 79.18 GiB
(vLLM log in llm-d/llm-d-benchmark ``config_explorer/empirical-vllm-memory-results.md``;
0.99 of 80 GiB). GDDR parts (A10G, L4, L40S) are sold in decimal GB: an A10G "24 GB" shows
22.30 GiB = 23.9e9 B to vLLM (awslabs/data-on-eks ``ray-vllm-deepseek.md``), again ≈ 0.99 of
24e9. So visible bytes = 0.99 × memory_gb × (2³⁰ for HBM, 10⁹ for GDDR), by
``GpuSpec.memory_type``.

Engines pick smaller defaults on smaller GPUs: vLLM V1 raises ``max_num_batched_tokens`` to 8192
and ``max_num_seqs`` to 1024 only on GPUs with ≥ 70 GiB that are not A100s
(``EngineArgs.get_batch_defaults``: "For GPUs like H100 and MI300x, use larger default
values"; A100s are excluded after vLLM PR #17885 measured a regression there).
"""

from __future__ import annotations

from .._core.specs import GpuSpec
from .._core.units import BYTES_PER_GB, BYTES_PER_GIB

__all__ = ["VISIBLE_MEMORY_FRACTION", "is_large_gpu", "visible_memory_bytes"]

#: Share of the marketed capacity CUDA exposes (79.18 GiB of an 80 GiB H100).
VISIBLE_MEMORY_FRACTION = 0.99


def visible_memory_bytes(gpu: GpuSpec) -> float:
    """Memory CUDA (and so the engine) can allocate on one GPU [bytes].

    >>> from llmcost._core.specs import GpuSpec
    >>> h100 = GpuSpec(id="h100-sxm", memory_gb=80, hbm_bandwidth_gb_per_s=3350,
    ...     bf16_tflops=989.4, fp16_tflops=989.4, fp8_tflops=1978.9, int8_tops=1978.9,
    ...     fp4_tflops=None, interconnect_kind="nvlink", interconnect_gb_per_s=900,
    ...     pcie_gb_per_s=128, tdp_w=700)
    >>> round(visible_memory_bytes(h100) / 2**30, 2)  # vLLM reports 79.18 GiB
    79.2
    """
    unit = BYTES_PER_GB if gpu.memory_type == "gddr" else BYTES_PER_GIB
    return VISIBLE_MEMORY_FRACTION * gpu.memory_gb * unit


def is_large_gpu(gpu: GpuSpec) -> bool:
    """True for GPUs on which engines use their large defaults (≥ 70 GiB, not an A100)."""
    is_a100 = "a100" in gpu.id.lower()
    return visible_memory_bytes(gpu) >= 70 * BYTES_PER_GIB and not is_a100
