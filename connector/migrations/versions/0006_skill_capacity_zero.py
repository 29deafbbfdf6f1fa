"""A skill's capacity may be 0 on a record: Webitel allows it, and the import and a to_record repair
take what Webitel holds (the API still asks 1..100 of a capacity it sets)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 21:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def _capacity(low: int) -> None:
    with op.batch_alter_table("webitel_user_skill", recreate="auto") as batch:
        batch.drop_constraint(op.f("ck_webitel_user_skill_capacity"), type_="check")
        batch.create_check_constraint(op.f("ck_webitel_user_skill_capacity"),
                                      sa.text(f"capacity BETWEEN {low} AND 100"))


def upgrade() -> None:
    _capacity(0)


def downgrade() -> None:
    op.execute(sa.text("UPDATE webitel_user_skill SET capacity = 1 WHERE capacity = 0"))
    _capacity(1)
