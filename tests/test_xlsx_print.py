"""The workbook prints in order: every sheet landscape, one page wide, headed and numbered.

Before this, LibreOffice printed the chat-assistant book on 158 portrait pages, the 7-column
Assumptions sheet one column per page. The PDF test prints the real book with LibreOffice.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from llmcost.export.xlsx import write_workbook
from llmcost.scenario import compare, load_scenario

openpyxl = pytest.importorskip("openpyxl")
pytestmark = pytest.mark.filterwarnings("ignore::llmcost._core.errors.StaleCatalogWarning")
SCENARIO = Path(__file__).resolve().parents[1] / "examples" / "scenarios" / "chat-assistant.toml"
SOFFICE = shutil.which("soffice")


@pytest.fixture(scope="module")
def book_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("print") / "chat.xlsx"
    write_workbook(compare(load_scenario(SCENARIO)), path)
    return path


def test_every_sheet_prints_landscape_one_page_wide(book_path: Path) -> None:
    wb = openpyxl.load_workbook(book_path)
    for ws in wb.worksheets:
        assert ws.page_setup.orientation == "landscape", ws.title
        assert ws.page_setup.fitToWidth == 1, ws.title
        assert ws.page_setup.fitToHeight == 0, ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        assert ws.print_title_rows == "$1:$1", ws.title
        assert "&P of &N" in ws.oddFooter.center.text, ws.title


def test_print_area_is_the_written_columns_except_beside_a_chart(book_path: Path) -> None:
    wb = openpyxl.load_workbook(book_path)
    assumptions = wb["Assumptions"]
    # "Assumptions"!$A$1:$G$<last row>: the seven written columns, not the overflow of a source text
    area = str(assumptions.print_area)
    assert re.fullmatch(rf"'?Assumptions'?!\$A\$1:\$G\${assumptions.max_row}", area), area
    assert not wb["Summary"].print_area  # the chart stands right of the written columns


@pytest.mark.skipif(SOFFICE is None, reason="needs LibreOffice (soffice) to print")
def test_libreoffice_prints_each_sheet_one_page_wide(book_path: Path, tmp_path: Path) -> None:
    subprocess.run(
        [str(SOFFICE), f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
         "--convert-to", "pdf", "--outdir", str(tmp_path), str(book_path)],
        capture_output=True, timeout=180, check=True,
    )  # fmt: skip
    pdf = (tmp_path / "chat.pdf").read_bytes()
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    sheets = len(openpyxl.load_workbook(book_path).worksheets)
    # one page wide: pages = the sum of each sheet's row pages; the 158 of the old portrait print
    # came from splitting columns. 1063 Capacity rows at ~70 a landscape page is ~16 pages.
    assert sheets <= pages <= 40, pages
