"""Finding the bundled catalog directory and reading its CSV files into validated records."""

from __future__ import annotations

import csv
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from .._core.errors import CatalogError

MANIFEST = "manifest.toml"

R = TypeVar("R", bound=BaseModel)


def bundled_dir(package_dir: Path | None = None) -> Path:
    """Directory of the catalog shipped with llmcost.

    Looks first inside the package (``llmcost/_data/pricing``, where the wheel puts it), then
    walks up from the package to a source checkout's ``data/pricing`` (editable install).
    ``package_dir`` defaults to the installed ``llmcost`` package; tests pass an unpacked wheel.
    """
    if package_dir is None:
        package_dir = Path(str(resources.files("llmcost")))
    inside = package_dir / "_data" / "pricing"
    if (inside / MANIFEST).is_file():
        return inside
    for parent in package_dir.resolve().parents:
        candidate = parent / "data" / "pricing"
        if (candidate / MANIFEST).is_file():
            return candidate
    raise CatalogError(
        f"the bundled catalog was not found: neither {inside} nor a data/pricing directory "
        f"above {package_dir} holds {MANIFEST}; reinstall llmcost"
    )


def read_manifest(path: Path) -> dict[str, Any]:
    """Parse ``manifest.toml``; it must name a ``catalog_version``."""
    try:
        with path.open("rb") as fh:
            manifest = tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise CatalogError(f"{path}: cannot read the manifest: {exc}") from exc
    version = manifest.get("catalog_version")
    if not isinstance(version, str) or not version:
        raise CatalogError(f"{path}: catalog_version must be a non-empty string")
    return manifest


def read_records(path: Path, record: type[R]) -> list[R]:
    """Read one CSV file into ``record`` instances; errors name file, row, column and value.

    Empty cells mean "not given" (the field's default, usually None). Row numbers count the
    file's lines, the header being row 1.
    """
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:  # a BOM (Excel) is dropped
            reader = csv.DictReader(fh)
            header = list(reader.fieldnames or [])
            _check_header(path, header, record)
            rows: list[R] = []
            for row in reader:
                line = reader.line_num
                if None in row:
                    raise CatalogError(
                        f"{path.name}: row {line}: more cells than the {len(header)} columns"
                    )
                cells = {k: v for k, v in row.items() if v is not None and v.strip() != ""}
                if not cells:
                    continue
                rows.append(_validate(path, line, record, cells))
    except OSError as exc:
        raise CatalogError(f"{path}: cannot read: {exc}") from exc
    except UnicodeDecodeError as exc:
        raise CatalogError(f"{path}: not UTF-8 text: {exc}") from exc
    return rows


def _check_header(path: Path, header: list[str], record: type[BaseModel]) -> None:
    fields = record.model_fields
    unknown = [h for h in header if h not in fields]
    if unknown:
        raise CatalogError(
            f"{path.name}: row 1: unknown column {unknown[0]!r}; allowed: {', '.join(fields)}"
        )
    required = [name for name, f in fields.items() if f.is_required() and name not in header]
    if required:
        raise CatalogError(f"{path.name}: row 1: missing required column {required[0]!r}")


def _validate(path: Path, line: int, record: type[R], cells: dict[str, str]) -> R:
    try:
        return record.model_validate(cells)
    except ValidationError as exc:
        err = exc.errors()[0]
        column = ".".join(str(p) for p in err["loc"]) or "(row)"
        value = cells.get(column, "") if column in cells else None
        got = f" (got {value!r})" if value is not None else ""
        msg = err["msg"].removeprefix("Value error, ")
        raise CatalogError(f"{path.name}: row {line}, column {column!r}: {msg}{got}") from None
