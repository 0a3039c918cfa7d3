"""Check-ins from links and the API: when a check-in happened, link and API tokens (hashed),
and the forms already posted (so a double click records once).

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

from programme.store.tables import UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("status_history") as batch:
        batch.add_column(sa.Column("happened_on", sa.Date))
    op.create_table(
        "links",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("purpose", sa.String(20), nullable=False),
        sa.Column("person", sa.String(120), nullable=False),
        sa.Column("plan_id", sa.String(120), nullable=False),
        sa.Column("milestone_id", sa.String(120)),
        sa.Column("message_key", sa.String(700)),
        sa.Column("issued_at", UTCDateTime, nullable=False),
        sa.Column("expires_at", UTCDateTime, nullable=False),
        sa.Column("revoked_at", UTCDateTime),
        sa.Column("last_used_at", UTCDateTime),
    )
    op.create_index("ix_links_plan_milestone", "links", ["plan_id", "milestone_id"])
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("person", sa.String(120), nullable=False),
        sa.Column("note", sa.Text),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("expires_at", UTCDateTime, nullable=False),
        sa.Column("revoked_at", UTCDateTime),
        sa.Column("last_used_at", UTCDateTime),
        sa.UniqueConstraint("token_hash", name="uq_api_tokens_hash"),
    )
    op.create_table(
        "form_posts",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Column("result", sa.JSON, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("form_posts")
    op.drop_table("api_tokens")
    op.drop_index("ix_links_plan_milestone", "links")
    op.drop_table("links")
    with op.batch_alter_table("status_history") as batch:
        batch.drop_column("happened_on")
