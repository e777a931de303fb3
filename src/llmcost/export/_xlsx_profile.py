"""The *Load profile* sheet: the 24 hourly weights as formulas of the inputs.

``w_hour_00`` … ``w_hour_23`` (and the range ``w_hourly_weights``) are defined here, so that an
edit of the peak factor or of the profile flows through every replica count:

- a scenario with ``peak_to_average`` p (the default is a flat day, p = 1): the weights of
  :func:`llmcost.cost.load.profile_from_peak_to_average` — for p ≤ 2 the closed form
  ``(2 − p) + 2 (p − 1) s(h)``; for p > 2 ``s(h)^k / mean(s^k)`` with k solved so that
  ``mean(s^k) = 1/p``. The library bisects for k; here x = ln k is found without a long chain
  of cells: a table of ``g(x) = mean(s^e^x)`` over x = 0, 0.25, …, 12 brackets the root, linear
  interpolation starts, and four Newton steps ``x ← x − (g(x) − 1/p) / g'(x)`` (clamped to
  [0, 12], the library's interval) finish. Over p in [2, 20] the weights agree with the
  library's to 1e-9 relative (tests/test_xlsx_profile.py);
- a scenario with an ``hourly_profile``: the 24 weights as given are inputs on *Assumptions*
  (``w_profile_00`` …) and the weights here are them over their mean (the library's
  ``normalize_profile``); the peak factor is their maximum.

``s(h) = (1 + cos(2π (h − 14) / 24)) / 2`` is the library's daily shape (``llmcost.cost.load``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..cost.load import profile_from_peak_to_average
from ._xlsx_book import GENERAL, Book, Formula, write_value
from .safety import write_text_cell

__all__ = ["HOURS", "PROFILE_SHEET", "ProfileWriter", "is_synthetic"]

PROFILE_SHEET = "Load profile"
HOURS = [f"{h:02d}" for h in range(24)]
#: The bracketing table: x = ln k from 0 to 12 in steps of 0.25.
X_STEP = 0.25
X_ROWS = 49
NEWTON_STEPS = 4
#: ln s(h) below this is taken as it (ln 0 = −∞ at 02:00): s^k is then 0 for every k ≥ 1.
LN_FLOOR = -1000
_FIRST = 2  # first hour row
_LAST = _FIRST + 23


def is_synthetic(hourly_weights: Any, peak_to_average: float) -> bool:
    """Whether the day's weights are those of ``peak_to_average`` (else a given profile)."""
    if not 1.0 <= peak_to_average <= 24.0:
        return False
    ref = profile_from_peak_to_average(peak_to_average)
    return bool(np.allclose(hourly_weights, ref, rtol=1e-12, atol=1e-12))


@dataclass
class ProfileWriter:
    """Writes the Load profile sheet.

    ``synthetic``: the weights follow ``w_peak_to_average`` (else they normalize the inputs
    ``w_profile_00`` …).
    """

    book: Book
    synthetic: bool

    def write(self) -> None:
        """The hour table, then (synthetic) the solver of k; defines the weight names."""
        headers = [
            "Hour", "Day shape s(h)", "ln s(h), ≥ -1000", "Weight for p ≤ 2", "s(h)^k", "Weight"
        ]
        widths = [8, 16, 14, 16, 16, 12, 34, 16, 16]
        ws = self.book.sheet(PROFILE_SHEET, [*headers, "", "", ""], widths)
        for k, h in enumerate(HOURS):
            r = _FIRST + k
            ws.cell(row=r, column=1).value = k
            if self.synthetic:
                self._synthetic_hour(ws, r)
            else:
                weight = f"=w_profile_{h}/AVERAGE(w_profile)"
                write_value(ws.cell(row=r, column=6), Formula(weight), "0.0000")
            self.book.define(f"w_hour_{h}", PROFILE_SHEET, f"$F${r}")
        self.book.define("w_hourly_weights", PROFILE_SHEET, f"$F${_FIRST}:$F${_LAST}")
        peak = ws.cell(row=_LAST + 2, column=5)
        write_text_cell(peak, "Peak hour over the average hour")
        write_value(ws.cell(row=_LAST + 2, column=6), Formula("=MAX(w_hourly_weights)"), "0.0000")
        self.book.define("w_peak_weight", PROFILE_SHEET, f"$F${_LAST + 2}")
        if self.synthetic:
            self._solver(ws)

    def _synthetic_hour(self, ws: Any, r: int) -> None:
        p = "w_peak_to_average"
        cells = (
            (2, f"=(1+COS(2*PI()*(A{r}-14)/24))/2", "0.000000"),
            (3, f"=IF(B{r}>0,MAX(LN(B{r}),{LN_FLOOR}),{LN_FLOOR})", "0.000000"),
            (4, f"=(2-{p})+2*({p}-1)*B{r}", "0.0000"),
            # s^k as EXP(k ln s), 0 where it underflows (a spreadsheet's POWER errs there)
            (5, f"=IF(B{r}=0,0,IF(EXP(lp_x)*C{r}<-708,0,EXP(EXP(lp_x)*C{r})))", "0.000000"),
            (6, f"=IF({p}<=2,D{r},E{r}/AVERAGE($E${_FIRST}:$E${_LAST}))", "0.0000"),
        )
        for col, text, fmt in cells:
            write_value(ws.cell(row=r, column=col), Formula(text), fmt)

    def _solver(self, ws: Any) -> None:
        """X = ln k with mean(s^k) = 1 / max(p, 2): bracket in a table, then Newton steps."""
        logs = f"$C${_FIRST}:$C${_LAST}"

        def power(x: str) -> str:
            """Return s(h)^e^x for the 24 hours, an exponent below -700 taken as -700.

            No underflow: a spreadsheet errs on it; e^-700 ≈ 1e-304 adds nothing to a mean
            near 1/24.
            """
            kc = f"EXP({x})*{logs}"
            return f"EXP(({kc}-700+ABS({kc}+700))/2)"

        def g(x: str) -> str:
            return f"SUMPRODUCT({power(x)})/24"

        def line(r: int, label: str, formula: str, name: str | None = None) -> None:
            write_text_cell(ws.cell(row=r, column=7), label)
            write_value(ws.cell(row=r, column=8), Formula(formula), "0.000000000")
            if name:
                self.book.define(name, PROFILE_SHEET, f"$H${r}")

        write_text_cell(ws.cell(row=1, column=7), "Solving mean(s^k) = 1/p for x = ln k")
        line(2, "Target mean 1 / max(p, 2)", "=1/MAX(w_peak_to_average,2)", "lp_target")
        top = 4 + NEWTON_STEPS * 2 + 3
        xs, gs = f"$H${top + 1}:$H${top + X_ROWS}", f"$I${top + 1}:$I${top + X_ROWS}"
        bracket = (
            f"=IF(lp_target>=INDEX({gs},1),1,IF(lp_target<=INDEX({gs},{X_ROWS}),{X_ROWS - 1},"
            f"MATCH(-lp_target,$J${top + 1}:$J${top + X_ROWS},1)))"
        )
        line(3, "Bracket: table row i with g(x_i) ≥ target > g(x_i+1)", bracket, "lp_i")
        start = (
            f"=MIN(MAX(INDEX({xs},lp_i)+(INDEX({gs},lp_i)-lp_target)"
            f"/(INDEX({gs},lp_i)-INDEX({gs},lp_i+1))*{X_STEP},0),12)"
        )
        line(4, "x0: linear interpolation in the table", start, "lp_x0")
        prev = "lp_x0"
        for n in range(1, NEWTON_STEPS + 1):
            r = 4 + 2 * n - 1
            slope = f"SUMPRODUCT({power(prev)},{logs})*EXP({prev})/24"
            line(r, f"g'(x{n - 1})", f"={slope}", f"lp_d{n}")
            step = f"=IF(lp_d{n}<0,MIN(MAX({prev}-({g(prev)}-lp_target)/lp_d{n},0),12),{prev})"
            line(r + 1, f"x{n}: Newton step", step, f"lp_x{n}")
            prev = f"lp_x{n}"
        line(4 + 2 * NEWTON_STEPS + 1, "x = ln k (k = e^x beside it)", f"={prev}", "lp_x")
        write_value(ws.cell(row=4 + 2 * NEWTON_STEPS + 1, column=9), Formula("=EXP(lp_x)"), GENERAL)
        for col, text in ((8, "x"), (9, "g(x) = mean(s^e^x)"), (10, "−g(x)")):
            write_text_cell(ws.cell(row=top, column=col), text)
        for k in range(X_ROWS):
            r = top + 1 + k
            ws.cell(row=r, column=8).value = k * X_STEP
            write_value(ws.cell(row=r, column=9), Formula(f"={g(f'H{r}')}"), "0.000000000")
            write_value(ws.cell(row=r, column=10), Formula(f"=-I{r}"), "0.000000000")
