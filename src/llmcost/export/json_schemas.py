"""The published JSON Schema of each command's ``--json`` output (``llmcost/schemas/``).

One file per command, or per form of a command whose output differs (``perf`` and
``perf-disaggregated``, ``sensitivity`` and ``sensitivity-growth``, each ``catalog`` and
``workload`` sub-command). The files ship inside the wheel; ``tests/test_json_schemas.py``
validates real outputs of every command against them (docs/reference/json-schemas.md).

>>> "compare" in names()
True
>>> load("compare")["properties"]["schema_version"]["const"]
'1'
"""

from __future__ import annotations

import json
from importlib.resources import files
from typing import Any

from .._core.errors import InvalidInputError

__all__ = ["load", "names"]

_SUFFIX = ".schema.json"


def names() -> list[str]:
    """Every published schema's name, sorted (e.g. ``"compare"``, ``"catalog-gpus"``)."""
    folder = files("llmcost").joinpath("schemas")
    return sorted(
        p.name.removesuffix(_SUFFIX) for p in folder.iterdir() if p.name.endswith(_SUFFIX)
    )


def load(name: str) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of one command's ``--json`` output, as a dict.

    Parameters
    ----------
    name : str
        A name from :func:`names`.

    Raises
    ------
    InvalidInputError
        For a name that has no schema, listing the names that do.
    """
    if name not in names():
        raise InvalidInputError(f"no JSON schema named {name!r}; there are: {', '.join(names())}")
    text = files("llmcost").joinpath("schemas", name + _SUFFIX).read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema
