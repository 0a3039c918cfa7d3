"""End to end on a real Prefect server (on this machine's PostgreSQL): the deployments are
served, `programme update` marks a milestone done, and the owner of the milestone that waited
on it gets "you can start" by email at a real SMTP server, through the triggered flow."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest
from chase.conftest import SmtpServer, free_port
from conftest import IN_CI, PG_ADMIN_URL, _postgres_reachable
from sqlalchemy import create_engine, text

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

PLAN = """
id: served-plan
title: Served plan
lead: cara
sponsor: sam
start: 2026-01-05
people:
  ana: {name: Ana Lee, contacts: [ana@example.gov.uk]}
  bob: {name: Bob Khan, contacts: [bob@example.gov.uk]}
  cara: {name: Cara Jones, contacts: [cara@example.gov.uk]}
  sam: {name: Sam Patel, contacts: [sam@example.gov.uk]}
milestones:
  - {id: needs, title: Needs assessment, owner: ana, due: 2027-12-01}
  - {id: personas, title: Four personas, owner: bob, due: 2027-12-10, depends_on: [needs]}
"""


def wait_for(check, timeout: float, what: str, interval: float = 0.5):
    """Poll `check` until it returns something truthy; fail with `what` after `timeout` s."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/health", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


@pytest.fixture
def prefect_database():
    problem = _postgres_reachable()
    if problem:
        if IN_CI:
            pytest.fail(f"PostgreSQL is required in CI: {problem}")
        pytest.skip(problem)
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


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_done_triggers_the_follow_up_that_emails_the_next_owner(tmp_path: Path, prefect_database):
    smtp = SmtpServer()
    smtp.start()
    plans = tmp_path / "plans"
    plans.mkdir()
    (plans / "served-plan.yaml").write_text(PLAN, encoding="utf-8")
    port = free_port()
    api = f"http://127.0.0.1:{port}/api"
    base_env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    server_env = {**base_env, "PREFECT_HOME": str(tmp_path / "prefect-server"),
                  "PREFECT_API_DATABASE_CONNECTION_URL": prefect_database,
                  "PREFECT_SERVER_LOGGING_LEVEL": "WARNING", "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
                  "PREFECT_SERVER_UI_ENABLED": "false"}
    client_env = {**base_env, "PREFECT_HOME": str(tmp_path / "prefect-client"), "PREFECT_API_URL": api,
                  "PROGRAMME_HOME": str(tmp_path / "home"), "PROGRAMME_PLANS": str(plans),
                  "PROGRAMME_SMTP_URL": smtp.url, "PREFECT_RUNNER_POLL_FREQUENCY": "1",
                  "PREFECT_LOGGING_LEVEL": "WARNING"}
    logs = tmp_path / "logs"
    logs.mkdir()
    server = subprocess.Popen(
        [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env=server_env, stdout=open(logs / "server.log", "w"),  # noqa: SIM115 - the child holds it
        stderr=subprocess.STDOUT)
    serving = None
    try:
        wait_for(lambda: server.poll() is not None or healthy(api), 120, "the Prefect server")
        assert server.poll() is None, (logs / "server.log").read_text()[-3000:]
        serving = subprocess.Popen([sys.executable, "-m", "programme", "serve"], env=client_env,
                                   stdout=open(logs / "serve.log", "w"),  # noqa: SIM115
                                   stderr=subprocess.STDOUT)
        wait_for(lambda: serving.poll() is not None or automation_ready(client_env), 120,
                 "the served deployments and their trigger")
        assert serving.poll() is None, (logs / "serve.log").read_text()[-3000:]

        update = subprocess.run([sys.executable, "-m", "programme", "update", "served-plan", "needs",
                                 "--done", "--by", "ana"], env=client_env, capture_output=True,
                                text=True, timeout=120)
        assert update.returncode == 0, update.stderr
        started = time.monotonic()

        def can_start_email():
            return [r for r in smtp.received if "bob@example.gov.uk" in r.rcpt
                    and "You can start" in r.body("plain")]

        found = wait_for(can_start_email, 120, "the 'you can start' email to bob")
        latency = time.monotonic() - started
        assert "Four personas" in found[0].body("plain")
        assert "Served plan" in found[0].body("plain")
        print(f"event → email in {latency:.1f} s")
    except AssertionError:
        for name in ("server.log", "serve.log"):
            print(f"--- {name} ---\n" + (logs / name).read_text()[-4000:])
        raise
    finally:
        if serving is not None:
            stop(serving)
        stop(server)
        smtp.stop()


def automation_ready(env: dict) -> bool:
    code = ("import asyncio\n"
            "from prefect.client.orchestration import get_client\n"
            "async def main():\n"
            "    async with get_client() as c:\n"
            "        autos = await c.read_automations()\n"
            "        deps = await c.read_deployments()\n"
            "    names = {d.name for d in deps}\n"
            "    ok = 'check-in-follow-up' in names and any(a.enabled for a in autos)\n"
            "    print('yes' if ok else 'no')\n"
            "asyncio.run(main())\n")
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                            timeout=60)
    return result.stdout.strip().endswith("yes")
