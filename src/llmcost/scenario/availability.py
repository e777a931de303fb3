"""Options without a price on the ``as_of`` date: reported unavailable, the rest compared.

An API offer whose first catalog price is later than ``as_of``, or a rented GPU with no offer
seen by then, cannot be priced on that day. Rather than failing the whole scenario,
:func:`resolve_available` leaves such an option out of the model and returns it as an
:class:`UnavailableOption` with the date its price starts; :class:`~llmcost.scenario.Comparison`
lists it in ``unavailable`` (the CLI's JSON ``unavailable``, its text and the report).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from .._core.errors import InvalidInputError, PriceNotYetAvailableError
from ..catalog import Catalog
from .config import ApiOption, Scenario
from .resolve import Resolved, resolve_api, resolve_self_hosted
from .workload import FeatureMix

__all__ = ["UnavailableOption", "resolve_available"]


@dataclass(frozen=True)
class UnavailableOption:
    """An option with no catalog price on ``as_of``; its first price starts ``available_from``."""

    name: str
    kind: str  # "api" | "self_hosted"
    as_of: date
    available_from: date
    reason: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-able dict (dates as ISO text)."""
        return {
            "name": self.name,
            "kind": self.kind,
            "as_of": self.as_of.isoformat(),
            "available_from": self.available_from.isoformat(),
            "reason": self.reason,
        }

    def __str__(self) -> str:
        return (
            f"{self.name}: unavailable on {self.as_of.isoformat()} — its price starts "
            f"{self.available_from.isoformat()}"
        )


def resolve_available(
    scenario: Scenario, mix: FeatureMix, catalog: Catalog, as_of: date | None
) -> tuple[list[Resolved], list[UnavailableOption]]:
    """Resolve every option priced on ``as_of``; the others as :class:`UnavailableOption`.

    Raises :class:`InvalidInputError` when no option has a price on ``as_of``.
    """
    resolved: list[Resolved] = []
    unavailable: list[UnavailableOption] = []
    for i, option in enumerate(scenario.options):
        resolve = resolve_api if isinstance(option, ApiOption) else resolve_self_hosted
        try:
            resolved.append(resolve(option, i, mix, catalog, as_of))  # type: ignore[arg-type]
        except PriceNotYetAvailableError as exc:
            if as_of is None:  # the latest prices always exist; not a date question
                raise
            unavailable.append(
                UnavailableOption(option.name, option.kind, as_of, exc.available_from, str(exc))
            )
    if not resolved:
        first = min(u.available_from for u in unavailable)
        raise InvalidInputError(
            f"as_of {as_of}: no option of the scenario has a price yet ("
            + "; ".join(f"{u.name} from {u.available_from.isoformat()}" for u in unavailable)
            + f"); allowed: {first.isoformat()} or later"
        )
    return resolved, unavailable
