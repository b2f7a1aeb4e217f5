"""organisations: several councils on one deployment; existing data joins the default one

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 23:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DEFAULT = "(SELECT id FROM organisation WHERE slug = 'default')"
# Tables that gain an organisation, and the unique index that becomes unique per organisation.
OWNED = {
    "plan": "name",
    "person": "email",
    "role": "key",
    "consultation": None,
    "summarypost": None,
    "scheduledsummary": None,
    "flowchartwalk": None,
}


def upgrade() -> None:
    op.create_table(
        "organisation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_organisation_slug", "organisation", ["slug"], unique=True)
    op.create_table(
        "orgbinding",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("platform", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("external_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.ForeignKeyConstraint(["org_id"], ["organisation.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("platform", "external_id"),
    )
    op.create_index("ix_orgbinding_org_id", "orgbinding", ["org_id"])
    op.execute(
        "INSERT INTO organisation (slug, name, created_at) "
        "VALUES ('default', 'Default organisation', CURRENT_TIMESTAMP)"
    )
    for table, unique in OWNED.items():
        _own(table, unique)
    _recreate_chat_identities()


def _own(table: str, unique: str | None) -> None:
    """Add org_id (existing rows: the default organisation); make `unique` per organisation."""
    with op.batch_alter_table(table) as batch:
        batch.add_column(sa.Column("org_id", sa.Integer(), nullable=True))
    op.execute(f"UPDATE {table} SET org_id = {DEFAULT}")
    with op.batch_alter_table(table) as batch:
        batch.alter_column("org_id", existing_type=sa.Integer(), nullable=False)
        batch.create_index(f"ix_{table}_org_id", ["org_id"])
        batch.create_foreign_key(f"fk_{table}_org_id", "organisation", ["org_id"], ["id"])
        if unique:
            batch.drop_index(f"ix_{table}_{unique}")
            batch.create_index(f"ix_{table}_{unique}", [unique], unique=False)
            batch.create_unique_constraint(f"uq_{table}_org_id_{unique}", ["org_id", unique])


def _recreate_chat_identities() -> None:
    """A person's chat id is unique within their organisation (the same officer may work for
    two councils). SQLite cannot drop the old unnamed constraint, so the table is copied."""
    op.create_table(
        "chatidentity_new",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("platform", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("user_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.ForeignKeyConstraint(["org_id"], ["organisation.id"]),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("org_id", "platform", "user_id"),
    )
    op.execute(
        "INSERT INTO chatidentity_new (id, org_id, person_id, platform, user_id) "
        "SELECT c.id, p.org_id, c.person_id, c.platform, c.user_id "
        "FROM chatidentity c JOIN person p ON p.id = c.person_id"
    )
    op.drop_table("chatidentity")
    op.rename_table("chatidentity_new", "chatidentity")
    op.create_index("ix_chatidentity_person_id", "chatidentity", ["person_id"])
    op.create_index("ix_chatidentity_org_id", "chatidentity", ["org_id"])
    if op.get_bind().dialect.name == "postgresql":  # keep the id sequence counting on
        op.execute(
            "SELECT setval(pg_get_serial_sequence('chatidentity', 'id'), "
            "COALESCE((SELECT MAX(id) FROM chatidentity), 0) + 1, false)"
        )


def downgrade() -> None:
    raise NotImplementedError("organisations cannot be merged back automatically")
