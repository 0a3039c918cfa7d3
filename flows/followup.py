"""The follow-up to a check-in, started by a Prefect deployment trigger on the
`programme.milestone.*` events that `programme update` emits (see flows/serve.py).

It tells the owners of milestones that just became unblocked that they can start, tells the lead
when the plan's rating changed, and re-forecasts the plan. Everything it sends goes through the
outbox with a key per event, so a trigger firing twice tells nobody twice.
"""

from __future__ import annotations

from pathlib import Path

from prefect import flow
from prefect.runtime import flow_run

from flows.passing import quoted
from programme.store import Store
from programme.usecases.workspace import Workspace, parse_moment
from tasks.chase import send_notifications
from tasks.followup import queue_follow_ups, reforecast


def _run_name() -> str:
    p = flow_run.parameters
    return f"{p.get('plan_id')} {p.get('milestone_id')} {p.get('event', '').rsplit('.', 1)[-1]}"


@flow(name="check-in-follow-up", flow_run_name=_run_name, log_prints=False)
def follow_up(plan_id: str, milestone_id: str, event: str = "", rating_before: str | None = None,
              rating_after: str | None = None, plans_dir: str | None = None,
              as_of: str | None = None) -> dict:
    now = parse_moment(as_of)
    ws = Workspace(Store(), Path(plans_dir) if plans_dir else None)
    assessment = reforecast(quoted(ws), plan_id, now)
    queued = queue_follow_ups(quoted(ws), quoted(assessment), milestone_id, rating_before,
                              rating_after, now)
    sent = send_notifications(quoted(ws.store), now)
    return {"plan": plan_id, "milestone": milestone_id, "event": event,
            "rating": assessment.rating.label, "queued": queued.queued, "sent": sent.sent,
            "failed": sent.failed}
