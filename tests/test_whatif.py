"""What-if: ``Scenario.replace`` and ``compare(overrides=)`` (issue 22)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from llmcost import InvalidInputError
from llmcost.scenario import compare, load_scenario

ROOT = Path(__file__).resolve().parents[1]
CHAT = ROOT / "examples" / "scenarios" / "chat-assistant.toml"
MIX = ROOT / "examples" / "scenarios" / "feature-mix.toml"
GPU_PRICE = "options.llama-3.3-70b-2xh100.gpu_usd_per_hour"


@pytest.fixture(scope="module")
def chat():
    return load_scenario(CHAT)


def test_workload_field_by_name_returns_a_new_scenario(chat):
    new = chat.replace(requests_per_month=8e6)
    assert new.workload.requests_per_month == 8e6
    assert chat.workload.requests_per_month == 5_000_000  # the original is unchanged
    assert new.workload.input_tokens_per_request == chat.workload.input_tokens_per_request
    assert new.options == chat.options


def test_dotted_option_path_with_dots_in_the_name(chat):
    new = chat.replace(**{GPU_PRICE: 2.5, "workload.horizon_months": 6})
    opt = next(o for o in new.options if o.name == "llama-3.3-70b-2xh100")
    assert opt.gpu_usd_per_hour == 2.5
    assert new.workload.horizon_months == 6
    other = next(o for o in new.options if o.name == "maverick-8xh100")
    assert other.gpu_usd_per_hour is None


def test_feature_path_and_none_removes_a_field():
    mix = load_scenario(MIX)
    new = mix.replace(**{"workload.features.chat.output_tokens_per_request": 999})
    chat_feature = next(f for f in new.workload.features if f.name == "chat")
    assert chat_feature.output_tokens_per_request == 999
    with_price = load_scenario(CHAT).replace(**{GPU_PRICE: 2.5})
    back = with_price.replace(**{GPU_PRICE: None})
    assert back == load_scenario(CHAT)


def test_bad_value_is_validated_and_names_the_path(chat):
    negative_volume = r"requests_per_month = -1\.0: must be ≥ 0 requests per month"
    with pytest.raises(InvalidInputError, match=negative_volume):
        chat.replace(requests_per_month=-1.0)
    free_gpu = r"gpu_usd_per_hour = 0: must be > 0 USD per GPU-hour"
    with pytest.raises(InvalidInputError, match=free_gpu):
        chat.replace(**{GPU_PRICE: 0})
    # a change that breaks a rule across fields is caught too
    with pytest.raises(InvalidInputError, match="exactly one of requests_per_month"):
        chat.replace(tokens_per_month=1e9)


def test_unknown_keys_suggest_the_closest(chat):
    with pytest.raises(InvalidInputError, match=r"did you mean 'llama-3.3-70b-2xh100'"):
        chat.replace(**{"options.llama-3.3-70b-2xh10.gpu_usd_per_hour": 2.5})
    with pytest.raises(InvalidInputError, match=r"did you mean 'gpu_usd_per_hour'"):
        chat.replace(**{"options.llama-3.3-70b-2xh100.gpu_usd_per_hr": 2.5})
    with pytest.raises(InvalidInputError, match=r"did you mean 'requests_per_month'"):
        chat.replace(request_per_month=1e6)
    with pytest.raises(InvalidInputError, match="unknown field 'kind'"):
        chat.replace(**{"options.gpt-4o.kind": "self_hosted"})


def test_compare_overrides_equals_replace(chat):
    a = compare(chat, overrides={"requests_per_month": 8e6, GPU_PRICE: 2.5})
    b = compare(chat.replace(requests_per_month=8e6, **{GPU_PRICE: 2.5}))
    assert a.to_dict() == b.to_dict()
    base = compare(chat)
    assert a.option("gpt-4o").monthly_cost_usd == pytest.approx(
        base.option("gpt-4o").monthly_cost_usd * 8e6 / 5e6, rel=1e-12
    )


def _edit_toml(text: str, volume: int, tokens_in: int, gpu_price: float) -> str:
    """The chat scenario's TOML with the volume, input length and one GPU price edited."""
    text, n1 = re.subn(
        r"(?m)^requests_per_month = 5_000_000", f"requests_per_month = {volume}", text
    )
    text, n2 = re.subn(
        r"(?m)^input_tokens_per_request = 2_000", f"input_tokens_per_request = {tokens_in}", text
    )
    text, n3 = re.subn(
        r'(?m)^name = "llama-3.3-70b-2xh100"$',
        f'name = "llama-3.3-70b-2xh100"\ngpu_usd_per_hour = {gpu_price!r}',
        text,
    )
    assert (n1, n2, n3) == (1, 1, 1)
    return text


@settings(max_examples=5, deadline=None)
@given(
    volume=st.integers(10_000, 50_000_000),
    tokens_in=st.integers(1, 8_000),
    gpu_price=st.floats(0.5, 10.0, allow_nan=False).map(lambda x: round(x, 4)),
)
def test_replace_then_compare_equals_editing_the_toml(
    tmp_path_factory, volume, tokens_in, gpu_price
):
    path = tmp_path_factory.mktemp("whatif") / "chat-assistant.toml"
    path.write_text(_edit_toml(CHAT.read_text(encoding="utf-8"), volume, tokens_in, gpu_price))
    edited = load_scenario(path)
    replaced = load_scenario(CHAT).replace(
        requests_per_month=volume, input_tokens_per_request=tokens_in, **{GPU_PRICE: gpu_price}
    )
    assert replaced == edited
    assert compare(replaced).to_dict() == compare(edited).to_dict()
