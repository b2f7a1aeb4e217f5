"""plan starts: the first day of a plan, so its "Year 1" and "Years 2-3" targets have dates

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 16:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("plan", sa.Column("starts_on", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("plan") as batch:  # SQLite drops a column by copying the table
        batch.drop_column("starts_on")
