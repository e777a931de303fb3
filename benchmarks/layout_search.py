"""Time the layout search over ≥ 10,000 candidate operating points (target: well under a second).

One model / GPU set: Llama 4 Maverick on 64 × B200 (every replicas × TP × PP × EP split with
TP × EP within the 8-GPU NVLink domain) × BF16, FP8, FP4 × vLLM, SGLang, TensorRT-LLM; each
(layout, precision, engine) candidate is ranked at max throughput or under a TPOT/TTFT SLO,
and run at up to 48 batches for the Pareto front (duplicates at small KV capacities
dropped) — the operating points counted; the SLO ranking itself runs 64 batches per candidate
inside :func:`~llmcost.perf.estimate_serving`. Then Llama 3.1 70B on 8 × H100 SXM, the
everyday case. Usage: ``python benchmarks/layout_search.py``
"""

from __future__ import annotations

import time

from llmcost.catalog import load_catalog
from llmcost.perf import search_layouts


def _run(model_id: str, gpu_id: str, gpus: int, front_batches: int = 24, **slo: float) -> None:
    cat = load_catalog()
    model, gpu = cat.model_spec(model_id), cat.gpu_spec(gpu_id)
    kw = dict(gpus=gpus, input_tokens=1000, output_tokens=1000, front_batches=front_batches)
    kw |= slo
    search_layouts(model, gpu, **kw)  # warm-up
    start = time.perf_counter()
    result = search_layouts(model, gpu, **kw)
    elapsed = time.perf_counter() - start
    b = result.basis
    best = result.best
    label = "none feasible" if best is None else best.label()
    per_gpu = 0.0 if best is None else best.output_tokens_per_s_per_gpu
    print(
        f"{model_id} on {gpus} × {gpu_id} {slo or 'max throughput'}: {b['layouts']} layouts, "
        f"{b['candidates']:,} candidates ranked, {b['operating_points']:,} operating points on "
        f"the front in {elapsed * 1e3:.0f} ms; best {label} ({per_gpu:,.0f} tok/s/GPU), "
        f"front {result.front['tp'].size} points"
    )


def main() -> None:
    """Print the wall time of each search."""
    _run("llama-4-maverick", "b200", 64, front_batches=48)
    _run("llama-4-maverick", "b200", 64, front_batches=48, tpot_slo_s=0.03, ttft_slo_s=1.0)
    _run("llama-4-maverick", "b200", 256, front_batches=48, tpot_slo_s=0.03, ttft_slo_s=1.0)
    _run("llama-3.1-70b", "h100-sxm", 8)
    _run("llama-3.1-70b", "h100-sxm", 8, tpot_slo_s=0.03)


if __name__ == "__main__":
    main()
