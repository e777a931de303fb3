"""Mixture-of-experts physics (llmcost.perf.moe): imbalance, tile padding, layouts, by hand."""

from __future__ import annotations

import dataclasses
import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from llmcost._core.errors import InvalidInputError
from llmcost._core.specs import GpuSpec, ModelSpec
from llmcost.catalog import load_catalog
from llmcost.perf import estimate_serving, get_engine_profile, step_time_s
from llmcost.perf.moe import (
    MMA_TILE_TOKENS,
    expected_max_standard_normal,
    mma_tile_tokens,
    padded_tokens_per_expert,
    rank_imbalance,
)
from llmcost.perf.parallel import resolve_split
from llmcost.perf.speed import deployment_rates
from llmcost.perf.weights import weight_bytes

# 2 layers, hidden 1024, 8 query / 2 KV heads of 128, vocab 1000 (tied), every layer MoE:
# 8 routed experts (top-1) + 1 shared, each 3·1024·1024 = 3,145,728 parameters.
TINY_MOE = ModelSpec(
    id="tiny-moe", hidden_size=1024, num_layers=2, num_attention_heads=8, num_kv_heads=2,
    head_dim=128, vocab_size=1000, intermediate_size=4096, tie_word_embeddings=True,
    max_context_tokens=4096, params_total_official=0, params_active_official=0,
    num_experts=8, experts_per_token=1, num_shared_experts=1, expert_intermediate_size=1024,
)  # fmt: skip
# 1 TB/s, 100 TFLOP/s BF16, NVLink 200 GB/s; no architecture → 16-token MMA tiles.
GPU = GpuSpec(
    id="toy", memory_gb=80, hbm_bandwidth_gb_per_s=1000, bf16_tflops=100, fp16_tflops=100,
    fp8_tflops=None, int8_tops=None, fp4_tflops=None, interconnect_kind="nvlink",
    interconnect_gb_per_s=200, pcie_gb_per_s=64, tdp_w=100,
)  # fmt: skip
IDEAL = dataclasses.replace(
    get_engine_profile("trtllm"), name="ideal", bandwidth_efficiency=1.0, compute_efficiency=1.0,
    interconnect_efficiency=1.0, moe_efficiency=1.0, step_overhead_s=0.0,
    sequence_overhead_s=0.0, sequence_layer_overhead_s=0.0, collective_latency_s=1e-6,
)  # fmt: skip
EXPERT_PARAMS = 3 * 1024 * 1024  # 3,145,728
# Dense matmul parameters per token: attention 2·(2·1024·1024 + 2·1024·256) = 5,242,880,
# shared experts 2 × 3,145,728 = 6,291,456, router 2·1024·8 = 16,384, tied head 1,024,000.
DENSE_PARAMS = 5_242_880 + 6_291_456 + 16_384 + 1_024_000  # 12,574,720


def test_expected_max_of_normals_matches_the_closed_forms():
    # E[max of 2] = 1/√π, E[max of 3] = 3/(2√π) (e.g. David & Nagaraja, Order Statistics, §3.2);
    # n = 8: 1.42360 in Harter's (1961) table of expected normal order statistics.
    assert expected_max_standard_normal(1) == 0.0
    assert expected_max_standard_normal(2) == pytest.approx(1 / math.sqrt(math.pi), abs=1e-6)
    assert expected_max_standard_normal(3) == pytest.approx(1.5 / math.sqrt(math.pi), abs=1e-6)
    assert expected_max_standard_normal(8) == pytest.approx(1.42360, abs=1e-5)


def test_rank_imbalance_by_hand():
    # 8 ranks, 8 assignments (one token-expert pair per rank on average): 1 + 1.4236·√(7/8)
    assert float(rank_imbalance(8, 8)) == pytest.approx(1 + 1.42360 * math.sqrt(7 / 8), rel=1e-5)
    # 2 ranks, 2000 pairs: 1 + (1/√π)·√(1/2000) = 1.012616
    assert float(rank_imbalance(2000, 2)) == pytest.approx(1.012616, abs=1e-6)
    assert float(rank_imbalance(5, 1)) == 1.0  # one rank: nothing to balance
    assert float(rank_imbalance(1, 8)) == 8.0  # capped: every pair on one rank
    assert float(rank_imbalance(0, 8)) == 1.0


def test_rank_imbalance_is_close_to_the_exact_expected_max_of_binomials():
    # E[max] of 8 i.i.d. Binomial(8192, 1/8) counts, summed exactly: Σ_m 1 − F(m−1)^8
    n, ranks = 8192, 8
    m = np.arange(0, n + 1)
    exact = float(np.sum(1.0 - stats.binom.cdf(m - 1, n, 1 / ranks) ** ranks)) / (n / ranks)
    assert float(rank_imbalance(n, ranks)) == pytest.approx(exact, rel=0.002)


@settings(max_examples=60, deadline=None)
@given(
    pairs=st.floats(1.0, 1e7),
    more=st.floats(1.0, 100.0),
    ranks=st.sampled_from([1, 2, 4, 8, 16, 64, 128]),
)
def test_imbalance_is_at_least_one_and_falls_to_one_as_tokens_grow(pairs, more, ranks):
    few, many = float(rank_imbalance(pairs, ranks)), float(rank_imbalance(pairs * more, ranks))
    assert 1.0 <= many <= few <= ranks
    assert float(rank_imbalance(1e12, ranks)) < 1.0 + 1e-4


def test_padded_tokens_by_hand_and_against_exact_poisson_sums():
    # μ ≪ 1: each token alone in a 64-row tile, 64·(1 − e^−0.01) = 0.63681
    assert float(padded_tokens_per_expert(0.01, 64)) == pytest.approx(0.63681, abs=1e-5)
    # μ ≫ tile: uniform remainder, 1000 + 31.5
    assert float(padded_tokens_per_expert(1000, 64)) == pytest.approx(1031.5)
    # exact E[64·ceil(X/64)] for X ~ Poisson(μ): within 1 % at the ends, 12 % in the staircase
    for mu, tol in ((0.05, 0.01), (2.0, 0.01), (40.0, 0.12), (100.0, 0.12), (3000.0, 0.01)):
        j = np.arange(0, int(mu / 64) + 200)
        exact = 64 * float(np.sum(stats.poisson.sf(j * 64, mu)))  # Σ_j P(X > 64 j)
        assert float(padded_tokens_per_expert(mu, 64)) == pytest.approx(exact, rel=tol), mu


@given(st.floats(0.0, 1e5), st.sampled_from([16, 64, 128]))
def test_padding_never_loses_tokens_and_grows_with_them(mu, tile):
    padded = float(padded_tokens_per_expert(mu, tile))
    assert padded >= mu
    assert float(padded_tokens_per_expert(mu * 1.5 + 1, tile)) >= padded


def test_mma_tiles_follow_the_architecture():
    cat = load_catalog()
    assert mma_tile_tokens(cat.gpu_spec("h200")) == MMA_TILE_TOKENS["hopper"] == 64
    assert mma_tile_tokens(cat.gpu_spec("b200")) == 128
    assert mma_tile_tokens(cat.gpu_spec("rtx-pro-6000")) == 16  # sm_120: mma.sync, no tcgen05
    assert mma_tile_tokens(cat.gpu_spec("a100-80gb")) == 16
    assert mma_tile_tokens(GPU) == 16


def test_prefill_step_splits_dense_and_grouped_expert_gemms_by_hand():
    rates = deployment_rates(TINY_MOE, GPU, "bf16", "bf16", resolve_split(TINY_MOE, 1), IDEAL)
    t = step_time_s(rates, 0, 0, 1000, 0)
    dense = max(2 * (DENSE_PARAMS + 5 * 1024) / 1e12, 2 * DENSE_PARAMS * 1000 / 1e14)
    # 125 tokens per expert on 16-row tiles: 16 + 125 − 8.5 = 132.5 rows; 2 layers × 8 experts
    experts = max(2 * 8 * 2 * EXPERT_PARAMS / 1e12, 2 * 8 * 132.5 * 2 * EXPERT_PARAMS / 1e14)
    assert float(t.gemm) == pytest.approx(dense + experts, rel=1e-6)  # 251.49 + 133.38 µs


def test_expert_parallel_step_uses_the_busiest_rank_by_hand():
    split = resolve_split(TINY_MOE, 2, tp=1, ep=2)  # DEP2: each rank its own 1000 tokens
    rates = deployment_rates(TINY_MOE, GPU, "bf16", "bf16", split, IDEAL)
    t = step_time_s(rates, 0, 0, 1000, 0)
    dense = 2 * DENSE_PARAMS * 1000 / 1e14
    # the group routes 2000 tokens: 250 per expert → 257.5 rows; 4 experts per rank;
    # busiest rank 1 + (1/√π)·√(1/2000) = 1.012616 of the mean
    experts = 2 * 4 * 257.5 * 2 * EXPERT_PARAMS * 1.012616 / 1e14
    assert float(t.gemm) == pytest.approx(dense + experts, rel=1e-5)


def test_layouts_validate_and_share_weights_as_described():
    dep = resolve_split(TINY_MOE, 8, tp=1, ep=8)
    tep = resolve_split(TINY_MOE, 8, tp=1, ep=8, attention_dp=False)
    assert (float(dep.dp), float(dep.attention_tp)) == (8.0, 1.0)
    assert (float(tep.dp), float(tep.attention_tp)) == (1.0, 8.0)
    with pytest.raises(InvalidInputError, match="needs ep > 1"):
        resolve_split(TINY_MOE, 8, tp=8, attention_dp=False)
    with pytest.raises(InvalidInputError, match="ep must divide the 8 experts"):
        resolve_split(TINY_MOE, 3, tp=1, ep=3)
    with pytest.raises(InvalidInputError, match="tp × pp × ep must equal gpus"):
        resolve_split(TINY_MOE, 8, tp=2, ep=8)
    w = weight_bytes(TINY_MOE, "bf16")
    shared = w.per_gpu(1, 1, 8) - w.routed_experts / 8
    assert float(w.per_gpu(1, 1, 8, attention_tp=8) - w.routed_experts / 8) == pytest.approx(
        float(shared) / 8
    )


@settings(max_examples=40, deadline=None)
@given(tp=st.sampled_from([1, 2, 4, 8]), ep=st.sampled_from([1, 2, 4, 8, 16, 32, 64]))
def test_more_expert_parallelism_never_adds_expert_weights_per_gpu(tp, ep):
    maverick = load_catalog().model_spec("llama-4-maverick")  # 128 routed experts
    w = weight_bytes(maverick, "fp8")

    def experts_per_gpu(e: int) -> float:
        non_expert = (w.per_gpu(tp, 1, 1) - w.routed_experts / tp).item()
        return float(w.per_gpu(tp, 1, e)) - non_expert

    assert experts_per_gpu(2 * ep) <= experts_per_gpu(ep)
    assert experts_per_gpu(ep) == pytest.approx(w.routed_experts / (tp * ep))


def test_tep_has_no_all_to_all_and_shards_attention_over_every_gpu():
    cat = load_catalog()
    m, g = cat.model_spec("llama-4-maverick"), cat.gpu_spec("h200")
    kw = dict(gpus=8, precision="fp8", input_tokens=1024, output_tokens=1024, engine="trtllm")
    tep = estimate_serving(m, g, tp=1, ep=8, attention_dp=False, batch=256, **kw)
    dep = estimate_serving(m, g, tp=1, ep=8, batch=256, **kw)
    tp8 = estimate_serving(m, g, tp=8, batch=256, **kw)
    # TEP holds what TP8 holds: non-expert weights / 8, experts / 8
    assert float(tep.weights_bytes_per_gpu) == pytest.approx(float(tp8.weights_bytes_per_gpu))
    assert float(tep.weights_bytes_per_gpu) < float(dep.weights_bytes_per_gpu)
    assert tep.basis["attention_dp"] is False
    assert dep.basis["attention_dp"] is True
    split = resolve_split(m, 8, tp=1, ep=8, attention_dp=False)
    rates = deployment_rates(m, g, "fp8", "fp8", split, IDEAL)
    tp_rates = deployment_rates(m, g, "fp8", "fp8", resolve_split(m, 8), IDEAL)
    # same all-reduces as TP8, and no dispatch/combine
    assert float(step_time_s(rates, 256, 1536, 0, 0).collectives) == pytest.approx(
        float(step_time_s(tp_rates, 256, 1536, 0, 0).collectives)
    )


def test_cli_moe_layout_flag(capsys: pytest.CaptureFixture[str]) -> None:
    from llmcost.cli import main

    base = ["perf", "--model", "llama-4-maverick", "--gpu", "h200", "--gpus", "8",
            "--precision", "fp8", "--input-tokens", "1024", "--output-tokens", "1024",
            "--batch", "256", "--engine", "trtllm", "--json"]  # fmt: skip
    assert main([*base, "--tp", "1", "--ep", "8", "--moe-layout", "tep"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["basis"]["attention_dp"] is False
    assert main([*base, "--tp", "1", "--ep", "8"]) == 0  # default: DEP
    assert json.loads(capsys.readouterr().out)["basis"]["attention_dp"] is True
    assert main([*base, "--moe-layout", "tep"]) == 2  # TEP without --ep
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "needs ep > 1" in err
