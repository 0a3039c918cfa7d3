"""Read what a report needs from the store: the plan now, the plan a week ago, its history.

The only module of the reports package that touches the store; the rest is pure.
"""

from __future__ import annotations

from datetime import datetime

from programme.reports.context import PERIOD, Snapshot
from programme.rules.model import Plan
from programme.usecases.workspace import Workspace


def collect(ws: Workspace, plan: Plan, now: datetime, sync: bool = True) -> Snapshot:
    """The plan as of `now`, as of a week before (for the trend) and its status history."""
    state = ws.state(plan, now, sync=sync)
    row = ws.store.plan_row(plan.id)
    known_a_week_ago = row is not None and row.first_synced_at <= now - PERIOD
    # no trend for a plan the store did not know a week ago: "all not started" is not a rating
    previous = ws.state(plan, now - PERIOD, sync=False) if known_a_week_ago else None
    history = tuple(ws.store.history(plan.id, until=now))
    return Snapshot(state, previous, history)
