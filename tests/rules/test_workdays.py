"""Working-day arithmetic: weekends, each UK region's bank holidays, closures, clock changes."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from programme.rules.model import REGIONS, Calendar
from programme.rules.workdays import plan_today, working_calendar

ENG = working_calendar(Calendar("england-and-wales"))


@pytest.mark.parametrize(("region", "start", "n", "expected", "why"), [
    ("england-and-wales", date(2026, 12, 24), 1, date(2026, 12, 29), "Christmas and Boxing Day (observed)"),
    ("england-and-wales", date(2026, 12, 31), 1, date(2027, 1, 4), "New Year's Day, then the weekend"),
    ("scotland", date(2026, 12, 31), 1, date(2027, 1, 5), "Scotland also has 2 January (observed)"),
    ("northern-ireland", date(2027, 3, 16), 1, date(2027, 3, 18), "St Patrick's Day in Northern Ireland"),
    ("england-and-wales", date(2027, 3, 16), 1, date(2027, 3, 17), "not a holiday in England"),
    ("scotland", date(2026, 8, 1), 1, date(2026, 8, 4), "first Monday of August in Scotland"),
    ("england-and-wales", date(2026, 8, 28), 1, date(2026, 9, 1), "late August bank holiday"),
    ("england-and-wales", date(2026, 11, 27), 5, date(2026, 12, 4), "a plain working week"),
    ("england-and-wales", date(2026, 11, 28), 1, date(2026, 11, 30), "from a Saturday"),
    ("england-and-wales", date(2026, 11, 30), -1, date(2026, 11, 27), "back over a weekend"),
    ("england-and-wales", date(2026, 11, 28), 0, date(2026, 11, 30), "zero rolls to a working day"),
])
def test_adding_working_days_skips_weekends_and_the_regions_bank_holidays(region, start, n, expected, why):
    assert working_calendar(Calendar(region)).add(start, n) == expected, why


def test_closure_days_are_not_working_days():
    cal = working_calendar(Calendar(closures=frozenset({date(2026, 12, 29), date(2026, 12, 30)})))
    assert cal.add(date(2026, 12, 24), 1) == date(2026, 12, 31)
    assert cal.holiday_name(date(2026, 12, 29)) == "closure"


def test_a_four_day_week_plan_treats_friday_as_a_weekend():
    cal = working_calendar(Calendar(weekends=frozenset({4, 5, 6})))
    assert cal.add(date(2026, 11, 26), 1) == date(2026, 11, 30)


def test_counting_working_days_between_dates():
    assert ENG.between(date(2026, 11, 27), date(2026, 12, 4)) == 5
    assert ENG.between(date(2026, 12, 4), date(2026, 11, 27)) == -5
    assert ENG.between(date(2026, 12, 24), date(2026, 12, 29)) == 1


calendars = st.sampled_from([working_calendar(Calendar(r)) for r in REGIONS] + [
    working_calendar(Calendar(closures=frozenset({date(2027, 4, 6), date(2026, 12, 29)}))),
])
days = st.dates(min_value=date(2020, 1, 1), max_value=date(2032, 12, 31))


@given(cal=calendars, day=days, n=st.integers(min_value=-400, max_value=400))
def test_adding_n_working_days_then_counting_back_gives_n(cal, day, n):
    assume(n != 0 or cal.is_working_day(day))  # +0 from a holiday rolls forward by design
    assert cal.between(day, cal.add(day, n)) == n


@given(cal=calendars, day=days, n=st.integers(min_value=-400, max_value=400))
def test_adding_working_days_never_lands_on_a_weekend_or_holiday(cal, day, n):
    result = cal.add(day, n)
    assert result.weekday() < 5
    assert cal.holiday_name(result) is None
    assert cal.is_working_day(result)


@given(cal=calendars, day=days, n=st.integers(min_value=2, max_value=400))
def test_more_working_days_land_later(cal, day, n):
    assert cal.add(day, n) > cal.add(day, n - 1) >= day


instants = st.datetimes(min_value=datetime(2026, 3, 28), max_value=datetime(2026, 11, 2),
                        timezones=st.just(UTC))


@given(now=instants, tz=st.sampled_from(["Europe/London", "America/New_York", "Australia/Sydney"]))
def test_the_plan_day_follows_the_plan_timezone_across_clock_changes(now, tz):
    assert plan_today(now, tz) == now.astimezone(ZoneInfo(tz)).date()


@pytest.mark.parametrize(("instant", "expected"), [
    (datetime(2026, 3, 28, 23, 30, tzinfo=UTC), date(2026, 3, 28)),  # GMT still
    (datetime(2026, 3, 29, 23, 30, tzinfo=UTC), date(2026, 3, 30)),  # BST: 00:30 next day
    (datetime(2026, 10, 24, 23, 30, tzinfo=UTC), date(2026, 10, 25)),  # BST
    (datetime(2026, 10, 25, 23, 30, tzinfo=UTC), date(2026, 10, 25)),  # GMT again
])
def test_london_midnight_moves_with_the_clocks(instant, expected):
    assert plan_today(instant, "Europe/London") == expected


def test_naive_now_is_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        plan_today(datetime(2026, 1, 1), "Europe/London")


def test_far_future_dates_extend_the_table():
    cal = working_calendar(Calendar("scotland"))
    far = cal.add(date(2026, 1, 6), 2500)
    assert far > date(2035, 1, 1)
    assert cal.between(date(2026, 1, 6), far) == 2500
    assert cal.add(far, -2500) == date(2026, 1, 6)
