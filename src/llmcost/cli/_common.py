"""Shared plumbing for the CLI: output rendering, JSON conversion, common flags."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from typing import Any

from .._core.display import text_table
from .._core.serialize import jsonable

#: Monte Carlo draws and seed of the analysis that ``report`` writes and ``compare --xlsx`` puts in
#: the workbook's Sensitivity sheet (one default, so the two documents agree), and the default
#: ``--seed`` of ``sensitivity``.
DEFAULT_DRAWS = 10_000
DEFAULT_SEED = 0


class CliUsageError(Exception):
    """A command-line usage error (exit status 2, one line on stderr)."""


@dataclass
class Output:
    """What a command produced: a JSON-able payload and the human-readable text.

    ``json_text``, when set, is the payload already written as one JSON object (a large result
    serialized in one go by pandas), as pieces that ``emit`` prints one after the other (a
    100 MB text is never concatenated again).
    """

    payload: dict[str, Any]
    text: str
    json_text: tuple[str, ...] | None = None


def add_json_flag(parser: argparse.ArgumentParser) -> None:
    """Add the ``--json`` flag every command has."""
    parser.add_argument(
        "--json", action="store_true", help="print one JSON object on stdout and nothing else"
    )


#: Version of the JSON contract (docs/architecture.md §4), the first key of every JSON object
#: a command prints; raised when a key is renamed, removed or changes meaning.
SCHEMA_VERSION = "1"


def emit(out: Output, *, as_json: bool) -> None:
    """Print ``out`` as one JSON object (``as_json``, with ``schema_version`` first) or as its text.

    ``out.json_text`` is JSON already written in one go (``perf --grid``); it must start with the
    ``schema_version`` member itself.
    """
    if as_json and out.json_text is not None:
        for piece in out.json_text:
            sys.stdout.write(piece)
        sys.stdout.write("\n")
    elif as_json:
        payload = {"schema_version": SCHEMA_VERSION} | jsonable(out.payload)
        sys.stdout.write(json.dumps(payload, allow_nan=False) + "\n")
    else:
        sys.stdout.write(out.text.rstrip("\n") + "\n")


#: The CLI's table printer (one implementation: :func:`llmcost._core.display.text_table`).
format_table = text_table
