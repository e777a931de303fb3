"""``--prices PATH``: our CSV sheet, LiteLLM's JSON and a genai-prices data file (issue 18).

The genai-prices fixture follows the shape of pydantic/genai-prices ``prices/data.json``
(providers → models → prices, with tiered prices ``{base, tiers: [{start, price}]}`` and
conditional prices ``[{constraint, prices}]``); its prices are made up for the test.
"""

from __future__ import annotations

import json

import pytest

from llmcost import CatalogError, compare
from llmcost.catalog import load_catalog, read_price_file, with_prices
from llmcost.cli import main

GENAI = [
    {
        "id": "acme",
        "name": "Acme",
        "api_pattern": "api.acme.example",
        "models": [
            {
                "id": "acme-large-1",
                "match": {"equals": "acme-large-1"},
                "context_window": 1_000_000,
                "prices": [
                    {
                        "constraint": None,
                        "prices": {
                            "input_mtok": {
                                "base": 1.25,
                                "tiers": [{"start": 200_000, "price": 2.5}],
                            },
                            "cache_read_mtok": 0.125,
                            "output_mtok": {"base": 10, "tiers": [{"start": 200_000, "price": 15}]},
                        },
                    },
                    {
                        "constraint": {"start_date": "2025-06-01"},
                        "prices": {"input_mtok": 1.0, "output_mtok": 8.0},
                    },
                ],
            },
            {
                "id": "acme-night",
                "match": {"equals": "acme-night"},
                "prices": [
                    {"constraint": None, "prices": {"input_mtok": 1, "output_mtok": 2}},
                    {
                        "constraint": {"start_time": "16:30:00Z", "end_time": "00:30:00Z"},
                        "prices": {"input_mtok": 0.5, "output_mtok": 1},
                    },
                ],
            },
            {"id": "acme-embed", "match": {"equals": "acme-embed"}, "prices": {"input_mtok": 0.02}},
        ],
    }
]


def _scenario(tmp_path, offer: str, tin: int, tout: int, requests: float) -> str:
    path = tmp_path / "s.toml"
    path.write_text(
        f'name = "p"\n[workload]\nrequests_per_month = {requests!r}\n'
        f"input_tokens_per_request = {tin}\noutput_tokens_per_request = {tout}\n"
        f'[[options]]\nname = "x"\nkind = "api"\noffer = "{offer}"\n'
    )
    return str(path)


def _cost(capsys, argv: list[str]) -> float:
    assert main([*argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)["options"][0]["monthly_cost_usd"]


def test_genai_prices_file_tiers_dates_and_skipped_models(tmp_path, capsys):
    path = tmp_path / "data.json"
    path.write_text(json.dumps(GENAI))
    short = _scenario(tmp_path, "acme/acme-large-1", 1000, 200, 1e6)
    # before the dated price: 1e9 × 1.25 + 2e8 × 10 per 1M = 1,250 + 2,000
    got = _cost(capsys, ["compare", short, "--prices", str(path), "--as-of", "2025-05-31"])
    assert got == pytest.approx(3250.0, rel=1e-12)
    # from 2025-06-01: 1e9 × 1.0 + 2e8 × 8.0 per 1M = 1,000 + 1,600
    assert _cost(
        capsys, ["compare", short, "--prices", str(path), "--as-of", "2025-07-01"]
    ) == pytest.approx(2600.0, rel=1e-12)
    # a 300k prompt is above the 200k tier: 1,000 × (300,000 × 2.5 + 1,000 × 15) / 1e6
    long = _scenario(tmp_path, "acme/acme-large-1", 300_000, 1000, 1000.0)
    got = _cost(capsys, ["compare", long, "--prices", str(path), "--as-of", "2025-05-31"])
    assert got == pytest.approx(765.0, rel=1e-12)
    assert main(["compare", short, "--prices", str(path), "--as-of", "2025-05-31"]) == 0
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "2 entries skipped" in err[0]
    assert "'acme-night': time-of-day prices" in err[0]
    assert "expected a model with input_mtok and output_mtok prices" in err[0]
    file = read_price_file(path)
    assert file.format == "genai-prices"
    assert {r.key for r in file.rows} == {
        "acme/acme-large-1@2025-05-31",
        "acme/acme-large-1@2025-05-31>200000",
        "acme/acme-large-1@2025-06-01",
    }


def test_litellm_json_and_our_csv_through_prices(tmp_path, capsys):
    litellm = tmp_path / "model_prices_and_context_window.json"
    litellm.write_text(
        json.dumps(
            {
                "acme/fast": {
                    "litellm_provider": "acme",
                    "mode": "chat",
                    "input_cost_per_token": 2e-7,
                    "output_cost_per_token": 8e-7,
                },
                "acme/embed": {
                    "litellm_provider": "acme",
                    "mode": "embedding",
                    "input_cost_per_token": 1e-8,
                },
            }
        )
    )
    s = _scenario(tmp_path, "acme/fast", 1000, 200, 1e6)
    # 1e9 × 0.2 + 2e8 × 0.8 per 1M = 200 + 160
    assert _cost(capsys, ["compare", s, "--prices", str(litellm)]) == pytest.approx(360.0)
    with pytest.warns(UserWarning, match="1 entries skipped: key 'acme/embed'; expected mode"):
        with_prices(load_catalog(), litellm)
    sheet = tmp_path / "my_prices.csv"
    sheet.write_text(
        "\ufeffoffer_id,provider,model,effective_from,input_usd_per_mtok,output_usd_per_mtok,"
        "source,as_of\nacme/fast,acme,fast,2025-01-01,0.5,1.5,our contract,2025-01-01\n"
    )
    # both files: the later one's offer replaces the earlier's; 1e9 × 0.5 + 2e8 × 1.5 = 800
    argv = ["compare", s, "--prices", str(litellm), "--prices", str(sheet)]
    assert _cost(capsys, argv) == pytest.approx(800.0)
    # breakeven (and report) take the same flag: the API line at our contract price
    two = tmp_path / "two.toml"
    two.write_text(
        (tmp_path / "s.toml").read_text()
        + '[[options]]\nname = "own"\nkind = "self_hosted"\nmodel = "llama-3.1-8b"\n'
        'gpu = "l4"\ngpus_per_replica = 1\ngpu_usd_per_hour = 0.8\n'
    )
    assert main(["breakeven", str(two), "--prices", str(sheet), "--json"]) == 0
    pair = json.loads(capsys.readouterr().out)["pairs"][0]
    assert {pair["option_a"], pair["option_b"]} == {"x", "own"}


def test_a_file_in_no_format_names_the_formats(tmp_path, capsys):
    bad = tmp_path / "prices.json"
    bad.write_text('{"a": 1}')
    s = _scenario(tmp_path, "openai/gpt-4o", 1000, 200, 1e6)
    assert main(["compare", s, "--prices", str(bad)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "a LiteLLM model_prices_and_context_window.json or a genai-prices data file" in err[0]
    with pytest.raises(CatalogError, match="price file not found"):
        read_price_file(tmp_path / "missing.json")
    wrong = tmp_path / "gpus.csv"
    wrong.write_text("id,name\nx,y\n")
    with pytest.raises(CatalogError, match=r"gpus\.csv: row 1: unknown column 'id'"):
        read_price_file(wrong)
    # the same price file works as --catalog / load_catalog(path) too
    gp = tmp_path / "data.json"
    gp.write_text(json.dumps(GENAI))
    with pytest.warns(UserWarning, match="2 entries skipped"):
        cat = load_catalog(gp)
    assert cat.catalog_version.endswith("+user")
    result = compare(_scenario(tmp_path, "acme/acme-large-1", 1000, 200, 1e6), catalog=cat,
                     as_of="2025-07-01")  # fmt: skip
    assert result.option("x").monthly_cost_usd == pytest.approx(2600.0)
