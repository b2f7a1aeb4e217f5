"""role aliases: near-duplicate role names merged on confirmation, remembered for re-imports

Revision ID: 0015
Revises: 0008
Create Date: 2026-12-06 07:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0015"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    text = sqlmodel.sql.sqltypes.AutoString()
    op.create_table(
        "rolealias",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("role_id", sa.Integer(), nullable=False),
        sa.Column("name", text, nullable=False),
        sa.Column("key", text, nullable=False),
        sa.ForeignKeyConstraint(["org_id"], ["organisation.id"]),
        sa.ForeignKeyConstraint(["role_id"], ["role.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("org_id", "key"),
    )
    with op.batch_alter_table("rolealias") as batch:
        batch.create_index(batch.f("ix_rolealias_org_id"), ["org_id"], unique=False)
        batch.create_index(batch.f("ix_rolealias_role_id"), ["role_id"], unique=False)
        batch.create_index(batch.f("ix_rolealias_key"), ["key"], unique=False)


def downgrade() -> None:
    op.drop_table("rolealias")
