"""as_of per option: an option with no price on that day is reported unavailable (with the date
its price starts) and the rest compare as usual."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from llmcost._core.errors import InvalidInputError, PriceNotYetAvailableError
from llmcost.catalog import load_catalog
from llmcost.cli import main
from llmcost.export import render_report
from llmcost.scenario import compare, parse_scenario

CATALOG = load_catalog()
# between the catalog's first GPT-4o price (2024-05-13) and first GPT-4o mini price (2024-07-18)
BETWEEN = date(2024, 6, 1)
CHAT = {
    "requests_per_month": 3_000_000,
    "input_tokens_per_request": 1500,
    "output_tokens_per_request": 300,
}
GPT4O = {"name": "gpt-4o", "kind": "api", "offer": "openai/gpt-4o"}
MINI = {"name": "mini", "kind": "api", "offer": "openai/gpt-4o-mini"}
H100 = {
    "name": "h100",
    "kind": "self_hosted",
    "model": "llama-3.3-70b",
    "gpu": "h100-sxm",
    "gpus_per_replica": 8,
    "precision": "fp8",
    "requests_per_s_per_replica": 5.0,
}


def _scenario(*options: dict[str, Any]) -> Any:
    return parse_scenario({"name": "early", "workload": CHAT, "options": list(options)})


def test_catalog_names_the_first_price_date() -> None:
    with pytest.raises(PriceNotYetAvailableError, match="2024-07-18") as info:
        CATALOG.api_tiers("openai/gpt-4o-mini", BETWEEN)
    assert info.value.available_from == date(2024, 7, 18)
    with pytest.raises(PriceNotYetAvailableError) as gpu:
        CATALOG.gpu_price_usd_per_hour("h100-sxm", "on_demand", as_of=BETWEEN)
    first = min(r.as_of for r in CATALOG.gpu_offers if (r.gpu, r.term) == ("h100-sxm", "on_demand"))
    assert gpu.value.available_from == first > BETWEEN


def test_between_two_first_prices_the_later_option_is_unavailable() -> None:
    result = compare(_scenario(GPT4O, MINI), as_of=BETWEEN, catalog=CATALOG)
    # GPT-4o's launch price in force then: 4.5e9 input × $5/1M + 9e8 output × $15/1M
    # = 22,500 + 13,500 = $36,000 a month (catalog row effective 2024-05-13)
    assert [o.name for o in result.options] == ["gpt-4o"]
    assert result.option("gpt-4o").monthly_cost_usd == pytest.approx(36_000.0)
    assert result.cheapest == "gpt-4o"
    (u,) = result.unavailable
    assert (u.name, u.kind, u.as_of, u.available_from) == (
        "mini",
        "api",
        BETWEEN,
        date(2024, 7, 18),
    )
    alone = compare(_scenario(GPT4O), as_of=BETWEEN, catalog=CATALOG)
    assert result.to_dict()["options"] == alone.to_dict()["options"]
    # from its first price on, the option compares again
    later = compare(_scenario(GPT4O, MINI), as_of=date(2024, 7, 18), catalog=CATALOG)
    assert later.unavailable == []
    assert len(later.options) == 2


def test_rented_gpu_before_its_first_offer() -> None:
    result = compare(_scenario(GPT4O, H100), as_of=BETWEEN, catalog=CATALOG)
    (u,) = result.unavailable
    assert u.name == "h100"
    assert u.kind == "self_hosted"
    assert u.available_from > BETWEEN
    # a price given in the scenario needs no catalog row: the option is available
    priced = compare(_scenario(GPT4O, H100 | {"gpu_usd_per_hour": 2.5}), as_of=BETWEEN)
    assert priced.unavailable == []
    assert priced.option("h100").feasible


def test_no_option_priced_names_every_date() -> None:
    with pytest.raises(InvalidInputError, match=r"no option .*\(mini from 2024-07-18\)"):
        compare(_scenario(MINI), as_of=BETWEEN, catalog=CATALOG)


def test_json_text_and_report_say_unavailable(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "early.toml"
    path.write_text(
        'name = "early"\nas_of = 2024-06-01\n[workload]\nrequests_per_month = 3_000_000\n'
        "input_tokens_per_request = 1500\noutput_tokens_per_request = 300\n"
        '[[options]]\nname = "gpt-4o"\nkind = "api"\noffer = "openai/gpt-4o"\n'
        '[[options]]\nname = "mini"\nkind = "api"\noffer = "openai/gpt-4o-mini"\n',
        encoding="utf-8",
    )
    assert main(["compare", str(path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [o["name"] for o in data["options"]] == ["gpt-4o"]
    assert data["unavailable"][0]["name"] == "mini"
    assert data["unavailable"][0]["available_from"] == "2024-07-18"
    assert main(["compare", str(path)]) == 0
    assert (
        "mini: unavailable on 2024-06-01 — its price starts 2024-07-18" in capsys.readouterr().out
    )
    report = render_report(compare(path), "md")
    assert "mini: unavailable on 2024-06-01" in report
    assert "starts 2024-07-18" in report
