"""Collective times from the link topology (llmcost.perf.collectives), by hand."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from llmcost.catalog import load_catalog
from llmcost.perf.collectives import all_reduce_s, all_to_all_s

# H100 SXM NVLink 4: 900 GB/s bidirectional per GPU → 450e9 B/s per direction (datasheet).
B = 450e9
A = 5e-6


def test_small_message_takes_one_shot_on_nvswitch() -> None:
    # 8 GPUs, 64 KiB (a decode step of 4 tokens × 8192 hidden × 2 B): one-shot 7 × 65536 / 450e9
    # + 2 × 5 µs = 11.02 µs; two-shot 1.75 × 65536 / 450e9 + 15 µs = 15.25 µs; ring + 70 µs.
    m = 4 * 8192 * 2
    got = float(all_reduce_s(m, 8, B, A, direct=True, nvls=False))
    assert got == pytest.approx(7 * m / B + 2 * A)


def test_mid_message_takes_two_shot_and_large_takes_nvls() -> None:
    m = 1e6  # two-shot 1.75e6/450e9 + 15 µs = 18.9 µs < one-shot 7e6/450e9 + 10 µs = 25.6 µs
    assert float(all_reduce_s(m, 8, B, A, direct=True, nvls=False)) == pytest.approx(
        1.75 * m / B + 3 * A
    )
    m = 64e6  # NVLS: 64e6/450e9 + 10 µs = 152.2 µs against two-shot's 263.9 µs
    assert float(all_reduce_s(m, 8, B, A, direct=True, nvls=True)) == pytest.approx(m / B + 2 * A)


def test_pcie_runs_the_ring() -> None:
    # 4 GPUs over PCIe Gen4 (32e9 B/s per direction): 2·3/4 · 1e6 / 32e9 + 6 × 5 µs = 76.875 µs
    got = float(all_reduce_s(1e6, 4, 32e9, A, direct=False, nvls=False))
    assert got == pytest.approx(1.5 * 1e6 / 32e9 + 6 * A)


def test_one_gpu_has_no_collective() -> None:
    assert float(all_reduce_s(1e9, 1, B, A, direct=True, nvls=True)) == 0.0
    assert float(all_to_all_s(1e9, 1, B, A)) == 0.0


@given(
    m=st.floats(1.0, 1e9),
    n=st.sampled_from([2, 4, 8, 16, 72]),
)
def test_more_algorithms_never_slower(m: float, n: int) -> None:
    ring = all_reduce_s(m, n, B, A, direct=False, nvls=False)
    direct = all_reduce_s(m, n, B, A, direct=True, nvls=False)
    nvls = all_reduce_s(m, n, B, A, direct=True, nvls=True)
    assert nvls <= direct <= ring
    # no algorithm moves less than the whole message once, nor beats one latency
    assert nvls >= m / B


def test_catalog_marks_nvls_on_nvswitch_gen3_and_later_only() -> None:
    cat = load_catalog()
    assert cat.gpu_spec("h100-sxm").nvls
    assert cat.gpu_spec("b200").nvls
    assert not cat.gpu_spec("a100-80gb").nvls  # NVSwitch gen2: no in-switch reduction
    assert not cat.gpu_spec("mi300x").nvls


def test_tp8_step_on_h200_is_cheaper_than_the_ring_model() -> None:
    """70B FP8 TP8 decode of 256 sequences on H200: collectives take the NVLS time."""
    from llmcost.perf import get_engine_profile
    from llmcost.perf.parallel import resolve_split
    from llmcost.perf.speed import deployment_rates, step_time_s

    cat = load_catalog()
    model, gpu = cat.model_spec("llama-3.1-70b"), cat.gpu_spec("h200")
    eng = get_engine_profile("trtllm")
    rates = deployment_rates(model, gpu, "fp8", "fp8", resolve_split(model, 8), eng)
    step = step_time_s(rates, 256, 1000, 0, 0)
    m = 256 * model.hidden_size * 2
    link = 450e9 * eng.interconnect_efficiency
    nvls = m / link + 2 * eng.collective_latency_s
    assert float(step.collectives) == pytest.approx(2 * model.num_layers * nvls)
    ring = 1.75 * m / link + 14 * eng.collective_latency_s
    assert float(step.collectives) < 2 * model.num_layers * ring
    assert np.all(step.total >= step.roofline)
