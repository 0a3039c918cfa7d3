"""The chase policy as a table: one test per rule, each naming the rule it holds to.

The plan: owner Ana (manager Bo), lead Lee, sponsor Sue; milestone `m` due Friday 14 August
2026 (England and Wales; Monday 31 August is a bank holiday). Times are London wall clock.
"""

from __future__ import annotations

from datetime import date, datetime

import pendulum
import pytest
from factory import PEOPLE, make_plan, ms

from programme.rules.chase import due_notifications
from programme.rules.model import CurrentStatus, Person, ReminderPolicy, Status

DUE = date(2026, 8, 14)


def at(day: str, hhmm: str = "10:00") -> datetime:
    return pendulum.parse(f"{day}T{hhmm}", tz="Europe/London")


def steps(plan, now, statuses=None) -> set[tuple[str, str, str]]:
    """(milestone, step@anchor, recipient) due at `now`."""
    return {(n.milestone_id, n.ref, n.recipient)
            for n in due_notifications(plan, statuses or {}, now)}


def blocked_since(moment: datetime, reason: str = "waiting for legal") -> CurrentStatus:
    return CurrentStatus(Status.BLOCKED, since=moment, reason=reason)


PLAN = make_plan()


@pytest.mark.parametrize("now, expected", [
    (at("2026-08-06"), set()),
    (at("2026-08-07"), {("m", "reminder-5@2026-08-14", "ana")}),
    (at("2026-08-12"), {("m", "reminder-5@2026-08-14", "ana")}),  # still the latest step
])
def test_reminds_owner_five_working_days_before_due(now, expected):
    assert steps(PLAN, now) == expected


def test_reminds_owner_one_working_day_before_due():
    assert steps(PLAN, at("2026-08-13")) == {("m", "reminder-1@2026-08-14", "ana")}


def test_reminds_owner_on_the_due_day():
    assert steps(PLAN, at("2026-08-14")) == {("m", "due-day@2026-08-14", "ana")}


@pytest.mark.parametrize("day, step", [
    ("2026-08-17", "due-day"),  # 1 working day overdue: no chase yet
    ("2026-08-18", "chase-1"),
    ("2026-08-20", "chase-2"),
    ("2026-08-24", "chase-3"),
])
def test_chases_owner_every_two_working_days_once_overdue(day, step):
    owner_steps = {s for s in steps(PLAN, at(day)) if s[2] == "ana"}
    assert owner_steps == {("m", f"{step}@2026-08-14", "ana")}


def test_escalates_to_manager_after_three_working_days_overdue():
    assert ("m", "escalate-manager@2026-08-14", "bo") not in steps(PLAN, at("2026-08-18"))
    assert steps(PLAN, at("2026-08-19")) == {("m", "chase-1@2026-08-14", "ana"),
                                             ("m", "escalate-manager@2026-08-14", "bo")}


def test_escalates_to_the_lead_when_the_owner_has_no_manager():
    plan = make_plan(ms("m", DUE, owner="nomgr"))
    assert ("m", "escalate-manager@2026-08-14", "lee") in steps(plan, at("2026-08-19"))


def test_escalates_to_sponsor_after_ten_working_days_overdue():
    assert ("m", "escalate-sponsor@2026-08-14", "sue") not in steps(PLAN, at("2026-08-27"))
    assert steps(PLAN, at("2026-08-28")) == {("m", "chase-5@2026-08-14", "ana"),
                                             ("m", "escalate-manager@2026-08-14", "bo"),
                                             ("m", "escalate-sponsor@2026-08-14", "sue")}


def test_overdue_days_are_working_days_so_a_bank_holiday_does_not_count():
    plan = make_plan(ms("m", date(2026, 8, 21)))  # +10 working days skips Monday 31 August
    assert ("m", "escalate-sponsor@2026-08-21", "sue") not in steps(plan, at("2026-09-04"))
    assert ("m", "escalate-sponsor@2026-08-21", "sue") in steps(plan, at("2026-09-07"))


@pytest.mark.parametrize("day", ["2026-08-15", "2026-08-16", "2026-08-31"])
def test_nothing_is_sent_on_a_weekend_or_a_bank_holiday(day):
    assert steps(PLAN, at(day)) == set()


@pytest.mark.parametrize("hhmm, sent", [("08:59", False), ("09:00", True), ("16:59", True),
                                        ("17:00", False), ("23:30", False)])
def test_nothing_is_sent_outside_the_sending_window(hhmm, sent):
    assert bool(steps(PLAN, at("2026-08-14", hhmm))) is sent


def test_a_step_falling_in_quiet_hours_waits_for_the_next_window():
    assert steps(PLAN, at("2026-08-14", "18:00")) == set()
    [n] = due_notifications(PLAN, {}, at("2026-08-17", "09:00"))
    assert (n.step, n.scheduled) == ("due-day", DUE)


def test_window_is_in_plan_time_across_the_clock_change():
    plan = make_plan(ms("m", date(2026, 10, 30)))
    utc_0830 = lambda d: pendulum.datetime(*d, 8, 30, tz="UTC")  # noqa: E731
    assert steps(plan, utc_0830((2026, 10, 23))) == {("m", "reminder-5@2026-10-30", "ana")}  # 09:30 BST
    assert steps(plan, utc_0830((2026, 10, 26))) == set()  # 08:30 GMT: before the window


@pytest.mark.parametrize("status", [Status.DONE, Status.DROPPED])
def test_done_or_dropped_stops_everything(status):
    st = {"m": CurrentStatus(status, since=at("2026-08-10"))}
    for day in ("2026-08-13", "2026-08-14", "2026-08-19", "2026-08-28"):
        assert steps(PLAN, at(day), st) == set()


def test_blocked_goes_to_the_lead_at_once_then_every_two_working_days_while_blocked():
    st = {"m": blocked_since(at("2026-08-18", "11:00"))}
    assert steps(PLAN, at("2026-08-18", "11:05"), st) == {("m", "blocked-1@2026-08-18", "lee")}
    assert steps(PLAN, at("2026-08-19"), st) == {("m", "blocked-1@2026-08-18", "lee")}
    assert steps(PLAN, at("2026-08-20"), st) == {("m", "blocked-2@2026-08-18", "lee")}
    assert steps(PLAN, at("2026-08-24"), st) == {("m", "blocked-3@2026-08-18", "lee")}


def test_blocked_outside_the_window_reaches_the_lead_in_the_next_window():
    st = {"m": blocked_since(at("2026-08-14", "19:30"))}
    assert steps(PLAN, at("2026-08-17", "09:00"), st) == {("m", "blocked-1@2026-08-14", "lee")}


def test_a_new_blocked_episode_starts_a_new_ladder():
    first = steps(PLAN, at("2026-08-18"), {"m": blocked_since(at("2026-08-18", "09:30"))})
    again = steps(PLAN, at("2026-08-25"), {"m": blocked_since(at("2026-08-25", "09:30"))})
    assert first == {("m", "blocked-1@2026-08-18", "lee")}
    assert again == {("m", "blocked-1@2026-08-25", "lee")}


def test_owner_forecast_moves_the_reminder_schedule_later():
    st = {"m": CurrentStatus(Status.IN_PROGRESS, forecast=date(2026, 8, 21))}
    assert steps(PLAN, at("2026-08-13"), st) == set()  # reminder-5 for the 21st is the 14th
    assert steps(PLAN, at("2026-08-14"), st) == {("m", "reminder-5@2026-08-21", "ana")}
    assert steps(PLAN, at("2026-08-21"), st) == {("m", "due-day@2026-08-21", "ana")}
    assert steps(PLAN, at("2026-08-25"), st) == {("m", "chase-1@2026-08-21", "ana")}


def test_owner_forecast_earlier_moves_reminders_earlier_but_chasing_waits_for_due():
    st = {"m": CurrentStatus(Status.IN_PROGRESS, forecast=date(2026, 8, 12))}
    assert steps(PLAN, at("2026-08-12"), st) == {("m", "due-day@2026-08-12", "ana")}
    assert steps(PLAN, at("2026-08-17"), st) == {("m", "due-day@2026-08-12", "ana")}
    assert steps(PLAN, at("2026-08-18"), st) == {("m", "chase-1@2026-08-14", "ana")}


def test_milestone_policy_overrides_the_plan_which_overrides_the_default():
    plan = make_plan(ms("m", DUE, reminders=ReminderPolicy(before=(3, 0))),
                     ms("n", DUE), reminders=ReminderPolicy(chase_every=1, window=("08:00", "12:00")))
    assert steps(plan, at("2026-08-11", "08:15")) == {("m", "reminder-3@2026-08-14", "ana"),
                                                     ("n", "reminder-5@2026-08-14", "ana")}
    assert {s[1] for s in steps(plan, at("2026-08-17", "08:15"))} == {"chase-1@2026-08-14"}
    assert steps(plan, at("2026-08-17", "12:00")) == set()


def test_a_milestone_with_reminders_disabled_is_never_chased():
    plan = make_plan(ms("m", DUE, reminders=ReminderPolicy(enabled=False)))
    assert all(steps(plan, at(d)) == set() for d in ("2026-08-07", "2026-08-14", "2026-08-28"))


def test_a_due_date_on_a_weekend_is_reminded_on_the_working_day_before():
    plan = make_plan(ms("m", date(2026, 8, 15)))  # a Saturday
    assert steps(plan, at("2026-08-14")) == {("m", "due-day@2026-08-15", "ana")}


def test_catch_up_sends_a_missed_step_on_the_next_run():
    [n] = due_notifications(PLAN, {}, at("2026-08-17"))  # nothing ran on the due day
    assert (n.step, n.scheduled) == ("due-day", DUE)


def test_catch_up_skips_steps_superseded_by_a_later_step_of_the_same_ladder():
    # nothing ran from the 12th to the 19th: the owner gets chase-1 only, the manager their step
    assert steps(PLAN, at("2026-08-19")) == {("m", "chase-1@2026-08-14", "ana"),
                                             ("m", "escalate-manager@2026-08-14", "bo")}


def test_a_missed_escalation_is_still_sent_late():
    assert ("m", "escalate-manager@2026-08-14", "bo") in steps(PLAN, at("2026-09-14"))


def test_a_role_held_by_the_owner_is_skipped():
    people = {**PEOPLE, "sue": Person("sue", "Sue", ("sue@example.gov.uk",))}
    plan = make_plan(ms("m", DUE, owner="sue"), people=people)
    assert {s[2] for s in steps(plan, at("2026-08-28"))} == {"sue", "lee"}  # lead as manager


def test_keys_are_stable_across_runs_and_unique_per_step_and_recipient():
    first = due_notifications(PLAN, {}, at("2026-08-28", "09:00"))
    later = due_notifications(PLAN, {}, at("2026-08-28", "16:00"))
    assert [n.key for n in first] == [n.key for n in later]
    assert len({n.key for n in first}) == len(first) == 3
    assert first[0].key == "p/m/chase-5@2026-08-14/ana"


@pytest.mark.parametrize("now, opens", [
    (at("2026-08-14", "10:00"), None),
    (at("2026-08-14", "07:00"), at("2026-08-14", "09:00")),
    (at("2026-08-14", "17:00"), at("2026-08-17", "09:00")),  # Friday evening: Monday
    (at("2026-08-28", "18:00"), at("2026-09-01", "09:00")),  # bank holiday Monday skipped
])
def test_the_sender_knows_when_a_queued_step_may_next_be_sent(now, opens):
    from programme.rules.chase import next_sending_time, sending_rule

    assert next_sending_time(sending_rule(PLAN, PLAN.milestones[0]), now) == opens
