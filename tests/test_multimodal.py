"""Image → token rules against the providers' published examples and Llama 4's processor."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from llmcost._core.errors import InvalidInputError, UnknownIdError
from llmcost.cost.multimodal import (
    IMAGE_TOKEN_RULES,
    anthropic_image_tokens,
    gemini_image_tokens,
    image_input_tokens,
    llama4_image_tiles,
    llama4_image_tokens,
    openai_image_tokens,
    openai_patch_tokens,
    request_image_tokens,
)

sides = st.integers(min_value=1, max_value=12_000)


# --- OpenAI --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("width", "height", "detail", "tokens"),
    [
        # OpenAI vision guide, "Calculating costs" (quoted by openai-hd4n6.mintlify.app
        # /docs/guides/images and "Azure OpenAI Essentials" p. 89):
        (1024, 1024, "high", 765),  # → 768×768, 4 tiles: 85 + 4·170
        (2048, 4096, "high", 1105),  # → 1024×2048 → 768×1536, 6 tiles: 85 + 6·170
        (4096, 8192, "low", 85),  # low detail: 85 whatever the size
        # hand-computed: 512×512 is one tile and is not enlarged to 768
        (512, 512, "high", 255),
    ],
)
def test_openai_published_examples(width: int, height: int, detail: str, tokens: int) -> None:
    assert openai_image_tokens(width, height, detail) == tokens
    assert image_input_tokens("openai_tiles", width, height, detail) == tokens


def test_openai_rounds_resized_sides_like_the_billing() -> None:
    # OpenAI community thread "Vision pricing calculator: inaccurate resizing/rounding vs API
    # costs" (GPT-4.1 billed, minus 8 prompt tokens): 2049×513 → 2048×512.75 → 513 px high,
    # 4×2 tiles = 1445; 2050×513 → 2048×512.5 → 512 px high, 4×1 tiles = 765.
    assert openai_image_tokens(2049, 513) == 85 + 8 * 170
    assert openai_image_tokens(2050, 513) == 85 + 4 * 170


def test_gpt_4o_mini_multipliers_match_measured_usage() -> None:
    # OpenAI community thread "Vision: more than one way to send a request": a 128×64 image
    # and a 12-token prompt billed 2845 (low) and 8512 (high) on gpt-4o-mini-2024-07-18.
    assert image_input_tokens("openai_tiles_4o_mini", 128, 64, "low") + 12 == 2845
    assert image_input_tokens("openai_tiles_4o_mini", 128, 64, "high") + 12 == 8512
    # ... and 97 / 267 on gpt-4o.
    assert image_input_tokens("openai_tiles", 128, 64, "low") + 12 == 97
    assert image_input_tokens("openai_tiles", 128, 64, "high") + 12 == 267


@given(sides, sides)
def test_openai_tiles_stay_within_the_768_by_2048_box(width: int, height: int) -> None:
    tokens = openai_image_tokens(width, height)
    tiles = (tokens - 85) / 170
    assert tiles == int(tiles)
    assert 1 <= tiles <= 8  # at most 768×2048 → 2×4 tiles
    assert openai_image_tokens(width, height, "low") == 85


@pytest.mark.parametrize(
    ("width", "height", "patches"),
    [
        # OpenAI vision guide, 32-px patches: 1024×1024 → 32 × 32 = 1024 patches; 1800×2400 →
        # 57 × 75 = 4275 > 1536, shrink √(1536·32²/(1800·2400)) = 0.603 → 1086×1448, then
        # 33/33.94 → 1056×1408 = 33 × 44 = 1452 patches.
        (1024, 1024, 1024),
        (1800, 2400, 1452),
        (2400, 1800, 1452),  # billed the same way on gpt-4.1-mini (community thread)
        (100, 33, 4 * 2),  # hand-computed: ⌈100/32⌉ × ⌈33/32⌉
    ],
)
def test_openai_patch_rule_examples(width: int, height: int, patches: int) -> None:
    assert openai_patch_tokens(width, height) == patches
    # gpt-4.1-mini bills 1.62 tokens per patch (rounded up); "low" changes nothing there
    mini = image_input_tokens("openai_patches_gpt_4_1_mini", width, height, "low")
    assert mini == math.ceil(patches * 1.62 - 1e-9)


def test_gpt_4_1_mini_patch_billing_matches_the_measured_bill() -> None:
    # OpenAI community "GPT-4.1 vision price calculations": a 2400×1800 image with a short
    # prompt billed 2,362 input tokens on gpt-4.1-mini = 1452 × 1.62 (2,352.24) + the prompt.
    image = image_input_tokens("openai_patches_gpt_4_1_mini", 2400, 1800)
    assert 0 < 2362 - image <= 12


@given(sides, sides)
def test_patch_rule_never_exceeds_the_1536_patch_cap(width: int, height: int) -> None:
    patches = openai_patch_tokens(width, height)
    assert 1 <= patches <= 1536
    assert image_input_tokens("openai_patches_gpt_4_1_nano", width, height) == math.ceil(
        patches * 2.46 - 1e-9
    )


# --- Anthropic -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("width", "height", "tokens"),
    [
        # Anthropic vision guide, "Calculate image costs": tokens = (w·h)/750, table rows.
        (200, 200, 54),  # 53.3 → ~54
        (1000, 1000, 1334),  # 1333.3 → ~1334
        (1092, 1092, 1590),  # 1589.95 → ~1590, the largest 1:1 size not resized
    ],
)
def test_anthropic_published_examples(width: int, height: int, tokens: int) -> None:
    assert anthropic_image_tokens(width, height) == tokens
    assert image_input_tokens("anthropic_pixels", width, height) == tokens


def test_anthropic_resizes_long_edges_over_1568() -> None:
    # hand-computed: 3136×400 → long edge 1568 → 1568×200 = 313,600 px / 750 = 418.13 → 419
    assert anthropic_image_tokens(3136, 400) == 419


@given(sides, sides)
def test_anthropic_never_exceeds_the_resize_limits(width: int, height: int) -> None:
    tokens = anthropic_image_tokens(width, height)
    assert 1 <= tokens <= 1600
    if max(width, height) <= 1568 and width * height <= 1_200_000:
        assert tokens == math.ceil(width * height / 750)


# --- Gemini --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("width", "height", "tokens"),
    [
        # Gemini API docs (Gemini 2.0): both sides ≤ 384 → 258 tokens; larger → 768-px tiles
        # of 258 tokens each.
        (384, 384, 258),
        (100, 50, 258),
        (385, 100, 258),  # one 768 tile
        (1024, 768, 516),  # 2×1 tiles
        (1920, 1080, 258 * 3 * 2),  # 3×2 tiles
    ],
)
def test_gemini_rule(width: int, height: int, tokens: int) -> None:
    assert gemini_image_tokens(width, height) == tokens
    assert image_input_tokens("gemini_fixed", width, height) == tokens


# --- every rule ----------------------------------------------------------------------------


@pytest.mark.parametrize("rule", IMAGE_TOKEN_RULES)
@settings(max_examples=50)
@given(width=sides, height=sides)
def test_rules_do_not_depend_on_orientation(rule: str, width: int, height: int) -> None:
    assert image_input_tokens(rule, width, height) == image_input_tokens(rule, height, width)


@pytest.mark.parametrize("rule", IMAGE_TOKEN_RULES)
def test_array_in_array_out_and_series_keep_their_index(rule: str) -> None:
    widths, heights = [200, 1024, 4000], [200, 768, 3000]
    expected = [image_input_tokens(rule, w, h) for w, h in zip(widths, heights, strict=True)]
    out = image_input_tokens(rule, np.array(widths), np.array(heights))
    assert isinstance(out, np.ndarray)
    np.testing.assert_array_equal(out, expected)
    series = image_input_tokens(rule, pd.Series(widths, index=list("abc")), heights)
    assert list(series.index) == list("abc")
    assert isinstance(image_input_tokens(rule, 200, 200), float)


def test_request_image_tokens_multiplies_by_images_per_request() -> None:
    assert request_image_tokens("openai_tiles", 1024, 1024, 3) == 3 * 765
    np.testing.assert_array_equal(
        request_image_tokens("gemini_fixed", 100, 100, [0, 1, 2]), [0, 258, 516]
    )


def test_bad_inputs_name_the_field() -> None:
    with pytest.raises(UnknownIdError, match="did you mean 'anthropic_pixels'"):
        image_input_tokens("anthropic", 100, 100)
    with pytest.raises(InvalidInputError, match="width_px"):
        image_input_tokens("openai_tiles", 0, 100)
    with pytest.raises(InvalidInputError, match="height_px"):
        image_input_tokens("openai_tiles", 100, float("nan"))
    with pytest.raises(InvalidInputError, match="detail"):
        image_input_tokens("openai_tiles", 100, 100, "auto")
    with pytest.raises(InvalidInputError, match="low-detail"):
        image_input_tokens("gemini_fixed", 100, 100, "low")
    with pytest.raises(InvalidInputError, match="images_per_request"):
        request_image_tokens("gemini_fixed", 100, 100, -1)
    with pytest.raises(InvalidInputError, match="max_tiles"):
        llama4_image_tokens(100, 100, max_tiles=0)


# --- Llama 4 -------------------------------------------------------------------------------


def _hf_llama4_tokens(width: int, height: int, max_patches: int = 16) -> tuple[int, int]:
    """Oracle: a literal, scalar transcription of transformers' Llama 4 processor.

    ``find_supported_resolutions`` + ``get_best_fit`` (image_processing_llama4_fast.py) choose the
    canvas; ``_prompt_split_image`` (processing_llama4.py) writes the prompt, counted here token
    by token. Returns (tiles, tokens).
    """
    tile, patch, downsample = 336, 14, 4
    resolutions = []
    for chunks in range(max_patches, 0, -1):
        for f in range(1, chunks + 1):
            if chunks % f == 0:
                resolutions.append((f * tile, chunks // f * tile))
    scales = [min(rh / height, rw / width) for rh, rw in resolutions]
    up = [s for s in scales if s >= 1]
    chosen = min(up) if up else max(s for s in scales if s < 1)
    canvases = [r for r, s in zip(resolutions, scales, strict=True) if s == chosen]
    rh, rw = min(canvases, key=lambda r: r[0] * r[1])
    ratio_h, ratio_w = rh // tile, rw // tile
    per_chunk = (tile // patch) * (tile // patch) // downsample
    prompt = ["<|image_start|>"]
    if ratio_h * ratio_w > 1:
        for _ in range(ratio_h):
            for xx in range(ratio_w):
                prompt += ["<|patch|>"] * per_chunk
                if xx < ratio_w - 1:
                    prompt.append("<|tile_x_separator|>")
            prompt.append("<|tile_y_separator|>")
    prompt += ["<|image|>"] + ["<|patch|>"] * per_chunk + ["<|image_end|>"]
    return ratio_h * ratio_w, len(prompt)


@pytest.mark.parametrize(
    ("width", "height", "tiles", "tokens"),
    [
        (336, 336, 1, 147),  # one tile: start + image + 144 patches + end
        (300, 200, 1, 147),  # small images use one tile
        (672, 336, 2, 437),  # 1×2 tiles: 2·(144 + 1) + 147
        (1024, 1024, 16, 2467),  # 4×4 canvas (1344 px): 16·145 + 147
        (5000, 100, 15, 2322),  # 1×15 strip: the smallest enlargement ≥ 1
    ],
)
def test_llama4_hand_computed(width: int, height: int, tiles: int, tokens: int) -> None:
    assert llama4_image_tiles(width, height) == tiles
    assert llama4_image_tokens(width, height) == tokens
    assert _hf_llama4_tokens(width, height) == (tiles, tokens)


@settings(max_examples=200)
@given(sides, sides, st.integers(min_value=1, max_value=20))
def test_llama4_matches_the_transformers_processor(width: int, height: int, max_t: int) -> None:
    tiles, tokens = _hf_llama4_tokens(width, height, max_t)
    assert llama4_image_tiles(width, height, max_tiles=max_t) == tiles
    assert llama4_image_tokens(width, height, max_tiles=max_t) == tokens


def test_llama4_vectorized_equals_scalar() -> None:
    rng = np.random.default_rng(0)
    w, h = rng.integers(1, 6000, size=(2, 300))
    vec = llama4_image_tokens(w, h)
    assert vec.shape == (300,)
    np.testing.assert_array_equal(
        vec, [_hf_llama4_tokens(a, b)[1] for a, b in zip(w, h, strict=True)]
    )
