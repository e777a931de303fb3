"""Plumbing for the workbook export: named input cells, a grid of formula columns, formats.

openpyxl is an optional extra: it is imported when a workbook is built, with a clear error if
it is missing. Every text a user could have written goes through
:func:`~llmcost.export.safety.write_text_cell`; only formulas this package generates are
written as formulas.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Final

from .._core.errors import LlmcostError
from .safety import write_text_cell

USD: Final = '"$"#,##0.00'
USD_PRECISE: Final = '"$"#,##0.0000'
PERCENT: Final = "0.0%"
INTEGER: Final = "#,##0"
NUMBER: Final = "#,##0.00"
GENERAL: Final = "General"

_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")
_CELL_LIKE = re.compile(r"^[A-Za-z]{1,3}[0-9]+$")


class MissingExtraError(LlmcostError, ImportError):
    """An optional dependency (an ``llmcost[...]`` extra) is not installed."""


def require_openpyxl() -> Any:
    """Import openpyxl or raise a clear error naming the extra to install."""
    try:
        import openpyxl
    except ImportError as exc:  # pragma: no cover - the test environment has it
        raise MissingExtraError(
            "writing .xlsx workbooks needs openpyxl: pip install 'llmcost[xlsx]'"
        ) from exc
    return openpyxl


def column_letter(index: int) -> str:
    """Spreadsheet column letters of a 1-based column index (1 → A, 27 → AA)."""
    letters = ""
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def check_name(name: str) -> str:
    """Return ``name`` if it is a valid workbook name that cannot be read as a cell reference."""
    if not _NAME_RE.match(name) or _CELL_LIKE.match(name) or len(name) > 255:
        raise ValueError(f"not a valid workbook name: {name!r}")
    return name


@dataclass
class Book:
    """An openpyxl workbook with helpers for headers, named cells and formats."""

    wb: Any = field(init=False)

    def __post_init__(self) -> None:
        self.wb = require_openpyxl().Workbook()
        self.wb.remove(self.wb.active)

    def sheet(self, title: str, headers: Sequence[str], widths: Sequence[int]) -> Any:
        """A new sheet with a bold, frozen header row."""
        from openpyxl.styles import Font, PatternFill

        ws = self.wb.create_sheet(title)
        for col, (text, width) in enumerate(zip(headers, widths, strict=True), start=1):
            cell = ws.cell(row=1, column=col)
            write_text_cell(cell, text)
            cell.font = Font(bold=True)
            cell.fill = PatternFill("solid", fgColor="DDE5F0")
            ws.column_dimensions[column_letter(col)].width = width
        ws.freeze_panes = "B2"
        print_one_page_wide(ws)
        return ws

    def define(self, name: str, sheet_title: str, ref: str) -> None:
        """Define a workbook-scoped name for ``sheet_title!ref``."""
        from openpyxl.workbook.defined_name import DefinedName

        check_name(name)
        if name in self.wb.defined_names:
            raise ValueError(f"workbook name defined twice: {name!r}")
        self.wb.defined_names[name] = DefinedName(name, attr_text=f"'{sheet_title}'!{ref}")

    def save(self, path: Any) -> None:
        """Write the workbook file (each sheet printing its written columns only)."""
        for ws in self.wb.worksheets:
            set_print_area(ws)
        self.wb.save(path)


def print_one_page_wide(ws: Any) -> None:
    """Print ``ws`` landscape, one page wide, with its header row on every page.

    The footer names the sheet and numbers the pages, so a printed book (or a PDF of it) reads in
    order. Without this a 7-column Assumptions sheet printed one column per portrait page.
    """
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"
    ws.oddFooter.center.text = "&A, page &P of &N"


def set_print_area(ws: Any) -> None:
    """Print the written columns only (long one-line texts would widen the page and shrink it).

    A sheet with a chart or picture keeps the default area, which reaches the drawing's edge.
    """
    if getattr(ws, "_charts", None) or getattr(ws, "_images", None):
        return
    ws.print_area = f"A1:{column_letter(ws.max_column)}{ws.max_row}"


def write_value(cell: Any, value: Any, number_format: str | None = None) -> None:
    """Write a number, bool, generated formula or text (always safe) into ``cell``.

    A generated formula is a ``str`` starting with ``=`` passed as :class:`Formula`.
    """
    if isinstance(value, Formula):
        cell.value = value.text
    elif isinstance(value, bool):
        cell.value = value
    elif isinstance(value, int | float):
        if isinstance(value, float) and not math.isfinite(value):
            write_text_cell(cell, "n/a")
            return
        cell.value = value
    elif value is None:
        return
    else:
        write_text_cell(cell, value)
    if number_format:
        cell.number_format = number_format


#: The note on every value llmcost computed that a formula does not recompute.
FIXED_NOTE: Final = "computed by llmcost, does not update"
INPUT_FILL: Final = "FFF2CC"  # pale yellow: a cell meant to be edited
FIXED_FILL: Final = "E7E6E6"  # grey: computed by llmcost, fixed


def style_cell(cell: Any, *, fixed: bool) -> None:
    """Style an input cell (pale yellow, blue text) or a fixed value (grey, italic)."""
    from openpyxl.styles import Font, PatternFill

    if fixed:
        cell.fill = PatternFill("solid", fgColor=FIXED_FILL)
        cell.font = Font(italic=True, color="595959")
    else:
        cell.fill = PatternFill("solid", fgColor=INPUT_FILL)
        cell.font = Font(color="1F4E79")


@dataclass(frozen=True)
class Formula:
    """A formula generated by llmcost (never user text)."""

    text: str

    def __post_init__(self) -> None:
        if not self.text.startswith("="):
            raise ValueError(f"a formula starts with '=': {self.text!r}")


@dataclass
class AssumptionsSheet:
    """Inputs one per row, each a named cell: label, name, value, unit, source, as-of, note."""

    book: Book
    title: str = "Assumptions"
    ws: Any = field(init=False)
    row: int = field(init=False, default=1)
    names: dict[str, int] = field(init=False, default_factory=dict)
    _validations: dict[Any, Any] = field(init=False, default_factory=dict)

    HEADERS: ClassVar[tuple[str, ...]] = (
        "Input",
        "Name",
        "Value",
        "Unit",
        "Source",
        "As of",
        "Note",
    )

    def __post_init__(self) -> None:
        self.ws = self.book.sheet(self.title, self.HEADERS, (42, 34, 16, 22, 60, 12, 60))

    def section(self, title: str) -> None:
        """A bold section title row."""
        from openpyxl.styles import Font

        self.row += 2 if self.row > 1 else 1
        cell = self.ws.cell(row=self.row, column=1)
        write_text_cell(cell, title)
        cell.font = Font(bold=True)

    def add_text_line(self, text: str) -> None:
        """A row of explanatory text (no input)."""
        from openpyxl.styles import Font

        self.row += 1
        cell = self.ws.cell(row=self.row, column=1)
        write_text_cell(cell, text)
        cell.font = Font(italic=True, color="595959")

    def add(
        self,
        name: str,
        label: str,
        value: Any,
        unit: str,
        *,
        number_format: str | None = None,
        source: str = "",
        as_of: str = "",
        note: str = "",
        fixed: bool = False,
    ) -> str:
        """Add one named input; return its name (for use in formulas).

        ``fixed``: a value llmcost computed (not a lever): styled grey and noted
        :data:`FIXED_NOTE`; otherwise an input cell, styled as one.
        """
        from openpyxl.comments import Comment
        from openpyxl.styles import Alignment

        self.row += 1
        r = self.row
        write_text_cell(self.ws.cell(row=r, column=1), label)
        write_text_cell(self.ws.cell(row=r, column=2), name)
        cell = self.ws.cell(row=r, column=3)
        write_value(cell, value, number_format)
        if number_format:
            cell.number_format = number_format  # also on an empty cell, for what is typed in
        style_cell(cell, fixed=fixed)
        if fixed:
            note = f"{FIXED_NOTE}; {note}" if note else FIXED_NOTE
        elif not isinstance(value, Formula):
            self._validate(cell, name, unit)
        if value is None and note:
            cell.comment = Comment(note, "llmcost")
        for col, text in ((4, unit), (5, source), (6, as_of), (7, note)):
            if text:
                write_text_cell(self.ws.cell(row=r, column=col), text)
                self.ws.cell(row=r, column=col).alignment = Alignment(wrap_text=False)
        self.ws.row_dimensions[r].height = ROW_HEIGHT  # one line, however long the source
        self.book.define(name, self.title, f"$C${r}")
        self.names[name] = r
        return name

    def _validate(self, cell: Any, name: str, unit: str) -> None:
        """Data validation of an input cell by its unit (a range, or TRUE/FALSE)."""
        from openpyxl.worksheet.datavalidation import DataValidation

        rule = validation_rule(name, unit)
        if rule is None:
            return
        dv = self._validations.get(rule)
        if dv is None:
            kind, operator, lo, hi, message = rule
            dv = DataValidation(
                type=kind,
                operator=operator,
                formula1=lo,
                formula2=hi,
                allow_blank=True,
                showErrorMessage=True,
                errorTitle="llmcost input",
                error=message,
            )
            self.ws.add_data_validation(dv)
            self._validations[rule] = dv
        dv.add(cell)


#: Row height of an Assumptions row [points]: one line (long source texts do not wrap).
ROW_HEIGHT: Final = 15.0
#: Units of inputs that cannot be negative.
_NONNEGATIVE_UNITS: Final = frozenset(
    {"tokens", "requests/month", "replicas", "GPUs", "FTE", "ratio", "1/year", "years",
     "kW/GPU", "s", "bytes", "bytes/s", "FLOP/s", "FLOPs/token", "sequences", "tiles",
     "replica-seconds", "layers", "stages", "ranks", "tokens/s"}
)  # fmt: skip


def validation_rule(name: str, unit: str) -> tuple[str, str | None, str, str | None, str] | None:
    """Return the data validation of input ``name`` in ``unit``.

    ``(type, operator, formula1, formula2, message)``; None where any number is allowed. The
    ranges are the scenario schema's (``llmcost.scenario.config``).
    """
    if unit == "true/false":
        return ("list", None, '"TRUE,FALSE"', None, "TRUE or FALSE")
    if name.endswith("peak_to_average"):
        return ("decimal", "between", "1", "24", "a ratio from 1 (flat day) to 24")
    if name.endswith("target_utilization"):
        return ("decimal", "between", "0.01", "1", "a fraction from 0.01 to 1 (1 % to 100 %)")
    if unit == "fraction":
        return ("decimal", "between", "0", "1", "a fraction from 0 to 1 (0 % to 100 %)")
    if unit == "fraction/month":
        return ("decimal", "between", "-0.5", "10", "a monthly growth from -0.5 to 10")
    if unit.startswith("USD") or unit in _NONNEGATIVE_UNITS:
        return ("decimal", "greaterThanOrEqual", "0", None, f"a number ≥ 0 ({unit})")
    return None


@dataclass
class GridSheet:
    """Line items as rows, one column per option; cells are formulas built per column.

    ``add(key, label, unit, build)`` calls ``build(column)`` for every column and writes the
    returned :class:`Formula` (or ``None`` for "not applicable"). A builder refers to cells of
    its own column with ``column.cell(key)``.
    """

    book: Book
    title: str
    option_names: Sequence[str]
    first_column: int = 3
    ws: Any = field(init=False)
    row: int = field(init=False, default=1)
    rows: dict[str, int] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        headers = ["Line item", "Unit", *self.option_names]
        widths = [46, 18] + [22] * len(self.option_names)
        self.ws = self.book.sheet(self.title, headers, widths)

    @property
    def columns(self) -> list[Column]:
        """One :class:`Column` per option, in order."""
        return [
            Column(self, i, column_letter(self.first_column + i))
            for i in range(len(self.option_names))
        ]

    def section(self, title: str) -> None:
        """A bold section title row."""
        from openpyxl.styles import Font

        self.row += 1
        cell = self.ws.cell(row=self.row, column=1)
        write_text_cell(cell, title)
        cell.font = Font(bold=True)

    def add(
        self,
        key: str,
        label: str,
        unit: str,
        build: Callable[[Column], Formula | str | None],
        number_format: str = NUMBER,
        *,
        bold: bool = False,
    ) -> int:
        """Add a line item; return its row number."""
        from openpyxl.styles import Font

        if key in self.rows:
            raise ValueError(f"line item defined twice: {key!r}")
        self.row += 1
        r = self.row
        self.rows[key] = r
        write_text_cell(self.ws.cell(row=r, column=1), label)
        write_text_cell(self.ws.cell(row=r, column=2), unit)
        for col in self.columns:
            cell = self.ws.cell(row=r, column=self.first_column + col.index)
            write_value(cell, build(col), number_format)
            if bold:
                cell.font = Font(bold=True)
        if bold:
            self.ws.cell(row=r, column=1).font = Font(bold=True)
        return r

    def row_range(self, key: str) -> str:
        """The absolute range of a line item across every option column."""
        r = self.rows[key]
        first = column_letter(self.first_column)
        last = column_letter(self.first_column + len(self.option_names) - 1)
        return f"${first}${r}:${last}${r}"

    def header_range(self) -> str:
        """The absolute range of the option names in the header row."""
        first = column_letter(self.first_column)
        last = column_letter(self.first_column + len(self.option_names) - 1)
        return f"${first}$1:${last}$1"


@dataclass(frozen=True)
class Column:
    """One option's column of a :class:`GridSheet`."""

    grid: GridSheet
    index: int
    letter: str

    def cell(self, key: str) -> str:
        """Relative address of line item ``key`` in this column (e.g. ``D12``)."""
        return f"{self.letter}{self.grid.rows[key]}"

    def span(self, first_key: str, last_key: str) -> str:
        """Address of the cells of this column from ``first_key`` to ``last_key``."""
        return f"{self.cell(first_key)}:{self.cell(last_key)}"
