"""The horizon on the calendar: months as pandas Periods, fiscal quarters and years, budgets.

A scenario's horizon starts at ``workload.horizon_start`` (``"YYYY-MM"``). Left out, it starts
the month after the comparison's ``as_of`` date (the scenario's, or the one passed to
:func:`~llmcost.scenario.compare`), and without any ``as_of`` the month after today.

Fiscal years start in ``fiscal_year_start_month`` (1–12; 1 = calendar years) and are named, as
pandas names them, by the calendar year they END in: with ``fiscal_year_start_month = 7``,
fiscal year 2027 runs July 2026 – June 2027 and its first quarter ``2027Q1`` is July –
September 2026. A quarter or year that the horizon covers only in part is summed over the
months it does cover; :func:`aggregate` lists such periods in ``attrs["partial_periods"]``
and :func:`period_total` refuses them.
"""

from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING, Any, Literal

from .._core.errors import InvalidInputError

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "BY",
    "aggregate",
    "default_horizon_start",
    "fiscal_freq",
    "horizon_periods",
    "parse_month",
    "parse_period",
    "period_total",
]

#: The ways a horizon can be summed: by month (as computed), fiscal quarter or fiscal year.
BY = ("month", "quarter", "year")
_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_MONTH_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def parse_month(value: Any) -> str:
    """A month as ``"YYYY-MM"`` from that text or a date (any day of the month).

    >>> parse_month("2027-01"), parse_month(date(2027, 3, 15))
    ('2027-01', '2027-03')
    """
    if isinstance(value, date):
        return f"{value.year:04d}-{value.month:02d}"
    if isinstance(value, str) and _MONTH_RE.match(value):
        return value
    raise ValueError(f"must be a month 'YYYY-MM' (e.g. '2027-01'); got {value!r}")


def default_horizon_start(as_of: date | None, *, today: date | None = None) -> str:
    """The month after ``as_of`` (else after ``today``, default the system date).

    >>> default_horizon_start(date(2026, 12, 7)), default_horizon_start(date(2027, 3, 1))
    ('2027-01', '2027-04')
    """
    day = as_of or today or date.today()
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return f"{year:04d}-{month:02d}"


def horizon_periods(start: str, months: int) -> pd.PeriodIndex:
    """The months of a horizon as a monthly :class:`pandas.PeriodIndex` named ``period``."""
    import pandas as pd

    return pd.period_range(parse_month(start), periods=int(months), freq="M", name="period")


def fiscal_freq(by: str, fiscal_year_start_month: int = 1) -> str:
    """The pandas period frequency of ``by`` for fiscal years starting in that month.

    >>> fiscal_freq("quarter", 1), fiscal_freq("year", 7), fiscal_freq("month")
    ('Q-DEC', 'Y-JUN', 'M')
    """
    if by not in BY:
        raise InvalidInputError(f"by must be one of {', '.join(BY)}; got {by!r}")
    if isinstance(fiscal_year_start_month, bool) or fiscal_year_start_month not in range(1, 13):
        raise InvalidInputError(
            f"fiscal_year_start_month must be an integer 1–12; got {fiscal_year_start_month!r}"
        )
    if by == "month":
        return "M"
    end = _MONTHS[(fiscal_year_start_month - 2) % 12]  # the fiscal year ends the month before
    return f"{'Q' if by == 'quarter' else 'Y'}-{end}"


def aggregate(
    monthly: pd.DataFrame,
    by: Literal["month", "quarter", "year"] | str = "month",
    fiscal_year_start_month: int = 1,
) -> pd.DataFrame:
    """Sum a frame indexed by monthly periods into fiscal quarters or years [same unit].

    The result is indexed by the periods (named ``period``); ``attrs["partial_periods"]``
    lists, as text, the periods the horizon covers only in part; other attrs are kept.
    """
    freq = fiscal_freq(by, fiscal_year_start_month)
    if freq == "M":
        return monthly.copy()
    import pandas as pd

    index = monthly.index
    if not isinstance(index, pd.PeriodIndex):
        raise InvalidInputError(f"the frame must be indexed by monthly periods; got {type(index)}")
    groups = index.asfreq(freq)
    out = monthly.groupby(groups, sort=True).sum()
    out.index.name = "period"
    counts = groups.value_counts()
    out.attrs = dict(monthly.attrs) | {
        "by": by,
        "fiscal_year_start_month": fiscal_year_start_month,
        "partial_periods": [str(p) for p in out.index if counts[p] < _months_in(by)],
    }
    return out


def _months_in(by: str) -> int:
    return {"month": 1, "quarter": 3, "year": 12}[by]


def parse_period(value: Any, fiscal_year_start_month: int = 1) -> pd.Period:
    """A month, fiscal quarter or fiscal year from a :class:`pandas.Period` or text.

    Text: ``"2027-03"`` (a month), ``"2027Q1"`` (a fiscal quarter), ``"2027"`` or ``"FY2027"``
    (a fiscal year). A Period of another frequency is read as given.

    >>> str(parse_period("2027Q1", 7).start_time.date()), str(parse_period("FY2027", 7))
    ('2026-07-01', '2027')
    """
    import pandas as pd

    if isinstance(value, pd.Period):
        return value
    text = str(value).strip().upper().removeprefix("FY")
    if _MONTH_RE.match(text):
        return pd.Period(text, freq="M")
    if re.fullmatch(r"\d{4}Q[1-4]", text):
        return pd.Period(text, freq=fiscal_freq("quarter", fiscal_year_start_month))
    if re.fullmatch(r"\d{4}", text):
        return pd.Period(text, freq=fiscal_freq("year", fiscal_year_start_month))
    raise InvalidInputError(
        f"period must be a month 'YYYY-MM', a quarter 'YYYYQn' or a year 'YYYY' / 'FYYYYY'; "
        f"got {value!r}"
    )


def period_total(monthly: pd.Series, period: pd.Period) -> float:
    """The sum [same unit] of the monthly values that fall in ``period``.

    Raises :class:`InvalidInputError` naming the horizon when ``period`` is not wholly in it.
    """
    import pandas as pd

    months = monthly.index
    if not isinstance(months, pd.PeriodIndex):
        raise InvalidInputError(
            f"the series must be indexed by monthly periods; got {type(months)}"
        )
    inside = (months.start_time >= period.start_time) & (months.end_time <= period.end_time)
    wanted = len(pd.period_range(period.start_time, period.end_time, freq="M"))
    if int(inside.sum()) != wanted:
        raise InvalidInputError(
            f"period {period} is not wholly within the horizon {months[0]} – {months[-1]} "
            f"({int(inside.sum())} of its {wanted} months are); give a period inside it or "
            "change workload.horizon_start / horizon_months"
        )
    return float(monthly[inside].sum())
