"""Time the performance model on a 10,000-point grid (target: well under a second).

The grid: 25 batch sizes × 20 input lengths × 20 output lengths for Llama 3.1 70B FP8 on
H100 SXM at TP 1, 2, 4 and 8 (4 calls of 10,000 points), plus one max-throughput sweep over
10,000 (input, output, GPU count) combinations. Usage: ``python benchmarks/perf_grid_speed.py``
"""

from __future__ import annotations

import time

import numpy as np

from llmcost.catalog import load_catalog
from llmcost.perf import estimate_serving


def main() -> None:
    """Print the wall time of each grid evaluation."""
    cat = load_catalog()
    model, gpu = cat.model_spec("llama-3.1-70b"), cat.gpu_spec("h100-sxm")
    batch, inp, out = np.meshgrid(
        np.geomspace(1, 512, 25).round(), np.geomspace(64, 32_000, 20).round(),
        np.geomspace(16, 4_000, 20).round(), indexing="ij",
    )  # fmt: skip
    points = batch.size
    estimate_serving(model, gpu, gpus=2, precision="fp8", input_tokens=100, output_tokens=100,
                     batch=1)  # warm-up  # fmt: skip
    for gpus in (1, 2, 4, 8):
        start = time.perf_counter()
        est = estimate_serving(model, gpu, gpus=gpus, precision="fp8", input_tokens=inp.ravel(),
                               output_tokens=out.ravel(), batch=batch.ravel())  # fmt: skip
        elapsed = time.perf_counter() - start
        fits = np.mean(est.fits)
        print(f"fixed batch, {gpus} GPU(s): {points:,} points in {elapsed * 1e3:.1f} ms "
              f"({fits:.0%} fit)")  # fmt: skip
    rng = np.random.default_rng(0)
    inp2 = rng.integers(64, 32_000, 10_000)
    out2 = rng.integers(16, 4_000, 10_000)
    gpus2 = rng.choice([1, 2, 4, 8], 10_000)
    start = time.perf_counter()
    estimate_serving(model, gpu, gpus=gpus2, precision="fp8", input_tokens=inp2,  # type: ignore[arg-type]
                     output_tokens=out2, max_throughput=True)  # fmt: skip
    elapsed = time.perf_counter() - start
    print(f"max throughput, GPU counts as an array: 10,000 points in {elapsed * 1e3:.1f} ms")


if __name__ == "__main__":
    main()
