"""Drift checks as background jobs: a job's kind (import or drift; one of each runs at a time) and
the differences a drift check found

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 20:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

RUNNING = sa.text("status = 'running'")


def upgrade() -> None:
    with op.batch_alter_table("import_job", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kind", sa.String(length=10), server_default="import", nullable=False))
        batch_op.create_check_constraint(op.f("ck_import_job_kind"), "kind IN ('import', 'drift')")
    op.drop_index("uq_import_job_running", table_name="import_job")
    op.create_index("uq_import_job_running_kind", "import_job", ["kind"], unique=True, sqlite_where=RUNNING,
                    postgresql_where=RUNNING)
    op.create_table(
        "drift_item",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("job_id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("record_id", sa.Uuid(), nullable=True),
        sa.Column("webitel_user_id", sa.String(length=20), nullable=True),
        sa.Column("webitel_username", sa.String(length=250), nullable=True),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("sync_state", sa.String(length=20), nullable=True),
        sa.Column("sync_error", sa.String(length=1000), nullable=True),
        sa.Column("sync_checked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["job_id"], ["import_job.id"], name=op.f("fk_drift_item_job_id"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_drift_item")),
        sa.UniqueConstraint("job_id", "seq", name=op.f("uq_drift_item_job_id")),
    )
    op.create_index(op.f("ix_drift_item_job_id"), "drift_item", ["job_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_drift_item_job_id"), table_name="drift_item")
    op.drop_table("drift_item")
    op.execute("DELETE FROM import_job WHERE kind <> 'import'")
    op.drop_index("uq_import_job_running_kind", table_name="import_job")
    op.create_index("uq_import_job_running", "import_job", ["status"], unique=True, sqlite_where=RUNNING,
                    postgresql_where=RUNNING)
    with op.batch_alter_table("import_job", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_import_job_kind"), type_="check")
        batch_op.drop_column("kind")
