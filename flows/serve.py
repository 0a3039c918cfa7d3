"""The served mode: every flow registered as deployments on the Prefect server at
PREFECT_API_URL, with its schedule or trigger, and served from this process.

* track-<plan>: tracking at 09:00 on weekdays in the plan's timezone (bank holidays and closure
  days are recognised by the chase policy, which sends nothing on them);
* digest-<plan>: the plan's digest, Mondays 08:00 plan time; portfolio-digest: Mondays 08:00
  Europe/London, to the sponsors;
* check-in-follow-up: run by a deployment trigger on every `programme.milestone.*` event.

For workers on a work pool instead of this process, see prefect.yaml at the repository root.
"""

from __future__ import annotations

from pathlib import Path

from prefect import serve
from prefect.events.schemas.deployment_triggers import DeploymentEventTrigger
from prefect.schedules import Cron

from programme.store import Store
from programme.usecases.workspace import Workspace

from .digest import weekly_digest
from .followup import follow_up
from .tracking import track_plan

TRACKING_CRON = "0 9 * * 1-5"
DIGEST_CRON = "0 8 * * 1"
EVENTS = "programme.milestone.*"


def follow_up_trigger(plans_dir: str | None = None) -> DeploymentEventTrigger:
    parameters = {
        "plan_id": "{{ event.payload.plan }}",
        "milestone_id": "{{ event.payload.milestone }}",
        "event": "{{ event.event }}",
        "rating_before": "{{ event.payload.rating_before }}",
        "rating_after": "{{ event.payload.rating_after }}",
    }
    if plans_dir:
        parameters["plans_dir"] = plans_dir
    return DeploymentEventTrigger(name="check-in", expect={EVENTS},
                                  match={"prefect.resource.id": "programme.milestone.*"},
                                  parameters=parameters)


def deployments(plans_dir: str | None = None) -> list:
    ws = Workspace(Store(), Path(plans_dir) if plans_dir else None)
    common = {"plans_dir": plans_dir} if plans_dir else {}
    out = []
    for plan in ws.plans():
        out.append(track_plan.to_deployment(
            name=f"track-{plan.id}", parameters={"plan_id": plan.id, **common},
            schedules=[Cron(TRACKING_CRON, timezone=plan.timezone)], tags=["programme", plan.id],
            description=f"Daily tracking of {plan.title}"))
        out.append(weekly_digest.to_deployment(
            name=f"digest-{plan.id}", parameters={"plan_id": plan.id, "portfolio": False, **common},
            schedules=[Cron(DIGEST_CRON, timezone=plan.timezone)], tags=["programme", plan.id],
            description=f"Weekly digest of {plan.title} to its subscribers"))
    out.append(weekly_digest.to_deployment(
        name="portfolio-digest", parameters={"portfolio": True, "per_plan": False, **common},
        schedules=[Cron(DIGEST_CRON, timezone="Europe/London")], tags=["programme"],
        description="Weekly portfolio digest to the sponsors"))
    out.append(follow_up.to_deployment(
        name="check-in-follow-up", triggers=[follow_up_trigger(plans_dir)], tags=["programme"],
        description="Tells owners they can start and the lead when the rating moves"))
    return out


def serve_all(plans_dir: str | None = None) -> None:
    serve(*deployments(plans_dir), print_starting_message=True)
