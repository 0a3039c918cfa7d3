"""Digest steps: read a plan's snapshot, render its digest, queue it for its subscribers."""

from __future__ import annotations

from datetime import date, datetime

from prefect import task
from prefect.cache_policies import NO_CACHE

from programme.reports import Snapshot, collect, render_digest, render_portfolio
from programme.reports.send import Subscriber, digest_items, digest_key
from programme.store.outbox import Outbox, OutboxItem
from programme.workspace import Workspace


@task(name="read-plan", retries=2, retry_delay_seconds=[2, 10], cache_policy=NO_CACHE)
def read_snapshot(ws: Workspace, plan_id: str, now: datetime) -> Snapshot:
    """The plan now, a week ago (for the trend) and its history, from the store."""
    return collect(ws, ws.plan(plan_id), now)


@task(name="queue-digest", retries=3, retry_delay_seconds=[2, 10, 30], cache_policy=NO_CACHE)
def queue_digest(ws: Workspace, snapshot: Snapshot, now: datetime) -> int:
    """Render the plan's digest and queue one copy per subscriber (once per plan per day)."""
    digest = render_digest(snapshot)
    items = digest_items(snapshot.plan, digest, snapshot.state.assessment.today)
    return len(Outbox(ws.store).enqueue(items, now))


def sponsors(snapshots: list[Snapshot]) -> list[Subscriber]:
    """Every plan's sponsor, once each: the portfolio digest's readers."""
    seen: dict[str, Subscriber] = {}
    for s in snapshots:
        plan = s.plan
        person = plan.people.get(plan.sponsor) if plan.sponsor else None
        if person is not None and person.contacts and person.id not in seen:
            seen[person.id] = Subscriber(person.id, person.name, tuple(person.contacts))
    return list(seen.values())


@task(name="queue-portfolio-digest", retries=3, retry_delay_seconds=[2, 10, 30],
      cache_policy=NO_CACHE)
def queue_portfolio(ws: Workspace, snapshots: list[Snapshot], now: datetime, day: date) -> int:
    """One portfolio digest across the plans, to each sponsor once a day."""
    if not snapshots:
        return 0
    digest = render_portfolio(snapshots, now=now)
    payload = {"kind": "digest", "plan_id": "portfolio", "plan_title": "Portfolio",
               "subject": digest.subject, "text": digest.text, "html": digest.html,
               "chat": digest.chat}
    items = [OutboxItem(key=digest_key("portfolio", day, s.id), plan_id="portfolio",
                        milestone_id="_digest", step="portfolio-digest", anchor=day,
                        recipient=s.id, recipient_name=s.name, role="sponsor",
                        contacts=s.contacts, payload=payload)
             for s in sponsors(snapshots)]
    return len(Outbox(ws.store).enqueue(items, now))
