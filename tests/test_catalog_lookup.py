"""Lookups: ids with "did you mean", prices in force on a date, tiers, GPU rental medians."""

from __future__ import annotations

import statistics
from datetime import date

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from llmcost._core.errors import InvalidInputError, UnknownIdError
from llmcost.catalog import ENTITIES, load_catalog

CAT = load_catalog()


def test_load_catalog_is_cached():
    assert load_catalog() is CAT


def test_gpt4o_published_price_history():
    # OpenAI: GPT-4o launched 2024-05-13 at $5 / $15 per 1M tokens.
    june = CAT.api_price("openai/gpt-4o", as_of=date(2024, 6, 1))
    assert (june.input_usd_per_mtok, june.output_usd_per_mtok) == (5.0, 15.0)
    assert june.cached_input_usd_per_mtok is None
    # gpt-4o-2024-08-06 pricing $2.50 / $10, cached input $1.25 from prompt caching (2024-10-01).
    nov = CAT.api_price("openai/gpt-4o", as_of=date(2024, 11, 1))
    assert (nov.input_usd_per_mtok, nov.output_usd_per_mtok) == (2.5, 10.0)
    assert nov.cached_input_usd_per_mtok == 1.25
    assert nov.batch_discount_fraction == 0.5
    # The day a price takes effect it is in force; the day before it is not.
    assert CAT.api_price("openai/gpt-4o", as_of="2024-08-06").input_usd_per_mtok == 2.5
    assert CAT.api_price("openai/gpt-4o", as_of="2024-08-05").input_usd_per_mtok == 5.0


def test_latest_price_is_the_default():
    assert CAT.api_price("openai/gpt-4o") == CAT.api_price("openai/gpt-4o", date(2030, 1, 1))
    assert CAT.api_price("openai/o3").input_usd_per_mtok == 2.0  # after the 80 % cut


def test_a_date_before_the_first_price_names_the_earliest_date():
    with pytest.raises(InvalidInputError, match="2024-05-13"):
        CAT.api_price("openai/gpt-4o", as_of=date(2024, 1, 1))


def test_long_context_tier_applies_when_the_prompt_exceeds_the_threshold():
    # Gemini 2.5 Pro: prompts over 200k tokens pay $2.50 / $15 (base $1.25 / $10).
    base = CAT.api_price("google/gemini-2.5-pro", prompt_tokens=200_000)
    long = CAT.api_price("google/gemini-2.5-pro", prompt_tokens=200_001)
    assert (base.input_usd_per_mtok, base.output_usd_per_mtok) == (1.25, 10.0)
    assert (long.input_usd_per_mtok, long.output_usd_per_mtok) == (2.5, 15.0)
    assert long.tier_scope == "whole_request"
    tiers = CAT.api_tiers("google/gemini-2.5-pro")
    assert [t.min_prompt_tokens for t in tiers] == [0, 200_000]
    # Claude Sonnet 4's >200k tier was seen from 2025-09-01 only: before that, base price.
    early = CAT.api_price("anthropic/claude-sonnet-4", as_of="2025-06-01", prompt_tokens=300_000)
    assert early.input_usd_per_mtok == 3.0
    assert [
        t.min_prompt_tokens for t in CAT.api_tiers("anthropic/claude-sonnet-4", "2025-06-01")
    ] == [0]


@pytest.mark.parametrize("bad", [-1, 1.5, "10", True])
def test_prompt_tokens_must_be_a_non_negative_integer(bad):
    with pytest.raises(InvalidInputError, match="prompt_tokens"):
        CAT.api_price("openai/gpt-4o", prompt_tokens=bad)


def test_bad_as_of_is_an_input_error():
    with pytest.raises(InvalidInputError, match="as_of"):
        CAT.api_price("openai/gpt-4o", as_of="June 2024")


def test_unknown_ids_suggest_close_matches():
    with pytest.raises(UnknownIdError, match="did you mean 'openai/gpt-4o'"):
        CAT.api_price("openai/gpt4o")
    with pytest.raises(UnknownIdError, match="h100-sxm") as info:
        CAT.gpu_spec("h100")
    assert isinstance(info.value, KeyError)
    with pytest.raises(UnknownIdError, match=r"llama-3\.1-70b"):
        CAT.model("llama-3.1-70")


def test_behemoth_has_no_spec():
    with pytest.raises(InvalidInputError, match="announced, no published architecture"):
        CAT.model_spec("llama-4-behemoth")


def test_every_released_model_and_every_gpu_builds_a_spec():
    for model in CAT.models:
        if model.released:
            assert CAT.model_spec(model.id).id == model.id
    for gpu in CAT.gpus:
        assert CAT.gpu_spec(gpu.id).memory_gb == gpu.memory_gb


def test_price_history_is_a_dated_frame():
    hist = CAT.price_history("bedrock/llama-3.1-70b")
    assert list(hist["effective_from"]) == [date(2024, 7, 25), date(2024, 9, 6), date(2026, 11, 23)]
    assert list(hist["input_usd_per_mtok"]) == [2.65, 0.99, 0.72]
    assert {"source", "as_of"} <= set(hist.columns)


def test_gpu_price_median_uses_the_latest_observation_per_offer():
    # h200 on demand: AWS p5en post-cut 7.912 replaces its pre-cut 10.60; Nebius 3.50.
    price, offers = CAT.gpu_price_usd_per_hour("h200")
    assert price == pytest.approx((7.912 + 3.50) / 2)
    assert sorted(o.usd_per_gpu_hour for o in offers) == [3.50, 7.912]
    # Seen by 2025-06-01 only the pre-cut AWS price existed.
    early, rows = CAT.gpu_price_usd_per_hour("h200", as_of=date(2025, 6, 1))
    assert early == 10.60
    assert len(rows) == 1
    # One provider: its own offers (Lambda 8x 3.99 and 1x 4.29).
    lam, _ = CAT.gpu_price_usd_per_hour("h100-sxm", provider="lambda")
    assert lam == pytest.approx((3.99 + 4.29) / 2)
    reserved, _ = CAT.gpu_price_usd_per_hour("h100-sxm", term="reserved_3y")
    assert reserved == 4.86  # GCP a3-highgpu-8g 3-year CUD


def test_no_matching_gpu_offer_lists_what_exists():
    with pytest.raises(InvalidInputError, match="lambda:on_demand"):
        CAT.gpu_price_usd_per_hour("h100-sxm", provider="coreweave")
    with pytest.raises(InvalidInputError, match="give a price yourself"):
        CAT.gpu_price_usd_per_hour("mi300x")
    with pytest.raises(InvalidInputError, match="term must be one of"):
        CAT.gpu_price_usd_per_hour("h100-sxm", term="monthly")
    with pytest.raises(UnknownIdError):
        CAT.gpu_price_usd_per_hour("h1000")


def test_hardware_and_facility_lookups():
    rows = CAT.hardware_for("h100-sxm")
    assert all(r.gpu == "h100-sxm" for r in rows)
    scopes = [r.price_scope for r in rows]
    assert scopes == sorted(scopes, reverse=True)  # server shares first, then GPU-only prices
    servers = [r.as_of for r in rows if r.price_scope == "server_share"]
    assert servers == sorted(servers, reverse=True)  # newest first
    assert rows[0].item_id == "dgx-h100-2025-03"  # 375,000 per DGX H100 / 8 GPUs
    assert rows[0].usd_per_gpu == 375_000 / 8
    assert CAT.hardware_for("gb200") == []
    with pytest.raises(UnknownIdError, match="pue"):
        CAT.facility_default("pue_ratio")


@pytest.mark.parametrize("entity", ENTITIES)
def test_to_frame_has_one_row_per_record(entity):
    frame = CAT.to_frame(entity)
    assert isinstance(frame, pd.DataFrame)
    assert len(frame) == len(getattr(CAT, entity))
    assert list(frame.columns[-3:]) == ["source", "as_of", "notes"]


def test_to_frame_rejects_unknown_entities():
    with pytest.raises(InvalidInputError, match="entity must be one of"):
        CAT.to_frame("prices")


_OFFERS = CAT.offer_ids
_DAYS = st.dates(min_value=date(2024, 1, 1), max_value=date(2027, 12, 31))


@settings(max_examples=200, deadline=None)
@given(offer=st.sampled_from(_OFFERS), day=_DAYS, prompt=st.integers(0, 2_000_000))
def test_price_in_force_is_the_latest_row_not_after_the_date(offer, day, prompt):
    rows = [r for r in CAT.api_prices if r.offer_id == offer]
    base = [r for r in rows if r.min_prompt_tokens == 0 and r.effective_from <= day]
    if not base:
        with pytest.raises(InvalidInputError):
            CAT.api_price(offer, day, prompt)
        return
    got = CAT.api_price(offer, day, prompt)
    assert got.effective_from <= day
    same_tier = [r for r in rows if r.min_prompt_tokens == got.min_prompt_tokens]
    assert got.effective_from == max(r.effective_from for r in same_tier if r.effective_from <= day)
    assert got.min_prompt_tokens == 0 or prompt > got.min_prompt_tokens
    # No higher tier in force that the prompt also exceeds.
    higher = [
        r for r in rows
        if got.min_prompt_tokens < r.min_prompt_tokens < prompt and r.effective_from <= day
    ]  # fmt: skip
    assert higher == []


@settings(max_examples=100, deadline=None)
@given(
    gpu=st.sampled_from(sorted({o.gpu for o in CAT.gpu_offers})),
    term=st.sampled_from(["on_demand", "reserved_1y", "reserved_3y", "spot"]),
    day=st.one_of(st.none(), _DAYS),
)
def test_gpu_price_is_the_median_of_the_offers_it_returns(gpu, term, day):
    try:
        price, offers = CAT.gpu_price_usd_per_hour(gpu, term, as_of=day)
    except InvalidInputError:
        assert CAT.gpu_offers_for(gpu, term, as_of=day) == []
        return
    values = [o.usd_per_gpu_hour for o in offers]
    assert price == statistics.median(values)
    assert min(values) <= price <= max(values)
    assert all(o.gpu == gpu and o.term == term for o in offers)
    assert day is None or all(o.as_of <= day for o in offers)
    # Each returned offer is the newest observation of its (provider, instance, region, term).
    for o in offers:
        newer = [
            r for r in CAT.gpu_offers
            if r.key == o.key and r.as_of > o.as_of and (day is None or r.as_of <= day)
        ]  # fmt: skip
        assert newer == []
