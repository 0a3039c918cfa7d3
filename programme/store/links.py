"""Links, API tokens and posted forms in the store: only hashes of tokens are ever written.

* `links`: one row per link sent (check-in, act-for, report, rating), written in the same
  transaction as the outbox row of the message that carries it (see `Outbox.enqueue`), so a
  message is never sent with a link the service does not know.
* `api_tokens`: bearer tokens for /api/v1, made by `programme token create`.
* `form_posts`: the idempotency key of every check-in form posted, claimed in the same
  transaction as the history row it records (see `claim_form`), so a double click, a
  back-button resubmit or a proxy retry records once and shows the first answer again.

SQLAlchemy Core only; the same statements run on SQLite and PostgreSQL.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from programme.store import Store
from programme.store import tables as t


@dataclass(frozen=True)
class LinkGrant:
    """A link to issue with a queued message: the hash of its token and what it lets one do."""

    token_hash: str
    purpose: str  # checkin, act-for, report, rating
    person: str  # who it is sent to: what they record is recorded as theirs
    plan_id: str
    milestone_id: str | None
    days: int  # valid for this many days from issue


@dataclass(frozen=True)
class LinkRow:
    token_hash: str
    purpose: str
    person: str
    plan_id: str
    milestone_id: str | None
    message_key: str | None
    issued_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None


@dataclass(frozen=True)
class ApiTokenRow:
    id: str
    person: str
    note: str | None
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None


class AlreadyPosted(Exception):
    """This form was posted before: nothing more is recorded."""

    def __init__(self, key: str):
        super().__init__(key)
        self.key = key


def _insert_or_skip(conn: Connection, table, key: str) -> Any:
    from sqlalchemy.dialects import postgresql, sqlite

    dialect_insert: Any = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    return dialect_insert(table).on_conflict_do_nothing(index_elements=[key])


def issue_in(conn: Connection, grants: Iterable[tuple[str | None, LinkGrant]], now: datetime) -> None:
    """Write (message key, grant) pairs inside the caller's transaction; a link already issued
    keeps its first issue and expiry (a resend carries the same link)."""
    rows = [dict(token_hash=g.token_hash, purpose=g.purpose, person=g.person, plan_id=g.plan_id,
                 milestone_id=g.milestone_id, message_key=key, issued_at=now,
                 expires_at=now + timedelta(days=g.days)) for key, g in grants]
    if rows:
        conn.execute(_insert_or_skip(conn, t.links, "token_hash"), rows)


def claim_form(conn: Connection, key: str, token_hash: str, now: datetime) -> None:
    """Claim a form's idempotency key inside the transaction that records its answer; raise
    AlreadyPosted when it was claimed before (that transaction then records nothing)."""
    stmt = _insert_or_skip(conn, t.form_posts, "key").returning(t.form_posts.c.key)
    got = conn.execute(stmt, dict(key=key, token_hash=token_hash, at=now, result={})).first()
    if got is None:
        raise AlreadyPosted(key)


class Links:
    def __init__(self, store: Store):
        self.store = store

    def issue(self, grants: Iterable[tuple[str | None, LinkGrant]], now: datetime) -> None:
        with self.store._tx() as conn:
            issue_in(conn, grants, now)

    def find(self, token_hash: str) -> LinkRow | None:
        with self.store._read() as conn:
            r = conn.execute(select(t.links).where(t.links.c.token_hash == token_hash)).first()
        return None if r is None else LinkRow(
            r.token_hash, r.purpose, r.person, r.plan_id, r.milestone_id, r.message_key,
            r.issued_at, r.expires_at, r.revoked_at, r.last_used_at)

    def used(self, token_hash: str, now: datetime) -> None:
        with self.store._tx() as conn:
            conn.execute(update(t.links).where(t.links.c.token_hash == token_hash)
                         .values(last_used_at=now))

    def revoke(self, token_hash: str, now: datetime) -> bool:
        with self.store._tx() as conn:
            done = conn.execute(update(t.links).where(
                t.links.c.token_hash == token_hash, t.links.c.revoked_at.is_(None))
                .values(revoked_at=now).returning(t.links.c.token_hash)).first()
        return done is not None

    def revoke_milestone(self, plan_id: str, milestone_id: str, now: datetime) -> int:
        """Revoke every link of a milestone (a lead withdrawing links sent to the wrong person)."""
        with self.store._tx() as conn:
            return len(conn.execute(update(t.links).where(
                t.links.c.plan_id == plan_id, t.links.c.milestone_id == milestone_id,
                t.links.c.revoked_at.is_(None)).values(revoked_at=now)
                .returning(t.links.c.token_hash)).all())

    # -- posted forms ----------------------------------------------------------------------------
    def form_result(self, key: str) -> dict | None:
        with self.store._read() as conn:
            row = conn.execute(select(t.form_posts.c.result).where(t.form_posts.c.key == key)).first()
        return None if row is None else dict(row.result or {})

    def save_form_result(self, key: str, result: dict, used: tuple[str, datetime] | None = None
                         ) -> None:
        """Keep what a posted form showed (a resubmit shows it again); `used`: (token hash,
        when) to note the link's use in the same transaction."""
        with self.store._tx() as conn:
            conn.execute(update(t.form_posts).where(t.form_posts.c.key == key).values(result=result))
            if used is not None:
                conn.execute(update(t.links).where(t.links.c.token_hash == used[0])
                             .values(last_used_at=used[1]))

    def rate_once(self, form_key: str, token_hash: str, plan_id: str, rating, commentary: str,
                  at: datetime, by: str) -> None:
        """The lead's own rating from the rating form, once per form (AlreadyPosted after)."""
        with self.store._tx() as conn:
            claim_form(conn, form_key, token_hash, at)
            conn.execute(insert(t.lead_ratings).values(plan_id=plan_id, at=at, rating=rating.label,
                                                       commentary=commentary, by=by))

    def forget_forms_before(self, when: datetime) -> int:
        with self.store._tx() as conn:
            return conn.execute(delete(t.form_posts).where(t.form_posts.c.at < when)).rowcount


class ApiTokens:
    """Bearer tokens for the JSON API. The token is shown once, at creation; the store keeps its
    hash and an id (shown by `programme token list`, used by `programme token revoke`)."""

    PREFIX = "prg_"

    def __init__(self, store: Store):
        self.store = store

    def create(self, person: str, days: int, now: datetime, note: str | None = None
               ) -> tuple[str, str]:
        from programme.signing import new_token, token_hash

        token = new_token(self.PREFIX)
        token_id = secrets.token_hex(4)
        with self.store._tx() as conn:
            while conn.execute(select(t.api_tokens.c.id).where(t.api_tokens.c.id == token_id)).first():
                token_id = secrets.token_hex(4)
            conn.execute(insert(t.api_tokens).values(
                id=token_id, token_hash=token_hash(token), person=person, note=note,
                created_at=now, expires_at=now + timedelta(days=days)))
        return token_id, token

    def rows(self) -> list[ApiTokenRow]:
        with self.store._read() as conn:
            return [ApiTokenRow(r.id, r.person, r.note, r.created_at, r.expires_at, r.revoked_at,
                                r.last_used_at)
                    for r in conn.execute(select(t.api_tokens).order_by(t.api_tokens.c.created_at,
                                                                        t.api_tokens.c.id))]

    def revoke(self, token_id: str, now: datetime) -> bool:
        with self.store._tx() as conn:
            return conn.execute(update(t.api_tokens).where(
                t.api_tokens.c.id == token_id, t.api_tokens.c.revoked_at.is_(None))
                .values(revoked_at=now).returning(t.api_tokens.c.id)).first() is not None

    def active(self, token_hash: str, now: datetime) -> ApiTokenRow | None:
        """The token's row when it is known, unexpired and not revoked (its use is noted)."""
        with self.store._tx() as conn:
            r = conn.execute(select(t.api_tokens).where(t.api_tokens.c.token_hash == token_hash)).first()
            if r is None or r.revoked_at is not None or r.expires_at <= now:
                return None
            conn.execute(update(t.api_tokens).where(t.api_tokens.c.id == r.id)
                         .values(last_used_at=now))
        return ApiTokenRow(r.id, r.person, r.note, r.created_at, r.expires_at, r.revoked_at, now)
