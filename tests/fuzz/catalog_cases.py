"""Generated user catalog directories for the fuzz suite: one bundled sheet copied with one cell
made hostile (NaN/inf strings, huge ints, formula prefixes, control and bidi characters), a
byte-order mark, or a broken row; the scenario is then costed with ``--catalog DIR``."""

from __future__ import annotations

import csv
import functools
import io
from dataclasses import dataclass
from pathlib import Path

from llmcost.catalog import bundled_dir

from .cli_cases import Picker

#: The sheets a user directory may replace.
SHEETS = ("api_prices.csv", "gpu_offers.csv", "gpus.csv", "models.csv", "hardware.csv",
          "facility.csv")  # fmt: skip

#: Ids the fuzz scenario uses: rows that mention one are picked more often.
USED_IDS = ("openai/gpt-4o", "openai/gpt-4o-mini", "llama-3.1-8b", "h100-sxm", "pue")

#: Hostile cell texts.
CELL_VALUES: list[str] = [
    "", " ", "nan", "NaN", "inf", "-inf", "Infinity", "1e308", "1e400", "-1", "0", "-0", "1e-300",
    "9" * 400, "-" + "9" * 400, "0x10", "1_000", "1,5", "true", "false", "=1+1", "+SUM(A1)",
    "@cmd", "-2+3", "=HYPERLINK(\"http://x\")", "a\nb", "x\x07y", "\u202eevil", "\x00", "\ufeffid",
    "2025-13-45", "1900-01-01", "9999-12-31", "h100-sxm", "openai/gpt-4o", "on_demand", "spot",
    "owned", "'quoted'", "\"", "é" * 300,
]  # fmt: skip

#: Ways of breaking a whole file rather than one cell.
FILE_DAMAGE = ("bom", "extra_cell", "short_row", "unknown_column", "empty", "header_only",
               "duplicate_row", "not_utf8")  # fmt: skip


@functools.cache
def sheet(name: str) -> tuple[list[str], list[list[str]]]:
    """The bundled sheet ``name`` as (header, rows)."""
    text = (bundled_dir() / name).read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    return rows[0], rows[1:]


@dataclass(frozen=True)
class CatalogCase:
    """One damaged sheet: a cell (row, column) set to ``value``, or a whole-file ``damage``."""

    sheet: str
    row: int
    column: str
    value: str
    damage: str | None = None

    def write(self, directory: Path) -> Path:
        """Write the damaged sheet into ``directory``; return its path."""
        header, rows = sheet(self.sheet)
        rows = [list(r) for r in rows]
        header = list(header)
        if rows and self.damage is None:
            rows[self.row][header.index(self.column)] = self.value
        elif self.damage == "extra_cell":
            rows[self.row].append(self.value)
        elif self.damage == "short_row":
            rows[self.row] = rows[self.row][:2]
        elif self.damage == "unknown_column":
            header.append(self.value or "x")
        elif self.damage == "empty":
            header, rows = [], []
        elif self.damage == "header_only":
            rows = []
        elif self.damage == "duplicate_row":
            rows.append(list(rows[self.row]))
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        if header:
            writer.writerow(header)
        writer.writerows(rows)
        text = buf.getvalue()
        path = directory / self.sheet
        if self.damage == "bom":
            path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
        elif self.damage == "not_utf8":
            path.write_bytes(text.encode("utf-8") + b"\xff\xfe bad bytes\n")
        else:
            path.write_text(text, encoding="utf-8", errors="surrogatepass")
        return path


def catalog_case(pick: Picker) -> CatalogCase:
    """A random damaged sheet; rows naming an id the scenario uses are picked 70 % of the time."""
    name = pick.choice(SHEETS)
    header, rows = sheet(name)
    used = [i for i, r in enumerate(rows) if any(c in USED_IDS for c in r)]
    row = pick.choice(used) if used and pick.random() < 0.7 else pick.choice(range(len(rows)))
    damage = pick.choice(FILE_DAMAGE) if pick.random() < 0.15 else None
    return CatalogCase(name, row, pick.choice(header), pick.choice(CELL_VALUES), damage)
