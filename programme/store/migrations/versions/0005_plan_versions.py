"""Plan versions: each definition the sync stores (milestones' titles, owners, due dates and
dependencies) with the git commit it came from, so the digest can say what changed in the plan.

Revision ID: 0005
Revises: 0004 (or the newest migration before this one, see below)
"""

from pathlib import Path

import sqlalchemy as sa
from alembic import op

from programme.store.tables import UTCDateTime

revision = "0005"
# Written while 0004 was being written on another branch: this follows the newest migration
# numbered below 0005 that exists, so the chain stays linear whichever lands first and needs no
# edit when the branches meet.
down_revision = max(p.name[:4] for p in Path(__file__).parent.glob("[0-9][0-9][0-9][0-9]_*.py")
                    if p.name[:4] < revision)
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
