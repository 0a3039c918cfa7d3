"""Flows run for real on Prefect's test harness (a temporary server for the whole session)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from flows.settings import EMBEDDED

FLOW_PLAN = """
id: flow-plan
title: Flow test plan
kind: programme
lead: cara
sponsor: sam
subscribers: [cara, board@example.gov.uk]
start: 2026-09-01
people:
  ana: {name: Ana Lee, contacts: [ana@example.gov.uk], manager: bob}
  bob: {name: Bob Khan, contacts: [bob@example.gov.uk]}
  cara: {name: Cara Jones, contacts: [cara@example.gov.uk]}
  sam: {name: Sam Patel, contacts: [sam@example.gov.uk]}
phases:
  - id: analyse
    title: Analyse
    milestones:
      - {id: needs, title: Needs assessment, owner: ana, due: 2026-09-14}
      - {id: personas, title: Four personas, owner: bob, due: 2026-09-18, depends_on: [needs]}
      - {id: discovery-day, title: Discovery day, owner: bob, due: +3 working days after personas}
  - id: plan
    title: Plan
    milestones:
      - {id: market-day, title: Market engagement day, owner: ana, due: 2026-10-09,
         depends_on: [discovery-day, needs]}
      - {id: options, title: Options paper, owner: cara, due: 2026-10-16, depends_on: [market-day]}
"""


@pytest.fixture(scope="session")
def prefect_harness():
    import os

    for name, value in EMBEDDED.items():
        os.environ.setdefault(name, value)
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture
def flow_plans(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, prefect_harness) -> Path:
    folder = tmp_path / "plans"
    folder.mkdir()
    (folder / "flow-plan.yaml").write_text(FLOW_PLAN, encoding="utf-8")
    monkeypatch.setenv("PROGRAMME_PLANS", str(folder))
    monkeypatch.delenv("PROGRAMME_SMTP_URL", raising=False)
    return folder


def run(coro):
    return asyncio.run(coro)
