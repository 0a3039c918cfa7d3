"""A check-in can clear the owner's forecast ("no date now": `--forecast none`): the history row
says so, since a row without a forecast keeps the last one.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("status_history") as batch:
        batch.add_column(sa.Column("forecast_cleared", sa.Boolean, nullable=False,
                                   server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("status_history") as batch:
        batch.drop_column("forecast_cleared")
