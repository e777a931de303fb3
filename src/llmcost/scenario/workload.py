"""The workload as numbers: one row per feature (request class), volumes split by share."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from .._core._arrays import FloatArray
from .._core.units import TOKENS_PER_MTOK
from ..cost.load import normalize_profile, profile_from_peak_to_average
from .config import Workload

__all__ = ["FeatureImages", "FeatureMix", "feature_mix"]


@dataclass(frozen=True)
class FeatureImages:
    """The images of each feature's requests (arrays of shape (n_features,))."""

    images_per_request: FloatArray  # average [images/request], ≥ 0
    width_px: FloatArray  # [px]; NaN for a feature without images
    height_px: FloatArray  # [px]; NaN for a feature without images
    detail: tuple[str, ...]  # OpenAI's "high" or "low"


@dataclass(frozen=True)
class FeatureMix:
    """Per-feature arrays (shape (n_features,)) of a workload at its base volume."""

    names: tuple[str, ...]
    requests_per_month: FloatArray  # [requests/month]
    input_tokens: FloatArray  # per request [tokens]
    output_tokens: FloatArray  # per request [tokens]
    cached_input_fraction: FloatArray  # [0–1]
    cache_write_fraction: FloatArray  # [0–1]
    batch_eligible_fraction: FloatArray  # [0–1]
    hourly_weights: FloatArray  # 24 weights, mean 1
    peak_to_average: float  # max of the hourly weights
    images: FeatureImages | None = None  # None: text only (no feature has images)

    @property
    def total_requests_per_month(self) -> float:
        """All features together [requests/month]."""
        return float(self.requests_per_month.sum())

    @property
    def request_shares(self) -> FloatArray:
        """Share of the requests each feature has [0–1] (equal shares when there are none)."""
        total = self.requests_per_month.sum()
        if total <= 0:
            return np.full(len(self.names), 1.0 / len(self.names))
        out: FloatArray = self.requests_per_month / total
        return out

    @property
    def tokens_per_request(self) -> float:
        """Traffic-weighted input + output text tokens of an average request [tokens]."""
        return float(np.sum(self.request_shares * (self.input_tokens + self.output_tokens)))

    @property
    def total_mtok_per_month(self) -> float:
        """Text tokens, input + output [millions of tokens/month] (image tokens are per option)."""
        tokens = self.requests_per_month * (self.input_tokens + self.output_tokens)
        return float(tokens.sum() / TOKENS_PER_MTOK)


def feature_mix(workload: Workload) -> FeatureMix:
    """Resolve a :class:`Workload`: tokens_per_month → requests, inherited fractions, profile.

    Without ``peak_to_average`` or ``hourly_profile`` the day is flat (ratio 1).
    """
    return _with_images(_text_mix(workload), workload)


def _text_mix(workload: Workload) -> FeatureMix:
    feats = workload.feature_list()
    tin = np.array([f.input_tokens_per_request for f in feats], dtype=np.float64)
    tout = np.array([f.output_tokens_per_request for f in feats], dtype=np.float64)
    req = np.array(
        [
            f.requests_per_month
            if f.requests_per_month is not None
            else (f.tokens_per_month or 0.0)
            / (f.input_tokens_per_request + f.output_tokens_per_request)
            for f in feats
        ],
        dtype=np.float64,
    )

    def inherit(field: str) -> FloatArray:
        top = getattr(workload, field)
        return np.array(
            [top if getattr(f, field) is None else getattr(f, field) for f in feats],
            dtype=np.float64,
        )

    if workload.hourly_profile is not None:
        weights = normalize_profile(workload.hourly_profile)
    else:
        weights = profile_from_peak_to_average(workload.peak_to_average or 1.0)
    return FeatureMix(
        names=tuple(f.name for f in feats),
        requests_per_month=req,
        input_tokens=tin,
        output_tokens=tout,
        cached_input_fraction=inherit("cached_input_fraction"),
        cache_write_fraction=inherit("cache_write_fraction"),
        batch_eligible_fraction=inherit("batch_eligible_fraction"),
        hourly_weights=weights,
        peak_to_average=max(float(weights.max()), 1.0),  # a flat day: 1 (not 1 − ε)
    )


def _with_images(mix: FeatureMix, workload: Workload) -> FeatureMix:
    """``mix`` with each feature's images (own values, else the workload's), if any."""
    feats = workload.feature_list()

    def inherit(field: str) -> list[Any]:
        top = getattr(workload, field)
        return [top if getattr(f, field) is None else getattr(f, field) for f in feats]

    images = np.array(inherit("images_per_request"), dtype=np.float64)
    if not np.any(images > 0):
        return mix

    def side(field: str) -> FloatArray:
        # required where there are images (Workload validation); NaN elsewhere
        px = np.array([np.nan if v is None else v for v in inherit(field)], dtype=np.float64)
        return np.where(images > 0, px, np.nan)

    return replace(
        mix,
        images=FeatureImages(
            images_per_request=images,
            width_px=side("image_width_px"),
            height_px=side("image_height_px"),
            detail=tuple(inherit("image_detail")),
        ),
    )
