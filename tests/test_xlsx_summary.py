"""The workbook's first sheet states the verdict, live, and every input is a clean, validated cell.

- the Summary sheet's cached values (what a reader sees before any recalculation: openpyxl
  ``data_only``) are the library's verdict — the very sentence of
  :func:`llmcost.scenario.verdict.verdict`, and its figures;
- the peak factor is live: the Load profile sheet's weights equal
  :func:`llmcost.cost.load.profile_from_peak_to_average` (and ``normalize_profile`` of a given
  profile) after edits, evaluated by llmcost's formula evaluator;
- no text in number cells on Assumptions; rows one line high; data validation on inputs;
- option names that look like formulas stay text everywhere.

LibreOffice recalculates the Summary after edits in ``tests/test_xlsx_capacity.py`` (one run for
all its edited books) and the unedited sentence in ``tests/test_xlsx_libreoffice.py``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from llmcost.cost.load import normalize_profile, profile_from_peak_to_average
from llmcost.export._xlsx_book import FIXED_NOTE, AssumptionsSheet, Book
from llmcost.export._xlsx_eval import Evaluator
from llmcost.export._xlsx_profile import HOURS, ProfileWriter
from llmcost.export.xlsx import write_workbook
from llmcost.scenario import compare, load_scenario
from llmcost.scenario.verdict import flip_text, verdict

openpyxl = pytest.importorskip("openpyxl")
pytestmark = pytest.mark.filterwarnings("ignore::llmcost._core.errors.StaleCatalogWarning")

SCENARIOS = Path(__file__).resolve().parents[1] / "examples" / "scenarios"


def named(wb: Any, name: str) -> Any:
    """The value of the cell a defined name points at."""
    sheet, ref = wb.defined_names[name].attr_text.rsplit("!", 1)
    return wb[sheet.strip("'")][ref.replace("$", "")].value


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Any]]:
    """owned-hardware (a flip volume, owned and rented options) and internal-tool (a given
    hourly profile), written once."""
    tmp = tmp_path_factory.mktemp("summary")
    out = {}
    for name in ("owned-hardware", "internal-tool"):
        comparison = compare(load_scenario(SCENARIOS / f"{name}.toml"))
        out[name] = (write_workbook(comparison, tmp / f"{name}.xlsx"), comparison)
    return out


@pytest.mark.parametrize("name", ["owned-hardware", "internal-tool"])
def test_summary_is_the_verdict_before_any_recalculation(
    name: str, books: dict[str, tuple[Path, Any]]
) -> None:
    path, comparison = books[name]
    v = verdict(comparison)
    wb = openpyxl.load_workbook(path, data_only=True)
    assert wb.sheetnames[0] == "Summary"
    assert named(wb, "s_verdict") == v.sentence  # the library's sentence, character for character
    assert named(wb, "s_flip_text") == flip_text(v, comparison) != ""
    assert named(wb, "s_cheapest") == v.cheapest == comparison.cheapest
    assert named(wb, "s_rival") == v.rival
    for cell, value in (
        ("s_requests_per_month", v.requests_per_month),
        ("s_cheapest_usd", v.cheapest_usd_per_month),
        ("s_rival_usd", v.rival_usd_per_month),
        ("s_margin_usd", v.margin_usd_per_month),
        ("s_margin_usd_per_mtok", v.margin_usd_per_mtok),
        ("s_gpus_peak", v.gpus_peak),
        ("s_gpus_per_replica", v.gpus_per_replica),
        ("s_gpus_avg", v.gpus_avg),
    ):
        assert np.isclose(named(wb, cell), value, rtol=1e-12), cell
    assert named(wb, "s_self_hosted") == v.self_hosted
    assert named(wb, "s_gpu") == v.gpu


def test_summary_formulas_are_live_and_flip_figures_are_marked(
    books: dict[str, tuple[Path, Any]],
) -> None:
    path, comparison = books["owned-hardware"]
    v = verdict(comparison)
    wb = openpyxl.load_workbook(path)
    ws = wb["Summary"]
    # the cheapest option: MIN / INDEX-MATCH over the Model sheet's totals
    assert named(wb, "s_cheapest") == "=cheapest_option"
    assert "MIN(Model!" in named(wb, "s_cheapest_usd")
    assert str(named(wb, "s_verdict")).startswith("=IF(")
    flip_rows = {
        ws.cell(row=r, column=1).value: r
        for r in range(1, ws.max_row + 1)
        if FIXED_NOTE in str(ws.cell(row=r, column=4).value or "")
    }
    flip = flip_rows["Volume at which the answer flips"]
    assert v.flip_requests_per_month is not None
    assert np.isclose(ws.cell(row=flip, column=2).value, v.flip_requests_per_month)
    assert ws.cell(row=flip, column=2).fill.fgColor.rgb.endswith("E7E6E6")  # grey: fixed
    assert len(flip_rows) == 6
    # a chart of the monthly cost of each option, sorted (cheapest as written first)
    assert len(ws._charts) == 1
    costs = sorted(
        (o.monthly_cost_usd, o.name) for o in comparison.options if np.isfinite(o.monthly_cost_usd)
    )
    names_in_table = [
        ws.cell(row=r, column=1).value
        for r in range(1, ws.max_row + 1)
        if str(ws.cell(row=r, column=3).value).startswith("=Model!")
    ]
    assert names_in_table == [name for _, name in costs]


@pytest.mark.parametrize("name", ["owned-hardware", "internal-tool"])
def test_no_text_in_number_cells_and_one_line_rows(
    name: str, books: dict[str, tuple[Path, Any]]
) -> None:
    wb = openpyxl.load_workbook(books[name][0])
    ws = wb["Assumptions"]
    empty = 0
    for r in range(2, ws.max_row + 1):
        if not ws.cell(row=r, column=2).value:
            continue
        cell = ws.cell(row=r, column=3)
        assert cell.data_type != "s", (r, cell.value)  # a number, a bool, a formula or empty
        assert ws.row_dimensions[r].height == 15, r
        assert not ws.cell(row=r, column=5).alignment.wrap_text
        if cell.value is None:  # an input left empty on purpose says what empty means
            empty += 1
            assert cell.comment is not None
            assert "empty" in cell.comment.text
    assert empty > 0  # both scenarios have an empty price or max_replicas


def test_every_input_cell_is_validated(books: dict[str, tuple[Path, Any]]) -> None:
    wb = openpyxl.load_workbook(books["owned-hardware"][0])
    ws = wb["Assumptions"]
    rules: dict[str, Any] = {}
    for dv in ws.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            for row in ws[rng.coord] if ":" in rng.coord else [[ws[rng.coord]]]:
                for c in row:
                    rules[c.coordinate] = dv
    for r in range(2, ws.max_row + 1):
        name, unit = ws.cell(row=r, column=2).value, ws.cell(row=r, column=4).value
        cell = ws.cell(row=r, column=3)
        if not name or cell.fill.fgColor.rgb.endswith("E7E6E6"):
            continue  # a section title or a value computed by llmcost
        dv = rules.get(cell.coordinate)
        assert dv is not None, name
        if name.endswith("target_utilization"):  # the schema's Field(ge=0.01, le=1.0)
            assert (dv.type, dv.formula1, dv.formula2) == ("decimal", "0.01", "1"), name
        elif unit == "fraction":
            assert (dv.type, dv.formula1, dv.formula2) == ("decimal", "0", "1"), name
        elif unit == "true/false":
            assert (dv.type, dv.formula1) == ("list", '"TRUE,FALSE"'), name
        elif name == "w_growth_per_month":
            assert (dv.formula1, dv.formula2) == ("-0.5", "10")
        else:
            assert dv.type == "decimal", name
            assert dv.formula1 in ("0", "0.01", "1"), name


def _profile_book(synthetic: bool, weights: np.ndarray | None = None) -> Any:
    book = Book()
    a = AssumptionsSheet(book)
    if synthetic:
        a.add("w_peak_to_average", "peak", 2.5, "ratio")
    else:
        assert weights is not None
        first = a.row + 1
        for h, w in zip(HOURS, weights, strict=True):
            a.add(f"w_profile_{h}", h, float(w), "ratio")
        book.define("w_profile", a.title, f"$C${first}:$C${first + 23}")
    ProfileWriter(book, synthetic).write()
    return book.wb


@pytest.mark.parametrize(
    "p", [1.0, 1.3, 2.0, 2.0000001, 2.5, 3.0, 4.7, 6.0, 8.0, 12.0, 16.0, 20.0]
)
def test_peak_factor_weights_are_the_library_profile(p: float) -> None:
    # the library bisects 60 times for the exponent; the book interpolates in a table and takes
    # four Newton steps: the same weights to 1e-9 (the closed form below p = 2)
    wb = _profile_book(True)
    wb["Assumptions"]["C2"].value = p
    ev = Evaluator(wb)
    got = np.array([ev.cell("Load profile", 2 + k, 6) for k in range(24)], dtype=float)
    want = profile_from_peak_to_average(p)
    assert np.allclose(got, want, rtol=1e-9, atol=1e-12), np.max(np.abs(got - want))
    assert np.isclose(ev.cell("Load profile", 27, 6), want.max(), rtol=1e-9)


def test_a_given_profile_is_normalized_like_the_library() -> None:
    rng = np.random.default_rng(7)
    wb = _profile_book(False, normalize_profile(rng.uniform(0, 3, 24)))
    edited = rng.uniform(0, 5, 24)
    for k in range(24):  # what a reader types over the given weights
        wb["Assumptions"].cell(row=2 + k, column=3).value = float(edited[k])
    ev = Evaluator(wb)
    got = np.array([ev.cell("Load profile", 2 + k, 6) for k in range(24)], dtype=float)
    assert np.allclose(got, normalize_profile(edited), rtol=1e-12)


def test_formula_like_option_names_stay_text(tmp_path: Path) -> None:
    s = load_scenario(SCENARIOS / "internal-tool.toml")
    evil = ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(1)"]
    names = dict(zip((o.name for o in s.options), evil, strict=False))
    options = [o.model_copy(update={"name": names[o.name]}) for o in s.options]
    comparison = compare(s.model_copy(update={"options": options}))
    path = write_workbook(comparison, tmp_path / "evil.xlsx")
    values = openpyxl.load_workbook(path, data_only=True)
    assert values["Summary"]["A3"].value == verdict(comparison).sentence
    assert comparison.cheapest in values["Summary"]["A3"].value
    wb = openpyxl.load_workbook(path)
    used = [n for n in evil if n in names.values()]
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if c.value in used:
                    assert c.data_type == "s", (ws.title, c.coordinate)
                if c.data_type == "f":  # a name never becomes part of a formula's text
                    assert not any(n in str(c.value) for n in used), (ws.title, c.coordinate)
    assert re.search(r"<f>[^<]*HYPERLINK", _sheet_xml(path)) is None


def _sheet_xml(path: Path) -> str:
    import zipfile

    with zipfile.ZipFile(path) as z:
        return "".join(
            z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/sheet")
        )
