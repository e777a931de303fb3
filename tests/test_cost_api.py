"""API billing rules: hand-computed bills (exact to the cent) and invariants."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from llmcost._core.errors import InvalidInputError
from llmcost.cost.api import (
    api_bill,
    exceeds_rate_limit,
    peak_per_minute,
    select_tier_price,
    tier_index,
)

GPT4O = {"input_usd_per_mtok": 2.50, "output_usd_per_mtok": 10.00}  # pricing.md §1a, 2024-08-06


def test_gpt4o_hand_bill() -> None:
    # 3e6 × 1,500 = 4.5e9 input tokens × $2.50/1e6 = $11,250
    # 3e6 × 300 = 9e8 output tokens × $10/1e6 = $9,000  → $20,250 (issue 4)
    bill = api_bill(
        requests_per_month=3_000_000,
        input_tokens_per_request=1500,
        output_tokens_per_request=300,
        **GPT4O,
    )
    assert bill.input_usd == pytest.approx(11_250.00, abs=0.005)
    assert bill.output_usd == pytest.approx(9_000.00, abs=0.005)
    assert bill.total_usd == pytest.approx(20_250.00, abs=0.005)
    # 5.4e9 tokens in all: 20,250 / 5,400 = 3.75 $/1M blended
    assert bill.usd_per_mtok == pytest.approx(3.75)


def test_gpt4o_half_cached_hand_bill() -> None:
    # 2.25e9 uncached × 2.50/1e6 = 5,625; 2.25e9 cached × 1.25/1e6 = 2,812.50;
    # output 9,000 → $17,437.50 (issue 4)
    bill = api_bill(
        requests_per_month=3_000_000,
        input_tokens_per_request=1500,
        output_tokens_per_request=300,
        cached_input_usd_per_mtok=1.25,
        cached_input_fraction=0.5,
        **GPT4O,
    )
    assert bill.cached_input_usd == pytest.approx(2_812.50, abs=0.005)
    assert bill.total_usd == pytest.approx(17_437.50, abs=0.005)
    # effective input price: (5,625 + 2,812.50) / 4,500 M = 1.875 $/1M
    assert bill.input_usd_per_mtok == pytest.approx(1.875)


def test_no_caching_offer_bills_hits_as_input() -> None:
    # gpt-4o-2024-05-13 had no caching (NaN): caching changes nothing.
    kwargs = {"requests_per_month": 1e6, "input_tokens_per_request": 1000}
    plain = api_bill(output_tokens_per_request=0, **kwargs, **GPT4O)
    cached = api_bill(output_tokens_per_request=0, cached_input_fraction=0.7, **kwargs, **GPT4O)
    assert cached.total_usd == pytest.approx(plain.total_usd)
    assert cached.cached_input_usd == 0.0  # reported as plain input, not as cache hits
    assert cached.input_usd == pytest.approx(plain.input_usd)


def test_batch_and_cached_hand_bill() -> None:
    # GPT-4o-mini $0.15 in / $0.075 cached / $0.60 out (pricing.md §1a); 1e6 requests ×
    # (2,000 in, 500 out); 40 % of input cached; 30 % of requests via batch at 50 % off.
    # list: uncached 1.2e9 × 0.15/1e6 = 180; cached 0.8e9 × 0.075/1e6 = 60;
    #       output 5e8 × 0.60/1e6 = 300 → 540; batch factor 1 − 0.3 × 0.5 = 0.85 → 459.00
    bill = api_bill(
        requests_per_month=1_000_000,
        input_tokens_per_request=2000,
        output_tokens_per_request=500,
        input_usd_per_mtok=0.15,
        cached_input_usd_per_mtok=0.075,
        output_usd_per_mtok=0.60,
        cached_input_fraction=0.4,
        batch_eligible_fraction=0.3,
        batch_discount_fraction=0.5,
    )
    assert bill.input_usd == pytest.approx(153.00, abs=0.005)
    assert bill.cached_input_usd == pytest.approx(51.00, abs=0.005)
    assert bill.output_usd == pytest.approx(255.00, abs=0.005)
    assert bill.total_usd == pytest.approx(459.00, abs=0.005)


def test_cache_write_hand_bill() -> None:
    # Claude Sonnet 4.5: $3 in, $3.75 cache write (5 min), $0.30 cache read, $15 out (§1b).
    # 1e5 requests × 10,000 in: 10 % plain 1e8 × 3/1e6 = 300; 80 % read 8e8 × 0.3/1e6 = 240;
    # 10 % written 1e8 × 3.75/1e6 = 375; output 1e5 × 500 = 5e7 × 15/1e6 = 750 → 1,665
    bill = api_bill(
        requests_per_month=100_000,
        input_tokens_per_request=10_000,
        output_tokens_per_request=500,
        input_usd_per_mtok=3.0,
        cached_input_usd_per_mtok=0.30,
        cache_write_usd_per_mtok=3.75,
        output_usd_per_mtok=15.0,
        cached_input_fraction=0.8,
        cache_write_fraction=0.1,
    )
    assert bill.cache_write_usd == pytest.approx(375.0)
    assert bill.total_usd == pytest.approx(1_665.0, abs=0.005)


def test_long_context_tier_prices_whole_request() -> None:
    # Gemini 2.5 Pro: ≤200k prompt $1.25 in / $10 out; >200k $2.50 / $15 (pricing.md §1c).
    thresholds = [0, 200_000]
    prompts = np.array([150_000, 250_000])
    p_in = select_tier_price(prompts, thresholds, [1.25, 2.50])
    p_out = select_tier_price(prompts, thresholds, [10.0, 15.0])
    bill = api_bill(
        requests_per_month=1000,
        input_tokens_per_request=prompts,
        output_tokens_per_request=1000,
        input_usd_per_mtok=p_in,
        output_usd_per_mtok=p_out,
    )
    # 1,000 × 150,000 = 1.5e8 × 1.25/1e6 = 187.50; 1e6 out × 10/1e6 = 10 → 197.50
    # 1,000 × 250,000 = 2.5e8 × 2.50/1e6 = 625.00; 1e6 out × 15/1e6 = 15 → 640.00
    np.testing.assert_allclose(bill.total_usd, [197.50, 640.00], atol=0.005)


def test_tier_boundary_is_strictly_more_than() -> None:
    assert tier_index(200_000, [0, 200_000]) == 0
    assert tier_index(200_001, [0, 200_000]) == 1
    with pytest.raises(InvalidInputError, match="increasing"):
        tier_index(1, [200_000, 0])


def test_rate_limit_flag() -> None:
    # 3e6 requests × 1,800 tokens = 5.4e9 tokens/month / 43,800 min ≈ 123,288/min average;
    # × 3 peak-to-average ≈ 369,863/min: over a 300,000 TPM tier, under 2,000,000.
    peak = peak_per_minute(5.4e9, 3.0)
    assert peak == pytest.approx(5.4e9 / 43_800 * 3)
    assert exceeds_rate_limit(peak_per_minute=peak, limit_per_minute=300_000)
    assert not exceeds_rate_limit(peak_per_minute=peak, limit_per_minute=2_000_000)
    assert not exceeds_rate_limit(peak_per_minute=peak, limit_per_minute=np.nan)


def test_bad_inputs_name_the_field() -> None:
    with pytest.raises(InvalidInputError, match=r"cached_input_fraction must be ≤ 1; got 1.5"):
        api_bill(
            requests_per_month=1,
            input_tokens_per_request=1,
            output_tokens_per_request=1,
            cached_input_fraction=1.5,
            **GPT4O,
        )
    with pytest.raises(InvalidInputError, match="requests_per_month must be ≥ 0"):
        api_bill(
            requests_per_month=-1, input_tokens_per_request=1, output_tokens_per_request=1, **GPT4O
        )


def test_scalar_array_series() -> None:
    kw = {"input_tokens_per_request": 1000, "output_tokens_per_request": 100, **GPT4O}
    assert isinstance(api_bill(requests_per_month=1e6, **kw).total_usd, float)
    arr = api_bill(requests_per_month=np.array([1e6, 2e6]), **kw).total_usd
    assert isinstance(arr, np.ndarray)
    assert arr.shape == (2,)
    series = pd.Series([1e6, 2e6], index=["a", "b"])
    out = api_bill(requests_per_month=series, **kw).input_usd
    assert list(out.index) == ["a", "b"]
    frame = api_bill(requests_per_month=np.array([1e6, 2e6]), **kw).to_frame()
    assert list(frame["total_usd"]) == pytest.approx(list(arr))


fraction = st.floats(0.0, 1.0)
price = st.floats(0.0, 100.0)


@given(
    req=st.floats(0, 1e9),
    tin=st.floats(0, 1e5),
    tout=st.floats(0, 1e4),
    p_in=price,
    p_out=price,
    p_cached=price,
    cached=fraction,
    batch=fraction,
    discount=fraction,
)
def test_properties(
    req: float,
    tin: float,
    tout: float,
    p_in: float,
    p_out: float,
    p_cached: float,
    cached: float,
    batch: float,
    discount: float,
) -> None:
    kw = {
        "requests_per_month": req,
        "input_tokens_per_request": tin,
        "output_tokens_per_request": tout,
        "cached_input_fraction": cached,
        "batch_eligible_fraction": batch,
        "batch_discount_fraction": discount,
    }
    prices = {
        "input_usd_per_mtok": p_in,
        "output_usd_per_mtok": p_out,
        "cached_input_usd_per_mtok": p_cached,
    }
    bill = api_bill(**kw, **prices)
    # components sum to the total
    assert sum(bill.components().values()) == pytest.approx(bill.total_usd, rel=1e-12, abs=1e-9)
    # doubling every price doubles every cost
    doubled = api_bill(**kw, **{k: 2 * v for k, v in prices.items()})
    for name, value in bill.components().items():
        assert doubled.components()[name] == pytest.approx(2 * value, rel=1e-12, abs=1e-9)
    # more volume never costs less
    more = api_bill(**(kw | {"requests_per_month": req * 1.5 + 1}), **prices)
    assert more.total_usd >= bill.total_usd
