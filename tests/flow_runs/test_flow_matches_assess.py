"""The tracking flow and `programme status` agree: for any plan, status history and moment, the
milestone tasks the flow runs, composed as flows/tracking.py composes them, give every milestone
the same forecast, state and rating as `assess()`, and the same roll-up and due notifications.

A Prefect flow run per example would take over a second, so no Prefect server is started here:
the tasks' functions (`.fn`, the code a task run executes) are called in the flow's order with
the flow's arguments. tests/flow_runs/test_flows.py runs the real flow once for the same check.

The second property starts further back, from the plan file, the store and `--as-of` as typed:
it is the one that caught the flow reading `--as-of` as London time whatever the plan's timezone.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import TrackedPlan, as_yaml, tracked_plans

from programme.rules.assess import assess
from programme.rules.chase import due_notifications
from programme.rules.forecast import topological_order
from programme.rules.workdays import local_time
from programme.store import Store, fold
from programme.usecases.workspace import Workspace, parse_moment
from tasks.context import RunContext
from tasks.milestones import rate_plan, track_milestone
from tasks.plan import sync_plan


def tracked_as_the_flow_does(ctx: RunContext):
    """flows/tracking.py's track_plan from sync_plan's result to the roll-up."""
    tracks = {}
    for m in ctx.order:
        state = track_milestone.fn(ctx, m.id, [tracks[d] for d in m.depends_on])
        tracks[m.id] = state.data  # the task's final state (named for the milestone) carries it
    assessment = rate_plan.fn(ctx, [tracks[m.id] for m in ctx.plan.milestones])
    return tracks, assessment


@settings(max_examples=100)
@given(tracked_plans())
def test_the_flows_milestone_tasks_give_every_milestone_what_assess_gives(case: TrackedPlan):
    plan, now = case.plan, case.now
    statuses = fold(list(case.history), plan.timezone)  # what the store reads back for both
    expected = assess(plan, statuses, now)
    ctx = RunContext(None, plan, now, statuses, topological_order(plan))  # as sync_plan builds it
    tracks, flowed = tracked_as_the_flow_does(ctx)

    for mid, view in expected.milestones.items():
        got = tracks[mid].view
        assert (got.forecast, got.state, got.rating) == (view.forecast, view.state, view.rating), mid
        assert got == replace(view, critical=False), mid  # the roll-up marks the critical path
        assert flowed.milestones[mid] == view, mid
    assert flowed == expected  # critical path, phases, the plan's rating, today
    notified = [n for m in plan.milestones for n in tracks[m.id].notifications]
    assert notified == due_notifications(plan, statuses, now)


# -- the same, from the plan file and the store, with --as-of as a person types it ----------------

@pytest.fixture(scope="session")
def empty_store(tmp_path_factory) -> Path:
    """A migrated SQLite database to copy for each example (migrating costs ~80 ms)."""
    path = tmp_path_factory.mktemp("template") / "programme.db"
    store = Store(f"sqlite:///{path}")
    store.migrate()
    store.engine.dispose()
    return path


def recorded(case: TrackedPlan, template: Path, folder: Path) -> str:
    """The plan file in `folder`, and its history recorded in a copy of the empty store."""
    (folder / "plans").mkdir()
    (folder / "plans" / f"{case.plan.id}.yaml").write_text(as_yaml(case.document), encoding="utf-8")
    shutil.copyfile(template, folder / "programme.db")
    url = f"sqlite:///{folder / 'programme.db'}"
    store = Store(url)
    first = min([case.now, *(e.at for e in case.history)]) - timedelta(days=1)
    store.sync(case.plan, first)
    for e in case.history:
        store.record(case.plan.id, e.milestone_id, e.status, e.at, by=e.by, forecast=e.forecast,
                     note=e.note, reason=e.reason)
    store.engine.dispose()
    return url


@settings(max_examples=30)
@given(case=tracked_plans(max_milestones=12), written=st.sampled_from(("%Y-%m-%d", "%Y-%m-%dT%H:%M")))
def test_the_flow_reads_the_plan_file_the_store_and_as_of_as_programme_status_does(
        empty_store, case: TrackedPlan, written: str):
    as_of = f"{local_time(case.now, case.plan.timezone):{written}}"  # as a lead types --as-of
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        url = recorded(case, empty_store, folder)
        # `programme status PLAN --as-of AS_OF` (programme/cli/plans.py)
        ws = Workspace(Store(url), folder / "plans")
        plan = ws.plan(case.plan.id)
        expected = ws.state(plan, parse_moment(as_of, plan.timezone)).assessment
        ws.store.engine.dispose()
        # `programme run PLAN --as-of AS_OF`: flows/tracking.py's track_plan up to the roll-up
        ctx = sync_plan.fn(plan.id, as_of, str(folder / "plans"), url)
        ctx.workspace.store.engine.dispose()
    assert ctx.now == expected.now, f"--as-of {as_of} in {plan.timezone}"
    tracks, flowed = tracked_as_the_flow_does(ctx)
    for mid, view in expected.milestones.items():
        got = tracks[mid].view
        assert (got.forecast, got.state, got.rating) == (view.forecast, view.state, view.rating), mid
    assert flowed == expected
