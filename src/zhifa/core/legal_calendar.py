"""The legal working-day calendar (legal-reference §9; 行政处罚法 Art. 85).

Day status comes from, in order: an administrator's ``CalendarDay`` override; the ``chinesecalendar``
package for years it covers; otherwise the statutory holidays that 《全国年节及纪念日放假办法》 (2024 revision,
in force 2025-01-01) fixes in advance (``statutory_holidays``: 元旦, 春节 4 days, 清明, 劳动节 2 days, 端午, 中秋,
国庆 3 days; lunar dates from ``lunardate``, 清明 from the package's solar terms) plus weekends — and then the
result is marked **unconfirmed** (the 调休 are unknown), never silently presented as final. A year counts as
confirmed when the package covers it or an administrator has marked its ``CalendarYear`` confirmed (after
entering the State Council's arrangement; ADR 0003).
"""

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

import chinese_calendar
from lunardate import LunarDate

from .models import CalendarDay, CalendarYear
from .versions import Memo


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
        if self.confirmed:
            return f"{self.date:%Y-%m-%d}"
        years = "、".join(str(y) for y in self.unconfirmed_years)
        return f"{self.date:%Y-%m-%d}（{years}年放假安排未确认，按法定节假日推算，调休未计）"


@lru_cache(maxsize=256)
def statutory_holidays(year: int) -> dict[date, str]:
    """The holidays of ``year`` fixed in advance by 《全国年节及纪念日放假办法》 (2024 revision, Art. 2): 元旦 1-1;
    春节 4 days (除夕 and 正月初一 to 初三); 清明 (the solar term's day); 劳动节 5-1 and 5-2; 端午 (五月初五); 中秋
    (八月十五); 国庆 10-1 to 10-3. Which weekends are swapped (调休) is only known from the State Council's notice."""
    days = {date(year, 1, 1): "元旦", date(year, 5, 1): "劳动节", date(year, 5, 2): "劳动节"}
    days.update({date(year, 10, i): "国庆节" for i in (1, 2, 3)})
    if not LUNAR_YEARS.start <= year < LUNAR_YEARS.stop:  # outside the lunar tables: the solar holidays only
        return days
    spring = LunarDate(year, 1, 1).to_solar_date()
    days.update({spring + timedelta(days=i): "春节" for i in range(-1, 3)})
    days.update({d: "清明节" for d, name in chinese_calendar.get_solar_terms(date(year, 4, 1), date(year, 4, 10)) if name == "清明"})
    days[LunarDate(year, 5, 5).to_solar_date()] = "端午节"
    days[LunarDate(year, 8, 15).to_solar_date()] = "中秋节"
    return days


# The years the lunardate tables (and the package's solar-term formula) cover.
LUNAR_YEARS = range(1901, 2100)


@lru_cache(maxsize=8192)
def _package_workday(day: date) -> bool:
    # The package's tables never change within a process; its lookup validates the date against the whole table
    # on every call, which was a fifth of the CPU of a case list (25 cases × their clocks).
    return chinese_calendar.is_workday(day)


DEADLINES_KEPT = 10_000


class Calendar:
    """A calendar snapshot: overrides and year statuses loaded once, so long computations hit the DB once."""

    def __init__(self):
        self.overrides = dict(CalendarDay.objects.values_list("date", "is_working_day"))
        self.year_status = dict(CalendarYear.objects.values_list("year", "confirmed"))
        # Deadlines computed on this snapshot, by (kind, start, n): the process keeps one snapshot for all its
        # requests (:func:`calendar`), and a list's 25 cases ask for the same few periods from the same days
        # again and again (a tenth of the CPU of the case list walked the days each time). Nothing changes a
        # snapshot. At most DEADLINES_KEPT of them (emptied when full): any signed-in user can ask for
        # arbitrary periods.
        self._deadlines: dict[tuple[str, date, int], Deadline] = {}

    def year_confirmed(self, year: int) -> bool:
        if year in self.year_status:
            return self.year_status[year]
        return year in PACKAGE_YEARS

    def is_working_day(self, day: date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        if day.year in PACKAGE_YEARS:
            return _package_workday(day)
        # A year without an official arrangement: the statutory holidays are rest days, the 调休 unknown.
        return day.weekday() < 5 and day not in statutory_holidays(day.year)

    def add_working_days(self, start: date, n: int) -> Deadline:
        """The n-th working day after ``start`` (start itself not counted; 行政处罚法 Art. 85)."""
        if n < 0:
            raise ValueError("n must be non-negative")
        key = ("working", start, n)
        if key not in self._deadlines:
            self._keep(key, self._add_working_days(start, n))
        return self._deadlines[key]

    def _keep(self, key, deadline: Deadline) -> None:
        if len(self._deadlines) >= DEADLINES_KEPT:
            self._deadlines.clear()
        self._deadlines[key] = deadline

    def _add_working_days(self, start: date, n: int) -> Deadline:
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
        key = ("days", start, n)
        if key not in self._deadlines:
            self._keep(key, self._add_days(start, n))
        return self._deadlines[key]

    def _add_days(self, start: date, n: int) -> Deadline:
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


# A read-only stretch of work (the dashboard's cards) may share one snapshot: see :func:`shared`.
_shared: ContextVar[Calendar | None] = ContextVar("zhifa_shared_calendar", default=None)
# The process's snapshot, read again when the calendar's version token changes (an administrator's edit,
# however written: core.versions): every page with a clock read both tables on every request.
_kept = Memo("calendar", size=1)


def calendar() -> Calendar:
    """The calendar as the database holds it now (a snapshot nobody changes: shared by the process's
    requests)."""
    return _shared.get() or _kept.get(None, Calendar)


@contextmanager
def shared():
    """Within the block, :func:`calendar` (and :func:`year_status`) return one snapshot, read once. For reads only
    (the dashboard's cards each read the calendar: three snapshots, six queries, became one): a block that changes
    the calendar must not use it, as the snapshot would not see the change."""
    token = _shared.set(calendar())
    try:
        yield
    finally:
        _shared.reset(token)


# The module-level helpers read the calendar like :func:`calendar` does: a fresh snapshot, or the shared one
# inside a :func:`shared` block.
def add_working_days(start: date, n: int) -> Deadline:
    return calendar().add_working_days(start, n)


def add_days(start: date, n: int) -> Deadline:
    return calendar().add_days(start, n)


def is_working_day(day: date) -> bool:
    return calendar().is_working_day(day)


@lru_cache(maxsize=512)
def package_holiday_name(day: date) -> str:
    """The package's Chinese name of the festival a day belongs to (for display), or ''."""
    if day.year not in PACKAGE_YEARS:
        return statutory_holidays(day.year).get(day, "")
    _, name = chinese_calendar.get_holiday_detail(day)
    return chinese_calendar.Holiday(name).chinese if name else ""


def year_status(year: int) -> dict:
    cal = calendar()
    return {
        "year": year,
        "confirmed": cal.year_confirmed(year),
        "in_package": year in PACKAGE_YEARS,
        "overrides": sum(1 for d in cal.overrides if d.year == year),
        "package_years": f"{PACKAGE_YEARS.start}–{PACKAGE_YEARS.stop - 1}",
        # The statutory holidays counted while the year has no official arrangement (shown with the year).
        "statutory": [] if year in PACKAGE_YEARS or year < 2025 or year not in LUNAR_YEARS else
        [f"{name} {day:%m-%d}" for day, name in sorted(statutory_holidays(year).items())],
    }
