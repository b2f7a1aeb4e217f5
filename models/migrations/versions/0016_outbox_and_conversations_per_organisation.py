"""outbox and conversation states per organisation: queued text and flow data kept apart;
an index for "overdue"

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-10 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Where an existing row has nothing better to go by: the default organisation (every database
# has one since 0005), else the oldest.
FALLBACK = (
    "COALESCE((SELECT id FROM organisation WHERE slug = 'default'), "
    "(SELECT MIN(id) FROM organisation))"
)


def upgrade() -> None:
    _outbox()
    _conversation_states()
    op.create_index("ix_action_due", "action", ["target_date", "plan_id", "position", "status"])


def _outbox() -> None:
    """A queued message belongs to its person's organisation; one for a room (a summary) to
    the organisation of the scheduled summary posting there, else the default one."""
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("org_id", sa.Integer(), nullable=True))
    op.execute(
        "UPDATE outbox SET org_id = (SELECT person.org_id FROM person "
        "WHERE person.id = outbox.person_id) WHERE person_id IS NOT NULL"
    )
    op.execute(
        "UPDATE outbox SET org_id = (SELECT MIN(s.org_id) FROM scheduledsummary s "
        "WHERE s.chat_channel = outbox.chat_channel AND s.via = outbox.via) "
        "WHERE org_id IS NULL"
    )
    op.execute(f"UPDATE outbox SET org_id = {FALLBACK} WHERE org_id IS NULL")
    with op.batch_alter_table("outbox") as batch:
        batch.alter_column("org_id", existing_type=sa.Integer(), nullable=False)
        batch.create_index("ix_outbox_org_id", ["org_id"])
        batch.create_foreign_key("fk_outbox_org_id", "organisation", ["org_id"], ["id"])


def _conversation_states() -> None:
    """A conversation belongs to the organisation its workspace is bound to (the console's to
    the default one). The unique key gains the organisation, and SQLite cannot drop an unnamed
    constraint, so the table is copied."""
    text = sqlmodel.sql.sqltypes.AutoString()
    op.create_table(
        "conversationstate_new",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("channel", text, nullable=False),
        sa.Column("workspace", text, nullable=False),
        sa.Column("conversation", text, nullable=False),
        sa.Column("user", text, nullable=False),
        sa.Column("flow", text, nullable=False),
        sa.Column("step", text, nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["org_id"], ["organisation.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("org_id", "channel", "workspace", "conversation", "user"),
    )
    op.execute(
        "INSERT INTO conversationstate_new (id, org_id, channel, workspace, conversation, "
        '"user", flow, step, data, updated_at) '
        "SELECT c.id, COALESCE((SELECT b.org_id FROM orgbinding b WHERE b.platform = c.channel "
        f"AND b.external_id = c.workspace), {FALLBACK}), c.channel, c.workspace, "
        'c.conversation, c."user", c.flow, c.step, c.data, c.updated_at '
        "FROM conversationstate c"
    )
    op.drop_table("conversationstate")
    op.rename_table("conversationstate_new", "conversationstate")
    op.create_index("ix_conversationstate_org_id", "conversationstate", ["org_id"])
    if op.get_bind().dialect.name == "postgresql":  # keep the id sequence counting on
        op.execute(
            "SELECT setval(pg_get_serial_sequence('conversationstate', 'id'), "
            "COALESCE((SELECT MAX(id) FROM conversationstate), 0) + 1, false)"
        )


def downgrade() -> None:
    op.drop_index("ix_action_due", table_name="action")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_constraint("fk_outbox_org_id", type_="foreignkey")
        batch.drop_index("ix_outbox_org_id")
        batch.drop_column("org_id")
    _conversation_states_back()


def _conversation_states_back() -> None:
    """One state per conversation again, whatever the organisation: the newest is kept."""
    text = sqlmodel.sql.sqltypes.AutoString()
    op.create_table(
        "conversationstate_old",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", text, nullable=False),
        sa.Column("workspace", text, nullable=False),
        sa.Column("conversation", text, nullable=False),
        sa.Column("user", text, nullable=False),
        sa.Column("flow", text, nullable=False),
        sa.Column("step", text, nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("channel", "workspace", "conversation", "user"),
    )
    op.execute(
        'INSERT INTO conversationstate_old (id, channel, workspace, conversation, "user", '
        "flow, step, data, updated_at) SELECT c.id, c.channel, c.workspace, c.conversation, "
        'c."user", c.flow, c.step, c.data, c.updated_at FROM conversationstate c '
        "WHERE c.id = (SELECT MAX(d.id) FROM conversationstate d WHERE d.channel = c.channel "
        'AND d.workspace = c.workspace AND d.conversation = c.conversation AND d."user" = c."user")'
    )
    op.drop_table("conversationstate")
    op.rename_table("conversationstate_old", "conversationstate")
