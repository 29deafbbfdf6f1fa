"""GetWebitelUsers: import jobs and their items; a record may have no Creatio system user (a Webitel
user imported for a contact without one)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 23:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

UTC_DATETIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "import_job",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("dry_run", sa.Boolean(), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("owner", sa.String(length=200), nullable=False),
        sa.Column("started_at", UTC_DATETIME, nullable=False),
        sa.Column("heartbeat_at", UTC_DATETIME, nullable=False),
        sa.Column("finished_at", UTC_DATETIME, nullable=True),
        sa.Column("total", sa.Integer(), nullable=True),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("error", sa.String(length=1000), nullable=True),
        sa.CheckConstraint("status IN ('running', 'succeeded', 'failed')", name=op.f("ck_import_job_status")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_job")),
    )
    op.create_index("uq_import_job_running", "import_job", ["status"], unique=True,
                    sqlite_where=sa.text("status = 'running'"), postgresql_where=sa.text("status = 'running'"))
    op.create_table(
        "import_item",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("job_id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("webitel_user_id", sa.String(length=20), nullable=False),
        sa.Column("webitel_username", sa.String(length=250), nullable=False),
        sa.Column("outcome", sa.String(length=40), nullable=False),
        sa.Column("record_id", sa.Uuid(), nullable=True),
        sa.Column("contact_id", sa.Uuid(), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(["job_id"], ["import_job.id"], name=op.f("fk_import_item_job_id"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_item")),
        sa.UniqueConstraint("job_id", "seq", name=op.f("uq_import_item_job_id")),
    )
    op.create_index(op.f("ix_import_item_job_id"), "import_item", ["job_id"], unique=False)
    with op.batch_alter_table("webitel_user", schema=None) as batch_op:
        batch_op.alter_column("system_user_id", existing_type=sa.Uuid(), nullable=True)
        batch_op.alter_column("user_name", existing_type=sa.String(length=250), nullable=True)


def downgrade() -> None:
    op.execute("DELETE FROM webitel_user WHERE system_user_id IS NULL")
    with op.batch_alter_table("webitel_user", schema=None) as batch_op:
        batch_op.alter_column("user_name", existing_type=sa.String(length=250), nullable=False)
        batch_op.alter_column("system_user_id", existing_type=sa.Uuid(), nullable=False)
    op.drop_index(op.f("ix_import_item_job_id"), table_name="import_item")
    op.drop_table("import_item")
    op.drop_index("uq_import_job_running", table_name="import_job")
    op.drop_table("import_job")
