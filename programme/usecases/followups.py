"""A check-in's follow-ups: queue "you can start" for the owners it unblocked and "rating
changed" for the lead, then send them (inside the plan's sending window; outside it they wait
for the next one, like every message).

The same function runs in-process after `programme update` on the embedded default and, with a
Prefect server, as the background task the check-in hands it to (tasks/followup.py).
"""

from __future__ import annotations

from datetime import datetime

from programme.rules.model import Rating
from programme.store.outbox import Outbox
from programme.usecases.chase import ChaseResult, dispatch_pending, follow_up_items
from programme.usecases.dispatch import Dispatcher
from programme.usecases.workspace import Workspace


def follow_up(ws: Workspace, plan_id: str, milestone_id: str, rating_before: Rating | None,
              now: datetime, dispatcher: Dispatcher | None,
              send_at: datetime | None = None) -> ChaseResult:
    """Re-assess the plan at `now` (the check-in's moment), queue the follow-ups of the check-in
    on `milestone_id` (each key once, however often this runs), then send what is due at
    `send_at` (default `now`; later when a task worker runs this after being down, so that the
    sending window is judged at the time of sending). Nothing is sent when dispatcher is None:
    the next chase sends it."""
    plan = ws.plan(plan_id)
    after = ws.state(plan, now).assessment
    items = follow_up_items(after, milestone_id, rating_before, after.rating)
    inserted = Outbox(ws.store).enqueue(items, now)
    queued = ChaseResult(queued=len(inserted), skipped=len(items) - len(inserted))
    if dispatcher is None or not items:
        return queued
    return queued + dispatch_pending(ws, dispatcher, max(now, send_at or now),
                                     keys=[i.key for i in items])
