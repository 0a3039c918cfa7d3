"""What goes in which section: the selections a report makes from the Assessment."""

from __future__ import annotations

from datetime import timedelta

import pytest
import report_scenario as scenario

from programme.reports import build, render_digest, render_report
from programme.reports.context import Snapshot, trend
from programme.rules.assess import PlanState, assess
from programme.rules.model import Rating, Status
from programme.usecases.digest import collect
from programme.usecases.workspace import Workspace


@pytest.mark.parametrize("previous, current, expected", [
    (None, Rating.AMBER, None),
    (Rating.AMBER, Rating.AMBER, "unchanged"),
    (Rating.AMBER, Rating.RED, "worse"),
    (Rating.GREEN, Rating.AMBER_GREEN, "worse"),
    (Rating.RED, Rating.AMBER_RED, "better"),
    (Rating.AMBER_GREEN, Rating.GREEN, "better"),
])
def test_trend_compares_with_last_weeks_rating(previous, current, expected):
    assert trend(previous, current) == expected


def test_done_in_period_is_the_week_before_the_report(snap):
    report = build(snap)
    # done 17, 19, 20 Nov: in the week to Monday 23 Nov 08:00; done 12 Nov: before it
    assert [r.id for r in report.done_in_period] == [
        "baseline", "resident-conversations", "market-position-statement"]


def test_done_then_reopened_is_not_reported_done(store, plan):
    history = [*scenario.HISTORY,
               ("2026-11-21T09:00", "baseline", Status.IN_PROGRESS, {"note": "figures wrong"})]
    scenario.record(store, plan, history)
    report = build(scenario.snapshot(store, plan))
    assert "baseline" not in [r.id for r in report.done_in_period]


@pytest.mark.parametrize("days, included", [(-1, False), (0, True), (14, True), (15, False)])
def test_due_next_is_open_milestones_due_in_the_next_fourteen_days(plan, days, included):
    target = plan.milestone("pooled-budget-options")  # due Tue 8 Dec 2026, nothing recorded
    now = scenario.AS_OF.replace(hour=12)
    now = now + timedelta(days=(target.due - now.date()).days - days)
    state = PlanState(plan, assess(plan, {}, now), None, None)
    ids = [r.id for r in build(Snapshot(state)).due_next]
    assert ("pooled-budget-options" in ids) is included


def test_sections_read_states_from_the_assessment(snap):
    report = build(snap)
    views = snap.state.assessment.milestones
    assert {r.id for r in report.overdue} == {i for i, v in views.items() if v.overdue}
    assert {r.id for r in report.blocked} == {i for i, v in views.items() if v.blocked}
    assert [r.id for r in report.critical_path] == list(snap.state.assessment.critical_path)
    assert all(r.rating == views[r.id].rating for r in report.rows)


def test_lead_rating_is_shown_beside_the_computed_one_never_instead(snap):
    report = build(snap)
    assert report.rating == snap.state.assessment.rating == Rating.RED  # three-point, the default
    assert report.lead_rating.rating == Rating.AMBER and report.lead_differs
    md, digest = render_report(snap, "md"), render_digest(snap)
    for text in (md, digest.text):
        assert "Red (last week Red" in text and "Amber, 20 Nov" in text and "both are shown as given" in text
    assert "lead says Amber" in digest.chat and ": Red; lead says Amber" in digest.chat


def test_baseline_variance_is_forecast_against_baseline_in_working_days(snap):
    report = build(snap)
    row = report.by_id["data-sharing-agreement"]  # baseline Thu 5 Nov, owner forecast Fri 27 Nov
    assert row.variance == 16
    assert row in report.variance
    assert report.by_id["market-engagement-event"] not in report.variance  # on its baseline


def test_no_trend_for_a_plan_the_store_did_not_know_a_week_ago(store, plan):
    store.sync(plan, scenario.AS_OF - timedelta(days=3))
    snapshot = collect(Workspace(store, scenario.DATA), plan, scenario.AS_OF)
    assert snapshot.previous is None and build(snapshot).trend is None
    assert "last week" not in render_report(snapshot, "md")


def test_report_of_a_bare_plan_state_has_no_trend_or_done_list(snap):
    report = build(Snapshot(snap.state))
    assert report.trend is None and report.done_in_period == ()
    assert "Nothing was marked done this week." in render_report(snap.state, "md")
