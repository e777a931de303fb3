"""Engine knobs (llmcost.perf.knobs): defaults as shipped, hand-checked memory, the 70B case."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from llmcost._core.errors import InvalidInputError
from llmcost.catalog import load_catalog
from llmcost.cli import main
from llmcost.perf import estimate_serving, get_engine_profile
from llmcost.perf.device import visible_memory_bytes
from llmcost.perf.knobs import ENGINE_KNOB_DEFAULTS, EngineKnobs, apply_knobs
from llmcost.perf.memory import kv_budget_bytes_per_gpu
from llmcost.scenario import compare, parse_scenario

CAT = load_catalog()
L70 = CAT.model_spec("llama-3.3-70b")
H100 = CAT.gpu("h100-sxm").to_spec()
# A tuned vLLM deployment of Llama 3.x 70B FP8 on one H100 (the example)
TUNED = EngineKnobs(
    gpu_memory_utilization=0.95,
    max_num_batched_tokens=2048,
    max_model_len=8192,
    kv_cache_dtype="fp8",
)


def _run(knobs: EngineKnobs | None, **kw: Any) -> Any:
    args = {"input_tokens": 1000, "output_tokens": 200, "max_throughput": True} | kw
    return estimate_serving(L70, H100, gpus=1, precision="fp8", engine="vllm", knobs=knobs, **args)


@pytest.mark.parametrize("engine", ["vllm", "sglang", "trtllm"])
def test_defaults_table_matches_the_profiles(engine: str) -> None:
    p = get_engine_profile(engine).for_gpu(H100)
    d = ENGINE_KNOB_DEFAULTS[engine]
    share = p.kv_free_memory_fraction if p.kv_free_memory_fraction < 1 else p.memory_utilization
    assert d["gpu_memory_utilization"] == share
    assert d["max_num_seqs"] == p.max_batch
    assert d["max_num_batched_tokens"] == p.max_batched_tokens
    assert d["source"]
    # no knobs: the profile unchanged
    assert apply_knobs(p, EngineKnobs()) == p


def test_kv_budget_by_hand() -> None:
    # vLLM: usable = visible × 0.95; reserve 0.5 GB + activations of 2048 tokens
    # (fp32 logits 128,256 × 4 B + gate/up 2 × 28,672 × 2 B per token); free → KV.
    prof = apply_knobs(get_engine_profile("vllm"), TUNED).for_gpu(H100)
    weights = 72_656_371_712.0  # llama-3.3-70b FP8 on one GPU (llmcost perf --json)
    per_token = 128_256 * 4 + 2 * L70.intermediate_size * 2
    expect = visible_memory_bytes(H100) * 0.95 - weights - 0.5e9 - 2048 * per_token
    got = float(kv_budget_bytes_per_gpu(H100, L70, weights, prof, 1))
    assert got == pytest.approx(expect, rel=1e-9)
    assert got > 0


def test_70b_fp8_on_one_h100_fits_when_tuned() -> None:
    default = _run(None)
    assert not bool(default.fits)
    tuned = _run(TUNED)
    assert bool(tuned.fits)
    assert float(tuned.max_batch_size) >= 16
    assert tuned.basis["kv_precision"] == "fp8"
    assert tuned.basis["engine_knobs"]["gpu_memory_utilization"] == 0.95
    # a KV cache that cannot hold one max_model_len sequence does not start (vLLM's check)
    too_long = _run(EngineKnobs(**(TUNED.given() | {"max_model_len": 131_072})))
    assert not bool(too_long.fits)
    assert str(too_long.limited_by) == "max_model_len"
    # a request longer than max_model_len does not fit
    short = _run(EngineKnobs(**(TUNED.given() | {"max_model_len": 1000})))
    assert not bool(short.fits)


def test_batch_cap_and_prefix_caching() -> None:
    capped = _run(EngineKnobs(**(TUNED.given() | {"max_num_seqs": 4})))
    assert float(capped.max_batch_size) == 4
    assert str(capped.limited_by) == "batch_cap"
    hit = _run(TUNED, cached_input_fraction=0.9)
    off = _run(
        EngineKnobs(**(TUNED.given() | {"enable_prefix_caching": False})), cached_input_fraction=0.9
    )
    plain = _run(TUNED, cached_input_fraction=0.0)
    assert float(off.output_tokens_per_s) == pytest.approx(float(plain.output_tokens_per_s))
    assert float(hit.output_tokens_per_s) > float(off.output_tokens_per_s)


def test_chunked_prefill_off_budget_holds_a_whole_sequence() -> None:
    off = apply_knobs(
        get_engine_profile("vllm"), EngineKnobs(enable_chunked_prefill=False, max_model_len=32768)
    )
    assert off.max_batched_tokens == 32768
    assert off.activation_tokens == 32768


@settings(max_examples=25, deadline=None)
@given(u=st.floats(0.90, 1.0))
def test_more_memory_never_fewer_sequences(u: float) -> None:
    lo = _run(EngineKnobs(**(TUNED.given() | {"gpu_memory_utilization": 0.9})))
    hi = _run(EngineKnobs(**(TUNED.given() | {"gpu_memory_utilization": u})))
    assert np.nan_to_num(float(hi.max_batch_size)) >= np.nan_to_num(float(lo.max_batch_size))


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("gpu_memory_utilization", 1.2),
        ("max_num_seqs", 0),
        ("max_model_len", 2.5),
        ("kv_cache_dtype", "fp9"),
    ],
)
def test_bad_knob_names_field(field: str, value: Any) -> None:
    with pytest.raises(InvalidInputError, match=field):
        EngineKnobs(**{field: value})


def test_scenario_engine_knobs_make_the_option_feasible() -> None:
    option = {
        "name": "70b-1xh100",
        "kind": "self_hosted",
        "model": "llama-3.3-70b",
        "gpu": "h100-sxm",
        "gpus_per_replica": 1,
        "precision": "fp8",
        "gpu_usd_per_hour": 2.0,
    }
    wl = {
        "requests_per_month": 100_000,
        "input_tokens_per_request": 1000,
        "output_tokens_per_request": 200,
    }

    def run(**extra: Any) -> Any:
        sc = parse_scenario({"name": "k", "workload": wl, "options": [option | extra]})
        return compare(sc, catalog=CAT).option("70b-1xh100")

    assert not run().feasible
    tuned = run(engine_knobs=TUNED.given())
    assert tuned.feasible
    assert tuned.details["context_limits_tokens"]["the engine's max_model_len"] == 8192


def test_perf_cli_knob_flags(capsys: pytest.CaptureFixture[str]) -> None:
    argv = [
        "perf",
        "--model",
        "llama-3.3-70b",
        "--gpu",
        "h100-sxm",
        "--gpus",
        "1",
        "--precision",
        "fp8",
        "--input-tokens",
        "1000",
        "--output-tokens",
        "200",
        "--max-throughput",
        "--json",
    ]
    assert main(argv) == 0
    capsys.readouterr()
    tuned = [
        "--gpu-memory-utilization",
        "0.95",
        "--max-num-batched-tokens",
        "2048",
        "--max-model-len",
        "8192",
        "--kv-cache-dtype",
        "fp8",
    ]
    assert main(argv + tuned) == 0
    assert '"fits": true' in capsys.readouterr().out
    assert main([*argv, "--gpu-memory-utilization", "1.5"]) == 2
    assert "gpu_memory_utilization" in capsys.readouterr().err
