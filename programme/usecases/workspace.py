"""The plans folder plus the store: find a plan by id, keep it synced, assess it at a moment.

Everything that shows a plan (CLI, reports, digests, flows) goes through here, so "which plan,
which statuses, as of when" is answered the same way everywhere.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, time
from pathlib import Path

import pendulum

from programme.planfiles.loading import (
    LoadResult,
    candidates,
    default_plans_dir,
    discover,
    load_files,
)
from programme.planfiles.validation import Problem, suggest
from programme.rules.assess import PlanState, assess
from programme.rules.model import LeadRating, Plan
from programme.rules.raid import fold as fold_raid
from programme.rules.workdays import plain_utc
from programme.store import Store, definition_hash


class WorkspaceError(Exception):
    """A one-line, user-facing error (unknown plan, invalid plan file...)."""


class NoPlansError(WorkspaceError):
    """There is nothing to read: no plans folder, or one without plan files (a usage mistake,
    exit 2, rather than a failure: the command was pointed at the wrong place)."""


class Workspace:
    """The plans folder and the store.

    A command about one plan reads only that plan's file (`plan`); the commands about every
    plan read them all (`load`, `plans`, `problems`), each broken file reported and skipped.
    The plans this workspace has read or been handed (`state`, `ensure_synced`) are the live
    ones the outbox resolves contacts from at send time (`live_plan`)."""

    def __init__(self, store: Store, plans_dir: Path | None = None):
        self.store = store
        self.plans_dir = plans_dir
        self._loaded: list[LoadResult] | None = None
        self._files: dict[Path, LoadResult] = {}
        self._live: dict[str, Plan] = {}

    @property
    def folder(self) -> Path:
        return self.plans_dir or default_plans_dir()

    def check_folder(self) -> None:
        """Raise NoPlansError unless the plans folder exists and holds plan files (or --plans
        names one plan file): a command run from the wrong folder says so instead of finding
        nothing and reporting success."""
        check_plans_folder(self.folder)

    def load(self) -> list[LoadResult]:
        """Every plan file in the folder (the portfolio commands)."""
        if self._loaded is None:
            paths = discover([self.plans_dir] if self.plans_dir else None)
            self._read([p for p in paths if p not in self._files])
            self._loaded = [self._files[p] for p in paths]
        return self._loaded

    def _read(self, paths: list[Path]) -> None:
        for path, result in zip(paths, load_files(paths), strict=True):
            self._files[path] = result
            if result.ok and result.plan is not None:
                self._live.setdefault(result.plan.id, result.plan)

    def problems(self) -> list[Problem]:
        return [p for r in self.load() for p in r.problems]

    def broken(self) -> list[LoadResult]:
        """The plan files that do not load, each with its problems."""
        return [r for r in self.load() if not r.ok]

    def warnings(self, plan: Plan) -> list[Problem]:
        """The warnings of the file this plan was read from (sound, but probably not meant)."""
        return [w for r in self._files.values() if r.plan is plan for w in r.warnings]

    def plans(self) -> list[Plan]:
        """Every plan that validates (broken files are reported by `problems`, not fatal)."""
        return [r.plan for r in self.load() if r.ok and r.plan is not None]

    def plan(self, plan_id: str) -> Plan:
        """The plan with this id, reading only the file named for it (`<id>.yaml` or `<id>.py`);
        a YAML file named otherwise is searched for next. Python files named otherwise are not
        run: a plan nobody asked for never runs."""
        known = self._live.get(plan_id)
        if known is not None:
            return known
        self.check_folder()
        if self.folder.is_file():  # --plans names one plan file: that file is the plan asked for
            for result in self.load():
                if result.plan is not None and result.plan.id == plan_id:
                    return result.plan
        named = [p for p in candidates(self.folder, plan_id) if p not in self._files]
        self._read(named)
        for path in candidates(self.folder, plan_id):
            named_file = self._files.get(path)
            if named_file is not None and named_file.ok and named_file.plan is not None \
                    and named_file.plan.id == plan_id:
                return named_file.plan
        for path in candidates(self.folder, plan_id):  # a broken file named for it: say why
            broken = self._files.get(path)
            if broken is not None and broken.problems:
                first = broken.problems[0]
                more = f" (and {len(broken.problems) - 1} more)" if len(broken.problems) > 1 else ""
                raise WorkspaceError(f"plan '{plan_id}' does not validate: {first}{more}; "
                                     f"run `programme validate {broken.path}`")
        others = [p for p in discover([self.folder]) if p.suffix != ".py"] \
            if self.folder.is_dir() else []
        self._read([p for p in others if p not in self._files])
        for path in others:
            found = self._files[path]
            if found.ok and found.plan is not None and found.plan.id == plan_id:
                return found.plan
        names = sorted({r.plan.id for p in others if (r := self._files[p]).plan is not None} |
                       {p.stem for p in discover([self.folder]) if p.suffix == ".py"}
                       if self.folder.is_dir() else set())
        listing = f"; plans here: {', '.join(names)}" if names else "; no plans found"
        raise WorkspaceError(f"unknown plan '{plan_id}'{suggest(plan_id, names)}{listing}")

    def live_plan(self, plan_id: str) -> Plan:
        """The plan as this process knows it now: one it has served, else read from its file."""
        return self._live.get(plan_id) or self.plan(plan_id)

    def milestone_id(self, plan: Plan, milestone_id: str) -> str:
        ids = [m.id for m in plan.milestones]
        if milestone_id not in ids:
            raise WorkspaceError(f"unknown milestone '{milestone_id}' in plan '{plan.id}'"
                                 f"{suggest(milestone_id, ids)}")
        return milestone_id

    def ensure_synced(self, plan: Plan, now: datetime) -> None:
        self._live[plan.id] = plan
        row = self.store.plan_row(plan.id)
        if row is None or row.definition_hash != definition_hash(plan):
            self.sync(plan, now)

    def sync(self, plan: Plan, now: datetime):
        """Store the plan's definition, with the git commit it came from when there is one."""
        from programme.planfiles.revisions import plan_commit

        return self.store.sync(plan, now, commit=plan_commit(plan.source))

    def state(self, plan: Plan, now: datetime, sync: bool = True) -> PlanState:
        self._live[plan.id] = plan
        if sync:
            self.ensure_synced(plan, now)
        statuses = self.store.statuses(plan.id, plan.timezone, as_of=now)
        baseline = self.store.latest_baseline(plan.id, as_of=now)
        raid = fold_raid(plan, self.store.raid_history(plan.id, until=now)) if plan.raid else {}
        return PlanState(plan, assess(plan, statuses, now),
                         lead_on_scale(self.store.lead_rating(plan.id, now), plan.rating_scale),
                         baseline[2] if baseline else None, raid)


def check_plans_folder(folder: Path | None, need_files: bool = True) -> None:
    """NoPlansError when `folder` (default: the plans folder) is missing, or (`need_files`)
    holds no plan file; a path to one plan file passes. A service that waits for plans to be
    added (`programme web`, `serve`) needs the folder only."""
    folder = folder or default_plans_dir()
    if folder.is_file():
        return
    if not folder.is_dir():
        raise NoPlansError(f"no plans folder at {folder.absolute()} (set PROGRAMME_PLANS or "
                           "pass --plans)")
    if need_files and not discover([folder]):
        raise NoPlansError(f"no plan files in {folder.absolute()} (plans are <id>.yaml or "
                           "<id>.py files)")


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


def parse_moment(text: str | None, tz: str = "Europe/London", *,
                 day_at: time = time(23, 59, 59)) -> datetime:
    """--as-of: a date (in any form a plan or --forecast takes: 2026-11-27, 27 Nov 2026, Friday
    27 November 2026) means `day_at` that day in the plan's timezone (default: the end of it);
    a datetime is taken as written (in the plan's timezone when it has no offset). None: now."""
    if text is None:
        return current_moment()
    text = text.strip()
    from programme.rules.dates import DateError, WrongDateError, parse_date

    try:
        day = parse_date(text)
    except WrongDateError as exc:  # reads as a date, but is not one (wrong weekday, 30 Feb)
        raise WorkspaceError(str(exc)) from None
    except DateError:
        pass
    else:
        local = pendulum.datetime(day.year, day.month, day.day, day_at.hour, day_at.minute,
                                  day_at.second, tz=tz)
        return plain_utc(local)
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise WorkspaceError(f"cannot read the date {text!r}: write it as 2026-11-27, "
                             "27 Nov 2026 or 2026-11-27T09:30") from None
    if parsed.tzinfo is None:
        parsed = pendulum.instance(parsed, tz=tz)
    return plain_utc(parsed)


def start_of_day(day: date, tz: str) -> datetime:
    return plain_utc(pendulum.instance(datetime.combine(day, time()), tz=tz))
