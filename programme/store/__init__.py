"""Persistence for plans, their status history, baselines and the lead's own ratings.

The store maps the pure plan model to tables from outside; the model never sees SQLAlchemy.
History is append-only: a status change is a new row, never an edit, so "as of" any moment can
be folded back out of it, and a milestone removed from the plan file keeps its history.

Reading is in proportion to the question: each milestone row keeps its status folded up to its
latest entry (so "now" reads one row per milestone), and a checkpoint of its status at the start
of every week (Monday 00:00 UTC) it had an entry in, folded from every entry before then (so
"as of last week" starts from the checkpoint before then and folds only the days after it). A
checkpoint is where the fold resumes (`programme.rules.history.step`, entry by entry), so the
rules alone decide what a status is.

Every database failure leaves here as a StoreError with one line saying what and what to do
(`describe`); transactions that lose a race on PostgreSQL (serialisation failure, deadlock) or
find SQLite busy are run again.
"""

from __future__ import annotations

import hashlib
import os
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TypeVar

from sqlalchemy import (
    Connection,
    Engine,
    create_engine,
    delete,
    event,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.exc import (
    ArgumentError,
    DBAPIError,
    NoSuchModuleError,
    OperationalError,
    ProgrammingError,
    SQLAlchemyError,
)

from programme.config import DataFolderError, data_dir, database_url, ensure_data_dir, redact_url
from programme.rules.history import fold as fold  # re-exported: the store's readers fold with it
from programme.rules.history import step
from programme.rules.model import CurrentStatus, LeadRating, Plan, Rating, Status, StatusEntry
from programme.rules.raid import RaidEntry
from programme.store import tables as t

HEAD = "0007"  # newest migration; checked without importing Alembic on every start
CHECKPOINT_WEEKS = 3  # a checkpoint older than this before `as_of`: its milestone read alone
RETRIES = 6  # attempts at a transaction that lost a race
SUPPORTED = ("sqlite", "postgresql")

T = TypeVar("T")


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


# -- opening the database ----------------------------------------------------------------------
def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL (None for an in-memory database or another backend)."""
    try:
        parsed = make_url_safe(url)
    except StoreError:
        return None
    if parsed.get_backend_name() != "sqlite" or not parsed.database or \
            parsed.database == ":memory:" or parsed.database.startswith("file:"):
        return None
    return Path(parsed.database)


def make_url_safe(url: str):
    from sqlalchemy.engine import make_url

    try:
        return make_url(url)
    except (ArgumentError, ValueError):
        raise StoreError(f"PROGRAMME_DATABASE_URL {redact_url(url)!r} is not a database URL: "
                         "write e.g. sqlite:////var/lib/programme/programme.db or "
                         "postgresql+psycopg://user@host/db") from None


def _prepare_sqlite_file(path: Path) -> None:
    """The database's folder must exist (only the data folder itself is ever made) and a new
    database file is created readable by its owner only (0600): it holds people's names and
    what they reported."""
    folder = path.parent
    try:
        in_data_dir = folder.resolve() == data_dir().resolve()
    except OSError:
        in_data_dir = False
    if in_data_dir:
        try:
            ensure_data_dir()
        except DataFolderError as exc:
            raise StoreError(str(exc)) from None
    elif not folder.is_dir():
        raise StoreError(f"the folder {folder} for the database {path.name} does not exist: "
                         "create it, or fix PROGRAMME_DATABASE_URL (nothing is made outside the "
                         "data folder)")
    if path.exists():
        if path.is_dir():
            raise StoreError(f"the database {path} is a folder, not a file: fix "
                             "PROGRAMME_DATABASE_URL")
        return
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.close(fd)
    except FileExistsError:
        pass
    except OSError as exc:
        raise StoreError(f"cannot create the database file {path}: {exc.strerror or exc} "
                         f"(is {folder} writable?)") from None


def _engine(url: str) -> Engine:
    parsed = make_url_safe(url)
    backend = parsed.get_backend_name()
    if backend not in SUPPORTED:
        raise StoreError(f"unsupported database {backend!r} in PROGRAMME_DATABASE_URL: programme "
                         "keeps its data in SQLite or PostgreSQL (postgresql+psycopg://...)")
    try:
        if backend == "sqlite":
            path = sqlite_path(url)
            if path is not None:
                _prepare_sqlite_file(path)
            engine = create_engine(url, connect_args={"timeout": 30})
        else:
            engine = create_engine(url, pool_pre_ping=True)
    except NoSuchModuleError:
        raise StoreError(f"unknown database driver {parsed.get_driver_name()!r} for {backend} in "
                         "PROGRAMME_DATABASE_URL: use postgresql+psycopg://... or sqlite:///...")\
            from None
    except ImportError as exc:
        raise StoreError(f"the database driver for {parsed.drivername!r} is not installed "
                         f"({exc.name or exc}): install it, or use postgresql+psycopg://...")\
            from None
    except ArgumentError as exc:
        raise StoreError(f"PROGRAMME_DATABASE_URL {redact_url(url)!r}: {exc}") from None
    if backend == "sqlite":

        @event.listens_for(engine, "connect")
        def _connect(dbapi_connection, _record) -> None:  # pragma: no cover - driver hook
            dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _begin(conn) -> None:  # pragma: no cover - driver hook
            # IMMEDIATE takes the write lock up front, so two writers queue instead of one
            # failing with "database is locked" halfway through a read-then-write.
            conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def describe(exc: BaseException, url: str) -> str:
    """A database failure in one line: what went wrong and what to do."""
    orig = getattr(exc, "orig", None) or exc
    lines = str(orig).strip().splitlines()
    text = lines[0] if lines else type(orig).__name__
    low = text.lower()
    path = sqlite_path(url)
    where = f"the database file {path}" if path else f"the database {redact_url(url)}"
    if "file is not a database" in low or "malformed" in low or "not a database" in low:
        return (f"{where} is not a SQLite database, or is damaged: restore it from a backup "
                "(`programme backup FILE` makes one), or move it aside to start a new one")
    if "database or disk is full" in low or "no space left" in low or "disk full" in low:
        return (f"the disk holding {where} is full: free some space and run the command again "
                "(nothing was written)")
    if path is not None and path.parent.is_dir() and not os.access(path.parent, os.W_OK) and (
            "readonly" in low or "unable to open" in low or "read-only" in low):
        return (f"the folder {path.parent} holding {where} is read-only: make it writable, or "
                "set PROGRAMME_HOME to a folder you can write to (SQLite keeps -wal and -shm "
                "files beside the database)")
    if "readonly" in low or "read-only" in low:
        return (f"{where} is read-only (or its folder is): make it writable, or set "
                "PROGRAMME_HOME to a folder you can write to")
    if "unable to open database file" in low:
        return (f"cannot open {where}: check that its folder exists and that you can write to "
                "it (SQLite keeps -wal and -shm files beside it)")
    if "database is locked" in low or "database is busy" in low:
        return f"{where} is busy (another process holds its lock): run the command again"
    if "disk i/o error" in low:
        return f"cannot read or write {where} (disk I/O error): check the disk"
    if "does not exist" in low and "database" in low:
        return f"{where}: {text.split('FATAL:')[-1].strip()} (create it, e.g. with createdb)"
    if "connection refused" in low or "could not connect" in low or \
            "connection failed" in low or "timeout expired" in low or "name or service" in low:
        return f"cannot connect to {where}: is the server running and reachable? ({text})"
    if "password authentication failed" in low or "authentication" in low:
        return f"{where} refused the login: check the user and password in PROGRAMME_DATABASE_URL"
    return f"database error in {where}: {redact_url(text)}"


def _retriable(exc: DBAPIError) -> bool:
    code = getattr(exc.orig, "sqlstate", None)
    if code in ("40001", "40P01"):  # serialization_failure, deadlock_detected
        return True
    text = str(exc.orig).lower()
    return "database is locked" in text or "database is busy" in text


def week_start(moment: datetime) -> datetime:
    """Monday 00:00 UTC of the week holding `moment`: where checkpoints are taken."""
    day = moment.astimezone(UTC).date() - timedelta(days=moment.astimezone(UTC).weekday())
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _step(state: CurrentStatus | None, entry: StatusEntry, tz: str) -> CurrentStatus:
    return step(state or CurrentStatus(), entry, tz)


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
    @contextmanager
    def _translated(self) -> Iterator[None]:
        """Database failures as one-line StoreErrors."""
        try:
            yield
        except StoreError:
            raise
        except (SQLAlchemyError, DataFolderError) as exc:
            raise StoreError(describe(exc, self.url)) from None
        except OSError as exc:  # the SQLite driver's own I/O (e.g. a folder that went away)
            raise StoreError(f"{describe(exc, self.url)}") from None

    def migrate(self) -> None:
        """Bring the schema to HEAD; cheap when it already is. On PostgreSQL under an advisory
        lock, so processes starting together on a new database migrate it once."""
        if self._migrated:
            return
        with self._translated():
            with self.engine.connect() as conn:
                current = self._revision(conn)
            if current != HEAD:
                self._run_alembic()
        self._migrated = True

    @staticmethod
    def _revision(conn: Connection) -> str | None:
        try:
            return conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
        except (OperationalError, ProgrammingError) as exc:
            text = str(exc.orig).lower()
            if "no such table" not in text and "does not exist" not in text:
                raise
            conn.rollback()
            return None

    def _run_alembic(self) -> None:
        from alembic import command
        from alembic.config import Config

        config = Config()
        config.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
        with self.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.exec_driver_sql("SELECT pg_advisory_xact_lock(hashtext('programme.migrate.' "
                                     "|| coalesce(current_schema(), '')))")
            config.attributes["connection"] = conn
            command.upgrade(config, "head")

    def _run(self, work: Callable[[Connection], T]) -> T:
        """`work` in one transaction, run again (a few times, after a short random pause) when
        it loses a race: a serialisation failure or deadlock on PostgreSQL, SQLite busy."""
        self.migrate()
        with self._translated():
            for attempt in range(RETRIES):
                try:
                    with self.engine.begin() as conn:
                        return work(conn)
                except (OperationalError, DBAPIError) as exc:
                    if attempt == RETRIES - 1 or not _retriable(exc):
                        raise
                    time.sleep(random.uniform(0.01, 0.05) * (2 ** attempt))
        raise AssertionError("unreachable")  # pragma: no cover

    @contextmanager
    def _tx(self) -> Iterator[Connection]:
        self.migrate()
        with self._translated(), self.engine.begin() as conn:
            yield conn

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        self.migrate()
        with self._translated(), self.engine.connect() as conn:
            yield conn

    def close(self) -> None:
        self.engine.dispose()

    def backup(self, target: Path) -> int:
        """A consistent copy of the SQLite database at `target` (SQLite's online backup API:
        safe while other processes use it), readable by its owner only; the bytes written."""
        import sqlite3

        path = sqlite_path(self.url)
        if path is None:
            raise StoreError("`programme backup` copies a SQLite database; for PostgreSQL use "
                             "pg_dump (e.g. pg_dump -Fc DBNAME > programme.dump)")
        if not path.exists() or path.stat().st_size == 0:
            raise StoreError(f"there is no database at {path} yet: nothing to back up")
        if not target.parent.is_dir():
            raise StoreError(f"cannot write {target}: there is no folder {target.parent}")
        if target.exists() and target.resolve() == path.resolve():
            raise StoreError("the backup would overwrite the database itself: name another file")
        partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
        try:
            fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            os.close(fd)
            source = sqlite3.connect(str(path), timeout=30)
            try:
                copy = sqlite3.connect(partial)
                try:
                    source.backup(copy)
                    copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
                finally:
                    copy.close()
            finally:
                source.close()
            os.replace(partial, target)
        except sqlite3.Error as exc:
            partial.unlink(missing_ok=True)
            raise StoreError(describe(exc, self.url)) from None
        except OSError as exc:
            partial.unlink(missing_ok=True)
            raise StoreError(f"cannot write {target}: {exc.strerror or exc}") from None
        return target.stat().st_size

    # -- plans ---------------------------------------------------------------------------------
    def sync(self, plan: Plan, now: datetime, commit=None) -> SyncResult:
        """Store the plan's current definition. History of kept milestone ids is untouched; a
        milestone gone from the file is kept, marked out of the plan and dropped in its history.
        A changed definition is also kept as a version (with `commit`, the git commit of the
        plan file: see programme.store.versions). Safe to run from several processes at once:
        the plan row is inserted if missing (insert or skip) and then locked, so one sync of a
        plan runs at a time."""
        return self._run(lambda conn: self._sync(conn, plan, now, commit))

    def _sync(self, conn: Connection, plan: Plan, now: datetime, commit=None) -> SyncResult:
        from programme.store.versions import record_version

        digest = definition_hash(plan)
        values = dict(title=plan.title, source=str(plan.source or ""), timezone=plan.timezone,
                      definition_hash=digest, last_synced_at=now)
        previous = self._locked_plan(conn, plan.id)
        first = previous is None
        if first:
            first = conn.execute(_insert_or_skip(conn, t.plans, ["id"]).values(
                id=plan.id, first_synced_at=now, **values).returning(t.plans.c.id)).first() \
                is not None
            previous = None if first else self._locked_plan(conn, plan.id)
        if not first:
            conn.execute(update(t.plans).where(t.plans.c.id == plan.id).values(**values))
            if previous.timezone != plan.timezone:  # done dates are days in the plan's timezone
                self._forget_statuses(conn, plan.id)
        existing = {r.id: r for r in conn.execute(
            select(t.milestones).where(t.milestones.c.plan_id == plan.id))}
        if first or previous.definition_hash != digest:
            record_version(conn, plan, now, digest, commit, existing,
                           None if first else previous.last_synced_at)
        added, changed, unchanged = [], [], 0
        for position, m in enumerate(plan.milestones):
            fields = dict(title=m.title, owner=m.owner, due=m.due, phase=m.phase,
                          position=position, in_plan=True)
            old = existing.get(m.id)
            if old is None:
                conn.execute(insert(t.milestones).values(
                    plan_id=plan.id, id=m.id, status=Status.NOT_STARTED.value, status_known=True,
                    **fields))
                added.append(m.id)
                continue
            if any(getattr(old, k) != v for k, v in fields.items()):
                changed.append(m.id)
                conn.execute(update(t.milestones).where(
                    t.milestones.c.plan_id == plan.id, t.milestones.c.id == m.id
                ).values(**fields))
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
                          first, first or previous.definition_hash != digest)

    @staticmethod
    def _locked_plan(conn: Connection, plan_id: str):
        query = select(t.plans).where(t.plans.c.id == plan_id)
        if conn.dialect.name != "sqlite":
            query = query.with_for_update()
        return conn.execute(query).first()

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
               happened_on: date | None = None, forecast_cleared: bool = False,
               also: Callable[[Connection], None] | None = None) -> StatusEntry:
        """Append a status change. status None keeps the current status (a forecast or a note).
        `happened_on`: the day it really happened when that is not the day it is recorded;
        `forecast_cleared`: the owner takes their forecast back (the due date stands again).
        `also` runs first in the same transaction (claiming a form's idempotency key)."""

        def work(conn: Connection) -> StatusEntry:
            if also is not None:
                also(conn)
            row = self._locked_milestone(conn, plan_id, milestone_id)
            if row is None:
                raise StoreError(f"milestone '{milestone_id}' of plan '{plan_id}' is not in the "
                                 "store: run `programme sync` first")
            previous = Status(row.status)
            new = status or previous
            self._append(conn, plan_id, milestone_id, new, at, by=by, note=note, reason=reason,
                         forecast=forecast, source=source, previous=previous,
                         happened_on=happened_on, row=row, forecast_cleared=forecast_cleared)
            return StatusEntry(milestone_id, new, at, by, forecast, note, reason, source,
                               previous, happened_on, forecast_cleared)

        return self._run(work)

    @staticmethod
    def _locked_milestone(conn: Connection, plan_id: str, milestone_id: str):
        query = select(t.milestones).where(t.milestones.c.plan_id == plan_id,
                                           t.milestones.c.id == milestone_id)
        if conn.dialect.name != "sqlite":
            query = query.with_for_update()
        return conn.execute(query).first()

    def _append(self, conn: Connection, plan_id: str, milestone_id: str, status: Status,
                at: datetime, *, by: str | None, note: str | None = None,
                reason: str | None = None, forecast: date | None = None, source: str,
                previous: Status | None = None, happened_on: date | None = None,
                row=None, forecast_cleared: bool = False) -> None:
        """One history row, and the milestone's stored status folded up to it; the first entry
        of a week checkpoints the status before it. An entry older than the stored status (a
        clock set back) has the milestone's statuses folded again from its history."""
        if row is None:
            row = self._locked_milestone(conn, plan_id, milestone_id)
        if previous is None:
            previous = Status(row.status)
        seq = conn.execute(insert(t.status_history).values(
            plan_id=plan_id, milestone_id=milestone_id, at=at, by=by, old_status=previous.value,
            new_status=status.value, forecast=forecast, reason=reason, note=note, source=source,
            happened_on=happened_on, forecast_cleared=forecast_cleared).returning(
                t.status_history.c.seq)).scalar_one()
        values: dict[str, object] = {"status": status.value, "updated_at": at}
        if forecast is not None or forecast_cleared:
            values["forecast"] = forecast
        conn.execute(update(t.milestones).where(
            t.milestones.c.plan_id == plan_id, t.milestones.c.id == milestone_id).values(**values))
        tz = self._timezone(conn, plan_id)
        if not row.status_known or (row.status_at is not None and at < row.status_at):
            self._refold(conn, plan_id, [milestone_id], tz)
            return
        before = _current(row)
        boundary = week_start(at)
        checkpoint_at = row.checkpoint_at
        if before is not None and row.status_at < boundary and (
                checkpoint_at is None or checkpoint_at < boundary):
            _checkpoint_insert(conn, plan_id, milestone_id, boundary, before)
            checkpoint_at = boundary
        entry = StatusEntry(milestone_id, status, at, by, forecast, note, reason, source,
                            previous, happened_on, forecast_cleared)
        self._store_current(conn, plan_id, milestone_id, _step(before, entry, tz), at, seq,
                            checkpoint_at)

    @staticmethod
    def _timezone(conn: Connection, plan_id: str) -> str:
        return conn.execute(select(t.plans.c.timezone).where(t.plans.c.id == plan_id)).scalar() \
            or "Europe/London"

    @staticmethod
    def _store_current(conn: Connection, plan_id: str, milestone_id: str,
                       state: CurrentStatus | None, at: datetime | None, seq: int | None,
                       checkpoint_at: datetime | None) -> None:
        values = dict(status_known=True, status_at=at, status_seq=seq,
                      checkpoint_at=checkpoint_at, **_state_columns(state))
        conn.execute(update(t.milestones).where(
            t.milestones.c.plan_id == plan_id, t.milestones.c.id == milestone_id).values(**values))

    def _refold(self, conn: Connection, plan_id: str, milestone_ids: list[str], tz: str) -> None:
        """Fold these milestones' whole histories again: their stored statuses and checkpoints
        (for rows from before migration 0004, a changed timezone, an entry written late)."""
        for start in range(0, len(milestone_ids), 200):
            chunk = milestone_ids[start:start + 200]
            conn.execute(delete(t.status_checkpoints).where(
                t.status_checkpoints.c.plan_id == plan_id,
                t.status_checkpoints.c.milestone_id.in_(chunk)))
            states: dict[str, CurrentStatus] = {}
            last: dict[str, tuple[datetime, int]] = {}
            checkpoint_at: dict[str, datetime] = {}
            query = select(t.status_history).where(
                t.status_history.c.plan_id == plan_id,
                t.status_history.c.milestone_id.in_(chunk)).order_by(
                t.status_history.c.at, t.status_history.c.seq)
            for r in conn.execute(query):
                mid = r.milestone_id
                boundary = week_start(r.at)
                if mid in states and last[mid][0] < boundary and checkpoint_at.get(mid) != boundary:
                    _checkpoint_insert(conn, plan_id, mid, boundary, states[mid])
                    checkpoint_at[mid] = boundary
                states[mid] = _step(states.get(mid), _entry(r), tz)
                last[mid] = (r.at, r.seq)
            for mid in chunk:
                at, seq = last.get(mid, (None, None))
                self._store_current(conn, plan_id, mid, states.get(mid), at, seq,
                                    checkpoint_at.get(mid))

    @staticmethod
    def _forget_statuses(conn: Connection, plan_id: str) -> None:
        conn.execute(delete(t.status_checkpoints).where(
            t.status_checkpoints.c.plan_id == plan_id))
        conn.execute(update(t.milestones).where(t.milestones.c.plan_id == plan_id).values(
            status_known=False))

    def history(self, plan_id: str, milestone_id: str | None = None,
                until: datetime | None = None, since: datetime | None = None
                ) -> list[StatusEntry]:
        """Status history, oldest first: at most `until`, and after `since` when given."""
        query = select(t.status_history).where(t.status_history.c.plan_id == plan_id)
        if milestone_id is not None:
            query = query.where(t.status_history.c.milestone_id == milestone_id)
        if until is not None:
            query = query.where(t.status_history.c.at <= until)
        if since is not None:
            query = query.where(t.status_history.c.at > since)
        query = query.order_by(t.status_history.c.at, t.status_history.c.seq)
        with self._read() as conn:
            return [_entry(r) for r in conn.execute(query)]

    def statuses(self, plan_id: str, timezone_name: str,
                 as_of: datetime | None = None) -> dict[str, CurrentStatus]:
        """Each milestone's status as of `as_of` (default: everything recorded): exactly
        `fold(self.history(plan_id, until=as_of), timezone_name)`, read in proportion to the
        question: a milestone not changed since `as_of` is its stored status; one changed since
        is folded from its checkpoint before `as_of` and the entries after it."""
        self.migrate()
        with self._translated():
            with self.engine.connect() as conn:
                rows = list(conn.execute(select(t.milestones).where(
                    t.milestones.c.plan_id == plan_id)))
            unknown = [r.id for r in rows if not r.status_known]
            if unknown:
                self._run(lambda conn: self._refold(conn, plan_id, unknown,
                                                    self._timezone(conn, plan_id)))
                with self.engine.connect() as conn:
                    rows = list(conn.execute(select(t.milestones).where(
                        t.milestones.c.plan_id == plan_id)))
            out: dict[str, CurrentStatus] = {}
            changed = []
            for r in rows:
                if r.status_at is None:
                    continue
                current = _current(r)
                if current is not None and (as_of is None or r.status_at <= as_of):
                    out[r.id] = current
                else:
                    changed.append(r.id)
            if changed and as_of is not None:
                with self.engine.connect() as conn:
                    out.update(self._as_of(conn, plan_id, changed, as_of, timezone_name))
        return out

    @staticmethod
    def _as_of(conn: Connection, plan_id: str, milestone_ids: list[str], as_of: datetime,
               tz: str) -> dict[str, CurrentStatus]:
        """The statuses as of `as_of` of milestones changed since: each one's latest checkpoint
        before then and its entries from the checkpoint to `as_of`, through the (plan,
        milestone, time) index. Milestones checkpointed in the last few weeks (busy ones: the
        week's start) are read together; one whose latest checkpoint is older (quiet for
        months, then changed) is read on its own; one with none before `as_of` has all its
        entries until then in one week, and is read from its first."""
        cp, h = t.status_checkpoints, t.status_history
        out: dict[str, CurrentStatus] = {}
        for start in range(0, len(milestone_ids), 500):
            chunk = milestone_ids[start:start + 500]
            latest = dict(conn.execute(select(cp.c.milestone_id, func.max(cp.c.at)).where(
                cp.c.plan_id == plan_id, cp.c.milestone_id.in_(chunk), cp.c.at <= as_of
            ).group_by(cp.c.milestone_id)).all())
            floor = as_of - timedelta(weeks=CHECKPOINT_WEEKS)
            recent = [mid for mid, at in latest.items() if at >= floor]
            groups: list[tuple[list[str], datetime | None]] = [
                ([mid], at) for mid, at in latest.items() if at < floor]
            if recent:
                groups.append((recent, min(latest[mid] for mid in recent)))
            groups += [([mid], None) for mid in chunk if mid not in latest]
            for mids, since in groups:
                points: dict[str, CurrentStatus] = {}
                if since is not None:
                    for r in conn.execute(select(cp).where(
                            cp.c.plan_id == plan_id, cp.c.milestone_id.in_(mids),
                            cp.c.at >= since, cp.c.at <= as_of)):
                        if r.at == latest[r.milestone_id]:
                            points[r.milestone_id] = _checkpoint(r)
                query = select(h).where(h.c.plan_id == plan_id, h.c.milestone_id.in_(mids),
                                        h.c.at <= as_of)
                if since is not None:
                    query = query.where(h.c.at >= since)
                for r in conn.execute(query.order_by(h.c.at, h.c.seq)):
                    mid = r.milestone_id
                    if mid not in latest or r.at >= latest[mid]:  # not folded into the checkpoint
                        points[mid] = _step(points.get(mid), _entry(r), tz)
                out.update(points)
        return out

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


def _entry(r) -> StatusEntry:
    return StatusEntry(r.milestone_id, Status(r.new_status), r.at, r.by, r.forecast, r.note,
                       r.reason, r.source, Status(r.old_status) if r.old_status else None,
                       r.happened_on, bool(r.forecast_cleared))


def _current(row) -> CurrentStatus | None:
    """A milestone row's stored status (None when it has no history)."""
    if row.status_at is None:
        return None
    return CurrentStatus(Status(row.status_current), row.status_since, row.status_forecast,
                         row.status_done_on, row.status_reason, row.status_note, row.status_by)


def _checkpoint_insert(conn: Connection, plan_id: str, milestone_id: str, at: datetime,
                       state: CurrentStatus) -> None:
    """The milestone's status folded from every entry before `at` (a week's start)."""
    conn.execute(insert(t.status_checkpoints).values(
        plan_id=plan_id, milestone_id=milestone_id, at=at, seq=0, status=state.status.value,
        since=state.since, forecast=state.forecast, done_on=state.done_on, reason=state.reason,
        note=state.note, by=state.by))


def _checkpoint(row) -> CurrentStatus:
    return CurrentStatus(Status(row.status), row.since, row.forecast, row.done_on, row.reason,
                         row.note, row.by)


def _state_columns(state: CurrentStatus | None) -> dict:
    if state is None:
        return dict(status_current=None, status_since=None, status_forecast=None,
                    status_done_on=None, status_reason=None, status_note=None, status_by=None)
    return dict(status_current=state.status.value, status_since=state.since,
                status_forecast=state.forecast, status_done_on=state.done_on,
                status_reason=state.reason, status_note=state.note, status_by=state.by)


def _insert_or_skip(conn: Connection, table, keys: list[str]):
    from sqlalchemy.dialects import postgresql, sqlite

    if conn.dialect.name == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing(index_elements=keys)
    return sqlite.insert(table).on_conflict_do_nothing(index_elements=keys)


def _short(exc: Exception) -> str:
    text = str(getattr(exc, "orig", exc)).strip().splitlines()
    return text[0] if text else type(exc).__name__
