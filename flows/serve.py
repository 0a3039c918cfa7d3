"""The served mode: every flow registered as deployments on the Prefect server at
PREFECT_API_URL, with its schedule, and served from this process; and the task worker for
check-in follow-ups, as a child process of this one.

* track-<plan>: tracking at 09:00 on weekdays in the plan's timezone (bank holidays and closure
  days are recognised by the chase policy, which sends nothing on them);
* digest-<plan>: the plan's digest, Mondays 08:00 plan time; portfolio-digest: Mondays 08:00
  Europe/London, to the sponsors;
* the task worker (flows/worker.py): each check-in's follow-ups, handed over as a background
  task. They used to run as a `check-in-follow-up` deployment started by an event trigger,
  13 s after the check-in instead of under one; the check-in events are still emitted for
  automations and the event feed, but nothing here runs on them any more.

For workers on a work pool instead of this process, `programme deploy` (flows/deploy.py). One
owner per schedule (flows/ownership.py): serving pauses `programme deploy`'s deployments and its
recovery automations, and deletes the served deployments of plans no longer in the folder.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from prefect import serve
from prefect.schedules import Cron

from programme.store import Store
from programme.usecases.workspace import Workspace

from .deploy import DIGEST_CRON, TRACKING_CRON
from .digest import weekly_digest
from .ownership import SERVED, take_over_for_serve
from .tracking import track_plan
from .worker import PARENT

log = logging.getLogger("programme.serve")


def deployments(plans_dir: str | None = None) -> list:
    ws = Workspace(Store(), Path(plans_dir) if plans_dir else None)
    common = {"plans_dir": plans_dir} if plans_dir else {}
    out = []
    for plan in ws.plans():
        out.append(track_plan.to_deployment(
            name=f"track-{plan.id}", parameters={"plan_id": plan.id, **common},
            schedules=[Cron(TRACKING_CRON, timezone=plan.timezone)], tags=["programme", SERVED, plan.id],
            paused=False,
            description=f"Daily tracking of {plan.title}"))
        out.append(weekly_digest.to_deployment(
            name=f"digest-{plan.id}", parameters={"plan_id": plan.id, "portfolio": False, **common},
            schedules=[Cron(DIGEST_CRON, timezone=plan.timezone)], tags=["programme", SERVED, plan.id],
            paused=False,
            description=f"Weekly digest of {plan.title} to its subscribers"))
    out.append(weekly_digest.to_deployment(
        name="portfolio-digest", parameters={"portfolio": True, "per_plan": False, **common},
        schedules=[Cron(DIGEST_CRON, timezone="Europe/London")], tags=["programme", SERVED],
        paused=False,
        description="Weekly portfolio digest to the sponsors"))
    return out


class TaskWorkerProcess:
    """`programme worker` as a child of `programme serve`: started with it, restarted (after
    1 s, doubling to a minute) if it exits on its own, stopped with it. The child also exits
    if this process dies without stopping it (it watches its parent)."""

    def __init__(self, command: list[str]):
        self.command = command
        self.proc: subprocess.Popen | None = None
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._keep_running, name="task-worker", daemon=True)

    def start(self) -> TaskWorkerProcess:
        self._thread.start()
        return self

    def _keep_running(self) -> None:
        pause = 1.0
        while True:
            with self._lock:
                if self._stopping.is_set():
                    return
                started = time.monotonic()
                self.proc = subprocess.Popen(self.command,
                                             env={**os.environ, PARENT: str(os.getpid())})
            code = self.proc.wait()
            if self._stopping.is_set():
                return
            pause = 1.0 if time.monotonic() - started > 60 else min(pause * 2, 60.0)
            log.warning("the task worker exited (code %s); starting it again in %.0f s", code, pause)
            if self._stopping.wait(pause):
                return

    def stop(self, timeout: float = 20) -> None:
        with self._lock:
            self._stopping.set()
            proc = self.proc
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def worker_command(plans_dir: str | None = None, verbose: bool = False) -> list[str]:
    return [sys.executable, "-m", "programme", "worker",
            *(["--plans", plans_dir] if plans_dir else []), *(["--verbose"] if verbose else [])]


def take_over(served: list) -> None:
    """Pause what `programme deploy` registered, and say so (on stderr, with the log)."""
    import asyncio

    done = asyncio.run(take_over_for_serve({d.name for d in served}))
    if done["paused"]:
        print(f"paused {len(done['paused'])} deployments of `programme deploy` (this process "
              "runs them now; `programme deploy` moves them back): " + ", ".join(done["paused"]),
              file=sys.stderr)
    if done["automations"]:
        print("paused the automations of `programme deploy`: " + ", ".join(done["automations"]),
              file=sys.stderr)
    if done["removed"]:
        print("removed the served deployments of plans no longer in the folder: "
              + ", ".join(done["removed"]), file=sys.stderr)


def serve_all(plans_dir: str | None = None, worker: bool = True, verbose: bool = False) -> None:
    served = deployments(plans_dir)
    take_over(served)
    child = TaskWorkerProcess(worker_command(plans_dir, verbose)).start() if worker else None
    try:
        serve(*served, print_starting_message=True)
    finally:
        if child is not None:
            child.stop()
