"""What a tracking run carries between its tasks.

Passed to tasks wrapped in `prefect.utilities.annotations.quote`, so Prefect does not walk a
whole plan (and the store's engine) on every task call to look for upstream results.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from programme.rules.model import CurrentStatus, Milestone, Plan
from programme.rules.workdays import WorkingCalendar, plan_today, working_calendar
from programme.usecases.workspace import Workspace


@dataclass
class RunContext:
    workspace: Workspace
    plan: Plan
    now: datetime
    statuses: dict[str, CurrentStatus]
    order: list[Milestone] = field(default_factory=list)  # dependencies first
    by_id: dict[str, Milestone] = field(init=False)

    today: date = field(init=False)

    def __post_init__(self) -> None:
        self.by_id = {m.id: m for m in self.plan.milestones}
        self.today = plan_today(self.now, self.plan.timezone)

    @property
    def calendar(self) -> WorkingCalendar:
        return working_calendar(self.plan.calendar)
