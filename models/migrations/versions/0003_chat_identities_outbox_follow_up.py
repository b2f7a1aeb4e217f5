"""chat identities per platform; a queued message's follow-up state

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 20:30:00

Person.slack_id and Person.teams_id become rows of chatidentity, so the core matches a chat user
to a person without knowing any platform's name. Outbox.refs (the actions a reminder listed)
becomes the follow-up conversation state restored when the message is delivered.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "chatidentity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("platform", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("user_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("platform", "user_id"),
    )
    with op.batch_alter_table("chatidentity", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_chatidentity_person_id"), ["person_id"], unique=False)
    for platform in ("slack", "teams"):
        op.execute(
            "INSERT INTO chatidentity (person_id, platform, user_id) "
            f"SELECT id, '{platform}', {platform}_id FROM person WHERE {platform}_id IS NOT NULL"
        )
    # Plain ALTER TABLE (SQLite 3.35+ and PostgreSQL): a batch copy of `person` would be
    # refused by the foreign keys that point at it.
    op.drop_index("ix_person_slack_id", table_name="person")
    op.drop_index("ix_person_teams_id", table_name="person")
    op.execute("ALTER TABLE person DROP COLUMN slack_id")
    op.execute("ALTER TABLE person DROP COLUMN teams_id")

    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("follow_up", sa.JSON(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "message_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default=""
            )
        )
    _refs_to_follow_up()
    op.execute("ALTER TABLE outbox DROP COLUMN refs")


def _refs_to_follow_up() -> None:
    """An unsent reminder keeps its promise: a reply to it is read as about its actions."""
    outbox = sa.table(
        "outbox",
        sa.column("id", sa.Integer),
        sa.column("refs", sa.JSON),
        sa.column("follow_up", sa.JSON),
        sa.column("sent_at", sa.DateTime),
    )
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(outbox.c.id, outbox.c.refs).where(outbox.c.sent_at.is_(None))
    )
    for row_id, refs in rows.all():
        if refs:
            state = {"flow": "reminder", "step": "reply", "data": {"refs": list(refs)}}
            connection.execute(outbox.update().where(outbox.c.id == row_id).values(follow_up=state))


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("refs", sa.JSON(), nullable=False, server_default="[]"))
        batch_op.drop_column("follow_up")
        batch_op.drop_column("message_id")
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.add_column(sa.Column("teams_id", sa.VARCHAR(), nullable=True))
        batch_op.add_column(sa.Column("slack_id", sa.VARCHAR(), nullable=True))
        batch_op.create_index("ix_person_teams_id", ["teams_id"], unique=True)
        batch_op.create_index("ix_person_slack_id", ["slack_id"], unique=True)
    for platform in ("slack", "teams"):
        op.execute(
            f"UPDATE person SET {platform}_id = (SELECT user_id FROM chatidentity "
            f"WHERE chatidentity.person_id = person.id AND platform = '{platform}')"
        )
    with op.batch_alter_table("chatidentity", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_chatidentity_person_id"))
    op.drop_table("chatidentity")
