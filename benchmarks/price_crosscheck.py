"""Cross-check the bundled API prices against the ``genai-prices`` package (test-only optional).

For every pay-per-token offer in ``data/pricing/api_prices.csv`` that ``genai-prices`` also
covers (same provider, same model id), the price in force on the check date is compared field
by field: input, cached input and output [USD per 1M tokens], base tier only (a long-context
tier is not compared). The check date is the catalog's version date
(``data/pricing/manifest.toml``, ``catalog_version``), so the comparison moves only when the
catalog or the installed ``genai-prices`` changes.

A disagreement is not settled here: a person checks the provider's price page and either fixes
``api_prices.csv`` or lists the difference, with the reason, in
``benchmarks/data/genai_prices_known_differences.csv``; ``tests/test_price_crosscheck.py``
fails on a disagreement that file does not list, or on a listed one that no longer holds.

    python benchmarks/price_crosscheck.py            # every compared field
    python benchmarks/price_crosscheck.py --differs  # the disagreements only

genai-prices is never a runtime dependency of llmcost: it is in the ``test`` extra (and so in
``dev``). Without it this script says so and exits with status 2.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import sys
import tomllib
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PRICES = ROOT / "data" / "pricing" / "api_prices.csv"
MANIFEST = ROOT / "data" / "pricing" / "manifest.toml"
KNOWN = ROOT / "benchmarks" / "data" / "genai_prices_known_differences.csv"

#: Our provider name → genai-prices provider id, where they differ.
PROVIDER_IDS = {"bedrock": "aws", "vertex": "google"}
#: Our column → the genai-prices usage that prices it (tokens of that kind only).
FIELDS = {
    "input_usd_per_mtok": {"input_tokens": 1000},
    "cached_input_usd_per_mtok": {"input_tokens": 1000, "cache_read_tokens": 1000},
    "cache_write_usd_per_mtok": {"input_tokens": 1000, "cache_write_tokens": 1000},
    "output_usd_per_mtok": {"output_tokens": 1000},
}
#: Prices that agree to this relative tolerance are equal (the sheets round to 4 decimals).
REL_TOL = 1e-6
COLUMNS = ("offer_id", "field", "ours_usd_per_mtok", "genai_prices_usd_per_mtok", "status")


def check_date() -> dt.date:
    """The catalog's version date, ``catalog_version = "YYYY.MM.DD"`` in the manifest."""
    version = tomllib.loads(MANIFEST.read_text(encoding="utf-8"))["catalog_version"]
    return dt.date(*(int(p) for p in str(version).split(".")))


def in_force(on: dt.date) -> list[dict[str, str]]:
    """The base-tier row of each offer in force on ``on`` (latest ``effective_from`` ≤ on)."""
    with PRICES.open(encoding="utf-8", newline="") as f:
        rows = [r for r in csv.DictReader(f) if float(r["min_prompt_tokens"] or 0) == 0]
    latest: dict[str, dict[str, str]] = {}
    for row in rows:
        if dt.date.fromisoformat(row["effective_from"]) > on:
            continue
        kept = latest.get(row["offer_id"])
        if kept is None or row["effective_from"] > kept["effective_from"]:
            latest[row["offer_id"]] = row
    return list(latest.values())


def _model_refs(model: str) -> list[str]:
    """The model id, then its last path part (``accounts/fireworks/models/x`` → ``x``)."""
    tail = model.rsplit("/", 1)[-1]
    return [model] if tail == model else [model, tail]


def _price(gp: Any, usage: dict[str, int], model: str, provider: str, when: dt.datetime) -> Any:
    """genai-prices' price of ``usage`` [USD], or None when it has no such model or price."""
    for ref in _model_refs(model):
        try:
            calc = gp.calc_price(
                gp.Usage(**usage), ref, provider_id=provider, genai_request_timestamp=when
            )
        except LookupError:
            continue
        return calc
    return None


#: Our cache columns → the genai-prices price they need (without it, cached tokens would be
#: priced as plain input there, and the comparison would be meaningless).
_CACHE_PRICES = {
    "cached_input_usd_per_mtok": "cache_read_mtok",
    "cache_write_usd_per_mtok": "cache_write_mtok",
}


def _priced(calc: Any, field: str, when: dt.datetime) -> bool:
    """True when genai-prices has its own price for ``field`` (always, for input and output)."""
    if field not in _CACHE_PRICES:
        return True
    prices = calc.model.get_prices(when)
    return getattr(prices, _CACHE_PRICES[field], None) is not None


def crosscheck(on: dt.date | None = None) -> list[dict[str, Any]]:
    """One row per offer and field both sides price: ours, genai-prices', ``status``.

    ``status`` is ``"agrees"`` or ``"differs"``; offers genai-prices does not cover are left
    out (see :func:`uncovered`). Needs ``genai-prices`` (ImportError otherwise).
    """
    import genai_prices as gp

    on = on or check_date()
    when = dt.datetime(on.year, on.month, on.day, tzinfo=dt.UTC)
    out = []
    for row in in_force(on):
        provider = PROVIDER_IDS.get(row["provider"], row["provider"])
        for field, usage in FIELDS.items():
            if not row[field]:
                continue
            calc = _price(gp, usage, row["model"], provider, when)
            if calc is None or not _priced(calc, field, when):
                continue
            theirs = float(calc.total_price) * 1e6 / 1000  # 1,000 tokens → per 1M
            ours = float(row[field])
            same = abs(theirs - ours) <= REL_TOL * max(abs(ours), abs(theirs), 1e-12)
            out.append(
                {
                    "offer_id": row["offer_id"],
                    "field": field,
                    "ours_usd_per_mtok": ours,
                    "genai_prices_usd_per_mtok": round(theirs, 6),
                    "status": "agrees" if same else "differs",
                    "genai_prices_model": calc.model.id,
                }
            )
    return out


def uncovered(rows: list[dict[str, Any]], on: dt.date | None = None) -> list[str]:
    """Offers in force on ``on`` that genai-prices does not price (no provider or model)."""
    compared = {r["offer_id"] for r in rows}
    offers = (r["offer_id"] for r in in_force(on or check_date()))
    return sorted(o for o in offers if o not in compared)


def known_differences() -> list[dict[str, str]]:
    """The reviewed differences: offer, field, both prices, the reason and who/when."""
    with KNOWN.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _table(rows: list[dict[str, Any]]) -> str:
    widths = {c: max(len(c), *(len(str(r[c])) for r in rows)) for c in COLUMNS} if rows else {}
    lines = ["  ".join(c.ljust(widths[c]) for c in COLUMNS)] if rows else ["(no rows)"]
    lines += ["  ".join(str(r[c]).ljust(widths[c]) for c in COLUMNS) for r in rows]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Print the comparison (all rows, or ``--differs`` only) and the offers not covered."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--differs", action="store_true", help="print the disagreements only")
    args = parser.parse_args(argv)
    try:
        import genai_prices  # noqa: F401
    except ImportError:
        print("genai-prices is not installed: pip install -e '.[test]'", file=sys.stderr)
        return 2
    from importlib.metadata import version

    on = check_date()
    rows = crosscheck(on)
    shown = [r for r in rows if r["status"] == "differs"] if args.differs else rows
    differs = sum(r["status"] == "differs" for r in rows)
    print(f"api_prices.csv in force on {on} vs genai-prices {version('genai-prices')}")
    print(f"{len(rows)} prices compared, {differs} differ\n")
    print(_table(shown))
    missing = uncovered(rows, on)
    print(f"\nnot covered by genai-prices ({len(missing)} offers): {', '.join(missing)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
