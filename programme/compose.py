"""Wiring for the entry points (CLI, web service, flows): the adapters the use cases take.

The use cases never import a channel or Prefect; the entry points ask here for the dispatcher
and for how a check-in's follow-ups are started, so the choice is made in one place.
"""

from __future__ import annotations

from datetime import datetime

from programme.usecases.checkin import FollowUp, Recorded
from programme.usecases.dispatch import Dispatcher
from programme.usecases.workspace import Workspace


def dispatcher() -> Dispatcher:
    """Apprise to the configured channels, or the local sink (PROGRAMME_DELIVERY)."""
    from notifications.apprise_dispatch import AppriseDispatcher

    return AppriseDispatcher()


def follow_up_in_process(ws: Workspace) -> FollowUp:
    """Follow-ups run here, after the check-in is committed (the embedded default)."""

    def run(recorded: Recorded, now: datetime) -> str | None:
        if recorded.published:  # a Prefect server runs them (the check-in follow-up deployment)
            return "Follow-ups handed to the Prefect server."
        from programme.usecases.followups import follow_up

        result = follow_up(ws, recorded.plan.id, recorded.entry.milestone_id,
                           recorded.before.rating, now, dispatcher())
        if result.errors:
            return f"Follow-ups queued; {len(result.errors)} could not be sent yet (retried later)."
        return None

    return run
