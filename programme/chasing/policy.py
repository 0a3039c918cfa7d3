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

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from ..model import CurrentStatus, Milestone, Plan, ReminderPolicy, Status
from ..workdays import WorkingCalendar, local_time, plan_today, working_calendar

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


def _window(policy: ReminderPolicy) -> tuple[time, time]:
    start, end = policy.window or ("00:00", "24:00")
    return time.fromisoformat(start), (time.max if end == "24:00" else time.fromisoformat(end))


class _Policies:
    """policy_for(m) builds two dataclasses; most milestones share one override, so cache it
    (by identity first: hashing a ReminderPolicy is dearer than a dict hit on its id)."""

    def __init__(self, plan: Plan):
        self.plan = plan
        self._cache: dict[int, tuple[ReminderPolicy, tuple[time, time]]] = {}
        self._by_value: dict[ReminderPolicy, tuple[ReminderPolicy, tuple[time, time]]] = {}

    def get(self, m: Milestone) -> tuple[ReminderPolicy, tuple[time, time]]:
        hit = self._cache.get(id(m.reminders))
        if hit is None:
            hit = self._by_value.get(m.reminders)
            if hit is None:
                policy = self.plan.policy_for(m)
                hit = self._by_value[m.reminders] = (policy, _window(policy))
            self._cache[id(m.reminders)] = hit
        return hit


class _Memo:
    """The working calendar with answers remembered for one evaluation: thousands of milestones
    share a few dozen due dates."""

    def __init__(self, cal: WorkingCalendar, timezone: str):
        self.cal = cal
        self.timezone = timezone
        self._add: dict[tuple[date, int], date] = {}
        self._between: dict[tuple[date, date], int] = {}
        self._working: dict[date, bool] = {}
        self._days: dict[datetime, date] = {}
        self.ladders: dict[tuple, tuple] = {}  # (R, D, policy id) -> _ladder(...)

    def add(self, day: date, n: int) -> date:
        key = (day, n)
        hit = self._add.get(key)
        if hit is None:
            hit = self._add[key] = self.cal.add(day, n)
        return hit

    def between(self, start: date, end: date) -> int:
        key = (start, end)
        hit = self._between.get(key)
        if hit is None:
            hit = self._between[key] = self.cal.between(start, end)
        return hit

    def is_working_day(self, day: date) -> bool:
        hit = self._working.get(day)
        if hit is None:
            hit = self._working[day] = self.cal.is_working_day(day)
        return hit

    def next_working_day(self, day: date) -> date:
        return self.add(day, 0)

    def plan_day(self, moment: datetime) -> date:
        hit = self._days.get(moment)
        if hit is None:
            hit = self._days[moment] = plan_today(moment, self.timezone)
        return hit


def due_notifications(plan: Plan, statuses: Mapping[str, CurrentStatus],
                      now: datetime) -> list[Notification]:
    """Every notification due at `now` (aware), in plan order; see the module docstring."""
    cal = _Memo(working_calendar(plan.calendar), plan.timezone)
    local = local_time(now, plan.timezone)
    today = local.date()
    if not cal.is_working_day(today):
        return []
    clock = time(local.hour, local.minute, local.second)
    policies = _Policies(plan)
    blank = CurrentStatus()
    out: list[Notification] = []
    for m in plan.milestones:
        policy, (start, end) = policies.get(m)
        if not policy.enabled or not (start <= clock < end):
            continue
        st = statuses.get(m.id, blank)
        if st.status.is_closed:
            continue
        if st.status == Status.BLOCKED:
            out.extend(_blocked(plan, m, st, policy, cal, today))
            continue
        out.extend(_owner_and_escalations(plan, m, st, policy, cal, today))
    return out


def _blocked(plan: Plan, m: Milestone, st: CurrentStatus, policy: ReminderPolicy,
             cal: _Memo, today: date) -> list[Notification]:
    began = cal.plan_day(st.since) if st.since else today
    first = cal.next_working_day(began)
    if today < first:
        return []
    every = policy.blocked_every or 0
    n = 1 + (cal.between(first, today) // every if every > 0 else 0)
    scheduled = cal.add(first, (n - 1) * every) if n > 1 else first
    return [Notification(plan.id, m.id, f"blocked-{n}", began, plan.lead, LEAD, scheduled)]


def _owner_and_escalations(plan: Plan, m: Milestone, st: CurrentStatus, policy: ReminderPolicy,
                           cal: _Memo, today: date) -> list[Notification]:
    r_day = st.forecast or m.due
    d_day = max(m.due, r_day)
    key = (r_day, d_day, id(policy))
    ladder = cal.ladders.get(key)
    if ladder is None:  # milestones sharing dates and policy share the ladder's position
        ladder = cal.ladders[key] = _ladder(r_day, d_day, policy, cal, today)
    owner_step, late, manager_day, sponsor_day = ladder
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


def _ladder(r_day: date, d_day: date, policy: ReminderPolicy, cal: _Memo, today: date):
    """Where the owner ladder stands today and which escalations are due, for these dates."""
    late = cal.between(d_day, today) if today > d_day else 0  # working days past D
    every = policy.chase_every or 0
    chases = late // every if every > 0 else 0
    owner_step = None
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


def _reminder_day(cal: WorkingCalendar | _Memo, target: date, before: int) -> date:
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
    policy = plan.policy_for(milestone)
    cal = plan.calendar
    return {"timezone": plan.timezone, "window": list(policy.window or ("00:00", "24:00")),
            "region": cal.region, "weekends": sorted(cal.weekends),
            "closures": sorted(d.isoformat() for d in cal.closures)}


def next_sending_time(rule: dict, now: datetime) -> datetime | None:
    """None when `now` is inside the rule's window on a working day; else the next window's
    opening (aware, UTC)."""
    import pendulum

    from ..model import Calendar

    cal = working_calendar(Calendar(region=rule["region"], weekends=frozenset(rule["weekends"]),
                                    closures=frozenset(date.fromisoformat(d)
                                                       for d in rule["closures"])))
    start_text, end_text = rule["window"]
    start = time.fromisoformat(start_text)
    end = time.max if end_text == "24:00" else time.fromisoformat(end_text)
    local = local_time(now, rule["timezone"])
    today = local.date()
    clock = time(local.hour, local.minute, local.second)
    if cal.is_working_day(today) and start <= clock < end:
        return None
    day = today if cal.is_working_day(today) and clock < start else cal.add(today, 1)
    opening = pendulum.datetime(day.year, day.month, day.day, start.hour, start.minute,
                                tz=rule["timezone"]).in_timezone("UTC")
    return datetime.fromtimestamp(opening.timestamp(), tz=UTC)


def schedule_of(plan: Plan, milestone: Milestone, status: CurrentStatus | None = None
                ) -> list[tuple[date, str, str]]:
    """The owner ladder and escalations as (day, step, recipient) for one milestone, ignoring
    windows and today: what the chase would send if nobody ever answered. For `programme chase
    --dry-run` listings and for tests to state expectations independently of `due_notifications`.
    Chases are listed for 20 working days past the date."""
    cal = working_calendar(plan.calendar)
    policy = plan.policy_for(milestone)
    st = status or CurrentStatus()
    r_day = st.forecast or milestone.due
    d_day = max(milestone.due, r_day)
    rows = [(_reminder_day(cal, r_day, b), reminder_step(b), milestone.owner)
            for b in policy.before or ()]
    every = policy.chase_every or 0
    if every:
        for n in range(1, 20 // every + 1):
            rows.append((cal.add(d_day, n * every), f"chase-{n}", milestone.owner))
    manager = _manager(plan, milestone.owner)
    if policy.escalate_to_manager_after and manager and manager != milestone.owner:
        rows.append((cal.add(d_day, policy.escalate_to_manager_after), ESCALATE_MANAGER, manager))
    if policy.escalate_to_sponsor_after and plan.sponsor and plan.sponsor != milestone.owner:
        rows.append((cal.add(d_day, policy.escalate_to_sponsor_after), ESCALATE_SPONSOR,
                     plan.sponsor))
    return sorted(rows)
