"""Reviewing the RAID log: the functions behind `programme raid` and (later) the check-in page.

An owner reviews a risk (or an issue, assumption or dependency): still valid, with a new
likelihood and impact if it changed and optionally the date of the next review, or closed. An
owner records a decision. Each is appended to the store's RAID history; the plan file keeps the
log itself. Refused in one line, with nothing recorded, when the item, the person or the values
are wrong. `raid_due_items` is what the chase queues for RAID owners.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from programme.planfiles.validation import suggest
from programme.rules.model import Plan, RaidItem
from programme.rules.raid import CLOSE, DECIDE, REVIEW, RaidEntry, RaidView, item_context, raid_notifications
from programme.rules.raid import fold as fold_raid
from programme.rules.workdays import plan_today
from programme.usecases.workspace import Workspace, WorkspaceError

SOURCES = ("cli", "link", "api")


class RaidError(WorkspaceError):
    """A review or decision that cannot be recorded, in one line (nothing was recorded)."""


@dataclass(frozen=True)
class Reviewed:
    before: RaidView
    after: RaidView
    entry: RaidEntry


def find_item(plan: Plan, item_id: str, kinds: tuple[str, ...] | None = None) -> RaidItem:
    """The RAID item with this id (or 'risk:R1' key), or a one-line error with a suggestion."""
    wanted = item_id.split(":", 1)[1] if ":" in item_id else item_id
    candidates = [i for i in plan.raid if kinds is None or i.kind in kinds]
    for item in candidates:
        if item.id == wanted or item.id.lower() == wanted.lower():
            return item
    what = " or ".join(kinds) if kinds else "RAID item"
    ids = [i.id for i in candidates]
    listing = f"; {what}s here: {', '.join(ids)}" if ids else f"; the plan has no {what}s"
    raise RaidError(f"unknown {what} '{item_id}' in plan '{plan.id}'{suggest(wanted, ids)}"
                    f"{listing}")


def _person(plan: Plan, by: str | None) -> None:
    if by is not None and by not in plan.people:
        raise RaidError(f"'{by}' is not a person in plan '{plan.id}'"
                        f"{suggest(by, list(plan.people))}")


def _current(ws: Workspace, plan: Plan, item: RaidItem, now: datetime) -> RaidView:
    return fold_raid(plan, ws.store.raid_history(plan.id, until=now))[item.key]


def review_risk(ws: Workspace, plan: Plan, item_id: str, now: datetime, *,
                likelihood: int | None = None, impact: int | None = None,
                next_review: date | None = None, close: bool = False, note: str | None = None,
                by: str | None = None, source: str = "cli") -> Reviewed:
    """Record a review of a risk, issue, assumption or dependency at `now`: still valid (with a
    new score when likelihood or impact changed, and the next review date when given) or, with
    `close`, closed. A decision is recorded with `record_decision` instead."""
    item = find_item(plan, item_id, ("risk", "issue", "assumption", "dependency"))
    _person(plan, by)
    if source not in SOURCES:
        raise RaidError(f"unknown source '{source}'")
    for name, value in (("likelihood", likelihood), ("impact", impact)):
        if value is not None and not (isinstance(value, int) and 1 <= value <= 5):
            raise RaidError(f"{name} should be a whole number from 1 to 5, not {value!r}")
    today = plan_today(now, plan.timezone)
    if next_review is not None and next_review <= today:
        raise RaidError(f"the next review ({next_review:%-d %B %Y}) should be after today "
                        f"({today:%-d %B %Y})")
    if close and (likelihood or impact or next_review):
        raise RaidError("a closed item needs no new score or review date: give --close alone "
                        "(with a note, if you like)")
    ws.ensure_synced(plan, now)
    before = _current(ws, plan, item, now)
    if not before.is_open:
        raise RaidError(f"{item.kind} '{item.id}' is already {before.status}")
    entry = ws.store.record_raid(plan.id, RaidEntry(
        item.key, CLOSE if close else REVIEW, now, by, likelihood, impact, next_review, None,
        (note or "").strip() or None, source))
    return Reviewed(before, _current(ws, plan, item, now), entry)


def record_decision(ws: Workspace, plan: Plan, item_id: str, decision: str, now: datetime, *,
                    by: str | None = None, note: str | None = None,
                    source: str = "cli") -> Reviewed:
    """Record that a decision in the RAID log was taken, and what was decided."""
    item = find_item(plan, item_id, ("decision",))
    _person(plan, by)
    if not (decision or "").strip():
        raise RaidError("say what was decided, e.g. --decision \"go with option B\"")
    ws.ensure_synced(plan, now)
    before = _current(ws, plan, item, now)
    if not before.is_open:
        raise RaidError(f"decision '{item.id}' was already recorded: {before.decision}")
    entry = ws.store.record_raid(plan.id, RaidEntry(
        item.key, DECIDE, now, by, None, None, None, decision.strip(),
        (note or "").strip() or None, source))
    return Reviewed(before, _current(ws, plan, item, now), entry)


def raid_due_items(state, now: datetime) -> list:
    """Outbox items for every RAID reminder, chase and escalation due at `now`, from a PlanState
    (its `raid` views): what `programme chase` and the tracking flow queue beside milestones'."""
    from programme.store.outbox import OutboxItem

    plan = state.plan
    if not state.raid:
        return []
    today = plan_today(now, plan.timezone)
    items = []
    for n in raid_notifications(plan, state.raid, now):
        person = plan.people.get(n.recipient)
        items.append(OutboxItem(
            key=n.key, plan_id=n.plan_id, milestone_id=n.milestone_id, step=n.step,
            anchor=n.anchor, recipient=n.recipient,
            recipient_name=person.name if person else n.recipient, role=n.role,
            contacts=tuple(person.contacts) if person else (),
            payload=item_context(plan, state.raid[n.milestone_id], n, today)))
    return items
