"""The rating rules, table by table, exactly as the README states them."""

from __future__ import annotations

from datetime import date

import pytest
from factory import at, milestone, plan

from programme.rules.assess import assess
from programme.rules.forecast import OWNER_FORECAST, TODAY
from programme.rules.model import CurrentStatus, Rating, Status
from programme.rules.rating import derived_states, group_rating, milestone_rating

G, AG, A, AR, R = (Rating.GREEN, Rating.AMBER_GREEN, Rating.AMBER, Rating.AMBER_RED, Rating.RED)


@pytest.mark.parametrize(("status", "days_to_due", "slip", "driver", "owner_late", "expected"), [
    (Status.DONE, -3, 0, None, False, ("done",)),
    (Status.DROPPED, 4, 0, None, False, ("dropped",)),
    (Status.NOT_STARTED, 12, 0, None, False, ("not started",)),
    (Status.NOT_STARTED, 5, 0, None, False, ("due soon", "not started")),
    (Status.IN_PROGRESS, 0, 0, None, False, ("due soon", "in progress")),
    (Status.NOT_STARTED, -1, 1, TODAY, False, ("overdue", "not started")),
    (Status.BLOCKED, -2, 2, TODAY, False, ("blocked", "overdue", "not started")),
    (Status.IN_PROGRESS, 20, 4, OWNER_FORECAST, True, ("at risk", "in progress")),
    (Status.NOT_STARTED, 20, 4, "other", False, ("slipped by dependency", "not started")),
])
def test_derived_states_are_listed_most_important_first(status, days_to_due, slip, driver, owner_late,
                                                        expected):
    assert derived_states(status, days_to_due, slip, driver, owner_late) == expected


@pytest.mark.parametrize(("rule", "states", "days_to_due", "slip", "expected"), [
    ("done is Green", ("done",), -20, 5, G),
    ("dropped is not rated", ("dropped",), 3, 0, None),
    ("blocked and due within five working days is Red", ("blocked", "in progress"), 5, 0, R),
    ("blocked and overdue is Red", ("blocked", "overdue", "in progress"), -1, 1, R),
    ("blocked with time in hand is Amber/Red", ("blocked", "in progress"), 6, 0, AR),
    ("ten working days overdue is Red", ("overdue", "in progress"), -10, 10, R),
    ("three working days overdue is Amber/Red", ("overdue", "in progress"), -3, 3, AR),
    ("up to two working days overdue is Amber", ("overdue", "in progress"), -2, 2, A),
    ("a forecast slip over ten working days is Amber/Red", ("at risk", "in progress"), 20, 11, AR),
    ("a forecast slip of six to ten working days is Amber", ("at risk", "in progress"), 20, 6, A),
    ("a forecast slip of five working days is Amber/Green", ("slipped by dependency", "not started"),
     20, 5, AG),
    ("due soon and not started is Amber/Green", ("due soon", "not started"), 3, 0, AG),
    ("due soon and in progress is Green", ("due soon", "in progress"), 3, 0, G),
    ("on track is Green", ("not started",), 30, 0, G),
])
def test_milestone_rating(rule, states, days_to_due, slip, expected):
    assert milestone_rating(states, days_to_due, slip) == expected, rule


@pytest.mark.parametrize(("rule", "ratings", "end_slip", "critical", "expected"), [
    ("all Green is Green", [G] * 10, 0, [G], G),
    ("no milestones is Green", [], 0, [], G),
    ("an end more than 20 working days late is Red", [G] * 10, 21, [G], R),
    ("a quarter of milestones Red is Red", [R] * 3 + [G] * 9, 0, [], R),
    ("an end more than 10 working days late is Amber/Red", [G] * 10, 11, [], AR),
    ("a Red milestone on the critical path is Amber/Red", [R] + [G] * 9, 0, [R], AR),
    ("a quarter Amber/Red or worse is Amber/Red", [AR] * 3 + [G] * 9, 0, [], AR),
    ("an end more than 5 working days late is Amber", [G] * 10, 6, [], A),
    ("one Red milestone off the critical path is Amber", [R] + [G] * 9, 0, [G], A),
    ("one Amber/Red milestone is Amber", [AR] + [G] * 9, 0, [], A),
    ("a quarter Amber or worse is Amber", [A] * 3 + [G] * 9, 0, [], A),
    ("an end any later is Amber/Green", [G] * 10, 1, [], AG),
    ("one Amber milestone is Amber/Green", [A] + [G] * 9, 0, [], AG),
    ("a quarter Amber/Green is Amber/Green", [AG] * 3 + [G] * 9, 0, [], AG),
    ("a few Amber/Green is still Green", [AG] * 2 + [G] * 9, 0, [], G),
])
def test_phase_and_plan_rating(rule, ratings, end_slip, critical, expected):
    assert group_rating(ratings, end_slip, critical).rating == expected, rule


def test_a_rating_says_why_it_is_not_green():
    result = group_rating([R] + [G] * 9, 12, [R])
    assert result.rating == AR
    assert "the plan's end is forecast 12 working days late" in result.reasons
    assert "a milestone on the critical path is Red" in result.reasons


@pytest.mark.parametrize(("rating", "rag"), [(G, "Green"), (AG, "Amber"), (A, "Amber"),
                                             (AR, "Red"), (R, "Red")])
def test_the_three_point_view(rating, rag):
    assert rating.rag == rag


@pytest.mark.parametrize("text", ["Amber/Red", "amber-red", "A/R", "ar", "AMBER RED"])
def test_a_lead_can_write_a_rating_several_ways(text):
    assert Rating.parse(text) == AR


def test_dropped_milestones_do_not_count_towards_a_rating():
    p = plan(milestone("a", date(2026, 11, 2)), milestone("b", date(2026, 12, 20)), phases=())
    late = assess(p, {}, at(date(2026, 11, 20)))
    assert late.rating > G
    dropped = assess(p, {"a": CurrentStatus(Status.DROPPED)}, at(date(2026, 11, 20)))
    assert dropped.rating == G
    assert dropped.milestones["a"].rating is None


def test_phases_are_rated_on_their_own_milestones():
    p = plan(milestone("a", date(2026, 11, 2), phase="one"),
             milestone("b", date(2026, 12, 20), phase="two"), phases=("one", "two"))
    a = assess(p, {}, at(date(2026, 11, 20)))
    ratings = {g.id: g.rating for g in a.phases}
    assert ratings["one"] >= AR and ratings["two"] == G
