"""A served stack on this machine, for the end-to-end tests and the latency benchmark: a Prefect
server on its own PostgreSQL database and PREFECT_HOME, and `programme serve` against it (with
its task worker, or without it to start `programme worker` later)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import create_engine, text

PG_ADMIN_URL = os.environ.get("PROGRAMME_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def wait_for(check, timeout: float, what: str, interval: float = 0.25):
    """Poll `check` until it returns something truthy; fail naming `what` after `timeout` s."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def healthy(api: str) -> bool:
    try:
        with urllib.request.urlopen(f"{api}/health", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


@contextmanager
def prefect_database() -> Iterator[str]:
    name = f"prefect_e2e_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def api_post(api: str, path: str, body: dict | None = None):
    """POST to the Prefect server's REST API (no Prefect import: it costs seconds per process)."""
    request = urllib.request.Request(f"{api}{path}", data=json.dumps(body or {}).encode(),
                                     headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read() or b"null")


def deployment_names(api: str) -> set[str]:
    try:
        return {d["name"] for d in api_post(api, "/deployments/filter")}
    except OSError:
        return set()


FOLLOW_UP_TASK = "follow_up_checkin-"  # the task key's prefix (the rest hashes the task's code)


def task_workers(api: str) -> set[str]:
    """The identifiers (host-pid) of the task workers subscribed to the check-in follow-up."""
    try:
        workers = api_post(api, "/task_workers/filter")
    except OSError:
        return set()
    return {w["identifier"] for w in workers
            if any(k.startswith(FOLLOW_UP_TASK) for k in w.get("task_keys", []))}


def task_worker_ready(api: str) -> bool:
    return bool(task_workers(api))


def children(pid: int) -> list[int]:
    """The child processes of `pid` (Linux)."""
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def follow_up_runs(api: str) -> list[dict]:
    """The check-in follow-up task runs the server knows, oldest first."""
    runs = api_post(api, "/task_runs/filter", {"sort": "EXPECTED_START_TIME_ASC"})
    return [r for r in runs if r["task_key"].startswith(FOLLOW_UP_TASK)]


@dataclass
class Stack:
    api: str
    client_env: dict
    logs: Path
    workers: list[subprocess.Popen] = field(default_factory=list)
    serving: subprocess.Popen | None = None  # `programme serve`

    def tail(self) -> str:
        return "\n".join(f"--- {p.name} ---\n{p.read_text()[-4000:]}"
                         for p in sorted(self.logs.glob("*.log")))

    def start_worker(self, timeout: float = 120) -> subprocess.Popen:
        """`programme worker` on its own; returns once it is subscribed."""
        log = open(self.logs / f"worker-{len(self.workers) + 1}.log", "w")  # noqa: SIM115
        proc = subprocess.Popen([sys.executable, "-m", "programme", "worker"], env=self.client_env,
                                stdout=log, stderr=subprocess.STDOUT)
        self.workers.append(proc)
        wait_for(lambda: proc.poll() is not None or task_worker_ready(self.api), timeout,
                 "`programme worker` to subscribe", interval=0.5)
        assert proc.poll() is None, self.tail()
        return proc


# A Thursday morning in London: inside every plan's sending window, so follow-ups go at once.
IN_WINDOW = "2026-12-03T10:00:00+00:00"


@contextmanager
def prefect_server(work: Path, plans: Path, smtp_url: str, timeout: float = 180,
                   now: str = IN_WINDOW, database_url: str | None = None,
                   env: dict | None = None, server_env: dict | None = None) -> Iterator[Stack]:
    """Start a Prefect server on its own PostgreSQL database; yield the Stack (its API, and the
    environment of every programme process: clock at `now` (PROGRAMME_NOW), store at
    `database_url` (default: SQLite in the data folder), live email to `smtp_url`, and `env`
    added; the server's own environment gets `server_env`) once it is healthy. Processes put
    in `stack.workers` are stopped at the end."""
    logs = work / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    port = free_port()
    api = f"http://127.0.0.1:{port}/api"
    base = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "PROGRAMME_"))}
    with prefect_database() as database:
        server_env = {**base, "PREFECT_HOME": str(work / "prefect-server"),
                      "PREFECT_API_DATABASE_CONNECTION_URL": database,
                      "PREFECT_SERVER_LOGGING_LEVEL": "WARNING",
                      "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PREFECT_SERVER_UI_ENABLED": "false",
                      **(server_env or {})}
        client_env = {**base, "PREFECT_HOME": str(work / "prefect-client"), "PREFECT_API_URL": api,
                      "PROGRAMME_HOME": str(work / "home"), "PROGRAMME_PLANS": str(plans),
                      "PROGRAMME_SMTP_URL": smtp_url, "PROGRAMME_DELIVERY": "live",
                      "PROGRAMME_NOW": now, "PREFECT_LOGGING_LEVEL": "WARNING",
                      **({"PROGRAMME_DATABASE_URL": database_url} if database_url else {}),
                      **(env or {})}
        with open(logs / "server.log", "w") as server_log:
            server = subprocess.Popen([sys.executable, "-m", "prefect", "server", "start", "--host",
                                       "127.0.0.1", "--port", str(port)], env=server_env,
                                      stdout=server_log, stderr=subprocess.STDOUT)
            stack = Stack(api, client_env, logs)
            try:
                wait_for(lambda: server.poll() is not None or healthy(api), timeout, "the Prefect server")
                assert server.poll() is None, stack.tail()
                yield stack
            finally:
                for proc in [*stack.workers, *([stack.serving] if stack.serving else [])]:
                    _stop(proc)
                _stop(server)


def start_serve(stack: Stack, worker: bool = True, timeout: float = 180) -> subprocess.Popen:
    """`programme serve` (with its task worker, or `--no-worker`) against the stack's server;
    returns once its deployments are registered and the task worker, if any, subscribed."""
    serve_log = open(stack.logs / "serve.log", "a")  # noqa: SIM115
    serving = subprocess.Popen([sys.executable, "-m", "programme", "serve",
                                *([] if worker else ["--no-worker"])], env=stack.client_env,
                               stdout=serve_log, stderr=subprocess.STDOUT)
    stack.serving = serving

    def ready() -> bool:
        return "portfolio-digest" in deployment_names(stack.api) and (
            not worker or task_worker_ready(stack.api))

    wait_for(lambda: serving.poll() is not None or ready(), timeout,
             "the served deployments" + (" and the task worker" if worker else ""), interval=0.5)
    assert serving.poll() is None, stack.tail()
    return serving


def stop(proc: subprocess.Popen) -> None:
    _stop(proc)


@contextmanager
def served_stack(work: Path, plans: Path, smtp_url: str, timeout: float = 180,
                 now: str = IN_WINDOW, worker: bool = True,
                 database_url: str | None = None, env: dict | None = None) -> Iterator[Stack]:
    """Start the Prefect server and `programme serve` (with its task worker, or with
    `--no-worker`) with every programme process's clock at `now` (PROGRAMME_NOW) and their store
    at `database_url` (default: SQLite in the data folder), with `env` added to their
    environment (PROGRAMME_PUBLIC_URL, say); yield once the deployments are registered and the
    task worker, if any, is subscribed."""
    with prefect_server(work, plans, smtp_url, timeout, now, database_url, env) as stack:
        start_serve(stack, worker, timeout)
        yield stack
