"""One task run per milestone, fed by its dependencies' results, so the flow-run graph in the
Prefect UI is the plan; then the roll-up that rates phases and the plan.

Both are pure computation over the core rules (no I/O), hence no retries.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from prefect import task
from prefect.cache_policies import NO_CACHE
from prefect.states import Completed, State

from programme.rules.assess import Assessment, MilestoneView, assemble, milestone_view
from programme.rules.chase import Notification, due_notifications
from programme.rules.forecast import forecast_one
from programme.rules.model import CurrentStatus

from .context import RunContext


class MilestoneTrack:
    """What a milestone task hands on: its view (forecast, state, rating) and what is due.

    A plain class, not a dataclass, on purpose: Prefect walks dataclass parameters field by
    field looking for upstream results, and a plan's worth of nested views made that walk the
    largest cost of a run. It still finds this object itself, which is what draws the edge."""

    __slots__ = ("notifications", "view")

    def __init__(self, view: MilestoneView, notifications: tuple[Notification, ...]):
        self.view = view
        self.notifications = notifications

    @property
    def forecast(self) -> date | None:
        return self.view.forecast


@task(name="track-milestone", task_run_name="{milestone_id}", cache_policy=NO_CACHE)
def track_milestone(ctx: RunContext, milestone_id: str,
                    upstream: list[MilestoneTrack]) -> State[MilestoneTrack]:
    """Forecast from the dependencies' results, derive state and rating, list what is due.

    Returns a Completed state named after the milestone's state, so the Prefect UI shows it;
    the caller in a flow receives the state's data, the MilestoneTrack."""
    plan = ctx.plan
    m = ctx.by_id[milestone_id]
    status = ctx.statuses.get(milestone_id, CurrentStatus())
    deps = {t.view.id: t.forecast for t in upstream}
    forecast = forecast_one(m, status, ctx.today, ctx.calendar, deps)
    view = milestone_view(m, status, forecast, ctx.today, ctx.calendar, plan.rating_scale)
    alone = replace(plan, milestones=(m,))
    due = tuple(due_notifications(alone, {m.id: status}, ctx.now))
    done: State[MilestoneTrack] = Completed(data=MilestoneTrack(view, due), name=state_name(view),
                                            message=state_message(view))
    return done


STATE_NAMES = {"done": "Done", "dropped": "Dropped", "blocked": "Blocked", "overdue": "Overdue",
               "slipped by dependency": "Slipped", "at risk": "At risk", "due soon": "Due soon",
               "in progress": "In progress", "not started": "Not started"}


def state_name(view: MilestoneView) -> str:
    """The task run's state name in the Prefect UI: where the milestone stands, so the flow-run
    graph reads as the plan (every run still completes: the tracking itself succeeded)."""
    return STATE_NAMES.get(view.state, view.state.capitalize())


def state_message(view: MilestoneView) -> str:
    """Why, in words: the rating, the forecast and the slip, the blocked reason."""
    parts = [f"rating {view.rating.label}" if view.rating is not None else "not rated"]
    if view.forecast is not None:
        parts.append(f"forecast {view.forecast:%a %-d %b %Y}")
    if view.slip:
        parts.append(f"{view.slip} working day{'s' if view.slip != 1 else ''} late")
    if view.blocked and view.status.reason:
        parts.append(f"blocked: {view.status.reason}")
    return "; ".join(parts)


@task(name="rate-plan", cache_policy=NO_CACHE)
def rate_plan(ctx: RunContext, tracks: list[MilestoneTrack]) -> Assessment:
    """Critical path, phase and plan ratings from every milestone's result."""
    return assemble(ctx.plan, ctx.now, [t.view for t in tracks])
