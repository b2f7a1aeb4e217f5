"""undelivered messages: why each last failed; platforms refusing our credentials

Revision ID: 0010
Revises: 0008
Create Date: 2026-12-06 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0010"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    text = sqlmodel.sql.sqltypes.AutoString()
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("problem", text, nullable=False, server_default=""))
    op.create_table(
        "platformaccess",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform", text, nullable=False),
        sa.Column("workspace", text, nullable=False),
        sa.Column("problem", text, nullable=False),
        sa.Column("refused_since", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("platform", "workspace"),
    )


def downgrade() -> None:
    op.drop_table("platformaccess")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("problem")
