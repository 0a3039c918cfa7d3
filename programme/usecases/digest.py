"""Reports and digests: what a report reads from the store (`collect`), and where a digest
goes: its subscribers (the portfolio's: every plan's sponsor) and the outbox
rows that carry it, one per reader per plan per day, so the outbox's unique key sends each
digest once however often it is queued. The rows carry the rendered message ("kind": "digest"),
which the dispatcher sends as it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from programme.reports.context import PERIOD, Snapshot
from programme.reports.render import Digest
from programme.rules.model import Plan
from programme.usecases.workspace import Workspace


def collect(ws: Workspace, plan: Plan, now: datetime, sync: bool = True,
            whole_history: bool = False) -> Snapshot:
    """The plan as of `now`, as of a week before (for the trend), the status history of the
    week before `now` (what the report's period shows; `whole_history` for all of it, as the
    calendar feed counts every change) and what changed in the plan's own definition in the
    week. Reads in proportion to that: the store folds statuses from checkpoints, never the
    whole history."""
    state = ws.state(plan, now, sync=sync)
    row = ws.store.plan_row(plan.id)
    known_a_week_ago = row is not None and row.first_synced_at <= now - PERIOD
    # no trend for a plan the store did not know a week ago: "all not started" is not a rating
    previous = ws.state(plan, now - PERIOD, sync=False) if known_a_week_ago else None
    since = None if whole_history else now - PERIOD
    history = tuple(ws.store.history(plan.id, until=now, since=since))
    changes = plan_changes(ws.store.versions(plan.id, until=now), since=now - PERIOD)
    return Snapshot(state, previous, history, tuple(changes))


def plan_changes(versions: list, since: datetime) -> list:
    """Each change between consecutive stored versions of a plan where the newer one was stored
    after `since`, with that version's commit and author when it came from git."""
    from dataclasses import replace
    from itertools import pairwise

    from programme.rules.planchanges import snapshot_changes

    out = []
    for older, newer in pairwise(versions):
        if newer.synced_at <= since:
            continue
        c = newer.commit
        for change in snapshot_changes(older.milestones, newer.milestones):
            out.append(replace(change, when=newer.synced_at, commit=c.sha[:7] if c else None,
                               author=c.author if c else None, subject=c.subject if c else None))
    return out


DIGEST_STEP = "digest"
DIGEST_MILESTONE = "_digest"  # outbox rows are per milestone; a digest belongs to the whole plan
PORTFOLIO, PORTFOLIO_STEP = "portfolio", "portfolio-digest"


@dataclass(frozen=True)
class Subscriber:
    id: str
    name: str
    contacts: tuple[str, ...]
    plan_id: str | None = None  # the plan whose people hold them (the portfolio's sponsors)


def subscribers(plan: Plan) -> list[Subscriber]:
    """The plan's subscribers: people by id (their contacts), or bare addresses as written."""
    out = []
    for entry in plan.subscribers:
        person = plan.people.get(entry)
        if person is not None:
            out.append(Subscriber(person.id, person.name, tuple(person.contacts)))
        else:
            out.append(Subscriber(entry, entry, (entry,)))
    return out


def digest_key(plan_id: str, day: date, recipient: str) -> str:
    return f"{plan_id}/{DIGEST_MILESTONE}/{DIGEST_STEP}@{day.isoformat()}/{recipient}"


def digest_items(plan: Plan, digest: Digest, day: date) -> list:
    """Outbox rows for this digest, one per subscriber with somewhere to send it. A digest
    rendered with `report_link=links.REPORT_LINK` gets each reader's own report link (the
    lead's also records the lead's rating), issued with the row."""
    return _items(plan.id, plan.title, subscribers(plan), "subscriber", DIGEST_STEP, digest, day,
                  plan)


def sponsors(plans: list[Plan]) -> list[Subscriber]:
    """Every plan's sponsor, once each: the portfolio digest's readers."""
    seen: dict[str, Subscriber] = {}
    for plan in plans:
        person = plan.people.get(plan.sponsor) if plan.sponsor else None
        if person is not None and person.id not in seen:
            seen[person.id] = Subscriber(person.id, person.name, tuple(person.contacts), plan.id)
    return list(seen.values())


def portfolio_items(plans: list[Plan], digest: Digest, day: date) -> list:
    """Outbox rows for the portfolio digest, one per sponsor."""
    return _items(PORTFOLIO, "Portfolio", sponsors(plans), "sponsor", PORTFOLIO_STEP, digest, day)


def _items(plan_id: str, title: str, readers: list[Subscriber], role: str, step: str,
           digest: Digest, day: date, plan: Plan | None = None) -> list:
    from programme.rules.messages import RATING, REPORT
    from programme.store.outbox import OutboxItem
    from programme.usecases.links import REPORT_LINK, grant

    payload = {"kind": "digest", "plan_id": plan_id, "plan_title": title,
               "subject": digest.subject, "text": digest.text, "html": digest.html,
               "chat": digest.chat}
    from programme.usecases.chase import CONTACTS_FROM

    linked = plan is not None and REPORT_LINK in digest.text + digest.html + digest.chat
    items = []
    for s in readers:
        if not s.contacts:
            continue
        key = digest_key(plan_id, day, s.id)
        own: dict[str, Any] = {**payload, CONTACTS_FROM: s.plan_id} if s.plan_id else payload
        links: tuple = ()
        if linked and plan is not None:
            purpose = RATING if s.id == plan.lead else REPORT
            own = {**own, "link": {"purpose": purpose, "person": s.id}}
            links = (grant(plan, key, purpose, s.id, None),)
        items.append(OutboxItem(key=key, plan_id=plan_id, milestone_id=DIGEST_MILESTONE,
                                step=step, anchor=day, recipient=s.id, recipient_name=s.name,
                                role=role, contacts=s.contacts, payload=own, links=links))
    return items
