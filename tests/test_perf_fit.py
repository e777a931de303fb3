"""Fitting an engine profile: recover known factors; score the shipped trtllm profile."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from llmcost._core.errors import InvalidInputError, UnknownIdError
from llmcost.perf import get_engine_profile
from llmcost.perf.fit import fit_engine_profile, predict_measurements
from test_perf_specs import A100_80GB, H100_SXM, LLAMA_31_8B, LLAMA_31_70B

SPECS = {"llama-3.1-8b": LLAMA_31_8B, "llama-3.1-70b": LLAMA_31_70B, "h100-sxm": H100_SXM,
         "a100-80gb": A100_80GB}  # fmt: skip


def _runs() -> pd.DataFrame:
    rows = []
    for model, gpu, gpus in (("llama-3.1-8b", "h100-sxm", 1), ("llama-3.1-70b", "a100-80gb", 4)):
        for i, o in ((128, 128), (2048, 128), (128, 2048), (1000, 1000), (5000, 500)):
            rows.append(dict(model=model, gpu=gpu, gpus=gpus, precision="bf16",
                             input_tokens=i, output_tokens=o))  # fmt: skip
    rows.append(dict(model="llama-3.1-8b", gpu="h100-sxm", gpus=1, precision="bf16",
                     input_tokens=500, output_tokens=500, batch=32))  # fmt: skip
    return pd.DataFrame(rows)


def test_fit_recovers_the_factors_that_generated_the_data():
    truth = dataclasses.replace(get_engine_profile("vllm"), bandwidth_efficiency=0.55,
                                compute_efficiency=0.45)  # fmt: skip
    runs = _runs()
    runs["measured_output_tokens_per_s"] = predict_measurements(runs, truth, SPECS)
    fit = fit_engine_profile(runs, base="vllm", specs=SPECS,
                             factors=["bandwidth_efficiency", "compute_efficiency"])  # fmt: skip
    assert fit.fitted["bandwidth_efficiency"] == pytest.approx(0.55, rel=0.02)
    assert fit.fitted["compute_efficiency"] == pytest.approx(0.45, rel=0.02)
    assert fit.median_abs_pct_error < 1.0
    assert list(fit.predictions.columns[-2:]) == ["predicted_output_tokens_per_s", "error_pct"]


def test_fit_input_errors():
    runs = _runs()
    with pytest.raises(InvalidInputError, match="measured_output_tokens_per_s"):
        fit_engine_profile(runs, base="vllm", specs=SPECS)
    runs["measured_output_tokens_per_s"] = 0.0
    with pytest.raises(InvalidInputError, match="must be > 0"):
        fit_engine_profile(runs, base="vllm", specs=SPECS)
    with pytest.raises(UnknownIdError, match="unknown model 'llama-9b'"):
        predict_measurements(runs.assign(model="llama-9b"), "vllm", SPECS)


def test_shipped_trtllm_profile_meets_the_accuracy_targets():
    """The calibration cases of benchmarks/accuracy.py, scored (median ≤ 15 %, groups ≤ 30 %)."""
    import sys

    bench = Path(__file__).resolve().parents[1] / "benchmarks"
    sys.path.insert(0, str(bench))
    try:
        from accuracy import error_table, load_cases
    finally:
        sys.path.remove(str(bench))
    from llmcost.catalog import load_catalog

    cases = load_cases()
    assert len(cases) == len(json.loads((bench / "data" / "trtllm_h100_a100.json").read_text()))
    pred = predict_measurements(cases, "trtllm", load_catalog())
    err = np.abs(pred / cases["measured_output_tokens_per_s"] - 1)
    assert np.median(err) <= 0.15
    assert error_table(cases, pred)["median_pct"].max() <= 30.0
