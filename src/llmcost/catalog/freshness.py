"""Staleness warnings and source tables for the catalog rows a result used."""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING

from .._core.errors import InvalidInputError, StaleCatalogWarning
from .records import AnyRecord

if TYPE_CHECKING:  # pandas is imported by sources_for (CLI start-up)
    import pandas as pd

#: Default staleness threshold [days]; override per call or with the environment variable.
DEFAULT_MAX_PRICE_AGE_DAYS = 365
MAX_AGE_ENV = "LLMCOST_MAX_PRICE_AGE_DAYS"


def max_price_age_days(max_age_days: int | None = None) -> int:
    """The staleness threshold [days].

    The argument, else ``$LLMCOST_MAX_PRICE_AGE_DAYS``, else :data:`DEFAULT_MAX_PRICE_AGE_DAYS`.
    """
    if max_age_days is None:
        raw = os.environ.get(MAX_AGE_ENV, "").strip()
        if not raw:
            return DEFAULT_MAX_PRICE_AGE_DAYS
        try:
            max_age_days = int(raw)
        except ValueError:
            raise InvalidInputError(
                f"{MAX_AGE_ENV} must be a whole number of days >= 0; got {raw!r}"
            ) from None
        name = MAX_AGE_ENV
    else:
        name = "max_age_days"
    if isinstance(max_age_days, bool) or not isinstance(max_age_days, int) or max_age_days < 0:
        raise InvalidInputError(f"{name} must be a whole number of days >= 0; got {max_age_days!r}")
    return max_age_days


def check_fresh(row: AnyRecord, today: date | None = None, max_age_days: int | None = None) -> bool:
    """Warn :class:`StaleCatalogWarning` if ``row`` was seen more than the threshold ago.

    Age = ``today`` (default: the system date; pass a budget's ``as_of`` to judge the price as
    of that day) − ``row.as_of``. Returns True when the row is fresh.

    >>> from llmcost.catalog import load_catalog
    >>> row = load_catalog().api_price("openai/gpt-4o", as_of=date(2024, 11, 1))
    >>> check_fresh(row, today=row.as_of)
    True
    """
    today = today or date.today()
    limit = max_price_age_days(max_age_days)
    age_days = (today - row.as_of).days
    if age_days > limit:
        warnings.warn(
            f"{row.entity} row {row.key!r} was seen on {row.as_of.isoformat()}, {age_days} days "
            f"before {today.isoformat()} (threshold {limit} days, set with max_age_days or "
            f"{MAX_AGE_ENV}); check the price at its source: {row.source}",
            StaleCatalogWarning,
            stacklevel=2,
        )
        return False
    return True


def sources_for(rows: Iterable[AnyRecord]) -> pd.DataFrame:
    """Columns ``entity``, ``id``, ``source``, ``as_of`` for the rows a result used (no repeats)."""
    import pandas as pd

    seen: dict[tuple[str, str], AnyRecord] = {}
    for row in rows:
        seen.setdefault((row.entity, row.key), row)
    return pd.DataFrame(
        [
            {"entity": r.entity, "id": r.key, "source": r.source, "as_of": r.as_of}
            for r in seen.values()
        ],
        columns=["entity", "id", "source", "as_of"],
    )
