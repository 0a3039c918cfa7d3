"""The preview of a plan's notifications from what is stored: its statuses and its outbox.

The simulation itself is pure (`programme.rules.preview`); here it is given the statuses the
store holds and the keys the outbox already has (those are never sent again), so the preview is
what the chase will send from now on, not what it would send on a blank slate.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from programme.rules.model import Plan
from programme.rules.preview import Planned, next_run, quiet_reason, simulate
from programme.rules.workdays import local_time
from programme.store.outbox import PENDING, SENDING, Outbox
from programme.usecases.workspace import Workspace, current_moment

DEFAULT_DAYS = 14  # the preview's span when no --until is given: the next two weeks
NEXT_HORIZON = 31  # how far "what comes next" looks


@dataclass(frozen=True)
class PlanPreview:
    plan: Plan
    start: datetime
    until: date
    on_time: bool
    planned: tuple[Planned, ...]
    waiting: int  # already in the outbox, not sent yet (they go out at the next run)


def preview_plan(ws: Workspace, plan: Plan, start: datetime, until: date,
                 on_time: bool = False) -> PlanPreview:
    """What the chase will send for `plan` from `start` to the end of `until` (plan date)."""
    ws.ensure_synced(plan, current_moment())
    statuses = ws.store.statuses(plan.id, plan.timezone, as_of=start)
    raid = ws.state(plan, start, sync=False).raid if plan.raid else None
    planned = simulate(plan, statuses, start, until, on_time=on_time, raid=raid)
    outbox = Outbox(ws.store)
    known = outbox.known([p.key for p in planned])
    waiting = sum(1 for r in outbox.rows([PENDING, SENDING], plan_id=plan.id))
    return PlanPreview(plan, start, until, on_time,
                       tuple(p for p in planned if p.key not in known), waiting)


def default_until(plan: Plan, start: datetime) -> date:
    return local_time(start, plan.timezone).date() + timedelta(days=DEFAULT_DAYS)


@dataclass(frozen=True)
class Quiet:
    """Why nothing new went out for a plan at a moment, and what comes next."""

    plan: Plan
    reason: str  # in words, starting with a capital
    next_window: datetime | None  # the next opening of a sending window on a working day
    next_send: datetime | None  # the first moment something will be sent (within NEXT_HORIZON)
    count: int  # notifications at next_send
    people: int  # distinct recipients at next_send


def why_quiet(ws: Workspace, plan: Plan, now: datetime, already_sent: int = 0) -> Quiet:
    """The reason nothing new is due for `plan` at `now` (the calendar, the clock, everything
    due already sent, or all clear) and, from the preview, when the next notifications go."""
    reason = quiet_reason(plan, now)
    if reason is None:
        reason = ("everything due now has already been sent" if already_sent
                  else "all clear: nothing is due now")
    until = local_time(now, plan.timezone).date() + timedelta(days=NEXT_HORIZON)
    upcoming = [p for p in preview_plan(ws, plan, now, until).planned if p.at > now]
    first = upcoming[0].at if upcoming else None
    at_first = [p for p in upcoming if p.at == first]
    return Quiet(plan, reason[0].upper() + reason[1:], next_run(plan, now), first, len(at_first),
                 len({p.notification.recipient for p in at_first}))
