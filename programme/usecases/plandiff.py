"""`programme diff`: two versions of a plan file (git revisions or the working tree), each
validated, assessed with the statuses the store holds now and previewed over the same span, then
compared (`programme.rules.plandiff`). Nothing is synced or written: the versions compared are
proposals, not the plan the chase runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from programme.planfiles.loading import PLAN_SUFFIXES, display_path, load_source
from programme.planfiles.revisions import RevisionError, read_at
from programme.rules.assess import assess
from programme.rules.model import Plan
from programme.rules.plandiff import PlanDiff, compare
from programme.rules.preview import simulate
from programme.rules.workdays import local_time
from programme.store.outbox import Outbox
from programme.usecases.workspace import Workspace, WorkspaceError

HORIZON = timedelta(weeks=8)  # how far ahead the reminders of the two versions are compared


@dataclass(frozen=True)
class Versions:
    before_label: str  # "HEAD (a1b2c3d)"
    after_label: str  # "working tree" or "main (d4e5f6a)"
    diff: PlanDiff
    until: date


def plan_file(ws: Workspace, name: str) -> Path:
    """PLAN as a path to a plan file, or the file of the plan with that id in the folder."""
    path = Path(name)
    if path.suffix in PLAN_SUFFIXES:
        return path
    ws.check_folder()
    for result in ws.load():
        if (result.plan is not None and result.plan.id == name) or result.path.stem == name:
            return result.path
    raise WorkspaceError(f"no plan file for '{name}': give the file's path, e.g. "
                         f"plans/{name}.yaml")


def _version(path: Path, rev: str | None) -> tuple[Plan | None, str]:
    """The plan at `rev` (None: the working tree); (None, label) when the file is not there."""
    shown = display_path(path)
    content: bytes | None
    if rev is None:
        if not path.exists():
            return None, "working tree"
        content, label = path.read_bytes(), "working tree"
    else:
        try:
            content, sha = read_at(path, rev)
        except RevisionError as exc:
            raise WorkspaceError(str(exc)) from None
        label = f"{rev} ({sha[:7]})"
        if content is None:
            return None, label
    plan, problems = load_source(content, f"{shown}@{rev}" if rev else shown, path.suffix)
    if problems or plan is None:
        first = problems[0] if problems else "does not validate"
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        where = f"at {label}" if rev else "in the working tree"
        raise WorkspaceError(f"{shown} {where} does not validate: {first}{more}")
    return plan, label


def diff_plan(ws: Workspace, path: Path, from_rev: str = "HEAD", to_rev: str | None = None,
              now: datetime | None = None, until: date | None = None) -> Versions:
    """Compare the plan file at `from_rev` with `to_rev` (None: the working tree) as of `now`."""
    from programme.usecases.workspace import current_moment

    try:  # outside a repository or with an unknown revision, say so before anything else
        read_at(path, from_rev)
    except RevisionError as exc:
        raise WorkspaceError(str(exc)) from None
    before, before_label = _version(path, from_rev)
    after, after_label = _version(path, to_rev)
    if after is None:
        raise WorkspaceError(f"{display_path(path)} does not exist in the "
                             f"{after_label if to_rev else 'working tree'}: nothing to compare")
    now = now or current_moment()
    until = until or (local_time(now, after.timezone) + HORIZON).date()
    outbox = Outbox(ws.store)

    def assessed(plan: Plan | None):
        if plan is None:
            return None, []
        statuses = ws.store.statuses(plan.id, plan.timezone, as_of=now)
        raid = ws.state(plan, now, sync=False).raid if plan.raid else None
        planned = simulate(plan, statuses, now, until, raid=raid)
        known = outbox.known([p.key for p in planned])
        return assess(plan, statuses, now), [p for p in planned if p.key not in known]

    b, b_preview = assessed(before)
    a, a_preview = assessed(after)
    return Versions(before_label if before else f"{before_label}: no such file",
                    after_label, compare(b, a, b_preview, a_preview), until)
