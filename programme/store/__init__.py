"""Persistence for plans, their status history, baselines and the lead's own ratings.

The store maps the pure plan model to tables from outside; the model never sees SQLAlchemy.
History is append-only: a status change is a new row, never an edit, so "as of" any moment can
be folded back out of it, and a milestone removed from the plan file keeps its history.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event, func, insert, select, update
from sqlalchemy.exc import OperationalError, ProgrammingError

from programme.config import database_url
from programme.rules.history import fold
from programme.rules.model import CurrentStatus, LeadRating, Plan, Rating, Status, StatusEntry
from programme.rules.raid import RaidEntry
from programme.store import tables as t

HEAD = "0006"  # newest migration; checked without importing Alembic on every start


class StoreError(Exception):
    """A store problem worth a one-line message (unknown plan, unreachable database...)."""


@dataclass(frozen=True)
class SyncResult:
    plan_id: str
    added: tuple[str, ...]
    changed: tuple[str, ...]
    removed: tuple[str, ...]
    unchanged: int
    first_sync: bool
    definition_changed: bool


def definition_hash(plan: Plan) -> str:
    """A stable fingerprint of what the plan file says, to tell an edited plan from a re-sync.

    Built from each field's repr, sets sorted (their order changes between processes); no
    `asdict`, which deep-copies the whole plan and cost a third of `programme report`'s time."""
    digest = hashlib.sha256()

    def add(*parts: object) -> None:
        digest.update(repr(parts).encode())
        digest.update(b"\0")

    cal = plan.calendar
    add(plan.id, plan.title, plan.kind, plan.lead, plan.sponsor, plan.subscribers, plan.start,
        plan.end, plan.timezone, plan.description, plan.reminders, cal.region,
        sorted(cal.weekends), sorted(cal.closures))
    add(plan.rating_scale, plan.raid, plan.budget)
    for pid in sorted(plan.people):
        p = plan.people[pid]
        add(p.id, p.name, p.contacts, p.manager, p.role)
    for ph in plan.phases:
        add(ph.id, ph.title, ph.kind, ph.description)
    for m in plan.milestones:
        add(m.id, m.title, m.owner, m.due, m.due_rule, m.depends_on, m.phase, m.description,
            m.evidence, m.reminders)
    return digest.hexdigest()


def _engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _connect(dbapi_connection, _record) -> None:  # pragma: no cover - driver hook
            dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _begin(conn) -> None:  # pragma: no cover - driver hook
            # IMMEDIATE takes the write lock up front, so two writers queue instead of one
            # failing with "database is locked" halfway through a read-then-write.
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    return create_engine(url, pool_pre_ping=True)


class RaidLog:
    """The RAID log's reviews and decisions, appended to `raid_history` (mixed into Store)."""

    def record_raid(self, plan_id: str, entry: RaidEntry) -> RaidEntry:
        with self._tx() as conn:  # type: ignore[attr-defined]
            if conn.execute(select(t.plans.c.id).where(t.plans.c.id == plan_id)).first() is None:
                raise StoreError(f"plan '{plan_id}' is not in the store: run `programme sync`")
            conn.execute(insert(t.raid_history).values(
                plan_id=plan_id, item=entry.item, action=entry.action, at=entry.at, by=entry.by,
                likelihood=entry.likelihood, impact=entry.impact, next_review=entry.next_review,
                decision=entry.decision, note=entry.note, source=entry.source))
        return entry

    def raid_history(self, plan_id: str, until: datetime | None = None) -> list[RaidEntry]:
        h = t.raid_history
        query = select(h).where(h.c.plan_id == plan_id)
        if until is not None:
            query = query.where(h.c.at <= until)
        with self._read() as conn:  # type: ignore[attr-defined]
            return [RaidEntry(r.item, r.action, r.at, r.by, r.likelihood, r.impact, r.next_review,
                              r.decision, r.note, r.source)
                    for r in conn.execute(query.order_by(h.c.at, h.c.seq))]


class Store(RaidLog):
    def __init__(self, url: str | None = None):
        self.url = url or database_url()
        self.engine = _engine(self.url)
        self._migrated = False

    # -- lifecycle -----------------------------------------------------------------------------
    def migrate(self) -> None:
        """Bring the schema to HEAD; cheap when it already is."""
        if self._migrated:
            return
        try:
            with self.engine.connect() as conn:
                current = self._revision(conn)
            if current != HEAD:
                self._run_alembic()
        except OperationalError as exc:
            raise StoreError(f"cannot open the database: {_short(exc)}") from None
        self._migrated = True

    @staticmethod
    def _revision(conn: Connection) -> str | None:
        try:
            return conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
        except (OperationalError, ProgrammingError):
            conn.rollback()
            return None

    def _run_alembic(self) -> None:
        from alembic import command
        from alembic.config import Config

        config = Config()
        config.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
        with self.engine.begin() as conn:
            config.attributes["connection"] = conn
            command.upgrade(config, "head")

    @contextmanager
    def _tx(self) -> Iterator[Connection]:
        self.migrate()
        with self.engine.begin() as conn:
            yield conn

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        self.migrate()
        with self.engine.connect() as conn:
            yield conn

    def close(self) -> None:
        self.engine.dispose()

    # -- plans ---------------------------------------------------------------------------------
    def sync(self, plan: Plan, now: datetime, commit=None) -> SyncResult:
        """Store the plan's current definition. History of kept milestone ids is untouched; a
        milestone gone from the file is kept, marked out of the plan and dropped in its history.
        A changed definition is also kept as a version (with `commit`, the git commit of the
        plan file: see programme.store.versions)."""
        from programme.store.versions import record_version

        digest = definition_hash(plan)
        with self._tx() as conn:
            row = conn.execute(select(t.plans).where(t.plans.c.id == plan.id)).first()
            first = row is None
            if first:
                conn.execute(insert(t.plans).values(
                    id=plan.id, title=plan.title, source=str(plan.source or ""),
                    timezone=plan.timezone, definition_hash=digest, first_synced_at=now,
                    last_synced_at=now))
            else:
                conn.execute(update(t.plans).where(t.plans.c.id == plan.id).values(
                    title=plan.title, source=str(plan.source or ""), timezone=plan.timezone,
                    definition_hash=digest, last_synced_at=now))
            existing = {r.id: r for r in conn.execute(
                select(t.milestones).where(t.milestones.c.plan_id == plan.id))}
            if row is None or row.definition_hash != digest:
                record_version(conn, plan, now, digest, commit, existing,
                               None if row is None else row.last_synced_at)
            added, changed, unchanged = [], [], 0
            for position, m in enumerate(plan.milestones):
                values = dict(title=m.title, owner=m.owner, due=m.due, phase=m.phase,
                              position=position, in_plan=True)
                old = existing.get(m.id)
                if old is None:
                    conn.execute(insert(t.milestones).values(
                        plan_id=plan.id, id=m.id, status=Status.NOT_STARTED.value, **values))
                    added.append(m.id)
                    continue
                if any(getattr(old, k) != v for k, v in values.items()):
                    changed.append(m.id)
                    conn.execute(update(t.milestones).where(
                        t.milestones.c.plan_id == plan.id, t.milestones.c.id == m.id
                    ).values(**values))
                else:
                    unchanged += 1
                if not old.in_plan and old.status == Status.DROPPED.value:
                    # back in the file: reopen it, on the record
                    self._append(conn, plan.id, m.id, Status.NOT_STARTED, now, by=None,
                                 note="back in the plan file", source="sync")
            in_file = {m.id for m in plan.milestones}
            removed = []
            for mid, old in existing.items():
                if mid in in_file or not old.in_plan:
                    continue
                removed.append(mid)
                conn.execute(update(t.milestones).where(
                    t.milestones.c.plan_id == plan.id, t.milestones.c.id == mid
                ).values(in_plan=False))
                if old.status != Status.DROPPED.value:
                    self._append(conn, plan.id, mid, Status.DROPPED, now, by=None,
                                 note="removed from the plan file", source="sync")
            if first:
                self._baseline(conn, plan, now, "first sync")
        return SyncResult(plan.id, tuple(added), tuple(changed), tuple(removed), unchanged,
                          first, row is None or row.definition_hash != digest)

    def plan_ids(self) -> list[str]:
        with self._read() as conn:
            return list(conn.execute(select(t.plans.c.id).order_by(t.plans.c.id)).scalars())

    def versions(self, plan_id: str, until: datetime | None = None) -> list:
        """The plan's stored definitions, oldest first (programme.store.versions.PlanVersion)."""
        from programme.store.versions import plan_versions

        with self._read() as conn:
            return plan_versions(conn, plan_id, until)

    def plan_row(self, plan_id: str):
        with self._read() as conn:
            return conn.execute(select(t.plans).where(t.plans.c.id == plan_id)).first()

    # -- status --------------------------------------------------------------------------------
    def record(self, plan_id: str, milestone_id: str, status: Status | None, at: datetime, *,
               by: str | None = None, note: str | None = None, reason: str | None = None,
               forecast: date | None = None, source: str = "cli",
               happened_on: date | None = None,
               also: Callable[[Connection], None] | None = None) -> StatusEntry:
        """Append a status change. status None keeps the current status (a forecast or a note).
        `happened_on`: the day it really happened when that is not the day it is recorded.
        `also` runs first in the same transaction (claiming a form's idempotency key)."""
        with self._tx() as conn:
            if also is not None:
                also(conn)
            query = select(t.milestones.c.status, t.milestones.c.in_plan).where(
                t.milestones.c.plan_id == plan_id, t.milestones.c.id == milestone_id)
            if conn.dialect.name != "sqlite":
                query = query.with_for_update()
            row = conn.execute(query).first()
            if row is None:
                raise StoreError(f"milestone '{milestone_id}' of plan '{plan_id}' is not in the "
                                 "store: run `programme sync` first")
            previous = Status(row.status)
            new = status or previous
            self._append(conn, plan_id, milestone_id, new, at, by=by, note=note, reason=reason,
                         forecast=forecast, source=source, previous=previous,
                         happened_on=happened_on)
        return StatusEntry(milestone_id, new, at, by, forecast, note, reason, source, previous,
                           happened_on)

    def _append(self, conn: Connection, plan_id: str, milestone_id: str, status: Status,
                at: datetime, *, by: str | None, note: str | None = None,
                reason: str | None = None, forecast: date | None = None, source: str,
                previous: Status | None = None, happened_on: date | None = None) -> None:
        if previous is None:
            previous = Status(conn.execute(select(t.milestones.c.status).where(
                t.milestones.c.plan_id == plan_id, t.milestones.c.id == milestone_id)).scalar_one())
        conn.execute(insert(t.status_history).values(
            plan_id=plan_id, milestone_id=milestone_id, at=at, by=by, old_status=previous.value,
            new_status=status.value, forecast=forecast, reason=reason, note=note, source=source,
            happened_on=happened_on))
        values: dict[str, object] = {"status": status.value, "updated_at": at}
        if forecast is not None:
            values["forecast"] = forecast
        conn.execute(update(t.milestones).where(
            t.milestones.c.plan_id == plan_id, t.milestones.c.id == milestone_id).values(**values))

    def history(self, plan_id: str, milestone_id: str | None = None,
                until: datetime | None = None) -> list[StatusEntry]:
        query = select(t.status_history).where(t.status_history.c.plan_id == plan_id)
        if milestone_id is not None:
            query = query.where(t.status_history.c.milestone_id == milestone_id)
        if until is not None:
            query = query.where(t.status_history.c.at <= until)
        query = query.order_by(t.status_history.c.at, t.status_history.c.seq)
        with self._read() as conn:
            return [
                StatusEntry(r.milestone_id, Status(r.new_status), r.at, r.by, r.forecast, r.note,
                            r.reason, r.source, Status(r.old_status) if r.old_status else None,
                            r.happened_on)
                for r in conn.execute(query)
            ]

    def statuses(self, plan_id: str, timezone_name: str,
                 as_of: datetime | None = None) -> dict[str, CurrentStatus]:
        """Each milestone's status as of `as_of` (default: everything recorded)."""
        return fold(self.history(plan_id, until=as_of), timezone_name)

    # -- baselines -----------------------------------------------------------------------------
    def baseline(self, plan: Plan, now: datetime, note: str | None = None) -> int:
        with self._tx() as conn:
            if conn.execute(select(t.plans.c.id).where(t.plans.c.id == plan.id)).first() is None:
                raise StoreError(f"plan '{plan.id}' is not in the store: run `programme sync`")
            return self._baseline(conn, plan, now, note)

    @staticmethod
    def _baseline(conn: Connection, plan: Plan, now: datetime, note: str | None) -> int:
        number = (conn.execute(select(func.max(t.baselines.c.number)).where(
            t.baselines.c.plan_id == plan.id)).scalar() or 0) + 1
        conn.execute(insert(t.baselines).values(
            plan_id=plan.id, number=number, taken_at=now, note=note,
            dues={m.id: m.due.isoformat() for m in plan.milestones}))
        return number

    def latest_baseline(self, plan_id: str, as_of: datetime | None = None
                        ) -> tuple[int, datetime, dict[str, date]] | None:
        query = select(t.baselines).where(t.baselines.c.plan_id == plan_id)
        if as_of is not None:
            query = query.where(t.baselines.c.taken_at <= as_of)
        query = query.order_by(t.baselines.c.number.desc()).limit(1)
        with self._read() as conn:
            row = conn.execute(query).first()
        if row is None:
            return None
        return row.number, row.taken_at, {k: date.fromisoformat(v) for k, v in row.dues.items()}

    # -- the lead's own rating -------------------------------------------------------------------
    def rate(self, plan_id: str, rating: Rating, commentary: str, at: datetime,
             by: str | None = None) -> None:
        with self._tx() as conn:
            if conn.execute(select(t.plans.c.id).where(t.plans.c.id == plan_id)).first() is None:
                raise StoreError(f"plan '{plan_id}' is not in the store: run `programme sync`")
            conn.execute(insert(t.lead_ratings).values(
                plan_id=plan_id, at=at, rating=rating.label, commentary=commentary, by=by))

    def lead_rating(self, plan_id: str, as_of: datetime | None = None) -> LeadRating | None:
        query = select(t.lead_ratings).where(t.lead_ratings.c.plan_id == plan_id)
        if as_of is not None:
            query = query.where(t.lead_ratings.c.at <= as_of)
        query = query.order_by(t.lead_ratings.c.at.desc(), t.lead_ratings.c.seq.desc()).limit(1)
        with self._read() as conn:
            row = conn.execute(query).first()
        if row is None:
            return None
        return LeadRating(Rating.parse(row.rating), row.commentary, row.at, row.by)


def _short(exc: Exception) -> str:
    text = str(getattr(exc, "orig", exc)).strip().splitlines()
    return text[0] if text else type(exc).__name__

