"""Layout search: valid splits, the Pareto front, the best layout vs every candidate alone."""

from __future__ import annotations

import dataclasses
import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from llmcost._core.errors import InfeasibleError, InvalidInputError, UnsupportedPrecisionError
from llmcost.catalog import load_catalog
from llmcost.perf import enumerate_layouts, estimate_serving, pareto_front, search_layouts
from test_perf_specs import (
    A100_80GB,
    H100_SXM,
    L40S,
    LLAMA_4_MAVERICK,
    LLAMA_4_SCOUT,
    LLAMA_31_8B,
    LLAMA_31_70B,
    LLAMA_31_405B,
)


def _splits(layouts):
    return set(
        zip(
            layouts.replicas.tolist(),
            layouts.tp.tolist(),
            layouts.pp.tolist(),
            layouts.ep.tolist(),
            strict=True,
        )
    )


def test_dense_model_on_eight_gpus_has_the_ten_tp_pp_splits() -> None:
    # tp·pp ∈ {1, 2, 4, 8} dividing 8: 1 + 2 + 3 + 4 = 10 layouts; of the 20 (tp, pp, ep)
    # power-of-two triples whose product divides 8 (exponents a+b+c ≤ 3: C(6, 3) = 20), the 10
    # with ep > 1 are rejected for a dense model.
    layouts = enumerate_layouts(LLAMA_31_70B, H100_SXM, 8)
    assert len(layouts) == 10
    assert layouts.rejected == {"heads": 0, "experts": 10, "layers": 0, "fabric": 0}
    assert (8, 1, 1, 1) in _splits(layouts)
    assert (1, 8, 1, 1) in _splits(layouts)
    assert np.all(layouts.replicas * layouts.gpus_per_replica == 8)


def test_heads_fabric_and_pipeline_limits_reject_splits() -> None:
    # 6 attention heads, 2 KV heads on 12 GPUs: tp 3 fails the KV heads (2 % 3, 3 % 2 ≠ 0),
    # tp 4 and 12 the attention heads; tp 6 replicates each KV head 3 times
    odd = dataclasses.replace(LLAMA_31_8B, num_attention_heads=6, num_kv_heads=2)
    tps = set(enumerate_layouts(odd, H100_SXM, 12).tp.tolist())
    assert tps == {1, 2, 6}
    pcie_pairs = dataclasses.replace(H100_SXM, scale_up_domain_gpus=2)
    layouts = enumerate_layouts(LLAMA_31_70B, pcie_pairs, 8)
    assert set(layouts.tp.tolist()) == {1, 2}
    assert layouts.rejected["fabric"] == 3  # (tp, pp) = (4, 1), (4, 2), (8, 1)
    assert set(enumerate_layouts(LLAMA_31_70B, H100_SXM, 8, max_pp=1).pp.tolist()) == {1}


def test_moe_layouts_need_the_experts_to_divide() -> None:
    # Maverick: 128 experts, so ep ∈ {1, 2, 4, 8} on 8 GPUs; tp·ep ≤ 8 (one HGX node)
    layouts = enumerate_layouts(LLAMA_4_MAVERICK, H100_SXM, 8)
    assert (1, 1, 1, 8) in _splits(layouts)
    assert (1, 2, 1, 4) in _splits(layouts)
    three = dataclasses.replace(LLAMA_4_SCOUT, num_experts=12)
    assert 8 not in enumerate_layouts(three, H100_SXM, 8).ep.tolist()


@pytest.mark.parametrize("gpus", [0, 2.5, True])
def test_gpus_must_be_a_whole_number(gpus) -> None:
    with pytest.raises(InvalidInputError, match="gpus must be a whole number"):
        enumerate_layouts(LLAMA_31_8B, H100_SXM, gpus)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 6), st.integers(0, 6)).map(lambda t: (float(t[0]), float(t[1]))),
        min_size=1,
        max_size=25,
    )
)
def test_pareto_front_is_exactly_the_non_dominated_points(points) -> None:
    x = np.array([p[0] for p in points])
    y = np.array([p[1] for p in points])
    front = set(pareto_front(x, y).tolist())

    def dominated(i: int) -> bool:
        return any(
            x[j] >= x[i] and y[j] >= y[i] and (x[j] > x[i] or y[j] > y[i]) for j in range(len(x))
        )

    non_dominated = {i for i in range(len(x)) if not dominated(i)}
    assert front <= non_dominated
    # of exact duplicates one is kept: every non-dominated value pair is represented once
    assert {(x[i], y[i]) for i in front} == {(x[i], y[i]) for i in non_dominated}
    assert len(front) == len({(x[i], y[i]) for i in front})


CASES = [
    (LLAMA_31_8B, H100_SXM, 4),
    (LLAMA_31_70B, H100_SXM, 8),
    (LLAMA_4_SCOUT, H100_SXM, 4),
    (LLAMA_31_8B, L40S, 2),
]


@settings(max_examples=12, deadline=None)
@given(
    st.sampled_from(CASES),
    st.sampled_from([(128.0, 128.0), (2048.0, 256.0), (500.0, 2000.0)]),
    st.sampled_from([None, 0.05, 0.02]),
    st.sampled_from([None, 2.0]),
)
def test_best_beats_every_candidate_evaluated_alone(case, tokens, tpot_slo, ttft_slo) -> None:
    model, gpu, gpus = case
    result = search_layouts(
        model, gpu, gpus=gpus, input_tokens=tokens[0], output_tokens=tokens[1],
        precisions=("bf16", "fp8"), engines=("vllm", "trtllm"),
        tpot_slo_s=tpot_slo, ttft_slo_s=ttft_slo,
    )  # fmt: skip
    frame = result.to_frame()
    best = result.best
    has_slo = tpot_slo is not None or ttft_slo is not None
    for row in frame.to_dict("records"):
        alone = estimate_serving(
            model, gpu, gpus=int(row["gpus_per_replica"]), tp=int(row["tp"]),
            pp=int(row["pp"]), ep=int(row["ep"]), precision=row["precision"],
            engine=row["engine"], input_tokens=tokens[0], output_tokens=tokens[1],
            max_throughput=not has_slo, tpot_slo_s=tpot_slo, ttft_slo_s=ttft_slo,
        )  # fmt: skip
        feasible = bool(alone.fits) and bool(alone.meets_slo)
        assert feasible == row["feasible"]
        if feasible:
            per_gpu = float(alone.output_tokens_per_s_per_gpu)
            assert row["output_tokens_per_s_per_gpu"] == pytest.approx(per_gpu, rel=1e-12)
            assert row["output_tokens_per_s"] == pytest.approx(per_gpu * gpus, rel=1e-12)
            assert best is not None
            assert best.output_tokens_per_s_per_gpu >= per_gpu * (1 - 1e-12)
    assert result.basis["candidates"] == len(frame)


def test_dense_model_on_eight_gpus_gets_eight_times_one_gpu_not_tp8() -> None:
    # The example: Llama 2 70B FP8 on 8× H200 at max throughput (TensorRT-LLM,
    # 128 in / 2048 out). One H200 holds the model with room for KV, so eight data-parallel
    # replicas give exactly 8 × the one-GPU figure (≈ 37,900 vs ≈ 12,600 tok/s as one TP8
    # group, which pays two all-reduces per layer).
    cat = load_catalog()
    model, gpu = cat.model_spec("llama-2-70b"), cat.gpu_spec("h200")
    kw = dict(precision="fp8", engine="trtllm", input_tokens=128, output_tokens=2048)
    one = float(estimate_serving(model, gpu, gpus=1, max_throughput=True, **kw).output_tokens_per_s)
    tp8 = float(estimate_serving(model, gpu, gpus=8, max_throughput=True, **kw).output_tokens_per_s)
    search = dict(gpus=8, input_tokens=128, output_tokens=2048, precisions="fp8", engines="trtllm")
    dp_only = search_layouts(model, gpu, max_pp=1, **search).require_best()
    assert dp_only.layout == (8, 1, 1, 1)
    assert dp_only.output_tokens_per_s == pytest.approx(8 * one, rel=1e-12)
    assert dp_only.output_tokens_per_s > 2.5 * tp8
    any_pp = search_layouts(model, gpu, **search).require_best()
    assert any_pp.output_tokens_per_s >= 8 * one * (1 - 1e-12)


def test_slo_mode_takes_an_array_of_layouts() -> None:
    # one call over three layouts equals three calls (the SLO batch grid broadcasts with them)
    tp, pp = np.array([1, 2, 4]), np.array([2, 2, 1])
    kw = dict(precision="fp8", input_tokens=1000, output_tokens=500, tpot_slo_s=0.03,
              ttft_slo_s=1.0)  # fmt: skip
    many = estimate_serving(LLAMA_31_70B, H100_SXM, gpus=tp * pp, tp=tp, pp=pp, **kw)
    for i in range(3):
        alone = estimate_serving(
            LLAMA_31_70B, H100_SXM, gpus=int(tp[i] * pp[i]), tp=int(tp[i]), pp=int(pp[i]), **kw
        )
        assert many.batch_size[i] == alone.batch_size
        assert many.output_tokens_per_s[i] == pytest.approx(float(alone.output_tokens_per_s))
        assert bool(many.meets_slo[i]) == bool(alone.meets_slo)


def test_runner_up_is_another_layout_and_the_front_tops_at_the_best() -> None:
    result = search_layouts(
        LLAMA_31_70B, H100_SXM, gpus=8, input_tokens=1000, output_tokens=1000,
        precisions="fp8", engines=("vllm", "sglang"),
    )  # fmt: skip
    best, second = result.best, result.runner_up
    assert best is not None
    assert second is not None
    assert second.layout != best.layout
    loss = result.runner_up_loss_fraction
    assert loss is not None
    assert 0.0 <= loss < 1.0
    assert loss == pytest.approx(
        1 - second.output_tokens_per_s_per_gpu / best.output_tokens_per_s_per_gpu
    )
    front = result.front_frame()
    # the front's highest-throughput point is the best candidate's max-throughput batch
    assert front["output_tokens_per_s_per_gpu"].iloc[0] == pytest.approx(
        best.output_tokens_per_s_per_gpu, rel=1e-12
    )
    assert np.all(np.diff(front["output_tokens_per_s_per_gpu"]) <= 0)
    assert np.all(np.diff(front["output_tokens_per_s_per_user"]) > 0)
    assert result.basis["operating_points"] >= len(front)
    text = result.explain()
    assert best.label() in text
    assert "Runner-up" in text
    assert "limited by" in text


def test_a_tighter_slo_moves_the_best_to_faster_layouts() -> None:
    kw = dict(gpus=8, input_tokens=1000, output_tokens=1000, precisions="fp8", engines="vllm")
    loose = search_layouts(LLAMA_31_70B, H100_SXM, **kw).require_best()
    tight = search_layouts(LLAMA_31_70B, H100_SXM, tpot_slo_s=0.015, **kw).require_best()
    assert tight.tpot_s <= 0.015
    assert tight.output_tokens_per_s_per_gpu <= loose.output_tokens_per_s_per_gpu
    assert tight.tp > 1  # one GPU cannot read 70 GB of FP8 weights in 15 ms


def test_moe_search_considers_expert_parallel_layouts() -> None:
    result = search_layouts(
        LLAMA_4_MAVERICK, H100_SXM, gpus=8, input_tokens=1000, output_tokens=1000,
        precisions="fp8", engines="vllm",
    )  # fmt: skip
    frame = result.to_frame()
    assert (frame["ep"] > 1).any()
    # 400B parameters in FP8 do not fit on one 80 GB H100: no single-GPU replica is feasible
    assert not frame.loc[frame["gpus_per_replica"] == 1, "fits"].any()
    assert result.basis["candidates_not_fitting"] >= 1


def test_nothing_fits_or_meets_gives_a_clear_error() -> None:
    result = search_layouts(
        LLAMA_31_405B, L40S, gpus=2, input_tokens=100, output_tokens=100, precisions="fp8",
        engines="vllm",
    )  # fmt: skip
    assert result.best is None
    assert result.runner_up is None
    with pytest.raises(InfeasibleError, match="do not fit in memory"):
        result.require_best()
    impossible = search_layouts(
        LLAMA_31_8B, H100_SXM, gpus=1, input_tokens=100, output_tokens=100, tpot_slo_s=1e-5,
        precisions="bf16", engines="vllm",
    )  # fmt: skip
    with pytest.raises(InfeasibleError, match="miss the SLO"):
        impossible.require_best()
    assert "No candidate is feasible" in impossible.explain()


def test_unsupported_precisions_are_skipped_or_refused() -> None:
    result = search_layouts(
        LLAMA_31_8B, A100_80GB, gpus=1, input_tokens=100, output_tokens=100,
        precisions=("bf16", "fp8"), engines="vllm",
    )  # fmt: skip
    assert result.basis["skipped_precisions"] == ["fp8"]
    assert set(result.to_frame()["precision"]) == {"bf16"}
    with pytest.raises(UnsupportedPrecisionError, match="none is supported"):
        search_layouts(
            LLAMA_31_8B, A100_80GB, gpus=1, input_tokens=100, output_tokens=100,
            precisions="fp4",
        )  # fmt: skip
    with pytest.raises(InvalidInputError, match="precision must be one of"):
        search_layouts(LLAMA_31_8B, A100_80GB, gpus=1, input_tokens=1, output_tokens=1,
                       precisions="fp9")  # fmt: skip


def test_workload_must_be_one_positive_number() -> None:
    with pytest.raises(InvalidInputError, match="input_tokens must be one number"):
        search_layouts(LLAMA_31_8B, H100_SXM, gpus=1, input_tokens=[1, 2], output_tokens=1)
    with pytest.raises(InvalidInputError, match="output_tokens"):
        search_layouts(LLAMA_31_8B, H100_SXM, gpus=1, input_tokens=1, output_tokens=-1)
    with pytest.raises(InvalidInputError, match="front_batches"):
        search_layouts(
            LLAMA_31_8B, H100_SXM, gpus=1, input_tokens=1, output_tokens=1, front_batches=1
        )


def test_default_engines_leave_out_trtllm_on_amd() -> None:
    amd = dataclasses.replace(H100_SXM, id="amd-like", vendor="amd")
    result = search_layouts(
        LLAMA_31_8B, amd, gpus=1, input_tokens=100, output_tokens=100, precisions="bf16"
    )
    assert "trtllm" not in result.basis["engines"]
    assert list(itertools.chain(result.basis["engines"])) == ["vllm", "sglang"]
