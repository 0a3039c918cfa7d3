"""The facts a chase message states, as tables: when, in working-day words; why this person is told."""

from __future__ import annotations

from datetime import date

import pendulum
import pytest
from factory import chase_items, make_plan, ms

from programme.rules.messages import when_words
from programme.rules.model import Calendar, CurrentStatus, Status
from programme.rules.workdays import working_calendar

CAL = working_calendar(Calendar())


@pytest.mark.parametrize("day, today, words", [
    (date(2026, 8, 14), date(2026, 8, 11), "due Friday 14 August, in 3 working days"),
    (date(2026, 8, 14), date(2026, 8, 13), "due Friday 14 August, in 1 working day"),
    (date(2026, 8, 14), date(2026, 8, 14), "due Friday 14 August, today"),
    (date(2026, 8, 14), date(2026, 8, 19), "due Friday 14 August, 3 working days overdue"),
    (date(2026, 8, 28), date(2026, 9, 1), "due Friday 28 August, 1 working day overdue"),  # 31st: holiday
    (date(2027, 1, 4), date(2026, 12, 24), "due Monday 4 January 2027, in 4 working days"),  # 29-31 Dec
])
def test_when_is_said_in_words_with_working_days(day, today, words):
    assert when_words(CAL, day, today) == words


@pytest.mark.parametrize("day, statuses, recipient, why", [
    (date(2026, 8, 19), {}, "bo", "you are told as their manager"),
    (date(2026, 8, 28), {}, "sue", "you are told as the sponsor"),
    (date(2026, 8, 12), {"report": CurrentStatus(Status.BLOCKED, reason="no data <yet>")}, "lee",
     "you are told as the plan's lead"),
])
def test_message_says_why_this_person_is_told(day, statuses, recipient, why):
    plan = make_plan(ms("report", date(2026, 8, 14)))
    now = pendulum.datetime(day.year, day.month, day.day, 10, tz="Europe/London")
    items = [i for i in chase_items(plan, now, statuses) if i["key"].endswith(f"/{recipient}")]
    assert items and why in items[0]["why"]
