"""Officers talking to the bot in the console: their actions, updates, help, refusals."""

from __future__ import annotations

import json
from collections.abc import Callable

from sqlmodel import func, select
from typer.testing import Result

from bot.channels.console import ConsoleChannel
from bot.conversation import Conversation
from handlers.chat.context import AppContext
from models.db import make_engine, transaction
from models.tables import ProgressNote, TargetRevision
from tests.conftest import CHAIR, RUTH, SAM, STRANGER, Chat


def note_count(ctx: AppContext) -> int:
    with transaction(ctx.engine) as session:
        return session.exec(select(func.count()).select_from(ProgressNote)).one()


def action_json(cli: Callable[..., Result], ref: str) -> dict[str, object]:
    rows = json.loads(cli("actions", "list", "--plan", "blackpool-audit-2019", "--json").output)
    return next(r for r in rows if r["ref"] == ref)


def test_an_officer_asks_for_their_actions(blackpool: AppContext, chat_as: Chat) -> None:
    out = chat_as(SAM).send("my actions")
    assert "You have 7 open actions, soonest due first." in out
    # R11 has its original 2019 target; the revised ones (31 March 2020) come after it.
    assert out.index("R11 ·") < out.index("R1 ·")
    assert "Target: 31 March 2019, revised to 31 March 2020" in out
    assert "Partially complete — " in out
    assert "R4 ·" not in out  # complete: nothing to do
    assert "R16 ·" not in out  # the Director of Public Health's, not Sam's
    assert "[1] Add update" in out


def test_an_officer_updates_an_action_in_conversation(
    blackpool: AppContext, chat_as: Chat, cli: Callable[..., Result]
) -> None:
    sam = chat_as(SAM)
    out = sam.send("update R1")
    assert "Updating R1: We recommend that the Council produces a Community Engagement" in out
    assert "Now: Partially complete, target 31 March 2019, revised to 31 March 2020." in out
    assert "What's the status now?" in out
    assert "What progress has been made?" in sam.send("Partially complete")
    out = sam.send("Strategy approved by SLT; consultation with residents starts in January.")
    assert "New target date? It is now 31 March 2019, revised to 31 March 2020." in out
    out = sam.send("31/03/2027")
    assert "R1 → Partially complete, revised target 31 March 2027." in out
    assert "Note: Strategy approved by SLT; consultation with residents starts" in out
    out = sam.send("save")
    assert (
        out
        == "Saved. R1 is now Partially complete; target 31 March 2019, revised to 31 March 2027."
    )

    row = action_json(cli, "R1")
    assert row["status"] == "partially complete"
    assert row["target_date"] == "2027-03-31"
    assert row["target_text"] == "31st March 2019"
    shown = sam.send("show R1")
    assert "Sam Patel: Strategy approved by SLT" in shown
    assert "[target → 31 March 2027]" in shown


def test_buttons_work_by_number_and_a_completed_action_skips_the_date(
    blackpool: AppContext, chat_as: Chat, cli: Callable[..., Result]
) -> None:
    sam = chat_as(SAM)
    listing = sam.send("my actions")
    assert "[1] Add update" in listing
    assert "Updating R11" in sam.send("1")  # R11 is due soonest, so its button is first
    sam.send("5")  # the fifth status button: Complete
    out = sam.send("Comms team now sit on the steering group.")
    assert "R11 → Complete." in out and "New target date" not in out
    assert sam.send("save").startswith("Saved. R11 is now Complete")
    assert action_json(cli, "R11")["status"] == "complete"


def test_a_note_on_an_action_already_complete_is_not_asked_for_a_new_date(
    blackpool: AppContext, chat_as: Chat, cli: Callable[..., Result]
) -> None:
    sam = chat_as(SAM)
    assert "Now: Complete" in sam.send("update R4")
    sam.send("keep")  # the status stays Complete
    out = sam.send("Guidance reviewed again with Infusion in March.")
    assert "R4 → Complete." in out and "New target date" not in out
    assert sam.send("save").startswith("Saved. R4 is now Complete")
    assert action_json(cli, "R4")["status"] == "complete"


def test_anyone_can_ask_for_help(blackpool: AppContext, chat_as: Chat) -> None:
    out = chat_as(STRANGER).send("help")
    for command in ("my actions", "update R4", "show R4", "plans", "cancel"):
        assert command in out


def test_something_the_bot_does_not_understand_gets_a_helpful_answer(
    blackpool: AppContext, chat_as: Chat
) -> None:
    out = chat_as(SAM).send("what's the weather like in Blackpool?")
    assert "Sorry, I didn't understand 'what's the weather like in Blackpool?'" in out
    assert "Try 'my actions', 'update R4' or 'help'." in out


def test_someone_who_does_not_own_an_action_cannot_update_it(
    blackpool: AppContext, chat_as: Chat
) -> None:
    before = note_count(blackpool)
    out = chat_as(RUTH).send("update R1")
    assert "You can't update R1" in out and "Nothing was changed." in out
    assert note_count(blackpool) == before
    # A plan admin (the chair) may update any action of the plan.
    assert "What's the status now?" in chat_as(CHAIR).send("update R1")


def test_a_stranger_is_told_how_to_be_recognised(blackpool: AppContext, chat_as: Chat) -> None:
    out = chat_as(STRANGER).send("my actions")
    assert "I don't know who you are yet" in out
    assert 'engagebot people assign "<your role>" --email <you>' in out


def test_an_unknown_action_and_an_update_without_a_reference(
    blackpool: AppContext, chat_as: Chat
) -> None:
    sam = chat_as(SAM)
    assert "I can't find an action 'R99'" in sam.send("update R99")
    assert "Which action?" in sam.send("update")


def test_cancelling_half_way_saves_nothing(blackpool: AppContext, chat_as: Chat) -> None:
    before = note_count(blackpool)
    sam = chat_as(SAM)
    sam.send("update R2")
    sam.send("delayed")
    assert "Cancelled. Nothing was saved." in sam.send("cancel")
    assert note_count(blackpool) == before
    assert "There's nothing to cancel." in sam.send("cancel")


def test_impossible_and_past_dates_are_asked_again(blackpool: AppContext, chat_as: Chat) -> None:
    sam = chat_as(SAM)
    for line in ("update R2", "delayed", "Waiting for the toolkit."):
        sam.send(line)
    out = sam.send("31/02/2027")
    assert "not a real date" in out and "New target date?" in out
    out = sam.send("01/04/2025")
    assert "1 April 2025 is in the past" in out and "New target date?" in out
    out = sam.send("when the funding lands")
    assert "New target date?" in out
    assert "R2 → Delayed, revised target 30 June 2027." in sam.send("30/06/2027")


def test_a_relative_date_is_confirmed_before_use(blackpool: AppContext, chat_as: Chat) -> None:
    sam = chat_as(SAM)
    for line in ("update R2", "on going", "Toolkit drafted."):
        sam.send(line)
    out = sam.send("next Friday")
    assert "Do you mean Friday 27 November 2026?" in out
    assert "revised target 27 November 2026" in sam.send("yes")


def test_a_very_long_note_is_refused_and_nothing_is_lost(
    blackpool: AppContext, chat_as: Chat
) -> None:
    before = note_count(blackpool)
    sam = chat_as(SAM)
    sam.send("update R5")
    sam.send("in progress")
    out = sam.send("x" * 5_000)
    assert "That note is 5,000 characters; the limit is 4,000." in out
    assert "Nothing has been saved yet." in out
    out = sam.send("x" * 20_000)  # past what any message may carry: refused before reading
    assert "That message is 20,000 characters long" in out and "nothing was saved" in out
    assert note_count(blackpool) == before
    assert "New target date?" in sam.send("Toolkit shared with the NHS.")


def test_sql_and_chat_markup_in_a_note_are_stored_as_written(
    blackpool: AppContext, chat_as: Chat
) -> None:
    note = "Robert'); DROP TABLE action;-- <!channel> <@U123> & *bold*"
    sam = chat_as(SAM)
    for line in ("update R7", "in progress", note, "keep", "save"):
        out = sam.send(line)
    assert out.startswith("Saved. R7")
    assert note in sam.send("show R7")
    with transaction(blackpool.engine) as session:
        stored = session.exec(select(ProgressNote).order_by(ProgressNote.id.desc())).first()  # type: ignore[union-attr]
        assert stored is not None and stored.text == note


def test_a_conversation_survives_a_restart(blackpool: AppContext, chat_as: Chat) -> None:
    sam = chat_as(SAM)
    sam.send("update R10")
    sam.send("partially complete")
    # The process restarts: a new engine and a new conversation core, same database.
    engine = make_engine(str(blackpool.engine.url))
    restarted = AppContext(engine=engine, clock=blackpool.clock, tz=blackpool.tz)
    again = ConsoleChannel(Conversation(restarted), SAM)
    assert "New target date?" in again.send("Cost tracking template agreed.")
    assert "R10 → Partially complete." in again.send("keep")
    assert again.send("save").startswith("Saved. R10")
    with transaction(engine) as session:
        revisions = session.exec(select(TargetRevision)).all()
        assert all(r.by_name != "Sam Patel" for r in revisions)  # 'keep' revised nothing
    engine.dispose()


def test_control_characters_pasted_into_a_note_are_dropped(
    blackpool: AppContext, chat_as: Chat
) -> None:
    sam = chat_as(SAM)
    sam.send("update R5")
    sam.send("in progress")
    sam.send("Copied from the old tracker:\x01 toolkit\x00 shared\x0bwith the NHS.")
    sam.send("31/03/2027")
    assert "Saved." in sam.send("save")
    with transaction(blackpool.engine) as session:
        note = session.exec(select(ProgressNote).order_by(ProgressNote.id.desc())).first()  # type: ignore[union-attr]
        assert note is not None
        assert note.text == "Copied from the old tracker: toolkit shared\nwith the NHS."


def test_add_update_works_for_a_plan_whose_name_has_spaces(ctx: AppContext, chat_as: Chat) -> None:
    from handlers.importing.importer import import_file
    from handlers.plans.people import assign
    from tests.conftest import BLACKPOOL

    import_file(
        ctx, BLACKPOOL, plan_name="South Ribble 2020"
    )  # `import --plan "South Ribble 2020"`
    with transaction(ctx.engine) as session:
        assign(session, "Community Engagement & Partnership Manager", name="Sam", email=SAM)
    sam = chat_as(SAM)
    assert "[1] Add update" in sam.send("my actions")
    assert "Updating R11" in sam.send("1")
