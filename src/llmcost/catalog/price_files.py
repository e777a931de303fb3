"""``--prices PATH``: API price rows from our CSV sheet, LiteLLM's JSON or a genai-prices file.

Formats, told apart by their content:

- our ``api_prices.csv`` sheet (the columns of :class:`ApiPriceRecord`), any file name;
- LiteLLM's ``model_prices_and_context_window.json`` (:mod:`llmcost.catalog.foreign`);
- a genai-prices data file (pydantic/genai-prices ``prices/data.json``): a JSON list of
  providers ``{id, name, models: [{id, name, context_window, prices}]}`` where ``prices`` is
  one price set or a list of ``{constraint, prices}`` (``constraint``: None, a
  ``start_date``, or a daily ``start_time``/``end_time`` window). A price set has
  ``input_mtok``, ``cache_read_mtok``, ``cache_write_mtok``, ``output_mtok`` [USD per 1M
  tokens], each a number or ``{base, tiers: [{start, price}]}`` — a tier prices all tokens of
  a request whose *input* exceeds ``start`` (llmcost's long-context tier, ``min_prompt_tokens``).

Rows that cannot be read as an offer (no input or output price, a time-of-day price, a
non-chat LiteLLM model) are skipped, and :func:`read_price_file` returns them so the caller
warns naming what was expected.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .._core.errors import CatalogError
from ._files import read_records
from .foreign import api_prices_from_litellm, slug
from .records import ApiPriceRecord

__all__ = ["PRICE_FORMATS", "PriceFile", "api_prices_from_genai_prices", "read_price_file"]

#: What ``--prices`` accepts (named in the messages).
PRICE_FORMATS = (
    "an api_prices.csv sheet (llmcost's columns)",
    "a LiteLLM model_prices_and_context_window.json",
    "a genai-prices data file (prices/data.json)",
)
_FIELDS = {
    "input_usd_per_mtok": "input_mtok",
    "cached_input_usd_per_mtok": "cache_read_mtok",
    "cache_write_usd_per_mtok": "cache_write_mtok",
    "output_usd_per_mtok": "output_mtok",
}


@dataclass(frozen=True)
class PriceFile:
    """The offers read from a price file, its format, and what was skipped."""

    path: Path
    format: str  # "csv" | "litellm" | "genai-prices"
    rows: tuple[ApiPriceRecord, ...]
    skipped: tuple[str, ...]  # one entry per row not read, naming it and why
    expected: str  # what a readable row has (for the warning)


def read_price_file(path: str | Path, as_of: date | None = None) -> PriceFile:
    """Read ``path`` in whichever of :data:`PRICE_FORMATS` it is.

    ``as_of`` (default: the file's modification date) is the ``as_of`` of the JSON formats'
    rows and the ``effective_from`` of prices without a start date.

    Raises
    ------
    CatalogError
        The file is missing, in none of the formats (the message lists them), or a row fails
        validation (file, row or key, column).
    """
    p = Path(path)
    if not p.is_file():
        raise CatalogError(f"price file not found: {str(p)!r}")
    if p.suffix.lower() == ".csv":
        rows = read_records(p, ApiPriceRecord)
        return PriceFile(p, "csv", tuple(rows), (), "")
    try:
        doc = json.loads(p.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CatalogError(f"{p.name}: not a price file ({_expected()}): {exc}") from None
    day = as_of or date.fromtimestamp(p.stat().st_mtime)
    if isinstance(doc, list) and all(isinstance(x, dict) and "models" in x for x in doc):
        rows, skipped = api_prices_from_genai_prices(doc, p.name, day)
        expected = "a model with input_mtok and output_mtok prices (no time-of-day window)"
        return PriceFile(p, "genai-prices", tuple(rows), tuple(skipped), expected)
    if isinstance(doc, dict) and any(
        isinstance(v, dict) and "input_cost_per_token" in v for v in doc.values()
    ):
        rows = api_prices_from_litellm(p, day)
        skipped = _litellm_skipped(doc)
        expected = "mode chat/completion/responses with input_cost_per_token and "
        expected += "output_cost_per_token"
        return PriceFile(p, "litellm", tuple(rows), tuple(skipped), expected)
    raise CatalogError(f"{p.name}: not a price file; expected {_expected()}")


def _expected() -> str:
    return ", ".join(PRICE_FORMATS[:-1]) + " or " + PRICE_FORMATS[-1]


def _litellm_skipped(doc: dict[str, Any]) -> list[str]:
    from .foreign import readable_litellm_entry

    return [
        f"key {name!r}"
        for name, spec in doc.items()
        if name != "sample_spec" and not readable_litellm_entry(spec)
    ]


def api_prices_from_genai_prices(
    doc: list[dict[str, Any]], name: str, day: date
) -> tuple[list[ApiPriceRecord], list[str]]:
    """Offer rows of a genai-prices document (see the module docstring), and the skipped.

    Offer ids are ``<provider id>/<model id>`` (lowercased, other characters → ``-``); each
    start-date price is a row effective from that date, the price without a constraint is
    effective from ``day`` or, when dated prices follow it, the day before the first of them.
    """
    rows: list[ApiPriceRecord] = []
    skipped: list[str] = []
    for provider in doc:
        pid = slug(str(provider.get("id", "")))
        for model in provider.get("models") or []:
            where = f"provider {pid!r} model {model.get('id')!r}"
            dated = _dated_prices(model.get("prices"), day)
            if dated is None:
                skipped.append(f"{where}: time-of-day prices")
                continue
            for start, prices in dated:
                if not isinstance(prices, dict) or any(
                    prices.get(k) is None for k in ("input_mtok", "output_mtok")
                ):
                    skipped.append(f"{where}: no input_mtok/output_mtok price")
                    continue
                rows += _tier_rows(name, pid, model, start, prices, day, where)
    if not rows:
        raise CatalogError(f"{name}: no model with input_mtok and output_mtok prices")
    return rows, skipped


def _dated_prices(prices: Any, day: date) -> list[tuple[date, Any]] | None:
    """(effective_from, price set) pairs; None when a price has a time-of-day window."""
    if not isinstance(prices, list):
        return [(day, prices)]
    starts: list[tuple[date, Any]] = []
    base = None
    for item in prices:
        constraint = (item or {}).get("constraint")
        if constraint is None:
            base = item.get("prices")
        elif "start_date" in constraint:
            starts.append((date.fromisoformat(str(constraint["start_date"])), item.get("prices")))
        else:
            return None
    first = min((d for d, _ in starts), default=None)
    base_day = day if first is None else min(day, first - timedelta(days=1))
    return ([(base_day, base)] if base is not None else []) + sorted(starts, key=lambda x: x[0])


def _tier_rows(
    name: str,
    pid: str,
    model: dict[str, Any],
    start: date,
    prices: dict[str, Any],
    day: date,
    where: str,
) -> list[ApiPriceRecord]:
    """One row per long-context tier (the base tier from 0 prompt tokens)."""
    thresholds = sorted(
        {0}
        | {
            int(t["start"])
            for v in prices.values()
            if isinstance(v, dict)
            for t in v.get("tiers", [])
        }
    )
    mid = str(model.get("id", ""))
    base = {
        "offer_id": f"{pid}/{slug(mid)}",
        "provider": pid,
        "model": mid,
        "effective_from": start,
        "as_of": day,
        "source": f"genai-prices data file ({name}), {where}",
        "context_window_tokens": model.get("context_window") or None,
    }
    out = []
    for threshold in thresholds:
        cells = {
            ours: _at(prices.get(theirs), threshold)
            for ours, theirs in _FIELDS.items()
            if prices.get(theirs) is not None
        }
        try:
            out.append(
                ApiPriceRecord.model_validate(base | cells | {"min_prompt_tokens": threshold})
            )
        except ValidationError as exc:
            err = exc.errors()[0]
            raise CatalogError(
                f"{name}: {where}: {'.'.join(map(str, err['loc']))}: {err['msg']}"
            ) from None
    return out


def _at(value: Any, threshold: int) -> float:
    """The price [USD per 1M tokens] for a request whose prompt exceeds ``threshold``."""
    if not isinstance(value, dict):
        return float(value)
    price = float(value["base"])
    for tier in value.get("tiers", []):
        if int(tier["start"]) <= threshold:
            price = float(tier["price"])
    return price
