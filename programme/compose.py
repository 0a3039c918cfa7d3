"""Wiring for the entry points (CLI, web service, flows): the adapters the use cases take.

The use cases never import a channel or Prefect; the entry points ask here for the dispatcher
and for how a check-in's follow-ups are started, so the choice is made in one place.
"""

from __future__ import annotations

import os
from datetime import datetime

from programme.usecases.checkin import FollowUp, Recorded
from programme.usecases.dispatch import Dispatcher
from programme.usecases.workspace import Workspace

HANDED_OVER = "Follow-ups handed to the task worker."


def dispatcher() -> Dispatcher:
    """Apprise to the configured channels, or the local sink (PROGRAMME_DELIVERY)."""
    from notifications.apprise_dispatch import AppriseDispatcher

    return AppriseDispatcher()


def prefect_server() -> bool:
    """A Prefect server is configured (served mode), as opposed to the embedded default."""
    return bool(os.environ.get("PREFECT_API_URL"))


def follow_ups(ws: Workspace, plain_words: bool = True) -> FollowUp:
    """How a check-in's follow-ups start, after its history row is committed.

    With a Prefect server they are queued in the outbox here (a few rows: nothing is lost if
    Prefect loses the run; the next chase would send them) and handed to the task worker as a
    background task, which sends them within a second. Should the server not take the task,
    they are sent from here instead. Without a server they run here, as `programme update`
    always did, and (with `plain_words`, for the terminal) say who was told what; the check-in
    page says that in its own words and gets None when all went well."""

    def run(recorded: Recorded, now: datetime) -> str | None:
        if not prefect_server():
            return _here(ws, recorded, now, plain_words)
        from programme.usecases.chase import queue_follow_ups

        queue_follow_ups(ws.store, recorded.after, recorded.entry.milestone_id,
                         recorded.before.rating, recorded.after.rating, now)
        try:
            hand_over(recorded, now)
        except Exception as exc:  # the check-in is committed: its follow-ups go from here
            reason = (str(exc).splitlines() or [type(exc).__name__])[0][:120]
            said = _here(ws, recorded, now, plain_words)
            return (f"The Prefect server did not take the follow-ups ({reason}); sent from here"
                    + (f". {said}" if said else "."))
        return HANDED_OVER

    return run


def follow_up_in_process(ws: Workspace) -> FollowUp:
    """`follow_ups` for the check-in page, which says what happens next in its own words: None
    when everything was sent or waits for its window."""
    return follow_ups(ws, plain_words=False)


def hand_over(recorded: Recorded, now: datetime) -> None:
    """`.delay()` the background task: a run created on the Prefect server, which pushes it to
    a task worker. A server that refuses the connection fails this at once (Prefect's client
    retries a refused connection only once it has connected); the client's retry settings are
    left alone, since Prefect sends the caller's settings along and the worker runs the task
    with them."""
    from tasks.followup import follow_up_checkin

    follow_up_checkin.delay(recorded.plan.id, recorded.entry.milestone_id,
                            recorded.before.rating.label, now.isoformat())


def _here(ws: Workspace, recorded: Recorded, now: datetime, plain_words: bool = True) -> str | None:
    """Send the follow-ups from this process and say, in plain words, who was told what."""
    from programme.usecases.followups import follow_up, told_words

    result = follow_up(ws, recorded.plan.id, recorded.entry.milestone_id, recorded.before.rating,
                       now, dispatcher())
    said = told_words(ws, recorded.plan.id, result.keys, now) if plain_words else None
    if result.errors:
        kept = (f"{len(result.errors)} message{'s' if len(result.errors) != 1 else ''} could not "
                "be sent yet; kept and tried again later (see `programme outbox`).")
        return f"{said} {kept}" if said else kept
    return said
