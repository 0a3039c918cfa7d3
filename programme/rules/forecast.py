"""Forecasts, slip and the critical path: where each milestone will really land.

A milestone's forecast is the latest of: its due date; the owner's own forecast; today, if it is
still open (it cannot finish in the past); and each dependency's forecast plus the lag written in
its due rule ('+5 working days after X' means 5 working days after X's forecast, not X's due).
Done milestones are fixed at the day they were done; dropped ones constrain nothing. Computed
in one pass in dependency order: O(milestones + dependencies).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Protocol

from programme.rules.graph import ordering
from programme.rules.model import CurrentStatus, Milestone, Plan, Status
from programme.rules.workdays import WorkingCalendar

OWNER_FORECAST = "owner forecast"
TODAY = "not done yet"


@dataclass(frozen=True)
class Forecast:
    forecast: date | None  # None: dropped
    slip: int  # working days after due (0 when on time or early)
    driver: str | None  # the dependency id, OWNER_FORECAST, TODAY, or None when the due date holds


class HasForecast(Protocol):
    """Anything with a forecast date: a Forecast, a MilestoneView."""

    @property
    def forecast(self) -> date | None: ...


def topological_order(plan: Plan) -> list[Milestone]:
    """The milestones, each after all it depends on (the written order when it already is one)."""
    graph = ordering({m.id: m.depends_on for m in plan.milestones})
    if graph.cycles:
        raise ValueError("the plan has a dependency cycle; validate it first")
    by_id = plan.by_id
    return [by_id[mid] for mid in graph.order]


def lagged(cal: WorkingCalendar, m: Milestone, dep: str, dep_forecast: date) -> date:
    """The earliest `m` can land given `dep` lands on dep_forecast."""
    rule = m.due_rule
    if rule.after != dep or rule.days == 0:
        return dep_forecast
    if rule.working:
        return cal.add(dep_forecast, rule.days)
    return dep_forecast + timedelta(days=rule.days)


def forecast_one(m: Milestone, st: CurrentStatus, today: date, cal: WorkingCalendar,
                 dependencies: dict[str, date | None]) -> Forecast:
    """One milestone's forecast, given its dependencies' forecasts (None: dropped); `dependencies`
    may hold other milestones' forecasts too."""
    if st.status == Status.DROPPED:
        return Forecast(None, 0, None)
    if st.status == Status.DONE:
        done = st.done_on or m.due
        return Forecast(done, max(0, cal.between(m.due, done)), None)
    best, driver = m.due, None
    if st.forecast is not None and st.forecast > best:
        best, driver = st.forecast, OWNER_FORECAST
    if today > best:
        best, driver = today, TODAY
    for dep in m.depends_on:
        f = dependencies[dep]
        if f is None:
            continue
        candidate = lagged(cal, m, dep, f)
        if candidate > best:
            best, driver = candidate, dep
    return Forecast(best, max(0, cal.between(m.due, best)), driver)


def forecast_all(plan: Plan, statuses: dict[str, CurrentStatus], today: date,
                 cal: WorkingCalendar, order: list[Milestone] | None = None) -> dict[str, Forecast]:
    out: dict[str, Forecast] = {}
    landed: dict[str, date | None] = {}  # each forecast date, for the milestones after it
    blank = CurrentStatus()
    for m in order or topological_order(plan):
        f = forecast_one(m, statuses.get(m.id, blank), today, cal, landed)
        out[m.id] = f
        landed[m.id] = f.forecast
    return out


def critical_path(plan: Plan, forecasts: Mapping[str, HasForecast], cal: WorkingCalendar) -> list[str]:
    """The chain that decides when the plan ends, first milestone first.

    `forecasts` maps each id to anything with a `.forecast` date (a Forecast, a MilestoneView).

    Start at the milestone forecast to land last and keep stepping to the dependency that lands
    latest (with its lag); done and dropped milestones end the chain.
    """
    active = [m for m in plan.milestones if forecasts[m.id].forecast is not None]
    if not active:
        return []
    by_id = plan.by_id
    last = max(active, key=lambda m: (forecasts[m.id].forecast, m.due))
    path = [last.id]
    node = last
    while True:
        deps = {d: f for d in node.depends_on if (f := forecasts[d].forecast) is not None}
        if not deps:
            break
        nxt = max(deps, key=lambda d: (lagged(cal, node, d, deps[d]), by_id[d].due))
        path.append(nxt)
        node = by_id[nxt]
    path.reverse()
    return path
