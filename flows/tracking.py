"""The tracking run of one plan: the plan as a Prefect flow.

sync the plan → one task run per milestone (named by its id), each fed by its dependencies'
results so the flow-run graph is the plan → the roll-up rates phases and the plan → due
notifications go to the outbox, then out through Apprise → the report is published.
Rerunning the same day sends nothing twice: the outbox's unique key sees to that.
"""

from __future__ import annotations

from datetime import datetime
from typing import cast

from prefect import flow
from prefect.runtime import flow_run

from flows.passing import quoted
from flows.recovery import stop_crash_loop
from programme.usecases.workspace import parse_moment
from tasks.chase import queue_notifications, send_notifications
from tasks.milestones import MilestoneTrack, rate_plan, track_milestone
from tasks.plan import sync_plan
from tasks.reports import publish_report


def _run_name() -> str:
    params = flow_run.parameters
    when = params.get("as_of") or f"{datetime.now():%Y-%m-%d}"
    return f"{params['plan_id']} {str(when)[:16]}"


@flow(name="track-plan", flow_run_name=_run_name, log_prints=False)
def track_plan(plan_id: str, as_of: str | None = None, plans_dir: str | None = None,
               send: bool = True) -> dict:
    """Track one plan at `as_of` (default: now): ratings, chasing, the report."""
    stop_crash_loop(plan_id)
    parse_moment(as_of)  # a date that cannot be read fails the run here, not in a retried task
    ctx = sync_plan(plan_id, as_of, plans_dir)
    now = ctx.now  # as_of read in the plan's timezone
    tracks: dict[str, MilestoneTrack] = {}
    for m in ctx.order:
        # the task returns a named Completed state; Prefect hands the flow its data
        tracks[m.id] = cast(MilestoneTrack,
                            track_milestone(quoted(ctx), m.id, [tracks[d] for d in m.depends_on]))
    assessment = rate_plan(quoted(ctx), [tracks[m.id] for m in ctx.plan.milestones])
    queued = queue_notifications(quoted(ctx), quoted(assessment), list(tracks.values()))
    sent = send_notifications(quoted(ctx.workspace), now) if send else None
    published = publish_report(quoted(ctx), quoted(assessment))
    return {
        "plan": ctx.plan.id, "as_of": now.isoformat(), "rating": assessment.rating.label,
        "milestones": len(tracks), "queued": queued.queued, "already_queued": queued.skipped,
        "sent": sent.sent if sent else 0, "failed": sent.failed if sent else 0,
        "messages": sent.messages if sent else 0, "report": str(published.markdown),
    }

