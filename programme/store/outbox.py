"""The durable outbox: every due notification is a row before anything is sent.

Nothing twice: the row's `key` (plan/milestone/step@anchor/recipient) is unique, so queuing the
same step again is a no-op, whoever queues it and however often. Nothing lost: a row leaves
`pending` only for `sent`, or for `failed` after `max_attempts` (kept, listed, and re-queued by
`programme outbox retry`); a channel that is down puts the row back to `pending` with the error
(secrets masked) and a next attempt after an exponential backoff.

Secrets: a row names its recipient (the person) and each contact masked
(`programme.contacts.contact_ref`: 'slack://*** ~1a2b3c4d5e', an email address as it is); the
dispatcher reads the person's real contacts from the live plan when it sends, so no token or
password is ever stored here, and a contact gone from the plan meanwhile fails the row with a
clear error instead of sending to an address nobody asked for.

Claiming: a dispatcher marks the rows it is about to send `sending` with a lease
(`claimed_until`) in one short transaction (SELECT ... FOR UPDATE SKIP LOCKED on PostgreSQL; on
SQLite the store's BEGIN IMMEDIATE serialises it), so two dispatchers never take the same row. A
dispatcher that dies leaves its rows `sending`; once the lease has run out any dispatcher takes
them again. That is where the one duplicate window is: see `DUPLICATE_WINDOW`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import (
    JSON,
    Column,
    Date,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    Update,
    and_,
    bindparam,
    func,
    or_,
    select,
    update,
)

from programme.contacts import contact_ref, mask_text
from programme.rules.workdays import plain_utc
from programme.store import Store
from programme.store.tables import UTCDateTime

PENDING, SENDING, SENT, FAILED = "pending", "sending", "sent", "failed"
STATES = (PENDING, SENDING, SENT, FAILED)

DUPLICATE_WINDOW = """\
A notification can be delivered twice in exactly one case: its message was accepted by a
channel (the SMTP server answered 250 to DATA, the webhook answered 2xx) and the dispatching
process died, or lost the database, before the transaction that records that acceptance
committed. The window runs from the first target of that recipient's message accepting it to
the commit of the `Outbox.record_many` that includes it. A message is recorded as soon as the
dispatcher is free to, together with every other message that completed meanwhile (a group
commit), so the window is: the send time of the recipient's other targets (and, for SMTP, the
QUIT after DATA), plus at most the commit already running, plus its own commit, plus any wait
for the database lock. Milliseconds on an idle machine; tests/chase/test_crash.py measures how
often a random SIGKILL lands in it. Such a row is still `sending`; once its lease (`lease`,
default 10 minutes) has run out, the next dispatch sends it again, only to the targets not yet
recorded as delivered; or at once, when the claimer that died is a tracking run that Prefect
runs again (`Outbox.take_back`). A crash anywhere else (before the send, during a refused send, after the
commit) loses nothing and duplicates nothing: the row is sent, later, once. A recipient with
several targets has each target recorded separately, so a retry after a partial failure goes
only to the targets that failed. A copy sent twice carries the same Message-ID (email) or
Idempotency-Key (webhooks) as the first (`Message.reference`), so a mail store or an API that
folds repeats shows it once.
"""

_meta = MetaData()
outbox = Table(
    "outbox", _meta,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key", String(700), nullable=False),
    Column("plan_id", String(120), nullable=False),
    Column("milestone_id", String(120), nullable=False),
    Column("step", String(60), nullable=False),
    Column("anchor", Date, nullable=False),
    Column("recipient", String(120), nullable=False),
    Column("recipient_name", Text, nullable=False),
    Column("role", String(20), nullable=False),
    Column("contacts", JSON, nullable=False),
    Column("delivered", JSON, nullable=False),
    Column("payload", JSON, nullable=False),
    Column("state", String(10), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("last_error", Text),
    Column("created_at", UTCDateTime, nullable=False),
    Column("next_attempt_at", UTCDateTime, nullable=False),
    Column("claimed_until", UTCDateTime),
    Column("claimed_by", String(80)),
    Column("sent_at", UTCDateTime),
    UniqueConstraint("key", name="uq_outbox_key"),
)


# The two ways an outcome is recorded, built once (their SQL is compiled once per dialect).
_BY_IDS = outbox.c.id.in_(bindparam("b_ids", expanding=True))
_RECORD_SENT = update(outbox).where(_BY_IDS).values(
    delivered=bindparam("b_delivered", type_=JSON), claimed_until=None, claimed_by=None,
    state=SENT, sent_at=bindparam("b_sent_at", type_=UTCDateTime))
_RECORD_NOT_SENT = update(outbox).where(_BY_IDS).values(
    delivered=bindparam("b_delivered", type_=JSON), claimed_until=None, claimed_by=None,
    state=bindparam("b_state"), last_error=bindparam("b_last_error"),
    next_attempt_at=bindparam("b_next_attempt_at", type_=UTCDateTime))


@dataclass(frozen=True)
class OutboxItem:
    """What to queue: one notification for one person, with the facts its message states.
    `contacts` are the real ones; the outbox keeps only their masked references."""

    key: str
    plan_id: str
    milestone_id: str
    step: str
    anchor: date
    recipient: str
    recipient_name: str
    role: str
    contacts: tuple[str, ...]
    payload: dict
    links: tuple = ()  # LinkGrants its message carries, written with the row (hashes only)


@dataclass(frozen=True)
class OutboxRow:
    id: int
    key: str
    plan_id: str
    milestone_id: str
    step: str
    anchor: date
    recipient: str
    recipient_name: str
    role: str
    contacts: tuple[str, ...]  # masked references (contact_ref) of the contacts when queued
    delivered: tuple[str, ...]  # references of the contacts that accepted it
    payload: dict
    state: str
    attempts: int
    last_error: str | None
    created_at: datetime
    next_attempt_at: datetime
    claimed_until: datetime | None
    sent_at: datetime | None

    def remaining(self, contacts: tuple[str, ...]) -> tuple[str, ...]:
        """Of these real contacts, those not yet known to have accepted it."""
        done = set(self.delivered)
        return tuple(c for c in contacts if contact_ref(c) not in done)


def _row(r) -> OutboxRow:
    return OutboxRow(r.id, r.key, r.plan_id, r.milestone_id, r.step, r.anchor, r.recipient,
                     r.recipient_name, r.role, tuple(r.contacts), tuple(r.delivered), r.payload,
                     r.state, r.attempts, r.last_error, r.created_at, r.next_attempt_at,
                     r.claimed_until, r.sent_at)


class Outbox:
    def __init__(self, store: Store, *, lease: timedelta = timedelta(minutes=10),
                 max_attempts: int = 10, backoff: timedelta = timedelta(minutes=1),
                 backoff_cap: timedelta = timedelta(hours=6)):
        self.store = store
        self.lease = lease
        self.max_attempts = max_attempts
        self.backoff = backoff
        self.backoff_cap = backoff_cap

    def _begin(self):
        return self.store._tx()

    def _connect(self):
        return self.store._read()

    def next_delay(self, attempts: int) -> timedelta:
        """1, 2, 4, 8 ... minutes after the n-th failed attempt, at most `backoff_cap`."""
        return min(self.backoff * (2 ** max(0, attempts - 1)), self.backoff_cap)

    # -- queue -----------------------------------------------------------------------------------
    def enqueue(self, items: Iterable[OutboxItem], now: datetime) -> list[str]:
        """Insert the items whose key is new; return those keys (the rest were already queued).
        The links each message carries are issued in the same transaction."""
        now = plain_utc(now)
        items = list(items)
        rows = [dict(key=i.key, plan_id=i.plan_id, milestone_id=i.milestone_id, step=i.step,
                     anchor=i.anchor, recipient=i.recipient, recipient_name=i.recipient_name,
                     role=i.role, contacts=[contact_ref(c) for c in i.contacts], delivered=[],
                     payload=i.payload,
                     state=PENDING, attempts=0, created_at=now, next_attempt_at=now)
                for i in items]
        if not rows:
            return []
        with self._begin() as conn:
            from sqlalchemy.dialects import postgresql, sqlite

            insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
            # rowcount is -1 for insert-or-skip on psycopg: RETURNING says what went in
            stmt = insert(outbox).on_conflict_do_nothing(index_elements=["key"]).returning(
                outbox.c.key)
            inserted: list[str] = []
            for start in range(0, len(rows), 500):
                inserted.extend(conn.execute(stmt, rows[start:start + 500]).scalars())
            grants = [(i.key, g) for i in items if i.links for g in i.links]
            if grants:
                from programme.store.links import issue_in

                issue_in(conn, grants, now)
            return inserted

    def known(self, keys: list[str]) -> set[str]:
        """Which of `keys` are already in the outbox (whatever their state)."""
        found: set[str] = set()
        with self._connect() as conn:
            for start in range(0, len(keys), 500):
                found.update(conn.execute(select(outbox.c.key).where(
                    outbox.c.key.in_(keys[start:start + 500]))).scalars())
        return found

    # -- send ------------------------------------------------------------------------------------
    def claim(self, now: datetime, worker: str, limit: int | None = None,
              recipients: int | None = None, keys: list[str] | None = None) -> list[OutboxRow]:
        """Take the rows due at `now` (pending and due, or `sending` with a lapsed lease): all of
        them, at most `limit` rows, every due row of the first `recipients` recipients (so a
        batch never splits one person's message), or only those with one of `keys`."""
        now = plain_utc(now)
        due = or_(and_(outbox.c.state == PENDING, outbox.c.next_attempt_at <= now),
                  and_(outbox.c.state == SENDING, outbox.c.claimed_until <= now))
        if keys is not None:
            due = and_(due, outbox.c.key.in_(keys))
        query = select(outbox.c.id).where(due).order_by(outbox.c.recipient, outbox.c.id)
        if limit:
            query = query.limit(limit)
        with self._begin() as conn:
            if recipients:
                first = select(outbox.c.recipient).where(due).distinct().order_by(
                    outbox.c.recipient).limit(recipients)
                query = query.where(outbox.c.recipient.in_(list(conn.execute(first).scalars())))
            if conn.dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True)
            ids = list(conn.execute(query).scalars())
            if not ids:
                return []
            rows = []
            for start in range(0, len(ids), 500):
                chunk = ids[start:start + 500]
                conn.execute(update(outbox).where(outbox.c.id.in_(chunk)).values(
                    state=SENDING, claimed_until=now + self.lease, claimed_by=worker,
                    attempts=outbox.c.attempts + 1))
                rows.extend(conn.execute(select(outbox).where(outbox.c.id.in_(chunk))))
        return [_row(r) for r in sorted(rows, key=lambda r: (r.recipient, r.id))]

    def take_back(self, worker: str, now: datetime) -> int:
        """End the leases `worker` holds now: its `sending` rows are due again at once, for any
        dispatcher. Only for a claimer known to be dead: a tracking run that Prefect runs again
        after its worker died (the same flow run, so the same name) calls it before sending,
        rather than leaving what its dead attempt had claimed until the lease runs out. The
        rows' number."""
        now = plain_utc(now)
        with self._begin() as conn:
            return conn.execute(update(outbox).where(
                outbox.c.state == SENDING, outbox.c.claimed_by == worker,
                outbox.c.claimed_until > now).values(claimed_until=now)).rowcount or 0

    def record(self, rows: list[OutboxRow], delivered: Iterable[str], error: str | None,
               now: datetime, permanent: bool = False) -> None:
        """Record one message's outcome for its rows: the targets that accepted it, and the
        error for the rest (then back to pending after a backoff, or failed when out of
        attempts or when the error is permanent)."""
        self.record_many([(rows, tuple(delivered), error, permanent)], now)

    def record_many(self, outcomes: list[tuple[list[OutboxRow], tuple[str, ...], str | None, bool]],
                    now: datetime) -> None:
        """Several messages' outcomes in one transaction (a group commit): what completed while
        the last commit ran is recorded together, so a commit is not paid per message. Each
        outcome: its rows, the real contacts that accepted the message, the error for the rest
        (None: every target took it, so its rows are sent) and whether retrying is pointless."""
        now = plain_utc(now)
        buckets: dict[tuple, tuple[Update, dict, list[int]]] = {}
        for rows, delivered, error, permanent in outcomes:
            accepted = {contact_ref(c) for c in delivered}
            for row in rows:
                done = sorted(set(row.delivered) | accepted)
                if error is None:
                    stmt, values = _RECORD_SENT, {"b_delivered": done, "b_sent_at": now}
                else:
                    # row.attempts already counts this attempt: claim() incremented it
                    give_up = permanent or row.attempts >= self.max_attempts
                    stmt, values = _RECORD_NOT_SENT, {
                        "b_delivered": done, "b_state": FAILED if give_up else PENDING,
                        "b_last_error": mask_text(error or "not delivered", row.contacts)[:2000],
                        "b_next_attempt_at": now + self.next_delay(row.attempts)}
                key = (stmt is _RECORD_SENT, repr(sorted(values.items())))
                buckets.setdefault(key, (stmt, values, []))[2].append(row.id)
        if not buckets:
            return
        with self._begin() as conn:  # one short transaction, one UPDATE per distinct outcome
            for stmt, values, ids in buckets.values():
                for start in range(0, len(ids), 500):
                    conn.execute(stmt, {**values, "b_ids": ids[start:start + 500]})

    def defer(self, rows: list[OutboxRow], until: datetime) -> None:
        """Hand claimed rows back untouched, due again at `until` (outside their sending window
        now): no attempt is counted, no error recorded."""
        until = plain_utc(until)
        ids = [r.id for r in rows]
        with self._begin() as conn:
            for start in range(0, len(ids), 500):
                conn.execute(update(outbox).where(outbox.c.id.in_(ids[start:start + 500])).values(
                    state=PENDING, next_attempt_at=until, claimed_until=None, claimed_by=None,
                    attempts=outbox.c.attempts - 1))

    # -- operate ---------------------------------------------------------------------------------
    def retry(self, now: datetime, keys: Iterable[str] | None = None) -> int:
        """Make failed rows (and pending ones waiting out a backoff) due now."""
        now = plain_utc(now)
        query = update(outbox).where(
            or_(outbox.c.state == FAILED,
                and_(outbox.c.state == PENDING, outbox.c.next_attempt_at > now)))
        if keys is not None:
            query = query.where(outbox.c.key.in_(list(keys)))
        with self._begin() as conn:
            return conn.execute(query.values(state=PENDING, next_attempt_at=now)).rowcount

    def rows(self, states: Iterable[str] | None = None, plan_id: str | None = None,
             limit: int | None = None) -> list[OutboxRow]:
        query = select(outbox).order_by(outbox.c.created_at, outbox.c.id)
        if states:
            query = query.where(outbox.c.state.in_(list(states)))
        if plan_id:
            query = query.where(outbox.c.plan_id == plan_id)
        if limit:
            query = query.limit(limit)
        with self._connect() as conn:
            return [_row(r) for r in conn.execute(query)]

    def counts(self) -> dict[str, int]:
        with self._connect() as conn:
            found = dict(conn.execute(select(outbox.c.state, func.count()).group_by(
                outbox.c.state)).all())
        return {s: found.get(s, 0) for s in STATES}

    def waiting(self, now: datetime) -> int:
        """Rows not sent yet whose next attempt is later than `now` (backing off)."""
        now = plain_utc(now)
        with self._connect() as conn:
            return conn.execute(select(func.count()).where(
                outbox.c.state == PENDING, outbox.c.next_attempt_at > now)).scalar()

