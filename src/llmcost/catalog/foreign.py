"""Price files of other tools, read into :class:`ApiPriceRecord` rows.

LiteLLM's ``model_prices_and_context_window.json`` (BerriAI/litellm): one object per model
name with ``litellm_provider``, ``mode``, ``input_cost_per_token``, ``output_cost_per_token``
[USD per token], optionally ``cache_read_input_token_cost``, ``cache_creation_input_token_cost``,
``max_input_tokens`` and long-context prices ``input_cost_per_token_above_200k_tokens`` /
``output_cost_per_token_above_200k_tokens`` (a tier from 200k prompt tokens).
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .._core.errors import CatalogError
from .records import ApiPriceRecord

__all__ = ["api_prices_from_litellm", "readable_litellm_entry", "slug"]

_MODES = {"chat", "completion", "responses"}
_TIER = re.compile(r"^input_cost_per_token_above_(\d+)k_tokens$")


def slug(text: str) -> str:
    """``text`` as an id part: lowercase, runs of other characters than a-z0-9. → ``-``."""
    return re.sub(r"[^a-z0-9.]+", "-", text.lower()).strip("-.") or "unknown"


def api_prices_from_litellm(path: Path, as_of: date | None = None) -> list[ApiPriceRecord]:
    """API price rows of a LiteLLM price file (chat models with input and output prices).

    ``as_of`` (default: the file's modification date) is each row's ``as_of`` and
    ``effective_from``; ``source`` names the file. The first of several names that map to
    the same ``provider/model`` offer wins.
    """
    try:
        doc = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CatalogError(f"{path.name}: not a readable LiteLLM price file: {exc}") from None
    if not isinstance(doc, dict):
        raise CatalogError(f"{path.name}: a LiteLLM price file is one JSON object per model")
    day = as_of or date.fromtimestamp(path.stat().st_mtime)
    rows: dict[tuple[str, int], ApiPriceRecord] = {}
    for name, spec in doc.items():
        if not readable_litellm_entry(spec):
            continue
        for threshold, record in _records(path, name, spec, day):
            rows.setdefault((record.offer_id, threshold), record)
    if not rows:
        raise CatalogError(f"{path.name}: no chat model with input and output prices")
    return list(rows.values())


def readable_litellm_entry(spec: Any) -> bool:
    """Whether a LiteLLM entry is a chat model with input and output prices (else skipped)."""
    return (
        isinstance(spec, dict)
        and spec.get("mode") in _MODES
        and spec.get("input_cost_per_token") is not None
        and spec.get("output_cost_per_token") is not None
    )


def _records(path: Path, name: str, spec: dict[str, Any], day: date) -> list[tuple[int, Any]]:
    provider = slug(str(spec.get("litellm_provider") or name.split("/")[0]))
    model = name.split("/")[-1]
    base = {
        "offer_id": f"{provider}/{slug(model)}",
        "provider": provider,
        "model": model,
        "effective_from": day,
        "as_of": day,
        "source": f"LiteLLM model_prices_and_context_window.json ({path.name}), key {name!r}",
        "context_window_tokens": spec.get("max_input_tokens") or None,
    }
    above = sorted(
        (int(m.group(1)) * 1000, f"_above_{m.group(1)}k_tokens")
        for k in spec
        if (m := _TIER.match(k))
    )
    tiers = [(0, ""), *above]
    out = []
    for threshold, suffix in tiers:
        price = {
            "input_usd_per_mtok": spec.get(f"input_cost_per_token{suffix}"),
            "output_usd_per_mtok": spec.get(f"output_cost_per_token{suffix}")
            or spec.get("output_cost_per_token"),
            "cached_input_usd_per_mtok": spec.get(f"cache_read_input_token_cost{suffix}")
            or spec.get("cache_read_input_token_cost"),
            "cache_write_usd_per_mtok": spec.get(f"cache_creation_input_token_cost{suffix}")
            or spec.get("cache_creation_input_token_cost"),
        }
        cells = {k: float(v) * 1e6 for k, v in price.items() if v is not None}
        try:
            record = ApiPriceRecord.model_validate(base | cells | {"min_prompt_tokens": threshold})
        except ValidationError as exc:
            err = exc.errors()[0]
            raise CatalogError(
                f"{path.name}: key {name!r}: {'.'.join(map(str, err['loc']))}: {err['msg']}"
            ) from None
        out.append((threshold, record))
    return out
