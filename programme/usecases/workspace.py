"""The plans folder plus the store: find a plan by id, keep it synced, assess it at a moment.

Everything that shows a plan (CLI, reports, digests, flows) goes through here, so "which plan,
which statuses, as of when" is answered the same way everywhere.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, time
from pathlib import Path

import pendulum

from programme.planfiles.loading import LoadResult, load_plans
from programme.planfiles.validation import Problem, suggest
from programme.rules.assess import PlanState, assess
from programme.rules.model import LeadRating, Plan
from programme.rules.raid import fold as fold_raid
from programme.rules.workdays import plain_utc
from programme.store import Store, definition_hash


class WorkspaceError(Exception):
    """A one-line, user-facing error (unknown plan, invalid plan file...)."""


class Workspace:
    def __init__(self, store: Store, plans_dir: Path | None = None):
        self.store = store
        self.plans_dir = plans_dir
        self._loaded: list[LoadResult] | None = None

    def load(self) -> list[LoadResult]:
        if self._loaded is None:
            self._loaded = load_plans([self.plans_dir] if self.plans_dir else None)
        return self._loaded

    def problems(self) -> list[Problem]:
        return [p for r in self.load() for p in r.problems]

    def plans(self) -> list[Plan]:
        """Every plan that validates (broken files are reported by `problems`, not fatal)."""
        return [r.plan for r in self.load() if r.ok and r.plan is not None]

    def plan(self, plan_id: str) -> Plan:
        for result in self.load():
            if result.plan is not None and result.plan.id == plan_id:
                return result.plan
        for result in self.load():  # a broken file whose name matches: say why it cannot load
            if result.path.stem == plan_id and result.problems:
                first = result.problems[0]
                more = f" (and {len(result.problems) - 1} more)" if len(result.problems) > 1 else ""
                raise WorkspaceError(f"plan '{plan_id}' does not validate: {first}{more}; "
                                     f"run `programme validate {result.path}`")
        known = [r.plan.id for r in self.load() if r.plan is not None]
        listing = f"; plans here: {', '.join(known)}" if known else "; no plans found"
        raise WorkspaceError(f"unknown plan '{plan_id}'{suggest(plan_id, known)}{listing}")

    def milestone_id(self, plan: Plan, milestone_id: str) -> str:
        ids = [m.id for m in plan.milestones]
        if milestone_id not in ids:
            raise WorkspaceError(f"unknown milestone '{milestone_id}' in plan '{plan.id}'"
                                 f"{suggest(milestone_id, ids)}")
        return milestone_id

    def ensure_synced(self, plan: Plan, now: datetime) -> None:
        row = self.store.plan_row(plan.id)
        if row is None or row.definition_hash != definition_hash(plan):
            self.sync(plan, now)

    def sync(self, plan: Plan, now: datetime):
        """Store the plan's definition, with the git commit it came from when there is one."""
        from programme.planfiles.revisions import plan_commit

        return self.store.sync(plan, now, commit=plan_commit(plan.source))

    def state(self, plan: Plan, now: datetime, sync: bool = True) -> PlanState:
        if sync:
            self.ensure_synced(plan, now)
        statuses = self.store.statuses(plan.id, plan.timezone, as_of=now)
        baseline = self.store.latest_baseline(plan.id, as_of=now)
        raid = fold_raid(plan, self.store.raid_history(plan.id, until=now)) if plan.raid else {}
        return PlanState(plan, assess(plan, statuses, now),
                         lead_on_scale(self.store.lead_rating(plan.id, now), plan.rating_scale),
                         baseline[2] if baseline else None, raid)


def lead_on_scale(lead: LeadRating | None, scale: str) -> LeadRating | None:
    """The lead's stored rating read on the plan's scale (a five-point rating recorded before
    the plan moved to three points shows as its three-point value; see rules.scales)."""
    from dataclasses import replace

    from programme.rules.scales import on_scale

    return None if lead is None else replace(lead, rating=on_scale(lead.rating, scale))


CLOCK = "PROGRAMME_NOW"


def current_moment() -> datetime:
    """Now (aware, UTC), or the fixed moment in PROGRAMME_NOW (an ISO date-time, e.g.
    2026-12-03T10:00+00:00): how a demonstration, a benchmark or an end-to-end test runs every
    process of the tool at a chosen instant instead of waiting for one."""
    fixed = os.environ.get(CLOCK)
    if not fixed:
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(fixed.strip())
    except ValueError:
        raise WorkspaceError(f"{CLOCK}={fixed!r} is not a date-time: write it as "
                             "2026-12-03T10:00+00:00") from None
    if moment.tzinfo is None:
        raise WorkspaceError(f"{CLOCK}={fixed!r} needs a UTC offset, e.g. 2026-12-03T10:00+00:00")
    return plain_utc(moment)


def parse_moment(text: str | None, tz: str = "Europe/London") -> datetime:
    """--as-of: a date means the end of that day in the plan's timezone; a datetime is taken as
    written (in the plan's timezone when it has no offset). None means now."""
    if text is None:
        return current_moment()
    text = text.strip()
    try:
        if len(text) <= 10:
            day = date.fromisoformat(text)
            local = pendulum.datetime(day.year, day.month, day.day, 23, 59, 59, tz=tz)
            return plain_utc(local)
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise WorkspaceError(f"cannot read the date {text!r}: write it as 2026-11-27 or "
                             "2026-11-27T09:30") from None
    if parsed.tzinfo is None:
        parsed = pendulum.instance(parsed, tz=tz)
    return plain_utc(parsed)


def start_of_day(day: date, tz: str) -> datetime:
    return plain_utc(pendulum.instance(datetime.combine(day, time()), tz=tz))
