"""Recording a check-in: the one function behind the check-in page, the API and
`programme update`.

A check-in is appended to the status history with where it came from (`link`, `api`, `cli`) and
who gave it, is published as a Prefect event (`programme.milestone.*`) when a Prefect server is
configured, and then its follow-ups ("you can start" to owners it unblocked, "rating changed" to
the lead) are started by the `follow_up` callable the entry point passes in (see
`programme.compose`), after the history row is committed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from programme.planfiles.validation import suggest
from programme.rules.assess import Assessment
from programme.rules.model import Milestone, Plan, Status, StatusEntry
from programme.rules.workdays import plan_today
from programme.usecases.events import publish_change
from programme.usecases.workspace import Workspace, WorkspaceError

SOURCES = ("cli", "link", "api")


class CheckInError(WorkspaceError):
    """A check-in that cannot be recorded, in one line saying why (nothing was recorded)."""


@dataclass(frozen=True)
class CheckIn:
    """What a person reports about one milestone."""

    milestone_id: str
    status: Status | None = None  # None: the status stays (a forecast or a note)
    forecast: date | None = None  # the owner's own date
    note: str | None = None
    reason: str | None = None  # why it is blocked
    on: date | None = None  # the day it happened, when not today (done last Friday)
    by: str | None = None  # the person answering (a person id of the plan)
    source: str = "cli"
    clear_forecast: bool = False  # take the owner's forecast back: the due date stands again


@dataclass(frozen=True)
class Recorded:
    plan: Plan
    entry: StatusEntry
    before: Assessment
    after: Assessment
    published: bool  # emitted as a Prefect event
    startable: tuple[Milestone, ...]  # open milestones this check-in unblocked
    warnings: tuple[str, ...] = ()  # recorded, but probably not meant (a forecast past the end)

    @property
    def rating_changed(self) -> bool:
        return self.before.rating != self.after.rating


FollowUp = Callable[[Recorded, datetime], str | None]


def check(plan: Plan, checkin: CheckIn, today: date) -> None:
    """Refuse, in one line, what cannot be recorded; the store is not touched."""
    ids = [m.id for m in plan.milestones]
    if checkin.milestone_id not in ids:
        raise CheckInError(f"unknown milestone '{checkin.milestone_id}' in plan '{plan.id}'"
                           f"{suggest(checkin.milestone_id, ids)}")
    if checkin.source not in SOURCES:
        raise CheckInError(f"unknown check-in source '{checkin.source}'")
    if checkin.by is not None and checkin.by not in plan.people:
        raise CheckInError(f"'{checkin.by}' is not a person in plan '{plan.id}'"
                           f"{suggest(checkin.by, list(plan.people))}")
    if checkin.status == Status.BLOCKED and not (checkin.reason or "").strip():
        raise CheckInError("a blocked milestone needs a reason, e.g. \"waiting for legal sign-off\"")
    if checkin.clear_forecast and checkin.forecast is not None:
        raise CheckInError("give a new forecast date or clear the forecast, not both")
    if checkin.status is None and checkin.forecast is None and not checkin.clear_forecast \
            and not (checkin.note or "").strip():
        raise CheckInError("say what changed: done, in progress, blocked with a reason, a new "
                           "date or a note")
    if checkin.on is not None:
        if checkin.on > today:
            raise CheckInError(f"the day it happened ({checkin.on:%-d %B %Y}) is in the future")
        if checkin.on < plan.start:
            raise CheckInError(f"the day it happened ({checkin.on:%-d %B %Y}) is before the plan "
                               f"starts ({plan.start:%-d %B %Y})")


def warnings(plan: Plan, checkin: CheckIn) -> tuple[str, ...]:
    """What is recorded but probably not meant: a forecast before the plan starts or after it
    ends (the owner may know something the plan does not; the lead should hear of it)."""
    day = checkin.forecast
    if day is None:
        return ()
    if day < plan.start:
        return (f"the forecast {day:%-d %B %Y} is before the plan starts ({plan.start:%-d %B %Y})",)
    if plan.end is not None and day > plan.end:
        return (f"the forecast {day:%-d %B %Y} is after the plan ends ({plan.end:%-d %B %Y}): "
                "the plan will finish late unless this moves",)
    return ()


def newly_startable(before: Assessment, after: Assessment, changed: str) -> tuple[Milestone, ...]:
    from programme.rules.followup import newly_startable as startable

    was = {m.id for m in startable(before, changed)}
    return tuple(m for m in startable(after, changed) if m.id not in was)


def record_checkin(ws: Workspace, plan: Plan, checkin: CheckIn, now: datetime,
                   follow_up: FollowUp | None = None, *, form_key: str | None = None,
                   link_hash: str = "") -> tuple[Recorded, str | None]:
    """Record `checkin` at `now`, publish it, then run `follow_up` (which says what it did).

    `form_key`: the idempotency key of the form that carried it (the check-in page): claimed in
    the transaction that appends the history row, so the same form posted twice records once
    (the second raises `programme.store.links.AlreadyPosted`, recording nothing)."""
    check(plan, checkin, plan_today(now, plan.timezone))
    ws.ensure_synced(plan, now)
    before = ws.state(plan, now, sync=False).assessment
    also = None
    if form_key is not None:
        from programme.store.links import claim_form

        def also(conn) -> None:
            claim_form(conn, form_key, link_hash, now)

    entry = ws.store.record(
        plan.id, checkin.milestone_id, checkin.status, now, by=checkin.by,
        note=(checkin.note or "").strip() or None, reason=(checkin.reason or "").strip() or None,
        forecast=checkin.forecast, source=checkin.source, happened_on=checkin.on,
        forecast_cleared=checkin.clear_forecast, also=also)
    after = ws.state(plan, now, sync=False).assessment
    published = publish_change(plan, entry, before, after)
    recorded = Recorded(plan, entry, before, after, published,
                        newly_startable(before, after, checkin.milestone_id),
                        warnings(plan, checkin))
    said = follow_up(recorded, now) if follow_up is not None else None
    return recorded, said
