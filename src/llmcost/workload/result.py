"""The imported workload: what usage exports say about volume, lengths, shape, growth and mix.

:class:`UsageWorkload` is the result of :func:`llmcost.workload.from_usage`. It saves to a
workload TOML file whose ``[workload]`` table is a scenario workload (a scenario can use it
with ``[workload] from_usage = "workload.toml"``) and whose ``[usage]`` table keeps the
figures it was derived from (months, distributions, profiles, growth fit, mix).
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from .._core.display import compact
from .._core.errors import InvalidInputError
from .._core.result import ResultShape
from .._core.serialize import jsonable
from .._core.units import HOURS_PER_MONTH
from ._accumulate import LabelLengths, LengthTable
from ._toml import dumps
from .fits import GrowthFit, LengthDistribution

__all__ = ["FeatureBy", "UsageWorkload", "load_workload"]

FeatureBy = Literal["model", "tag", "none"]
#: The per-input-length columns of a saved ``length_distribution`` table.
_TABLE_COLUMNS = (
    "input_tokens_per_request",
    "requests",
    "output_tokens",
    "cached_input_tokens",
    "cache_write_tokens",
)
#: Fields held in memory only (a saved file keeps the tables in its [workload] table).
_IN_MEMORY = frozenset({"lengths", "label_lengths"})
#: Growth range a scenario accepts [fraction/month] (``Workload.growth_per_month``).
_GROWTH_RANGE = (-0.5, 10.0)


@dataclass(frozen=True)
class UsageWorkload(ResultShape):
    """An imported workload; every rate is per 730-hour month over the observed span.

    Token fields are sums over the span [tokens]; ``requests_known`` is False for exports
    without request counts (Anthropic's usage report), whose per-request figures are NaN.
    """

    sources: tuple[str, ...]
    format: str
    rows: int  # rows imported
    skipped_rows: int  # bad rows skipped (``skip_bad_rows``)
    first_day: str  # ISO date (UTC)
    last_day: str
    span_hours: float  # whole days × 24 [h]
    requests_known: bool
    per_request: bool  # rows were single requests (so lengths have distributions)
    totals: dict[str, int]  # requests, input_tokens, cached_input_tokens, … [count]
    requests_per_month: float  # [requests/month]
    input_tokens_per_request: float  # mean [tokens]
    output_tokens_per_request: float  # mean [tokens]
    cached_input_fraction: float  # of the input tokens [0–1]
    cache_write_fraction: float  # of the input tokens [0–1]
    hourly_profile: tuple[float, ...] | None  # 24 weights, mean 1
    weekday_profile: tuple[float, ...] | None  # Monday…Sunday, mean 1
    peak_to_average: float | None  # max of the hourly profile
    peak_hour_to_average: float | None  # busiest clock hour / mean hour of the span
    months: tuple[dict[str, Any], ...]  # per calendar month: sums and full_month
    input_distribution: LengthDistribution | None
    output_distribution: LengthDistribution | None
    growth: GrowthFit | None
    mix: tuple[dict[str, Any], ...]  # per (model, tag): sums and request_share
    bad_rows: tuple[str, ...] = ()  # the first bad rows skipped, as messages
    sequence_distribution: LengthDistribution | None = None  # input + output per request
    lengths: LengthTable | None = field(default=None, repr=False, compare=False)
    #: per (model, tag) label, the same sums (per-request imports; not kept in a saved file)
    label_lengths: LabelLengths | None = field(default=None, repr=False, compare=False)

    # -- views ---------------------------------------------------------------------------

    def to_frame(self) -> pd.DataFrame:
        """Monthly volumes: one row per calendar month, sums and whether it is full."""
        return pd.DataFrame(list(self.months))

    def mix_frame(self) -> pd.DataFrame:
        """The mix: one row per (model, tag) with its sums and share of the requests."""
        return pd.DataFrame(list(self.mix))

    def profile_frame(self) -> pd.DataFrame:
        """Hour-of-day weights (mean 1); empty when the export has daily buckets only."""
        if self.hourly_profile is None:
            return pd.DataFrame(columns=["hour", "weight"])
        return pd.DataFrame({"hour": range(24), "weight": self.hourly_profile})

    def requests_by_input_length(self) -> pd.DataFrame:
        """Per distinct input length: requests and their token sums (per-request imports).

        Raises :class:`InvalidInputError` for aggregated exports (buckets of many requests).
        """
        if self.lengths is None:
            raise InvalidInputError(
                "per-request lengths are not available: the export is aggregated (buckets); "
                "import a per-request log"
            )
        return self.lengths.by_input_length()

    def length_distribution(self) -> dict[str, Any] | None:
        """The scenario's ``length_distribution`` table (None: no per-request lengths).

        Per distinct input length: requests and the sums of their output, cached and
        cache-write tokens; per distinct input + output length, its requests; and the p99 of
        input + output per request [tokens] (what sizes the KV cache; see
        docs/how-to/workload-import.md).
        """
        if self.lengths is None:
            return None
        values, counts = self.lengths.values_and_counts("sequence")
        return _table(self.lengths.by_input_length(), values, counts)

    def feature_length_distributions(self, feature_by: FeatureBy) -> dict[str, dict[str, Any]]:
        """Per feature (model or tag name), its ``length_distribution`` table ({}: none known).

        The per-label sums of a per-request import grouped like :meth:`scenario_fields`'s
        features (a missing label is the feature ``"(none)"``).
        """
        if self.label_lengths is None or feature_by == "none":
            return {}
        by_input = self.label_lengths.by_input().reset_index()
        by_seq = self.label_lengths.by_sequence().reset_index()
        out = {}
        for frame in (by_input, by_seq):
            frame["feature"] = frame[feature_by].where(frame[feature_by] != "", "(none)")
        seq_groups = dict(list(by_seq.groupby("feature")))
        for name, part in by_input.groupby("feature"):
            table = part.groupby("input_tokens_per_request")[list(_TABLE_COLUMNS[1:])].sum()
            seq = seq_groups[name].groupby("sequence_tokens_per_request")["requests"].sum()
            out[str(name)] = _table(
                table.reset_index(), seq.index.to_numpy(), seq.to_numpy(np.int64)
            )
        return out

    # -- the scenario workload -----------------------------------------------------------

    def scenario_fields(self, feature_by: FeatureBy = "model") -> dict[str, Any]:
        """The ``[workload]`` table of a scenario for this usage.

        ``feature_by``: one feature per model (or tag) when there are several, else one
        workload. The hourly profile, the growth rate (clipped to the scenario's range) and
        its standard error, and (one workload) the per-request length table are included
        when the export supports them.
        """
        if not self.requests_known:
            raise InvalidInputError(
                f"{', '.join(self.sources)}: the export has no request counts, so requests "
                "per month and tokens per request are unknown; map a column with "
                "--columns requests=COLUMN (or import a per-request log)"
            )
        out: dict[str, Any] = {}
        groups = _groups(self.mix, feature_by)
        if len(groups) > 1:
            tables = self.feature_length_distributions(feature_by)
            out["features"] = [
                _feature(name, sums, self.span_hours)
                | ({"length_distribution": tables[name]} if name in tables else {})
                for name, sums in groups.items()
            ]
        else:
            out = {
                "requests_per_month": self.requests_per_month,
                "input_tokens_per_request": self.input_tokens_per_request,
                "output_tokens_per_request": self.output_tokens_per_request,
                "cached_input_fraction": self.cached_input_fraction,
                "cache_write_fraction": self.cache_write_fraction,
            }
            lengths = self.length_distribution()
            if lengths is not None:
                out["length_distribution"] = lengths
        if self.hourly_profile is not None:
            out["hourly_profile"] = list(self.hourly_profile)
        if self.growth is not None and math.isfinite(self.growth.growth_per_month):
            lo, hi = _GROWTH_RANGE
            out["growth_per_month"] = min(max(self.growth.growth_per_month, lo), hi)
            sd = self.growth.growth_per_month_se
            if math.isfinite(sd):
                out["growth_per_month_sd"] = min(max(sd, 0.0), hi)
        return out

    # -- files ---------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """Every figure as JSON-ready values (NaN → None; a file's ``[usage]`` table keeps NaN)."""
        out: dict[str, Any] = jsonable(self._record())
        return out

    def __repr__(self) -> str:
        volume = compact(self.requests_per_month) if self.requests_known else "unknown"
        return (
            f"UsageWorkload({self.format}, {self.rows:,} rows, {self.first_day}…{self.last_day}, "
            f"{volume} requests/month, {len(self.months)} months)"
        )

    def _record(self) -> dict[str, Any]:
        """Every figure as plain values (what the ``[usage]`` table of a file holds)."""
        out = {f.name: getattr(self, f.name) for f in fields(self) if f.name not in _IN_MEMORY}
        for key in ("input_distribution", "output_distribution", "sequence_distribution", "growth"):
            value = out[key]
            out[key] = asdict(value) if value is not None else None
        for key in ("sources", "hourly_profile", "weekday_profile", "months", "mix", "bad_rows"):
            out[key] = list(out[key]) if out[key] is not None else None
        return out

    def save(self, path: str | Path, feature_by: FeatureBy = "model") -> Path:
        """Write the workload TOML file (written whole, then renamed: never half-written)."""
        p = Path(path)
        body = {"usage": self._record()}
        if self.requests_known:
            body = {"workload": self.scenario_fields(feature_by)} | body
        tmp = p.with_name(p.name + ".tmp")
        header = "# llmcost imported workload (llmcost workload import)\n"
        tmp.write_text(header + dumps(body), encoding="utf-8")
        tmp.replace(p)
        return p

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> UsageWorkload:
        """Rebuild from :meth:`to_dict` (the per-input-length tables are not kept)."""
        names = {f.name for f in fields(cls)} - _IN_MEMORY
        unknown = sorted(set(data) - names)
        if unknown:
            raise InvalidInputError(f"workload file: [usage]: unknown key {unknown[0]!r}")
        values = dict(data)
        for key, kind in (
            ("input_distribution", LengthDistribution),
            ("output_distribution", LengthDistribution),
            ("sequence_distribution", LengthDistribution),
            ("growth", GrowthFit),
        ):
            values[key] = kind(**values[key]) if values.get(key) else None
        for key in ("sources", "hourly_profile", "weekday_profile", "months", "mix", "bad_rows"):
            values[key] = tuple(values[key]) if values.get(key) is not None else None
        values.setdefault("bad_rows", ())
        values["bad_rows"] = values["bad_rows"] or ()
        for key in names - set(values):
            values[key] = None
        return cls(**values)


def _table(by_input: pd.DataFrame, seq_values: Any, seq_counts: Any) -> dict[str, Any]:
    """A ``length_distribution`` table from per-input-length sums and the sequence histogram."""
    out: dict[str, Any] = {
        col: [int(v) for v in by_input[col].to_numpy()] for col in _TABLE_COLUMNS
    }
    values = np.asarray(seq_values, dtype=np.int64)
    counts = np.asarray(seq_counts, dtype=np.int64)
    order = np.argsort(values)
    values, counts = values[order], counts[order]
    out["sequence_tokens_per_request"] = [int(v) for v in values]
    out["sequence_requests"] = [int(v) for v in counts]
    cum = np.cumsum(counts)
    # the inverted-CDF p99 (as LengthDistribution's quantiles)
    out["sequence_tokens_p99"] = float(values[np.searchsorted(cum, 0.99 * cum[-1], side="left")])
    return out


def _lengths(sums: dict[str, Any]) -> dict[str, float]:
    req = float(sums["requests"])
    return {
        "input_tokens_per_request": float(sums["input_tokens"]) / req if req else 0.0,
        "output_tokens_per_request": float(sums["output_tokens"]) / req if req else 0.0,
    }


def _fractions(sums: dict[str, Any]) -> dict[str, float]:
    tin = float(sums["input_tokens"])
    return {
        "cached_input_fraction": float(sums["cached_input_tokens"]) / tin if tin else 0.0,
        "cache_write_fraction": float(sums["cache_write_tokens"]) / tin if tin else 0.0,
    }


def _groups(mix: tuple[dict[str, Any], ...], feature_by: FeatureBy) -> dict[str, dict[str, Any]]:
    if feature_by == "none":
        return {"all": {}}
    out: dict[str, dict[str, Any]] = {}
    for row in mix:
        name = row[feature_by] or "(none)"
        acc = out.setdefault(name, {})
        for key in (
            "requests",
            "input_tokens",
            "cached_input_tokens",
            "cache_write_tokens",
            "output_tokens",
        ):
            acc[key] = acc.get(key, 0) + int(row[key])
    return out


def _feature(name: str, sums: dict[str, Any], span_hours: float) -> dict[str, Any]:
    return {
        "name": name,
        "requests_per_month": float(sums["requests"]) / span_hours * HOURS_PER_MONTH,
        **_lengths(sums),
        **_fractions(sums),
    }


def load_workload(path: str | Path) -> tuple[UsageWorkload, dict[str, Any] | None]:
    """Read a workload file: the imported workload and its ``[workload]`` table (or None)."""
    p = Path(path)
    if not p.is_file():
        raise InvalidInputError(f"workload file not found: {str(p)!r}")
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InvalidInputError(f"{p.name}: not valid TOML: {exc}") from None
    if "usage" not in data:
        raise InvalidInputError(f"{p.name}: not a workload file (no [usage] table)")
    usage = UsageWorkload.from_dict(data["usage"])
    workload = data.get("workload") or {}
    features = workload.get("features")
    tables = [workload.get("length_distribution")]
    if isinstance(features, list):  # several features: the whole is the sum of their tables
        tables = [f.get("length_distribution") for f in features if isinstance(f, dict)]
    frames = [
        pd.DataFrame({c: t[c] for c in _TABLE_COLUMNS})
        for t in tables
        if isinstance(t, dict) and all(isinstance(t.get(c), list) for c in _TABLE_COLUMNS)
    ]
    if frames and len(frames) == len(tables):
        frame = pd.concat(frames).groupby("input_tokens_per_request").sum().reset_index()
        usage = replace(usage, lengths=LengthTable.from_by_input_length(frame))
    return usage, data.get("workload")
