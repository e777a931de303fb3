"""Loading the catalog: the bundled sheets, or a user's directory validated the same way."""

from __future__ import annotations

import functools
import warnings
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

from .._core.display import plain
from .._core.errors import CatalogError
from ._files import MANIFEST, bundled_dir, read_manifest, read_records
from .catalog import Catalog
from .price_files import read_price_file
from .records import (
    ApiPriceRecord,
    FacilityRecord,
    GpuOfferRecord,
    GpuRecord,
    HardwareRecord,
    ModelRecord,
)

#: entity → (file name, record type), in load order.
FILES: dict[str, tuple[str, type[Any]]] = {
    "models": ("models.csv", ModelRecord),
    "gpus": ("gpus.csv", GpuRecord),
    "api_prices": ("api_prices.csv", ApiPriceRecord),
    "gpu_offers": ("gpu_offers.csv", GpuOfferRecord),
    "hardware": ("hardware.csv", HardwareRecord),
    "facility": ("facility.csv", FacilityRecord),
}

#: Suffix added to the bundled catalog_version when a user directory has no manifest.
USER_VERSION_SUFFIX = "+user"


def load_catalog(path: str | Path | None = None) -> Catalog:
    """Load and validate the catalog.

    Parameters
    ----------
    path
        None: the catalog shipped with llmcost (cached; loaded once per process). Otherwise a
        directory with the user's own sheets, validated by the same records. The rule: each
        file the directory holds (``models.csv``, ``gpus.csv``, ``api_prices.csv``,
        ``gpu_offers.csv``, ``hardware.csv``, ``facility.csv``) REPLACES the bundled file of the
        same name as a whole (rows are not merged); files it lacks come from the bundled
        catalog. Its ``manifest.toml``, if any, gives the ``catalog_version``; without one the
        version is the bundled one plus ``"+user"``. Or a JSON price file (LiteLLM's
        ``model_prices_and_context_window.json`` or a genai-prices data file): its offers are
        added to the bundled catalog as by :func:`with_prices`.
        Files of a directory that are not catalog sheets are a ``UserWarning``.

    Raises
    ------
    CatalogError
        A file is unreadable or a row fails validation (the message names the file, row,
        column and value), ids repeat, or a row refers to an unknown model or GPU id.
    """
    if path is None:
        return _load_bundled()
    user = Path(path)
    if user.is_file() and user.suffix.lower() == ".json":
        return with_prices(_load_bundled(), user)
    if not user.is_dir():
        raise CatalogError(f"catalog path must be an existing directory; got {str(path)!r}")
    return _load(bundled_dir(), user)


@functools.lru_cache(maxsize=1)
def _load_bundled() -> Catalog:
    return _load(bundled_dir(), None)


def _load(bundled: Path, user: Path | None) -> Catalog:
    if user is not None:
        _warn_unmatched(user)
    if user is not None and (user / MANIFEST).is_file():
        version = read_manifest(user / MANIFEST)["catalog_version"]
    else:
        version = read_manifest(bundled / MANIFEST)["catalog_version"]
        if user is not None:
            version += USER_VERSION_SUFFIX
    tables: dict[str, tuple[Any, ...]] = {}
    files: dict[str, str] = {}
    for entity, (name, record) in FILES.items():
        directory = user if user is not None and (user / name).is_file() else bundled
        tables[entity] = tuple(read_records(directory / name, record))
        files[entity] = str(directory / name)
        if not tables[entity]:  # a sheet replaces the bundled one whole: empty is never meant
            raise CatalogError(
                f"{name}: no rows in {str(directory)!r}; a user sheet replaces the bundled "
                "one whole (remove the file to keep the bundled rows)"
            )
    _check_integrity(tables, files)
    return Catalog(catalog_version=version, files=files, **tables)


def with_prices(catalog: Catalog, path: str | Path) -> Catalog:
    """``catalog`` with the API offers of a price file added (``--prices PATH``).

    ``path``: our ``api_prices.csv`` sheet, a LiteLLM ``model_prices_and_context_window.json``
    or a genai-prices data file (:mod:`llmcost.catalog.price_files`). Every offer id the file
    has replaces the catalog's rows of that id; the version gets ``"+user"``. Entries of the
    file that are not offers are a ``UserWarning`` that counts them, names the first and says
    what a readable entry has.
    """
    prices = read_price_file(path)
    if prices.skipped:
        more = f" (and {len(prices.skipped) - 3} more)" if len(prices.skipped) > 3 else ""
        warnings.warn(
            f"{prices.path.name} ({prices.format}): {len(prices.skipped)} entries skipped: "
            f"{'; '.join(prices.skipped[:3])}{more}; expected {prices.expected}",
            UserWarning,
            stacklevel=2,
        )
    ids = {r.offer_id for r in prices.rows}
    kept = tuple(r for r in catalog.api_prices if r.offer_id not in ids)
    rows = kept + prices.rows
    files = dict(catalog.files) | {"api_prices": str(prices.path)}
    tables = {"api_prices": rows, "models": catalog.models}
    _check_integrity({**{e: () for e in FILES}, **tables}, {e: files.get(e, "") for e in FILES})
    version = catalog.catalog_version
    if not version.endswith(USER_VERSION_SUFFIX):
        version += USER_VERSION_SUFFIX
    return replace(catalog, catalog_version=version, files=files, api_prices=rows)


def _warn_unmatched(user: Path) -> None:
    """Warn about files of ``user`` that are not catalog sheets (they would be ignored)."""
    expected = [name for name, _ in FILES.values()]
    stray = sorted(
        p.name
        for p in user.iterdir()
        if p.is_file()
        and p.name not in expected
        and p.name != MANIFEST
        and not p.name.startswith(".")
    )
    if stray:
        warnings.warn(
            f"catalog directory {str(user)!r}: {', '.join(stray)} "
            f"{'is' if len(stray) == 1 else 'are'} not a catalog sheet and ignored; "
            f"expected: {', '.join(expected)} (and {MANIFEST})",
            UserWarning,
            stacklevel=3,
        )


def _check_integrity(tables: dict[str, tuple[Any, ...]], files: dict[str, str]) -> None:
    """Unique keys per entity, and references to models and GPUs that exist."""
    unique_by: dict[str, Callable[[Any], object]] = {
        "models": lambda r: r.id,
        "gpus": lambda r: r.id,
        "api_prices": lambda r: (r.offer_id, r.effective_from, r.min_prompt_tokens),
        "gpu_offers": lambda r: (r.provider, r.instance_type, r.region, r.term, r.as_of),
        "hardware": lambda r: r.item_id,
        "facility": lambda r: r.parameter,
    }
    for entity, key in unique_by.items():
        counts = Counter(key(r) for r in tables[entity])
        dupes = [k for k, n in counts.items() if n > 1]
        if dupes:
            raise CatalogError(f"{Path(files[entity]).name}: duplicate key {plain(dupes[0])}")
    model_ids = {r.id for r in tables["models"]}
    gpu_ids = {r.id for r in tables["gpus"]}
    _check_refs(tables["api_prices"], "llama_model", model_ids, files["api_prices"])
    _check_refs(tables["gpu_offers"], "gpu", gpu_ids, files["gpu_offers"])
    _check_refs(tables["hardware"], "gpu", gpu_ids, files["hardware"])


def _check_refs(rows: Iterable[Any], column: str, known: set[str], file: str) -> None:
    for row in rows:
        value = getattr(row, column)
        if value is not None and value not in known:
            raise CatalogError(
                f"{Path(file).name}: {row.key}: column {column!r}: unknown id {plain(value)}; "
                f"known: {', '.join(sorted(known))}"
            )
