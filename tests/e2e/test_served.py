"""End to end on a real Prefect server (on this machine's PostgreSQL): `programme serve` with its
task worker, `programme update` marks a milestone done, and the owner of the milestone that
waited on it gets "you can start" by email at a real SMTP server, through the background task.
And when no task worker is running, the check-in is recorded all the same and its follow-up
waits on the server until a worker starts."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from chase.conftest import SmtpServer
from conftest import IN_CI, _postgres_reachable
from served import api_post, children, follow_up_runs, served_stack, task_workers, wait_for

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
  - {id: market, title: Market event, owner: cara, due: 2027-12-20, depends_on: [personas]}
"""


@pytest.fixture
def smtp():
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def plans(tmp_path: Path) -> Path:
    problem = _postgres_reachable()
    if problem:
        if IN_CI:
            pytest.fail(f"PostgreSQL is required in CI: {problem}")
        pytest.skip(problem)
    folder = tmp_path / "plans"
    folder.mkdir()
    (folder / "served-plan.yaml").write_text(PLAN, encoding="utf-8")
    return folder


def check_in_done(stack, milestone: str = "needs", by: str = "ana") -> subprocess.CompletedProcess:
    update = subprocess.run([sys.executable, "-m", "programme", "update", "served-plan", milestone,
                             "--done", "--by", by], env=stack.client_env, capture_output=True,
                            text=True, timeout=120)
    assert update.returncode == 0, update.stderr
    return update


def emails_to_bob(smtp) -> list:
    return [r for r in smtp.received if "bob@example.gov.uk" in r.rcpt
            and "You can start" in r.body("plain")]


def check_in_events(stack) -> list[str]:
    found = api_post(stack.api, "/events/filter", {"filter": {
        "event": {"prefix": ["programme.milestone."]}}})
    return [e["event"] for e in found["events"]]


def follow_up_states(stack) -> list[str]:
    return [r["state"]["type"] for r in follow_up_runs(stack.api)]


def test_done_sends_you_can_start_through_the_task_worker_that_serve_keeps_running(
        tmp_path: Path, plans: Path, smtp):
    with served_stack(tmp_path, plans, smtp.url) as stack:
        update = check_in_done(stack)
        started = time.monotonic()
        assert "Bob Khan can now start Four personas" in update.stdout
        assert "handed to the task worker" in update.stdout
        try:
            found = wait_for(lambda: emails_to_bob(smtp), 60, "the 'you can start' email to bob",
                             interval=0.05)
            wait_for(lambda: follow_up_states(stack) == ["COMPLETED"], 60,
                     "the follow-up task run to complete")
        except AssertionError:
            print(stack.tail())
            raise
        print(f"check-in → email in {time.monotonic() - started:.2f} s")
        body = found[0].body("plain")
        assert "Four personas" in body and "Served plan" in body
        assert len(emails_to_bob(smtp)) == 1
        assert wait_for(lambda: check_in_events(stack), 30, "the check-in event") == [
            "programme.milestone.done"]  # still published, for automations and the event feed

        # The task worker dies: `programme serve` starts another, which takes the next one.
        [first] = task_workers(stack.api)
        [child] = [c for c in children(stack.serving.pid)
                   if b"worker" in Path(f"/proc/{c}/cmdline").read_bytes()]
        os.kill(child, signal.SIGKILL)
        wait_for(lambda: task_workers(stack.api) - {first}, 120, "a new task worker")
        check_in_done(stack, "personas", "bob")
        wait_for(lambda: [r for r in smtp.received if "cara@example.gov.uk" in r.rcpt
                          and "Market event" in r.body("plain")], 60, "the email to cara")


def test_a_check_in_while_no_task_worker_runs_is_followed_up_once_one_starts(
        tmp_path: Path, plans: Path, smtp):
    with served_stack(tmp_path, plans, smtp.url, worker=False) as stack:
        update = check_in_done(stack)
        assert "Bob Khan can now start Four personas" in update.stdout  # recorded, not held up
        assert follow_up_states(stack) == ["SCHEDULED"]  # waiting on the server for a worker
        assert emails_to_bob(smtp) == []
        status = subprocess.run([sys.executable, "-m", "programme", "status", "served-plan",
                                 "--json"], env=stack.client_env, capture_output=True, text=True,
                                timeout=120)
        assert '"done"' in status.stdout, status.stderr
        stack.start_worker()
        try:
            wait_for(lambda: emails_to_bob(smtp), 60, "the 'you can start' email to bob")
            wait_for(lambda: follow_up_states(stack) == ["COMPLETED"], 60,
                     "the follow-up task run to complete")
        except AssertionError:
            print(stack.tail())
            raise
        assert len(emails_to_bob(smtp)) == 1
