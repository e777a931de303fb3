"""Llama 4's vision encoder: parameters, FLOPs per tile, and its time inside prefill."""

from __future__ import annotations

import dataclasses
from unittest import mock

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from llmcost._core.errors import InvalidInputError
from llmcost.catalog import load_catalog
from llmcost.cost.multimodal import llama4_encoder_tiles, llama4_image_tokens
from llmcost.perf import estimate_serving, get_engine_profile
from llmcost.perf.vision import (
    LLAMA4_VISION_ENCODER,
    vision_encoder_flops_per_tile,
    vision_encoder_for,
    vision_encoder_params,
)
from llmcost.scenario import compare, parse_scenario
from llmcost.scenario import resolve as resolve_module
from test_perf_engines import MI300X
from test_perf_specs import H100_SXM, LLAMA_4_MAVERICK, LLAMA_4_SCOUT, LLAMA_31_8B


def test_params_match_the_checkpoint_module_table():
    # Scout's per-module parameter table (vision_config hidden 1408, 34 layers, MLP 5632):
    # class 1,408 + position 577 × 1,408 = 812,416 + patch 588 × 1,408 = 827,904
    # + pre/post LayerNorm 4 × 1,408 + per layer (q,k,v,o 4 × 1,982,464 + 4 × 1,408 bias,
    # fc1 7,929,856 + 5,632, fc2 7,929,856 + 1,408, two LayerNorms 4 × 1,408) 23,807,872 × 34
    # + adapter fc1 23,068,672 + fc2 16,777,216 + projector 20,971,520
    per_layer = 4 * 1_982_464 + 4 * 1408 + 7_929_856 + 5632 + 7_929_856 + 1408 + 4 * 1408
    assert per_layer == 23_807_872
    total = (
        1408 + 812_416 + 827_904 + 4 * 1408 + 34 * per_layer + 23_068_672 + 16_777_216 + 20_971_520
    )
    assert vision_encoder_params() == total == 871_932_416


def test_catalog_vision_params_are_the_encoder():
    # models.csv vision_encoder_params for Scout and Maverick (test_perf_specs mirrors them)
    assert LLAMA_4_SCOUT.vision_encoder_params == vision_encoder_params()
    assert LLAMA_4_MAVERICK.vision_encoder_params == vision_encoder_params()
    assert vision_encoder_for(LLAMA_4_MAVERICK) is LLAMA4_VISION_ENCODER


def test_flops_per_tile_hand_computed():
    # 576 patches (336/14 = 24 per side) + 1 class token = 577 tokens through 34 layers.
    d, ff, n = 1408, 5632, 577
    patch = 2 * 588 * d * 576  # 0.954 GFLOPs
    layers = 34 * (2 * (4 * d * d + 2 * d * ff) * n + 4 * n * n * d)
    # after the class token is dropped: 144 shuffled tokens of 5632 → 4096 → 4096 → 5120
    adapter = 2 * 144 * (5632 * 4096 + 4096 * 4096 + 4096 * 5120)
    expected = patch + layers + adapter
    assert expected == 1_015_628_557_312
    assert vision_encoder_flops_per_tile() == pytest.approx(expected, rel=1e-15)
    # the rough rule 2 × params × patches is within 1.1 % of it (attention adds 6.3 %)
    assert 2 * 871_932_416 * 576 / expected == pytest.approx(0.989, abs=1e-3)


def test_attention_grows_with_the_square_of_patches():
    small = dataclasses.replace(LLAMA4_VISION_ENCODER, tile_px=168)  # 144 patches
    big = LLAMA4_VISION_ENCODER  # 576 patches
    assert vision_encoder_flops_per_tile(big) > 4 * vision_encoder_flops_per_tile(small)


def _ttft(model, gpus, precision, tiles, **kw):
    return estimate_serving(
        model,
        H100_SXM,
        gpus=gpus,
        precision=precision,
        input_tokens=3467,
        output_tokens=300,
        batch=1,
        image_tiles=tiles,
        **kw,
    )


@pytest.mark.parametrize(
    ("model", "gpus", "precision"),
    [
        (LLAMA_4_MAVERICK, 8, "fp8"),
        (LLAMA_4_SCOUT, 4, "bf16"),
    ],
)
def test_ttft_rises_by_the_encoder_time_at_batch_one(model, gpus, precision):
    # One 1024×1024 image: 16 local tiles + 1 global = 17 through the encoder (2467 prompt
    # tokens, + 1000 of text = 3467 < vLLM's 8192-token step: one prefill chunk).
    tiles = float(llama4_encoder_tiles(1024, 1024))
    assert tiles == 17.0
    assert llama4_image_tokens(1024, 1024) == 2467.0
    base = _ttft(model, gpus, precision, 0.0)
    with_images = _ttft(model, gpus, precision, tiles)
    # BF16 even for the FP8 checkpoint: H100 SXM dense BF16 989.4 TFLOP/s × vLLM's compute
    # efficiency, sharded over the TP group (all GPUs tensor-parallel by default)
    rate = 989.4e12 * get_engine_profile("vllm").compute_efficiency
    encoder_s = 17 * 1_015_628_557_312 / gpus / rate
    assert with_images.ttft_s - base.ttft_s == pytest.approx(encoder_s, rel=1e-9)
    if model is LLAMA_4_MAVERICK:
        # 17 × 1.0156 TFLOPs / 8 / (989.4 × 0.5888 TFLOP/s) = 3.705 ms
        assert encoder_s == pytest.approx(3.705e-3, abs=0.01e-3)


def test_zero_tiles_is_byte_identical():
    kw = dict(gpus=8, precision="fp8", input_tokens=[1000, 5000], output_tokens=200)
    a = estimate_serving(LLAMA_4_MAVERICK, H100_SXM, max_throughput=True, **kw)
    b = estimate_serving(LLAMA_4_MAVERICK, H100_SXM, max_throughput=True, image_tiles=0, **kw)
    assert np.array_equal(a.output_tokens_per_s, b.output_tokens_per_s)
    assert np.array_equal(a.ttft_s, b.ttft_s)


def test_cached_share_skips_the_encoder():
    # half the prompt from the prefix cache: half the tiles' encoder work, as for tokens
    kw = dict(gpus=8, precision="fp8", input_tokens=3467, output_tokens=300, batch=1)

    def ttft(tiles):
        return estimate_serving(
            LLAMA_4_MAVERICK, H100_SXM, cached_input_fraction=0.5, image_tiles=tiles, **kw
        ).ttft_s

    rate = 989.4e12 * get_engine_profile("vllm").compute_efficiency
    assert ttft(17.0) - ttft(0.0) == pytest.approx(8.5 * 1_015_628_557_312 / 8 / rate, rel=1e-9)


def test_amd_gpu_uses_its_achievable_compute_share():
    # MI300X: BF16 peak × achievable_compute_ratio × the ROCm profile's compute efficiency
    kw = dict(gpus=8, precision="fp8", input_tokens=3467, output_tokens=300, batch=1)
    base = estimate_serving(LLAMA_4_MAVERICK, MI300X, **kw)
    imgs = estimate_serving(LLAMA_4_MAVERICK, MI300X, image_tiles=17.0, **kw)
    # 1307.4 TFLOP/s × 0.66 × the vllm-rocm profile's compute efficiency
    eff = get_engine_profile("vllm", MI300X).for_gpu(MI300X).compute_efficiency
    rate = 1307.4e12 * 0.66 * eff
    assert imgs.ttft_s - base.ttft_s == pytest.approx(17 * 1_015_628_557_312 / 8 / rate, rel=1e-9)


@settings(max_examples=40, deadline=None)
@given(
    tiles=st.floats(0.0, 60.0),
    extra=st.floats(0.0, 60.0),
    prompt=st.floats(500.0, 60_000.0),
    out=st.floats(10.0, 4000.0),
    cached=st.floats(0.0, 0.95),
)
def test_capacity_never_rises_with_more_images(tiles, extra, prompt, out, cached):
    kw = dict(
        gpus=8,
        precision="fp8",
        input_tokens=prompt,
        output_tokens=out,
        max_throughput=True,
        cached_input_fraction=cached,
    )
    fewer = estimate_serving(LLAMA_4_MAVERICK, H100_SXM, image_tiles=tiles, **kw)
    more = estimate_serving(LLAMA_4_MAVERICK, H100_SXM, image_tiles=tiles + extra, **kw)
    assert more.requests_per_s <= fewer.requests_per_s
    assert more.ttft_s >= fewer.ttft_s
    assert more.roofline_output_tokens_per_s <= fewer.roofline_output_tokens_per_s


def test_slo_and_batch_job_modes_take_tiles():
    kw = dict(gpus=8, precision="fp8", input_tokens=[3467, 8000], output_tokens=300)
    slo = estimate_serving(LLAMA_4_MAVERICK, H100_SXM, ttft_slo_s=2.0, image_tiles=17.0, **kw)
    job = estimate_serving(
        LLAMA_4_MAVERICK, H100_SXM, max_throughput=True, requests=500, image_tiles=17.0, **kw
    )
    base = estimate_serving(LLAMA_4_MAVERICK, H100_SXM, max_throughput=True, requests=500, **kw)
    assert np.all(np.asarray(slo.output_tokens_per_s) > 0)
    assert np.all(np.asarray(job.output_tokens_per_s) < np.asarray(base.output_tokens_per_s))
    assert job.basis["inputs"]["image_tiles"] == 17.0


def test_bad_tiles_name_the_field():
    kw = dict(gpus=8, precision="fp8", input_tokens=3000, output_tokens=300, batch=1)
    with pytest.raises(InvalidInputError, match="image_tiles"):
        estimate_serving(LLAMA_4_MAVERICK, H100_SXM, image_tiles=-1.0, **kw)
    with pytest.raises(InvalidInputError, match=r"llama-3\.1-8b.*text only"):
        estimate_serving(
            LLAMA_31_8B,
            H100_SXM,
            gpus=1,
            precision="bf16",
            input_tokens=3000,
            output_tokens=300,
            batch=1,
            image_tiles=2.0,
        )
    odd = dataclasses.replace(LLAMA_4_SCOUT, vision_encoder_params=1e9)
    with pytest.raises(InvalidInputError, match="no vision encoder architecture"):
        vision_encoder_for(odd)


# --- the scenario passes each feature's tiles -------------------------------------------------

SCOUT = {
    "name": "scout",
    "kind": "self_hosted",
    "model": "llama-4-scout",
    "gpu": "h100-sxm",
    "gpus_per_replica": 2,
    "precision": "fp8",
    "gpu_usd_per_hour": 2.5,
}


@pytest.mark.filterwarnings("ignore::llmcost._core.errors.StaleCatalogWarning")
@pytest.mark.parametrize(
    ("images", "width_px", "height_px", "requests"),
    [(1, 1024, 1024, 2e6), (3, 1920, 1080, 5e6), (0.5, 300, 200, 1e7), (8, 4000, 3000, 3e5)],
)
def test_scenario_with_images_costs_at_least_what_it_did_without_the_encoder(
    images, width_px, height_px, requests
):
    workload = {
        "requests_per_month": requests,
        "input_tokens_per_request": 1500,
        "output_tokens_per_request": 300,
        "images_per_request": images,
        "image_width_px": width_px,
        "image_height_px": height_px,
    }
    scenario = parse_scenario({"name": "s", "workload": workload, "options": [SCOUT]})
    catalog = load_catalog()
    now = compare(scenario, catalog=catalog).option("scout")
    with mock.patch.object(resolve_module, "model_encoder_tiles", return_value=0.0):
        before = compare(scenario, catalog=catalog).option("scout")  # image tiles forced to 0
    assert now.monthly_cost_usd >= before.monthly_cost_usd
    cap_now = now.indicators["capacity_requests_per_s_per_replica"]
    cap_before = before.indicators["capacity_requests_per_s_per_replica"]
    # every request adds tiles × 1,015.6 GFLOPs / TP 2 of BF16 work: capacity strictly falls
    assert cap_now < cap_before
