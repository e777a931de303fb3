"""The usage-export formats llmcost reads, as column mappings onto one canonical row.

A canonical usage row has: ``timestamp`` (UTC), ``requests`` (how many requests the row
counts; 1 for a per-request log), ``input_tokens`` (all prompt tokens, cached and cache-written
included), ``cached_input_tokens`` (prompt-cache hits), ``cache_write_tokens`` (tokens written
to the prompt cache), ``output_tokens``, and the labels ``model`` and ``tag`` (a team, project,
feature…). Each format maps a canonical field to a sum of source columns; a term lists
alternative column names (the first one present in the file is used). Nested JSON is flattened
with dots (``usage.prompt_tokens``).

Column names, with their sources:

- ``openai`` — the organization Usage API, completions endpoint (``/v1/organization/usage/
  completions``; one row per time bucket × group), as JSON pages (``data[].results[]``) or the
  dashboard's CSV export of the same fields: ``start_time`` (Unix seconds), ``num_model_requests``,
  ``input_tokens`` (cached tokens included), ``input_cached_tokens``, ``output_tokens``,
  ``model``, ``project_id`` (OpenAI API reference, "Usage: completions object";
  cookbook.openai.com/examples/completions_usage_api, 2025-01-14).
- ``openai-log`` — a log of Chat Completions responses (or Batch API output lines, whose
  response is under ``response.body``), one JSON object per line: ``created`` (Unix seconds),
  ``model``, ``usage.prompt_tokens`` (cached included), ``usage.prompt_tokens_details.
  cached_tokens``, ``usage.completion_tokens`` (OpenAI API reference, "The chat completion
  object").
- ``anthropic`` — the Admin API messages usage report (``/v1/organizations/usage_report/
  messages``): ``starting_at`` (RFC 3339), ``model``, ``workspace_id``, ``uncached_input_tokens``,
  ``cache_creation.ephemeral_5m_input_tokens`` and ``…ephemeral_1h_input_tokens`` (flat CSV
  exports: ``cache_creation_5m_input_tokens``, ``cache_creation_1h_input_tokens``),
  ``cache_read_input_tokens``, ``output_tokens`` (platform.claude.com/docs/en/api/admin/
  usage_report/retrieve_messages). The report has no request count: volumes are tokens only
  unless a ``requests`` column is mapped (``--columns requests=COLUMN``).
- ``anthropic-log`` — a log of Messages API responses, one JSON object per line, with
  ``usage.input_tokens`` (uncached only), ``usage.cache_creation_input_tokens``,
  ``usage.cache_read_input_tokens``, ``usage.output_tokens``, ``model``; the time comes from a
  ``timestamp`` field the logger adds (Messages responses carry none).
- ``litellm`` — the LiteLLM proxy's ``LiteLLM_SpendLogs`` table exported as CSV or JSON, one
  row per request: ``startTime``, ``model``, ``prompt_tokens``, ``completion_tokens``,
  ``team_id``, ``user``, ``request_tags`` (BerriAI/litellm, ``schema.prisma`` model
  ``LiteLLM_SpendLogs``).
- ``csv`` — any CSV, JSON lines or Parquet file; the default column names are the canonical
  names, and ``columns=`` renames them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from .._core.arguments import mapping_arg, name_arg
from .._core.display import plain
from .._core.errors import InvalidInputError

__all__ = [
    "CANONICAL_FIELDS",
    "FORMATS",
    "LABEL_FIELDS",
    "TOKEN_FIELDS",
    "UsageFormat",
    "get_format",
]

#: Token columns of a canonical row [tokens].
TOKEN_FIELDS = ("input_tokens", "cached_input_tokens", "cache_write_tokens", "output_tokens")
#: Label columns (strings; missing → "").
LABEL_FIELDS = ("model", "tag")
#: Every canonical field a mapping can name.
CANONICAL_FIELDS = ("timestamp", "requests", *TOKEN_FIELDS, *LABEL_FIELDS)

#: A term: alternative source column names, the first present wins.
Term = tuple[str, ...]


@dataclass(frozen=True)
class UsageFormat:
    """How one export format maps onto canonical rows.

    ``fields`` maps a canonical field to the source terms it sums (labels and the timestamp take
    one term). ``required`` fields must be found in the file; the others default to 0 (tokens),
    1 per row (``requests``, when ``per_request``) or "" (labels). ``per_request``: one row is
    one request, so per-request length distributions can be derived.
    """

    name: str
    fields: Mapping[str, tuple[Term, ...]]
    required: tuple[str, ...]
    per_request: bool
    json_records: tuple[str, ...] = field(default=())  # nested list paths holding the rows

    def with_columns(self, columns: Mapping[str, str]) -> UsageFormat:
        """The format with canonical fields renamed to single source columns."""
        unknown = [k for k in columns if k not in CANONICAL_FIELDS]
        if unknown:
            raise InvalidInputError(
                f"columns: unknown field {unknown[0]!r}; allowed: {', '.join(CANONICAL_FIELDS)}"
            )
        merged = dict(self.fields) | {k: ((v,),) for k, v in columns.items()}
        per_request = self.per_request and "requests" not in columns
        return UsageFormat(self.name, merged, self.required, per_request, self.json_records)


def _f(**fields: tuple[Term, ...]) -> Mapping[str, tuple[Term, ...]]:
    return MappingProxyType(fields)


_ANTHROPIC_5M = ("cache_creation.ephemeral_5m_input_tokens", "cache_creation_5m_input_tokens")
_ANTHROPIC_1H = ("cache_creation.ephemeral_1h_input_tokens", "cache_creation_1h_input_tokens")
_BODY = "response.body."

FORMATS: Mapping[str, UsageFormat] = MappingProxyType(
    {
        "openai": UsageFormat(
            "openai",
            _f(
                timestamp=(("start_time", "start_time_iso"),),
                requests=(("num_model_requests",),),
                input_tokens=(("input_tokens",),),
                cached_input_tokens=(("input_cached_tokens",),),
                output_tokens=(("output_tokens",),),
                model=(("model",),),
                tag=(("project_id",),),
            ),
            required=("timestamp", "requests", "input_tokens", "output_tokens"),
            per_request=False,
            json_records=("data", "results"),
        ),
        "openai-log": UsageFormat(
            "openai-log",
            _f(
                timestamp=(("created", f"{_BODY}created"),),
                input_tokens=(("usage.prompt_tokens", f"{_BODY}usage.prompt_tokens"),),
                cached_input_tokens=(
                    (
                        "usage.prompt_tokens_details.cached_tokens",
                        f"{_BODY}usage.prompt_tokens_details.cached_tokens",
                    ),
                ),
                output_tokens=(("usage.completion_tokens", f"{_BODY}usage.completion_tokens"),),
                model=(("model", f"{_BODY}model"),),
                tag=(("metadata.tag", "custom_id"),),
            ),
            required=("timestamp", "input_tokens", "output_tokens"),
            per_request=True,
        ),
        "anthropic": UsageFormat(
            "anthropic",
            _f(
                timestamp=(("starting_at",),),
                input_tokens=(
                    ("uncached_input_tokens",),
                    _ANTHROPIC_5M,
                    _ANTHROPIC_1H,
                    ("cache_read_input_tokens",),
                ),
                cached_input_tokens=(("cache_read_input_tokens",),),
                cache_write_tokens=(_ANTHROPIC_5M, _ANTHROPIC_1H),
                output_tokens=(("output_tokens",),),
                model=(("model",),),
                tag=(("workspace_id",),),
            ),
            required=("timestamp", "input_tokens", "output_tokens"),
            per_request=False,
            json_records=("data", "results"),
        ),
        "anthropic-log": UsageFormat(
            "anthropic-log",
            _f(
                timestamp=(("timestamp",),),
                input_tokens=(
                    ("usage.input_tokens",),
                    ("usage.cache_creation_input_tokens",),
                    ("usage.cache_read_input_tokens",),
                ),
                cached_input_tokens=(("usage.cache_read_input_tokens",),),
                cache_write_tokens=(("usage.cache_creation_input_tokens",),),
                output_tokens=(("usage.output_tokens",),),
                model=(("model",),),
                tag=(("metadata.tag",),),
            ),
            required=("timestamp", "input_tokens", "output_tokens"),
            per_request=True,
        ),
        "litellm": UsageFormat(
            "litellm",
            _f(
                timestamp=(("startTime",),),
                input_tokens=(("prompt_tokens",),),
                output_tokens=(("completion_tokens",),),
                model=(("model", "model_group"),),
                tag=(("team_id",),),
            ),
            required=("timestamp", "input_tokens", "output_tokens"),
            per_request=True,
        ),
        "csv": UsageFormat(
            "csv",
            _f(**{name: ((name,),) for name in CANONICAL_FIELDS}),
            required=("timestamp", "input_tokens", "output_tokens"),
            per_request=True,
        ),
    }
)


def get_format(name: str, columns: Mapping[str, str] | None = None) -> UsageFormat:
    """The format called ``name``, with ``columns`` (canonical field → source column) applied."""
    fmt = FORMATS[name_arg(name, "format", FORMATS)]
    if columns is None:
        return fmt
    columns = mapping_arg(columns, "columns")
    for key, value in columns.items():
        name_arg(value, f"columns[{plain(key)}]")
    return fmt.with_columns(columns) if columns else fmt
