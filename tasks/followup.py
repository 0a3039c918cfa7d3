"""Follow-up steps after a check-in: re-forecast, and queue who needs telling."""

from __future__ import annotations

from datetime import datetime

from prefect import task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE

from programme.rules.assess import Assessment
from programme.rules.model import Rating
from programme.usecases.chase import ChaseResult, queue_due
from programme.usecases.chase import queue_follow_ups as queue_follow_ups_now
from programme.usecases.workspace import Workspace

from .reports import artifact_key


@task(name="re-forecast", retries=2, retry_delay_seconds=[2, 10], cache_policy=NO_CACHE)
def reforecast(ws: Workspace, plan_id: str, now: datetime) -> Assessment:
    """The plan assessed after the change; its forecasts published for the UI."""
    plan = ws.plan(plan_id)
    a = ws.state(plan, now).assessment
    lines = [f"# {plan.title}: {a.rating.label}", "",
             f"Re-forecast {a.today:%A %-d %B %Y} after a check-in. The plan ends "
             f"{a.overall.forecast:%-d %b %Y}" + (f", {a.overall.end_slip} working days late."
                                                  if a.overall.end_slip else ", on time."), "",
             "| Milestone | Due | Forecast | Slip | State |", "|---|---|---|---|---|"]
    for v in a.views():
        if v.is_open:
            lines.append(f"| {v.id} | {v.milestone.due} | {v.forecast} | {v.slip} | {v.state} |")
    create_markdown_artifact(markdown="\n".join(lines), key=artifact_key(plan.id, "forecast"),
                             description=f"{plan.title}: forecast after a check-in")
    return a


@task(name="queue-follow-ups", retries=3, retry_delay_seconds=[2, 10, 30], cache_policy=NO_CACHE)
def queue_follow_ups(ws: Workspace, assessment: Assessment, milestone_id: str,
                     rating_before: str | None, rating_after: str | None,
                     now: datetime) -> ChaseResult:
    """'You can start' to owners now unblocked, 'rating changed' to the lead, and whatever the
    chase policy says is due now (a block goes to the lead at once)."""
    before = Rating.parse(rating_before) if rating_before else None
    after = Rating.parse(rating_after) if rating_after else None
    follow = queue_follow_ups_now(ws.store, assessment, milestone_id, before, after, now)
    policy = queue_due(ws, assessment.plan, now)
    return follow + policy
