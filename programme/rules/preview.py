"""The preview: every notification the chase will send over a span of days, before it is sent.

Computed by running the chase policy itself (`programme.rules.chase.due_notifications`) at each
moment the chase runs, with the outbox's rule that a key is sent once, so what the preview shows
is what the chase then does, by construction rather than by a second set of rules:

* The chase runs on each working day of the plan's calendar at the opening of each sending
  window its milestones use (09:00 plan time for the default window, when the served tracking
  runs); on the first day, if `start` falls inside a window, also at `start` itself (what
  `programme chase` would send now). Moments are wall-clock times in the plan's timezone, so
  09:00 stays 09:00 across the clock change. The day and the key of each notification do not
  depend on the hour the chase runs inside a window (the ladders count working days), so a
  chase run later in the window sends the same, later that day.
* A key is sent the first time the policy returns it and never again, and a key already in the
  outbox (`already`) is not sent at all: the outbox's unique key is what stops a second send.
* Nobody answers: the statuses stay as they are at `start`, so the ladders run on (reminders,
  chases, escalations, blocked reminders to the lead). With `on_time`, each open milestone due in
  the span is instead checked in done at 12:00 plan time on its due day (one due before `start`
  stays open: it is already late), and that check-in's follow-ups (`programme.rules.followup`:
  "you can start", "rating changed") go out then, or at the next window's opening when that
  moment is outside its window, as the dispatcher defers them.

Pure: the plan, the statuses and the moments in; notifications with the moment each is sent out.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import pendulum

from programme.rules.assess import Assessment, assess
from programme.rules.chase import (
    Notification,
    due_notifications,
    next_sending_time,
    plan_sending_rule,
    sending_rule,
    window_times,
)
from programme.rules.followup import follow_up_notifications
from programme.rules.model import CurrentStatus, Plan, Status
from programme.rules.raid import RaidView, raid_notifications
from programme.rules.workdays import local_time, working_calendar

CHECKIN_TIME = time(12, 0)  # when --assume-on-time has each owner answer on their due day
RUN, CHECK_IN, FOLLOW_UP = 0, 1, 2


@dataclass(frozen=True, slots=True)
class Planned:
    """One notification and the moment it is sent (aware, in the plan's timezone)."""

    notification: Notification
    at: datetime
    follow_up: bool = False  # a check-in's follow-up rather than a step of a chase ladder

    @property
    def day(self) -> date:
        return self.at.date()

    @property
    def key(self) -> str:
        return self.notification.key


def windows(plan: Plan) -> list[tuple[time, time]]:
    """The distinct sending windows (opening, closing) of the plan's chased milestones, earliest
    opening first."""
    found = set()
    for m in plan.milestones:
        policy = plan.policy_for(m)
        if policy.enabled:
            found.add(window_times(policy.window))
    return sorted(found)


def _moment(day: date, clock: time, timezone: str) -> datetime:
    return pendulum.datetime(day.year, day.month, day.day, clock.hour, clock.minute,
                             clock.second, tz=timezone)


def run_moments(plan: Plan, start: datetime, until: date) -> list[datetime]:
    """When the chase runs from `start` (aware) to the end of `until` (plan date), in order."""
    cal = working_calendar(plan.calendar)
    opened = windows(plan)
    first = local_time(start, plan.timezone)
    clock = time(first.hour, first.minute, first.second)
    out: list[datetime] = []
    day = first.date()
    while day <= until:
        if cal.is_working_day(day):
            today: set[datetime] = set()
            for opening, closing in opened:
                if day == first.date() and clock >= opening:
                    if clock < closing:
                        today.add(first)
                    continue
                today.add(_moment(day, opening, plan.timezone))
            out.extend(sorted(today))
        day += timedelta(days=1)
    return out


def simulate(plan: Plan, statuses: Mapping[str, CurrentStatus], start: datetime, until: date, *,
             on_time: bool = False, already: Iterable[str] = (),
             raid: Mapping[str, RaidView] | None = None) -> list[Planned]:
    """Every notification sent from `start` (aware) to the end of `until` (a plan date), in the
    order they go out; see the module docstring. `raid`: the plan's RAID items as they stand at
    `start`: their reviews and decisions are chased by the same ladder, nobody answering
    (`on_time` is about milestones)."""
    tz = plan.timezone
    current = dict(statuses)
    seen = set(already)
    steps: set[tuple] = set()
    out: list[Planned] = []
    # (moment, kind, sequence, what): at one moment the chase runs first, then check-ins are
    # recorded (in plan order), then their follow-ups go out
    events: list[tuple[datetime, int, int, str | Notification | None]] = [
        (moment, RUN, i, None) for i, moment in enumerate(run_moments(plan, start, until))]
    if on_time:
        first_day = local_time(start, tz).date()
        for i, m in enumerate(plan.milestones):
            st = current.get(m.id)
            if (st is not None and st.status.is_closed) or not first_day <= m.due <= until:
                continue
            events.append((max(_moment(m.due, CHECKIN_TIME, tz), start), CHECK_IN, i, m.id))
    heapq.heapify(events)
    sequence = len(events)
    last_checkin: tuple[datetime, Assessment] | None = None  # (moment, assessment after it)
    while events:
        moment, kind, _, what = heapq.heappop(events)
        if kind == RUN:
            due = due_notifications(plan, current, moment)
            if raid:
                due = due + raid_notifications(plan, raid, moment)
            for n in due:
                step = (n.milestone_id, n.step, n.anchor, n.recipient)  # the key, cheaper
                if step not in steps:
                    steps.add(step)
                    if n.key not in seen:
                        seen.add(n.key)
                        out.append(Planned(n, moment))
        elif isinstance(what, str):  # CHECK_IN of the milestone with that id
            before = (last_checkin[1] if last_checkin and last_checkin[0] == moment
                      else assess(plan, current, moment))
            current[what] = CurrentStatus(Status.DONE, since=moment, done_on=plan.by_id[what].due,
                                          by=plan.by_id[what].owner)
            after = assess(plan, current, moment)
            last_checkin = (moment, after)
            for n in follow_up_notifications(after, what, before.rating, after.rating):
                if n.key in seen:
                    continue
                seen.add(n.key)
                rule = (sending_rule(plan, plan.by_id[n.milestone_id]) if n.milestone_id in plan.by_id
                        else plan_sending_rule(plan))
                opening = next_sending_time(rule, moment)
                at = moment if opening is None else local_time(opening, tz)
                if at.date() <= until:
                    sequence += 1
                    heapq.heappush(events, (at, FOLLOW_UP, sequence, n))
        elif what is not None:  # FOLLOW_UP: the notification
            out.append(Planned(what, moment, follow_up=True))
    return out



def window_words(plan: Plan) -> str:
    """'09:00–17:00 Europe/London' (or '09:00–17:00 or 13:00–15:00 Europe/London')."""
    spans = [f"{a:%H:%M}–{'24:00' if b == time.max else f'{b:%H:%M}'}" for a, b in windows(plan)]
    return f"{' or '.join(spans) or 'no window'} {plan.timezone}"


def quiet_reason(plan: Plan, now: datetime) -> str | None:
    """Why nothing can go out for `plan` at `now` because of the calendar or the clock, in
    words ('Saturday 5 December is not a working day', 'Christmas Day is a bank holiday',
    'outside the sending window (09:00–17:00 Europe/London)'); None when `now` is inside a
    sending window on a working day."""
    cal = working_calendar(plan.calendar)
    local = local_time(now, plan.timezone)
    today = local.date()
    if not cal.is_working_day(today):
        name = cal.holiday_name(today)
        day = f"{today:%A} {today.day} {today:%B}"
        if name == "closure":
            return f"{day} is a closure day in the plan's calendar"
        if name:
            return f"{day} is a bank holiday ({name})"
        return f"{day} is not a working day"
    clock = time(local.hour, local.minute, local.second)
    if not windows(plan):
        return "reminders are switched off for every milestone of this plan (enabled: false)"
    if not any(opening <= clock < closing for opening, closing in windows(plan)):
        return f"outside the sending window ({window_words(plan)})"
    return None


def next_run(plan: Plan, now: datetime, horizon: int = 366) -> datetime | None:
    """The next moment after `now` at which the chase runs for `plan` (a window's opening on a
    working day), or None within `horizon` days."""
    until = local_time(now, plan.timezone).date() + timedelta(days=horizon)
    return next((m for m in run_moments(plan, now, until) if m > now), None)
