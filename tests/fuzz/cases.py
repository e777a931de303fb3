"""Generated inputs for the fuzz suite (tests/fuzz) and benchmarks/fuzz.py: a small valid
scenario, one field replaced by a hostile or boundary value, written as TOML."""

from __future__ import annotations

import copy
import json
import math
from typing import Any

#: A valid scenario: two API offers and one self-hosted option on a rented H100.
BASE: dict[str, Any] = {
    "name": "fuzz",
    "as_of": "2025-06-01",
    "workload": {
        "requests_per_month": 1_000_000,
        "input_tokens_per_request": 1000,
        "output_tokens_per_request": 200,
        "cached_input_fraction": 0.2,
        "peak_to_average": 2.0,
    },
    "options": [
        {"name": "gpt-4o", "kind": "api", "offer": "openai/gpt-4o"},
        {"name": "mini", "kind": "api", "offer": "openai/gpt-4o-mini"},
        {
            "name": "llama-8b",
            "kind": "self_hosted",
            "model": "llama-3.1-8b",
            "gpu": "h100-sxm",
            "gpus_per_replica": 1,
            "precision": "bf16",
            "requests_per_s_per_replica": 10.0,
        },
    ],
}

#: Options a case adds when it targets them (index → table): speculative decoding,
#: disaggregated prefill/decode and a layout search, each on the performance model.
EXTRA_OPTIONS: dict[int, dict[str, Any]] = {
    3: {"name": "llama-spec", "kind": "self_hosted", "model": "llama-3.1-8b", "gpu": "h100-sxm",
        "gpus_per_replica": 1, "precision": "fp8",
        "speculative": {"method": "ngram", "num_draft_tokens": 3, "acceptance_rate": 0.6}},
    4: {"name": "llama-disagg", "kind": "self_hosted", "model": "llama-3.1-8b", "gpu": "h100-sxm",
        "precision": "fp8", "disaggregated": {"prefill_gpus": 1, "decode_gpus": 1}},
    5: {"name": "llama-auto", "kind": "self_hosted", "model": "llama-3.1-8b", "gpu": "h100-sxm",
        "precision": "fp8", "layout": "auto"},
}  # fmt: skip

#: (section, key) pairs a case may replace; section None is the top level, an int an option
#: (3–5: one of :data:`EXTRA_OPTIONS`); a dotted key is a field of a table in the option.
FIELDS: list[tuple[str | int | None, str]] = [
    (None, "name"),
    (None, "as_of"),
    ("workload", "requests_per_month"),
    ("workload", "input_tokens_per_request"),
    ("workload", "output_tokens_per_request"),
    ("workload", "cached_input_fraction"),
    ("workload", "peak_to_average"),
    ("workload", "growth_per_month"),
    ("workload", "horizon_months"),
    (0, "name"),
    (0, "offer"),
    (0, "input_usd_per_mtok"),
    (0, "cached_input_usd_per_mtok"),
    (0, "output_usd_per_mtok"),
    (0, "batch_discount_fraction"),
    (2, "name"),
    (2, "gpus_per_replica"),
    (2, "tp"),
    (2, "precision"),
    (2, "gpu_usd_per_hour"),
    (2, "min_replicas"),
    (2, "max_replicas"),
    (2, "target_utilization"),
    (2, "engineering_fte"),
    (2, "fixed_usd_per_month"),
    (2, "requests_per_s_per_replica"),
    ("workload", "horizon_start"),
    (3, "speculative.method"),
    (3, "speculative.num_draft_tokens"),
    (3, "speculative.acceptance_rate"),
    (3, "speculative.draft_model"),
    (4, "disaggregated.prefill_gpus"),
    (4, "disaggregated.decode_gpus"),
    (4, "disaggregated.prefill_replicas"),
    (4, "disaggregated.kv_link_gb_per_s"),
    (5, "gpu"),
    (5, "layout"),
    (5, "max_replicas"),
]

#: Hostile and boundary values: huge ints, NaN/inf (as floats and as strings), booleans,
#: control and bidi characters, spreadsheet formula prefixes, empty text, negatives.
SPECIAL_VALUES: list[Any] = [
    0,
    1,
    -1,
    2,
    3,
    10**30,
    10**400,
    -(10**400),
    0.5,
    1.0,
    1e-300,
    1e308,
    -0.0,
    math.nan,
    math.inf,
    -math.inf,
    "nan",
    "inf",
    "1e308",
    True,
    False,
    "",
    " ",
    "a\nb",
    "x\x07y",
    "\u202eevil",
    "=1+1",
    "+SUM(A1)",
    "-2",
    "@cmd",
    "h100-sxm",
    "fp4",
    "2025-13-45",
]


def toml_value(value: Any) -> str:
    """``value`` as a TOML literal (TOML spells NaN and infinities ``nan`` and ``inf``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value)  # JSON string escapes are valid TOML basic strings
    if isinstance(value, dict):  # an inline table
        return "{ " + ", ".join(f"{k} = {toml_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(type(value))


def scenario_toml(field: tuple[str | int | None, str] | None, value: Any) -> str:
    """The base scenario as TOML with ``field`` set to ``value`` (None: unchanged)."""
    top = {k: v for k, v in BASE.items() if k not in ("workload", "options")}
    workload = dict(BASE["workload"])
    options = [dict(o) for o in BASE["options"]]
    if field is not None:
        section, key = field
        if isinstance(section, int) and section >= len(options):
            options.append(copy.deepcopy(EXTRA_OPTIONS[section]))
            section = len(options) - 1
        target = top if section is None else workload if section == "workload" else None
        if target is None:
            assert isinstance(section, int)
            target = options[section]
        head, _, rest = key.partition(".")
        if rest:  # a field of a table in the option (speculative.acceptance_rate)
            target, key = target[head], rest
        target[key] = value

    def table(d: dict[str, Any]) -> list[str]:
        return [f"{k} = {toml_value(v)}" for k, v in d.items()]

    lines = table(top)
    lines += ["", "[workload]", *table(workload)]
    for o in options:
        lines += ["", "[[options]]", *table(o)]
    return "\n".join(lines) + "\n"
