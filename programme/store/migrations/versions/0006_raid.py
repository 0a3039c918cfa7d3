"""RAID log history: each review of a risk, issue, assumption or dependency, and each decision
recorded, appended (the RAID items themselves live in the plan file).

Written as 0006 on top of 0005 while 0004 and 0005 are being written alongside: until they are
merged it follows the newest migration present below it, so this branch runs on its own and
the chain closes by itself once 0004 and 0005 land (pin it to "0005" then).

Revision ID: 0006
Revises: 0005
"""

from pathlib import Path

import sqlalchemy as sa
from alembic import op

from programme.store.tables import UTCDateTime

revision = "0006"
down_revision = max(p.name[:4] for p in Path(__file__).parent.glob("000[1-5]_*.py"))  # "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "raid_history",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("plan_id", sa.String(120), nullable=False),
        sa.Column("item", sa.String(160), nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Column("by", sa.String(200)),
        sa.Column("likelihood", sa.Integer),
        sa.Column("impact", sa.Integer),
        sa.Column("next_review", sa.Date),
        sa.Column("decision", sa.Text),
        sa.Column("note", sa.Text),
        sa.Column("source", sa.String(40), nullable=False),
        sa.ForeignKeyConstraint(["plan_id"], ["plans.id"], ondelete="CASCADE"),
    )
    op.create_index("ix_raid_history_plan_at", "raid_history", ["plan_id", "at"])


def downgrade() -> None:
    op.drop_index("ix_raid_history_plan_at", "raid_history")
    op.drop_table("raid_history")
