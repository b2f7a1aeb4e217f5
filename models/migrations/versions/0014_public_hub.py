"""public hub: branding, Welsh text, attachments and e-mail subscriptions on the public page

Revision ID: 0014
Revises: 0008
Create Date: 2026-12-06 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    text = sqlmodel.sql.sqltypes.AutoString()
    with op.batch_alter_table("organisation") as batch:
        batch.add_column(sa.Column("public", sa.JSON(), nullable=False, server_default="{}"))
        batch.add_column(
            sa.Column("public_version", sa.Integer(), nullable=False, server_default="0")
        )
    with op.batch_alter_table("consultation") as batch:
        batch.add_column(
            sa.Column("public_version", sa.Integer(), nullable=False, server_default="0")
        )
        batch.add_column(sa.Column("first_published_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("we_did_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("welsh", sa.JSON(), nullable=False, server_default="{}"))
    # Entries already on the page count as published when they were last changed.
    op.execute(
        "UPDATE consultation SET first_published_at = COALESCE(public_updated_at, created_at) "
        "WHERE published"
    )
    op.create_table(
        "document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("consultation_id", sa.Integer(), nullable=True),
        sa.Column("role", text, nullable=False),
        sa.Column("title", text, nullable=False),
        sa.Column("title_cy", text, nullable=False),
        sa.Column("filename", text, nullable=False),
        sa.Column("media_type", text, nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", text, nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("added_by", text, nullable=False),
        sa.ForeignKeyConstraint(["consultation_id"], ["consultation.id"]),
        sa.ForeignKeyConstraint(["org_id"], ["organisation.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_document_org_id", "document", ["org_id"])
    op.create_index("ix_document_consultation_id", "document", ["consultation_id"])
    op.create_table(
        "subscription",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("email", text, nullable=False),
        sa.Column("kind", text, nullable=False),
        sa.Column("value", text, nullable=False),
        sa.Column("lang", text, nullable=False),
        sa.Column("token", text, nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["org_id"], ["organisation.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_subscription_org_id", "subscription", ["org_id"])
    op.create_index("ix_subscription_email", "subscription", ["email"])
    op.create_index("ix_subscription_token", "subscription", ["token"], unique=True)
    op.create_table(
        "subscriptionnotice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("key", text, nullable=False),
        sa.Column("address_hash", text, nullable=False),
        sa.Column("consultation_id", sa.Integer(), nullable=True),
        sa.Column("event", text, nullable=False),
        sa.Column("outbox_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["consultation_id"], ["consultation.id"]),
        sa.ForeignKeyConstraint(["org_id"], ["organisation.id"]),
        sa.ForeignKeyConstraint(["outbox_id"], ["outbox.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_subscriptionnotice_org_id", "subscriptionnotice", ["org_id"])
    op.create_index("ix_subscriptionnotice_key", "subscriptionnotice", ["key"], unique=True)
    op.create_index("ix_subscriptionnotice_address_hash", "subscriptionnotice", ["address_hash"])


def downgrade() -> None:
    op.drop_table("subscriptionnotice")
    op.drop_table("subscription")
    op.drop_table("document")
    with op.batch_alter_table("consultation") as batch:
        for name in ("public_version", "first_published_at", "we_did_at", "welsh"):
            batch.drop_column(name)
    with op.batch_alter_table("organisation") as batch:
        batch.drop_column("public_version")
        batch.drop_column("public")
