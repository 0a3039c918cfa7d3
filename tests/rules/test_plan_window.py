"""The plan window: a 100-day plan closes 100 days after its start unless it writes an end; other
plans close on their written end or stay open; both ends are inside."""

from __future__ import annotations

from datetime import date

import pytest

from programme.rules.plan_window import PlanWindow

START = date(2026, 9, 1)


@pytest.mark.parametrize(("kind", "end", "closes"), [
    ("100-day plan", None, date(2026, 12, 10)),
    ("100-day plan", date(2026, 11, 30), date(2026, 11, 30)),
    ("programme", None, None),
    ("programme", date(2027, 3, 31), date(2027, 3, 31)),
    ("service phases", None, None),
])
def test_a_100_day_plan_closes_100_days_after_its_start_unless_it_writes_an_end(kind, end, closes):
    assert PlanWindow.of(kind, START, end).end == closes


@pytest.mark.parametrize(("end", "day", "inside"), [
    (date(2026, 12, 10), date(2026, 9, 1), True),
    (date(2026, 12, 10), date(2026, 12, 10), True),
    (date(2026, 12, 10), date(2026, 8, 31), False),
    (date(2026, 12, 10), date(2026, 12, 11), False),
    (None, date(2030, 1, 1), True),
    (None, date(2026, 8, 31), False),
])
def test_a_due_date_is_inside_the_window_from_its_start_to_its_end(end, day, inside):
    assert PlanWindow(START, end).holds(day) is inside


@pytest.mark.parametrize(("end", "backwards", "words"), [
    (date(2026, 12, 10), False, "2026-09-01 to 2026-12-10"),
    (None, False, "from 2026-09-01"),
    (date(2026, 8, 31), True, "2026-09-01 to 2026-08-31"),
    (START, False, "2026-09-01 to 2026-09-01"),
])
def test_a_window_says_its_days_and_whether_it_ends_before_it_starts(end, backwards, words):
    window = PlanWindow(START, end)
    assert (window.ends_before_it_starts, str(window)) == (backwards, words)
