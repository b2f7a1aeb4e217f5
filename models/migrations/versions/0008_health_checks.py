"""health checks: the yearly community engagement self-assessment, per organisation and team

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 16:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    text = sqlmodel.sql.sqltypes.AutoString()
    op.create_table(
        "healthcheck",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("team", text, nullable=False),
        sa.Column("team_key", text, nullable=False),
        sa.Column("year", text, nullable=False),
        sa.Column("guidance", text, nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("who_name", text, nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["org_id"], ["organisation.id"]),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("org_id", "team_key", "year"),
    )
    op.create_index("ix_healthcheck_org_id", "healthcheck", ["org_id"])


def downgrade() -> None:
    op.drop_index("ix_healthcheck_org_id", table_name="healthcheck")
    op.drop_table("healthcheck")
