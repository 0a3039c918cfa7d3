"""A whole 100-day plan, simulated day by day with an injected clock, in well under a second."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from programme.planfiles.loading import load_file
from programme.rules.assess import assess
from programme.rules.model import CurrentStatus, Rating, Status
from programme.rules.workdays import working_calendar

PLAN = load_file(Path(__file__).parents[2] / "plans" / "commissioning-academy-100-day.yaml").plan

# What the owners report, and when (plan-local dates). Everything else is done on its due date.
SCRIPT = {
    date(2026, 11, 3): [("data-sharing-agreement", Status.BLOCKED, {"reason": "awaiting IG sign-off"})],
    date(2026, 11, 12): [("data-sharing-agreement", Status.DONE, {})],
    date(2026, 11, 16): [("insights-trial-design", Status.DONE, {})],
    date(2026, 11, 20): [("insights-trial-live", Status.DONE, {}),
                         ("market-engagement-event", Status.IN_PROGRESS, {"forecast": date(2026, 12, 3)})],
    date(2026, 12, 1): [("pooled-budget-options", Status.IN_PROGRESS, {"forecast": date(2027, 1, 8)})],
    date(2026, 12, 3): [("market-engagement-event", Status.DONE, {})],
    date(2027, 1, 8): [("pooled-budget-options", Status.DONE, {})],
}
LATE = {mid for changes in SCRIPT.values() for mid, _, _ in changes}  # finished by the script


def simulate() -> dict[date, object]:
    """Assess the plan at 10:00 London every day from start to end, applying the script."""
    statuses: dict[str, CurrentStatus] = {}
    by_id = PLAN.by_id
    results = {}
    day = PLAN.start
    while day <= PLAN.end:
        for mid, status, extra in SCRIPT.get(day, []):
            statuses[mid] = CurrentStatus(status, forecast=extra.get("forecast"),
                                          reason=extra.get("reason"),
                                          done_on=day if status == Status.DONE else None)
        now = datetime(day.year, day.month, day.day, 10, tzinfo=UTC)
        results[day] = assess(PLAN, dict(statuses), now)
        # owners not in the script finish on their due date, at the end of that day
        for mid, m in by_id.items():
            if m.due == day and mid not in LATE:
                statuses[mid] = CurrentStatus(Status.DONE, done_on=day)
        day += timedelta(days=1)
    return results


RESULTS = simulate()


def view(day: date, mid: str):
    return RESULTS[day].milestones[mid]


def test_first_week_the_plan_is_green_and_the_scope_is_due_soon():
    a = RESULTS[date(2026, 10, 6)]
    assert a.rating == Rating.GREEN
    assert a.milestones["scope-agreed"].states == ("due soon", "not started")
    assert a.milestones["scope-agreed"].rating == Rating.AMBER  # due soon, not started: Amber on three points


def test_a_block_two_days_before_due_turns_the_milestone_red():
    v = view(date(2026, 11, 3), "data-sharing-agreement")
    assert v.states[0] == "blocked" and v.status.reason == "awaiting IG sign-off"
    assert v.rating == Rating.RED
    assert RESULTS[date(2026, 11, 3)].rating >= Rating.AMBER


def test_still_blocked_past_due_is_overdue_and_pushes_nothing_yet():
    v = view(date(2026, 11, 10), "data-sharing-agreement")
    assert v.states[:2] == ("blocked", "overdue")
    assert v.days_to_due == -3
    assert view(date(2026, 11, 10), "insights-trial-design").slip == 0


def test_a_late_dependency_makes_its_dependent_overdue_then_done_late():
    v = view(date(2026, 11, 13), "insights-trial-design")
    assert v.states[0] == "overdue" and v.rating == Rating.AMBER
    done = view(date(2026, 11, 17), "insights-trial-design")
    assert done.states == ("done",) and done.slip == 3


def test_an_owners_later_forecast_puts_the_milestone_at_risk():
    v = view(date(2026, 11, 23), "market-engagement-event")
    assert "at risk" in v.states
    assert v.forecast == date(2026, 12, 3) and v.slip == 5
    assert v.rating == Rating.AMBER


def test_a_dependency_forecast_past_the_due_date_slips_the_business_case():
    v = view(date(2026, 12, 2), "outline-business-case")
    assert v.states[0] == "slipped by dependency" and v.driver == "pooled-budget-options"
    assert v.forecast == date(2027, 1, 8) and v.slip == 1
    a = RESULTS[date(2026, 12, 2)]
    assert "outline-business-case" in a.critical_path


def test_christmas_and_the_plans_closure_days_do_not_count():
    cal = working_calendar(PLAN.calendar)
    assert cal.between(date(2026, 12, 24), date(2027, 1, 4)) == 1


def test_on_the_last_day_everything_is_done_and_the_plan_is_green():
    a = RESULTS[date(2027, 1, 13)]
    assert a.overall.done == a.overall.total == len(PLAN.milestones)
    assert a.rating == Rating.GREEN


@pytest.mark.parametrize("day", [date(2026, 10, 10), date(2026, 10, 25), date(2026, 12, 25)])
def test_weekends_and_holidays_keep_yesterdays_ratings(day):
    before = RESULTS[day - timedelta(days=1)]
    after = RESULTS[day]
    assert before.rating == after.rating
