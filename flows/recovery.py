"""No run lost when a worker dies: the automations `programme deploy` keeps on the Prefect
server, for the flow runs of its deployments (tag `programme:deployed`) only.

What is relied on, all of it Prefect's own:
* each flow run sends a heartbeat event (`prefect.flow-run.heartbeat`) every
  PROGRAMME_HEARTBEAT_SECONDS (the deployments set PREFECT_FLOWS_HEARTBEAT_FREQUENCY in their
  job variables) from a thread of the flow-run process;
* "no heartbeat": a proactive trigger. A run that sent a heartbeat and then, for
  PROGRAMME_SILENCE_SECONDS (default 3 heartbeats), neither another one nor a final state, is
  set Crashed: its process, or its machine, is gone;
* "never started": a run a worker took (Pending, then Submitting) that is not Running (or
  finished, or back in Scheduled) after PROGRAMME_START_TIMEOUT_SECONDS is set Crashed: the
  worker died before the run's process started, and nobody else would ever take it;
* "rerun": a Crashed run of ours (set so by the two above, or by a worker whose run's process
  died) is put back to Scheduled (AwaitingRetry), the same flow run, and the next worker with
  room takes it. Its tracking is safe to repeat: the outbox's unique keys queue nothing twice,
  and the run takes back the outbox rows its dead attempt had claimed (it sends them under the
  same Message-ID). flows/tracking.py stops a run that keeps crashing after MAX_ATTEMPTS.

Needs the Prefect server's triggers service (on by default in `prefect server start`, or
`prefect server services start` with several API servers).
"""

from __future__ import annotations

import os
from datetime import timedelta

from .ownership import DEPLOYED

PREFIX = "programme: "
SILENCE_SETTING, START_SETTING = "PROGRAMME_SILENCE_SECONDS", "PROGRAMME_START_TIMEOUT_SECONDS"
FINAL = {"prefect.flow-run.Completed", "prefect.flow-run.Failed", "prefect.flow-run.Cancelled",
         "prefect.flow-run.Crashed"}


def _seconds(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


def wanted() -> list:
    from prefect.automations import AutomationCore
    from prefect.client.schemas.objects import StateType
    from prefect.events.actions import ChangeFlowRunState
    from prefect.events.schemas.automations import EventTrigger, Posture
    from prefect.events.schemas.events import ResourceSpecification

    from .deploy import heartbeat_seconds

    silence = _seconds(SILENCE_SETTING, 3 * heartbeat_seconds())
    start = _seconds(START_SETTING, 300)
    ours = {"match": ResourceSpecification({"prefect.resource.id": "prefect.flow-run.*"}),
            "match_related": ResourceSpecification({"prefect.resource.role": "tag",
                                                    "prefect.resource.id": f"prefect.tag.{DEPLOYED}"}),
            "for_each": {"prefect.resource.id"}, "threshold": 1}
    return [
        AutomationCore(
            name=PREFIX + "no heartbeat", tags=[DEPLOYED],
            description=f"A run of a `programme deploy` deployment silent for {silence} s "
                        "(no heartbeat, no final state): its worker is gone; set Crashed.",
            trigger=EventTrigger(after={"prefect.flow-run.heartbeat"},
                                 expect={"prefect.flow-run.heartbeat", *FINAL},
                                 posture=Posture.Proactive, within=timedelta(seconds=silence),
                                 **ours),
            actions=[ChangeFlowRunState(state=StateType.CRASHED, message=(
                f"no heartbeat for {silence} s: the worker or its machine is presumed dead"))]),
        AutomationCore(
            name=PREFIX + "never started", tags=[DEPLOYED],
            description=f"A run a worker took but that has not started after {start} s: the "
                        "worker died before starting it; set Crashed.",
            trigger=EventTrigger(after={"prefect.flow-run.Pending"},
                                 expect={"prefect.flow-run.Running", "prefect.flow-run.Scheduled",
                                         "prefect.flow-run.AwaitingRetry",
                                         "prefect.flow-run.Cancelling", *FINAL},
                                 posture=Posture.Proactive, within=timedelta(seconds=start),
                                 **ours),
            actions=[ChangeFlowRunState(state=StateType.CRASHED, message=(
                f"taken by a worker but not started after {start} s: the worker is presumed "
                "dead"))]),
        AutomationCore(
            name=PREFIX + "rerun crashed", tags=[DEPLOYED],
            description="A crashed run of a `programme deploy` deployment goes back to "
                        "Scheduled, for the next worker with room.",
            trigger=EventTrigger(expect={"prefect.flow-run.Crashed"}, posture=Posture.Reactive,
                                 within=timedelta(0), **ours),
            actions=[ChangeFlowRunState(state=StateType.SCHEDULED, name="AwaitingRetry",
                                        message="rerun after a crash (programme deploy)")]),
    ]


def _shape(automation) -> dict:
    return {"description": automation.description, "enabled": automation.enabled,
            "tags": sorted(automation.tags),
            "trigger": automation.trigger.model_dump(mode="json", exclude={"id"}),
            "actions": [a.model_dump(mode="json") for a in automation.actions]}


async def ours(client) -> list:
    return [a for a in await client.read_automations() if a.name.startswith(PREFIX)
            and DEPLOYED in a.tags]


async def sync_automations(client, dry_run: bool = False) -> dict[str, list[str]]:
    """Create, update or leave each of the automations above (found by name); their names by
    what was done."""
    done: dict[str, list[str]] = {"added": [], "updated": [], "unchanged": []}
    existing = {a.name: a for a in await ours(client)}
    for want in wanted():
        have = existing.get(want.name)
        if have is not None and _shape(have) == _shape(want):
            done["unchanged"].append(want.name)
            continue
        done["updated" if have else "added"].append(want.name)
        if dry_run:
            continue
        if have is None:
            await client.create_automation(want)
        else:
            await client.update_automation(have.id, want)
    return done
