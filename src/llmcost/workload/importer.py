"""``from_usage``: read usage exports chunk by chunk and derive an :class:`UsageWorkload`."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._core.display import plain
from .._core.errors import InvalidInputError
from ._accumulate import SUMS, UsageAccumulator
from ._read import read_usage_file
from .derive import daily_shape, monthly_table, span_of
from .fits import fit_growth, length_distribution
from .formats import get_format
from .result import UsageWorkload

__all__ = ["from_usage", "parse_columns"]

#: Bad rows kept as examples in the result.
_EXAMPLES = 10


def parse_columns(text: str) -> dict[str, str]:
    """``"timestamp=ts,input_tokens=prompt"`` → ``{"timestamp": "ts", "input_tokens": "prompt"}``.

    >>> parse_columns("timestamp=ts, input_tokens=prompt")
    {'timestamp': 'ts', 'input_tokens': 'prompt'}
    """
    out: dict[str, str] = {}
    for part in (p.strip() for p in text.split(",") if p.strip()):
        key, sep, value = part.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise InvalidInputError(
                f"columns must look like timestamp=ts,input_tokens=prompt; got {part!r}"
            )
        out[key.strip()] = value.strip()
    return out


def _paths(paths: Any) -> list[Path]:
    """``paths`` (one path or a list of paths) as a list of :class:`Path`."""
    if isinstance(paths, str | Path):
        return [Path(paths)]
    if isinstance(paths, Iterable) and not isinstance(paths, bytes | Mapping):
        items = list(paths)
        if all(isinstance(p, str | Path) for p in items):
            return [Path(p) for p in items]
    raise InvalidInputError(
        f"paths must be a file path or a list of file paths; got {plain(paths)}"
    )


def from_usage(
    paths: str | Path | Iterable[str | Path],
    *,
    format: str = "csv",
    columns: Mapping[str, str] | None = None,
    skip_bad_rows: bool = False,
) -> UsageWorkload:
    """Import usage exports into a workload (see :mod:`llmcost.workload.formats`).

    Parameters
    ----------
    paths : str, Path or iterable of them
        One file or several (CSV, JSON lines ``.jsonl``, JSON ``.json``, ``.parquet``), all of
        the same ``format``.
    format : {"openai", "openai-log", "anthropic", "anthropic-log", "litellm", "csv"}
        The export's layout.
    columns : mapping of str to str, optional
        Canonical field → source column, overriding the format's names, e.g.
        ``{"timestamp": "ts", "input_tokens": "prompt"}``.
    skip_bad_rows : bool
        Skip rows with a bad value (counted in ``skipped_rows``, the first few kept in
        ``bad_rows``) instead of failing.

    Returns
    -------
    UsageWorkload
        Volumes per 730-hour month, lengths and their distributions, the daily profile, the
        monthly table and the model/tag mix.

    Raises
    ------
    InvalidInputError
        A file is missing or unreadable, lacks a required column, or (without
        ``skip_bad_rows``) has a bad row: the message names the file, line, column and value.
        Nothing is returned half-imported.
    """
    files = _paths(paths)
    if not files:
        raise InvalidInputError("from_usage: give at least one usage file")
    fmt = get_format(format, columns)
    acc = UsageAccumulator()
    skipped, examples = 0, list[str]()
    for path in files:
        for chunk, bad, n_bad in read_usage_file(path, fmt):
            if n_bad and not skip_bad_rows:
                raise InvalidInputError(
                    f"{bad[0]} (and {n_bad - 1} more bad rows in this chunk; fix them or use "
                    "--skip-bad-rows)"
                    if n_bad > 1
                    else f"{bad[0]} (or use --skip-bad-rows)"
                )
            skipped += n_bad
            examples.extend(str(b) for b in bad[: max(_EXAMPLES - len(examples), 0)])
            acc.add(chunk, per_request=fmt.per_request)
    if acc.rows == 0 or acc.first_ns is None or acc.last_ns is None:
        raise InvalidInputError(
            f"{', '.join(p.name for p in files)}: no valid usage rows"
            + (f" ({skipped} bad rows skipped)" if skipped else "")
        )
    return _derive(acc, files, fmt.name, skipped, examples)


def _derive(
    acc: UsageAccumulator, files: list[Path], fmt: str, skipped: int, examples: list[str]
) -> UsageWorkload:
    assert acc.first_ns is not None
    assert acc.last_ns is not None
    hourly = acc.hourly()
    span = span_of(acc.first_ns, acc.last_ns)
    totals = {k: int(hourly[k].sum()) for k in SUMS}
    known = acc.per_request or acc.has_requests
    # daily buckets (every row at 00:00 UTC) say nothing about the hour of the day
    resolved = acc.per_request or bool(np.any(hourly.index.to_numpy() % 24 != 0))
    shape = daily_shape(hourly, span, hourly_resolved=resolved and known)
    months = monthly_table(hourly, span)
    full = months[months["full_month"]]
    growth = fit_growth(full["requests"].to_numpy(dtype=np.float64)) if known else None
    req = totals["requests"] if known else math.nan
    tin = totals["input_tokens"]
    lengths = acc.lengths if acc.per_request else None
    return UsageWorkload(
        sources=tuple(p.name for p in files),
        format=fmt,
        rows=acc.rows,
        skipped_rows=skipped,
        first_day=span.first_day.date().isoformat(),
        last_day=span.last_day.date().isoformat(),
        span_hours=span.hours,
        requests_known=known,
        per_request=acc.per_request,
        totals=totals,
        requests_per_month=span.per_month(req),
        input_tokens_per_request=tin / req if req else math.nan,
        output_tokens_per_request=totals["output_tokens"] / req if req else math.nan,
        cached_input_fraction=totals["cached_input_tokens"] / tin if tin else 0.0,
        cache_write_fraction=totals["cache_write_tokens"] / tin if tin else 0.0,
        hourly_profile=shape.hourly_profile,
        weekday_profile=shape.weekday_profile,
        peak_to_average=shape.peak_to_average,
        peak_hour_to_average=shape.peak_hour_to_average,
        months=tuple(_records(months)),
        input_distribution=length_distribution(*lengths.values_and_counts("input"))
        if lengths
        else None,
        output_distribution=length_distribution(*lengths.values_and_counts("output"))
        if lengths
        else None,
        growth=growth,
        mix=tuple(_mix_records(acc.mix(), totals["requests"])),
        bad_rows=tuple(examples),
        sequence_distribution=length_distribution(*lengths.values_and_counts("sequence"))
        if lengths
        else None,
        lengths=lengths,
        label_lengths=acc.label_lengths if acc.per_request else None,
    )


def _records(frame: pd.DataFrame) -> list[dict[str, object]]:
    return [
        {str(k): (v.item() if isinstance(v, np.generic) else v) for k, v in row.items()}
        for row in frame.to_dict("records")
    ]


def _mix_records(mix: pd.DataFrame, total_requests: int) -> list[dict[str, object]]:
    frame = mix.reset_index().sort_values("requests", ascending=False, kind="stable")
    frame["request_share"] = frame["requests"] / total_requests if total_requests else 0.0
    return _records(frame)
