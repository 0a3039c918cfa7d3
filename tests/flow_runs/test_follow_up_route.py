"""With a Prefect server, a check-in hands its follow-ups to the task worker as a background
task (on the test harness's real server): nothing is sent by the process that recorded the
check-in, the follow-ups wait in the outbox, and the task run waits on the server for a worker.
If Prefect never delivered that run the next chase would still send them; if it delivers it
after that, nobody is told twice."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from programme.compose import HANDED_OVER, dispatcher, follow_ups
from programme.config import data_dir
from programme.rules.model import Status
from programme.store import Store
from programme.store.outbox import Outbox
from programme.usecases.chase import dispatch_pending
from programme.usecases.checkin import CheckIn, record_checkin
from programme.usecases.workspace import Workspace

PLAN = """
id: route-plan
title: Route plan
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
def served_ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, prefect_harness) -> Iterator[Workspace]:
    from prefect.settings import (
        PREFECT_RESULTS_LOCAL_STORAGE_PATH,
        get_current_settings,
        temporary_settings,
    )

    folder = tmp_path / "plans"
    folder.mkdir()
    (folder / "route-plan.yaml").write_text(PLAN, encoding="utf-8")
    monkeypatch.setenv("PROGRAMME_PLANS", str(folder))
    monkeypatch.setenv("PROGRAMME_NOW", IN_WINDOW.isoformat())
    monkeypatch.setenv("PREFECT_API_URL", get_current_settings().api.url)
    # the runs' parameters and results go here, not to the user's $PREFECT_HOME/storage
    with temporary_settings(updates={PREFECT_RESULTS_LOCAL_STORAGE_PATH: tmp_path / "storage"}):
        yield Workspace(Store(), folder)


def emails_to(address: str) -> list:
    from notifications.sink import read_sink

    return [m for m in read_sink(data_dir() / "sink") if address in str(m["To"])]


async def waiting_follow_up_runs() -> list:
    """The server's runs of the check-in follow-up task waiting for a task worker."""
    from prefect.client.orchestration import get_client

    async with get_client() as client:
        runs = await client.read_task_runs()
    return [r for r in runs if r.task_key.startswith("follow_up_checkin-")
            and r.state.is_scheduled()]


def completed(run, within: float = 60.0):
    """The run once the server has recorded it completed: it records task-run states from the
    events it is sent, a moment after the task has finished."""
    import time

    from prefect.client.orchestration import get_client

    async def read():
        async with get_client() as client:
            return await client.read_task_run(run.id)

    deadline = time.monotonic() + within
    while not run.state.is_completed() and time.monotonic() < deadline:
        time.sleep(0.2)
        run = asyncio.run(read())
    return run


async def deliver(task_run) -> None:
    """What the task worker does when the server pushes it this run."""
    from prefect.task_worker import TaskWorker

    from tasks.followup import follow_up_checkin

    await TaskWorker(follow_up_checkin).execute_task_run(task_run)


def test_a_check_in_hands_its_follow_ups_to_the_task_worker_and_sends_nothing_itself(served_ws):
    ws = served_ws
    plan = ws.plan("route-plan")
    recorded, said = record_checkin(ws, plan, CheckIn("needs", Status.DONE, by="ana"), IN_WINDOW,
                                    follow_ups(ws))
    assert said == HANDED_OVER and recorded.published  # the check-in event still goes out
    assert emails_to("bob@example.gov.uk") == []
    [queued] = Outbox(ws.store).rows()
    assert (queued.recipient, queued.state) == ("bob", "pending")  # kept, whatever Prefect does
    [run] = asyncio.run(waiting_follow_up_runs())

    # Say the server lost that run: the next chase sends what the check-in queued.
    assert dispatch_pending(ws, dispatcher(), IN_WINDOW).sent == 1
    assert len(emails_to("bob@example.gov.uk")) == 1
    # And if it is delivered after all, it runs and tells nobody twice.
    asyncio.run(deliver(run))
    run = completed(run)
    assert run.state.is_completed() and run.name == "route-plan needs"
    assert len(emails_to("bob@example.gov.uk")) == 1
