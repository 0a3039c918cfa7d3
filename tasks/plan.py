"""Load and sync a plan: the run's first I/O step (plan file, then the store)."""

from __future__ import annotations

from pathlib import Path

from prefect import task
from prefect.cache_policies import NO_CACHE

from programme.rules.forecast import topological_order
from programme.store import Store
from programme.usecases.workspace import Workspace, parse_moment

from .context import RunContext


@task(name="sync-plan", retries=2, retry_delay_seconds=[2, 10], cache_policy=NO_CACHE)
def sync_plan(plan_id: str, as_of: str | None = None, plans_dir: str | None = None,
              database_url: str | None = None) -> RunContext:
    """Read the plan file, store its definition, and read every milestone's status at `as_of`.

    `as_of` (default: now) is read in the plan's timezone, as `programme status --as-of` reads
    it, so it is read here, once the plan is known: "2026-11-23T09:00" is 09:00 where the plan is.
    """
    ws = Workspace(Store(database_url), Path(plans_dir) if plans_dir else None)
    plan = ws.plan(plan_id)
    now = parse_moment(as_of, plan.timezone)
    ws.ensure_synced(plan, now)
    statuses = ws.store.statuses(plan.id, plan.timezone, as_of=now)
    return RunContext(ws, plan, now, statuses, topological_order(plan))
