"""Status changes as events: every check-in is published for whatever listens.

With a Prefect server configured (PREFECT_API_URL), each change is emitted as a Prefect event
(`programme.milestone.done`, `.blocked`, `.forecast-changed`, ...) with the plan and milestone as
resources, for Prefect automations and the event feed. The check-in's own follow-ups do not
wait on them: they are handed to the task worker directly (programme.compose). Without a server
(the laptop default) there is nothing to listen.
"""

from __future__ import annotations

import os

from programme.rules.assess import Assessment
from programme.rules.model import Plan, Status, StatusEntry

EVENT_NAMES = {
    Status.DONE: "programme.milestone.done",
    Status.BLOCKED: "programme.milestone.blocked",
    Status.IN_PROGRESS: "programme.milestone.in-progress",
    Status.NOT_STARTED: "programme.milestone.reopened",
    Status.DROPPED: "programme.milestone.dropped",
}
FORECAST_CHANGED = "programme.milestone.forecast-changed"
NOTE_ADDED = "programme.milestone.note"


def event_name(entry: StatusEntry) -> str:
    if entry.previous != entry.status:
        return EVENT_NAMES[entry.status]
    if entry.forecast is not None:
        return FORECAST_CHANGED
    return NOTE_ADDED


def event_payload(plan: Plan, entry: StatusEntry, before: Assessment,
                  after: Assessment) -> dict:
    return {
        "plan": plan.id,
        "milestone": entry.milestone_id,
        "status": entry.status.value,
        "previous": entry.previous.value if entry.previous else None,
        "at": entry.at.isoformat(),
        "by": entry.by,
        "rating_before": before.rating.label,
        "rating_after": after.rating.label,
    }


def publish_change(plan: Plan, entry: StatusEntry, before: Assessment, after: Assessment) -> bool:
    """Emit the change as a Prefect event when a Prefect server is configured; True if sent."""
    if not os.environ.get("PREFECT_API_URL"):
        return False
    from prefect.events import emit_event
    from prefect.events.worker import EventsWorker

    emitted = emit_event(
        event=event_name(entry),
        resource={"prefect.resource.id": f"programme.milestone.{plan.id}.{entry.milestone_id}",
                  "prefect.resource.name": entry.milestone_id, "programme.plan": plan.id},
        related=[{"prefect.resource.id": f"programme.plan.{plan.id}",
                  "prefect.resource.role": "plan", "prefect.resource.name": plan.title}],
        payload=event_payload(plan, entry, before, after),
    )
    EventsWorker.drain_all(timeout=15)  # the CLI exits next: the event must be out first
    return emitted is not None
