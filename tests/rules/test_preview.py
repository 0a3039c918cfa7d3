"""Preview equals practice: what `programme preview` says will be sent is what the chase then
sends, key for key and moment for moment.

Practice here is the real thing: the shipped Commissioning Academy plan, a real SQLite store, the
outbox, `queue_due` and `dispatch_pending` through Apprise into the local sink, run at injected
moments across the clock change, Christmas and the council's closure days; check-ins through
`record_checkin` with the follow-ups the CLI runs. The preview is computed once, up front, from
the same plan and statuses. A property test does the same over generated plans.
"""

from __future__ import annotations

import itertools
import shutil
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pendulum
import pytest
from factory import PEOPLE, make_plan, ms
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from notifications.apprise_dispatch import AppriseDispatcher
from programme.compose import follow_up_in_process
from programme.rules.model import (
    Calendar,
    CurrentStatus,
    DueRule,
    Milestone,
    ReminderPolicy,
    Status,
)
from programme.rules.preview import Planned, quiet_reason, run_moments, simulate
from programme.rules.workdays import working_calendar
from programme.store import Store
from programme.store.outbox import Outbox
from programme.usecases.chase import dispatch_pending, queue_due
from programme.usecases.checkin import CheckIn, record_checkin
from programme.usecases.workspace import Workspace

PLAN_FILE = Path(__file__).parents[2] / "plans" / "commissioning-academy-100-day.yaml"
TZ = "Europe/London"


def local(day: date, clock: time) -> datetime:
    return pendulum.datetime(day.year, day.month, day.day, clock.hour, clock.minute, tz=TZ)


def days(first: date, last: date):
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


def sent(store: Store, plan_id: str) -> set[tuple[str, datetime]]:
    """(key, moment sent) of every outbox row of the plan that went out."""
    return {(r.key, pendulum.instance(r.sent_at).in_timezone(TZ))
            for r in Outbox(store).rows(plan_id=plan_id) if r.sent_at is not None}


def previewed(planned: list[Planned]) -> set[tuple[str, datetime]]:
    return {(p.key, p.at) for p in planned}


@pytest.fixture
def academy(tmp_path, monkeypatch):
    """The shipped plan in a plans folder of its own, a SQLite store, the local sink."""
    monkeypatch.setenv("PROGRAMME_DELIVERY", "sink")
    folder = tmp_path / "plans"
    folder.mkdir()
    shutil.copy(PLAN_FILE, folder)
    ws = Workspace(Store(f"sqlite:///{tmp_path / 'practice.db'}"), folder)
    [plan] = ws.plans()
    return ws, plan


# The span: Monday 19 October 2026 to Saturday 2 January 2027 (76 days): the clock goes back on
# Sunday 25 October, Christmas Day and the Boxing Day substitute (Monday 28 December) are bank
# holidays, 29-31 December are the council's closure days, 1 January is New Year's Day.
FIRST, LAST = date(2026, 10, 19), date(2027, 1, 2)
# The chase runs before the window (nothing may go), at its opening and twice more inside it.
PRACTICE_CLOCKS = (time(7, 0), time(8, 30), time(13, 0), time(16, 59))


@pytest.mark.slow
def test_the_preview_is_exactly_what_the_chase_then_sends_when_nobody_answers(academy):
    ws, plan = academy
    start = local(FIRST, time(0, 0))
    ws.ensure_synced(plan, start)
    planned = simulate(plan, ws.store.statuses(plan.id, TZ, as_of=start), start, LAST,
                       raid=ws.state(plan, start, sync=False).raid)
    dispatcher = AppriseDispatcher()
    for day in days(FIRST, LAST):
        for clock in PRACTICE_CLOCKS:
            now = local(day, clock)
            queue_due(ws, plan, now, sync=False)
            dispatch_pending(ws, dispatcher, now)

    assert sent(ws.store, plan.id) == previewed(planned)
    assert len(planned) > 100
    cal = working_calendar(plan.calendar)
    assert all(cal.is_working_day(p.day) and f"{p.at:%H:%M}" == "08:30" for p in planned)
    assert {p.at.utcoffset() for p in planned} == {timedelta(hours=1), timedelta(0)}  # BST, GMT
    quiet = {date(2026, 12, 25), date(2026, 12, 28), date(2026, 12, 29), date(2026, 12, 30),
             date(2026, 12, 31), date(2027, 1, 1)}
    assert not quiet & {p.day for p in planned}


@pytest.mark.slow
def test_with_every_milestone_on_time_the_preview_is_what_is_sent_follow_ups_included(academy):
    ws, plan = academy
    start = local(FIRST, time(0, 0))
    ws.ensure_synced(plan, start)
    planned = simulate(plan, ws.store.statuses(plan.id, TZ, as_of=start), start, LAST,
                       on_time=True, raid=ws.state(plan, start, sync=False).raid)
    dispatcher = AppriseDispatcher()
    follow_up = follow_up_in_process(ws)
    for day in days(FIRST, LAST):
        for clock in (*PRACTICE_CLOCKS, time(12, 0)):
            now = local(day, clock)
            if clock == time(12, 0):  # owners answer on their due day, at noon
                for m in plan.milestones:
                    if m.due == day:
                        record_checkin(ws, plan, CheckIn(m.id, Status.DONE, by=m.owner), now,
                                       follow_up)
                continue
            queue_due(ws, plan, now, sync=False)
            dispatch_pending(ws, dispatcher, now)

    assert sent(ws.store, plan.id) == previewed(planned)
    assert "can-start" in {p.notification.step for p in planned}
    chased = {p.notification.milestone_id for p in planned  # milestones (RAID items are not assumed)
              if p.notification.step.startswith(("chase-", "escalate"))
              and p.notification.milestone_id in plan.by_id}
    # only what was already late when the span began is chased: the rest is done on time
    assert chased and all(plan.by_id[mid].due < FIRST for mid in chased)
    follow_ups = [p for p in planned if p.follow_up]
    assert follow_ups and all(f"{p.at:%H:%M}" == "12:00" for p in follow_ups)


# -- the simulation, rule by rule (pure) ---------------------------------------------------------

def at_utc(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


def keys(planned: list[Planned]) -> list[tuple[str, str, str]]:
    """(when, milestone, step) in the order they go out."""
    return [(f"{p.at:%a %-d %b %H:%M}", p.notification.milestone_id, p.notification.step)
            for p in planned]


def test_each_step_goes_out_once_at_the_opening_of_the_window_in_plan_time():
    # due Friday 30 October 2026: reminder-5 on Fri 23 Oct (BST), the clock goes back on the 25th
    plan = make_plan(ms("m", date(2026, 10, 30)))
    planned = simulate(plan, {}, at_utc(date(2026, 10, 19), 0), date(2026, 11, 4))
    assert keys(planned) == [
        ("Fri 23 Oct 09:00", "m", "reminder-5"), ("Thu 29 Oct 09:00", "m", "reminder-1"),
        ("Fri 30 Oct 09:00", "m", "due-day"), ("Tue 3 Nov 09:00", "m", "chase-1"),
        ("Wed 4 Nov 09:00", "m", "escalate-manager"),
    ]
    assert [p.at.astimezone(UTC).hour for p in planned] == [8, 9, 9, 9, 9]


@pytest.mark.parametrize(("start", "first"), [
    (at_utc(date(2026, 10, 23), 13), ("Fri 23 Oct 14:00", "m", "reminder-5")),  # inside: at once
    (at_utc(date(2026, 10, 23), 17), ("Mon 26 Oct 09:00", "m", "reminder-5")),  # after: next day
    (at_utc(date(2026, 10, 24), 10), ("Mon 26 Oct 09:00", "m", "reminder-5")),  # Saturday
])
def test_a_preview_from_now_sends_now_inside_the_window_else_at_the_next_opening(start, first):
    plan = make_plan(ms("m", date(2026, 10, 30)))
    assert keys(simulate(plan, {}, start, date(2026, 10, 26)))[0] == first


def test_nothing_goes_out_on_a_bank_holiday_or_a_closure_day():
    # due Tuesday 29 December, a closure day after Christmas Day and the Boxing Day substitute:
    # the due-day reminder rolls back to Thursday 24 December (and supersedes reminder-1 there),
    # the chasing counts working days from Monday 4 January
    plan = make_plan(ms("m", date(2026, 12, 29)))
    plan = replace(plan, calendar=Calendar(closures=frozenset(
        {date(2026, 12, 29), date(2026, 12, 30), date(2026, 12, 31)})))
    planned = simulate(plan, {}, at_utc(date(2026, 12, 14), 0), date(2027, 1, 8))
    assert keys(planned) == [
        ("Fri 18 Dec 09:00", "m", "reminder-5"), ("Thu 24 Dec 09:00", "m", "due-day"),
        ("Tue 5 Jan 09:00", "m", "chase-1"), ("Wed 6 Jan 09:00", "m", "escalate-manager"),
        ("Thu 7 Jan 09:00", "m", "chase-2")]


def test_a_key_already_in_the_outbox_is_not_sent_again():
    plan = make_plan(ms("m", date(2026, 10, 30)))
    already = {"p/m/reminder-5@2026-10-30/ana"}
    steps = [s for _, _, s in keys(simulate(plan, {}, at_utc(date(2026, 10, 19), 0),
                                            date(2026, 10, 30), already=already))]
    assert steps == ["reminder-1", "due-day"]


def test_a_milestone_with_its_own_window_is_sent_when_that_window_opens():
    late = ReminderPolicy(window=("13:30", "15:00"))
    plan = make_plan(ms("early", date(2026, 10, 30)), ms("late", date(2026, 10, 30), reminders=late))
    planned = simulate(plan, {}, at_utc(date(2026, 10, 23), 0), date(2026, 10, 23))
    assert keys(planned) == [("Fri 23 Oct 09:00", "early", "reminder-5"),
                             ("Fri 23 Oct 13:30", "late", "reminder-5")]


def test_a_blocked_milestone_reminds_the_lead_every_two_working_days_and_nobody_else():
    plan = make_plan(ms("m", date(2026, 10, 30)))
    blocked = {"m": CurrentStatus(Status.BLOCKED, since=at_utc(date(2026, 10, 20), 10),
                                  reason="waiting")}
    planned = simulate(plan, blocked, at_utc(date(2026, 10, 21), 0), date(2026, 10, 27))
    assert keys(planned) == [("Wed 21 Oct 09:00", "m", "blocked-1"),
                             ("Thu 22 Oct 09:00", "m", "blocked-2"),
                             ("Mon 26 Oct 09:00", "m", "blocked-3")]
    assert {p.notification.recipient for p in planned} == {"lee"}


def test_on_time_the_owner_hears_the_reminders_then_the_next_owner_can_start_and_the_lead_hears_the_rating():
    plan = make_plan(ms("a", date(2026, 10, 23)),
                     ms("b", date(2026, 11, 6), owner="nomgr", depends_on=("a",)))
    planned = simulate(plan, {}, at_utc(date(2026, 10, 19), 0), date(2026, 10, 30), on_time=True)
    assert keys(planned) == [
        ("Mon 19 Oct 09:00", "a", "reminder-5"), ("Thu 22 Oct 09:00", "a", "reminder-1"),
        ("Fri 23 Oct 09:00", "a", "due-day"), ("Fri 23 Oct 12:00", "b", "can-start"),
        ("Fri 23 Oct 12:00", "plan", "rating-changed"),
        ("Fri 30 Oct 09:00", "b", "reminder-5")]


def test_on_time_a_follow_up_on_a_saturday_waits_for_the_next_window():
    plan = make_plan(ms("a", date(2026, 10, 24)),  # a Saturday
                     ms("b", date(2026, 11, 6), owner="nomgr", depends_on=("a",)))
    planned = simulate(plan, {}, at_utc(date(2026, 10, 22), 0), date(2026, 10, 26), on_time=True)
    assert ("Mon 26 Oct 09:00", "b", "can-start") in keys(planned)
    assert [p.follow_up for p in planned if p.notification.step == "can-start"] == [True]


@pytest.mark.parametrize(("now", "reason"), [
    (at_utc(date(2026, 12, 5), 10), "Saturday 5 December is not a working day"),
    (at_utc(date(2026, 12, 25), 10), "Friday 25 December is a bank holiday (Christmas Day)"),
    (at_utc(date(2026, 12, 29), 10), "Tuesday 29 December is a closure day in the plan's calendar"),
    (at_utc(date(2026, 12, 3), 0, 36), "outside the sending window (09:00–17:00 Europe/London)"),
    (at_utc(date(2026, 7, 3), 16, 30), "outside the sending window (09:00–17:00 Europe/London)"),
    (at_utc(date(2026, 12, 3), 10), None),
])
def test_quiet_reason_names_the_calendar_or_the_clock(now, reason):
    plan = make_plan(ms("m", date(2026, 12, 18)))
    plan = replace(plan, calendar=Calendar(closures=frozenset({date(2026, 12, 29)})))
    assert quiet_reason(plan, now) == reason


def test_the_chase_runs_at_each_window_opening_on_working_days_only():
    late = ReminderPolicy(window=("13:30", "15:00"))
    plan = make_plan(ms("a", date(2026, 10, 30)), ms("b", date(2026, 10, 30), reminders=late))
    moments = run_moments(plan, at_utc(date(2026, 10, 23), 11), date(2026, 10, 26))
    assert [f"{m:%a %H:%M}" for m in moments] == ["Fri 12:00", "Fri 13:30", "Mon 09:00", "Mon 13:30"]


# -- a property over generated plans, against the real store -------------------------------------

WINDOWS = (("09:00", "17:00"), ("13:00", "15:30"), ("07:00", "09:30"))
START = date(2026, 10, 19)  # a Monday; the span below crosses the clock change
SPAN = 15


@st.composite
def plans_and_statuses(draw):
    """Small plans: 1-5 milestones due around the span, each with its own policy now and then,
    some blocked, in progress with a forecast, done or dropped before the span begins."""
    n = draw(st.integers(1, 5))
    milestones, statuses = [], {}
    owners = st.sampled_from(["ana", "bo", "lee", "sue", "nomgr"])
    for i in range(n):
        due = START + timedelta(days=draw(st.integers(-12, SPAN + 8)))
        deps = tuple(draw(st.sets(st.sampled_from([f"m{j}" for j in range(i)]), max_size=2))) \
            if i else ()
        policy = ReminderPolicy()
        if draw(st.booleans()):
            policy = ReminderPolicy(
                before=tuple(sorted(draw(st.sets(st.integers(0, 6), max_size=3)), reverse=True)),
                chase_every=draw(st.integers(1, 3)),
                escalate_to_manager_after=draw(st.integers(1, 5)),
                escalate_to_sponsor_after=draw(st.integers(2, 12)),
                blocked_every=draw(st.integers(1, 3)), window=draw(st.sampled_from(WINDOWS)),
                enabled=draw(st.booleans()))
        mid = f"m{i}"
        milestones.append(Milestone(mid, f"Milestone {i}", draw(owners), due,
                                    DueRule(due.isoformat(), absolute=due), depends_on=deps,
                                    reminders=policy))
        kind = draw(st.sampled_from(["open", "open", "forecast", "blocked", "done", "dropped"]))
        if kind == "forecast":
            statuses[mid] = (Status.IN_PROGRESS, due + timedelta(days=draw(st.integers(-4, 9))))
        elif kind != "open":
            statuses[mid] = ({"blocked": Status.BLOCKED, "done": Status.DONE,
                              "dropped": Status.DROPPED}[kind], None)
    closures = frozenset(START + timedelta(days=d)
                         for d in draw(st.sets(st.integers(0, SPAN), max_size=3)))
    extra = draw(st.lists(st.sampled_from([time(h, m) for h in range(6, 19) for m in (0, 20)]),
                          min_size=SPAN + 1, max_size=SPAN + 1))
    return milestones, statuses, closures, extra


_counter = itertools.count()


@pytest.fixture(scope="module")
def shared_store(tmp_path_factory):
    store = Store(f"sqlite:///{tmp_path_factory.mktemp('property') / 'store.db'}")
    yield store
    store.close()


@pytest.mark.slow
@settings(max_examples=20, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=plans_and_statuses())
def test_for_any_plan_the_preview_is_what_queue_due_then_queues(case, shared_store):
    milestones, recorded, closures, extra = case
    plan = make_plan(*milestones, plan_id=f"gen-{next(_counter)}", people=PEOPLE)
    plan = replace(plan, calendar=Calendar(closures=closures))
    ws = Workspace(shared_store)
    start = local(START, time(0, 0))
    ws.ensure_synced(plan, start - timedelta(days=30))
    for mid, (status, forecast) in recorded.items():
        reason = "waiting for sign-off" if status == Status.BLOCKED else None
        ws.store.record(plan.id, mid, status, start - timedelta(days=3), forecast=forecast,
                        reason=reason)
    statuses = ws.store.statuses(plan.id, TZ, as_of=start)
    planned = simulate(plan, statuses, start, START + timedelta(days=SPAN))

    openings = sorted({time.fromisoformat(w[0]) for w in WINDOWS})
    for offset, clock in zip(range(SPAN + 1), extra, strict=True):
        day = START + timedelta(days=offset)
        for moment in sorted({*openings, clock}):
            queue_due(ws, plan, local(day, moment), sync=False)
    queued = {(r.key, pendulum.instance(r.created_at).in_timezone(TZ))
              for r in Outbox(shared_store).rows(plan_id=plan.id)}
    assert queued == previewed(planned)



def test_a_plan_with_reminders_switched_off_says_so_and_sends_nothing():
    off = ReminderPolicy(enabled=False)
    plan = make_plan(ms("m", date(2026, 10, 30)), reminders=off)
    assert quiet_reason(plan, at_utc(date(2026, 10, 23), 10)) == (
        "reminders are switched off for every milestone of this plan (enabled: false)")
    assert simulate(plan, {}, at_utc(date(2026, 10, 19), 0), date(2026, 11, 30)) == []
