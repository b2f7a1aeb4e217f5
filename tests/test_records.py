"""Subject access and erasure: a council answers "what do you hold about me?" and "forget me"."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import inspect
from sqlmodel import SQLModel, col, select
from typer.testing import Result

from handlers.chat.context import AppContext
from handlers.plans.people import assign
from handlers.plans.records import NOT_EXPORTED
from models.db import transaction
from models.tables import (
    ChatIdentity,
    ConversationState,
    Outbox,
    Person,
    ProgressNote,
    TargetRevision,
)
from reminders.delivery import deliver
from reminders.policy import Policy
from reminders.sweep import sweep
from tests.conftest import CHAIR, SAM, Chat
from tests.fakes.teams_connector import Failure
from tests.teams_harness import teams_bot

Cli = Callable[..., Result]
SAM_ROLE = "Community Engagement & Partnership Manager"


def sam_updates_r1(chat_as: Chat) -> None:
    sam = chat_as(SAM)
    sam.send("update R1")
    sam.send("Partially complete")
    sam.send("Sam Patel met the youth council; draft strategy out for comment.")
    sam.send("31/03/2027")
    sam.send("save")


def test_export_holds_every_plan_person_and_note(
    blackpool: AppContext, chat_as: Chat, cli: Cli, tmp_path: Path
) -> None:
    sam_updates_r1(chat_as)
    out = tmp_path / "export.json"
    assert "Wrote" in cli("export", "--output", str(out)).output
    data = json.loads(out.read_text(encoding="utf-8"))
    plan = data["plans"][0]
    assert plan["name"] == "blackpool-audit-2019"
    assert len(plan["actions"]) == 17
    r1 = next(a for a in plan["actions"] if a["ref"] == "R1")
    assert any("youth council" in n["text"] for n in r1["progress"])
    assert r1["target_revisions"][-1]["new_date"] == "2027-03-31"
    assert {p["email"] for p in data["people"]} >= {SAM, CHAIR}


def test_every_table_is_exported_or_deliberately_left_out(blackpool: AppContext, cli: Cli) -> None:
    text = cli("export").output
    assert json.loads(text)["plans"]
    # Each table holding council data appears under some key of the export.
    named = {
        "plan": "plans", "theme": "themes", "action": "actions", "progressnote": "progress",
        "targetrevision": "target_revisions", "actionowner": "owner_role_ids",
        "role": "roles", "person": "people", "chatidentity": "chat_ids", "roleholder": "roles",
        "planadmin": "admins", "consultation": "register", "flowchartwalk": "flowchart_walks",
        "scheduledsummary": "scheduled_summaries", "sentreminder": "reminders_sent",
        "reminderresponse": "reminder_responses", "organisation": "organisation",
        "orgbinding": "bindings", "healthcheck": "health_checks",
        "remindersetting": "reminder_settings", "document": "documents",
        "subscription": "subscriptions", "subscriptionnotice": "subscription_notices",
        "rolealias": "role_spellings",
    }  # fmt: skip
    tables = set(SQLModel.metadata.tables) - {"alembic_version"}
    missing = tables - set(named) - NOT_EXPORTED
    assert not missing, f"tables neither exported nor listed in NOT_EXPORTED: {missing}"
    for key in set(named.values()):
        assert f'"{key}"' in text


def test_a_subject_access_request_gets_what_is_held_about_one_person(
    blackpool: AppContext, chat_as: Chat, cli: Cli
) -> None:
    sam_updates_r1(chat_as)
    data = json.loads(cli("export", "--person", SAM).output)
    assert data["person"]["email"] == SAM
    assert data["roles"] == ["Community Engagement & Partnership Manager"]
    written = data["progress_notes_written"]
    assert [n["text"] for n in written if "youth council" in n["text"]]
    assert all(n["author_id"] == data["person"]["id"] for n in written)
    assert data["target_changes_made"][-1]["new_date"] == "2027-03-31"


def test_an_unknown_person_is_explained(blackpool: AppContext, cli: Cli) -> None:
    result = cli("export", "--person", "who@example.org")
    assert result.exit_code == 1
    assert "I don't know anyone called 'who@example.org'" in result.output


def test_forgetting_a_person_keeps_their_notes_signed_by_a_former_officer(
    blackpool: AppContext, chat_as: Chat, cli: Cli
) -> None:
    sam_updates_r1(chat_as)
    chat_as(SAM).send("update R4")  # a conversation left open, tied to Sam's chat id
    result = cli("people", "forget", SAM, "--yes")
    assert result.exit_code == 0, result.output
    assert "Erased Sam Patel <sam.patel@example.org>." in result.output
    assert "progress notes and 1 target changes they made are kept" in result.output
    assert "Roles now without a holder: Community Engagement & Partnership Manager" in result.output
    assert "Notes whose text still mentions them (check by hand): blackpool-audit-2019 R1" in (
        result.output
    )
    with transaction(blackpool.engine) as session:
        assert session.exec(select(Person).where(Person.email == SAM)).first() is None
        assert all(i.user_id != SAM for i in session.exec(select(ChatIdentity)))
        assert session.exec(select(ConversationState)).all() == []
        note = session.exec(
            select(ProgressNote).where(ProgressNote.text.contains("youth council"))  # type: ignore[attr-defined]
        ).one()
        assert (note.author_id, note.author_name) == (None, "a former officer")
        revision = session.exec(select(TargetRevision).order_by(col(TargetRevision.id))).all()[-1]
        assert revision.by_name == "a former officer"
    # The plan's history still reads, and the person is gone from every list.
    assert "Sam Patel" not in cli("people", "list").output
    assert "youth council" in cli("export").output
    assert SAM not in cli("export").output
    # The bot no longer knows them: their next message is a stranger's.
    assert "I don't know who you are yet" in chat_as(SAM).send("my actions")


SAM_AAD = "6b0a3c1e-0000-4000-8000-00000000053a"
SAM_SLACK = "U0SAMPATEL"


def test_forgetting_leaves_no_byte_of_them_in_the_database_file_or_its_log(
    blackpool: AppContext, cli: Cli
) -> None:
    """Sam chatted in Teams (his own chat, and the steering group's channel, whose address
    then names him), said an action was not his (a notice to the chair naming him) and could
    not be reached once (another). After `people forget`, none of his identifiers is left in
    the SQLite file or its write-ahead log: not in a table, a free page or an old frame."""
    with transaction(blackpool.engine) as session:
        assign(session, SAM_ROLE, email=SAM, chat={"teams": SAM_AAD, "slack": SAM_SLACK})
    with teams_bot(blackpool) as bot:
        bot.say(SAM_AAD, "my actions", name="Sam Patel")
        bot.mention(SAM_AAD, "what's overdue?", name="Sam Patel")
        bot.say(SAM_AAD, "notmine R4", name="Sam Patel")
        bot.teams.wait_for("send", 3)
        sweep(blackpool, Policy(), "teams")
        bot.teams.fail("send", Failure(403, body={"error": {"code": "ConversationBlockedByUser"}}))
        deliver(blackpool, bot.sender())
    marks = [SAM, "sam patel", SAM_AAD, SAM_SLACK.lower()]
    assert [m for m in marks if m.encode() in _database_bytes(blackpool)] == marks
    result = cli("people", "forget", SAM, "--yes")
    assert result.exit_code == 0, result.output
    assert "What was removed, table by table:" in result.output
    assert "  chatidentity: 2 deleted\n" in result.output
    assert "  deliveryaddress: 1 deleted, 1 kept with their details taken out\n" in result.output
    assert "  person: 1 deleted\n" in result.output
    assert "rebuilt (VACUUM) and its write-ahead log emptied" in result.output
    assert [m for m in marks if m.encode() in _database_bytes(blackpool)] == []
    with transaction(blackpool.engine) as session:  # the chair's notices about him are gone
        texts = [n.reply["text"] for n in session.exec(select(Outbox))]
    assert not [t for t in texts if "Sam" in t]


def _database_bytes(ctx: AppContext) -> bytes:
    """The SQLite file and its write-ahead log, as they are on disk, lower-cased."""
    path = Path(str(ctx.engine.url.database))
    wal = path.with_name(path.name + "-wal")
    return b"".join(p.read_bytes() for p in (path, wal) if p.exists()).lower()


def test_forgetting_asks_first_and_changes_nothing_when_refused(
    blackpool: AppContext, cli: Cli
) -> None:
    result = cli("people", "forget", SAM, input="n\n")
    assert result.exit_code == 1
    assert "Nothing was changed." in result.output
    assert "Sam Patel" in cli("people", "list").output


def test_forgetting_someone_unknown_is_explained(blackpool: AppContext, cli: Cli) -> None:
    result = cli("people", "forget", "who@example.org", "--yes")
    assert result.exit_code == 1
    assert "No one has the e-mail 'who@example.org'" in result.output


def test_every_reference_to_a_person_is_handled_by_forget(blackpool: AppContext) -> None:
    """A new table pointing at person.id must be handled by forget(), or this fails."""
    handled = {
        "chatidentity", "roleholder", "planadmin", "progressnote", "consultation",
        "flowchartwalk", "outbox", "sentreminder", "reminderresponse", "scheduledsummary",
        "healthcheck", "remindersetting",
    }  # fmt: skip
    pointing = {
        table.name
        for table in SQLModel.metadata.sorted_tables
        for fk in table.foreign_keys
        if fk.column.table.name == "person"
    }
    assert pointing <= handled, pointing - handled
    assert inspect(blackpool.engine).has_table("person")
