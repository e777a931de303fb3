"""The *Summary* sheet, first in the book: the verdict, its figures, a chart, the key inputs.

- **Verdict**: the sentence of :func:`llmcost.scenario.verdict.verdict`, built by formulas from
  the figures below it, so that it recalculates with the book; for the unedited book it is the
  library's sentence, character for character. Its last part — where the answer flips — comes
  from the break-even engine, which a spreadsheet cannot rerun: that text, and the flip
  figures, are constants styled grey and noted "computed by llmcost, does not update".
- **Figures** (live): the cheapest feasible option (``MIN`` / ``INDEX``-``MATCH`` over the Model
  sheet's totals), the rival it is compared with (the best feasible option of the other kind,
  else the runner-up — as the library), the margin per month and per 1M tokens, and the GPUs the
  self-hosted option of the pair needs (at the peak hour, per replica, on average).
- **Key inputs**: links to the inputs a reader would change (volume, tokens, peak factor,
  target utilization, GPU and API prices), each with a hyperlink to its cell on *Assumptions*,
  where the inputs are styled and validated.
- **Options**: each option's monthly cost, $ per 1M tokens, feasibility and GPUs (links into
  *Model*), sorted by the cost as written; a bar chart of the monthly costs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..scenario.evaluators import ApiEvaluator
from ._xlsx_book import (
    FIXED_NOTE,
    GENERAL,
    INTEGER,
    NUMBER,
    PERCENT,
    USD,
    USD_PRECISE,
    Book,
    Formula,
    column_letter,
    style_cell,
    write_value,
)
from ._xlsx_model import ModelWriter
from .safety import write_text_cell

if TYPE_CHECKING:
    from .xlsx import WorkbookSpec

__all__ = ["SummaryWriter"]

TITLE = "Summary"
LINK_COLOR = "00703C"  # green text: a link to a cell on another sheet (finance convention)
#: The options table's columns: header, Model line item (None: written here), format, width.
TABLE = (
    ("Option", None, GENERAL, 30),
    ("Kind", None, GENERAL, 12),
    ("Monthly cost (USD/month)", "monthly_cost_usd", USD, 18),
    ("Cost per 1M tokens (USD/mtok)", "usd_per_mtok", USD_PRECISE, 16),
    ("Feasible", "feasible", GENERAL, 10),
    ("GPUs at the peak hour", "gpus_peak", INTEGER, 12),
    ("GPUs per replica", None, INTEGER, 12),
    ("GPUs on average over the day", None, NUMBER, 14),
    ("GPU type", None, GENERAL, 14),
)


def usd_text(x: str) -> str:
    """Formula text of ``verdict._usd``: whole dollars from $100 up, cents below."""
    return f'"$"&IF(ABS({x})>=100,TEXT({x},"#,##0"),TEXT({x},"#,##0.00"))'


@dataclass
class SummaryWriter:
    """Writes the Summary sheet over the Model and Assumptions sheets' cells."""

    book: Book
    spec: WorkbookSpec
    model: ModelWriter
    assumptions: dict[str, int]
    ws: Any = field(init=False)
    row: int = field(init=False, default=1)

    def write(self) -> None:
        """Every block; the sheet is moved to the front of the book."""
        from openpyxl.styles import Alignment, Font

        title_row = [f"Summary: {self.spec.title}", "", "", ""]
        self.ws = self.book.sheet(TITLE, title_row, [52, 20, 18, 44])
        self.book.wb.move_sheet(self.ws, offset=-self.book.wb.index(self.ws))
        self.ws.freeze_panes = None
        self.ws.cell(row=1, column=1).font = Font(bold=True, size=14)
        self.row = 2
        verdict_row = self._verdict_cell()
        table = self._options_table_rows()
        self._figures(table)
        self._flips()
        self._key_inputs()
        self._table(table)
        self._sentence(verdict_row, table)
        cell = self.ws.cell(row=verdict_row, column=1)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        cell.font = Font(bold=True, size=12)
        self._chart(table)

    # -- layout helpers ------------------------------------------------------------------

    def _name(self, name: str, row: int, col: int = 2) -> str:
        self.book.define(name, TITLE, f"${column_letter(col)}${row}")
        return name

    def _section(self, title: str) -> None:
        from openpyxl.styles import Font

        self.row += 2
        cell = self.ws.cell(row=self.row, column=1)
        write_text_cell(cell, title)
        cell.font = Font(bold=True)

    def _line(
        self, label: str, value: Any, unit: str = "", fmt: str = GENERAL, note: str = ""
    ) -> int:
        self.row += 1
        r = self.row
        write_text_cell(self.ws.cell(row=r, column=1), label)
        write_value(self.ws.cell(row=r, column=2), value, fmt)
        for col, text in ((3, unit), (4, note)):
            if text:
                write_text_cell(self.ws.cell(row=r, column=col), text)
        return r

    def _sentence_line(self, label: str, value: Formula) -> None:
        """A line whose value is a sentence: spread over columns B:D, wrapped, three lines high.

        In column B alone (20 characters wide) the sentence wrapped to a dozen lines.
        """
        from openpyxl.styles import Alignment

        r = self._line(label, value)
        self.ws.cell(row=r, column=1).alignment = Alignment(vertical="top")
        self.ws.cell(row=r, column=2).alignment = Alignment(wrap_text=True, vertical="top")
        self.ws.merge_cells(start_row=r, start_column=2, end_row=r, end_column=4)
        self.ws.row_dimensions[r].height = 45

    # -- blocks --------------------------------------------------------------------------

    def _verdict_cell(self) -> int:
        self.row = 3
        self.ws.merge_cells(start_row=3, start_column=1, end_row=3, end_column=4)
        self.ws.row_dimensions[3].height = 80
        self._name("s_verdict", 3, col=1)
        return 3

    def _options_table_rows(self) -> dict[str, Any]:
        """Option order of the table (cheapest as written first) and where each option is."""
        evs = self.model.evaluators
        costs = {ev.name: _cost(self.spec, j) for j, ev in enumerate(evs, 1)}
        order = sorted(range(1, len(evs) + 1), key=lambda j: costs[evs[j - 1].name])
        return {"order": order, "rows": {}}

    def _figures(self, table: dict[str, Any]) -> None:
        m, g = self.model, self.model.grid
        costs = "Model!" + g.row_range("feasible_cost_usd")
        names = "Model!" + g.header_range()
        by_kind = {
            kind: [_one(m.ref("feasible_cost_usd", j)) for j in js]
            for kind, js in (("API", sorted(m.apis)), ("self-hosted", sorted(m.hosted)))
        }
        self._section(
            "The verdict's figures (live: they recalculate when an input on Assumptions changes)"
        )
        self._line(
            "Requests per month", Formula("=w_requests_per_month"), "requests/month", INTEGER
        )
        self._name("s_requests_per_month", self.row)
        self._line("Cheapest feasible option", Formula("=cheapest_option"))
        self._name("s_cheapest", self.row)
        kinds, opts = "s_table_kind", "s_table_option"
        self._line(
            "Kind",
            Formula(f'=IF(s_cheapest="none","",INDEX({kinds},MATCH(s_cheapest,{opts},0)))'),
        )
        self._name("s_cheapest_kind", self.row)
        self._line(
            "Its monthly cost",
            Formula(f'=IF(s_cheapest="none","",MIN({costs}))'),
            "USD/month",
            USD,
        )
        self._name("s_cheapest_usd", self.row)

        def best(kind: str) -> tuple[str, str]:
            refs = ",".join(by_kind[kind])
            return (f"COUNT({refs})", f"MIN({refs})") if refs else ("0", "0")

        runner = f'IF(COUNT({costs})>1,SMALL({costs},2),"")'
        (n_sh, min_sh), (n_api, min_api) = best("self-hosted"), best("API")
        rival_usd = (
            f'=IF(s_cheapest="none","",IF(s_cheapest_kind="API",'
            f"IF({n_sh}>0,{min_sh},{runner}),IF({n_api}>0,{min_api},{runner})))"
        )
        self._line(
            "Compared with",
            Formula(f'=IF(ISNUMBER(s_rival_usd),INDEX({names},MATCH(s_rival_usd,{costs},0)),"")'),
            note="the best feasible option of the other kind, else the runner-up",
        )
        self._name("s_rival", self.row)
        self._line(
            "Kind",
            Formula(f'=IF(s_rival="","",INDEX({kinds},MATCH(s_rival,{opts},0)))'),
        )
        self._name("s_rival_kind", self.row)
        self._line("Its monthly cost", Formula(rival_usd), "USD/month", USD)
        self._name("s_rival_usd", self.row)
        self._line(
            "Margin a month (what it costs more)",
            Formula('=IF(ISNUMBER(s_rival_usd),s_rival_usd-s_cheapest_usd,"")'),
            "USD/month",
            USD,
        )
        self._name("s_margin_usd", self.row)
        tokens = "Model!" + g.row_range("tokens_per_month")
        self._line(
            "Margin per 1M tokens",
            Formula(
                f"=IF(ISNUMBER(s_margin_usd),IF(INDEX({tokens},MATCH(s_cheapest,{names},0))>0,"
                f's_margin_usd/INDEX({tokens},MATCH(s_cheapest,{names},0))*1000000,""),"")'
            ),
            "USD/mtok",
            USD_PRECISE,
            "over the cheapest option's tokens (input + output)",
        )
        self._name("s_margin_usd_per_mtok", self.row)
        self._line(
            "Self-hosted option of the pair",
            Formula(
                '=IF(s_rival_kind="self-hosted",s_rival,'
                'IF(s_cheapest_kind="self-hosted",s_cheapest,""))'
            ),
        )
        self._name("s_self_hosted", self.row)
        for label, key, fmt, unit in (
            ("Its GPU type", "gpu", GENERAL, ""),
            ("GPUs at the peak hour", "gpus_peak", INTEGER, "GPUs"),
            ("GPUs per replica", "gpus_per_replica", INTEGER, "GPUs"),
            ("GPUs on average over the day", "gpus_avg", NUMBER, "GPUs"),
        ):
            rng = f"s_table_{key}"
            self._line(
                label,
                Formula(f'=IF(s_self_hosted="","",INDEX({rng},MATCH(s_self_hosted,{opts},0)))'),
                unit,
                fmt,
            )
            self._name(f"s_{key}", self.row)

    def _flips(self) -> None:
        from openpyxl.comments import Comment
        from openpyxl.styles import Alignment

        v = self.spec.verdict
        self._section(
            "Where the answer flips (llmcost's break-even engine at the inputs as written: "
            "computed by llmcost, does not update)"
        )

        def fixed(label: str, value: float | None, unit: str, fmt: str, note: str = "") -> int:
            shown = None if value is None or not math.isfinite(value) else float(value)
            r = self._line(label, shown, unit, fmt, f"{FIXED_NOTE}; {note}" if note else FIXED_NOTE)
            style_cell(self.ws.cell(row=r, column=2), fixed=True)
            return r

        rng = getattr(v, "breakeven_range", None) or (None, None)
        fixed(
            "Volume at which the answer flips",
            getattr(v, "flip_requests_per_month", None),
            "requests/month",
            INTEGER,
            "the change of the pair's cheaper option nearest the stated volume; empty: none in "
            "the volumes searched",
        )
        fixed("Volumes searched, from", rng[0], "requests/month", INTEGER)
        fixed("Volumes searched, to", rng[1], "requests/month", INTEGER)
        gpu_unit = (
            "USD/GPU" if getattr(v, "flip_gpu_variable", None) == "purchase_usd_per_gpu"
            else "USD/GPU-hour"
        )
        fixed("Self-hosted GPU price as written", getattr(v, "gpu_price_now", None), gpu_unit, USD)
        fixed(
            "GPU price at which the answer flips",
            getattr(v, "flip_gpu_price", None),
            gpu_unit,
            USD,
            "empty: no flip up to 10× today's price",
        )
        fixed(
            "API price multiplier at which the answer flips",
            getattr(v, "flip_api_price_multiplier", None),
            "ratio",
            "0.00",
            "empty: no flip from 0 to 20× today's prices",
        )
        self.row += 1
        r = self.row
        label = self.ws.cell(row=r, column=1)
        write_text_cell(label, "Where the answer flips, in words")
        label.alignment = Alignment(vertical="top")
        cell = self.ws.cell(row=r, column=2)
        write_text_cell(cell, self.spec.flip_text)
        style_cell(cell, fixed=True)
        cell.comment = Comment(FIXED_NOTE, "llmcost")
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        self.ws.merge_cells(start_row=r, start_column=2, end_row=r, end_column=4)
        self.ws.row_dimensions[r].height = 15 * max(1, math.ceil(len(self.spec.flip_text) / 90))
        self._name("s_flip_text", r)

    def _key_inputs(self) -> None:
        from openpyxl.styles import Font
        from openpyxl.worksheet.hyperlink import Hyperlink

        self._section(
            "Key inputs (links: edit them on Assumptions, where each input cell is validated)"
        )
        for name, label, unit, fmt in self._key_input_names():
            row = self.assumptions.get(name)
            if row is None:
                continue
            r = self._line(label, Formula(f"={name}"), unit, fmt)
            self.ws.cell(row=r, column=2).font = Font(color=LINK_COLOR)
            link = self.ws.cell(row=r, column=4)
            write_text_cell(link, f"edit: Assumptions!C{row} ({name})")
            link.hyperlink = Hyperlink(ref=link.coordinate, location=f"'Assumptions'!C{row}")
            link.font = Font(color="0563C1", underline="single")
            if name == "w_requests_per_month" and "w_peak_to_average" not in self.assumptions:
                self._line(
                    "Peak hour over the average hour (of the given profile)",
                    Formula("=w_peak_weight"),
                    "ratio",
                    "0.00",
                    "the largest of the 24 hourly weights (Assumptions: w_profile_00 …)",
                )

    def _key_input_names(self) -> list[tuple[str, str, str, str]]:
        mix = self.spec.model.mix
        out = [("w_requests_per_month", "Requests per month", "requests/month", INTEGER)]
        for i, fname in enumerate(mix.names, 1):
            out += [
                (f"f{i}_input_tokens_per_request", f"{fname}: input tokens per request",
                 "tokens", INTEGER),
                (f"f{i}_output_tokens_per_request", f"{fname}: output tokens per request",
                 "tokens", INTEGER),
            ]  # fmt: skip
        out.append(
            ("w_peak_to_average", "Peak hour over the average hour (peak factor)", "ratio", "0.00")
        )
        for j, ev in enumerate(self.model.evaluators, 1):
            p = f"o{j}_"
            if isinstance(ev, ApiEvaluator):
                out.append((p + "api_price_multiplier", f"{ev.name}: API price multiplier",
                            "ratio", "0.00"))  # fmt: skip
                continue
            out += [
                (p + "target_utilization", f"{ev.name}: target utilization", "fraction",
                 PERCENT),
                (p + "gpu_usd_per_hour", f"{ev.name}: GPU price", "USD/GPU-hour", USD),
                (p + "purchase_usd_per_gpu", f"{ev.name}: GPU purchase price", "USD/GPU", USD),
            ]  # fmt: skip
        return out

    def _table(self, table: dict[str, Any]) -> None:
        from openpyxl.styles import Alignment, Font

        ws, m = self.ws, self.model
        self._section("Options at the stated volume (sorted by the monthly cost as written)")
        self.row += 1
        head = self.row
        for k, (text, *_rest) in enumerate(TABLE, 1):
            cell = ws.cell(row=head, column=k)
            write_text_cell(cell, text)
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="bottom")
        ws.row_dimensions[head].height = 30
        for col in range(5, len(TABLE) + 1):
            ws.column_dimensions[column_letter(col)].width = TABLE[col - 1][3]
        for j in table["order"]:
            self.row += 1
            r, ev = self.row, m.evaluators[j - 1]
            hosted = j in m.hosted
            write_text_cell(ws.cell(row=r, column=1), ev.name)
            write_text_cell(
                ws.cell(row=r, column=2), "API" if isinstance(ev, ApiEvaluator) else "self-hosted"
            )
            for k, (_text, key, fmt, _w) in enumerate(TABLE, 1):
                if key is None or (j in m.unfit and key != "feasible"):
                    continue
                if key == "gpus_peak" and not hosted:
                    continue
                text = m.ref(key, j)
                text = f'IF({text},"yes","no")' if key == "feasible" else text
                write_value(ws.cell(row=r, column=k), Formula("=" + text), fmt)
            if hosted:
                per = f"o{j}_gpus_per_replica"
                write_value(ws.cell(row=r, column=7), Formula(f"={per}"), INTEGER)
                avg = m.ref("replicas_avg", j)
                write_value(ws.cell(row=r, column=8), Formula(f"={avg}*{per}"), NUMBER)
                write_text_cell(ws.cell(row=r, column=9), self.spec.gpu_types.get(ev.name, ""))
            elif j in m.unfit:
                write_text_cell(ws.cell(row=r, column=9), self.spec.gpu_types.get(ev.name, ""))
        table["first"], table["last"] = head + 1, self.row
        for col, key in ((1, "option"), (2, "kind"), (6, "gpus_peak"), (7, "gpus_per_replica"),
                         (8, "gpus_avg"), (9, "gpu")):  # fmt: skip
            letter = column_letter(col)
            self.book.define(f"s_table_{key}", TITLE, f"${letter}${head + 1}:${letter}${self.row}")

    def _sentence(self, verdict_row: int, table: dict[str, Any]) -> None:
        """The verdict's sentence: ``verdict._sentence`` term by term, over the live figures."""
        self._section("The verdict sentence, built from the figures above")
        vol = 'TEXT(s_requests_per_month,"#,##0")'
        head = (
            f'="At "&{vol}&" requests a month, "&s_cheapest&" ("&s_cheapest_kind&") is cheapest'
            f' at "&{usd_text("s_cheapest_usd")}&" a month, "&{usd_text("s_margin_usd")}'
            '&" a month less than "&s_rival&" ("&s_rival_kind&")"'
            '&IF(AND(ISNUMBER(s_margin_usd_per_mtok),s_margin_usd_per_mtok<>0),", "&'
            f'{usd_text("s_margin_usd_per_mtok")}&" less per 1M tokens","")&"."'
        )
        self._sentence_line("Who is cheapest, and by how much", Formula(head))
        self._name("s_headline", self.row)
        gpus = (
            '=IF(OR(s_self_hosted="",NOT(ISNUMBER(s_gpus_peak))),"","Self-hosting ("'
            '&s_self_hosted&") needs "&TEXT(s_gpus_peak,"#,##0")&" "&s_gpu&" GPU"'
            '&IF(s_gpus_peak=1,"","s")&" at the peak hour ("&TEXT(s_gpus_per_replica,"0")'
            '&" per replica; "&TEXT(s_gpus_avg,"#,##0.0")&" on average over the day).")'
        )
        self._sentence_line("The GPUs self-hosting needs", Formula(gpus))
        self._name("s_gpu_sentence", self.row)
        sentence = (
            f'=IF(s_cheapest="none","At "&{vol}&" requests a month no option can serve the '
            'workload as specified.",IF(s_rival="","At "&'
            f'{vol}&" requests a month "&s_cheapest&" is the only feasible option.",'
            's_headline&IF(s_gpu_sentence="",""," "&s_gpu_sentence)'
            '&IF(s_flip_text="",""," "&s_flip_text)))'
        )
        write_value(self.ws.cell(row=verdict_row, column=1), Formula(sentence))

    def _chart(self, table: dict[str, Any]) -> None:
        from openpyxl.chart import BarChart, Reference
        from openpyxl.chart.label import DataLabelList

        first, last = table["first"], table["last"]
        chart = BarChart()
        chart.type = "bar"
        chart.title = "Monthly cost of each option at the stated volume (USD)"
        data = Reference(self.ws, min_col=3, min_row=first - 1, max_row=last)
        chart.add_data(data, titles_from_data=True)
        chart.set_categories(Reference(self.ws, min_col=1, min_row=first, max_row=last))
        chart.legend = None
        chart.x_axis.scaling.orientation = "maxMin"  # the cheapest on top
        chart.x_axis.delete = False
        chart.y_axis.delete = False
        chart.y_axis.numFmt = '"$"#,##0'
        chart.y_axis.majorGridlines = None
        costs = [c for c in (_cost(self.spec, j) for j in table["order"]) if math.isfinite(c)]
        if costs and min(costs) > 0 and max(costs) / min(costs) > 30:
            chart.y_axis.scaling.logBase = 10  # a wide spread: bars on a log axis
            chart.y_axis.title = "USD per month (log scale)"
        else:
            chart.y_axis.title = "USD per month"
        chart.dataLabels = DataLabelList()
        chart.dataLabels.showVal = True
        for flag in ("showSerName", "showCatName", "showLegendKey", "showPercent"):
            setattr(chart.dataLabels, flag, False)
        chart.dataLabels.numFmt = '"$"#,##0'
        chart.width, chart.height = 20, max(6.0, 1.2 * (last - first + 1) + 3)
        self.ws.add_chart(chart, "F2")


def _one(ref: str) -> str:
    """A one-cell range of an absolute reference (``MIN`` skips text in a range)."""
    sheet, cell = ref.split("!")
    return f"{sheet}!{cell}:{cell}"


def _cost(spec: WorkbookSpec, j: int) -> float:
    """Option ``j``'s monthly cost as written (inf when it does not fit)."""
    value = spec.option_costs.get(spec.model.evaluators[j - 1].name, math.inf)
    return value if math.isfinite(value) else math.inf
