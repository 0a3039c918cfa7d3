"""End to end on a real Prefect server (on this machine's PostgreSQL): the deployments are
served, `programme update` marks a milestone done, and the owner of the milestone that waited
on it gets "you can start" by email at a real SMTP server, through the triggered flow."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from chase.conftest import SmtpServer
from conftest import IN_CI, _postgres_reachable
from served import served_stack, wait_for

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


@pytest.fixture
def smtp():
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


def test_done_triggers_the_follow_up_that_emails_the_next_owner(tmp_path: Path, smtp):
    problem = _postgres_reachable()
    if problem:
        if IN_CI:
            pytest.fail(f"PostgreSQL is required in CI: {problem}")
        pytest.skip(problem)
    plans = tmp_path / "plans"
    plans.mkdir()
    (plans / "served-plan.yaml").write_text(PLAN, encoding="utf-8")
    with served_stack(tmp_path, plans, smtp.url) as stack:
        update = subprocess.run([sys.executable, "-m", "programme", "update", "served-plan", "needs",
                                 "--done", "--by", "ana"], env=stack.client_env, capture_output=True,
                                text=True, timeout=120)
        assert update.returncode == 0, update.stderr
        started = time.monotonic()

        def can_start_email():
            return [r for r in smtp.received if "bob@example.gov.uk" in r.rcpt
                    and "You can start" in r.body("plain")]

        try:
            found = wait_for(can_start_email, 120, "the 'you can start' email to bob")
        except AssertionError:
            print(stack.tail())
            raise
        assert "Four personas" in found[0].body("plain")
        assert "Served plan" in found[0].body("plain")
        print(f"event → email in {time.monotonic() - started:.1f} s")
