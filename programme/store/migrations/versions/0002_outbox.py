"""The chase outbox: every due notification, written before it is sent.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

from programme.store.tables import UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("key", sa.String(700), nullable=False),
        sa.Column("plan_id", sa.String(120), nullable=False),
        sa.Column("milestone_id", sa.String(120), nullable=False),
        sa.Column("step", sa.String(60), nullable=False),
        sa.Column("anchor", sa.Date, nullable=False),
        sa.Column("recipient", sa.String(120), nullable=False),
        sa.Column("recipient_name", sa.Text, nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("contacts", sa.JSON, nullable=False),
        sa.Column("delivered", sa.JSON, nullable=False),
        sa.Column("payload", sa.JSON, nullable=False),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("last_error", sa.Text),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("next_attempt_at", UTCDateTime, nullable=False),
        sa.Column("claimed_until", UTCDateTime),
        sa.Column("claimed_by", sa.String(80)),
        sa.Column("sent_at", UTCDateTime),
        sa.UniqueConstraint("key", name="uq_outbox_key"),
    )
    op.create_index("ix_outbox_state_next", "outbox", ["state", "next_attempt_at"])


def downgrade() -> None:
    op.drop_index("ix_outbox_state_next", "outbox")
    op.drop_table("outbox")
