"""The Webitel users whose STUN tokens the reconciler must sweep (a token's creation was lost)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 01:25:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "stun_token_sweep",
        sa.Column("webitel_user_id", sa.String(length=20), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("webitel_user_id", name=op.f("pk_stun_token_sweep")),
    )
    op.create_index(op.f("ix_stun_token_sweep_due_at"), "stun_token_sweep", ["due_at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_stun_token_sweep_due_at"), table_name="stun_token_sweep")
    op.drop_table("stun_token_sweep")
