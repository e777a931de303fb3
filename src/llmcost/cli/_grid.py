"""``llmcost perf --grid FILE``: the performance model over a table of configurations, by column.

The grid is read in one go (pandas), validated column by column (a bad cell marks its row with
an error, never stops the rest), grouped by the settings that must be scalars (model, GPU, split,
mode, SLOs …) and each group is evaluated in one vectorized :func:`~llmcost.perf.estimate_serving`
call. Results are written in one go too: ``--json`` (the §4 contract: ``{"results": [...]}``, a
row that cannot be evaluated is ``{"error": "..."}``), ``--out FILE.csv|.parquet|.json``, or a
text table — truncated, with a count — when stdout is a terminal (CSV when it is a pipe).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .._core._arrays import FloatArray, check_fraction, check_nonnegative, check_positive
from .._core.errors import InvalidInputError, LlmcostError
from .._core.formula_text import neutralize_csv_text
from ..perf import PerfEstimate
from ..perf.batchjob import check_requests
from ._common import SCHEMA_VERSION, Output, format_table

if TYPE_CHECKING:
    import pandas as pd

PERF_KEYS = PerfEstimate.HEADLINE_COLUMNS
#: Rows of the text table shown on a terminal (the rest is counted, not printed).
TEXT_ROWS = 20
REQUIRED = ("model", "gpu", "gpus", "precision", "input_tokens", "output_tokens")
#: Settings that must be one value per model call: the rows are grouped by them.
GROUP_KEYS = (
    "model", "gpu", "gpus", "precision", "kv_precision", "engine", "tp", "pp", "ep",
    "mode", "tpot_slo_s", "ttft_slo_s", "quant_scope", "finite_run",
)  # fmt: skip
_TEXT_DEFAULTS = {"engine": "vllm", "quant_scope": "checkpoint"}
_MODES = ("batch", "concurrency", "max_throughput", "slo")
#: Per-row numbers: the check the model applies, and the same test as a vectorized mask.
_ROW_CHECKS: dict[str, tuple[Callable[[Any, str], Any], Callable[[FloatArray], Any]]] = {
    "input_tokens": (check_positive, lambda x: np.isfinite(x) & (x > 0)),
    "output_tokens": (check_positive, lambda x: np.isfinite(x) & (x > 0)),
    "batch": (check_positive, lambda x: np.isnan(x) | (np.isfinite(x) & (x > 0))),
    "concurrency": (check_positive, lambda x: np.isnan(x) | (np.isfinite(x) & (x > 0))),
    "cached_input_fraction": (check_fraction, lambda x: (x >= 0) & (x <= 1)),
    "image_tiles": (check_nonnegative, lambda x: np.isfinite(x) & (x >= 0)),
    "requests": (
        lambda v, _name: check_requests(v),
        lambda x: np.isnan(x) | ((x >= 1) & np.isfinite(x) & (x == np.floor(x))),
    ),
}
_ROW_DEFAULTS = {"cached_input_fraction": 0.0, "image_tiles": 0.0}


class _Columns:
    """The grid's columns as numpy arrays, and one error slot per row (first error wins)."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame
        self.n = len(frame)
        self.errors = np.empty(self.n, dtype=object)  # every slot None
        self.failed = np.zeros(self.n, dtype=bool)
        self.numbers: dict[str, FloatArray] = {}
        #: text column → (code per row, value per code): grouping reuses them
        self.codes: dict[str, tuple[Any, Any]] = {}

    def fail(self, where: Any, message: str | Callable[[int], str]) -> None:
        """Record ``message`` (or ``message(row)``) on the rows ``where`` that have no error yet.

        ``where`` is a mask or row indices.
        """
        where = np.asarray(where)
        rows = np.flatnonzero(where) if where.dtype == bool else where
        rows = rows[~self.failed[rows]]
        self.failed[rows] = True
        if callable(message):
            for i in rows:
                self.errors[i] = message(int(i))
        else:
            self.errors[rows] = message

    def text(self, key: str) -> Any:
        """Factorize a text column into :attr:`codes`; return the mask of rows left empty.

        Its few distinct values are stripped; empty ones take the column's default.
        """
        import pandas as pd

        default = _TEXT_DEFAULTS.get(key)
        if key not in self.frame:
            codes, values = np.zeros(self.n, dtype=np.int64), np.array([default], dtype=object)
        else:
            raw_codes, uniques = pd.factorize(self.frame[key])  # clean the distinct values only
            cleaned = [str(u).strip() or default for u in uniques]
            table = np.array([*cleaned, default], dtype=object)
            clean_codes, values = pd.factorize(table, use_na_sentinel=False)
            codes = clean_codes[raw_codes]  # code -1 (an empty cell) picks the default at the end
        self.codes[key] = (codes, values)
        return np.isin(codes, np.flatnonzero(pd.isna(values)))  # None: factorized as missing

    def number(self, key: str, *, whole: bool = False) -> FloatArray:
        """A numeric column (NaN where empty); a cell that is not a number fails its row."""
        import pandas as pd

        if key not in self.frame:
            return np.full(self.n, _ROW_DEFAULTS.get(key, np.nan))
        raw = self.frame[key]
        values = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
        if not (pd.api.types.is_numeric_dtype(raw) or raw.dtype == bool):
            given = raw.notna().to_numpy() & (raw.astype("string").str.strip() != "").to_numpy()
            self.fail(given & np.isnan(values), lambda i: f"{key} must be a number; got {raw[i]!r}")
        if whole:
            bad = np.isfinite(values) & (values != np.floor(values))
            self.fail(bad, lambda i: f"{key} must be a whole number; got {values[i]:g}")
        if key in _ROW_DEFAULTS:
            values = np.where(np.isnan(values), _ROW_DEFAULTS[key], values)
        return values

    def flag(self, key: str) -> Any:
        """A yes/no column: 1, true or yes (any case) are yes."""
        if key not in self.frame:
            return np.zeros(self.n, dtype=bool)
        import pandas as pd

        col = self.frame[key]
        if col.dtype == bool:
            return col.to_numpy()
        codes, uniques = pd.factorize(col)
        yes = np.array([str(u).strip().lower() in ("1", "1.0", "true", "yes") for u in uniques])
        return np.append(yes, False)[codes]


def read_grid(path: Path) -> pd.DataFrame:
    """The grid file (CSV, or Parquet by suffix) as a DataFrame, in one read."""
    import pandas as pd

    try:
        if path.suffix.lower() == ".parquet":
            return pd.read_parquet(path)
        return pd.read_csv(path, keep_default_na=False, na_values=[""], skipinitialspace=True)
    except OSError as exc:
        raise InvalidInputError(f"cannot read grid {str(path)!r}: {exc.strerror}") from exc
    except (ValueError, ImportError) as exc:
        raise InvalidInputError(f"cannot read grid {str(path)!r}: {exc}") from exc


def parse_grid(frame: pd.DataFrame) -> tuple[dict[str, Any], _Columns]:
    """Validate every column.

    Return the group keys and per-row numbers (rows with an error are marked in the returned
    columns' ``errors``).
    """
    cols = _Columns(frame)
    missing = [k for k in REQUIRED if k not in frame]
    if missing:
        raise InvalidInputError(
            f"the grid needs column(s) {', '.join(missing)}; it has: {', '.join(map(str, frame))}"
        )
    keys: dict[str, Any] = {}  # numeric settings; the text ones are factorized in cols.codes
    text_keys = ("model", "gpu", "precision", "kv_precision", "engine", "quant_scope")
    empty_text = {k: cols.text(k) for k in text_keys}
    for key in ("gpus", "tp", "pp", "ep"):
        keys[key] = cols.number(key, whole=True)
    keys["pp"] = np.where(np.isnan(keys["pp"]), 1.0, keys["pp"])
    for key in ("tpot_slo_s", "ttft_slo_s"):
        keys[key] = cols.number(key)
    numbers = cols.numbers = {key: cols.number(key) for key in _ROW_CHECKS}
    for key in REQUIRED:
        empty = empty_text[key] if key in empty_text else np.isnan({**keys, **numbers}[key])
        cols.fail(empty, f"column {key} is empty")
    _modes(cols, numbers)
    keys["finite_run"] = ~np.isnan(numbers["requests"])
    for key in _ROW_CHECKS:
        with np.errstate(invalid="ignore"):
            bad = ~_ROW_CHECKS[key][1](numbers[key])
        cols.fail(bad, _Message(key, numbers[key]))
    return keys, cols


class _Message:
    """The model's own message for a bad value of column ``name`` (one source of wording)."""

    def __init__(self, name: str, values: FloatArray) -> None:
        self.name, self.values = name, values

    def __call__(self, row: int) -> str:
        return _message(_ROW_CHECKS[self.name][0], float(self.values[row]), self.name)


def _message(check: Callable[[Any, str], Any], value: float, name: str) -> str:
    """The message ``check`` raises for ``value``."""
    try:
        check(value, name)
    except LlmcostError as exc:
        return str(exc)
    return f"{name}: invalid value {value!r}"  # pragma: no cover - the masks match the checks


def _modes(cols: _Columns, numbers: dict[str, FloatArray]) -> None:
    """Per row, which of batch, concurrency, max_throughput or an SLO sets the batch."""
    given = [~np.isnan(numbers["batch"]), ~np.isnan(numbers["concurrency"])]
    chosen = np.stack([*given, cols.flag("max_throughput")])
    has_slo = ~np.isnan(cols.number("tpot_slo_s")) | ~np.isnan(cols.number("ttft_slo_s"))
    count = chosen.sum(axis=0) + (has_slo & ~chosen.any(axis=0))
    cols.fail(count != 1, "set exactly one of batch, concurrency, max_throughput or an SLO")
    mode = np.where(chosen.any(axis=0), np.argmax(chosen, axis=0), 3)
    finite = ~np.isnan(numbers["requests"])
    cols.fail(finite & (mode != 2), "requests (a finite offline run) needs max_throughput")
    cols.codes["mode"] = (mode, np.asarray(_MODES, dtype=object))


def _groups(
    keys: dict[str, Any], ok: Any, known: dict[str, tuple[Any, Any]]
) -> dict[tuple[Any, ...], Any]:
    """Row indices (of the rows without an error) per distinct group key, in file order.

    Each key column is factorized (a few distinct values; ``known`` holds the codes of the text
    columns already), the codes are combined into one integer per row (mixed radix), and the
    rows are split by a stable sort of that integer.
    """
    import pandas as pd

    rows = np.flatnonzero(ok)
    if rows.size == 0:
        return {}
    combined = np.zeros(rows.size, dtype=np.int64)
    uniques = []
    for k in GROUP_KEYS:
        if k in known:
            codes, values = known[k][0][rows], known[k][1]
        else:
            codes, values = pd.factorize(keys[k][rows], use_na_sentinel=False)
        combined = combined * max(len(values), 1) + codes
        uniques.append((codes, values))
    group_of_row, _ = pd.factorize(combined)  # groups numbered in file order
    order = np.argsort(group_of_row, kind="stable")
    starts = np.searchsorted(group_of_row[order], np.arange(group_of_row.max() + 2))
    out = {}
    for g in range(len(starts) - 1):
        idx = order[starts[g] : starts[g + 1]]
        first = idx[0]
        out[tuple(values[codes[first]] for codes, values in uniques)] = rows[idx]
    return out


def _call(g: dict[str, Any], rows: dict[str, Any]) -> PerfEstimate:
    from ..catalog import load_catalog
    from ..perf import estimate_serving

    cat = load_catalog()

    def whole(v: Any) -> int | None:
        return None if v is None else round(v)

    def real(v: Any) -> float | None:
        return None if v is None else float(v)

    return estimate_serving(
        cat.model_spec(g["model"]),
        cat.gpu_spec(g["gpu"]),
        gpus=whole(g["gpus"]),  # type: ignore[arg-type]
        precision=g["precision"],
        input_tokens=rows["input_tokens"],
        output_tokens=rows["output_tokens"],
        engine=g["engine"],
        kv_precision=g["kv_precision"],
        tp=whole(g["tp"]),
        pp=whole(g["pp"]) or 1,
        ep=whole(g["ep"]),
        batch=rows["batch"] if g["mode"] == "batch" else None,
        concurrency=rows["concurrency"] if g["mode"] == "concurrency" else None,
        max_throughput=g["mode"] == "max_throughput",
        requests=rows["requests"] if g["finite_run"] else None,
        tpot_slo_s=real(g["tpot_slo_s"]),
        ttft_slo_s=real(g["ttft_slo_s"]),
        cached_input_fraction=rows["cached_input_fraction"],
        quant_scope=g["quant_scope"],
        image_tiles=rows["image_tiles"],
    )


_PROBE_ROW = {
    "input_tokens": 1.0, "output_tokens": 1.0, "batch": 1.0, "concurrency": 1.0,
    "requests": 1.0, "cached_input_fraction": 0.0, "image_tiles": 0.0,
}  # fmt: skip


def _evaluate(g: dict[str, Any], idx: Any, cols: _Columns, out: dict[str, Any]) -> None:
    """Evaluate rows ``idx`` of one group into ``out``.

    On an error, the settings are probed with one harmless row (a bad setting fails the whole
    group), else the rows are halved until the bad ones are found (log₂ n calls per bad row).
    """
    try:
        est = _call(g, {k: v[idx] for k, v in cols.numbers.items()})
    except LlmcostError as exc:
        if len(idx) == 1:
            cols.fail(idx, str(exc))
            return
        try:
            _call(g, _PROBE_ROW)
        except LlmcostError as group_exc:
            cols.fail(idx, str(group_exc))
            return
        half = len(idx) // 2
        _evaluate(g, idx[:half], cols, out)
        _evaluate(g, idx[half:], cols, out)
        return
    for key in PERF_KEYS:
        out[key][idx] = np.broadcast_to(np.asarray(getattr(est, key)), idx.shape)


def evaluate_grid(frame: pd.DataFrame) -> tuple[dict[str, Any], Any]:
    """Every row's headline results (one array per key) and its error (None when evaluated)."""
    keys, cols = parse_grid(frame)
    out: dict[str, Any] = {
        "batch_size": np.full(cols.n, np.nan),
        "fits": np.zeros(cols.n, dtype=bool),
        "meets_slo": np.zeros(cols.n, dtype=bool),
        "limited_by": np.empty(cols.n, dtype=object),
    }
    for key in PERF_KEYS:
        out.setdefault(key, np.full(cols.n, np.nan))
    for values, idx in _groups(keys, ~cols.failed, cols.codes).items():
        pairs = zip(GROUP_KEYS, values, strict=True)
        _evaluate({k: None if v is None or v != v else v for k, v in pairs}, idx, cols, out)
    return out, cols.errors


def results_frame(out: dict[str, Any]) -> pd.DataFrame:
    """The results as a DataFrame in :data:`PERF_KEYS` order (±inf written as missing).

    The arrays are not copied unless they hold an infinity.
    """
    import pandas as pd

    columns = {}
    for key in PERF_KEYS:
        values = out[key]
        if values.dtype.kind == "f" and np.isinf(values).any():
            values = np.where(np.isinf(values), np.nan, values)
        columns[key] = values
    return pd.DataFrame(columns, copy=False)


def _has_error(errors: Any) -> Any:
    """Rows with an error.

    The message is a non-empty string, None otherwise (a C-level truth test per object, not a Python
    comparison).
    """
    return errors.astype(bool)


def results_json(results: pd.DataFrame, errors: Any) -> tuple[str, ...]:
    """``{"schema_version": ..., "results": [...]}`` written by pandas in one go, in pieces.

    The pieces are written one after the other (never concatenated); error rows are
    ``{"error": ...}``. Floats carry 15 decimal places (pandas' most), NaN and infinities
    are ``null``.
    """
    records = results.to_json(orient="records", double_precision=15)
    bad = np.flatnonzero(_has_error(errors))
    if bad.size:  # the records hold numbers, booleans and bottleneck names: "},{" only between
        lines = records[2:-2].split("},{")
        for i in bad:
            lines[i] = json.dumps({"error": errors[i]})[1:-1]
        records = "[{" + "},{".join(lines) + "}]"
    return f'{{"schema_version": "{SCHEMA_VERSION}", "results": ', records, "}"


#: What ``perf --grid --out`` writes, by suffix.
GRID_OUT_SUFFIXES = (".csv", ".parquet", ".json")


def write_out(path: Path, table: pd.DataFrame, json_text: tuple[str, ...], fmt: str) -> None:
    """Write the table to ``path`` as ``fmt`` (csv, parquet or json; the target's suffix)."""
    if fmt == "json":
        with path.open("w", encoding="utf-8") as file:
            file.writelines([*json_text, "\n"])
    elif fmt == "csv":
        _write_csv(table, path)
    else:
        try:
            table.to_parquet(path, index=False)
        except ImportError:
            raise InvalidInputError(
                "writing Parquet needs pyarrow: pip install 'llmcost[parquet]'"
            ) from None


def csv_safe(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` with formula-like text (``=…``, ``+…``, ``@…``) neutralized for spreadsheets.

    Uses :func:`llmcost._core.formula_text.neutralize_csv_text` (as the export layer does),
    applied to each text column's distinct values rather than to every cell. Columns are not
    copied: a number, a flag or a text column with nothing to neutralize is passed on as it is.
    """
    import pandas as pd

    columns = []
    for name in table.columns:
        column = table[name]
        if not (pd.api.types.is_numeric_dtype(column) or column.dtype == bool):
            codes, uniques = pd.factorize(column)
            safe = [neutralize_csv_text(u) for u in uniques]
            if any(a is not b for a, b in zip(safe, uniques, strict=True)):
                shown = np.array([*safe, None], dtype=object)[codes]
                column = pd.Series(shown, index=column.index, name=name)
        columns.append(column)
    out = pd.concat(columns, axis=1) if columns else table.iloc[:, :0]
    out.columns = [neutralize_csv_text(str(c)) for c in table.columns]
    return out


def _write_csv(table: pd.DataFrame, path: Path) -> None:
    """CSV through pyarrow's writer when it is installed (≈ 5× pandas' on a million rows)."""
    table = csv_safe(table)
    try:
        import pyarrow as pa
        from pyarrow import csv as pa_csv
    except ImportError:
        table.to_csv(path, index=False)
        return
    pa_csv.write_csv(pa.Table.from_pandas(table, preserve_index=False), str(path))


def perf_grid(path: Path, *, out_path: Path | None, as_json: bool, force: bool = False) -> Output:
    """``perf --grid``: evaluate, then render only what will be shown or written.

    ``out_path`` is checked before any work (:func:`~llmcost.export.output.check_target`: a
    file in an existing directory, ending in .csv/.parquet/.json, not the grid itself, replaced
    only with ``force``) and written atomically.
    """
    import pandas as pd

    from ..export.output import check_target, write_all

    if out_path is not None:
        out_path = check_target(out_path, "--out", GRID_OUT_SUFFIXES, inputs=[path], force=force)
    frame = read_grid(path)
    out, errors = evaluate_grid(frame)
    results = results_frame(out)
    n_errors = int(np.count_nonzero(_has_error(errors)))
    if out_path is not None:
        renamed = results.rename(columns=lambda c: f"{c}_result" if c in frame else c)
        table = pd.concat([frame, renamed], axis=1).assign(error=errors)
        fmt = out_path.suffix.lower().lstrip(".")
        json_text = results_json(results, errors) if fmt == "json" else ()
        write_all([(out_path, lambda p: write_out(p, table, json_text, fmt))])
        payload = {"out": str(out_path), "format": fmt, "rows": len(frame), "errors": n_errors}
        text = f"wrote {len(frame):,} rows ({n_errors:,} with an error) to {out_path}"
        return Output(payload, text)
    if as_json:
        return Output({}, "", json_text=results_json(results, errors))
    table = results.assign(error=errors)
    if not sys.stdout.isatty():  # a pipe or a file: every row, as CSV
        return Output({}, csv_safe(table).to_csv(index_label="row"))
    return Output({}, _text_table(table))


def _text_table(table: pd.DataFrame) -> str:
    """The first :data:`TEXT_ROWS` rows (a row with an error shows only its message)."""
    shown = table.head(TEXT_ROWS)
    columns = ["row", *PERF_KEYS[:6], "fits", "limited_by", "error"]
    rows: list[dict[str, Any]] = []
    for i, r in zip(shown.index, shown.to_dict("records"), strict=True):
        error = r.get("error")
        if isinstance(error, str):
            rows.append({"row": i, "error": error})
        else:
            rows.append({"row": i, **{str(k): v for k, v in r.items() if k != "error"}})
    text = format_table(rows, columns)
    if len(table) > TEXT_ROWS:
        text += f"\n… {len(table) - TEXT_ROWS:,} more rows (--out FILE.csv or --json for all)"
    return text
