"""How a check-in's follow-ups start (programme.compose.follow_ups): without a Prefect server
they are sent by the process that recorded the check-in; with a server that does not answer,
they are sent from there too, and the check-in stands. The route through a real Prefect server
and the task worker: tests/flow_runs/test_follow_up_route.py and tests/e2e/test_served.py."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from notifications.sink import text_of
from programme.compose import follow_ups
from programme.config import data_dir
from programme.rules.model import Status
from programme.store import Store
from programme.store.outbox import Outbox
from programme.usecases.checkin import CheckIn, record_checkin
from programme.usecases.workspace import Workspace

PLAN = """
id: compose-plan
title: Compose plan
lead: cara
start: 2026-01-05
people:
  ana: {name: Ana Lee, contacts: [ana@example.gov.uk]}
  bob: {name: Bob Khan, contacts: [bob@example.gov.uk]}
  cara: {name: Cara Jones, contacts: [cara@example.gov.uk]}
milestones:
  - {id: needs, title: Needs assessment, owner: ana, due: 2027-12-01}
  - {id: personas, title: Four personas, owner: bob, due: 2027-12-10, depends_on: [needs]}
"""
IN_WINDOW = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)  # a Thursday morning in London


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    folder = tmp_path / "plans"
    folder.mkdir()
    (folder / "compose-plan.yaml").write_text(PLAN, encoding="utf-8")
    return Workspace(Store(), folder)


def sink_to(address: str) -> list:
    from notifications.sink import read_sink

    return [m for m in read_sink(data_dir() / "sink") if address in str(m["To"])]


def done(ws: Workspace, follow_up=None):
    plan = ws.plan("compose-plan")
    return record_checkin(ws, plan, CheckIn("needs", Status.DONE, by="ana"), IN_WINDOW, follow_up)


def test_without_a_prefect_server_the_check_in_sends_its_follow_ups_itself(ws):
    recorded, said = done(ws, follow_ups(ws))
    assert not recorded.published
    assert said == "Told Bob Khan they can start."  # in plain words
    [email] = sink_to("bob@example.gov.uk")
    assert "Four personas" in text_of(email)


def test_a_prefect_server_that_does_not_answer_leaves_the_follow_ups_to_the_check_in(
        ws, monkeypatch, tmp_path):
    from prefect.settings import (
        PREFECT_API_URL,
        PREFECT_RESULTS_LOCAL_STORAGE_PATH,
        temporary_settings,
    )
    from served import free_port

    recorded, _ = done(ws)  # committed before anything is handed over
    nobody = f"http://127.0.0.1:{free_port()}/api"
    monkeypatch.setenv("PREFECT_API_URL", nobody)
    with temporary_settings(updates={PREFECT_API_URL: nobody,  # over any test harness's
                                     PREFECT_RESULTS_LOCAL_STORAGE_PATH: tmp_path / "storage"}):
        said = follow_ups(ws)(recorded, IN_WINDOW)
    assert said.startswith("The Prefect server did not take the follow-ups")
    assert len(sink_to("bob@example.gov.uk")) == 1
    assert [r.state for r in Outbox(ws.store).rows()] == ["sent"]
    assert ws.store.statuses("compose-plan", "Europe/London", as_of=IN_WINDOW)["needs"] \
        .status == Status.DONE
