"""``llmcost catalog {models|gpus|apis|gpu-prices}``: show the catalog, as a table or JSON."""

from __future__ import annotations

import argparse
from datetime import date
from typing import TYPE_CHECKING, Any

from .._core.errors import InvalidInputError
from ._common import Output, add_json_flag, format_table

if TYPE_CHECKING:  # the catalog (pydantic records) is loaded when the command runs
    from ..catalog import Catalog
    from ..catalog.records import ApiPriceRecord, GpuOfferRecord

#: CLI entity → (JSON key, table columns).
VIEWS: dict[str, tuple[str, list[str]]] = {
    "models": (
        "models",
        [
            "id",
            "params_total_official",
            "params_active_official",
            "num_layers",
            "hidden_size",
            "num_kv_heads",
            "num_experts",
            "max_context_tokens",
            "released",
            "as_of",
        ],
    ),
    "gpus": (
        "gpus",
        [
            "id",
            "memory_gb",
            "hbm_bandwidth_gb_per_s",
            "bf16_tflops",
            "fp8_tflops",
            "fp4_tflops",
            "interconnect_kind",
            "interconnect_gb_per_s",
            "tdp_w",
            "as_of",
        ],
    ),
    "apis": (
        "apis",
        [
            "offer_id",
            "effective_from",
            "min_prompt_tokens",
            "input_usd_per_mtok",
            "cached_input_usd_per_mtok",
            "output_usd_per_mtok",
            "batch_discount_fraction",
            "as_of",
        ],
    ),
    "gpu-prices": (
        "gpu_prices",
        [
            "gpu",
            "provider",
            "term",
            "usd_per_gpu_hour",
            "gpus_per_instance",
            "instance_type",
            "region",
            "as_of",
        ],
    ),
}


def register(subparsers: Any) -> None:
    """Add the ``catalog`` sub-command."""
    parser = subparsers.add_parser(
        "catalog",
        help="list catalog models, GPUs, API prices or GPU rental prices",
        description=(
            "Show catalog rows; every row carries its source and as_of date. "
            "apis and gpu-prices show the rows in force on --as-of (default: the latest)."
        ),
    )
    parser.add_argument("entity", choices=list(VIEWS), help="what to list")
    parser.add_argument(
        "--path", metavar="DIR", help="a directory with your own catalog sheets (CSV)"
    )
    parser.add_argument(
        "--as-of",
        metavar="DATE",
        type=_iso_date,
        help="apis / gpu-prices: prices in force on this ISO date (default: latest)",
    )
    add_json_flag(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> Output:
    """List one catalog entity."""
    from ..catalog import load_catalog

    catalog = load_catalog(args.path)
    key, columns = VIEWS[args.entity]
    rows = [r.as_row(json=True) for r in _rows(catalog, args.entity, args.as_of)]
    payload = {"catalog_version": catalog.catalog_version, key: rows}
    header = f"llmcost catalog {catalog.catalog_version}: {len(rows)} {key}"
    if args.as_of:
        header += f" in force on {args.as_of.isoformat()}"
    text = header + "\n\n" + format_table(rows, columns) + "\n\n(--json for every column)"
    return Output(payload=payload, text=text)


def _rows(catalog: Catalog, entity: str, as_of: date | None) -> list[Any]:
    if entity == "models":
        return list(catalog.models)
    if entity == "gpus":
        return list(catalog.gpus)
    if entity == "apis":
        return _api_rows(catalog, as_of)
    return _gpu_price_rows(catalog, as_of)


def _api_rows(catalog: Catalog, as_of: date | None) -> list[ApiPriceRecord]:
    rows: list[ApiPriceRecord] = []
    for offer_id in catalog.offer_ids:
        try:
            rows += catalog.api_tiers(offer_id, as_of)
        except InvalidInputError:  # the offer had no price yet on as_of
            continue
    return rows


def _gpu_price_rows(catalog: Catalog, as_of: date | None) -> list[GpuOfferRecord]:
    from ..catalog.records import TERMS

    rows: list[GpuOfferRecord] = []
    for gpu in catalog.gpus:
        for term in TERMS:
            rows += catalog.gpu_offers_for(gpu.id, term, as_of=as_of)
    return rows


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be an ISO date YYYY-MM-DD; got {text!r}") from None
