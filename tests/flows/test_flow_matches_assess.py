"""The tracking flow and `programme status` agree: for any plan, status history and moment, the
milestone tasks the flow runs, composed as flows/tracking.py composes them, give every milestone
the same forecast, state and rating as `assess()`, and the same roll-up and due notifications.

A Prefect flow run per example would take over a second, so no Prefect server is started here:
the tasks' functions (`.fn`, the code a task run executes) are called in the flow's order with
the flow's arguments. tests/flows/test_flows.py runs the real flow once for the same check.
"""

from __future__ import annotations

from hypothesis import given, settings
from strategies import TrackedPlan, tracked_plans

from programme.rules.assess import assess
from programme.rules.chase import due_notifications
from programme.rules.forecast import topological_order
from programme.store import fold
from tasks.context import RunContext
from tasks.milestones import rate_plan, track_milestone


def tracked_as_the_flow_does(plan, statuses, now):
    """flows/tracking.py's track_plan from sync_plan's result to the roll-up."""
    ctx = RunContext(None, plan, now, statuses, topological_order(plan))  # as sync_plan builds it
    tracks = {}
    for m in ctx.order:
        tracks[m.id] = track_milestone.fn(ctx, m.id, [tracks[d] for d in m.depends_on])
    assessment = rate_plan.fn(ctx, [tracks[m.id] for m in ctx.plan.milestones])
    return tracks, assessment


@settings(max_examples=100)
@given(tracked_plans())
def test_the_flows_milestone_tasks_give_every_milestone_what_assess_gives(case: TrackedPlan):
    plan, now = case.plan, case.now
    statuses = fold(list(case.history), plan.timezone)  # what the store reads back for both
    expected = assess(plan, statuses, now)
    tracks, flowed = tracked_as_the_flow_does(plan, statuses, now)

    for mid, view in expected.milestones.items():
        got = tracks[mid].view
        assert (got.forecast, got.state, got.rating) == (view.forecast, view.state, view.rating), mid
        assert got == view.__class__(**{**view.__dict__, "critical": False}), mid
        assert flowed.milestones[mid] == view, mid
    assert flowed == expected  # critical path, phases, the plan's rating, today
    notified = [n for m in plan.milestones for n in tracks[m.id].notifications]
    assert notified == due_notifications(plan, statuses, now)
