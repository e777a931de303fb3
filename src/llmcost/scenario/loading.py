"""Reading scenario files (TOML) and turning pydantic's errors into one clear message."""

from __future__ import annotations

import tomllib
import unicodedata
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .._core.display import plain
from .._core.errors import InvalidInputError
from .config import Scenario
from .imported import resolve_imported_workload

__all__ = ["as_scenario", "field_unit", "load_scenario", "parse_scenario", "shown_value"]

#: Largest scenario file read [bytes]: a scenario is a few kB; refuse anything absurd.
MAX_SCENARIO_BYTES = 1_000_000


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario TOML file (docs/architecture.md §4).

    Raises :class:`InvalidInputError` naming the file, the field path and the value for a
    missing file, a TOML syntax error or a field that fails validation. The scenario's name
    defaults to the file's stem.
    """
    p = Path(path)
    try:
        found, size = p.is_file(), (p.stat().st_size if p.is_file() else 0)
    except OSError as exc:  # a name too long for the file system, a path through a file, ...
        shown = str(p)[:120]
        why = exc.strerror
        raise InvalidInputError(f"scenario file cannot be read: {shown!r}: {why}") from None
    if not found:
        raise InvalidInputError(f"scenario file not found: {str(p)!r}")
    if size > MAX_SCENARIO_BYTES:
        raise InvalidInputError(
            f"scenario file {str(p)!r} is larger than {MAX_SCENARIO_BYTES:,} bytes"
        )
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InvalidInputError(f"{p.name}: not valid TOML: {exc}") from exc
    data.setdefault("name", p.stem)
    return parse_scenario(data, source=p.name, base_dir=p.parent)


def as_scenario(scenario: Any) -> Scenario:
    """A :class:`Scenario` from a Scenario, a path to a TOML file or a mapping.

    What every API entry point accepts.
    """
    if isinstance(scenario, Scenario):
        return scenario
    if isinstance(scenario, str | Path):
        return load_scenario(scenario)
    if isinstance(scenario, Mapping):
        return parse_scenario(scenario)
    raise InvalidInputError(
        "scenario must be a Scenario, a path to a TOML file or a mapping; got "
        f"{type(scenario).__name__}"
    )


def shown_value(value: Any, limit: int = 60) -> str:
    r"""A value as the user wrote it, for a message.

    Control and bidi characters escaped, long values cut (a 400-digit integer shows its first digits
    and its length).

    >>> print(shown_value("a\u202eb"))
    'a\u202eb'
    >>> shown_value(10**400)
    '100000000000000000000000000000000000000000000000000000000000… (401 digits)'
    """
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**limit:
        digits = str(abs(value))
        return f"{'-' if value < 0 else ''}{digits[:limit]}… ({len(digits)} digits)"
    if isinstance(value, str):
        text = repr(value)
    elif hasattr(value, "tolist") or isinstance(value, list | tuple | dict):
        text = plain(value, limit=10 * limit)  # numpy values as Python numbers and lists
    else:
        text = str(value)
    text = "".join(
        c.encode("unicode_escape").decode("ascii")
        if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp")
        else c
        for c in text
    )
    return text if len(text) <= limit else text[:limit] + "…"


def parse_scenario(
    data: Mapping[str, Any], *, source: str = "scenario", base_dir: str | Path = "."
) -> Scenario:
    """Validate a scenario given as a mapping (e.g. parsed TOML or JSON).

    ``workload.from_usage`` names an imported workload file (relative to ``base_dir``);
    see :mod:`llmcost.scenario.imported`.
    """
    data = resolve_imported_workload(data, Path(base_dir))
    try:
        return Scenario.model_validate(dict(data))
    except ValidationError as exc:
        raise InvalidInputError(f"{source}: {_describe(exc, data)}") from None


#: Units of scenario fields by name suffix (the longest matching suffix wins), for range messages.
_UNIT_SUFFIXES = (
    ("_usd_per_mtok", "USD per 1M tokens"),
    ("_usd_per_gpu_hour", "USD per GPU-hour"),
    ("gpu_usd_per_hour", "USD per GPU-hour"),
    ("_usd_per_kw_month", "USD per kW-month"),
    ("_usd_per_month", "USD per month"),
    ("_usd_per_year", "USD per year"),
    ("usd_per_kwh", "USD per kWh"),
    ("_usd_per_gpu", "USD per GPU"),
    ("_kw_per_gpu", "kW per GPU"),
    ("_fraction_per_year", "(a fraction per year, 0–1)"),
    ("_per_year", "(a fraction per year)"),
    ("_per_month", "(a fraction per month)"),
    ("_fraction", "(a fraction, 0–1)"),
    ("_utilization", "(a fraction, 0–1)"),
    ("_tokens_per_s_per_replica", "tokens/s per replica"),
    ("requests_per_s_per_replica", "requests/s per replica"),
    ("_tokens_per_request", "tokens per request"),
    ("images_per_request", "images per request"),
    ("requests_per_month", "requests per month"),
    ("tokens_per_month", "tokens per month"),
    ("tokens_per_minute", "tokens per minute"),
    ("requests_per_minute", "requests per minute"),
    ("_slo_s", "s"),
    ("_px", "pixels"),
    ("_months", "months"),
    ("_years", "years"),
    ("_fte", "FTE"),
    ("_replicas", "replicas"),
    ("gpus_per_replica", "GPUs"),
    ("at_concurrency", "concurrent requests"),
    ("peak_to_average", "(busiest hour ÷ mean)"),
    ("pue", "(facility ÷ IT power)"),
)
_UNIT_EXACT = {"tp": "GPUs", "pp": "pipeline stages", "ep": "GPUs"}
_BOUNDS = {
    "greater_than": ("gt", ">"),
    "greater_than_equal": ("ge", "≥"),
    "less_than": ("lt", "<"),
    "less_than_equal": ("le", "≤"),
}


def field_unit(path: str) -> str:
    """The unit of a scenario field from its path's last name (e.g. ``"USD per GPU-hour"``).

    >>> field_unit("options[0](a).gpu_usd_per_hour")
    'USD per GPU-hour'
    >>> field_unit("workload.requests_per_month"), field_unit("options[1](b).tp")
    ('requests per month', 'GPUs')
    """
    name = path.rsplit(".", 1)[-1]
    if name in _UNIT_EXACT:
        return _UNIT_EXACT[name]
    matches = [(len(suffix), unit) for suffix, unit in _UNIT_SUFFIXES if name.endswith(suffix)]
    return max(matches)[1] if matches else ""


def _range_message(err: Mapping[str, Any], path: str) -> str | None:
    """``must be ≤ 1e+15 USD per GPU-hour`` for a pydantic bound error (None: not one)."""
    bound = _BOUNDS.get(err["type"])
    if bound is None:
        return None
    key, sign = bound
    limit = err.get("ctx", {}).get(key)
    if not isinstance(limit, int | float):
        return None
    unit = field_unit(path)
    return f"must be {sign} {limit:g}" + (f" {unit}" if unit else "")


def _describe(exc: ValidationError, data: Mapping[str, Any]) -> str:
    """One message for every error: ``field.path = value: what is wrong``."""
    parts = []
    for err in exc.errors():
        path = _path(err["loc"], data)
        msg = _range_message(err, path) or err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            parts.append(f"{path}: unknown key (check the spelling; see docs/architecture.md §4)")
        elif err["type"] == "missing":
            parts.append(f"{path}: required")
        elif err["type"] == "union_tag_invalid":
            tag = err.get("ctx", {}).get("tag")
            parts.append(f"{path}.kind = {tag!r}: must be 'api' or 'self_hosted'")
        elif err["type"] == "union_tag_not_found":
            parts.append(f"{path}.kind: required ('api' or 'self_hosted')")
        elif path and "input" in err and not isinstance(err["input"], dict | list):
            parts.append(f"{path} = {shown_value(err['input'])}: {msg}")
        else:
            parts.append(f"{path or 'scenario'}: {msg}")
    return "; ".join(parts)


def _path(loc: tuple[int | str, ...], data: Mapping[str, Any]) -> str:
    """``options[2](maverick).gpu_usd_per_hour`` from pydantic's location tuple."""
    out = ""
    node: Any = data
    skip_tag = False
    for part in loc:
        if skip_tag:  # the discriminated union adds the tag ("api") after the index
            skip_tag = False
            if part in ("api", "self_hosted"):
                continue
        if isinstance(part, int):
            out += f"[{part}]"
            node = node[part] if isinstance(node, list) and part < len(node) else None
            if isinstance(node, dict) and "name" in node:
                out += f"({shown_value(node['name']).strip(chr(39))})"
            skip_tag = True
        else:
            out += ("." if out else "") + str(part)
            node = node.get(part) if isinstance(node, dict) else None
    return out
