"""The Webitel user record as the desired state: a snapshot of the Creatio side instead of foreign
keys (the Creatio side may be a live Creatio), sync state, and claims

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30 22:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

UTC_DATETIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("webitel_user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("user_name", sa.String(length=250), nullable=True))
        batch_op.add_column(sa.Column("contact_name", sa.String(length=250), nullable=True))
        batch_op.add_column(sa.Column("contact_name_key", sa.String(length=250), nullable=True))
        batch_op.add_column(sa.Column("webitel_username_key", sa.String(length=250), nullable=True))
        batch_op.add_column(sa.Column("sync_state", sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column("sync_error", sa.String(length=1000), nullable=True))
        batch_op.add_column(sa.Column("checked_at", UTC_DATETIME, nullable=True))
        batch_op.add_column(sa.Column("next_attempt_at", UTC_DATETIME, nullable=True))
        batch_op.add_column(sa.Column("attempts", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("recheck_at", UTC_DATETIME, nullable=True))
        batch_op.add_column(sa.Column("claim_id", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("claimed_until", UTC_DATETIME, nullable=True))
    # Existing records: the names from the embedded Creatio tables; active records are taken as in
    # sync, a record left mid-operation as pending (the reconciler settles it at once).
    op.execute("UPDATE webitel_user SET user_name = (SELECT name FROM sys_admin_unit "
               "WHERE sys_admin_unit.id = webitel_user.system_user_id)")
    op.execute("UPDATE webitel_user SET "
               "contact_name = (SELECT name FROM contact WHERE contact.id = webitel_user.contact_id), "
               "contact_name_key = (SELECT name_key FROM contact WHERE contact.id = webitel_user.contact_id)")
    op.execute("UPDATE webitel_user SET webitel_username_key = lower(webitel_username), attempts = 0, "
               "sync_state = CASE WHEN state = 'active' THEN 'in_sync' ELSE 'pending' END, "
               "next_attempt_at = CASE WHEN state = 'active' THEN NULL ELSE updated_at END")
    with op.batch_alter_table("webitel_user", schema=None) as batch_op:
        batch_op.drop_constraint("fk_webitel_user_contact_id", type_="foreignkey")
        batch_op.drop_constraint("fk_webitel_user_system_user_id", type_="foreignkey")
        batch_op.alter_column("user_name", existing_type=sa.String(length=250), nullable=False)
        batch_op.alter_column("contact_id", existing_type=sa.Uuid(), nullable=True)
        batch_op.alter_column("webitel_username_key", existing_type=sa.String(length=250), nullable=False)
        batch_op.alter_column("sync_state", existing_type=sa.String(length=10), nullable=False)
        batch_op.alter_column("attempts", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column("state_since")
        batch_op.create_unique_constraint(batch_op.f("uq_webitel_user_webitel_username_key"), ["webitel_username_key"])
        batch_op.create_index(batch_op.f("ix_webitel_user_contact_name_key"), ["contact_name_key"], unique=False)
        batch_op.create_index("ix_webitel_user_due", ["sync_state", "next_attempt_at"], unique=False)
        batch_op.create_check_constraint("sync_state", "sync_state IN ('in_sync', 'pending', 'conflict')")


def downgrade() -> None:
    with op.batch_alter_table("webitel_user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("state_since", UTC_DATETIME, nullable=True))
    op.execute("UPDATE webitel_user SET state_since = updated_at")
    op.execute("DELETE FROM webitel_user WHERE system_user_id NOT IN (SELECT id FROM sys_admin_unit) "
               "OR contact_id IS NULL OR contact_id NOT IN (SELECT id FROM contact)")
    with op.batch_alter_table("webitel_user", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_webitel_user_sync_state"), type_="check")
        batch_op.drop_index("ix_webitel_user_due")
        batch_op.drop_index(batch_op.f("ix_webitel_user_contact_name_key"))
        batch_op.drop_constraint(batch_op.f("uq_webitel_user_webitel_username_key"), type_="unique")
        for column in ("claimed_until", "claim_id", "recheck_at", "attempts", "next_attempt_at", "checked_at",
                       "sync_error", "sync_state", "webitel_username_key", "contact_name_key", "contact_name",
                       "user_name"):
            batch_op.drop_column(column)
        batch_op.alter_column("state_since", existing_type=UTC_DATETIME, nullable=False)
        batch_op.alter_column("contact_id", existing_type=sa.Uuid(), nullable=False)
        batch_op.create_foreign_key("fk_webitel_user_system_user_id", "sys_admin_unit", ["system_user_id"], ["id"])
        batch_op.create_foreign_key("fk_webitel_user_contact_id", "contact", ["contact_id"], ["id"])
