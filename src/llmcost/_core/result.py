"""One shape for every result object: ``to_frame``, ``to_dict``, ``to_json``, reprs.

Each result class writes :meth:`to_frame` (a tidy table, units in the column names),
:meth:`to_dict` (JSON-safe: "never" and "does not apply" are ``None``) and a one-line
``__repr__``; :class:`ResultShape` adds :meth:`~ResultShape.to_json` and the notebook display
``_repr_html_`` from them, so those two are written once.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from .display import compact, html_table
from .serialize import dumps

__all__ = ["HTML_ROWS", "ResultShape"]

#: Rows a notebook display shows at most (the rest: ``to_frame()``).
HTML_ROWS = 20


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return compact(value) if math.isfinite(value) else "n/a"
    return "" if value is None else str(value)


class ResultShape:
    """Mixin: :meth:`to_json` from ``to_dict()``, ``_repr_html_`` from ``to_frame()``."""

    if TYPE_CHECKING:  # each result class defines both (tests/test_result_shape.py checks)

        def to_frame(self) -> Any:
            """A tidy table of the result (a ``pandas.DataFrame``)."""

        def to_dict(self) -> dict[str, Any]:
            """The result as plain JSON-ready values."""

    def to_json(self, *, indent: int | None = None) -> str:
        """The result as JSON text: ``to_dict()`` written strictly (no NaN).

        Parameters
        ----------
        indent : int or None
            Spaces per nesting level; None writes one line.

        Returns
        -------
        str
            The JSON text.
        """
        return dumps(self.to_dict(), indent=indent)

    def _repr_html_(self) -> str:
        """The one-line repr as a title over the first :data:`HTML_ROWS` rows of the frame."""
        frame = self.to_frame()
        if frame.index.name is not None or any(n is not None for n in frame.index.names):
            frame = frame.reset_index()
        shown = frame.head(HTML_ROWS)
        rows = [[_cell(v) for v in r] for r in shown.itertuples(index=False, name=None)]
        title = repr(self)
        if len(frame) > HTML_ROWS:
            title += f" (first {HTML_ROWS} of {len(frame):,} rows)"
        return html_table(title, [str(c) for c in frame.columns], rows)
