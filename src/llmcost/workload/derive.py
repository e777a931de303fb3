"""From streaming totals to the figures of an imported workload (all pure functions).

Conventions: the observed span is counted in whole UTC days, from the first row's day to the
last row's day; a month of the scenario is 730 hours (``HOURS_PER_MONTH``), so
``requests_per_month = requests / span_hours × 730``. Calendar months are reported as they
are; a month is *full* when the span covers it from its first to its last day, and only full
months enter the growth fit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._core.units import HOURS_PER_MONTH
from ._accumulate import SUMS

__all__ = ["DailyShape", "Span", "daily_shape", "monthly_table", "span_of"]

_NS_PER_DAY = 86_400 * 10**9


@dataclass(frozen=True)
class Span:
    """The whole UTC days the rows cover."""

    first_day: pd.Timestamp
    last_day: pd.Timestamp

    @property
    def days(self) -> int:
        """Days from the first to the last, both included."""
        return int((self.last_day - self.first_day).days) + 1

    @property
    def hours(self) -> float:
        """The span [h]."""
        return 24.0 * self.days

    def per_month(self, total: float) -> float:
        """``total`` over the span as a rate per 730-hour month."""
        return float(total) / self.hours * HOURS_PER_MONTH


def span_of(first_ns: int, last_ns: int) -> Span:
    """The whole days from the day of ``first_ns`` to the day of ``last_ns`` [ns UTC]."""
    day = pd.Timestamp(first_ns // _NS_PER_DAY * _NS_PER_DAY, tz="UTC")
    last = pd.Timestamp(last_ns // _NS_PER_DAY * _NS_PER_DAY, tz="UTC")
    return Span(day, last)


def monthly_table(hourly: pd.DataFrame, span: Span) -> pd.DataFrame:
    """Sums per calendar month (``month`` "YYYY-MM"), and whether the span covers it fully."""
    stamps = pd.to_datetime(hourly.index.to_numpy() * 3600, unit="s", utc=True)
    months = stamps.strftime("%Y-%m")
    table = hourly.groupby(months.to_numpy()).sum()[list(SUMS)]
    table.index.name = "month"
    table = table.reset_index()
    start = pd.to_datetime(table["month"] + "-01", utc=True)
    end = start + pd.offsets.MonthEnd(0)
    table["full_month"] = (start >= span.first_day) & (end <= span.last_day)
    return table


@dataclass(frozen=True)
class DailyShape:
    """When the requests come: hour-of-day and weekday weights (mean 1) and peaks."""

    hourly_profile: tuple[float, ...] | None  # 24 weights, mean 1 (None: daily buckets)
    weekday_profile: tuple[float, ...] | None  # Monday…Sunday, mean 1 (None: < 7 days)
    peak_to_average: float | None  # max of the hourly profile (what the scenario uses)
    peak_hour_to_average: float | None  # busiest clock hour / the span's mean hour


def daily_shape(hourly: pd.DataFrame, span: Span, *, hourly_resolved: bool) -> DailyShape:
    """Profiles of the request counts per clock hour ``hourly`` over ``span``.

    Hour-of-day weight h = requests in hour h of any day / their mean over the 24 hours;
    weekday weight d = requests on weekday d / the number of such days in the span, over the
    mean of the seven. The busiest clock hour counts the span's empty hours as zeros.
    """
    req = hourly["requests"].to_numpy(dtype=np.float64)
    hours = hourly.index.to_numpy()
    total = req.sum()
    if total <= 0:
        return DailyShape(None, None, None, None)
    weekday = None
    if span.days >= 7:
        # 1970-01-01 was a Thursday (weekday 3 with Monday = 0)
        day_of_week = (hours // 24 + 3) % 7
        per_day = np.bincount(day_of_week, weights=req, minlength=7)
        first = span.first_day.weekday()
        days_each = np.array(
            [sum(1 for k in range(span.days) if (first + k) % 7 == d) for d in range(7)]
        )
        w = per_day / days_each
        weekday = tuple(float(x) for x in w / w.mean())
    if not hourly_resolved:
        return DailyShape(None, weekday, None, None)
    by_hour = np.bincount(hours % 24, weights=req, minlength=24)
    profile = by_hour / by_hour.mean()
    peak_hour = float(req.max() / (total / span.hours))
    return DailyShape(tuple(float(x) for x in profile), weekday, float(profile.max()), peak_hour)
