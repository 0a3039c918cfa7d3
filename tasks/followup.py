"""A check-in's follow-ups as a Prefect background task.

The check-in (web page, API or `programme update`) calls `follow_up_checkin.delay(...)` after
its history row is committed; a long-running task worker (`programme serve`, or `programme
worker` on its own) picks the run up within a fraction of a second, where a deployment started
by an event trigger took 13 s. The body is the use case itself: re-assess the plan at the
check-in's moment, queue the follow-ups (keys stable per check-in, so a rerun tells nobody
twice) and send them, the sending window judged at the moment of sending.
"""

from __future__ import annotations

from pathlib import Path

from prefect import task
from prefect.cache_policies import NO_CACHE

from programme.rules.model import Rating
from programme.store import Store
from programme.usecases.workspace import Workspace, current_moment, parse_moment

_plans_dir: Path | None = None
_stores: dict[str, Store] = {}


def use_plans(folder: Path | None) -> None:
    """The plans folder this worker's follow-ups read (default: $PROGRAMME_PLANS or ./plans)."""
    global _plans_dir
    _plans_dir = folder


def store() -> Store:
    """One store (one connection pool, schema checked once) per database for the worker's
    lifetime, rather than a new one per follow-up."""
    from programme.config import database_url

    url = database_url()
    if url not in _stores:
        _stores[url] = Store(url)
    return _stores[url]


@task(name="check-in-follow-up", task_run_name="{plan_id} {milestone_id}", retries=3,
      retry_delay_seconds=[2, 10, 30], cache_policy=NO_CACHE)
def follow_up_checkin(plan_id: str, milestone_id: str, rating_before: str | None,
                      at: str) -> dict:
    """Tell the owners this check-in unblocked that they can start, and the lead when the
    plan's rating moved. `at` is the check-in's moment (ISO text); `rating_before` the plan's
    rating just before it (e.g. "Amber")."""
    from programme.compose import dispatcher
    from programme.usecases.followups import follow_up

    now = parse_moment(at)
    before = Rating.parse(rating_before) if rating_before else None
    ws = Workspace(store(), _plans_dir)
    result = follow_up(ws, plan_id, milestone_id, before, now, dispatcher(),
                       send_at=current_moment())
    return {"plan": plan_id, "milestone": milestone_id, "queued": result.queued,
            "sent": result.sent, "failed": result.failed}
