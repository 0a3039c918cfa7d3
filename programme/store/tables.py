"""The database schema. The plan model knows nothing of it; store.py maps between the two."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator):
    """Aware datetimes in, aware UTC datetimes out, whatever the backend keeps (SQLite drops tz)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("refusing to store a naive datetime")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


metadata = MetaData()

plans = Table(
    "plans", metadata,
    Column("id", String(120), primary_key=True),
    Column("title", Text, nullable=False),
    Column("source", Text),
    Column("timezone", String(64), nullable=False),
    Column("definition_hash", String(64), nullable=False),
    Column("first_synced_at", UTCDateTime, nullable=False),
    Column("last_synced_at", UTCDateTime, nullable=False),
)

milestones = Table(
    "milestones", metadata,
    Column("plan_id", String(120), primary_key=True),
    Column("id", String(120), primary_key=True),
    Column("title", Text, nullable=False),
    Column("owner", String(120), nullable=False),
    Column("due", Date, nullable=False),
    Column("phase", String(120)),
    Column("position", Integer, nullable=False, default=0),
    Column("in_plan", Boolean, nullable=False, default=True),  # False: removed from the file
    Column("status", String(20), nullable=False, default="not started"),
    Column("forecast", Date),
    Column("updated_at", UTCDateTime),
    # The milestone's current status, folded from its whole history when each entry is written
    # (so `status` reads one row per milestone, not the history): the entry it is folded up to
    # (status_at, status_seq; None without history) and the fields of a CurrentStatus.
    # status_known False: not folded yet (rows from before migration 0004), done on first read.
    Column("status_known", Boolean, nullable=False, default=True),
    Column("status_at", UTCDateTime),
    Column("status_seq", Integer),
    Column("status_current", String(20)),  # `status` is the latest written; this, by time
    Column("status_since", UTCDateTime),
    Column("status_forecast", Date),
    Column("status_done_on", Date),
    Column("status_reason", Text),
    Column("status_note", Text),
    Column("status_by", String(200)),
    Column("checkpoint_at", UTCDateTime),  # the latest checkpoint's entry time
    ForeignKeyConstraint(["plan_id"], ["plans.id"], ondelete="CASCADE"),
)

status_history = Table(
    "status_history", metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("plan_id", String(120), nullable=False),
    Column("milestone_id", String(120), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("by", String(200)),
    Column("old_status", String(20)),
    Column("new_status", String(20), nullable=False),
    Column("forecast", Date),
    Column("reason", Text),
    Column("note", Text),
    Column("source", String(40), nullable=False),
    Column("happened_on", Date),  # when the owner says it happened (done last Friday), if not today
    Column("forecast_cleared", Boolean, nullable=False, default=False,
           server_default=false()),  # the owner took their forecast back (no date now)
    ForeignKeyConstraint(["plan_id", "milestone_id"], ["milestones.plan_id", "milestones.id"],
                         ondelete="CASCADE"),
    Index("ix_status_history_plan_at", "plan_id", "at"),
    Index("ix_status_history_milestone_at", "plan_id", "milestone_id", "at"),
)

status_checkpoints = Table(
    "status_checkpoints", metadata,  # a milestone's status as folded up to one history entry
    Column("plan_id", String(120), primary_key=True),
    Column("milestone_id", String(120), primary_key=True),
    Column("at", UTCDateTime, primary_key=True),  # the entry folded up to: (at, seq)
    Column("seq", Integer, primary_key=True),
    Column("status", String(20), nullable=False),
    Column("since", UTCDateTime),
    Column("forecast", Date),
    Column("done_on", Date),
    Column("reason", Text),
    Column("note", Text),
    Column("by", String(200)),
    ForeignKeyConstraint(["plan_id", "milestone_id"], ["milestones.plan_id", "milestones.id"],
                         ondelete="CASCADE"),
)

baselines = Table(
    "baselines", metadata,
    Column("plan_id", String(120), primary_key=True),
    Column("number", Integer, primary_key=True),
    Column("taken_at", UTCDateTime, nullable=False),
    Column("dues", JSON, nullable=False),  # milestone id -> ISO due date
    Column("note", Text),
    ForeignKeyConstraint(["plan_id"], ["plans.id"], ondelete="CASCADE"),
)

lead_ratings = Table(
    "lead_ratings", metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("plan_id", String(120), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("rating", String(20), nullable=False),
    Column("commentary", Text, nullable=False),
    Column("by", String(200)),
    ForeignKeyConstraint(["plan_id"], ["plans.id"], ondelete="CASCADE"),
    UniqueConstraint("plan_id", "at", name="uq_lead_ratings_plan_at"),
)

links = Table(
    "links", metadata,  # check-in, act-for, report and rating links: only the token's hash is kept
    Column("token_hash", String(64), primary_key=True),
    Column("purpose", String(20), nullable=False),
    Column("person", String(120), nullable=False),  # who it was sent to: answers are theirs
    Column("plan_id", String(120), nullable=False),
    Column("milestone_id", String(120)),
    Column("message_key", String(700)),  # the outbox key of the message that carried it
    Column("issued_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("revoked_at", UTCDateTime),
    Column("last_used_at", UTCDateTime),
    Index("ix_links_plan_milestone", "plan_id", "milestone_id"),
)

api_tokens = Table(
    "api_tokens", metadata,  # bearer tokens for /api/v1: only the hash is kept
    Column("id", String(32), primary_key=True),
    Column("token_hash", String(64), nullable=False),
    Column("person", String(120), nullable=False),
    Column("note", Text),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("revoked_at", UTCDateTime),
    Column("last_used_at", UTCDateTime),
    UniqueConstraint("token_hash", name="uq_api_tokens_hash"),
)

form_posts = Table(
    "form_posts", metadata,  # one row per rendered form posted: a resubmit records nothing more
    Column("key", String(64), primary_key=True),
    Column("token_hash", String(64), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("result", JSON, nullable=False),
)

raid_history = Table(
    "raid_history", metadata,  # reviews and decisions of the plan's RAID items, append-only
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("plan_id", String(120), nullable=False),
    Column("item", String(160), nullable=False),  # 'risk:r1', 'decision:d2'...
    Column("action", String(20), nullable=False),  # review, decide, close
    Column("at", UTCDateTime, nullable=False),
    Column("by", String(200)),
    Column("likelihood", Integer),
    Column("impact", Integer),
    Column("next_review", Date),
    Column("decision", Text),
    Column("note", Text),
    Column("source", String(40), nullable=False),
    ForeignKeyConstraint(["plan_id"], ["plans.id"], ondelete="CASCADE"),
    Index("ix_raid_history_plan_at", "plan_id", "at"),
)


plan_versions = Table(
    "plan_versions", metadata,  # each definition the sync stored: what the plan said, and when
    Column("plan_id", String(120), primary_key=True),
    Column("number", Integer, primary_key=True),
    Column("synced_at", UTCDateTime, nullable=False),
    Column("definition_hash", String(64), nullable=False),
    Column("milestones", JSON, nullable=False),  # id -> {title, owner, owner_name, due, depends_on}
    Column("commit_sha", String(64)),  # the git commit of the plan file, when it was committed
    Column("commit_author", Text),
    Column("commit_at", UTCDateTime),
    Column("commit_subject", Text),
    ForeignKeyConstraint(["plan_id"], ["plans.id"], ondelete="CASCADE"),
)
