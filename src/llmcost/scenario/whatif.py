"""What-if: a copy of a scenario with some inputs changed, validated like a scenario file.

::

    s2 = scenario.replace(requests_per_month=8e6)
    s3 = scenario.replace(**{"options.llama-3.3-70b-2xh100.gpu_usd_per_hour": 2.5})

Keys name what a TOML file would: a workload field by its name (``requests_per_month``) or as
``workload.<field>``, a feature's field as ``workload.features.<feature>.<field>``, an option's
field as ``options.<option name>.<field>`` (option names may hold dots), and the scenario's own
fields (``name``, ``description``, ``as_of``, ``uncertainty``). ``None`` removes a field (its
default applies again). The whole scenario is then validated again by pydantic: a bad value
raises :class:`~llmcost._core.errors.InvalidInputError` naming the key and the value.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .._core.errors import InvalidInputError, close_matches
from .config import ApiOption, Feature, SelfHostedOption, Workload
from .loading import parse_scenario, shown_value

if TYPE_CHECKING:
    from .config import Scenario

__all__ = ["replace_scenario"]

_SCENARIO_FIELDS = ("name", "description", "as_of", "uncertainty")


def replace_scenario(scenario: Scenario, changes: Mapping[str, Any]) -> Scenario:
    """A new :class:`Scenario` equal to ``scenario`` with ``changes`` applied and re-validated.

    Parameters
    ----------
    scenario
        The scenario to start from (left unchanged).
    changes
        ``{key: value}``; keys as in the module docstring, values in the unit the field names.

    Raises
    ------
    InvalidInputError
        For an unknown key (with "did you mean") or a value the scenario's validation refuses;
        the message names the key and the value.
    """
    data = scenario.model_dump(exclude_unset=True)
    for key, value in changes.items():
        node, field = _locate(data, key)
        if value is None:
            node.pop(field, None)
        else:
            node[field] = value
    shown = ", ".join(f"{k}={shown_value(v)}" for k, v in changes.items())
    return parse_scenario(data, source=f"replace({shown})")


def _locate(data: dict[str, Any], key: str) -> tuple[dict[str, Any], str]:
    """The dict holding ``key``'s field in the scenario dump ``data``, and the field name."""
    if key in _SCENARIO_FIELDS:
        return data, key
    if key in Workload.model_fields:
        return data["workload"], key
    head, _, rest = key.partition(".")
    if head == "workload" and rest.startswith("features."):
        feats = data["workload"].get("features", [])
        feat, field = _by_name(feats, rest.removeprefix("features."), key, "feature")
        return feat, _field(field, Feature.model_fields, key)
    if head == "workload" and rest:
        return data["workload"], _field(rest, Workload.model_fields, key)
    if head == "options" and rest:
        opt, field = _by_name(data["options"], rest, key, "option")
        cls = ApiOption if opt.get("kind") == "api" else SelfHostedOption
        return opt, _field(field, cls.model_fields, key)
    known = [*_SCENARIO_FIELDS, *Workload.model_fields, "workload.", "options."]
    raise InvalidInputError(_unknown(key, "input", known))


def _by_name(
    items: list[dict[str, Any]], rest: str, key: str, kind: str
) -> tuple[dict[str, Any], str]:
    """The item whose name ``rest`` starts with (``<name>.<field>``, longest name first)."""
    names = sorted((str(i["name"]) for i in items), key=len, reverse=True)
    for name in names:
        if rest.startswith(name + ".") and len(rest) > len(name) + 1:
            item = next(i for i in items if i["name"] == name)
            return item, rest[len(name) + 1 :]
    given = rest.rpartition(".")[0] or rest
    raise InvalidInputError(f"{key}: " + _unknown(given, kind, names))


def _field(field: str, fields: Mapping[str, Any], key: str) -> str:
    if field not in fields or field in ("name", "kind"):
        raise InvalidInputError(f"{key}: " + _unknown(field, "field", fields))
    return field


def _unknown(value: str, kind: str, known: Any) -> str:
    known = sorted(known)
    hint = close_matches(value, known)
    if hint:
        return f"unknown {kind} {value!r}; did you mean " + " or ".join(map(repr, hint)) + "?"
    return f"unknown {kind} {value!r}; known: {', '.join(known) or 'none'}"
