"""Images → input tokens: each API provider's published rule, and Llama 4's image encoder.

Pure numpy, vectorized over image sizes (scalar in → scalar out, array in → array out). Each
API rule has a string id, the value of the catalog's ``image_token_rule`` column:

=======================  ===================================================================
rule id                  tokens per image
=======================  ===================================================================
``openai_tiles``         GPT-4o / GPT-4.1: fit in 2048×2048, shortest side to 768 (never
                         enlarged), 85 + 170 × (512-px tiles); ``detail="low"``: 85
``openai_tiles_4o_mini`` the same tiling with gpt-4o-mini's multipliers: 2833 + 5667 × tiles;
                         ``detail="low"``: 2833
``openai_patches_*``     gpt-4.1-mini / gpt-4.1-nano / o4-mini: 32-px patches (at most 1536,
                         the image shrunk to fit) × 1.62 / 2.46 / 1.72; no low-detail mode
``anthropic_pixels``     Claude: ⌈width × height / 750⌉ after shrinking to a long edge ≤ 1568
                         px and ≤ ~1,600 tokens (1.2 megapixels)
``gemini_fixed``         Gemini 2.x: 258 if both sides ≤ 384 px, else 258 per 768×768 tile
=======================  ===================================================================

Self-hosted models have their own rule id, the ``image_token_rule`` column of the catalog's
models: ``llama4_tiles`` (Llama 4's image processor, :func:`llama4_image_tokens`), taken by
:func:`model_image_tokens`.

Sources (checked 2026-11-23):

- OpenAI vision guide, "Calculating costs" (platform.openai.com/docs/guides/vision), quoted with
  its worked examples (1024×1024 high → 765, 2048×4096 high → 1105, any size low → 85) by the
  mirror openai-hd4n6.mintlify.app/docs/guides/images and "Azure OpenAI Essentials" p. 89.
  Rounding of the resized sides to whole pixels: measured billing in the OpenAI community thread
  "Vision pricing calculator: inaccurate resizing/rounding vs API costs" (2049×513 → 8 tiles,
  2050×513 → 4 tiles on GPT-4.1).
- gpt-4o-mini multipliers: measured usage in the OpenAI community thread "Vision: more than one
  way to send a request" (a 128×64 image with a 12-token prompt: low 2845 = 2833 + 12, high
  8512 = 2833 + 5667 + 12; gpt-4o: 97 = 85 + 12 and 267 = 85 + 170 + 12).
- 32-px patches: OpenAI vision guide (same mirrors; 1024×1024 → 1024 patches, 1800×2400 →
  1452 after the shrink) and its multipliers (gpt-4.1-mini 1.62, gpt-4.1-nano 2.46, o4-mini
  1.72), confirmed by billing in the OpenAI community threads "GPT-4.1 vision price
  calculations" (2400×1800 on gpt-4.1-mini: 2,362 tokens = 1452 × 1.62 + the prompt) and
  "Introducing GPT-5.4 mini and nano" (multiplier table). Known deviation: one very wide image
  (4000×1474) was billed at the 1536-patch cap where the guide's shrink gives 1449 (−6 %).
- Anthropic vision guide (docs.anthropic.com/en/docs/vision, "Evaluate image size" and
  "Calculate image costs": 200×200 → ~54, 1000×1000 → ~1334, 1092×1092 → ~1590 tokens).
- Gemini API docs, "Image understanding / tokens" (Gemini 2.0: ≤ 384 px both sides → 258 tokens;
  larger images are cropped and scaled into 768×768 tiles of 258 tokens each).
- Llama 4: Hugging Face transformers ``models/llama4/image_processing_llama4_fast.py``
  (``find_supported_resolutions``, ``get_best_fit``, 336-px tiles, ``max_patches=16``, a global
  tile when there are several) and ``processing_llama4.py`` (``_prompt_split_image``: 14-px
  patches → 576 per tile, pixel-shuffle ratio 0.5 → 144 tokens per tile, separators and
  ``<|image_start|>``, ``<|image|>``, ``<|image_end|>``).
"""

from __future__ import annotations

from typing import Any, Final

import numpy as np
from numpy.typing import ArrayLike

from .._core._arrays import FloatArray, check_nonnegative, check_positive, scalar_or_array
from .._core.errors import InvalidInputError, UnknownIdError

__all__ = [
    "IMAGE_TOKEN_RULES",
    "MODEL_IMAGE_TOKEN_RULES",
    "anthropic_image_tokens",
    "gemini_image_tokens",
    "image_input_tokens",
    "llama4_encoder_tiles",
    "llama4_image_tiles",
    "llama4_image_tokens",
    "model_encoder_tiles",
    "model_image_tokens",
    "openai_image_tokens",
    "openai_patch_tokens",
    "request_image_tokens",
]

#: OpenAI tile rule constants [px].
OPENAI_MAX_SIDE_PX: Final = 2048.0
OPENAI_SHORT_SIDE_PX: Final = 768.0
OPENAI_TILE_PX: Final = 512.0
#: (base tokens, tokens per tile) of each OpenAI tile rule.
OPENAI_TILE_TOKENS: Final[dict[str, tuple[float, float]]] = {
    "openai_tiles": (85.0, 170.0),
    "openai_tiles_4o_mini": (2833.0, 5667.0),
}

OPENAI_PATCH_PX: Final = 32.0
OPENAI_MAX_PATCHES: Final = 1536.0
#: Tokens per 32-px patch of each OpenAI patch rule.
OPENAI_PATCH_MULTIPLIER: Final[dict[str, float]] = {
    "openai_patches_gpt_4_1_mini": 1.62,
    "openai_patches_gpt_4_1_nano": 2.46,
    "openai_patches_o4_mini": 1.72,
}

ANTHROPIC_PX_PER_TOKEN: Final = 750.0
ANTHROPIC_MAX_LONG_EDGE_PX: Final = 1568.0
ANTHROPIC_MAX_TOKENS: Final = 1600.0

GEMINI_TOKENS_PER_TILE: Final = 258.0
GEMINI_SMALL_IMAGE_PX: Final = 384.0
GEMINI_TILE_PX: Final = 768.0

LLAMA4_TILE_PX: Final = 336
LLAMA4_PATCH_PX: Final = 14
LLAMA4_PIXEL_SHUFFLE_RATIO: Final = 0.5
LLAMA4_MAX_TILES: Final = 16
#: Tokens one 336-px tile becomes: (336/14)² = 576 patches, pixel shuffle 0.5 → 576 × 0.25.
LLAMA4_TOKENS_PER_TILE: Final = (LLAMA4_TILE_PX // LLAMA4_PATCH_PX) ** 2 // round(
    1 / LLAMA4_PIXEL_SHUFFLE_RATIO**2
)

#: Every rule id :func:`image_input_tokens` accepts.
IMAGE_TOKEN_RULES: Final = (
    "openai_tiles",
    "openai_tiles_4o_mini",
    *OPENAI_PATCH_MULTIPLIER,
    "anthropic_pixels",
    "gemini_fixed",
)
#: Every rule id :func:`model_image_tokens` accepts (self-hosted models).
MODEL_IMAGE_TOKEN_RULES: Final = ("llama4_tiles",)
DETAILS: Final = ("high", "low")


def _sides(width_px: ArrayLike, height_px: ArrayLike) -> tuple[FloatArray, FloatArray]:
    w = check_positive(width_px, "width_px")
    h = check_positive(height_px, "height_px")
    try:
        return np.broadcast_arrays(w, h)  # type: ignore[return-value]
    except ValueError as exc:
        raise InvalidInputError(
            f"width_px and height_px must have matching shapes; got {w.shape} and {h.shape}"
        ) from exc


def _check_detail(detail: str, rule: str) -> None:
    if detail not in DETAILS:
        raise InvalidInputError(f"detail must be one of {', '.join(DETAILS)}; got {detail!r}")
    if detail == "low" and not rule.startswith("openai_"):
        raise InvalidInputError(
            f"detail='low' exists only for the OpenAI rules; rule {rule!r} has no low-detail mode"
        )


def _whole_px(side_px: FloatArray) -> FloatArray:
    """A resized side rounded to whole pixels (half to even), never below one pixel."""
    return np.maximum(1.0, np.round(side_px))


def openai_image_tokens(
    width_px: ArrayLike,
    height_px: ArrayLike,
    detail: str = "high",
    *,
    rule: str = "openai_tiles",
) -> Any:
    """Input tokens of one image on OpenAI's tile rule (GPT-4o, GPT-4.1, gpt-4o-mini).

    High detail: shrink to fit 2048×2048, then shrink so the shortest side is at most 768
    (rounding each side to whole pixels), count the 512-px tiles covering it;
    tokens = base + per_tile × tiles. Low detail: base.

    Parameters
    ----------
    width_px, height_px : image size [px]
    detail : "high" or "low"
    rule : "openai_tiles" (85 + 170/tile) or "openai_tiles_4o_mini" (2833 + 5667/tile)

    Returns
    -------
    tokens per image [tokens]

    >>> openai_image_tokens(1024, 1024)   # OpenAI's example: 4 tiles
    765.0
    >>> openai_image_tokens(2048, 4096)   # → 1024×2048 → 768×1536: 6 tiles
    1105.0
    >>> openai_image_tokens(4096, 8192, "low")
    85.0
    """
    if rule not in OPENAI_TILE_TOKENS:
        raise UnknownIdError("OpenAI image token rule", rule, OPENAI_TILE_TOKENS)
    _check_detail(detail, rule)
    w, h = _sides(width_px, height_px)
    base, per_tile = OPENAI_TILE_TOKENS[rule]
    fit = np.minimum(1.0, OPENAI_MAX_SIDE_PX / np.maximum(w, h))
    w1, h1 = _whole_px(w * fit), _whole_px(h * fit)
    short = np.minimum(1.0, OPENAI_SHORT_SIDE_PX / np.minimum(w1, h1))
    w2, h2 = _whole_px(w1 * short), _whole_px(h1 * short)
    tiles = np.ceil(w2 / OPENAI_TILE_PX) * np.ceil(h2 / OPENAI_TILE_PX)
    tokens = base + per_tile * tiles if detail == "high" else np.full_like(w, base)
    return scalar_or_array(tokens, width_px, height_px)


def openai_patch_tokens(
    width_px: ArrayLike, height_px: ArrayLike, *, multiplier: ArrayLike = 1.0
) -> Any:
    """Input tokens of one image on OpenAI's 32-px patch rule (gpt-4.1-mini, -nano, o4-mini).

    patches = ⌈w/32⌉ × ⌈h/32⌉; above 1536 the image is shrunk by √(1536·32²/(w·h)), then a
    little more so that its shorter side is a whole number of patches, and counted again
    (at most 1536); tokens = ⌈patches × multiplier⌉.

    Parameters
    ----------
    width_px, height_px : image size [px]
    multiplier : tokens per patch of the model [tokens] (gpt-4.1-mini 1.62)

    Returns
    -------
    tokens per image [tokens]

    >>> openai_patch_tokens(1024, 1024)   # OpenAI's example: 32 × 32 patches
    1024.0
    >>> openai_patch_tokens(1800, 2400)   # shrunk to 1056 × 1408: 33 × 44 patches
    1452.0
    """
    w, h = _sides(width_px, height_px)
    m = check_positive(multiplier, "multiplier")
    p = OPENAI_PATCH_PX
    raw = np.ceil(w / p) * np.ceil(h / p)
    shrink = np.minimum(1.0, np.sqrt(OPENAI_MAX_PATCHES * p * p / (w * h)))
    short = np.minimum(w, h) * shrink / p  # the shorter side, in patches
    whole = np.where(raw > OPENAI_MAX_PATCHES, np.maximum(np.floor(short), 1.0) / short, 1.0)
    w2, h2 = w * shrink * whole, h * shrink * whole
    # round away float noise (1408.0000000001 px is 44 patches, not 45) before the ceiling
    fitted = np.ceil(np.round(w2 / p, 9)) * np.ceil(np.round(h2 / p, 9))
    patches = np.where(raw > OPENAI_MAX_PATCHES, np.minimum(fitted, OPENAI_MAX_PATCHES), raw)
    tokens = np.ceil(np.round(patches * m, 9))
    return scalar_or_array(tokens, width_px, height_px)


def anthropic_image_tokens(width_px: ArrayLike, height_px: ArrayLike) -> Any:
    """Input tokens of one image on Claude: ⌈width × height / 750⌉ after Anthropic's resize.

    Images with a long edge over 1568 px or over ~1,600 tokens (1.2 megapixels) are first
    shrunk, keeping the aspect ratio, to the larger size within both limits.

    Parameters
    ----------
    width_px, height_px : image size [px]

    Returns
    -------
    tokens per image [tokens]

    >>> anthropic_image_tokens(1000, 1000)   # Anthropic's table: ~1334
    1334.0
    >>> anthropic_image_tokens(4000, 3000)   # shrunk to the 1,600-token limit
    1600.0
    """
    w, h = _sides(width_px, height_px)
    max_px = ANTHROPIC_MAX_TOKENS * ANTHROPIC_PX_PER_TOKEN
    scale = np.minimum.reduce(
        [
            np.ones_like(w),
            ANTHROPIC_MAX_LONG_EDGE_PX / np.maximum(w, h),
            np.sqrt(max_px / (w * h)),
        ]
    )
    pixels = (w * scale) * (h * scale)
    # The cap is reached exactly in exact arithmetic; round away float noise before the ceiling.
    tokens = np.ceil(np.round(pixels / ANTHROPIC_PX_PER_TOKEN, 9))
    return scalar_or_array(tokens, width_px, height_px)


def gemini_image_tokens(width_px: ArrayLike, height_px: ArrayLike) -> Any:
    """Input tokens of one image on Gemini 2.x: 258 per 768×768 tile, 258 for small images.

    Parameters
    ----------
    width_px, height_px : image size [px]

    Returns
    -------
    tokens per image [tokens]

    >>> gemini_image_tokens(384, 384)
    258.0
    >>> gemini_image_tokens(1024, 768)   # 2 × 1 tiles
    516.0
    """
    w, h = _sides(width_px, height_px)
    small = (w <= GEMINI_SMALL_IMAGE_PX) & (h <= GEMINI_SMALL_IMAGE_PX)
    tiles = np.ceil(w / GEMINI_TILE_PX) * np.ceil(h / GEMINI_TILE_PX)
    tokens = GEMINI_TOKENS_PER_TILE * np.where(small, 1.0, tiles)
    return scalar_or_array(tokens, width_px, height_px)


def image_input_tokens(
    rule: str, width_px: ArrayLike, height_px: ArrayLike, detail: str = "high"
) -> Any:
    """Input tokens of one image under the provider rule named ``rule``.

    Parameters
    ----------
    rule : one of :data:`IMAGE_TOKEN_RULES` (the catalog's ``image_token_rule`` column)
    width_px, height_px : image size [px]
    detail : "high" or "low" (OpenAI rules only; the patch rules ignore it, as OpenAI does)

    Returns
    -------
    tokens per image [tokens]

    >>> image_input_tokens("openai_tiles", [1024, 2048], [1024, 4096])
    array([ 765., 1105.])
    >>> image_input_tokens("gemini_fixd", 100, 100)
    Traceback (most recent call last):
    ...
    llmcost._core.errors.UnknownIdError: unknown image token rule 'gemini_fixd'; did you mean \
'gemini_fixed'?
    """
    if rule not in IMAGE_TOKEN_RULES:
        raise UnknownIdError("image token rule", rule, IMAGE_TOKEN_RULES)
    _check_detail(detail, rule)
    if rule in OPENAI_TILE_TOKENS:
        return openai_image_tokens(width_px, height_px, detail, rule=rule)
    if rule in OPENAI_PATCH_MULTIPLIER:  # "low" has no effect on patch models
        return openai_patch_tokens(width_px, height_px, multiplier=OPENAI_PATCH_MULTIPLIER[rule])
    if rule == "anthropic_pixels":
        return anthropic_image_tokens(width_px, height_px)
    return gemini_image_tokens(width_px, height_px)


def request_image_tokens(
    rule: str,
    width_px: ArrayLike,
    height_px: ArrayLike,
    images_per_request: ArrayLike,
    detail: str = "high",
) -> Any:
    """Image input tokens per request: images per request × tokens per image.

    Parameters
    ----------
    rule : one of :data:`IMAGE_TOKEN_RULES`
    width_px, height_px : size of each image [px]
    images_per_request : images sent with each request (≥ 0) [images]
    detail : "high" or "low"

    Returns
    -------
    image input tokens per request [tokens]

    >>> request_image_tokens("openai_tiles", 1024, 1024, 3)
    2295.0
    """
    n = check_nonnegative(images_per_request, "images_per_request")
    per_image = np.asarray(image_input_tokens(rule, width_px, height_px, detail))
    return scalar_or_array(n * per_image, width_px, height_px, images_per_request)


def _llama4_grids(max_tiles: int) -> tuple[FloatArray, FloatArray]:
    """Every (rows, cols) tile grid with rows × cols ≤ ``max_tiles``."""
    rows, cols = np.meshgrid(np.arange(1, max_tiles + 1), np.arange(1, max_tiles + 1))
    keep = rows * cols <= max_tiles
    return rows[keep].astype(np.float64), cols[keep].astype(np.float64)


def _check_max_tiles(max_tiles: int) -> int:
    if isinstance(max_tiles, bool) or not isinstance(max_tiles, int | np.integer):
        raise InvalidInputError(f"max_tiles must be a whole number ≥ 1; got {max_tiles!r}")
    if max_tiles < 1:
        raise InvalidInputError(f"max_tiles must be ≥ 1; got {max_tiles!r}")
    return int(max_tiles)


def llama4_image_tiles(
    width_px: ArrayLike, height_px: ArrayLike, *, max_tiles: int = LLAMA4_MAX_TILES
) -> Any:
    """Number of 336-px local tiles Llama 4's image processor cuts an image into.

    Among the grids of rows × cols ≤ ``max_tiles`` tiles, the processor picks the canvas
    (336·rows × 336·cols) that needs the smallest enlargement ≥ 1 to fit the image without
    distortion — or, if every canvas needs shrinking, the least shrinking — and, on a tie, the
    smallest area (transformers ``get_best_fit``, ``resize_to_max_canvas=False``).

    Parameters
    ----------
    width_px, height_px : image size [px]
    max_tiles : the processor's ``max_patches`` (16 in Meta's released config)

    Returns
    -------
    local tiles per image [tiles]

    >>> llama4_image_tiles(1024, 1024)   # 4×4 canvas of 1344 px
    16.0
    >>> llama4_image_tiles(300, 200)
    1.0
    """
    max_tiles = _check_max_tiles(max_tiles)
    w, h = _sides(width_px, height_px)
    grid_rows, grid_cols = _llama4_grids(max_tiles)
    # scale of each (image, grid): the limiting side, shape (..., grids)
    scale = np.minimum(
        LLAMA4_TILE_PX * grid_rows / h[..., None], LLAMA4_TILE_PX * grid_cols / w[..., None]
    )
    enlarging = scale >= 1.0
    any_enlarging = enlarging.any(axis=-1, keepdims=True)
    smallest_enlargement = np.where(enlarging, scale, np.inf).min(axis=-1, keepdims=True)
    least_shrinking = np.where(enlarging, -np.inf, scale).max(axis=-1, keepdims=True)
    chosen_scale = np.where(any_enlarging, smallest_enlargement, least_shrinking)
    area = grid_rows * grid_cols
    tiles = np.where(scale == chosen_scale, area, np.inf).min(axis=-1)
    return scalar_or_array(tiles, width_px, height_px)


def llama4_encoder_tiles(
    width_px: ArrayLike, height_px: ArrayLike, *, max_tiles: int = LLAMA4_MAX_TILES
) -> Any:
    """336-px tiles of one image that go through Llama 4's vision encoder.

    The local tiles (:func:`llama4_image_tiles`) plus, when there are several, the global
    thumbnail tile (its 144 tokens are the global tile of :func:`llama4_image_tokens`).

    Parameters
    ----------
    width_px, height_px : image size [px]
    max_tiles : the processor's ``max_patches`` (16 in Meta's released config)

    Returns
    -------
    encoder tiles per image [tiles]

    >>> llama4_encoder_tiles(1024, 1024)   # 16 local tiles + the global tile
    17.0
    >>> llama4_encoder_tiles(300, 200)
    1.0
    """
    tiles = np.asarray(llama4_image_tiles(width_px, height_px, max_tiles=max_tiles))
    return scalar_or_array(np.where(tiles > 1, tiles + 1.0, tiles), width_px, height_px)


def llama4_image_tokens(
    width_px: ArrayLike, height_px: ArrayLike, *, max_tiles: int = LLAMA4_MAX_TILES
) -> Any:
    """Prompt (prefill) tokens one image adds to a self-hosted Llama 4 request.

    A single-tile image: ``<|image_start|>`` + ``<|image|>`` + 144 patch tokens +
    ``<|image_end|>`` = 147. With n > 1 local tiles, each tile adds its 144 patch tokens and one
    separator token (x-separators between tiles of a row, a y-separator after each row), and the
    global thumbnail tile adds the 147 above: 145·n + 147.

    Parameters
    ----------
    width_px, height_px : image size [px]
    max_tiles : the processor's ``max_patches`` (16 in Meta's released config)

    Returns
    -------
    prompt tokens per image [tokens]

    >>> llama4_image_tokens(336, 336)
    147.0
    >>> llama4_image_tokens(1024, 1024)   # 16 tiles + the global tile
    2467.0
    """
    tiles = np.asarray(llama4_image_tiles(width_px, height_px, max_tiles=max_tiles))
    per_tile = LLAMA4_TOKENS_PER_TILE + 1.0  # patch tokens + one separator
    fixed = LLAMA4_TOKENS_PER_TILE + 3.0  # global tile + image_start, image, image_end
    tokens = np.where(tiles > 1, per_tile * tiles, 0.0) + fixed
    return scalar_or_array(tokens, width_px, height_px)


def model_image_tokens(rule: str, width_px: ArrayLike, height_px: ArrayLike) -> Any:
    """Prompt (prefill) tokens of one image on a self-hosted model with image rule ``rule``.

    Parameters
    ----------
    rule : one of :data:`MODEL_IMAGE_TOKEN_RULES` (the catalog models' ``image_token_rule``)
    width_px, height_px : image size [px]

    Returns
    -------
    prompt tokens per image [tokens]

    >>> model_image_tokens("llama4_tiles", 1024, 1024)
    2467.0
    """
    if rule not in MODEL_IMAGE_TOKEN_RULES:
        raise UnknownIdError("model image token rule", rule, MODEL_IMAGE_TOKEN_RULES)
    return llama4_image_tokens(width_px, height_px)


def model_encoder_tiles(rule: str, width_px: ArrayLike, height_px: ArrayLike) -> Any:
    """Vision-encoder tiles of one image on a self-hosted model with image rule ``rule``.

    Parameters
    ----------
    rule : one of :data:`MODEL_IMAGE_TOKEN_RULES` (the catalog models' ``image_token_rule``)
    width_px, height_px : image size [px]

    Returns
    -------
    encoder tiles per image [tiles]

    >>> model_encoder_tiles("llama4_tiles", 1920, 1080)   # 5×3 local tiles + the global tile
    16.0
    """
    if rule not in MODEL_IMAGE_TOKEN_RULES:
        raise UnknownIdError("model image token rule", rule, MODEL_IMAGE_TOKEN_RULES)
    return llama4_encoder_tiles(width_px, height_px)
