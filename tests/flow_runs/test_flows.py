"""The Prefect flows on a real (test) Prefect server: the graph is the plan, reruns send
nothing twice, the report is published as artifacts."""

from __future__ import annotations

from notifications.sink import text_of
from programme.config import data_dir
from programme.rules.model import Status
from programme.store import Store
from programme.usecases.workspace import parse_moment

from .conftest import run

MONDAY = "2026-09-14T10:00"  # needs is due today: its owner is reminded


def sink_messages():
    from notifications.sink import read_sink

    return read_sink(data_dir() / "sink")


async def task_runs_of(flow_run_id):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    async with get_client() as client:
        return await client.read_task_runs(
            flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id])))


def recorded_task_runs(flow_run_id, named: set[str], within: float = 60.0):
    """The flow run's task runs once the server has recorded every one in `named` and the
    plan's roll-up (named rate-plan-...).

    Prefect 3 records task runs from events the server consumes after the flow has returned, so
    on a busy machine they can arrive a moment later: ask again until they are all there."""
    import time

    deadline = time.monotonic() + within
    while True:
        runs = run(task_runs_of(flow_run_id))
        names = {r.name for r in runs}
        if (named <= names and any(n.startswith("rate-plan") for n in names)) \
                or time.monotonic() > deadline:
            return runs
        time.sleep(0.2)


async def artifacts_of(flow_run_id):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

    async with get_client() as client:
        return await client.read_artifacts(artifact_filter=ArtifactFilter(
            flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run_id])))


def test_the_flow_run_graph_is_the_plan(flow_plans):
    from flows.tracking import track_plan

    state = track_plan("flow-plan", as_of=MONDAY, plans_dir=str(flow_plans), send=False,
                       return_state=True)
    assert state.is_completed(), state
    milestones = {"needs", "personas", "discovery-day", "market-day", "options"}
    runs = recorded_task_runs(state.state_details.flow_run_id, milestones)
    by_id = {r.id: r for r in runs}
    milestone_runs = {r.name: r for r in runs if r.task_key.startswith("track_milestone")}
    assert set(milestone_runs) == milestones
    upstream = {name: {by_id[i.id].name for i in r.task_inputs.get("upstream", [])}
                for name, r in milestone_runs.items()}
    assert upstream == {"needs": set(), "personas": {"needs"}, "discovery-day": {"personas"},
                        "market-day": {"discovery-day", "needs"}, "options": {"market-day"}}
    rollup = next(r for r in runs if r.name.startswith("rate-plan"))
    assert {by_id[i.id].name for i in rollup.task_inputs["tracks"]} == set(milestone_runs)


def test_each_milestone_task_run_is_named_for_where_the_milestone_stands(flow_plans):
    from flows.tracking import track_plan

    state = track_plan("flow-plan", as_of=MONDAY, plans_dir=str(flow_plans), send=False,
                       return_state=True)
    milestones = {"needs", "personas", "discovery-day", "market-day", "options"}
    runs = recorded_task_runs(state.state_details.flow_run_id, milestones)
    shown = {r.name: r.state for r in runs if r.task_key.startswith("track_milestone")}
    assert all(s.type.value == "COMPLETED" for s in shown.values())  # the tracking succeeded
    assert shown["needs"].name == "Due soon"  # due today, not started: Monday 14 September
    assert "rating Amber;" in shown["needs"].message  # three-point, the default scale
    assert shown["options"].name == "Not started"


def test_a_rerun_on_the_same_day_sends_nothing_twice(flow_plans):
    from flows.tracking import track_plan

    first = track_plan("flow-plan", as_of=MONDAY, plans_dir=str(flow_plans))
    assert first["queued"] > 0 and first["sent"] == first["queued"] and first["failed"] == 0
    received = sink_messages()
    assert {m["To"] for m in received} >= {"ana@example.gov.uk"}
    assert any("Needs assessment" in text_of(m) for m in received)
    again = track_plan("flow-plan", as_of=MONDAY, plans_dir=str(flow_plans))
    assert (again["queued"], again["sent"]) == (0, 0)
    assert len(sink_messages()) == len(received)


def test_the_report_is_published_as_artifacts_and_files(flow_plans):
    from pathlib import Path

    from flows.tracking import track_plan

    state = track_plan("flow-plan", as_of="2026-09-22T10:00", plans_dir=str(flow_plans),
                       return_state=True)
    result = state.result()
    found = {a.key: a for a in run(artifacts_of(state.state_details.flow_run_id))}
    assert set(found) == {"flow-plan-report", "flow-plan-milestones"}
    markdown = found["flow-plan-report"].data
    assert "Flow test plan" in markdown and result["rating"] in markdown
    assert found["flow-plan-milestones"].type == "table"
    assert "needs" in str(found["flow-plan-milestones"].data)
    assert Path(result["report"]).read_text(encoding="utf-8") == markdown


def test_the_weekly_digest_goes_to_subscribers_and_the_portfolio_to_sponsors_once(flow_plans):
    from flows.digest import weekly_digest

    result = weekly_digest(as_of="2026-09-21T08:00", plans_dir=str(flow_plans))
    assert result["failed"] == 0
    received = sink_messages()
    to = sorted(str(m["To"]) for m in received)
    assert to == ["board@example.gov.uk", "cara@example.gov.uk", "sam@example.gov.uk"]
    subjects = {str(m["To"]): str(m["Subject"]) for m in received}
    assert subjects["cara@example.gov.uk"].startswith("Flow test plan:")
    assert subjects["sam@example.gov.uk"].startswith("Portfolio digest")
    again = weekly_digest(as_of="2026-09-21T08:30", plans_dir=str(flow_plans))
    assert again["queued"] == 0 and len(sink_messages()) == 3


def test_the_follow_up_task_tells_the_next_owner_they_can_start_and_the_lead_of_a_new_rating(
        flow_plans, monkeypatch):
    from tasks.followup import follow_up_checkin

    monkeypatch.setenv("PROGRAMME_NOW", "2026-09-15T11:01+01:00")  # inside the sending window
    store = Store()
    from programme.usecases.workspace import Workspace

    ws = Workspace(store, flow_plans)
    plan = ws.plan("flow-plan")
    ws.ensure_synced(plan, parse_moment("2026-09-15T09:00"))
    store.record(plan.id, "needs", Status.DONE, parse_moment("2026-09-15T11:00"), by="ana")
    result = follow_up_checkin("flow-plan", "needs", "Amber", "2026-09-15T11:00:30+01:00")
    assert result["failed"] == 0 and result["queued"] == 2
    received = {str(m["To"]): m for m in sink_messages()}
    assert "You can start" in str(received["bob@example.gov.uk"]["Subject"]) or \
        "You can start" in text_of(received["bob@example.gov.uk"])
    assert "Four personas" in text_of(received["bob@example.gov.uk"])
    assert "Plan rating changed" in text_of(received["cara@example.gov.uk"])
    count = len(sink_messages())
    again = follow_up_checkin("flow-plan", "needs", "Amber", "2026-09-15T11:00:30+01:00")
    assert again["queued"] == 0
    assert len(sink_messages()) == count  # the same check-in handled twice tells nobody twice


def test_the_flows_milestone_results_are_what_programme_status_shows(flow_plans):
    """A shipped plan with a few check-ins, run as a real flow: its per-milestone results (the
    milestones table it publishes) and its rating are exactly what `assess()` gives, as
    `programme status --as-of` shows them. tests/flow_runs/test_flow_matches_assess.py checks the
    same over generated plans without Prefect."""
    import json
    import shutil
    from datetime import date
    from pathlib import Path

    from flows.tracking import track_plan
    from programme.usecases.workspace import Workspace
    from tasks.reports import artifact_key, table_rows

    shutil.copy(Path(__file__).parents[2] / "plans" / "commissioning-academy-100-day.yaml",
                flow_plans)
    ws = Workspace(Store(), flow_plans)
    plan = ws.plan("commissioning-academy-100-day")
    ws.ensure_synced(plan, parse_moment("2026-10-05T09:00"))
    for mid, status, when, extra in [
        ("scope-agreed", Status.DONE, "2026-10-08T14:00", {}),
        ("change-board", Status.BLOCKED, "2026-10-14T10:00", {"reason": "no ICB nominee yet"}),
        ("system-map", Status.IN_PROGRESS, "2026-10-20T11:00", {"forecast": date(2026, 10, 30)}),
        ("vcs-forum", Status.DROPPED, "2026-10-21T09:00", {}),
        ("baseline", Status.DONE, "2026-10-24T10:00", {}),  # a Saturday
        ("resident-conversations", None, "2026-10-26T09:00", {"forecast": date(2026, 11, 6)}),
    ]:
        ws.store.record(plan.id, mid, status, parse_moment(when), by=plan.milestone(mid).owner,
                        **extra)
    as_of = "2026-10-26T10:00"
    state = track_plan(plan.id, as_of=as_of, plans_dir=str(flow_plans), send=False,
                       return_state=True)
    assert state.is_completed(), state
    expected = ws.state(plan, parse_moment(as_of, plan.timezone)).assessment
    assert state.result()["rating"] == expected.rating.label
    found = {a.key: a for a in run(artifacts_of(state.state_details.flow_run_id))}
    table = found[artifact_key(plan.id, "milestones")].data
    rows = json.loads(table) if isinstance(table, str) else table
    assert rows == table_rows(expected)
    assert {r["state"].split(",")[0] for r in rows} >= {
        "done", "blocked", "overdue", "at risk", "slipped by dependency", "dropped"}
