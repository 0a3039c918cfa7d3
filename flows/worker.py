"""The task worker: it runs the check-in follow-ups that the web service, the API and
`programme update` hand over as Prefect background tasks (`follow_up_checkin.delay(...)`).

It is one long-running process holding a websocket to the Prefect server at PREFECT_API_URL,
which pushes each new run to it at once (0.2-0.7 s from `.delay()` to the task body here),
instead of starting a new process per run as a deployment does. `programme serve` starts one
as a child process; `programme worker` runs one alone (more machines, more workers: the server
gives each run to one of them). Runs handed over while no worker is connected wait on the
server and go to the first worker that connects.

What it needs besides PREFECT_API_URL and the programme's own settings (database, plans folder,
channels): to read the runs' parameters, which Prefect stores where the caller ran, in its
local result storage (PREFECT_RESULTS_LOCAL_STORAGE_PATH, default $PREFECT_HOME/storage) unless
PREFECT_TASK_SCHEDULING_DEFAULT_STORAGE_BLOCK names a shared storage block. On one machine with
one PREFECT_HOME that is automatic; across machines every caller and worker needs the same
storage (see the README, "Running it as a service").
"""

from __future__ import annotations

import os
import signal
import threading
from pathlib import Path

from tasks.followup import follow_up_checkin, use_plans

LIMIT = 10  # follow-ups run at once by one worker (threads; each mostly waits on SMTP)
PARENT = "PROGRAMME_WORKER_PARENT"  # set by `programme serve` for the worker it starts


def warm_up() -> None:
    """Pay the one-off costs before the first check-in arrives rather than during it: the
    store's schema check and Apprise's import (0.9 s here)."""
    from programme.compose import dispatcher
    from tasks.followup import store

    store().migrate()
    dispatcher()


def exit_with_parent(parent: int, every: float = 1.0) -> None:
    """Stop (as on SIGTERM) once `parent` is gone: a `programme serve` killed outright leaves
    no worker behind."""

    def watch() -> None:
        while os.getppid() == parent:
            threading.Event().wait(every)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def run_worker(plans_dir: str | None = None, limit: int = LIMIT) -> None:
    """Serve the background tasks until stopped (Ctrl-C or SIGTERM)."""
    if not os.environ.get("PREFECT_API_URL"):
        raise RuntimeError("PREFECT_API_URL is not set")
    if os.environ.get(PARENT, "").isdigit():
        exit_with_parent(int(os.environ[PARENT]))
    use_plans(Path(plans_dir) if plans_dir else None)
    warm_up()
    from prefect.task_worker import serve

    serve(follow_up_checkin, limit=limit)
