"""API billing rules: what a month of requests costs on a pay-per-token offer.

The rules, applied per request class (a feature of the workload) and vectorized over arrays:

- a share ``cached_input_fraction`` of the input tokens are prompt-cache hits billed at the
  cached-input price (when the offer has none — ``NaN`` — they are plain input, in
  ``input_usd``);
- a share ``cache_write_fraction`` of the input tokens are written to the cache and billed at
  the cache-write price instead of the input price (Anthropic-style; 0 for OpenAI; with no
  cache-write price — ``NaN`` — they are plain input);
- the rest of the input at the input price, the output at the output price;
- the share ``batch_eligible_fraction`` of requests that goes through a batch API gets
  ``batch_discount_fraction`` off every component (the discounts stack, as providers document
  for batch + caching);
- long-context tiers: when a request's prompt exceeds a tier's threshold, that tier's prices
  apply to the whole request (:func:`tier_index`, :func:`select_tier_price`).

Prices are [USD per 1M tokens] ("mtok"); token counts are per month.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike

from .._core._arrays import (
    FloatArray,
    as_float_array,
    check_fraction,
    check_nonnegative,
    check_range,
    scalar_or_array,
)
from .._core.errors import InvalidInputError
from .._core.result import ResultShape
from .._core.serialize import jsonable
from .._core.units import MINUTES_PER_MONTH, TOKENS_PER_MTOK

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "ApiBill",
    "TieredPrices",
    "api_bill",
    "exceeds_rate_limit",
    "peak_per_minute",
    "select_tier_price",
    "tier_index",
    "tier_weighted_prices",
]


@dataclass(frozen=True)
class ApiBill(ResultShape):
    """A month of API usage, broken into components that sum to :attr:`total_usd`.

    Attributes are arrays (or floats) broadcast over the inputs.
    """

    input_usd: Any  # uncached, not-written input tokens [USD/month]
    cached_input_usd: Any  # prompt-cache hits [USD/month]
    cache_write_usd: Any  # tokens written to the prompt cache [USD/month]
    output_usd: Any  # output tokens [USD/month]
    input_tokens: Any  # all input tokens [tokens/month]
    output_tokens: Any  # output tokens [tokens/month]

    @property
    def total_usd(self) -> Any:
        """Monthly bill [USD/month]: the sum of the four components."""
        return self.input_usd + self.cached_input_usd + self.cache_write_usd + self.output_usd

    @property
    def usd_per_mtok(self) -> Any:
        """Blended price [USD per 1M tokens], input and output together (NaN with no tokens)."""
        return _per_mtok(self.total_usd, self.input_tokens + self.output_tokens)

    @property
    def input_usd_per_mtok(self) -> Any:
        """Effective input price after caching and batch [USD per 1M input tokens]."""
        paid = self.input_usd + self.cached_input_usd + self.cache_write_usd
        return _per_mtok(paid, self.input_tokens)

    @property
    def output_usd_per_mtok(self) -> Any:
        """Effective output price after batch [USD per 1M output tokens]."""
        return _per_mtok(self.output_usd, self.output_tokens)

    def components(self) -> dict[str, Any]:
        """The named components [USD/month] that sum to :attr:`total_usd`."""
        return {
            "input_usd": self.input_usd,
            "cached_input_usd": self.cached_input_usd,
            "cache_write_usd": self.cache_write_usd,
            "output_usd": self.output_usd,
        }

    def to_frame(self) -> pd.DataFrame:
        """One row per element of the broadcast inputs, components and totals as columns."""
        import pandas as pd

        cols = {f.name: getattr(self, f.name) for f in fields(self)}
        cols |= {
            "total_usd": self.total_usd,
            "usd_per_mtok": self.usd_per_mtok,
        }
        arrays = np.broadcast_arrays(*(np.atleast_1d(np.asarray(v)) for v in cols.values()))
        return pd.DataFrame(dict(zip(cols, arrays, strict=True)))

    def to_dict(self) -> dict[str, Any]:
        """The table's columns as lists [USD/month, tokens/month, USD per 1M tokens]."""
        return jsonable({"rows": self.to_frame().to_dict(orient="list")})

    def __repr__(self) -> str:
        """One line: the total (or its range over the inputs) and the blended price."""
        total = np.atleast_1d(np.asarray(self.total_usd, dtype=float))
        span = f"{total[0]:,.2f}" if total.size == 1 else f"{total.min():,.2f}–{total.max():,.2f}"
        if total.size > 1:
            return f"ApiBill({span} USD/month over {total.size} rows)"
        price = float(np.asarray(self.usd_per_mtok, dtype=float).reshape(-1)[0])
        return f"ApiBill({span} USD/month, {price:.4g} USD/1M tokens)"


def _per_mtok(usd: Any, tokens: Any) -> Any:
    usd_a, tok_a = np.asarray(usd, dtype=float), np.asarray(tokens, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(tok_a > 0, usd_a / np.where(tok_a > 0, tok_a, 1.0) * TOKENS_PER_MTOK, np.nan)
    return scalar_or_array(out, usd, tokens)


def api_bill(
    *,
    requests_per_month: ArrayLike,
    input_tokens_per_request: ArrayLike,
    output_tokens_per_request: ArrayLike,
    input_usd_per_mtok: ArrayLike,
    output_usd_per_mtok: ArrayLike,
    cached_input_usd_per_mtok: ArrayLike = np.nan,
    cache_write_usd_per_mtok: ArrayLike = np.nan,
    cached_input_fraction: ArrayLike = 0.0,
    cache_write_fraction: ArrayLike = 0.0,
    batch_eligible_fraction: ArrayLike = 0.0,
    batch_discount_fraction: ArrayLike = 0.0,
) -> ApiBill:
    """Monthly API bill of one request class, by component.

    Parameters
    ----------
    requests_per_month : requests [1/month], ≥ 0
    input_tokens_per_request, output_tokens_per_request : [tokens], ≥ 0
    input_usd_per_mtok, output_usd_per_mtok : list prices [USD per 1M tokens], ≥ 0
    cached_input_usd_per_mtok : price of a prompt-cache hit [USD per 1M tokens];
        NaN = the offer has no caching (hits billed as input)
    cache_write_usd_per_mtok : price of writing a token to the cache [USD per 1M tokens];
        NaN = no separate price (written tokens billed as input)
    cached_input_fraction, cache_write_fraction : shares of the input tokens [0–1], summing ≤ 1
    batch_eligible_fraction : share of requests sent through the batch API [0–1]
    batch_discount_fraction : discount of the batch API on every component [0–1]

    Examples
    --------
    3,000,000 requests × (1,500 in + 300 out) on GPT-4o at $2.50 / $10 per 1M:
    4.5e9 × 2.5 / 1e6 + 9e8 × 10 / 1e6 = 11,250 + 9,000

    >>> bill = api_bill(requests_per_month=3e6, input_tokens_per_request=1500,
    ...                 output_tokens_per_request=300, input_usd_per_mtok=2.5,
    ...                 output_usd_per_mtok=10.0)
    >>> bill.total_usd
    20250.0
    """
    req = check_nonnegative(requests_per_month, "requests_per_month")
    tin = check_nonnegative(input_tokens_per_request, "input_tokens_per_request")
    tout = check_nonnegative(output_tokens_per_request, "output_tokens_per_request")
    p_in = check_nonnegative(input_usd_per_mtok, "input_usd_per_mtok")
    p_out = check_nonnegative(output_usd_per_mtok, "output_usd_per_mtok")
    p_cached = check_range(
        cached_input_usd_per_mtok, "cached_input_usd_per_mtok", lo=0.0, allow_nan=True
    )
    p_write = check_range(
        cache_write_usd_per_mtok, "cache_write_usd_per_mtok", lo=0.0, allow_nan=True
    )
    f_cached = check_fraction(cached_input_fraction, "cached_input_fraction")
    f_write = check_fraction(cache_write_fraction, "cache_write_fraction")
    if np.any(f_cached + f_write > 1.0 + 1e-12):
        raise InvalidInputError(
            "cached_input_fraction + cache_write_fraction must be ≤ 1; got "
            f"{float(np.max(f_cached + f_write))!r}"
        )
    f_batch = check_fraction(batch_eligible_fraction, "batch_eligible_fraction")
    discount = check_fraction(batch_discount_fraction, "batch_discount_fraction")

    # Without a cached (or cache-write) price those tokens are plain input: move them there.
    f_cached = np.where(np.isnan(p_cached), 0.0, f_cached)
    f_write = np.where(np.isnan(p_write), 0.0, f_write)
    p_cached = np.nan_to_num(p_cached)
    p_write = np.nan_to_num(p_write)
    # Every component is scaled by the average price factor of the traffic: batch requests pay
    # (1 − discount), the others full price.
    price_factor = 1.0 - f_batch * discount
    input_tokens = req * tin
    output_tokens = req * tout
    per = price_factor / TOKENS_PER_MTOK
    parts = np.broadcast_arrays(
        input_tokens * (1.0 - f_cached - f_write) * p_in * per,
        input_tokens * f_cached * p_cached * per,
        input_tokens * f_write * p_write * per,
        output_tokens * p_out * per,
        input_tokens,
        output_tokens,
    )
    args = (requests_per_month, input_tokens_per_request, output_tokens_per_request)
    shaped = [scalar_or_array(np.array(p), *args) for p in parts]
    return ApiBill(*shaped)


def tier_index(prompt_tokens: ArrayLike, tier_threshold_tokens: ArrayLike) -> FloatArray:
    """Index of the price tier that applies to each prompt length.

    ``tier_threshold_tokens`` (1-d, increasing) holds, per tier, the prompt length the prompt
    must *exceed* for that tier to apply; the base tier has threshold 0. The highest tier whose
    threshold is exceeded wins, and it prices the whole request (Gemini 2.5 Pro: a prompt of
    more than 200k tokens is billed entirely at the >200k prices).

    >>> tier_index([1_000, 200_000, 200_001], [0, 200_000])
    array([0, 0, 1])
    """
    prompt = check_nonnegative(prompt_tokens, "prompt_tokens")
    thresholds = as_float_array(tier_threshold_tokens, "tier_threshold_tokens")
    if thresholds.ndim != 1 or thresholds.size == 0 or np.any(np.diff(thresholds) <= 0):
        raise InvalidInputError(
            f"tier_threshold_tokens must be a non-empty increasing list; got {thresholds.tolist()}"
        )
    # side="left": a prompt equal to a threshold stays in the lower tier ("more than").
    idx = np.searchsorted(thresholds, prompt, side="left") - 1
    return np.clip(idx, 0, thresholds.size - 1)


def select_tier_price(
    prompt_tokens: ArrayLike, tier_threshold_tokens: ArrayLike, tier_prices: ArrayLike
) -> Any:
    """Price [USD per 1M tokens] of the tier each prompt falls in (see :func:`tier_index`).

    >>> select_tier_price([100_000, 300_000], [0, 200_000], [1.25, 2.50])
    array([1.25, 2.5 ])
    """
    prices = as_float_array(tier_prices, "tier_prices")
    idx = tier_index(prompt_tokens, tier_threshold_tokens)
    if prices.shape[-1:] != np.shape(tier_threshold_tokens):
        raise InvalidInputError("tier_prices must have one price per tier threshold")
    return scalar_or_array(prices[..., idx], prompt_tokens)


@dataclass(frozen=True)
class TieredPrices:
    """Prices [USD per 1M tokens] that bill a length distribution exactly, tier by request.

    ``cached_input_usd_per_mtok`` / ``cache_write_usd_per_mtok`` are NaN when no tier used
    has that price (those tokens are then in the input price's weights, as :func:`api_bill`
    bills them as input). ``tier_requests`` counts the requests priced at each tier.
    """

    input_usd_per_mtok: float
    cached_input_usd_per_mtok: float
    cache_write_usd_per_mtok: float
    output_usd_per_mtok: float
    tier_requests: tuple[int, ...]


def tier_weighted_prices(
    *,
    prompt_tokens: ArrayLike,
    requests: ArrayLike,
    cached_input_tokens: ArrayLike,
    cache_write_tokens: ArrayLike,
    output_tokens: ArrayLike,
    tier_threshold_tokens: ArrayLike,
    input_usd_per_mtok: ArrayLike,
    output_usd_per_mtok: ArrayLike,
    cached_input_usd_per_mtok: ArrayLike = np.nan,
    cache_write_usd_per_mtok: ArrayLike = np.nan,
) -> TieredPrices:
    """Token-weighted prices of a request-length table, each request priced at its own tier.

    Parameters
    ----------
    prompt_tokens
        Prompt length [tokens] of each row (one row per distinct length, say).
    requests
        Requests with that prompt length [requests].
    cached_input_tokens, cache_write_tokens, output_tokens
        Sums over those requests [tokens].
    tier_threshold_tokens
        Per tier, the prompt length a request must exceed (:func:`tier_index`).
    input_usd_per_mtok, output_usd_per_mtok, cached_input_usd_per_mtok, cache_write_usd_per_mtok
        One price per tier [USD per 1M tokens]; NaN cached / cache-write price: that tier bills
        those tokens as input.

    Returns
    -------
    TieredPrices
        Each price is Σ_rows tokens × price(tier of the row) / Σ_rows tokens of its component,
        so :func:`api_bill` at the table's mean lengths and fractions with these prices gives
        the sum of the per-request bills exactly (the bill is linear in tokens within a tier).

    Examples
    --------
    Two requests of 100k and 300k prompt tokens, ≤200k at $1/1M, above at $2/1M:
    (1e5 × 1 + 3e5 × 2) / 4e5 = $1.75 per 1M input tokens.

    >>> p = tier_weighted_prices(prompt_tokens=[100_000, 300_000], requests=[1, 1],
    ...     cached_input_tokens=[0, 0], cache_write_tokens=[0, 0], output_tokens=[0, 0],
    ...     tier_threshold_tokens=[0, 200_000], input_usd_per_mtok=[1.0, 2.0],
    ...     output_usd_per_mtok=[5.0, 5.0])
    >>> p.input_usd_per_mtok, p.tier_requests
    (1.75, (1, 1))
    """
    prompt = check_nonnegative(prompt_tokens, "prompt_tokens")
    n = check_nonnegative(requests, "requests")
    cached = check_nonnegative(cached_input_tokens, "cached_input_tokens")
    write = check_nonnegative(cache_write_tokens, "cache_write_tokens")
    out = check_nonnegative(output_tokens, "output_tokens")
    tiers = tier_index(prompt, tier_threshold_tokens)
    n_tiers = np.size(tier_threshold_tokens)

    def per_row(value: ArrayLike, name: str) -> FloatArray:
        """The price of each row's tier (one price per tier, or one for all)."""
        arr = check_range(value, name, lo=0.0, allow_nan=True)
        return np.broadcast_to(arr, (n_tiers,))[tiers]

    p_in = per_row(check_nonnegative(input_usd_per_mtok, "input_usd_per_mtok"), "input")
    p_out = per_row(check_nonnegative(output_usd_per_mtok, "output_usd_per_mtok"), "output")
    p_cached = per_row(cached_input_usd_per_mtok, "cached_input_usd_per_mtok")
    p_write = per_row(cache_write_usd_per_mtok, "cache_write_usd_per_mtok")
    # A tier without a cached (cache-write) price bills those tokens at its input price; if
    # no tier has one, they stay input tokens (api_bill moves them there).
    cached_as_input = bool(np.all(np.isnan(p_cached)))
    write_as_input = bool(np.all(np.isnan(p_write)))
    p_cached = np.where(np.isnan(p_cached), p_in, p_cached)
    p_write = np.where(np.isnan(p_write), p_in, p_write)
    plain = prompt * n - cached - write
    if np.any(plain < -0.5):
        raise InvalidInputError(
            "cached_input_tokens + cache_write_tokens must be ≤ prompt_tokens × requests; got "
            f"{float(np.min(plain))!r} plain input tokens in a row"
        )
    plain = np.maximum(plain, 0.0) + (cached if cached_as_input else 0.0)
    plain = plain + (write if write_as_input else 0.0)

    def weighted(tokens: FloatArray, prices: FloatArray) -> float:
        total = float(tokens.sum())
        return float(np.sum(tokens * prices) / total) if total > 0 else float(prices.min(initial=0))

    counts = np.bincount(tiers, weights=n, minlength=n_tiers)
    return TieredPrices(
        input_usd_per_mtok=weighted(plain, p_in),
        cached_input_usd_per_mtok=math.nan if cached_as_input else weighted(cached, p_cached),
        cache_write_usd_per_mtok=math.nan if write_as_input else weighted(write, p_write),
        output_usd_per_mtok=weighted(out, p_out),
        tier_requests=tuple(round(float(c)) for c in counts),
    )


def exceeds_rate_limit(
    *,
    peak_per_minute: ArrayLike,
    limit_per_minute: ArrayLike,
) -> Any:
    """True where a peak rate exceeds a published limit (tokens or requests per minute).

    A limit of NaN means "not published" and never flags.

    >>> exceeds_rate_limit(peak_per_minute=[1e5, 5e6], limit_per_minute=2e6)
    array([False,  True])
    """
    peak = check_nonnegative(peak_per_minute, "peak_per_minute")
    limit = check_range(limit_per_minute, "limit_per_minute", lo=0.0, allow_nan=True)
    return scalar_or_array(np.where(np.isnan(limit), False, peak > limit), peak_per_minute)


def peak_per_minute(per_month: ArrayLike, peak_to_average: ArrayLike) -> Any:
    """Peak rate [1/minute] from a monthly count and the peak-to-average ratio.

    >>> peak_per_minute(43_800 * 100, 2.0)  # 100 per minute on average, twice that at peak
    200.0
    """
    count = check_nonnegative(per_month, "per_month")
    ratio = check_range(peak_to_average, "peak_to_average", lo=1.0)
    return scalar_or_array(count / MINUTES_PER_MONTH * ratio, per_month, peak_to_average)
