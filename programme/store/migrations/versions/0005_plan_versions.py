"""Plan versions: each definition the sync stores (milestones' titles, owners, due dates and
dependencies) with the git commit it came from, so the digest can say what changed in the plan.

Revision ID: 0005
Revises: 0004
"""


import sqlalchemy as sa
from alembic import op

from programme.store.tables import UTCDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "plan_versions",
        sa.Column("plan_id", sa.String(120), primary_key=True),
        sa.Column("number", sa.Integer, primary_key=True),
        sa.Column("synced_at", UTCDateTime, nullable=False),
        sa.Column("definition_hash", sa.String(64), nullable=False),
        sa.Column("milestones", sa.JSON, nullable=False),
        sa.Column("commit_sha", sa.String(64)),
        sa.Column("commit_author", sa.Text),
        sa.Column("commit_at", UTCDateTime),
        sa.Column("commit_subject", sa.Text),
        sa.ForeignKeyConstraint(["plan_id"], ["plans.id"], ondelete="CASCADE"),
    )


def downgrade() -> None:
    op.drop_table("plan_versions")
