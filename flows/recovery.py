"""No run lost when a worker dies: the automations `programme deploy` keeps on the Prefect
server, for the flow runs of its deployments (tag `programme:deployed`) only.

What is relied on, all of it Prefect's own:
* each flow run sends a heartbeat event (`prefect.flow-run.heartbeat`) every
  PROGRAMME_HEARTBEAT_SECONDS (the deployments set PREFECT_FLOWS_HEARTBEAT_FREQUENCY in their
  job variables) from a thread of the flow-run process;
* "no heartbeat": a proactive trigger. A run that started (Running) or sent a heartbeat and
  then, for PROGRAMME_SILENCE_SECONDS (default 3 heartbeats), sent neither a heartbeat nor a
  final state, is set Crashed: its process, or its machine, is gone;
* "never started": a run a worker took (Pending, then Submitting) that is not Running (or
  finished, or back in Scheduled) after PROGRAMME_START_TIMEOUT_SECONDS is set Crashed: the
  worker died before the run's process started, and nobody else would ever take it;
* "rerun": a Crashed run of ours (set so by the two above, or by a worker whose run's process
  died) is put back to Scheduled (AwaitingRetry), the same flow run, and the next worker with
  room takes it. Its tracking is safe to repeat: the outbox's unique keys queue nothing twice,
  and the run takes back the outbox rows its dead attempt had claimed (it sends them under the
  same Message-ID). A run that keeps crashing stops after MAX_ATTEMPTS (`stop_crash_loop`).

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


# A run rerun this often after crashes (see "rerun crashed") stops instead: it fails at start.
MAX_ATTEMPTS = 5


def stop_crash_loop(what: str) -> None:
    """At the start of a deployed flow: fail, rather than crash and be rerun forever, a run
    that has started MAX_ATTEMPTS times already."""
    from prefect.runtime import flow_run

    if flow_run.run_count > MAX_ATTEMPTS:
        raise RuntimeError(f"{what}: this run has started {flow_run.run_count} times and each "
                           "earlier attempt crashed (its worker died?), so it is not tried "
                           "again: see the run's states and the workers' logs")


def _seconds(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


def thresholds() -> tuple[int, int]:
    """(silence, start timeout) in seconds, from the settings where `programme deploy` runs:
    written into the automations and the sweep deployment's parameters alike."""
    from .deploy import heartbeat_seconds

    heartbeat = heartbeat_seconds()
    silence, start = _seconds(SILENCE_SETTING, 3 * heartbeat), _seconds(START_SETTING, 300)
    for name, value in ((SILENCE_SETTING, silence), (START_SETTING, start)):
        if value < 10:  # Prefect refuses a proactive trigger's `within` under 10 s
            raise ValueError(f"{name} is {value}: it must be 10 or more (seconds)")
    if silence <= heartbeat:  # every healthy run older than that would be rerun between beats
        raise ValueError(f"{SILENCE_SETTING} is {silence}: it must be more than "
                         f"PROGRAMME_HEARTBEAT_SECONDS ({heartbeat}), or a healthy run is "
                         f"rerun between two heartbeats (default: 3 heartbeats, {3 * heartbeat})")
    return silence, start


def wanted() -> list:
    from prefect.automations import AutomationCore
    from prefect.client.schemas.objects import StateType
    from prefect.events.actions import ChangeFlowRunState
    from prefect.events.schemas.automations import EventTrigger, Posture
    from prefect.events.schemas.events import ResourceSpecification


    silence, start = thresholds()

    def on_our_runs(posture, within: int, expect: set[str], after: set[str] | None = None):
        """A trigger on the flow runs of `programme deploy`'s deployments, one run at a time."""
        return EventTrigger(
            match=ResourceSpecification({"prefect.resource.id": "prefect.flow-run.*"}),
            match_related=ResourceSpecification({"prefect.resource.role": "tag",
                                                 "prefect.resource.id": f"prefect.tag.{DEPLOYED}"}),
            for_each={"prefect.resource.id"}, threshold=1, posture=posture, after=after or set(),
            expect=expect, within=timedelta(seconds=within))

    return [
        AutomationCore(
            name=PREFIX + "no heartbeat", tags=[DEPLOYED], enabled=True,
            description=f"A run of a `programme deploy` deployment silent for {silence} s "
                        "(no heartbeat, no final state): its worker is gone; set Crashed.",
            trigger=on_our_runs(Posture.Proactive, silence, {"prefect.flow-run.heartbeat", *FINAL},
                         after={"prefect.flow-run.Running", "prefect.flow-run.heartbeat"}),
            actions=[ChangeFlowRunState(state=StateType.CRASHED, name=None, force=False, message=(
                f"no heartbeat for {silence} s: the worker or its machine is presumed dead"))]),
        AutomationCore(
            name=PREFIX + "never started", tags=[DEPLOYED], enabled=True,
            description=f"A run a worker took but that has not started after {start} s: the "
                        "worker died before starting it; set Crashed.",
            trigger=on_our_runs(Posture.Proactive, start,
                         {"prefect.flow-run.Running", "prefect.flow-run.Scheduled",
                          "prefect.flow-run.AwaitingRetry", "prefect.flow-run.Cancelling", *FINAL},
                         after={"prefect.flow-run.Pending"}),
            actions=[ChangeFlowRunState(state=StateType.CRASHED, name=None, force=False, message=(
                f"taken by a worker but not started after {start} s: the worker is presumed "
                "dead"))]),
        AutomationCore(
            name=PREFIX + "rerun crashed", tags=[DEPLOYED], enabled=True,
            description="A crashed run of a `programme deploy` deployment goes back to "
                        "Scheduled, for the next worker with room.",
            trigger=on_our_runs(Posture.Reactive, 0, {"prefect.flow-run.Crashed"}),
            actions=[ChangeFlowRunState(state=StateType.SCHEDULED, name="AwaitingRetry", force=False,
                                        message="rerun after a crash (programme deploy)")]),
    ]


def _shape(automation) -> dict:
    """What is compared to tell whether an automation needs updating (sets, dumped as lists in
    an order that changes from one process to the next, sorted)."""
    trigger = automation.trigger.model_dump(mode="json", exclude={"id"})
    for name in ("after", "expect", "for_each"):
        trigger[name] = sorted(trigger.get(name) or [])
    return {"description": automation.description, "enabled": automation.enabled,
            "tags": sorted(automation.tags), "trigger": trigger,
            "actions": [a.model_dump(mode="json") for a in automation.actions]}


async def ours(client) -> list:
    from .ownership import every

    return [a for a in await every(client.read_automations) if a.name.startswith(PREFIX)
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
