"""Chunked reading of usage files (CSV, JSON lines, JSON, Parquet) into canonical chunks.

Memory is bounded by the chunk size: CSV through pandas' ``chunksize``, JSON lines through
batches of lines, Parquet through pyarrow's ``iter_batches``. Only a JSON document (a Usage API
page: a few thousand buckets at most) is read whole. Every bad value is reported with the file,
its line (CSV: the header is line 1; JSON lines: the line; JSON: the record; Parquet: the row),
the source column and the value.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._core.errors import InvalidInputError
from .formats import LABEL_FIELDS, TOKEN_FIELDS, UsageFormat

__all__ = ["CHUNK_ROWS", "BadRow", "CanonicalChunk", "read_usage_file"]

#: Rows per chunk: ~100 MB of pandas frame at most for a wide CSV.
CHUNK_ROWS = 250_000
#: Bad rows kept as examples per chunk (the rest are counted).
MAX_EXAMPLES = 5
_NS_PER_HOUR = 3_600 * 10**9


@dataclass(frozen=True)
class BadRow:
    """One rejected row: where it is and why."""

    file: str
    line: int
    column: str
    value: Any
    reason: str

    def __str__(self) -> str:
        where = f"{self.file}: line {self.line}, column {self.column!r}"
        return f"{where}: {self.reason}; got {self.value!r}"


@dataclass(frozen=True)
class CanonicalChunk:
    """Valid rows of one chunk as arrays (all of the same length)."""

    time_ns: np.ndarray  # UTC [ns since 1970]
    requests: np.ndarray  # int64 [requests]
    tokens: dict[str, np.ndarray]  # TOKEN_FIELDS → int64 [tokens]
    labels: dict[str, np.ndarray]  # LABEL_FIELDS → str
    has_requests: bool  # the file has a request-count column

    @property
    def hour(self) -> np.ndarray:
        """Hours since 1970-01-01 00:00 UTC of each row."""
        out: np.ndarray = self.time_ns // _NS_PER_HOUR
        return out


def read_usage_file(
    path: Path, fmt: UsageFormat
) -> Iterator[tuple[CanonicalChunk, list[BadRow], int]]:
    """Yield ``(valid rows, the first bad rows, how many rows were bad)`` chunk by chunk."""
    if not path.is_file():
        raise InvalidInputError(f"usage file not found: {str(path)!r}")
    name = path.name.lower()
    if name.endswith(".parquet"):
        frames = _parquet_frames(path)
    elif name.endswith((".jsonl", ".ndjson", ".jsonl.gz")):
        frames = _jsonl_frames(path)
    elif name.endswith(".json"):
        frames = _json_frames(path, fmt)
    else:
        frames = _csv_frames(path, fmt)
    for frame, first_line in frames:
        yield _canonical(frame, first_line, fmt, path.name)


def _csv_frames(path: Path, fmt: UsageFormat) -> Iterator[tuple[pd.DataFrame, int]]:
    line = 2  # the header is line 1
    labels = {c for name in LABEL_FIELDS for term in fmt.fields.get(name, ()) for c in term}
    try:
        header = pd.read_csv(path, nrows=0, encoding="utf-8-sig").columns
        wanted = {c for terms in fmt.fields.values() for term in terms for c in term}
        reader = pd.read_csv(
            path,
            chunksize=CHUNK_ROWS,
            encoding="utf-8-sig",
            usecols=[c for c in header if c in wanted],
            dtype={c: str for c in header if c in labels},
        )
        for frame in reader:
            yield frame, line
            line += len(frame)
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InvalidInputError(f"{path.name}: not a readable CSV file: {exc}") from None


def _jsonl_frames(path: Path) -> Iterator[tuple[pd.DataFrame, int]]:
    import gzip

    opener: Any = gzip.open if path.name.lower().endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8-sig") as fh:
        batch: list[dict[str, Any]] = []
        lines: list[int] = []
        for number, text in enumerate(fh, start=1):
            if not text.strip():
                continue
            try:
                record = json.loads(text)
            except json.JSONDecodeError as exc:
                raise InvalidInputError(f"{path.name}: line {number}: not JSON: {exc}") from None
            if not isinstance(record, dict):
                raise InvalidInputError(f"{path.name}: line {number}: not a JSON object")
            batch.append(record)
            lines.append(number)
            if len(batch) == CHUNK_ROWS:
                yield _numbered(batch, lines), 0
                batch, lines = [], []
        if batch:
            yield _numbered(batch, lines), 0


def _numbered(records: list[dict[str, Any]], lines: list[int]) -> pd.DataFrame:
    frame = pd.json_normalize(records)
    frame.index = pd.Index(lines)  # first_line 0: the index holds the line numbers
    return frame


def _json_frames(path: Path, fmt: UsageFormat) -> Iterator[tuple[pd.DataFrame, int]]:
    try:
        doc = json.loads(path.read_text(encoding="utf-8-sig"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InvalidInputError(f"{path.name}: not a JSON document: {exc}") from None
    records = _records(doc, fmt)
    if not records:
        raise InvalidInputError(f"{path.name}: holds no usage records")
    for start in range(0, len(records), CHUNK_ROWS):
        yield pd.json_normalize(records[start : start + CHUNK_ROWS]), start + 1


def _records(doc: Any, fmt: UsageFormat) -> list[dict[str, Any]]:
    """A list of flat records from a list, or from Usage API pages (``data[].results[]``)."""
    if isinstance(doc, list):
        return [r for r in doc if isinstance(r, dict)]
    if isinstance(doc, dict) and fmt.json_records and fmt.json_records[0] in doc:
        outer, inner = fmt.json_records
        out: list[dict[str, Any]] = []
        for bucket in doc[outer] or []:
            # the bucket's own fields (its start and end time) go on each of its results
            shared = {k: v for k, v in bucket.items() if not isinstance(v, list)}
            out.extend(shared | r for r in bucket.get(inner) or [])
        return out
    if isinstance(doc, dict) and isinstance(doc.get("data"), list):
        return [r for r in doc["data"] if isinstance(r, dict)]
    return []


def _parquet_frames(path: Path) -> Iterator[tuple[pd.DataFrame, int]]:
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise InvalidInputError(
            f"{path.name}: reading Parquet needs pyarrow: pip install 'llmcost[parquet]'"
        ) from None
    row = 1
    for batch in pq.ParquetFile(path).iter_batches(batch_size=CHUNK_ROWS):
        frame = batch.to_pandas()
        yield frame, row
        row += len(frame)


def _resolve(frame: pd.DataFrame, fmt: UsageFormat, file: str) -> dict[str, list[str]]:
    """Canonical field → the source columns of ``frame`` it sums."""
    present = set(frame.columns)
    out: dict[str, list[str]] = {}
    for name, terms in fmt.fields.items():
        cols = [next((c for c in term if c in present), None) for term in terms]
        found = [c for c in cols if c is not None]
        if name in fmt.required and len(found) < (len(terms) if name != "input_tokens" else 1):
            wanted = " or ".join(repr(c) for term in terms for c in term)
            shown = ", ".join(map(str, list(frame.columns)[:20]))
            raise InvalidInputError(
                f"{file}: format {fmt.name!r} needs a column for {name!r} ({wanted}); "
                f"found: {shown} (rename with columns / --columns {name}=COLUMN)"
            )
        if found:
            out[name] = found
    return out


def _canonical(
    frame: pd.DataFrame, first_line: int, fmt: UsageFormat, file: str
) -> tuple[CanonicalChunk, list[BadRow], int]:
    frame = _coalesce(frame, fmt)
    cols = _resolve(frame, fmt, file)
    lines = frame.index.to_numpy() if first_line == 0 else first_line + np.arange(len(frame))
    bad = np.zeros(len(frame), dtype=bool)
    problems: list[BadRow] = []

    def reject(mask: np.ndarray, column: str, values: Any, reason: str) -> None:
        new = mask & ~bad
        for i in np.flatnonzero(new)[: MAX_EXAMPLES - len(problems)]:
            problems.append(BadRow(file, int(lines[i]), column, _plain(values[i]), reason))
        bad[:] |= new

    time_ns = _times(frame[cols["timestamp"][0]], cols["timestamp"][0], reject)
    tokens = {
        name: _counts(frame, cols.get(name, []), reject) for name in ("requests", *TOKEN_FIELDS)
    }
    has_requests = "requests" in cols
    if not has_requests:
        tokens["requests"] = np.ones(len(frame), dtype=np.int64)
    over = tokens["cached_input_tokens"] + tokens["cache_write_tokens"] > tokens["input_tokens"]
    first_input = cols["input_tokens"][0]
    reject(
        over,
        first_input,
        frame[first_input].to_numpy(),
        "cached + cache-write tokens exceed the input tokens",
    )
    labels = {
        name: (
            frame[cols[name][0]].fillna("").astype(str).to_numpy()
            if name in cols
            else np.full(len(frame), "", dtype=object)
        )
        for name in LABEL_FIELDS
    }
    keep = ~bad
    chunk = CanonicalChunk(
        time_ns=time_ns[keep],
        requests=tokens.pop("requests")[keep],
        tokens={k: v[keep] for k, v in tokens.items()},
        labels={k: v[keep] for k, v in labels.items()},
        has_requests=has_requests,
    )
    problems.sort(key=lambda b: b.line)
    return chunk, problems, int(bad.sum())


def _coalesce(frame: pd.DataFrame, fmt: UsageFormat) -> pd.DataFrame:
    """Merge a term's alternative columns row by row (first non-empty), under the first name.

    JSON lines may mix shapes (a Chat Completions response, a Batch API line) in one file.
    """
    for terms in fmt.fields.values():
        for term in terms:
            present = [c for c in term if c in frame.columns]
            if len(present) > 1:
                merged = frame[present[0]]
                for other in present[1:]:
                    merged = merged.combine_first(frame[other])
                frame = frame.drop(columns=present[1:]).assign(**{present[0]: merged})
    return frame


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    return value


def _times(series: pd.Series, column: str, reject: Any) -> np.ndarray:
    """UTC nanoseconds; numbers are Unix seconds, text is ISO 8601 / RFC 3339."""
    raw = series.to_numpy()
    numeric = pd.to_numeric(series, errors="coerce")
    if numeric.notna().mean() >= 0.5:  # a column of Unix times, perhaps with bad cells
        seconds = numeric.to_numpy(dtype=np.float64, na_value=np.nan)
        ns = np.round(seconds * 1e9)
        with np.errstate(invalid="ignore"):
            wrong = ~np.isfinite(ns) | (seconds < 0) | (seconds > 4.1e9)
        reject(wrong, column, raw, "not a Unix time in seconds")
        return np.where(wrong, 0, ns).astype(np.int64)
    parsed = pd.to_datetime(series, format="ISO8601", utc=True, errors="coerce")
    wrong = parsed.isna().to_numpy()
    reject(wrong, column, raw, "not a date-time (ISO 8601 / RFC 3339, or Unix seconds)")
    values = parsed.to_numpy(dtype="datetime64[ns]").astype(np.int64)
    return np.where(wrong, 0, values)


def _counts(frame: pd.DataFrame, columns: list[str], reject: Any) -> np.ndarray:
    """Sum of whole, non-negative counts over ``columns`` (missing cells count 0)."""
    total = np.zeros(len(frame), dtype=np.int64)
    for column in columns:
        raw = frame[column]
        values = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
        missing = raw.isna().to_numpy()
        if raw.dtype == object:
            missing |= raw.astype(str).str.strip().to_numpy() == ""
        wrong = ~missing & (
            ~np.isfinite(values) | (values < 0) | (values != np.round(values)) | (values > 2**53)
        )
        reject(wrong, column, raw.to_numpy(), "must be a whole number ≥ 0")
        total += np.where(missing | wrong, 0, values).astype(np.int64)
    return total
