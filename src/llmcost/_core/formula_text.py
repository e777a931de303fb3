"""Text a spreadsheet would run as a formula, and its neutralized form (no dependencies).

Kept below every layer so that the CLI's grid writer can use it without importing the export
stack; :mod:`llmcost.export.safety` builds the CSV and XLSX helpers on it.
"""

from __future__ import annotations

from typing import Any, Final

__all__ = ["FORMULA_TRIGGERS", "is_formula_like", "neutralize_csv_text"]

#: First characters that make a spreadsheet cell a formula (or a DDE command).
FORMULA_TRIGGERS: Final = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(text: object) -> bool:
    r"""True when ``text`` is a string a spreadsheet could run as a formula.

    >>> is_formula_like("=HYPERLINK(\"http://x\")"), is_formula_like("gpt-4o")
    (True, False)
    """
    return isinstance(text, str) and text.startswith(FORMULA_TRIGGERS)


def neutralize_csv_text(value: Any) -> Any:
    """Prefix formula-like text with an apostrophe; return anything else unchanged.

    >>> neutralize_csv_text("=1+1"), neutralize_csv_text("maverick"), neutralize_csv_text(-5.0)
    ("'=1+1", 'maverick', -5.0)
    """
    return "'" + value if is_formula_like(value) else value
