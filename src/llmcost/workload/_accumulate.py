"""Streaming totals of usage rows: memory bounded by hours × labels, not by rows.

Kept per chunk and merged: sums per clock hour (requests and the four token counts), sums per
(model, tag), and — for per-request logs — exact histograms of the input, output and
input + output lengths with, per input length, the sums of the output, cached and cache-write
tokens of those requests (what the API cost with per-request long-context tiers needs). Lengths of
:data:`LENGTH_CAP` tokens and more are kept one by one (rare: beyond any context window).
The same per-input-length sums and input + output counts are kept per (model, tag) label
(:class:`LabelLengths`, sparse: memory follows the distinct (label, length) pairs), so each
feature of a workload split by model or tag has its own distribution.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ._read import CanonicalChunk
from .formats import TOKEN_FIELDS

__all__ = ["LENGTH_CAP", "LabelLengths", "LengthTable", "UsageAccumulator"]

#: Histogram size [tokens]: lengths at or above it are stored individually.
LENGTH_CAP = 1 << 20
SUMS = ("requests", *TOKEN_FIELDS)
_COMPACT_EVERY = 16
#: The per-label tables are merged more often: a chunk's input + output lengths are nearly all
#: distinct, so a held chunk table is almost as long as the chunk.
_COMPACT_LABELS_EVERY = 4


@dataclass
class LengthTable:
    """Per input length: request count and token sums (exact integers), plus output lengths."""

    input_count: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    output_by_input: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    cached_by_input: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    write_by_input: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    output_count: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    sequence_count: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    #: rows (input, output, cached, write, requests) of lengths ≥ LENGTH_CAP
    big: list[np.ndarray] = field(default_factory=list)
    big_output: list[np.ndarray] = field(default_factory=list)
    big_sequence: list[np.ndarray] = field(default_factory=list)

    def add(self, tin: np.ndarray, tout: np.ndarray, cached: np.ndarray, write: np.ndarray) -> None:
        """Add one chunk of per-request lengths [tokens]."""
        small = tin < LENGTH_CAP
        if not small.all():
            ones = np.ones_like(tin)
            self.big.append(np.stack([tin, tout, cached, write, ones], axis=1)[~small])
        ti = tin[small]
        self.input_count = _grow_add(self.input_count, np.bincount(ti))
        for name, weights in (
            ("output_by_input", tout[small]),
            ("cached_by_input", cached[small]),
            ("write_by_input", write[small]),
        ):
            sums = np.bincount(ti, weights=weights).round().astype(np.int64)
            setattr(self, name, _grow_add(getattr(self, name), sums))
        small_out = tout < LENGTH_CAP
        if not small_out.all():
            self.big_output.append(tout[~small_out])
        self.output_count = _grow_add(self.output_count, np.bincount(tout[small_out]))
        seq = tin + tout
        small_seq = seq < LENGTH_CAP
        if not small_seq.all():
            self.big_sequence.append(seq[~small_seq])
        self.sequence_count = _grow_add(self.sequence_count, np.bincount(seq[small_seq]))

    @classmethod
    def from_by_input_length(cls, frame: pd.DataFrame) -> LengthTable:
        """The per-input-length part of a table from :meth:`by_input_length` (a saved file)."""
        table = cls()
        cols = ("output_tokens", "cached_input_tokens", "cache_write_tokens")
        lengths = frame["input_tokens_per_request"].to_numpy(np.int64)
        small = lengths < LENGTH_CAP
        size = int(lengths[small].max()) + 1 if small.any() else 0
        for name, col in zip(
            ("input_count", "output_by_input", "cached_by_input", "write_by_input"),
            ("requests", *cols),
            strict=True,
        ):
            arr = np.zeros(size, dtype=np.int64)
            arr[lengths[small]] = frame[col].to_numpy(np.int64)[small]
            setattr(table, name, arr)
        if not small.all():
            big = frame[~small]
            table.big.append(
                big[["input_tokens_per_request", *cols, "requests"]].to_numpy(np.int64)
            )
        return table

    def by_input_length(self) -> pd.DataFrame:
        """One row per distinct input length: requests and the token sums of those requests."""
        lengths = np.flatnonzero(self.input_count)
        frame = pd.DataFrame(
            {
                "input_tokens_per_request": lengths,
                "requests": self.input_count[lengths],
                "output_tokens": self.output_by_input[lengths],
                "cached_input_tokens": self.cached_by_input[lengths],
                "cache_write_tokens": self.write_by_input[lengths],
            }
        )
        if self.big:
            rows = np.concatenate(self.big)
            extra = pd.DataFrame(
                {
                    "input_tokens_per_request": rows[:, 0],
                    "requests": rows[:, 4],
                    "output_tokens": rows[:, 1],
                    "cached_input_tokens": rows[:, 2],
                    "cache_write_tokens": rows[:, 3],
                }
            )
            frame = pd.concat([frame, extra]).groupby("input_tokens_per_request").sum()
            frame = frame.reset_index()
        return frame

    def values_and_counts(self, which: str) -> tuple[np.ndarray, np.ndarray]:
        """Distinct lengths (sorted) and how many requests have each.

        ``which``: ``input``, ``output`` or ``sequence`` (input + output of each request).
        """
        counts, big = {
            "input": (self.input_count, [np.repeat(b[:, 0], b[:, 4]) for b in self.big]),
            "output": (self.output_count, list(self.big_output)),
            "sequence": (self.sequence_count, list(self.big_sequence)),
        }[which]
        values = np.flatnonzero(counts)
        n = counts[values]
        if big:
            extra_v, extra_n = np.unique(np.concatenate(big), return_counts=True)
            values, n = np.concatenate([values, extra_v]), np.concatenate([n, extra_n])
        return values.astype(np.int64), n.astype(np.int64)


#: Columns of :meth:`LabelLengths.by_input` (besides the labels and the input length).
_INPUT_SUMS = ("requests", "output_tokens", "cached_input_tokens", "cache_write_tokens")


@dataclass
class LabelLengths:
    """Per (model, tag) label: :class:`LengthTable`'s per-input-length sums, sparse.

    ``by_input()`` holds, per label and distinct input length, the requests and the sums of
    their output, cached and cache-write tokens; ``by_sequence()`` the requests per label and
    distinct input + output length (exact integers).
    """

    _input: list[pd.DataFrame] = field(default_factory=list)
    _sequence: list[pd.DataFrame] = field(default_factory=list)

    def add(self, labels: dict[str, np.ndarray], tokens: dict[str, np.ndarray]) -> None:
        """Add one chunk of per-request rows (labels ``model``/``tag``, canonical tokens)."""
        tin = tokens["input_tokens"]
        frame = pd.DataFrame(
            {
                "model": labels["model"],
                "tag": labels["tag"],
                "input_tokens_per_request": tin,
                "requests": np.ones_like(tin),
                "output_tokens": tokens["output_tokens"],
                "cached_input_tokens": tokens["cached_input_tokens"],
                "cache_write_tokens": tokens["cache_write_tokens"],
            }
        )
        keys = ["model", "tag", "input_tokens_per_request"]
        self._input.append(frame.groupby(keys, sort=False)[list(_INPUT_SUMS)].sum())
        frame["sequence_tokens_per_request"] = tin + tokens["output_tokens"]
        seq = frame.groupby(["model", "tag", "sequence_tokens_per_request"], sort=False).size()
        self._sequence.append(seq.to_frame("requests"))
        if len(self._input) >= _COMPACT_LABELS_EVERY:
            self._input = [self.by_input()]
            self._sequence = [self.by_sequence()]

    def by_input(self) -> pd.DataFrame:
        """Index (model, tag, input_tokens_per_request); the request and token sums."""
        return _merge(self._input, "input_tokens_per_request", list(_INPUT_SUMS))

    def by_sequence(self) -> pd.DataFrame:
        """Index (model, tag, sequence_tokens_per_request); column ``requests``."""
        return _merge(self._sequence, "sequence_tokens_per_request", ["requests"])


def _merge(parts: list[pd.DataFrame], length: str, columns: list[str]) -> pd.DataFrame:
    if not parts:
        index = pd.MultiIndex.from_tuples([], names=["model", "tag", length])
        return pd.DataFrame(columns=columns, index=index, dtype="int64")
    return pd.concat(parts).groupby(level=[0, 1, 2]).sum().sort_index()


def _grow_add(acc: np.ndarray, counts: np.ndarray) -> np.ndarray:
    if counts.size > acc.size:
        acc = np.concatenate([acc, np.zeros(counts.size - acc.size, dtype=np.int64)])
    acc[: counts.size] += counts.astype(np.int64)
    return acc


class UsageAccumulator:
    """Totals of every chunk added so far (see the module docstring)."""

    def __init__(self) -> None:
        self._hourly: list[pd.DataFrame] = []
        self._mix: list[pd.DataFrame] = []
        self.lengths = LengthTable()
        self.label_lengths = LabelLengths()
        self.rows = 0
        self.per_request = True
        self.has_requests = False
        self.first_ns: int | None = None
        self.last_ns: int | None = None

    def add(self, chunk: CanonicalChunk, *, per_request: bool) -> None:
        """Add the valid rows of one chunk."""
        n = chunk.requests.size
        self.per_request &= per_request and not chunk.has_requests
        self.has_requests |= chunk.has_requests
        if n == 0:
            return
        self.rows += n
        lo, hi = int(chunk.time_ns.min()), int(chunk.time_ns.max())
        self.first_ns = lo if self.first_ns is None else min(self.first_ns, lo)
        self.last_ns = hi if self.last_ns is None else max(self.last_ns, hi)
        sums = {"requests": chunk.requests, **chunk.tokens}
        frame = pd.DataFrame({"hour": chunk.hour, **sums})
        self._hourly.append(frame.groupby("hour").sum())
        frame = pd.DataFrame({**chunk.labels, **sums})
        self._mix.append(frame.groupby(["model", "tag"]).sum())
        if len(self._hourly) >= _COMPACT_EVERY:
            self._hourly = [self.hourly()]
            self._mix = [self.mix()]
        if self.per_request:
            t = chunk.tokens
            self.lengths.add(
                t["input_tokens"],
                t["output_tokens"],
                t["cached_input_tokens"],
                t["cache_write_tokens"],
            )
            self.label_lengths.add(chunk.labels, t)

    def hourly(self) -> pd.DataFrame:
        """Sums per clock hour (index: hours since 1970 UTC), columns :data:`SUMS`."""
        if not self._hourly:
            return pd.DataFrame(columns=list(SUMS), index=pd.Index([], name="hour"), dtype="int64")
        return pd.concat(self._hourly).groupby(level=0).sum().sort_index()

    def mix(self) -> pd.DataFrame:
        """Sums per (model, tag), columns :data:`SUMS`."""
        if not self._mix:
            index = pd.MultiIndex.from_tuples([], names=["model", "tag"])
            return pd.DataFrame(columns=list(SUMS), index=index, dtype="int64")
        return pd.concat(self._mix).groupby(level=[0, 1]).sum()
