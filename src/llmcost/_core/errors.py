"""The exception tree of llmcost, documented in one place.

::

    LlmcostError
    ├── CatalogError
    │   └── UnknownIdError          (also a KeyError)
    ├── InvalidInputError           (also a ValueError)
    │   ├── UnsupportedPrecisionError
    │   └── PriceNotYetAvailableError
    └── InfeasibleError             (also a ValueError)

    StaleCatalogWarning             (a UserWarning)

Every message names the field, the value given and what is allowed.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from datetime import date


class LlmcostError(Exception):
    """Base class of every error llmcost raises on purpose."""


class CatalogError(LlmcostError):
    """A catalog file is missing, malformed, or a row fails validation."""


class UnknownIdError(CatalogError, KeyError):
    """An id (model, GPU, offer, engine…) is not in the catalog.

    The message lists the closest known ids ("did you mean …").
    """

    def __init__(self, kind: str, value: str, known: Iterable[str]) -> None:
        self.kind = kind
        self.value = value
        self.known = sorted(known)
        self.suggestions = close_matches(value, self.known)
        super().__init__(self._message())

    def _message(self) -> str:
        msg = f"unknown {self.kind} {self.value!r}"
        if self.suggestions:
            msg += "; did you mean " + " or ".join(repr(s) for s in self.suggestions) + "?"
        else:
            shown = ", ".join(self.known[:12]) + (", …" if len(self.known) > 12 else "")
            msg += f"; known: {shown}"
        return msg

    def __str__(self) -> str:  # KeyError would otherwise wrap the message in quotes
        return self._message()


class InvalidInputError(LlmcostError, ValueError):
    """An argument or config field has a value outside what is allowed."""


class UnsupportedPrecisionError(InvalidInputError):
    """The hardware cannot run the requested precision (e.g. FP8 on an A100)."""


class PriceNotYetAvailableError(InvalidInputError):
    """The catalog has no price on the ``as_of`` date yet.

    The first one starts on ``available_from``. :func:`~llmcost.scenario.compare` reports such
    an option as unavailable and compares the rest.
    """

    def __init__(self, message: str, available_from: date) -> None:
        self.available_from = available_from
        super().__init__(message)


class InfeasibleError(LlmcostError, ValueError):
    """The request is valid but cannot be met (model does not fit, SLO unreachable…)."""


class StaleCatalogWarning(UserWarning):
    """A price used is older than the staleness threshold."""


def close_matches(value: str, known: Iterable[str], n: int = 3) -> list[str]:
    """Return up to ``n`` known ids closest to ``value`` (substring hits first).

    >>> close_matches("h100", ["h100-sxm", "h100-pcie", "a100-80gb"])
    ['h100-sxm', 'h100-pcie']
    """
    known = list(known)
    low = value.lower()
    contains = [k for k in known if low and low in k.lower()]
    fuzzy = difflib.get_close_matches(low, known, n=n, cutoff=0.5)
    out: list[str] = []
    for k in contains + fuzzy:
        if k not in out:
            out.append(k)
    return out[:n]
