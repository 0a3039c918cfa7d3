"""Plans, milestones, append-only status history, baselines and the lead's own ratings.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

from programme.store.tables import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "plans",
        sa.Column("id", sa.String(120), primary_key=True),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("source", sa.Text),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("definition_hash", sa.String(64), nullable=False),
        sa.Column("first_synced_at", UTCDateTime, nullable=False),
        sa.Column("last_synced_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "milestones",
        sa.Column("plan_id", sa.String(120), primary_key=True),
        sa.Column("id", sa.String(120), primary_key=True),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("owner", sa.String(120), nullable=False),
        sa.Column("due", sa.Date, nullable=False),
        sa.Column("phase", sa.String(120)),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("in_plan", sa.Boolean, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("forecast", sa.Date),
        sa.Column("updated_at", UTCDateTime),
        sa.ForeignKeyConstraint(["plan_id"], ["plans.id"], ondelete="CASCADE"),
    )
    op.create_table(
        "status_history",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("plan_id", sa.String(120), nullable=False),
        sa.Column("milestone_id", sa.String(120), nullable=False),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Column("by", sa.String(200)),
        sa.Column("old_status", sa.String(20)),
        sa.Column("new_status", sa.String(20), nullable=False),
        sa.Column("forecast", sa.Date),
        sa.Column("reason", sa.Text),
        sa.Column("note", sa.Text),
        sa.Column("source", sa.String(40), nullable=False),
        sa.ForeignKeyConstraint(["plan_id", "milestone_id"],
                                ["milestones.plan_id", "milestones.id"], ondelete="CASCADE"),
    )
    op.create_index("ix_status_history_plan_at", "status_history", ["plan_id", "at"])
    op.create_table(
        "baselines",
        sa.Column("plan_id", sa.String(120), primary_key=True),
        sa.Column("number", sa.Integer, primary_key=True),
        sa.Column("taken_at", UTCDateTime, nullable=False),
        sa.Column("dues", sa.JSON, nullable=False),
        sa.Column("note", sa.Text),
        sa.ForeignKeyConstraint(["plan_id"], ["plans.id"], ondelete="CASCADE"),
    )
    op.create_table(
        "lead_ratings",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("plan_id", sa.String(120), nullable=False),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Column("rating", sa.String(20), nullable=False),
        sa.Column("commentary", sa.Text, nullable=False),
        sa.Column("by", sa.String(200)),
        sa.ForeignKeyConstraint(["plan_id"], ["plans.id"], ondelete="CASCADE"),
        sa.UniqueConstraint("plan_id", "at", name="uq_lead_ratings_plan_at"),
    )


def downgrade() -> None:
    for table in ("lead_ratings", "baselines", "status_history", "milestones", "plans"):
        op.drop_table(table)
