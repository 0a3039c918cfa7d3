"""The plan's own history: each definition the sync stores, as a version with what its
milestones said (title, owner, due date, dependencies) and the git commit it came from.

The milestones table holds only the current definition; these versions are what lets the digest
say "due date moved", "owner changed", "added", "dropped" this week, and by which commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, func, insert, select

from programme.rules.model import Plan
from programme.store import tables as t


@dataclass(frozen=True)
class SourceCommit:
    """The commit a plan file's content came from (None fields: not known)."""

    sha: str
    author: str
    at: datetime | None
    subject: str


@dataclass(frozen=True)
class PlanVersion:
    number: int
    synced_at: datetime
    milestones: dict[str, dict]  # id -> {title, owner, owner_name, due (ISO), depends_on}
    commit: SourceCommit | None


def snapshot(plan: Plan) -> dict[str, dict]:
    """What a version keeps of each milestone, JSON-ready."""
    people = plan.people
    return {m.id: {"title": m.title, "owner": m.owner,
                   "owner_name": people[m.owner].name if m.owner in people else m.owner,
                   "due": m.due.isoformat(), "depends_on": list(m.depends_on)}
            for m in plan.milestones}


def record_version(conn: Connection, plan: Plan, now: datetime, digest: str,
                   commit: SourceCommit | None, stored: dict | None = None,
                   stored_at: datetime | None = None) -> int:
    """Append the plan's definition as its next version (inside the sync's transaction).

    `stored` (the milestones rows the sync is about to overwrite, by id) and `stored_at` give
    the definition before this one when the plan has no version yet (a store that kept plans
    before versions were kept): it becomes version 1, so the first change is still seen as one
    (its dependencies were not kept, so none are compared)."""
    number = (conn.execute(select(func.max(t.plan_versions.c.number)).where(
        t.plan_versions.c.plan_id == plan.id)).scalar() or 0) + 1
    if number == 1 and stored:
        conn.execute(insert(t.plan_versions).values(
            plan_id=plan.id, number=1, synced_at=stored_at or now, definition_hash="",
            milestones={mid: {"title": r.title, "owner": r.owner, "owner_name": r.owner,
                              "due": r.due.isoformat(), "depends_on": None}
                        for mid, r in stored.items() if r.in_plan}))
        number = 2
    conn.execute(insert(t.plan_versions).values(
        plan_id=plan.id, number=number, synced_at=now, definition_hash=digest,
        milestones=snapshot(plan), commit_sha=commit.sha if commit else None,
        commit_author=commit.author if commit else None,
        commit_at=commit.at if commit else None,
        commit_subject=commit.subject[:500] if commit else None))
    return number


def plan_versions(conn: Connection, plan_id: str, until: datetime | None = None
                  ) -> list[PlanVersion]:
    """The plan's versions synced up to `until` (default: all), oldest first."""
    query = select(t.plan_versions).where(t.plan_versions.c.plan_id == plan_id)
    if until is not None:
        query = query.where(t.plan_versions.c.synced_at <= until)
    out = []
    for r in conn.execute(query.order_by(t.plan_versions.c.number)):
        commit = SourceCommit(r.commit_sha, r.commit_author or "", r.commit_at,
                              r.commit_subject or "") if r.commit_sha else None
        out.append(PlanVersion(r.number, r.synced_at, dict(r.milestones), commit))
    return out
