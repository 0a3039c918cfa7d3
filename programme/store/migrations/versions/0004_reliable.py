"""Statuses read in proportion, and no secrets in the outbox.

Each milestone row keeps its status folded up to its latest history entry, and
`status_checkpoints` keeps that status at least weekly, so "now" and "as of last week" read a
few rows per milestone instead of the whole history (rows from before this revision are folded
on first read: `status_known` false). The outbox keeps the person and each contact masked
(`programme.contacts.contact_ref`): the real contact is read from the plan when it is sent.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

from programme.contacts import contact_ref
from programme.store.tables import UTCDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_STATUS_COLUMNS = (
    ("status_at", UTCDateTime), ("status_seq", sa.Integer), ("status_current", sa.String(20)),
    ("status_since", UTCDateTime),
    ("status_forecast", sa.Date), ("status_done_on", sa.Date), ("status_reason", sa.Text),
    ("status_note", sa.Text), ("status_by", sa.String(200)), ("checkpoint_at", UTCDateTime),
)


def upgrade() -> None:
    with op.batch_alter_table("milestones") as batch:
        batch.add_column(sa.Column("status_known", sa.Boolean, nullable=False,
                                   server_default=sa.false()))
        for name, kind in _STATUS_COLUMNS:
            batch.add_column(sa.Column(name, kind))
    op.create_table(
        "status_checkpoints",
        sa.Column("plan_id", sa.String(120), primary_key=True),
        sa.Column("milestone_id", sa.String(120), primary_key=True),
        sa.Column("at", UTCDateTime, primary_key=True),
        sa.Column("seq", sa.Integer, primary_key=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("since", UTCDateTime),
        sa.Column("forecast", sa.Date),
        sa.Column("done_on", sa.Date),
        sa.Column("reason", sa.Text),
        sa.Column("note", sa.Text),
        sa.Column("by", sa.String(200)),
        sa.ForeignKeyConstraint(["plan_id", "milestone_id"],
                                ["milestones.plan_id", "milestones.id"], ondelete="CASCADE"),
    )
    op.create_index("ix_status_history_milestone_at", "status_history",
                    ["plan_id", "milestone_id", "at"])
    outbox = sa.table("outbox", sa.column("id", sa.Integer), sa.column("contacts", sa.JSON),
                      sa.column("delivered", sa.JSON))
    conn = op.get_bind()
    for row in conn.execute(sa.select(outbox.c.id, outbox.c.contacts, outbox.c.delivered)).all():
        contacts = [contact_ref(c) for c in row.contacts or []]
        delivered = [contact_ref(c) for c in row.delivered or []]
        if contacts != list(row.contacts or []) or delivered != list(row.delivered or []):
            conn.execute(outbox.update().where(outbox.c.id == row.id).values(
                contacts=contacts, delivered=delivered))


def downgrade() -> None:
    op.drop_index("ix_status_history_milestone_at", "status_history")
    op.drop_table("status_checkpoints")
    with op.batch_alter_table("milestones") as batch:
        for name, _ in reversed(_STATUS_COLUMNS):
            batch.drop_column(name)
        batch.drop_column("status_known")
