"""A 100-day simulation of the shipped Commissioning Academy plan, day by day, through real SMTP.

From Monday 5 October 2026 to Wednesday 13 January 2027 the engine runs twice a day at fixed
UTC times (07:45 and 12:00), so the plan's 08:30-17:00 window in London time is crossed by the
clock change on Sunday 25 October: 07:45 UTC is 08:45 in October (the day's first sends) and
07:45, before the window, from then on. Owners answer (or not)
on a script: most finish on their due date, one is late, one never answers (escalated to the
manager and then the sponsor), one is blocked for two weeks, one moves their forecast, one
finishes after Christmas. Contacts are the plan's email addresses (its Teams and Slack URLs are
examples and not reachable here).

The received set of (day, recipient, step) must equal what the policy says, run by run, and
nothing may arrive on a weekend, a bank holiday, a closure day or outside the window.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pendulum
import pytest

from notifications.apprise_dispatch import AppriseDispatcher
from programme.planfiles.loading import load_plans
from programme.rules.chase import due_notifications
from programme.rules.history import fold
from programme.rules.model import Status, StatusEntry
from programme.rules.raid import fold as fold_raid
from programme.rules.raid import raid_notifications
from programme.rules.workdays import working_calendar
from programme.store import Store
from programme.usecases.chase import dispatch_pending, queue_due
from programme.usecases.workspace import Workspace

PLAN_FILE = Path(__file__).parents[2] / "plans" / "commissioning-academy-100-day.yaml"
TZ = "Europe/London"
RUNS_UTC = (time(7, 45), time(12, 0))
REF = re.compile(r"^\s*Ref:\s+(\S+)/(\S+)@\S+\s*$", re.MULTILINE)


def local(day: str, hhmm: str) -> datetime:
    return pendulum.parse(f"{day}T{hhmm}", tz=TZ).in_timezone("UTC")


# (when, milestone, status, forecast, reason)
SCRIPT_EXCEPTIONS = {
    "scope-agreed": [(local("2026-10-14", "11:00"), Status.DONE, None, None)],  # 3 working days late
    "vcs-capacity-survey": [],  # never answered
    "data-sharing-agreement": [(local("2026-11-02", "10:00"), Status.BLOCKED, None, "DPO on leave"),
                               (local("2026-11-16", "12:00"), Status.IN_PROGRESS, None, None),
                               (local("2026-11-20", "11:00"), Status.DONE, None, None)],
    "market-position-statement": [(local("2026-11-06", "15:00"), Status.IN_PROGRESS,
                                   date(2026, 11, 17), None),
                                  (local("2026-11-17", "11:00"), Status.DONE, None, None)],
    "insights-trial-results": [(local("2027-01-05", "11:00"), Status.DONE, None, None)],
}


def script(plan) -> list[tuple[datetime, str, Status, date | None, str | None]]:
    events = []
    for m in plan.milestones:
        if m.id in SCRIPT_EXCEPTIONS:
            events += [(at, m.id, st, fc, why) for at, st, fc, why in SCRIPT_EXCEPTIONS[m.id]]
        else:  # done on the due date, late morning
            events.append((local(m.due.isoformat(), "11:00"), m.id, Status.DONE, None, None))
    return sorted(events, key=lambda e: e[0])


def email_only(plan):
    people = {pid: replace(p, contacts=tuple(c for c in p.contacts if "://" not in c))
              for pid, p in plan.people.items()}
    return replace(plan, people=people)


@pytest.mark.slow
def test_a_hundred_days_of_chasing_arrive_exactly_as_the_policy_says(tmp_path, smtp, capsys):
    [result] = load_plans([PLAN_FILE])
    assert result.ok, result.problems
    plan = email_only(result.plan)
    email_of = {p.id: p.contacts[0] for p in plan.people.values()}
    cal = working_calendar(plan.calendar)
    ws = Workspace(Store(f"sqlite:///{tmp_path / 'sim.db'}"), tmp_path)
    events = script(plan)
    dispatcher = AppriseDispatcher(smtp_url=smtp.url)

    expected: set[tuple[date, str, str, str]] = set()
    seen_keys: set[str] = set()
    received: set[tuple[date, str, str, str]] = set()
    received_count = 0
    sends_by_clock: dict[str, int] = {}
    day = date(2026, 10, 5)
    ws.ensure_synced(plan, local("2026-10-05", "00:00"))
    history: list[StatusEntry] = []
    while day <= date(2027, 1, 13):
        for run in RUNS_UTC:
            now = datetime.combine(day, run, tzinfo=UTC)
            while events and events[0][0] <= now:
                at, mid, status, forecast, reason = events.pop(0)
                ws.store.record(plan.id, mid, status, at, forecast=forecast, reason=reason,
                                by=plan.milestone(mid).owner)
                history.append(StatusEntry(mid, status, at, forecast=forecast, reason=reason))
            statuses = fold(history, plan.timezone)
            # milestones, and the RAID log's reviews and decisions (none answered here)
            for n in due_notifications(plan, statuses, now) + raid_notifications(
                    plan, fold_raid(plan, []), now):
                if n.key not in seen_keys:
                    seen_keys.add(n.key)
                    expected.add((day, email_of[n.recipient], n.milestone_id, n.step))
            queue_due(ws, plan, now, sync=False)
            dispatch_pending(ws.store, dispatcher, now)
            got = smtp.take()
            if got:
                clock = pendulum.instance(now).in_timezone(TZ)
                sends_by_clock[f"{clock:%H:%M}"] = sends_by_clock.get(f"{clock:%H:%M}", 0) + len(got)
                assert time(8, 30) <= clock.time() < time(17, 0), f"sent at {clock} plan time"
                assert cal.is_working_day(clock.date()), f"sent on {clock.date()}, not a working day"
            for msg in got:
                received_count += 1
                for mid, step in REF.findall(msg.body("plain")):
                    received.add((day, msg.rcpt[0], mid, step))
        day += timedelta(days=1)

    assert received == expected
    assert len(received) == len(seen_keys), "each notification arrived once"
    assert not any(date(2026, 12, 25) <= d <= date(2027, 1, 3) for d, *_ in received)
    assert "08:45" in sends_by_clock  # 07:45 UTC in October (BST)
    assert "07:45" not in sends_by_clock  # the same run in GMT: quiet hours
    grace, david, martin = (email_of[p] for p in ("grace-adeyemi", "david-lowe", "martin-okafor"))
    assert (date(2026, 11, 18), david, "vcs-capacity-survey", "escalate-manager") in received
    assert (date(2026, 11, 25), martin, "vcs-capacity-survey", "escalate-sponsor") in received
    chases = sorted(d for d, who, mid, step in received
                    if who == grace and mid == "vcs-capacity-survey" and step.startswith("chase-"))
    assert chases[0] == date(2026, 11, 17) and all(cal.is_working_day(d) for d in chases)
    lead_blocked = [step for d, who, mid, step in received if mid == "data-sharing-agreement"
                    and step.startswith("blocked-")]
    # blocked Mon 2 Nov 10:00 to Mon 16 Nov 12:00: the lead hears on the 2nd, 4th, 6th, 10th
    # and 12th; blocked-6 (the 16th) never falls due in a run before it is unblocked at noon
    assert sorted(lead_blocked) == ["blocked-1", "blocked-2", "blocked-3", "blocked-4", "blocked-5"]
    with capsys.disabled():
        print(f"\n100-day simulation: {len(received)} notifications in {received_count} emails, "
              f"sends by London clock time {dict(sorted(sends_by_clock.items()))}")
