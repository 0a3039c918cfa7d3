"""Load and sync a plan: the run's first I/O step (plan file, then the store)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from prefect import task
from prefect.cache_policies import NO_CACHE

from programme.rules.forecast import topological_order
from programme.store import Store
from programme.usecases.workspace import Workspace

from .context import RunContext


@task(name="sync-plan", retries=2, retry_delay_seconds=[2, 10], cache_policy=NO_CACHE)
def sync_plan(plan_id: str, now: datetime, plans_dir: str | None = None,
              database_url: str | None = None) -> RunContext:
    """Read the plan file, store its definition, and read every milestone's status at `now`."""
    ws = Workspace(Store(database_url), Path(plans_dir) if plans_dir else None)
    plan = ws.plan(plan_id)
    ws.ensure_synced(plan, now)
    statuses = ws.store.statuses(plan.id, plan.timezone, as_of=now)
    return RunContext(ws, plan, now, statuses, topological_order(plan))
