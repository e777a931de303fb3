# %% [markdown]
# # "Llama 4 Scout fits on a single H100" — under which assumptions?
#
# Meta (2025-04-05): Scout "fits on a single H100 GPU (with Int4 quantization)". Scout has
# 109B parameters in total (16 experts, every one resident in memory) and 17B active.
# This walk-through asks the library three questions:
#
# 1. at which weight precision (bf16 / fp8 / int4) does Scout fit on one H100 SXM 80 GB;
# 2. how many tokens of KV cache are left at each;
# 3. what a 10M-token context needs (memory, GPUs), with Llama 4's chunked attention
#    (3 of 4 layers keep at most 8,192 tokens of KV) and with an engine that ignores it.
#
# Engine: vLLM's memory rules (gpu_memory_utilization 0.9, a reserve for activations sized
# from the model — fp32 logits and MLP activations over the 8,192-token step budget —,
# 16-token KV pages); KV cache in bf16 (vLLM's default "auto").

# %%
from dataclasses import replace

import numpy as np

from llmcost._core.errors import InfeasibleError
from llmcost.catalog import load_catalog
from llmcost.perf import (
    get_engine_profile,
    kv_cache_bytes_per_sequence,
    memory_footprint,
)

catalog = load_catalog()
scout = catalog.model_spec("llama-4-scout")
h100 = catalog.gpu_spec("h100-sxm")
vllm = get_engine_profile("vllm")
# The same engine, but keeping full-length KV on every layer (engines before Llama 4 support).
vllm_no_chunking = replace(vllm, name="vllm-no-chunking", exploits_chunked_attention=False)
GB = 1e9
PRECISIONS = ("bf16", "fp8", "int4")
TEN_MILLION = 10_000_000

# %% [markdown]
# ## 1–2. Weights, KV budget and KV tokens on one H100
#
# "KV tokens" is the KV budget divided by the KV of one token on all 48 layers — the capacity
# for many short sequences (each ≤ 8,192 tokens). One *long* sequence goes further: past
# 8,192 tokens only the 12 global layers keep growing (``max_context_tokens``: the longest
# single sequence memory allows, in whole KV pages).

# %%
kv_bytes_per_token = float(
    memory_footprint(scout, "bf16", engine=vllm).kv_cache_bytes_per_token
)  # same at every weight precision: the KV cache stays bf16

single_gpu = {}
for precision in PRECISIONS:
    mem = memory_footprint(scout, precision, gpu=h100, gpus=1, engine=vllm)
    reserve_gb = (
        mem.basis["reserve_gb_per_gpu"] * GB + float(mem.basis["activation_bytes_per_gpu"])
    ) / GB
    single_gpu[precision] = {
        "weights_gb": mem.weights_bytes / GB,
        "kv_budget_gb": float(mem.per_gpu_kv_budget_bytes) / GB,
        "fits": bool(mem.fits),
        "kv_tokens": float(mem.per_gpu_kv_budget_bytes) / kv_bytes_per_token,
        "longest_sequence_tokens": float(mem.max_context_tokens),
    }

print(f"Llama 4 Scout on one {h100.id} ({h100.memory_gb:g} GB), engine {vllm.name}:")
print(
    f"{'precision':>9}  {'weights GB':>10}  {'KV budget GB':>12}  {'fits':>4}  "
    f"{'KV tokens':>9}  {'longest sequence':>16}"
)
for precision, r in single_gpu.items():
    print(
        f"{precision:>9}  {r['weights_gb']:10.1f}  {r['kv_budget_gb']:12.1f}  "
        f"{'yes' if r['fits'] else 'no':>4}  {r['kv_tokens']:9,.0f}  "
        f"{r['longest_sequence_tokens']:16,.0f}"
    )

# %% [markdown]
# ## 3. A 10M-token context
#
# KV of one 10M-token sequence, then the smallest tensor × pipeline split of H100s that holds
# weights + that KV. KV heads (8) split across at most 8 GPUs of a tensor-parallel group;
# beyond that only pipeline stages (which split the layers) reduce KV per GPU.

# %%
tp_grid, pp_grid = np.meshgrid([1.0, 2.0, 4.0, 8.0], [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 48.0])
splits_tp, splits_pp = tp_grid.ravel(), pp_grid.ravel()


def smallest_fleet(engine, precision):
    """(GPUs, tp, pp) of the smallest split that holds one 10M-token sequence."""
    mem = memory_footprint(
        scout,
        precision,
        gpu=h100,
        gpus=splits_tp * splits_pp,
        tp=splits_tp,
        pp=splits_pp,
        engine=engine,
        context_tokens=TEN_MILLION,
    )
    ok = np.asarray(mem.max_concurrent_sequences) >= 1
    gpus = np.where(ok, splits_tp * splits_pp, np.inf)
    best = int(np.argmin(gpus))
    if not np.isfinite(gpus[best]):
        raise InfeasibleError(
            f"no split of up to 384 H100s holds a 10M-token context ({precision})"
        )
    return int(gpus[best]), int(splits_tp[best]), int(splits_pp[best])


ten_m = {}
for label, engine in (("chunked", vllm), ("no_chunking", vllm_no_chunking)):
    kv = float(
        kv_cache_bytes_per_sequence(
            scout, "bf16", TEN_MILLION, chunked_attention=engine.exploits_chunked_attention
        )
    )
    ten_m[label] = {
        "kv_gb": kv / GB,
        "fleet_int4": smallest_fleet(engine, "int4"),
        "fleet_bf16": smallest_fleet(engine, "bf16"),
    }

for label, r in ten_m.items():
    g4, g16 = r["fleet_int4"], r["fleet_bf16"]
    print(
        f"10M-token context, {label.replace('_', ' ')}: KV {r['kv_gb']:,.0f} GB (bf16) → "
        f"int4 weights: {g4[0]} × H100 (tp {g4[1]}, pp {g4[2]}); "
        f"bf16 weights: {g16[0]} × H100 (tp {g16[1]}, pp {g16[2]})"
    )

# %% [markdown]
# ## Verdict

# %%
fits_at = [p for p in PRECISIONS if single_gpu[p]["fits"]]
int4 = single_gpu["int4"]
chunk_gain = ten_m["no_chunking"]["kv_gb"] / ten_m["chunked"]["kv_gb"]
print(
    "VERDICT: "
    + (
        "True only with Int4, as Meta says. "
        if fits_at == ["int4"]
        else f"Meta says Int4; the library finds it fits at {', '.join(fits_at) or 'none'}. "
    )
    + "On one H100 80 GB Scout fits at "
    f"{', '.join(fits_at)} only (bf16 weights {single_gpu['bf16']['weights_gb']:.0f} GB, "
    f"fp8 {single_gpu['fp8']['weights_gb']:.0f} GB); at int4 ({int4['weights_gb']:.1f} GB "
    f"incl. the bf16 vision encoder and embeddings) {int4['kv_budget_gb']:.1f} GB remain for "
    f"KV: {int4['kv_tokens']:,.0f} tokens of short sequences, or one sequence of "
    f"{int4['longest_sequence_tokens']:,.0f} tokens thanks to chunked attention — far from 10M. "
    f"A 10M-token context needs {ten_m['chunked']['kv_gb']:,.0f} GB of KV with chunking "
    f"({ten_m['chunked']['fleet_int4'][0]} H100s at int4) and {chunk_gain:.1f}x that without "
    f"({ten_m['no_chunking']['fleet_int4'][0]} H100s). Assumptions: vLLM memory rules "
    f"(90 % utilization, {reserve_gb:.1f} GB reserve), bf16 KV cache, AWQ-style int4 "
    "(group 128)."
)
