"""Digest steps: read a plan's snapshot, render its digest, queue it for its subscribers."""

from __future__ import annotations

from datetime import date, datetime

from prefect import task
from prefect.cache_policies import NO_CACHE

from programme.reports import Snapshot, render_digest, render_portfolio
from programme.store.outbox import Outbox
from programme.usecases.digest import collect, digest_items, portfolio_items
from programme.usecases.links import REPORT_LINK
from programme.usecases.workspace import Workspace


@task(name="read-plan", retries=2, retry_delay_seconds=[2, 10], cache_policy=NO_CACHE)
def read_snapshot(ws: Workspace, plan_id: str, now: datetime) -> Snapshot:
    """The plan now, a week ago (for the trend) and its history, from the store."""
    return collect(ws, ws.plan(plan_id), now)


@task(name="queue-digest", retries=3, retry_delay_seconds=[2, 10, 30], cache_policy=NO_CACHE)
def queue_digest(ws: Workspace, snapshot: Snapshot, now: datetime) -> int:
    """Render the plan's digest and queue one copy per subscriber (once per plan per day)."""
    digest = render_digest(snapshot, report_link=REPORT_LINK)  # each reader's own link
    items = digest_items(snapshot.plan, digest, snapshot.state.assessment.today)
    return len(Outbox(ws.store).enqueue(items, now))


@task(name="queue-portfolio-digest", retries=3, retry_delay_seconds=[2, 10, 30],
      cache_policy=NO_CACHE)
def queue_portfolio(ws: Workspace, snapshots: list[Snapshot], now: datetime, day: date) -> int:
    """One portfolio digest across the plans, to each sponsor once a day."""
    if not snapshots:
        return 0
    digest = render_portfolio(snapshots, now=now)
    items = portfolio_items([s.plan for s in snapshots], digest, day)
    return len(Outbox(ws.store).enqueue(items, now))
