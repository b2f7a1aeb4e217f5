"""public register: the fields the public engagement page shows, and whether an entry is on it

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 16:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TEXTS = ("who_can_take_part", "topic", "contact_name", "contact_email", "contact_phone")


def upgrade() -> None:
    # Existing entries stay off the page until someone publishes them.
    with op.batch_alter_table("consultation") as batch:
        batch.add_column(sa.Column("published", sa.Boolean(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("summary", sa.Text(), nullable=False, server_default=""))
        batch.add_column(
            sa.Column("how_to_take_part", sa.Text(), nullable=False, server_default="")
        )
        for name in TEXTS:
            batch.add_column(
                sa.Column(
                    name, sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default=""
                )
            )
        batch.add_column(sa.Column("public_updated_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("consultation") as batch:
        for name in ("published", "summary", "how_to_take_part", *TEXTS, "public_updated_at"):
            batch.drop_column(name)
