"""A user's own sheets (``load_catalog(path)``) go through the same validation; files the
directory lacks fall back to the bundled catalog."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest

from llmcost._core.errors import CatalogError
from llmcost.catalog import bundled_dir, load_catalog


def _copy(tmp_path: Path, name: str) -> Path:
    dest = tmp_path / name
    shutil.copy(bundled_dir() / name, dest)
    return dest


def _edit(path: Path, row_index: int, column: str, value: str) -> None:
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        header, rows = list(reader.fieldnames or []), list(reader)
    rows[row_index][column] = value
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def test_a_user_file_replaces_the_bundled_one_and_the_rest_falls_back(tmp_path):
    gpus = _copy(tmp_path, "gpus.csv")
    _edit(gpus, 0, "memory_gb", "32")  # first row: a10g
    cat = load_catalog(tmp_path)
    assert cat.gpu("a10g").memory_gb == 32
    assert cat.files["gpus"] == str(gpus)
    # Every other entity comes from the bundled catalog.
    assert cat.api_prices == load_catalog().api_prices
    assert cat.files["models"] == str(bundled_dir() / "models.csv")
    assert cat.catalog_version == load_catalog().catalog_version + "+user"


def test_a_user_manifest_sets_the_version(tmp_path):
    (tmp_path / "manifest.toml").write_text('catalog_version = "acme-2026-q4"\n')
    assert load_catalog(tmp_path).catalog_version == "acme-2026-q4"


def test_a_user_file_with_only_some_rows_is_the_whole_table(tmp_path):
    (tmp_path / "gpu_offers.csv").write_text(
        "provider,gpu,region,term,usd_per_gpu_hour,gpus_per_instance,instance_type,source,as_of\n"
        "acme,h100-sxm,,on_demand,2.10,8,acme-8x,internal quote Q-17,2026-11-01\n"
    )
    cat = load_catalog(tmp_path)
    price, offers = cat.gpu_price_usd_per_hour("h100-sxm")
    assert price == 2.10
    assert [o.provider for o in offers] == ["acme"]


def test_a_bad_value_names_file_row_column_and_value(tmp_path):
    prices = _copy(tmp_path, "api_prices.csv")
    _edit(prices, 2, "input_usd_per_mtok", "-2.5")  # data row 3 = file row 4
    with pytest.raises(
        CatalogError, match=r"api_prices\.csv: row 4, column 'input_usd_per_mtok'.*'-2\.5'"
    ):
        load_catalog(tmp_path)


@pytest.mark.parametrize(
    ("file", "column", "value", "message"),
    [
        ("api_prices.csv", "effective_from", "2024/05/13", "ISO date"),
        ("api_prices.csv", "batch_discount_fraction", "50", "less than or equal to 1"),
        ("api_prices.csv", "offer_id", "OpenAI/GPT-4o", "kebab"),
        ("api_prices.csv", "source", "", "source"),
        ("gpus.csv", "fp8_tflops", "500", "no FP8"),  # row 0 is the Ampere A10G
        ("gpus.csv", "interconnect_kind", "infiniband", "interconnect_kind"),
        ("gpus.csv", "achievable_bandwidth_ratio", "0", "greater than 0"),
        ("gpus.csv", "achievable_compute_ratio", "2.5", "less than or equal to 2"),
        ("models.csv", "hidden_size", "", "released model needs hidden_size"),
        ("gpu_offers.csv", "term", "monthly", "term"),
    ],
)
def test_bad_user_rows_are_catalog_errors(tmp_path, file, column, value, message):
    _edit(_copy(tmp_path, file), 0, column, value)
    with pytest.raises(CatalogError, match=message) as info:
        load_catalog(tmp_path)
    assert f"{file}: row 2" in str(info.value)


def test_unknown_column_is_rejected(tmp_path):
    (tmp_path / "facility.csv").write_text(
        "parameter,value,vat,source,as_of\npue,1.2,0.2,x,2026-01-01\n"
    )
    with pytest.raises(CatalogError, match="unknown column 'vat'"):
        load_catalog(tmp_path)


def test_duplicate_ids_are_rejected(tmp_path):
    (tmp_path / "facility.csv").write_text(
        "parameter,value,source,as_of\npue,1.2,a,2026-01-01\npue,1.3,b,2026-01-01\n"
    )
    with pytest.raises(CatalogError, match="duplicate key 'pue'"):
        load_catalog(tmp_path)


def test_references_to_unknown_gpus_are_rejected(tmp_path):
    _edit(_copy(tmp_path, "gpu_offers.csv"), 0, "gpu", "h100-sxm5")
    with pytest.raises(CatalogError, match="unknown id 'h100-sxm5'"):
        load_catalog(tmp_path)


def test_path_must_be_a_directory(tmp_path):
    with pytest.raises(CatalogError, match="existing directory"):
        load_catalog(tmp_path / "missing")


def test_a_gpus_sheet_without_achievable_ratio_columns_means_ratio_1(tmp_path):
    """Sheets written before the columns existed still load: empty or absent means 1.0."""
    gpus = _copy(tmp_path, "gpus.csv")
    with gpus.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        drop = {"achievable_bandwidth_ratio", "achievable_compute_ratio"}
        header = [h for h in reader.fieldnames or [] if h not in drop]
        rows = [{k: v for k, v in row.items() if k not in drop} for row in reader]
    with gpus.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    spec = load_catalog(tmp_path).gpu_spec("mi300x")
    assert (spec.achievable_bandwidth_ratio, spec.achievable_compute_ratio) == (1.0, 1.0)


def test_a_stray_file_is_a_warning_naming_the_expected_sheets(tmp_path):
    """A misnamed sheet (``api_price.csv``) used to be ignored silently under "+user"."""
    _copy(tmp_path, "gpus.csv")
    shutil.copy(bundled_dir() / "api_prices.csv", tmp_path / "api_price.csv")
    with pytest.warns(UserWarning, match=r"api_price\.csv is not a catalog sheet") as rec:
        load_catalog(tmp_path)
    assert "expected: models.csv, gpus.csv, api_prices.csv" in str(rec[0].message)


def test_a_sheet_saved_with_a_utf8_bom_loads(tmp_path):
    """Excel's "CSV UTF-8" writes a byte-order mark before the header."""
    text = (bundled_dir() / "gpus.csv").read_text(encoding="utf-8")
    (tmp_path / "gpus.csv").write_text(text, encoding="utf-8-sig")
    assert load_catalog(tmp_path).gpus == load_catalog().gpus


def test_a_litellm_price_file_adds_its_offers_with_tiers(tmp_path):
    """LiteLLM prices are USD per token; the catalog's are USD per 1M tokens."""
    prices = {
        "sample_spec": {"mode": "chat"},
        "gemini/gemini-2.5-pro": {
            "litellm_provider": "gemini",
            "mode": "chat",
            "max_input_tokens": 1048576,
            "input_cost_per_token": 1.25e-06,
            "output_cost_per_token": 1e-05,
            "input_cost_per_token_above_200k_tokens": 2.5e-06,
            "output_cost_per_token_above_200k_tokens": 1.5e-05,
            "cache_read_input_token_cost": 3.1e-07,
        },
        "text-embedding-3-small": {"mode": "embedding", "input_cost_per_token": 2e-08},
    }
    path = tmp_path / "model_prices_and_context_window.json"
    path.write_text(json.dumps(prices))
    # the embedding model is not an offer: a warning says what was expected
    with pytest.warns(UserWarning, match="key 'text-embedding-3-small'; expected mode chat"):
        cat = load_catalog(path)
    rows = sorted(
        (r for r in cat.api_prices if r.offer_id == "gemini/gemini-2.5-pro"),
        key=lambda r: r.min_prompt_tokens,
    )
    assert [r.min_prompt_tokens for r in rows] == [0, 200_000]
    assert [r.input_usd_per_mtok for r in rows] == pytest.approx([1.25, 2.5])
    assert [r.output_usd_per_mtok for r in rows] == pytest.approx([10.0, 15.0])
    assert rows[0].cached_input_usd_per_mtok == pytest.approx(0.31)
    assert "text-embedding-3-small" not in " ".join(cat.offer_ids)
    assert cat.catalog_version.endswith("+user")
    assert "openai/gpt-4o" in cat.offer_ids  # bundled offers stay
