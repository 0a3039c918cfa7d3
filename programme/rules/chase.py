"""The chase policy: which reminders, chases and escalations are due at an instant.

Pure: a plan, each milestone's current status and `now` in; notifications out. No store, no
clock, no channel, so a whole 100-day plan can be simulated day by day and the rules tested as
a table.

The rules (every number comes from `Plan.policy_for(m)`: milestone > plan > defaults):

* Nothing is due outside a working day of the plan's calendar or outside the milestone's
  sending window (plan time, start inclusive, end exclusive). A step that falls in quiet hours
  is simply not returned until the next run inside a window: it waits, it is not lost.
* Done or dropped: nothing at all. Reporting is `enabled: false`: nothing at all.
* Blocked: the lead is told at once (the first window on or after the day it was blocked), then
  every `blocked_every` working days while it stays blocked. While blocked the owner is not
  chased and nobody is escalated to: the blocked ladder replaces them. A new blocked episode
  (blocked again after being unblocked) starts a new ladder, keyed by the day it started.
* Owner ladder: reminders `before` working days ahead of the owner's date R, `due-day` on R,
  then `chase-N` every `chase_every` working days after D, N = 1, 2, ... R is the owner's
  forecast when they gave one, else the due date; D = the later of the due date and R. So an
  owner's forecast moves the reminders (earlier or later) and, when later, the chasing too: an
  owner who has named a new date is not silent, and the slip shows in the ratings instead.
* Escalations: to the owner's manager (the lead when they have none) once D is
  `escalate_to_manager_after` working days past, to the sponsor once it is
  `escalate_to_sponsor_after` working days past. A role held by the owner themself is skipped.

Catch-up (when the engine did not run at a step's time): each ladder returns only its latest
step whose day has come. A step missed on its day is therefore still sent, once, on the next run
inside a window, unless a later step of the same ladder is already due, which supersedes it
(after a three-day outage the owner gets `chase-2`, not `due-day`, `chase-1` and `chase-2` at
once). The escalation steps are ladders of one, so a missed escalation is always sent late, and
both go out when the engine was down across both. Steps are keyed by the date their ladder
counts from (`anchor`), so a moved date re-arms the ladder, while the same step for the same
date is never produced with a different key: the outbox's unique key makes re-returning an
already-sent step harmless, and it is what stops a second send, not this module.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from programme.rules.model import (
    DEFAULT_POLICY,
    CurrentStatus,
    Milestone,
    Plan,
    ReminderPolicy,
    Status,
)
from programme.rules.workdays import WorkingCalendar, local_time, plan_today, working_calendar

OWNER, MANAGER, SPONSOR, LEAD = "owner", "manager", "sponsor", "lead"
DUE_DAY = "due-day"
ESCALATE_MANAGER, ESCALATE_SPONSOR = "escalate-manager", "escalate-sponsor"


@dataclass(frozen=True, slots=True)
class Notification:
    """One step of one ladder for one person. `key` is what makes a second send impossible."""

    plan_id: str
    milestone_id: str
    step: str  # reminder-5, reminder-1, due-day, chase-N, escalate-manager, escalate-sponsor, blocked-N
    anchor: date  # the date the ladder counts from: the owner's date, or the day it was blocked
    recipient: str  # person id in the plan
    role: str  # owner, manager, sponsor or lead: why this person
    scheduled: date  # the working day the step fell due (earlier than today when caught up)

    @property
    def ref(self) -> str:
        return f"{self.step}@{self.anchor.isoformat()}"

    @property
    def key(self) -> str:
        return f"{self.plan_id}/{self.milestone_id}/{self.ref}/{self.recipient}"


def reminder_step(days_before: int) -> str:
    return DUE_DAY if days_before == 0 else f"reminder-{days_before}"


_CLOCK = re.compile(r"^([01]?\d|2[0-3]):[0-5]\d$|^24:00$")


def parse_window(value: object) -> tuple[str, str]:
    """A sending window as leads write it ('09:00-17:00' or ['09:00', '17:00']) as two 'HH:MM'
    texts, start before end; ValueError otherwise."""
    parts = value.split("-") if isinstance(value, str) else value
    if isinstance(parts, (list, tuple)) and len(parts) == 2 and all(
            isinstance(p, str) and _CLOCK.match(p.strip()) for p in parts):
        start, end = (p.strip().zfill(5) for p in parts)
        if start < end:
            return start, end
    raise ValueError(f"a sending window is written like '09:00-17:00', not {value!r}")


def window_times(window: tuple[str, str] | list[str] | None) -> tuple[time, time]:
    """The window's opening and closing times (start inclusive, end exclusive); None is all day."""
    start, end = window or ("00:00", "24:00")
    return time.fromisoformat(start), (time.max if end == "24:00" else time.fromisoformat(end))


def due_notifications(plan: Plan, statuses: Mapping[str, CurrentStatus],
                      now: datetime) -> list[Notification]:
    """Every notification due at `now` (aware), in plan order; see the module docstring."""
    cal = working_calendar(plan.calendar)
    local = local_time(now, plan.timezone)
    today = local.date()
    if not cal.is_working_day(today):
        return []
    clock = time(local.hour, local.minute, local.second)
    blank = CurrentStatus()
    out: list[Notification] = []
    for m in plan.milestones:
        policy = plan.policy_for(m)
        start, end = window_times(policy.window)
        if not policy.enabled or not (start <= clock < end):
            continue
        st = statuses.get(m.id, blank)
        if st.status.is_closed:
            continue
        if st.status == Status.BLOCKED:
            out.extend(_blocked(plan, m, st, policy, cal, today))
            continue
        out.extend(_owner_and_escalations(plan, m, st, policy, cal, today))
    return highest_step_per_person(out)


STEP_RANK = {ESCALATE_SPONSOR: 2, ESCALATE_MANAGER: 1}  # every other step: 0


def highest_step_per_person(notifications: list[Notification]) -> list[Notification]:
    """One step per milestone per person: a manager who is also the sponsor (or the lead told as
    the owner's manager and as sponsor) is due both escalations of an overdue milestone; only
    the higher, the sponsor's, is returned, in the place of the first. Returned again on every
    later run while it stays overdue, so the lower step is never queued, nor sent, later; a
    lower step already sent on an earlier day is simply not repeated. Order otherwise kept."""
    best: dict[tuple[str, str], Notification] = {}
    for n in notifications:
        key = (n.milestone_id, n.recipient)
        held = best.get(key)
        if held is None or STEP_RANK.get(n.step, 0) > STEP_RANK.get(held.step, 0):
            best[key] = n
    placed: set[tuple[str, str]] = set()
    out = []
    for n in notifications:
        key = (n.milestone_id, n.recipient)
        if key not in placed:
            placed.add(key)
            out.append(best[key])
    return out


def _blocked(plan: Plan, m: Milestone, st: CurrentStatus, policy: ReminderPolicy,
             cal: WorkingCalendar, today: date) -> list[Notification]:
    began = plan_today(st.since, plan.timezone) if st.since else today
    first = cal.add(began, 0)
    if today < first:
        return []
    every = policy.blocked_every or 0
    n = 1 + (cal.between(first, today) // every if every > 0 else 0)
    scheduled = cal.add(first, (n - 1) * every) if n > 1 else first
    return [Notification(plan.id, m.id, f"blocked-{n}", began, plan.lead, LEAD, scheduled)]


def _owner_and_escalations(plan: Plan, m: Milestone, st: CurrentStatus, policy: ReminderPolicy,
                           cal: WorkingCalendar, today: date) -> list[Notification]:
    r_day = st.forecast or m.due
    d_day = max(m.due, r_day)
    owner_step, late, manager_day, sponsor_day = _ladder(r_day, d_day, policy, cal, today)
    out: list[Notification] = []
    if owner_step is not None:
        step, anchor, scheduled = owner_step
        out.append(Notification(plan.id, m.id, step, anchor, m.owner, OWNER, scheduled))
    if late:
        if manager_day is not None:
            manager = _manager(plan, m.owner)
            if manager and manager != m.owner:
                out.append(Notification(plan.id, m.id, ESCALATE_MANAGER, d_day, manager, MANAGER,
                                        manager_day))
        if sponsor_day is not None and plan.sponsor and plan.sponsor != m.owner:
            out.append(Notification(plan.id, m.id, ESCALATE_SPONSOR, d_day, plan.sponsor, SPONSOR,
                                    sponsor_day))
    return out


def _ladder(r_day: date, d_day: date, policy: ReminderPolicy, cal: WorkingCalendar,
            today: date) -> tuple[tuple[str, date, date] | None, int, date | None, date | None]:
    """Where the owner ladder stands today and which escalations are due, for these dates."""
    late = cal.between(d_day, today) if today > d_day else 0  # working days past D
    every = policy.chase_every or 0
    chases = late // every if every > 0 else 0
    owner_step: tuple[str, date, date] | None = None
    if chases:
        owner_step = (f"chase-{chases}", d_day, cal.add(d_day, chases * every))
    else:
        latest: tuple[date, int] | None = None
        for before in policy.before or ():
            day = _reminder_day(cal, r_day, before)
            if day <= today and (latest is None or day > latest[0]
                                 or (day == latest[0] and before < latest[1])):
                latest = (day, before)
        if latest is not None:
            owner_step = (reminder_step(latest[1]), r_day, latest[0])
    after = policy.escalate_to_manager_after
    manager_day = cal.add(d_day, after) if late and after and late >= after else None
    after = policy.escalate_to_sponsor_after
    sponsor_day = cal.add(d_day, after) if late and after and late >= after else None
    return owner_step, late, manager_day, sponsor_day


def _reminder_day(cal: WorkingCalendar, target: date, before: int) -> date:
    """The working day `before` working days ahead of `target`; for 0, the target itself or, when
    it is not a working day, the last working day before it (never after the date)."""
    if before == 0:
        return target if cal.is_working_day(target) else cal.add(target, -1)
    return cal.add(target, -before)


def _manager(plan: Plan, person_id: str) -> str | None:
    person = plan.people.get(person_id)
    if person is not None and person.manager:
        return person.manager
    return plan.lead


def sending_rule(plan: Plan, milestone: Milestone) -> dict:
    """What the sender needs to keep a queued step inside its window (JSON-ready), so a retry
    after an outage, or `programme outbox retry` at night, still never sends in quiet hours."""
    return _rule(plan, plan.policy_for(milestone))


def plan_sending_rule(plan: Plan) -> dict:
    """The sending rule of a message about the whole plan (the lead's rating notice)."""
    return _rule(plan, plan.reminders.over(DEFAULT_POLICY))


def _rule(plan: Plan, policy: ReminderPolicy) -> dict:
    cal = plan.calendar
    return {"timezone": plan.timezone, "window": list(policy.window or ("00:00", "24:00")),
            "region": cal.region, "weekends": sorted(cal.weekends),
            "closures": sorted(d.isoformat() for d in cal.closures)}


def next_sending_time(rule: dict, now: datetime) -> datetime | None:
    """None when `now` is inside the rule's window on a working day; else the next window's
    opening (aware, UTC)."""
    import pendulum

    from programme.rules.model import Calendar

    cal = working_calendar(Calendar(region=rule["region"], weekends=frozenset(rule["weekends"]),
                                    closures=frozenset(date.fromisoformat(d)
                                                       for d in rule["closures"])))
    start, end = window_times(rule["window"])
    local = local_time(now, rule["timezone"])
    today = local.date()
    clock = time(local.hour, local.minute, local.second)
    if cal.is_working_day(today) and start <= clock < end:
        return None
    day = today if cal.is_working_day(today) and clock < start else cal.add(today, 1)
    opening = pendulum.datetime(day.year, day.month, day.day, start.hour, start.minute,
                                tz=rule["timezone"]).in_timezone("UTC")
    return datetime.fromtimestamp(opening.timestamp(), tz=UTC)
