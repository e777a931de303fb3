"""What ``validation.py`` prints about mixture-of-experts groups and large residuals.

- :func:`moe_table`: the Llama 4 groups (model × GPU × precision × layout × GPUs × source) with
  today's median and signed error next to :data:`MOE_BEFORE`, the same groups before the MoE
  physics of :mod:`llmcost.perf.moe` (a record, see its comment);
- :func:`residual_lines`: every case whose absolute error exceeds 30 %, with the cause
  :data:`RESIDUAL_CAUSES` gives for it (``"no cause recorded"`` when none matches, so a new
  residual shows up unexplained rather than silently).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

GROUP_KEYS = ["model", "gpu", "precision", "layout", "gpus", "source"]

#: Median |error| and median signed error [%] of each MoE group with llmcost at commit 10bdc4a
#: (before llmcost.perf.moe: expert GEMMs folded into one roofline with the dense GEMMs,
#: moe_efficiency 0.59, no tile padding or rank imbalance), measured with this script on the
#: same data (main's src/ on the path, 2026-12-07). A record of the old model, not a target.
MOE_BEFORE: dict[tuple[str, str, str, str, int, str], tuple[float, float]] = {
    ("llama-4-scout", "b200", "fp4", "tp", 1, "trtllm-v1.0"): (10.0, -8.9),
    ("llama-4-scout", "gb200", "fp4", "tp", 1, "trtllm-v1.0"): (11.3, -3.8),
    ("llama-4-scout", "h200", "fp8", "tp", 4, "trtllm-v1.0"): (25.1, -23.4),
    ("llama-4-maverick", "b200", "fp4", "dep", 8, "trtllm-v1.0"): (7.5, 5.5),
    ("llama-4-maverick", "h200", "fp8", "dep", 8, "trtllm-v1.0"): (7.2, 4.2),
    ("llama-4-maverick", "b200", "fp4", "dep", 4, "trtllm-v1.2"): (15.2, -15.0),
    ("llama-4-maverick", "gb200", "fp4", "dep", 4, "trtllm-v1.2"): (14.4, -14.4),
    ("llama-4-maverick", "h200", "fp8", "dep", 8, "trtllm-v1.2"): (36.2, 36.2),
}

#: (case-id pattern, cause) for residuals over 30 %; first match wins.
RESIDUAL_CAUSES: list[tuple[str, str]] = [
    (r"trtllm-v1\.2-llama-4-maverick.*-h200-.*-dep8-",
     "Maverick DEP8 on H200 (TensorRT-LLM 1.2) over-predicted: at 1024/8192 the run reaches "
     "0.36 of the model's roofline for its batch, the B200/GB200 DEP4 runs of the same table "
     "0.72-0.74 (estimate_serving roofline_output_tokens_per_s); not separable here"),
    (r"llama-4-maverick.*-tp8-",
     "Maverick DEP8 (TensorRT-LLM 1.0) short or prefill-heavy rows: ranks out of phase stall "
     "every MoE layer's dispatch/combine (the attention-DP straggler of llmcost.perf.speed "
     "Known limits: it fixes these rows but breaks the long ones, so it is not modelled)"),
    (r"llama-4-scout.*-h200-.*-tp4-(128-128|128-2048)",
     "Scout TP4 short prompts at ~2,000 sequences: the per-sequence-layer overhead (0.36 µs on "
     "H200 × 48 layers × batch; 0.52 µs fitted on dense H100 rows, scaled by memory bandwidth) "
     "dominates the decode step"),
    (r"llama-4-scout.*-h200-.*-tp4-20000-2000",
     "Scout 20k-token prompts on H200 over-predicted; no cause found (chunked attention and "
     "the finite run are modelled)"),
    (r"llama-4-scout.*-gb200-.*-1000-1000",
     "a measurement outlier: GB200 7,738 vs B200 10,591 tok/s on this row only (the two agree "
     "within ~10 % on the other 9 rows)"),
    (r"-(b200|gb200)-.*-fp4-tp[14]-128-128",
     "NVFP4 at 128/128 under-predicted: the one global NVFP4 GEMM efficiency "
     "(fp4_gemm_efficiency_ratio 0.56) is too low for these large-batch GEMMs"),
    (r"llama-3-1-70b-h200-.*-tp8-128-128",
     "Llama 3.1 70B TP8 at 128/128 (H200 here, H100 -37 % in the calibration): 2,048 sequences "
     "of 256 tokens; with the all-reduces made free the model still reads 0.87 of measured, so "
     "the collectives are not the cause: the per-step engine cost at the 2,048-sequence cap "
     "(per-sequence-layer overhead, each request's prefill) is too high for the shortest runs"),
    (r"llama-3-1-70b-h200-.*-tp1-",
     "Llama 3.1 70B on one H200, decode-heavy rows over-predicted (group median 20 %): batch "
     "set by the ~55 GB of KV beside 70 GB of FP8 weights; the same rows at TP2-TP8 are within "
     "10 %, and the calibration has no 70B TP1 row to fit the overhead there; no cause found"),
    (r"trtllm-v0\.6\.1-",
     "TensorRT-LLM v0.6.1 (2023) static-batch tables (gptSessionBenchmark: one batch prefilled, "
     "then decoded in lockstep; no paged KV or in-flight batching; the doc lists an unfused "
     "MLP as a known issue). The error grows with decode length, not with batch or KV volume: "
     "H100 128/128 -0.1 %, 2048/128 +18 %, 128/2048 +54 %, 2048/2048 +99 % (2048/2048 at "
     "batch 64 moves as much KV per step as 128/128 at 1024), so the 2023 decode kernels lose "
     "speed on long contexts that today's calibrated ones do not; the doc's own build command "
     "(--max_batch_size 64, --tp_size 4) cannot produce its batch 480-1024 / TP2 rows, so the "
     "setup is not known well enough to model as an engine version"),
    (r"vllm-issue1639-",
     "vLLM 0.6.3 offline on 2x H100: the figure is derived from a total-token throughput (row "
     "notes); SGLang in the same thread is +15 %; no cause specific to vLLM found"),
    (r"trtllm-v0\.5-.*ttft_ms",
     "TTFT of one 128-token prompt at batch 1 on TensorRT-LLM v0.5: fixed launch overheads "
     "above the profile's 1 ms step"),
]  # fmt: skip


def _frame(cases: pd.DataFrame, predicted: np.ndarray) -> pd.DataFrame:
    ratio = predicted / cases["measured"].to_numpy()
    return cases.assign(
        ratio=ratio,
        abs_err_pct=100 * np.abs(ratio - 1),
        err_pct=100 * (ratio - 1),
        layout=np.where(cases["ep"] > 1, "dep", "tp"),
    )


def moe_table(cases: pd.DataFrame, predicted: np.ndarray) -> pd.DataFrame:
    """Llama 4 throughput groups: cases, median absolute and signed error now and before
    (:data:`MOE_BEFORE`), and the predicted ÷ measured range."""
    frame = _frame(cases, predicted)
    moe = frame[frame["model"].str.startswith("llama-4")]
    table = (
        moe.groupby(GROUP_KEYS, sort=False)
        .agg(
            cases=("abs_err_pct", "size"),
            median_pct=("abs_err_pct", "median"),
            bias_pct=("err_pct", "median"),
            low=("ratio", "min"),
            high=("ratio", "max"),
        )
        .reset_index()
    )
    before = [MOE_BEFORE.get(tuple(row), (np.nan, np.nan)) for row in table[GROUP_KEYS].values]
    table.insert(len(GROUP_KEYS) + 1, "before_median_pct", [b[0] for b in before])
    table.insert(len(GROUP_KEYS) + 3, "before_bias_pct", [b[1] for b in before])
    return table


def cause_of(case_id: str) -> str:
    """The recorded cause of a large residual (:data:`RESIDUAL_CAUSES`)."""
    for pattern, cause in RESIDUAL_CAUSES:
        if re.search(pattern, case_id):
            return cause
    return "no cause recorded"


def residual_lines(
    cases: pd.DataFrame, predicted: np.ndarray, threshold_pct: float = 30.0
) -> list[str]:
    """Every case with |error| above ``threshold_pct`` [%], worst first: its signed error and
    id on one line, its cause indented on the next."""
    frame = _frame(cases, predicted)
    big = frame[frame["abs_err_pct"] > threshold_pct].sort_values("abs_err_pct", ascending=False)
    lines = []
    for case_id, err in zip(big["id"], big["err_pct"], strict=True):
        lines += [f"{err:+7.1f} %  {case_id}", f"           {cause_of(case_id)}"]
    return lines
