"""`programme deploy`: the plans folder as work-pool deployments on the Prefect server at
PREFECT_API_URL, for Prefect workers (`prefect worker start --pool NAME`) to run.

What it keeps in step with the folder, and nothing else (everything it owns carries the tag
`programme:deployed`; `programme serve`'s deployments carry `programme:served`):

* `track-plan/<plan>`: one deployment per plan, 09:00 on weekdays in the plan's timezone. One
  deployment per plan rather than one parameterised deployment with a schedule per plan: each
  plan's run is its own flow run either way (so runs spread across workers), but a deployment
  per plan has its own history, pause button and schedule in the UI, is added or removed with
  its plan file without touching the others, and stays clear of the scheduler's per-deployment
  cap on runs it creates ahead (`PREFECT_API_SERVICES_SCHEDULER_MAX_RUNS`, 100), which 200 plans'
  schedules on one deployment would exceed;
* `weekly-digest/<plan>`: each plan's digest, Mondays 08:00 plan time, and
  `weekly-digest/portfolio`, Mondays 08:00 Europe/London;
* three automations (flows/recovery.py) that rerun a run whose worker died, and
  `recover-runs/sweep`, every 5 minutes of the working day, which does the same from the runs'
  states and stored heartbeats, for when the automations do not see a run (flows/sweep.py).

Code location: the entrypoints are module paths (`flows.tracking:track_plan`), so a worker needs
this package installed (`pip install programme`, or `pip install -e .` in a checkout) and the
settings in the README, not a checkout at a given path: no pull steps.

Moving from `programme serve` pauses the served deployments (and says so); `programme serve`
does the same the other way round (flows/ownership.py). A plan file that does not load keeps its
deployments (a typo must not cancel a plan's chasing); a plan file removed loses them.
"""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from programme.store import Store
from programme.usecases.workspace import Workspace

from .ownership import DEPLOYED, SERVED, names, owned_by, pause_owned_by

TRACKING_CRON = "0 9 * * 1-5"
DIGEST_CRON = "0 8 * * 1"
SWEEP_CRON, SWEEP_TIMEZONE = "*/5 7-18 * * 1-5", "Europe/London"  # flows/sweep.py
PORTFOLIO = "portfolio"
DEFAULT_POOL = "programme"

# The flow-run heartbeat the deployments' runs send (PREFECT_FLOWS_HEARTBEAT_FREQUENCY, set in
# each deployment's job variables so a worker needs no setting for it; Prefect's minimum is 30).
HEARTBEAT_SETTING = "PROGRAMME_HEARTBEAT_SECONDS"
DEFAULT_HEARTBEAT = 60


def heartbeat_seconds() -> int:
    value = int(os.environ.get(HEARTBEAT_SETTING) or DEFAULT_HEARTBEAT)
    if value < 30:
        raise ValueError(f"{HEARTBEAT_SETTING} is {value}: Prefect sends heartbeats at most "
                         "every 30 s, so it must be 30 or more")
    return value


@dataclass(frozen=True)
class Wanted:
    """One deployment as the plans folder wants it."""

    flow: str  # the flow's name
    name: str
    entrypoint: str
    parameters: dict[str, Any]
    cron: str
    timezone: str
    description: str
    tags: tuple[str, ...]
    job_variables: dict[str, Any]

    @property
    def full_name(self) -> str:
        return f"{self.flow}/{self.name}"


@dataclass
class Changes:
    """What `programme deploy` does (or, with --dry-run, would do)."""

    pool: str
    pool_created: bool = False
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    paused_served: list[str] = field(default_factory=list)  # `programme serve`'s, now paused
    automations: dict[str, list[str]] = field(default_factory=dict)  # added/updated/unchanged

    @property
    def none(self) -> bool:
        return not (self.pool_created or self.added or self.updated or self.removed
                    or self.paused_served or self.automations.get("added")
                    or self.automations.get("updated"))


def wanted(plans_dir: str | None = None, heartbeat: int | None = None
           ) -> tuple[list[Wanted], set[str]]:
    """The deployments the folder wants, and the ids of plan files that do not load now (their
    deployments are kept as they are)."""
    ws = Workspace(Store(), Path(plans_dir) if plans_dir else None)
    common: dict[str, Any] = {"plans_dir": str(Path(plans_dir).resolve())} if plans_dir else {}
    job = {"env": {"PREFECT_FLOWS_HEARTBEAT_FREQUENCY": str(heartbeat or heartbeat_seconds())}}
    out: list[Wanted] = []
    for plan in sorted(ws.plans(), key=lambda p: p.id):
        tags = ("programme", DEPLOYED, plan.id)
        out.append(Wanted("track-plan", plan.id, "flows.tracking:track_plan",
                          {"plan_id": plan.id, **common}, TRACKING_CRON, plan.timezone,
                          f"Daily tracking of {plan.title}", tags, job))
        out.append(Wanted("weekly-digest", plan.id, "flows.digest:weekly_digest",
                          {"plan_id": plan.id, "portfolio": False, **common}, DIGEST_CRON,
                          plan.timezone, f"Weekly digest of {plan.title} to its subscribers",
                          tags, job))
    out.append(Wanted("weekly-digest", PORTFOLIO, "flows.digest:weekly_digest",
                      {"portfolio": True, "per_plan": False, **common}, DIGEST_CRON,
                      "Europe/London", "Weekly portfolio digest to the sponsors",
                      ("programme", DEPLOYED), job))
    from .recovery import thresholds

    silence, start_timeout = thresholds()
    out.append(Wanted("recover-runs", "sweep", "flows.sweep:recover_runs",
                      {"start_timeout": start_timeout, "silence": silence}, SWEEP_CRON,
                      SWEEP_TIMEZONE, "Every 5 minutes of the working day: rerun the runs of "
                      "a worker that died (flows/sweep.py)", ("programme", DEPLOYED), job))
    broken = {r.path.stem for r in ws.broken()}
    return out, broken


def _same(have, want: Wanted, pool: str) -> bool:
    schedules = sorted((getattr(s.schedule, "cron", None), getattr(s.schedule, "timezone", None),
                        s.active) for s in have.schedules)
    return (have.entrypoint == want.entrypoint and have.work_pool_name == pool
            and have.parameters == want.parameters and not have.paused
            and schedules == [(want.cron, want.timezone, True)]
            and sorted(have.tags) == sorted(want.tags) and have.description == want.description
            and (have.job_variables or {}) == want.job_variables and not have.pull_steps)


def _plan_id_of(have) -> str | None:
    return next((t for t in have.tags if t not in ("programme", DEPLOYED)), None)


async def deploy(pool: str = DEFAULT_POOL, plans_dir: str | None = None,
                 dry_run: bool = False) -> Changes:
    from prefect import get_client
    from prefect.client.schemas.actions import DeploymentScheduleCreate, WorkPoolCreate
    from prefect.client.schemas.schedules import CronSchedule
    from prefect.exceptions import ObjectNotFound
    from prefect.utilities.callables import parameter_schema

    from flows.digest import weekly_digest
    from flows.tracking import track_plan

    from .recovery import sync_automations
    from .sweep import recover_runs

    want, broken = wanted(plans_dir)
    changes = Changes(pool)
    flows: dict[str, Any] = {"track-plan": track_plan, "weekly-digest": weekly_digest,
                             "recover-runs": recover_runs}
    async with get_client() as client:
        try:
            await client.read_work_pool(pool)
        except ObjectNotFound:
            changes.pool_created = True
            if not dry_run:
                await client.create_work_pool(WorkPoolCreate(name=pool, type="process"))
        existing = await owned_by(client, DEPLOYED)
        named = await names(client, existing)
        have = {named[d.id]: d for d in existing}
        wanted_names = {w.full_name for w in want}
        flow_ids: dict[str, Any] = {}
        for w in want:
            current = have.get(w.full_name)
            if current is not None and _same(current, w, pool):
                changes.unchanged.append(w.full_name)
                continue
            (changes.updated if current is not None else changes.added).append(w.full_name)
            if dry_run:
                continue
            if w.flow not in flow_ids:
                flow_ids[w.flow] = await client.create_flow_from_name(w.flow)
            await client.create_deployment(
                flow_id=flow_ids[w.flow], name=w.name, entrypoint=w.entrypoint,
                work_pool_name=pool, parameters=w.parameters, description=w.description,
                tags=list(w.tags), job_variables=w.job_variables, paused=False, pull_steps=[],
                schedules=[DeploymentScheduleCreate(
                    schedule=CronSchedule(cron=w.cron, timezone=w.timezone), active=True)],
                parameter_openapi_schema=parameter_schema(flows[w.flow]).model_dump_for_openapi(),
                enforce_parameter_schema=True)
        for full_name, d in sorted(have.items()):
            if full_name in wanted_names or _plan_id_of(d) in broken:
                continue
            changes.removed.append(full_name)
            if not dry_run:
                await client.delete_deployment(d.id)
        changes.paused_served = await pause_owned_by(client, SERVED, dry_run)
        changes.automations = await sync_automations(client, dry_run)
    return changes


def run_deploy(pool: str = DEFAULT_POOL, plans_dir: str | None = None,
               dry_run: bool = False) -> Changes:
    return asyncio.run(deploy(pool, plans_dir, dry_run))
