"""The workload as numbers: one row per feature (request class), volumes split by share."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from .._core._arrays import FloatArray
from .._core.units import TOKENS_PER_MTOK
from ..cost.load import normalize_profile, profile_from_peak_to_average
from .config import RequestLengths, Workload

__all__ = [
    "LENGTH_BUCKET_EDGES",
    "TAIL_QUANTILE",
    "FeatureImages",
    "FeatureMix",
    "LengthMix",
    "feature_mix",
    "mixed_sequences",
    "sequence_quantile",
]

#: Quantiles of the input length that bound the buckets of self-hosted sizing (fractions of
#: the requests): ten deciles, then the tail split at p95, p99 and p99.9.
LENGTH_BUCKET_EDGES = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 0.999)
#: The high quantile of input + output per request that sizes the KV cache and is checked
#: against every context limit (a fraction of the requests).
TAIL_QUANTILE = 0.99


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
    #: distinct input + output lengths [tokens] and their requests (None: not recorded)
    sequence_tokens: FloatArray | None = None
    sequence_requests: FloatArray | None = None

    def sequences(self) -> tuple[FloatArray, FloatArray]:
        """Input + output lengths [tokens] and the share of the requests at each [0–1].

        The recorded histogram, or else each input length + the mean output of its requests.

        >>> m = LengthMix(np.array([10.0, 20.0]), np.array([3.0, 1.0]), np.array([30.0, 5.0]),
        ...               np.zeros(2), np.zeros(2), 25.0)
        >>> [a.tolist() for a in m.sequences()]
        [[20.0, 25.0], [0.75, 0.25]]
        """
        if self.sequence_tokens is not None and self.sequence_requests is not None:
            n = self.sequence_requests
            return self.sequence_tokens, n / n.sum()
        n = self.requests
        return self.input_tokens + self.output_tokens / n, n / n.sum()

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
    if workload.length_distribution is not None:  # one feature (config validation)
        return replace(mix, lengths=(_length_mix(workload.length_distribution),))
    tables = [f.length_distribution for f in workload.features]
    if not any(t is not None for t in tables):
        return mix
    return replace(mix, lengths=tuple(None if t is None else _length_mix(t) for t in tables))


def _length_mix(table: RequestLengths) -> LengthMix:
    def arr(values: list[int] | None) -> FloatArray | None:
        return None if values is None else np.asarray(values, dtype=np.float64)

    return LengthMix(
        input_tokens=np.asarray(table.input_tokens_per_request, dtype=np.float64),
        requests=np.asarray(table.requests, dtype=np.float64),
        output_tokens=np.asarray(table.output_tokens, dtype=np.float64),
        cached_input_tokens=np.asarray(table.cached_input_tokens, dtype=np.float64),
        cache_write_tokens=np.asarray(table.cache_write_tokens, dtype=np.float64),
        sequence_tokens_p99=float(table.sequence_tokens_p99),
        sequence_tokens=arr(table.sequence_tokens_per_request),
        sequence_requests=arr(table.sequence_requests),
    )


def mixed_sequences(
    mix: FeatureMix, extra_tokens: FloatArray | None = None
) -> tuple[FloatArray, FloatArray]:
    """Input + output length of the whole mix: distinct lengths [tokens] and shares [0–1].

    Each feature's own distribution (:meth:`LengthMix.sequences`; a feature without one: all
    its requests at its mean lengths) weighted by its share of the requests; ``extra_tokens``
    (per feature, e.g. image tokens per request) are added to its lengths. The shares sum
    to 1; lengths are sorted and distinct.

    >>> mix = FeatureMix(("a", "b"), np.array([3.0, 1.0]), np.array([100.0, 900.0]),
    ...                  np.array([10.0, 100.0]), *[np.zeros(2)] * 3, np.ones(24), 1.0)
    >>> [a.tolist() for a in mixed_sequences(mix)]
    [[110.0, 1000.0], [0.75, 0.25]]
    """
    lengths = mix.lengths or (None,) * len(mix.names)
    extra = np.zeros(len(mix.names)) if extra_tokens is None else extra_tokens
    values, shares = [], []
    for f, lm in enumerate(lengths):
        if lm is None:
            v = np.array([mix.input_tokens[f] + mix.output_tokens[f]])
            s = np.ones(1)
        else:
            v, s = lm.sequences()
        values.append(v + extra[f])
        shares.append(s * mix.request_shares[f])
    all_v, inverse = np.unique(np.concatenate(values), return_inverse=True)
    out = np.bincount(inverse, weights=np.concatenate(shares), minlength=all_v.size)
    return all_v, out / out.sum()


def sequence_quantile(values: FloatArray, shares: FloatArray, q: float) -> float:
    """The inverted-CDF quantile ``q`` of lengths ``values`` with ``shares`` [tokens].

    The smallest length whose cumulative share reaches ``q`` (numpy's ``inverted_cdf``; a
    relative tolerance of 1e-12 absorbs the rounding of the shares).

    >>> sequence_quantile(np.array([10.0, 20.0, 30.0]), np.array([0.5, 0.49, 0.01]), 0.99)
    20.0
    """
    cum = np.cumsum(shares)
    i = int(np.searchsorted(cum, q * cum[-1] * (1.0 - 1e-12), side="left"))
    return float(values[min(i, values.size - 1)])


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
