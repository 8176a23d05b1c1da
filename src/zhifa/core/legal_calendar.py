"""The legal working-day calendar (legal-reference §9; 行政处罚法 Art. 85).

Day status comes from, in order: an administrator's ``CalendarDay`` override; the ``chinesecalendar``
package for years it covers; otherwise weekends only — and then the result is marked **unconfirmed**, never
silently presented as final. A year counts as confirmed when the package covers it or an administrator has
marked its ``CalendarYear`` confirmed (after entering the State Council's arrangement).
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

import chinese_calendar

from .models import CalendarDay, CalendarYear


def _package_years() -> range:
    years = sorted({d.year for d in chinese_calendar.holidays} | {d.year for d in chinese_calendar.workdays})
    return range(years[0], years[-1] + 1)


PACKAGE_YEARS = _package_years()


@dataclass(frozen=True)
class Deadline:
    """A computed date and whether every year it relied on has a confirmed calendar."""

    date: date
    confirmed: bool
    unconfirmed_years: tuple[int, ...] = field(default=())
    rule: str = ""

    def __str__(self):
        return self.date.isoformat() + ("" if self.confirmed else "（日历未确认）")

    @property
    def label(self) -> str:
        return f"{self.date:%Y-%m-%d}" + ("" if self.confirmed else "（节假日安排未确认，按周末推算）")


@lru_cache(maxsize=8192)
def _package_workday(day: date) -> bool:
    # The package's tables never change within a process; its lookup validates the date against the whole table
    # on every call, which was a fifth of the CPU of a case list (25 cases × their clocks).
    return chinese_calendar.is_workday(day)


class Calendar:
    """A calendar snapshot: overrides and year statuses loaded once, so long computations hit the DB once."""

    def __init__(self):
        self.overrides = dict(CalendarDay.objects.values_list("date", "is_working_day"))
        self.year_status = dict(CalendarYear.objects.values_list("year", "confirmed"))

    def year_confirmed(self, year: int) -> bool:
        if year in self.year_status:
            return self.year_status[year]
        return year in PACKAGE_YEARS

    def is_working_day(self, day: date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        if day.year in PACKAGE_YEARS:
            return _package_workday(day)
        return day.weekday() < 5

    def add_working_days(self, start: date, n: int) -> Deadline:
        """The n-th working day after ``start`` (start itself not counted; 行政处罚法 Art. 85)."""
        if n < 0:
            raise ValueError("n must be non-negative")
        day, counted, years = start, 0, {start.year}
        while counted < n:
            day += timedelta(days=1)
            years.add(day.year)
            if self.is_working_day(day):
                counted += 1
        return self._deadline(day, years, f"{start} 起 {n} 个工作日")

    def add_days(self, start: date, n: int) -> Deadline:
        """n calendar days after ``start``; a period ending on a rest day ends on the next working day
        (民事诉讼法 on periods, applied to administrative periods)."""
        day = start + timedelta(days=n)
        years = {start.year, day.year}
        while not self.is_working_day(day):
            day += timedelta(days=1)
            years.add(day.year)
        return self._deadline(day, years, f"{start} 起 {n} 日")

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in (start, end]."""
        count, day = 0, start
        while day < end:
            day += timedelta(days=1)
            count += self.is_working_day(day)
        return count

    def _deadline(self, day: date, years: set[int], rule: str) -> Deadline:
        unconfirmed = tuple(sorted(y for y in years if not self.year_confirmed(y)))
        return Deadline(day, not unconfirmed, unconfirmed, rule)


def calendar() -> Calendar:
    return Calendar()


def add_working_days(start: date, n: int) -> Deadline:
    return Calendar().add_working_days(start, n)


def add_days(start: date, n: int) -> Deadline:
    return Calendar().add_days(start, n)


def is_working_day(day: date) -> bool:
    return Calendar().is_working_day(day)


@lru_cache(maxsize=512)
def package_holiday_name(day: date) -> str:
    """The package's Chinese name of the festival a day belongs to (for display), or ''."""
    if day.year not in PACKAGE_YEARS:
        return ""
    _, name = chinese_calendar.get_holiday_detail(day)
    return chinese_calendar.Holiday(name).chinese if name else ""


def year_status(year: int) -> dict:
    cal = Calendar()
    return {
        "year": year,
        "confirmed": cal.year_confirmed(year),
        "in_package": year in PACKAGE_YEARS,
        "overrides": sum(1 for d in cal.overrides if d.year == year),
        "package_years": f"{PACKAGE_YEARS.start}–{PACKAGE_YEARS.stop - 1}",
    }
