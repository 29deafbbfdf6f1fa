"""Creatio records (system users, contacts, accounts) and Webitel users with their details

Revision ID: 0001
Revises:
Create Date: 2026-11-25 07:12:43.512039
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "account",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=250), nullable=False),
        sa.Column("name_key", sa.String(length=250), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account")),
        sa.UniqueConstraint("name_key", name=op.f("uq_account_name_key")),
    )
    op.create_table(
        "contact",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=250), nullable=False),
        sa.Column("name_key", sa.String(length=250), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["account.id"], name=op.f("fk_contact_account_id"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact")),
    )
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_contact_name_key"), ["name_key"], unique=False)

    op.create_table(
        "sys_admin_unit",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=250), nullable=False),
        sa.Column("name_key", sa.String(length=250), nullable=False),
        sa.Column("type_value", sa.SmallInteger(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("contact_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("type_value IN (4, 5)", name=op.f("ck_sys_admin_unit_system_user_type")),
        sa.ForeignKeyConstraint(["contact_id"], ["contact.id"], name=op.f("fk_sys_admin_unit_contact_id")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sys_admin_unit")),
        sa.UniqueConstraint("contact_id", name=op.f("uq_sys_admin_unit_contact_id")),
        sa.UniqueConstraint("name_key", name=op.f("uq_sys_admin_unit_name_key")),
    )
    op.create_table(
        "webitel_user",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("system_user_id", sa.Uuid(), nullable=False),
        sa.Column("contact_id", sa.Uuid(), nullable=False),
        sa.Column("webitel_username", sa.String(length=250), nullable=False),
        sa.Column("extension", sa.String(length=20), nullable=True),
        sa.Column("webitel_user_id", sa.String(length=20), nullable=True),
        sa.Column("default_device_id", sa.String(length=20), nullable=True),
        sa.Column("default_device_name", sa.String(length=250), nullable=True),
        sa.Column("stun_enabled", sa.Boolean(), nullable=False),
        sa.Column("is_agent", sa.Boolean(), nullable=False),
        sa.Column("webitel_agent_id", sa.String(length=20), nullable=True),
        sa.Column("team_id", sa.String(length=20), nullable=True),
        sa.Column("team_name", sa.String(length=250), nullable=True),
        sa.Column("agent_status", sa.String(length=20), nullable=True),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("state_since", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("state IN ('creating', 'active', 'deleting')", name=op.f("ck_webitel_user_state")),
        sa.ForeignKeyConstraint(["contact_id"], ["contact.id"], name=op.f("fk_webitel_user_contact_id")),
        sa.ForeignKeyConstraint(["system_user_id"], ["sys_admin_unit.id"], name=op.f("fk_webitel_user_system_user_id")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webitel_user")),
        sa.UniqueConstraint("extension", name=op.f("uq_webitel_user_extension")),
        sa.UniqueConstraint("system_user_id", name=op.f("uq_webitel_user_system_user_id")),
        sa.UniqueConstraint("webitel_user_id", name=op.f("uq_webitel_user_webitel_user_id")),
    )
    op.create_table(
        "webitel_user_license",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("webitel_user_id", sa.Uuid(), nullable=False),
        sa.Column("license_id", sa.String(length=100), nullable=False),
        sa.Column("product", sa.String(length=50), nullable=False),
        sa.ForeignKeyConstraint(
            ["webitel_user_id"],
            ["webitel_user.id"],
            name=op.f("fk_webitel_user_license_webitel_user_id"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webitel_user_license")),
        sa.UniqueConstraint("webitel_user_id", "license_id", name=op.f("uq_webitel_user_license_webitel_user_id")),
    )
    op.create_table(
        "webitel_user_role",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("webitel_user_id", sa.Uuid(), nullable=False),
        sa.Column("role_id", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=250), nullable=False),
        sa.ForeignKeyConstraint(
            ["webitel_user_id"],
            ["webitel_user.id"],
            name=op.f("fk_webitel_user_role_webitel_user_id"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webitel_user_role")),
        sa.UniqueConstraint("webitel_user_id", "role_id", name=op.f("uq_webitel_user_role_webitel_user_id")),
    )
    op.create_table(
        "webitel_user_skill",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("webitel_user_id", sa.Uuid(), nullable=False),
        sa.Column("skill_id", sa.String(length=20), nullable=False),
        sa.Column("skill_name", sa.String(length=250), nullable=False),
        sa.Column("capacity", sa.SmallInteger(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("webitel_agent_skill_id", sa.String(length=20), nullable=True),
        sa.CheckConstraint("capacity BETWEEN 1 AND 100", name=op.f("ck_webitel_user_skill_capacity")),
        sa.ForeignKeyConstraint(
            ["webitel_user_id"],
            ["webitel_user.id"],
            name=op.f("fk_webitel_user_skill_webitel_user_id"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webitel_user_skill")),
        sa.UniqueConstraint("webitel_user_id", "skill_id", name=op.f("uq_webitel_user_skill_webitel_user_id")),
    )


def downgrade() -> None:
    op.drop_table("webitel_user_skill")
    op.drop_table("webitel_user_role")
    op.drop_table("webitel_user_license")
    op.drop_table("webitel_user")
    op.drop_table("sys_admin_unit")
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contact_name_key"))

    op.drop_table("contact")
    op.drop_table("account")
