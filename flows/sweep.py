"""`recover-runs`: the sweep that reruns the runs of a worker that died, without waiting for
the automations (flows/recovery.py), by looking at the runs themselves.

Why both: the automations react to the runs' state events, and those can be held back. When
more runs are due at 09:00 than workers have slots, Prefect's late-runs service marks the
waiting ones Late; in the 200-plan benchmark those Late events never reached the triggers
service, which then held back every later event of the same runs behind them (causal
ordering), so a worker killed while holding such a run left it in Submitting for good. The
sweep asks the API for the runs' states and the stored heartbeat events instead, which do not
depend on the triggers service at all.

`programme deploy` keeps a `recover-runs/sweep` deployment on the pool, every 5 minutes from
07:00 to 18:55 on weekdays (Europe/London). Each sweep puts back to Scheduled (AwaitingRetry,
the same flow run, for the next worker with room) every run of `programme deploy`'s
deployments (tag `programme:deployed`) that is
* Pending (taken by a worker, Submitting) for more than PROGRAMME_START_TIMEOUT_SECONDS: its
  worker died before starting it; or
* Running for more than PROGRAMME_SILENCE_SECONDS with no heartbeat event in the last
  PROGRAMME_SILENCE_SECONDS: its process, or its machine, is gone.
The same rules and settings as the automations (`programme deploy` writes the two
thresholds into the deployment's parameters); whichever sees a run first reruns it. A rerun
is safe: the outbox's keys queue nothing twice, the rerun takes back the rows its dead attempt
had claimed (same Message-ID), and `stop_crash_loop` ends a run rerun too often.

A missing heartbeat only means something if the server is storing events: each sweep first
waits (up to 30 s) for its own Running event to be stored, and if it is not (the event
persister down or far behind), it leaves the Running runs alone and says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import UUID

from prefect import flow, get_run_logger

from .ownership import DEPLOYED

HEARTBEAT = "prefect.flow-run.heartbeat"


@dataclass(frozen=True)
class Seen:
    """What the sweep knows of one run: its state type and since when it has been in it."""

    id: UUID
    name: str
    state: str  # "PENDING" or "RUNNING"
    since: datetime


def to_rerun(runs: list[Seen], beating: set[UUID], now: datetime, start_timeout: int,
             silence: int) -> list[tuple[Seen, str]]:
    """The runs whose worker is presumed dead, each with the reason, given the ids of the runs
    that sent a heartbeat in the last `silence` seconds."""
    out = []
    for run in runs:
        age = (now - run.since).total_seconds()
        if run.state == "PENDING" and age > start_timeout:
            out.append((run, f"taken by a worker {age:.0f} s ago and never started: the worker "
                             "is presumed dead"))
        elif run.state == "RUNNING" and age > silence and run.id not in beating:
            out.append((run, f"running, but no heartbeat for {silence} s: the worker or its "
                             "machine is presumed dead"))
    return out


async def _candidates(client, skip: UUID | None) -> list[Seen]:
    from prefect.client.schemas.filters import (
        FlowRunFilter,
        FlowRunFilterState,
        FlowRunFilterStateType,
        FlowRunFilterTags,
    )
    from prefect.client.schemas.objects import StateType

    found: list[Seen] = []
    offset = 0
    while True:
        page = await client.read_flow_runs(flow_run_filter=FlowRunFilter(
            tags=FlowRunFilterTags(all_=[DEPLOYED]),
            state=FlowRunFilterState(type=FlowRunFilterStateType(
                any_=[StateType.PENDING, StateType.RUNNING]))), limit=200, offset=offset)
        found += [Seen(r.id, r.name, r.state.type.value, r.state.timestamp)
                  for r in page if r.id != skip and r.state is not None]
        if len(page) < 200:
            return found
        offset += 200


async def _beating(client, ids: list[UUID], now: datetime, silence: int) -> set[UUID]:
    """The runs among `ids` with a heartbeat event stored in the last `silence` seconds."""
    from prefect.events.filters import (
        EventFilter,
        EventNameFilter,
        EventOccurredFilter,
        EventResourceFilter,
    )

    if not ids:
        return set()
    page = await client.read_events(EventFilter(
        occurred=EventOccurredFilter.model_validate(
            {"since": now - timedelta(seconds=silence), "until": now}),
        event=EventNameFilter(name=[HEARTBEAT]),
        resource=EventResourceFilter(id=[f"prefect.flow-run.{i}" for i in ids], distinct=True)),
        limit=50)  # the API's maximum page
    beating: set[UUID] = set()
    while True:
        beating |= {UUID(e.resource.id.removeprefix("prefect.flow-run.")) for e in page.events}
        if not page.next_page:
            return beating
        page = await client.read_events_page(page.next_page)


async def events_are_stored(client, me: UUID, wait: float = 30) -> bool:
    """Whether the server stores events now: this sweep's own Running event shows up within
    `wait` seconds (the event persister writes in batches every few seconds). If it does not,
    the missing heartbeats of other runs prove nothing, and a healthy run must not be rerun."""
    import asyncio

    from prefect.events.filters import (
        EventFilter,
        EventNameFilter,
        EventOccurredFilter,
        EventResourceFilter,
    )

    since = datetime.now(UTC) - timedelta(hours=1)
    deadline = asyncio.get_running_loop().time() + wait
    while True:
        page = await client.read_events(EventFilter(
            occurred=EventOccurredFilter.model_validate(
                {"since": since, "until": datetime.now(UTC) + timedelta(minutes=1)}),
            event=EventNameFilter(name=["prefect.flow-run.Running"]),
            resource=EventResourceFilter(id=[f"prefect.flow-run.{me}"])), limit=1)
        if page.events:
            return True
        if asyncio.get_running_loop().time() > deadline:
            return False
        await asyncio.sleep(1)


async def sweep(client, now: datetime, start_timeout: int, silence: int,
                skip: UUID | None = None, judge_heartbeats: bool = True
                ) -> list[tuple[Seen, str]]:
    """Put back to Scheduled each run of ours whose worker is presumed dead; those runs.
    `judge_heartbeats` False: Running runs are left alone (the events are not being stored)."""
    from prefect.states import AwaitingRetry

    runs = await _candidates(client, skip)
    if not judge_heartbeats:
        runs = [r for r in runs if r.state != "RUNNING"]
    running = [r.id for r in runs if r.state == "RUNNING"]
    beating = await _beating(client, running, now, silence)
    chosen = to_rerun(runs, beating, now, start_timeout, silence)
    for run, why in chosen:
        await client.set_flow_run_state(run.id, AwaitingRetry(
            scheduled_time=now, message=f"rerun by the recovery sweep: {why}"), force=True)
    return chosen


@flow(name="recover-runs", log_prints=False)
async def recover_runs(start_timeout: int = 300, silence: int = 180) -> list[str]:
    """Rerun the runs of `programme deploy`'s deployments whose worker died; their names.
    The thresholds are the deployment's parameters, written by `programme deploy` from
    PROGRAMME_START_TIMEOUT_SECONDS and PROGRAMME_SILENCE_SECONDS, as for the automations."""
    from prefect import get_client
    from prefect.runtime import flow_run

    logger = get_run_logger()
    me = UUID(flow_run.id) if flow_run.id else None
    async with get_client() as client:
        stored = me is None or await events_are_stored(client, me)
        if not stored:
            logger.warning("the Prefect server is not storing events (is its event persister, "
                           "in `prefect server services start`, running?): runs without "
                           "heartbeats are not judged; only runs never started are rerun")
        chosen = await sweep(client, datetime.now(UTC), start_timeout, silence, skip=me,
                             judge_heartbeats=stored)
    for run, why in chosen:
        logger.warning("%s: %s; set back to Scheduled", run.name, why)
    if not chosen:
        logger.info("no run of a dead worker")
    return [run.name for run, _ in chosen]
