"""chat app installations (OAuth), install states, workspaces awaiting approval, reminder settings

Revision ID: 0013
Revises: 0008
Create Date: 2026-12-10 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0013"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    text = sqlmodel.sql.sqltypes.AutoString()
    op.create_table(
        "chatinstallation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform", text, nullable=False),
        sa.Column("app_id", text, nullable=False),
        sa.Column("enterprise_id", text, nullable=False),
        sa.Column("enterprise_name", text, nullable=False),
        sa.Column("team_id", text, nullable=False),
        sa.Column("team_name", text, nullable=False),
        sa.Column("is_enterprise_install", sa.Boolean(), nullable=False),
        sa.Column("bot_id", text, nullable=False),
        sa.Column("bot_user_id", text, nullable=False),
        sa.Column("bot_scopes", text, nullable=False),
        sa.Column("bot_token", sa.Text(), nullable=False),
        sa.Column("bot_refresh_token", sa.Text(), nullable=False),
        sa.Column("bot_token_expires_at", sa.Integer(), nullable=True),
        sa.Column("installer_user_id", text, nullable=False),
        sa.Column("installed_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("platform", "enterprise_id", "team_id"),
    )
    op.create_table(
        "oauthstate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("state", text, nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_oauthstate_state", "oauthstate", ["state"], unique=True)
    op.create_table(
        "workspacerequest",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform", text, nullable=False),
        sa.Column("external_id", text, nullable=False),
        sa.Column("name", text, nullable=False),
        sa.Column("requested_by", text, nullable=False),
        sa.Column("requested_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("platform", "external_id"),
    )
    op.create_table(
        "remindersetting",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("remind_at", sa.Time(), nullable=True),
        sa.Column("snoozed_until", sa.Date(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["org_id"], ["organisation.id"]),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_remindersetting_org_id", "remindersetting", ["org_id"])
    op.create_index("ix_remindersetting_person_id", "remindersetting", ["person_id"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_remindersetting_person_id", table_name="remindersetting")
    op.drop_index("ix_remindersetting_org_id", table_name="remindersetting")
    op.drop_table("remindersetting")
    op.drop_table("workspacerequest")
    op.drop_index("ix_oauthstate_state", table_name="oauthstate")
    op.drop_table("oauthstate")
    op.drop_table("chatinstallation")
