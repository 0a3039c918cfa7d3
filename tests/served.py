"""A served stack on this machine, for the end-to-end test and the latency benchmark: a Prefect
server on its own PostgreSQL database and PREFECT_HOME, and `programme serve` against it."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
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


def _ready(env: dict) -> bool:
    code = ("import asyncio\n"
            "from prefect.client.orchestration import get_client\n"
            "async def main():\n"
            "    async with get_client() as c:\n"
            "        autos = await c.read_automations()\n"
            "        deps = await c.read_deployments()\n"
            "    ok = 'check-in-follow-up' in {d.name for d in deps} and any(a.enabled for a in autos)\n"
            "    print('yes' if ok else 'no')\n"
            "asyncio.run(main())\n")
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                            timeout=60)
    return result.stdout.strip().endswith("yes")


@dataclass
class Stack:
    api: str
    client_env: dict
    logs: Path

    def tail(self) -> str:
        return "\n".join(f"--- {p.name} ---\n{p.read_text()[-4000:]}"
                         for p in sorted(self.logs.glob("*.log")))


# A Thursday morning in London: inside every plan's sending window, so follow-ups go at once.
IN_WINDOW = "2026-12-03T10:00:00+00:00"


@contextmanager
def served_stack(work: Path, plans: Path, smtp_url: str, timeout: float = 180,
                 now: str = IN_WINDOW) -> Iterator[Stack]:
    """Start the Prefect server and `programme serve` with every programme process's clock at
    `now` (PROGRAMME_NOW); yield once the trigger is in place."""
    logs = work / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    port = free_port()
    api = f"http://127.0.0.1:{port}/api"
    base = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "PROGRAMME_"))}
    with prefect_database() as database:
        server_env = {**base, "PREFECT_HOME": str(work / "prefect-server"),
                      "PREFECT_API_DATABASE_CONNECTION_URL": database,
                      "PREFECT_SERVER_LOGGING_LEVEL": "WARNING",
                      "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PREFECT_SERVER_UI_ENABLED": "false"}
        client_env = {**base, "PREFECT_HOME": str(work / "prefect-client"), "PREFECT_API_URL": api,
                      "PROGRAMME_HOME": str(work / "home"), "PROGRAMME_PLANS": str(plans),
                      "PROGRAMME_SMTP_URL": smtp_url, "PROGRAMME_DELIVERY": "live",
                      "PROGRAMME_NOW": now,
                      "PREFECT_RUNNER_POLL_FREQUENCY": "1", "PREFECT_LOGGING_LEVEL": "WARNING"}
        with open(logs / "server.log", "w") as server_log, open(logs / "serve.log", "w") as serve_log:
            server = subprocess.Popen([sys.executable, "-m", "prefect", "server", "start", "--host",
                                       "127.0.0.1", "--port", str(port)], env=server_env,
                                      stdout=server_log, stderr=subprocess.STDOUT)
            serving = None
            stack = Stack(api, client_env, logs)
            try:
                wait_for(lambda: server.poll() is not None or healthy(api), timeout, "the Prefect server")
                assert server.poll() is None, stack.tail()
                serving = subprocess.Popen([sys.executable, "-m", "programme", "serve"], env=client_env,
                                           stdout=serve_log, stderr=subprocess.STDOUT)
                wait_for(lambda: serving.poll() is not None or _ready(client_env), timeout,
                         "the served deployments and their trigger", interval=1)
                assert serving.poll() is None, stack.tail()
                yield stack
            finally:
                if serving is not None:
                    _stop(serving)
                _stop(server)
