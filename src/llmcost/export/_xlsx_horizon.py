"""The *Horizon* sheet (month by month with growth, cumulative, NPV) and its helper sheet.

Month t (1-based) has volume ``w_requests_per_month × (1 + w_growth_per_month)^(t−1)`` and each
option's cost is the model at that volume: an API bill scales with the volume; a self-hosted
option is re-planned every month (*Horizon replicas*: one row per option and month with the
day's replicas and the month's cost), so whole replicas step up as volume grows. NPV discounts
the monthly costs at ``w_discount_rate_per_year / 12`` (spreadsheet NPV: the first month is
discounted one period).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .._core.units import HOURS_PER_MONTH, SECONDS_PER_MONTH
from . import _xlsx_formulas as fx
from ._xlsx_book import INTEGER, NUMBER, PERCENT, USD, Book, Formula, column_letter, write_value
from ._xlsx_inputs import HOURS
from ._xlsx_model import (
    ModelWriter,
    common_parts,
    draw_fraction,
    fleet_load,
    owned_parts,
    rental_mode,
    rental_parts,
    served_over_capacity,
)
from .safety import write_text_cell

if TYPE_CHECKING:
    from .xlsx import WorkbookSpec

__all__ = ["HorizonWriter"]

_TAIL = (
    ("avg", "Replicas avg", NUMBER),
    ("peak", "Replicas peak", INTEGER),
    ("committed", "Committed", INTEGER),
    ("usage", "Pay-as-you-go replica-hours", INTEGER),
    ("util", "Utilization", PERCENT),
    ("fleet", "Owned fleet load", PERCENT),
    ("rent", "GPU rental (USD)", USD),
    ("owned", "Owned hardware (USD)", USD),
    ("other", "Staff and fixed (USD)", USD),
    ("total", "Total (USD)", USD),
)


@dataclass
class HorizonWriter:
    """Writes *Horizon* and *Horizon replicas* over the Model sheet's cells."""

    book: Book
    spec: WorkbookSpec
    model: ModelWriter

    def write(self) -> None:
        """Both sheets; defines ``npv_o{j}`` for each option's NPV cell."""
        totals = self._replicas_sheet()
        self._horizon_sheet(totals)

    def _horizon_sheet(self, hosted_totals: dict[tuple[int, int], str]) -> None:
        evs = self.model.evaluators
        months = int(self.spec.horizon_months)
        names = [ev.name for ev in evs]
        headers = ["Month", "Growth factor", "Requests/month"]
        headers += [f"{n}: cost (USD)" for n in names]
        headers += [f"{n}: cumulative (USD)" for n in names]
        ws = self.book.sheet("Horizon", headers, [10, 14, 18] + [24] * 2 * len(names))
        if hosted_totals:  # before its helper sheet
            self.book.wb.move_sheet(ws, offset=-1)
        first, last = 2, months + 1
        for t in range(1, months + 1):
            r = t + 1
            ws.cell(row=r, column=1).value = t
            write_value(
                ws.cell(row=r, column=2), Formula(f"=(1+w_growth_per_month)^(A{r}-1)"), "0.0000"
            )
            write_value(ws.cell(row=r, column=3), Formula(f"=w_requests_per_month*B{r}"), INTEGER)
            for j in range(1, len(evs) + 1):
                cost: Formula | str
                if j in self.model.unfit:
                    cost = "n/a"
                elif (j, t) in hosted_totals:
                    cost = Formula(f"='Horizon replicas'!{hosted_totals[(j, t)]}")
                else:  # every API component is proportional to the volume
                    cost = Formula(f"={self.model.ref('monthly_cost_usd', j)}*B{r}")
                col = column_letter(3 + j)
                write_value(ws.cell(row=r, column=3 + j), cost, USD)
                write_value(
                    ws.cell(row=r, column=3 + len(evs) + j),
                    "n/a" if j in self.model.unfit else Formula(f"=SUM(${col}${first}:{col}{r})"),
                    USD,
                )
        r = last + 2
        write_text_cell(ws.cell(row=r, column=1), "NPV")
        write_text_cell(ws.cell(row=r, column=2), "monthly, at the discount rate / 12")
        for j in range(1, len(evs) + 1):
            col = column_letter(3 + j)
            npv: Formula | str = (
                "n/a"
                if j in self.model.unfit
                else Formula(f"=NPV(w_discount_rate_per_year/12,{col}{first}:{col}{last})")
            )
            write_value(ws.cell(row=r, column=3 + j), npv, USD)
            self.book.define(f"npv_o{j}", "Horizon", f"${col}${r}")

    def _replicas_sheet(self) -> dict[tuple[int, int], str]:
        """One row per (self-hosted option, month); returns each row's total cell."""
        m = self.model
        if not m.hosted:
            return {}
        hour_cols = [column_letter(5 + h) for h in range(24)]
        tail = {key: column_letter(5 + 24 + k) for k, (key, _, _) in enumerate(_TAIL)}
        headers = ["Option", "Month", "Demand (requests/s)", "Replicas per unit weight"]
        headers += [f"{h}:00" for h in HOURS] + [label for _, label, _ in _TAIL]
        ws = self.book.sheet(
            "Horizon replicas", headers, [22, 8, 14, 14] + [7] * 24 + [14] * len(_TAIL)
        )
        write_text_cell(ws.cell(row=2, column=4), "hourly weight →")
        for h in HOURS:
            write_value(ws.cell(row=2, column=5 + int(h)), Formula(f"=w_hour_{h}"), "0.000")
        weights = f"${hour_cols[0]}$2:${hour_cols[-1]}$2"
        out: dict[tuple[int, int], str] = {}
        r = 2
        for j, ev in m.hosted.items():
            p = f"o{j}_"
            for t in range(1, int(self.spec.horizon_months) + 1):
                r += 1
                write_text_cell(ws.cell(row=r, column=1), ev.name)
                ws.cell(row=r, column=2).value = t
                write_value(
                    ws.cell(row=r, column=3),
                    Formula(
                        f"=w_requests_per_month*(1+w_growth_per_month)^(B{r}-1)"
                        f"/{SECONDS_PER_MONTH:.0f}"
                    ),
                    "0.0000",
                )
                write_value(
                    ws.cell(row=r, column=4),
                    Formula("=" + fx.replicas_per_weight(f"C{r}", m.ref("planned_capacity", j))),
                    "0.0000",
                )
                for h, col in zip(HOURS, hour_cols, strict=True):
                    write_value(
                        ws.cell(row=r, column=5 + int(h)),
                        Formula(
                            "="
                            + fx.replicas_in_hour(
                                per_weight=f"$D{r}",
                                weight=fx.planned_weight(
                                    weight=f"{col}$2",
                                    peak_weight=f"MAX({weights})",
                                    autoscaling=p + "autoscaling",
                                ),
                                floor=m.ref("replica_floor", j),
                                cap=m.ref("replica_cap", j),
                                scale_to_zero=p + "scale_to_zero",
                            )
                        ),
                        INTEGER,
                    )
                span = f"{hour_cols[0]}{r}:{hour_cols[-1]}{r}"
                c = {key: f"{col}{r}" for key, col in tail.items()}
                cells = self._month_cells(j, ev.pricing, span, c, f"C{r}", weights)
                for key, value in cells.items():
                    fmt = next(f for k, _, f in _TAIL if k == key)
                    write_value(ws.cell(row=r, column=5 + 24 + list(tail).index(key)), value, fmt)
                out[(j, t)] = c["total"]
        return out

    def _month_cells(
        self, j: int, pricing: str, span: str, c: dict[str, str], demand: str, weights: str
    ) -> dict[str, Any]:
        m = self.model
        cap = m.ref("capacity_requests_per_s_per_replica", j)
        cells: dict[str, Any] = {
            "avg": Formula(f"=AVERAGE({span})"),
            "peak": Formula(f"=MAX({span})"),
            "util": Formula("=" + served_over_capacity(span, demand, weights, cap, otherwise="0")),
        }
        if pricing == "owned":
            cells |= {"committed": 0, "usage": 0, "rent": 0}
            cells["fleet"] = Formula("=" + fleet_load(c["util"], c["avg"], c["peak"]))
            parts = owned_parts(
                j, f"{c['peak']}*o{j}_gpus_per_replica", f"({draw_fraction(j, c['fleet'])})"
            )
            cells["owned"] = Formula("=" + "+".join(f"({v})" for v in parts.values()))
        else:
            reserved = rental_mode(pricing) == "reserved"
            committed = (
                fx.committed_replicas(span, f"o{j}_commitment_fraction") if reserved else "0"
            )
            usage = (
                fx.replica_hours_above(span, c["committed"])
                if reserved
                else f"{c['avg']}*{HOURS_PER_MONTH:g}"
            )
            parts = rental_parts(j, pricing, c["usage"], c["committed"])
            cells |= {
                "committed": Formula("=" + committed),
                "usage": Formula("=" + usage),
                "fleet": None,
                "rent": Formula("=" + "+".join(f"({v})" for v in parts.values())),
                "owned": 0,
            }
        cells["other"] = Formula("=" + "+".join(m.ref(k, j) for k in common_parts(j)))
        cells["total"] = Formula(f"={c['rent']}+{c['owned']}+{c['other']}")
        return cells
