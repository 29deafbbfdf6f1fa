"""The cause of an agent's break, as Webitel last said, shown on the record

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 20:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("webitel_user") as batch:
        batch.add_column(sa.Column("agent_pause_cause", sa.String(length=100), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("webitel_user") as batch:
        batch.drop_column("agent_pause_cause")
