"""Working-day arithmetic in a plan's calendar: weekends, the region's bank holidays, closures.

pendulum has no business-day arithmetic, so this keeps a sorted table of working days per
calendar and answers "N working days after" and "how many working days between" by index, in
O(1) after the table is built. The table grows a year at a time when a date falls outside it.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache

import pendulum

from programme.rules.model import REGIONS, Calendar

_SPAN_YEARS = 3  # years on each side of the first date asked about
_YEARS = (1800, 2400)  # the years a calendar answers for: plans' dates (1900-2199) with room

HolidaySource = Callable[[str, int, int], Mapping[date, str]]


@lru_cache(maxsize=64)
def package_holidays(subdiv: str, first: int, last: int) -> dict[date, str]:
    """{day: name} of the GB subdivision's bank holidays in the years first..last, from the
    `holidays` package (imported here, on first use: it costs ~0.12 s)."""
    import holidays

    found = holidays.country_holidays("GB", subdiv=subdiv, years=range(first, last + 1))
    return {day: found.get(day) for day in sorted(found)}


_source: HolidaySource = package_holidays


def use_holiday_source(source: HolidaySource) -> None:
    """Where calendars built from now on take their bank holidays (the CLI installs a cache on
    disk, programme.bankholidays): the rules themselves do no I/O."""
    global _source
    _source = source
    working_calendar.cache_clear()


class WorkingCalendar:
    def __init__(self, calendar: Calendar):
        self.calendar = calendar
        self._subdiv = REGIONS[calendar.region]
        self._holidays: Mapping[date, str] = {}  # the region's bank holidays in the table's years
        self._first: date | None = None
        self._last: date | None = None
        self._days: list[date] = []
        self._index: dict[date, int] = {}
        self._rank: dict[date, int] = {}  # every day in the table -> working days up to and on it

    # -- table -------------------------------------------------------------------------------
    def _ensure(self, day: date) -> None:
        if self._first is not None and self._last is not None and self._first <= day <= self._last:
            return
        if not _YEARS[0] <= day.year <= _YEARS[1]:
            from programme.rules.dates import DateError

            raise DateError(f"{day} is beyond the years a plan's calendar covers "
                            f"({_YEARS[0]}-{_YEARS[1]})")
        first = date(day.year - _SPAN_YEARS, 1, 1)
        last = date(day.year + _SPAN_YEARS, 12, 31)
        if self._first is not None and self._last is not None:
            first, last = min(first, self._first), max(last, self._last)
        self._holidays = _source(self._subdiv, first.year, last.year)
        days, d, one = [], first, timedelta(days=1)
        while d <= last:
            if self._is_working(d):
                days.append(d)
            d += one
        self._first, self._last, self._days = first, last, days
        self._index = {d: i for i, d in enumerate(days)}
        rank, count, d = {}, 0, first
        while d <= last:
            if d in self._index:
                count += 1
            rank[d] = count
            d += one
        self._rank = rank

    def _is_working(self, day: date) -> bool:
        return (
            day.weekday() not in self.calendar.weekends
            and day not in self._holidays
            and day not in self.calendar.closures
        )

    # -- questions -----------------------------------------------------------------------------
    def is_working_day(self, day: date) -> bool:
        self._ensure(day)
        return day in self._index

    def holiday_name(self, day: date) -> str | None:
        self._ensure(day)
        if day in self.calendar.closures:
            return "closure"
        return self._holidays.get(day)

    def add(self, day: date, n: int) -> date:
        """The n-th working day after `day` (before it when n < 0); n = 0 rolls to a working day."""
        reach = timedelta(days=int(abs(n) * 1.6) + 30)
        self._ensure(day + reach if n >= 0 else day - reach)
        self._ensure(day)
        pos = bisect.bisect_left(self._days, day)
        on_working_day = pos < len(self._days) and self._days[pos] == day
        if n > 0:
            target = pos + n if on_working_day else pos + n - 1
        else:
            target = pos + n  # pos is the first working day on or after `day`
        return self._days[target]

    def between(self, start: date, end: date) -> int:
        """Working days in (start, end]; negative, -(working days in [end, start)), going back.

        So that between(d, add(d, n)) == n for every d and n.
        """
        rank = self._rank
        if end >= start and start in rank and end in rank:  # both in the table: two lookups
            return rank[end] - rank[start]
        self._ensure(start)
        self._ensure(end)
        if end >= start:
            return bisect.bisect_right(self._days, end) - bisect.bisect_right(self._days, start)
        return bisect.bisect_left(self._days, end) - bisect.bisect_left(self._days, start)

    def next_working_day(self, day: date) -> date:
        """`day` itself when it is a working day, else the next one."""
        return self.add(day, 0)


@lru_cache(maxsize=64)
def working_calendar(calendar: Calendar) -> WorkingCalendar:
    return WorkingCalendar(calendar)


def plan_today(now: datetime, timezone: str) -> date:
    """The calendar date in the plan's timezone at the instant `now` (aware)."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now.astimezone(_zone(timezone)).date()


def local_time(now: datetime, timezone: str) -> pendulum.DateTime:
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return pendulum.instance(now.astimezone(_zone(timezone)))


@lru_cache(maxsize=256)
def _zone(name: str):
    """pendulum builds a timezone afresh on every lookup (~0.7 ms): keep each one."""
    return pendulum.timezone(name)


def plain_utc(moment: datetime) -> datetime:
    """A standard-library UTC datetime: pendulum's DateTime drops a stdlib tzinfo on arithmetic
    (`- timedelta` gives a naive value), so moments that are stored or compared are made plain."""
    if moment.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    u = moment.astimezone(UTC)
    return datetime(u.year, u.month, u.day, u.hour, u.minute, u.second, u.microsecond, tzinfo=UTC)


def valid_timezone(name: str) -> bool:
    try:
        pendulum.timezone(name)
    except Exception:  # pendulum raises its own InvalidTimezone and ValueError variants
        return False
    return "/" in name or name == "UTC"
