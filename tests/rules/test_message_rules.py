"""The rules of what a message says, as tables: the owner's date counts, one item per milestone
per person (the higher step), each kind of item has its own label, escalations say what the
reader can do, and no internal words reach the reader. Time is injected (`now`)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pendulum
import pytest
from factory import PEOPLE, chase_items, make_plan, ms

from programme.rules.chase import due_notifications
from programme.rules.messages import (
    LABELS,
    URGENCY,
    actions,
    item_kind,
    one_item_per_milestone,
    resolve_rating,
    when_words,
)
from programme.rules.model import Calendar, CurrentStatus, Rating, Status
from programme.rules.workdays import working_calendar

CAL = working_calendar(Calendar())


def at(day: date, hour: int = 10):
    return pendulum.datetime(day.year, day.month, day.day, hour, tz="Europe/London")


# Due Tuesday 6 October 2026; Tom moved it to Tuesday 20 October (or, once, earlier).
@pytest.mark.parametrize("today, forecast, words", [
    (date(2026, 10, 13), date(2026, 10, 20),
     "due Tuesday 6 October; Tom now expects Tuesday 20 October, in 5 working days"),
    (date(2026, 10, 20), date(2026, 10, 20),
     "due Tuesday 6 October; Tom now expects Tuesday 20 October, today"),
    (date(2026, 10, 22), date(2026, 10, 20),  # the owner's date has passed: overdue from it
     "due Tuesday 6 October; Tom expected Tuesday 20 October, 2 working days overdue"),
    (date(2026, 10, 1), date(2026, 10, 2),
     "due Tuesday 6 October; Tom now expects Friday 2 October, in 1 working day"),
    (date(2026, 10, 5), date(2026, 10, 2),  # an earlier date passed: the due date counts
     "due Tuesday 6 October, in 1 working day; Tom had expected Friday 2 October"),
    (date(2026, 10, 13), None, "due Tuesday 6 October, 5 working days overdue"),
    (date(2026, 10, 13), date(2026, 10, 6), "due Tuesday 6 October, 5 working days overdue"),
])
def test_forecast_move_counts_from_the_owners_date(today, forecast, words):
    assert when_words(CAL, date(2026, 10, 6), today, forecast, "Tom") == words


def test_forecast_move_counts_from_the_owners_date_in_reminders_chases_and_escalations():
    """Ana's milestone was due 14 August; she now expects 28 August. On 3 September (4 working
    days past her date, the 31st a bank holiday) the chase and the manager's escalation count
    from 28 August, and both say the two dates."""
    plan = make_plan(ms("report", date(2026, 8, 14), title="Needs report"))
    moved = {"report": CurrentStatus(Status.IN_PROGRESS, forecast=date(2026, 8, 28))}
    before = {i["key"].rsplit("/", 1)[1]: i["when"] for i in
              chase_items(plan, at(date(2026, 8, 21)), moved)}
    assert before == {"ana": "due Friday 14 August; you now expect Friday 28 August, "
                             "in 5 working days"}
    later = {i["key"].rsplit("/", 1)[1]: (i["step"], i["when"]) for i in
             chase_items(plan, at(date(2026, 9, 4)), moved)}
    assert later == {
        "ana": ("chase-2", "due Friday 14 August; you expected Friday 28 August, "
                           "4 working days overdue"),
        "bo": ("escalate-manager", "due Friday 14 August; Ana Lee expected Friday 28 August, "
                                   "4 working days overdue")}


MANAGER_IS_SPONSOR = {**PEOPLE, "ana": replace(PEOPLE["ana"], manager="sue")}
LEAD_IS_SPONSOR = {**PEOPLE, "ana": replace(PEOPLE["ana"], manager=None)}


@pytest.mark.parametrize("people, sponsor, day, expected", [
    # 3 working days late: the manager's escalation only
    (MANAGER_IS_SPONSOR, "sue", date(2026, 8, 19), {("ana", "chase-1"), ("sue", "escalate-manager")}),
    # 10 working days late: Sue is due both as manager and as sponsor; she gets the sponsor's
    (MANAGER_IS_SPONSOR, "sue", date(2026, 8, 28),
     {("ana", "chase-5"), ("sue", "escalate-sponsor")}),
    # no manager: the lead is told as manager; the lead is also the sponsor: one item
    (LEAD_IS_SPONSOR, "lee", date(2026, 8, 28), {("ana", "chase-5"), ("lee", "escalate-sponsor")}),
    # different people: each their own
    (PEOPLE, "sue", date(2026, 8, 28),
     {("ana", "chase-5"), ("bo", "escalate-manager"), ("sue", "escalate-sponsor")}),
])
def test_manager_who_is_also_sponsor_gets_one_item(people, sponsor, day, expected):
    plan = replace(make_plan(ms("report", date(2026, 8, 14)), people=people), sponsor=sponsor)
    got = [(n.recipient, n.step) for n in due_notifications(plan, {}, at(day))]
    assert len(got) == len(set(got)) and set(got) == expected


@pytest.mark.parametrize("steps, shown", [
    (["escalate-manager", "escalate-sponsor"], ["escalate-sponsor"]),
    (["escalate-sponsor", "escalate-manager"], ["escalate-sponsor"]),
    (["chase-2", "escalate-manager"], ["escalate-manager"]),
    (["reminder-5"], ["reminder-5"]),
])
def test_a_message_shows_one_item_per_milestone_the_most_urgent(steps, shown):
    """Rows of two steps for one milestone that are both pending for one person (the manager's
    escalation waited for a window, the sponsor's fell due meanwhile) are shown as one item."""
    items = [{"plan_id": "p", "milestone_id": "m", "step": s} for s in steps] + [
        {"plan_id": "p", "milestone_id": "other", "step": "chase-1"}]
    assert [i["step"] for i in one_item_per_milestone(items)] == [*shown, "chase-1"]


@pytest.mark.parametrize("step, label", [
    ("reminder-5", "Reminder"), ("due-day", "Due today"), ("chase-1", "Overdue"),
    ("escalate-manager", "Escalated to you"), ("escalate-sponsor", "Escalated to you as sponsor"),
    ("blocked-1", "Blocked"), ("can-start", "You can start"), ("rating-changed", "Plan rating changed"),
])
def test_each_kind_of_item_has_its_own_label(step, label):
    assert LABELS[item_kind(step)] == label
    assert len(set(LABELS.values())) == len(LABELS)  # never told apart by colour alone


def test_escalations_come_first_and_reminders_last():
    assert URGENCY[0] == "escalated-sponsor" and URGENCY[-1] == "reminder"


@pytest.mark.parametrize("kind, is_lead, says", [
    ("escalated", False, ["Talk to Ana Lee", "answer for Ana Lee with the link",
                          "change the milestone's owner in the plan (ask Lee Lead"]),
    ("escalated-sponsor", True, ["Talk to Ana Lee", "change the milestone's owner in the plan."]),
    ("blocked", True, ["Help clear what blocks it (no data)", "answer for Ana Lee"]),
    ("overdue", False, []),
])
def test_an_escalation_says_what_the_reader_can_do(kind, is_lead, says):
    text = " ".join(actions(kind, "Ana Lee", "Lee Lead", is_lead, "no data"))
    assert all(s in text for s in says) and bool(text) == bool(says)


@pytest.mark.parametrize("day, statuses", [
    (date(2026, 8, 11), {}),
    (date(2026, 8, 19), {}),
    (date(2026, 8, 28), {}),
    (date(2026, 8, 12), {"report": CurrentStatus(Status.BLOCKED, reason="no data")}),
])
def test_messages_carry_no_internal_words(day, statuses):
    plan = make_plan(ms("report", date(2026, 8, 14)),
                     people={**PEOPLE, "ana": replace(PEOPLE["ana"], manager=None)})
    for item in chase_items(plan, at(day), statuses):
        text = " ".join(str(item[k]) for k in ("headline", "why", "when", "answer_label"))
        text += " ".join(item["actions"])
        for word in ("where they have none", "programme ", "@2026", "escalate-", "chase-"):
            assert word not in text, (word, text)


@pytest.mark.parametrize("first_from, now, says", [
    ("Amber", Rating.AMBER, None),  # back where the day began: nothing
    ("Amber", Rating.AMBER_GREEN, "Amber → Amber/Green"),
    ("Amber", Rating.RED, "Amber → Red"),
])
def test_rating_notice_carries_the_net_change_of_the_day(first_from, now, says):
    item = {"rating_from": first_from, "rating_scale": "five-point", "when": "queued words"}
    got = resolve_rating(item, now)
    assert (got and got["when"]) == says
