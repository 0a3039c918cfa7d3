"""Where a plan stands at a moment: every rule applied once, for every view to read from.

The CLI table, the reports, the digests and the chase policy all read an Assessment, so no
rule is ever re-derived in a template or a flow.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime

from programme.rules.forecast import Forecast, critical_path, forecast_all, topological_order
from programme.rules.model import CurrentStatus, LeadRating, Milestone, Plan, Rating, Status
from programme.rules.rating import (
    BLOCKED,
    DUE_SOON_STATE,
    OVERDUE,
    GroupRating,
    derived_states,
    group_rating,
    group_rating_three_point,
    milestone_rating,
)
from programme.rules.scales import THREE_POINT, on_scale
from programme.rules.workdays import WorkingCalendar, plan_today, working_calendar


@dataclass(frozen=True)
class MilestoneView:
    milestone: Milestone
    status: CurrentStatus
    forecast: date | None
    slip: int
    driver: str | None
    days_to_due: int  # working days from today; negative when overdue
    states: tuple[str, ...]
    rating: Rating | None
    critical: bool

    @property
    def id(self) -> str:
        return self.milestone.id

    @property
    def state(self) -> str:
        return self.states[0]

    @property
    def is_open(self) -> bool:
        return not self.status.status.is_closed

    @property
    def overdue(self) -> bool:
        return OVERDUE in self.states

    @property
    def blocked(self) -> bool:
        return BLOCKED in self.states

    @property
    def due_soon(self) -> bool:
        return DUE_SOON_STATE in self.states


@dataclass(frozen=True)
class GroupView:
    """A phase, a workstream, or the whole plan."""

    id: str
    title: str
    milestone_ids: tuple[str, ...]
    due: date | None
    forecast: date | None
    end_slip: int
    rating: Rating
    reasons: tuple[str, ...]
    done: int
    total: int


@dataclass(frozen=True)
class Assessment:
    plan: Plan
    now: datetime
    today: date
    milestones: dict[str, MilestoneView]  # in plan order
    phases: tuple[GroupView, ...]
    overall: GroupView
    critical_path: tuple[str, ...]

    @property
    def rating(self) -> Rating:
        return self.overall.rating

    def views(self) -> list[MilestoneView]:
        return list(self.milestones.values())


def assess(plan: Plan, statuses: dict[str, CurrentStatus], now: datetime) -> Assessment:
    """Apply the rules to `plan` with its reported statuses at the instant `now` (aware)."""
    cal = working_calendar(plan.calendar)
    today = plan_today(now, plan.timezone)
    forecasts = forecast_all(plan, statuses, today, cal, topological_order(plan))
    blank = CurrentStatus()
    views = [milestone_view(m, statuses.get(m.id, blank), forecasts[m.id], today, cal,
                            plan.rating_scale) for m in plan.milestones]
    return assemble(plan, now, views)


def milestone_view(m: Milestone, st: CurrentStatus, f: Forecast, today: date,
                   cal: WorkingCalendar, scale: str = "five-point") -> MilestoneView:
    """One milestone's derived state and rating on `scale`, from its forecast (critical is set
    by assemble)."""
    days_to_due = cal.between(today, m.due)
    owner_late = st.forecast is not None and st.forecast > m.due and not st.status.is_closed
    states = derived_states(st.status, days_to_due, f.slip, f.driver, owner_late)
    return MilestoneView(
        milestone=m, status=st, forecast=f.forecast, slip=f.slip, driver=f.driver,
        days_to_due=days_to_due, states=states,
        rating=on_scale(milestone_rating(states, days_to_due, f.slip), scale), critical=False,
    )


def assemble(plan: Plan, now: datetime, views: list[MilestoneView]) -> Assessment:
    """The roll-up: critical path, then phase and plan ratings, from every milestone's view."""
    cal = working_calendar(plan.calendar)
    by_id = {v.milestone.id: v for v in views}
    path = critical_path(plan, by_id, cal)  # a view has the .forecast that critical_path reads
    for mid in path:
        by_id[mid] = replace(by_id[mid], critical=True)
    ordered = {m.id: by_id[m.id] for m in plan.milestones}
    in_phase: dict[str | None, list[str]] = {}
    for m in plan.milestones:
        in_phase.setdefault(m.phase, []).append(m.id)
    rule = group_rating_three_point if plan.rating_scale == THREE_POINT else group_rating
    groups = [_group(phase.id, phase.title, in_phase.get(phase.id, []), ordered, cal, "phase",
                     rule) for phase in plan.phases]
    overall = _group(plan.id, plan.title, [m.id for m in plan.milestones], ordered, cal, "plan",
                     rule)
    return Assessment(plan, now, plan_today(now, plan.timezone), ordered, tuple(groups), overall,
                      tuple(path))


def _group(gid: str, title: str, ids: list[str], views: dict[str, MilestoneView],
           cal: WorkingCalendar, what: str, rule=group_rating) -> GroupView:
    counted = [views[i] for i in ids if views[i].rating is not None]
    due = max((v.milestone.due for v in counted), default=None)
    forecast = max((v.forecast for v in counted if v.forecast is not None), default=None)
    end_slip = max(0, cal.between(due, forecast)) if due and forecast else 0
    rated: GroupRating = rule(
        [v.rating for v in counted], end_slip, [v.rating for v in counted if v.critical], what)
    done = sum(1 for v in counted if v.status.status == Status.DONE)
    return GroupView(gid, title, tuple(ids), due, forecast, end_slip, rated.rating, rated.reasons,
                     done, len(counted))


@dataclass(frozen=True)
class PlanState:
    """A plan as every view shows it: the assessment, the lead's own rating, the baseline."""

    plan: Plan
    assessment: Assessment
    lead_rating: LeadRating | None
    baseline: dict[str, date] | None
    raid: dict = field(default_factory=dict)  # RAID item key -> programme.rules.raid.RaidView
