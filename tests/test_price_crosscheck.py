"""Bundled API prices against the genai-prices package (test-only optional, `test` extra).

Every price both sides cover is compared on the catalog's version date
(benchmarks/price_crosscheck.py). The test prints the disagreements and fails only on one that
benchmarks/data/genai_prices_known_differences.csv does not list with a reason, or on a listed
one that no longer holds (a fixed row or a new genai-prices release: review the file).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import price_crosscheck as pc

pytest.importorskip("genai_prices")


@pytest.fixture(scope="module")
def rows() -> list[dict[str, Any]]:
    return pc.crosscheck()


def _key(row: dict[str, Any]) -> tuple[str, str]:
    return row["offer_id"], row["field"]


def test_every_disagreement_is_listed_with_a_reason(rows: list[dict[str, Any]]) -> None:
    differs = {_key(r): r for r in rows if r["status"] == "differs"}
    known = {_key(k): k for k in pc.known_differences()}
    print("\n" + pc._table(list(differs.values())))  # the table a person resolves (pytest -s)
    new = sorted(set(differs) - set(known))
    table = pc._table(list(differs.values()))
    assert not new, f"disagreements not in {pc.KNOWN.name}: {new}\n{table}"
    gone = sorted(set(known) - set(differs))
    assert not gone, f"listed in {pc.KNOWN.name} but no longer differ (remove them): {gone}"
    for key, k in known.items():
        assert k["reason"].strip(), key
        assert k["status"].strip(), key
        # the listed figures are the ones reviewed: a change on either side is re-reviewed
        assert float(k["ours_usd_per_mtok"]) == differs[key]["ours_usd_per_mtok"], key
        theirs = float(k["genai_prices_usd_per_mtok"])
        assert theirs == pytest.approx(differs[key]["genai_prices_usd_per_mtok"], rel=1e-9), key


def test_the_comparison_covers_the_big_providers(rows: list[dict[str, Any]]) -> None:
    # a comparison that silently matched nothing would pass the test above
    compared = {r["offer_id"].split("/")[0] for r in rows}
    assert {"openai", "anthropic", "google", "together", "groq", "bedrock"} <= compared
    assert len(rows) >= 50
    # GPT-4o on 2026-12-01: $2.50 / $10 per 1M tokens on both sides (openai.com/api/pricing)
    gpt4o = {r["field"]: r for r in rows if r["offer_id"] == "openai/gpt-4o"}
    assert gpt4o["input_usd_per_mtok"]["genai_prices_usd_per_mtok"] == pytest.approx(2.5)
    assert gpt4o["output_usd_per_mtok"]["status"] == "agrees"


def test_the_check_date_is_the_catalog_version() -> None:
    import tomllib

    manifest = tomllib.loads(pc.MANIFEST.read_text(encoding="utf-8"))
    assert pc.check_date().strftime("%Y.%m.%d") == manifest["catalog_version"]
    # the row in force on a date is the latest one that started by then
    before = {r["offer_id"]: r for r in pc.in_force(pc.check_date().replace(year=2025, month=3))}
    assert before["together/llama-3.3-70b"]["input_usd_per_mtok"] == "0.88"
