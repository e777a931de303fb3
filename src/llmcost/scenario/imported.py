"""``[workload] from_usage = "workload.toml"``: a scenario workload from an imported one.

The saved file's ``[workload]`` table (:meth:`llmcost.workload.UsageWorkload.save`) fills the
scenario's workload; keys the scenario gives itself win, by group: any volume key
(``requests_per_month``, ``tokens_per_month``, the per-request lengths, ``features``,
``length_distribution``) replaces all imported volumes, ``peak_to_average`` or
``hourly_profile`` replaces the imported profile, and ``growth_per_month`` or
``growth_per_month_sd`` the imported growth. A relative path is relative to the scenario file.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .._core.errors import InvalidInputError
from ..workload import load_workload

__all__ = ["resolve_imported_workload"]

_GROUPS = (
    frozenset(
        {
            "requests_per_month",
            "tokens_per_month",
            "input_tokens_per_request",
            "output_tokens_per_request",
            "features",
            "length_distribution",
        }
    ),
    frozenset({"peak_to_average", "hourly_profile"}),
    frozenset({"growth_per_month", "growth_per_month_sd"}),
)


def resolve_imported_workload(data: Mapping[str, Any], base_dir: Path) -> dict[str, Any]:
    """``data`` (a scenario mapping) with ``workload.from_usage`` replaced by its fields."""
    out = dict(data)
    workload = out.get("workload")
    if not isinstance(workload, Mapping) or "from_usage" not in workload:
        return out
    given = dict(workload)
    ref = given.pop("from_usage")
    if not isinstance(ref, str) or not ref:
        raise InvalidInputError(f"workload.from_usage = {ref!r}: must be a workload file path")
    path = Path(ref) if Path(ref).is_absolute() else base_dir / ref
    _, imported = load_workload(path)
    if imported is None:
        raise InvalidInputError(
            f"workload.from_usage = {ref!r}: the file has no [workload] table (its export had "
            "no request counts)"
        )
    merged = dict(imported)
    for group in _GROUPS:
        if group & given.keys():
            for key in group:
                merged.pop(key, None)
    out["workload"] = merged | given
    return out
