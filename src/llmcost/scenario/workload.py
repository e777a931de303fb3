"""The workload as numbers: one row per feature (request class), volumes split by share."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from .._core._arrays import FloatArray
from .._core.units import TOKENS_PER_MTOK
from ..cost.load import normalize_profile, profile_from_peak_to_average
from .config import Workload

__all__ = ["LENGTH_BUCKET_EDGES", "FeatureImages", "FeatureMix", "LengthMix", "feature_mix"]

#: Quantiles of the input length that bound the buckets of self-hosted sizing (fractions of
#: the requests): ten deciles, then the tail split at p95, p99 and p99.9.
LENGTH_BUCKET_EDGES = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 0.999)


@dataclass(frozen=True)
class LengthMix:
    """Per-request lengths of a feature (an imported workload's ``length_distribution``).

    Rows are distinct input lengths, with the requests of that length and the sums of their
    tokens; ``sequence_tokens_p99`` is the 99th percentile of input + output [tokens].
    """

    input_tokens: FloatArray  # per row [tokens/request], increasing
    requests: FloatArray  # per row [requests]
    output_tokens: FloatArray  # per row, summed over its requests [tokens]
    cached_input_tokens: FloatArray  # per row, summed [tokens]
    cache_write_tokens: FloatArray  # per row, summed [tokens]
    sequence_tokens_p99: float  # [tokens]

    def buckets(self) -> tuple[FloatArray, FloatArray, FloatArray]:
        """Length buckets: (share of the requests [0–1], mean input, mean output [tokens]).

        Rows are cut at the input-length quantiles :data:`LENGTH_BUCKET_EDGES` (a row, one
        distinct length, is never split); empty buckets are dropped. The request-weighted
        means over the buckets equal the distribution's means.

        >>> m = LengthMix(np.array([10.0, 20.0, 1000.0]), np.array([8.0, 1.0, 1.0]),
        ...               np.array([80.0, 10.0, 50.0]), np.zeros(3), np.zeros(3), 1050.0)
        >>> [a.tolist() for a in m.buckets()]
        [[0.8, 0.1, 0.1], [10.0, 20.0, 1000.0], [10.0, 10.0, 50.0]]
        """
        n = self.requests
        cum = np.cumsum(n) / n.sum()
        # bucket of a row: how many edges lie strictly below its cumulative share
        bucket = np.searchsorted(np.asarray(LENGTH_BUCKET_EDGES), cum - n / n.sum(), side="right")
        req = np.bincount(bucket, weights=n)
        tin = np.bincount(bucket, weights=n * self.input_tokens)
        tout = np.bincount(bucket, weights=self.output_tokens)
        keep = req > 0
        req, tin, tout = req[keep], tin[keep], tout[keep]
        return req / req.sum(), tin / req, tout / req


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
    #: per feature, its per-request lengths (None: the mean lengths only)
    lengths: tuple[LengthMix | None, ...] | None = None

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
    mix = _with_images(_text_mix(workload), workload)
    table = workload.length_distribution
    if table is None:
        return mix
    lengths = LengthMix(
        input_tokens=np.asarray(table.input_tokens_per_request, dtype=np.float64),
        requests=np.asarray(table.requests, dtype=np.float64),
        output_tokens=np.asarray(table.output_tokens, dtype=np.float64),
        cached_input_tokens=np.asarray(table.cached_input_tokens, dtype=np.float64),
        cache_write_tokens=np.asarray(table.cache_write_tokens, dtype=np.float64),
        sequence_tokens_p99=float(table.sequence_tokens_p99),
    )
    return replace(mix, lengths=(lengths,))  # one feature (config validation)


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
