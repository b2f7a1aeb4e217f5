"""The conversation core: flows declared by their modules, state kept per conversation.

Told as the officers and the chair meet it in the console; the last tests check the seam
itself (every flow declared, no chat platform named in handlers/).
"""

from __future__ import annotations

import io
import tokenize
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from handlers.chat import state
from handlers.chat.clock import FixedClock
from handlers.chat.context import AppContext
from handlers.chat.state import ConversationKey
from models.db import transaction
from tests.conftest import SAM, Chat

HANDLERS = Path(__file__).parents[1] / "handlers"
SAM_HERE = ConversationKey("console", "local", f"console:{SAM}", SAM)


def test_show_overdue_lists_what_is_overdue(blackpool: AppContext, chat_as: Chat) -> None:
    out = chat_as(SAM).send("show overdue")
    assert "open actions are overdue" in out
    assert "can't find an action" not in out


def test_an_officer_answers_the_reminder_the_next_morning(
    blackpool: AppContext,
    clock: FixedClock,
    cli: Callable[..., object],
    chat_as: Chat,
) -> None:
    cli("remind", "--now")
    sam = chat_as(SAM)
    assert "Good morning Sam" in sam.inbox()
    clock.advance(timedelta(hours=23))  # read at half past nine, answered next morning
    answer = sam.send("R1 drafted and out for feedback, new date end of March")
    assert "R1 → Partially complete, revised target 31 March 2027." in answer


def test_an_update_left_overnight_is_forgotten_and_nothing_is_saved(
    blackpool: AppContext, clock: FixedClock, chat_as: Chat
) -> None:
    sam = chat_as(SAM)
    assert "What's the status now?" in sam.send("update R1")
    clock.advance(timedelta(hours=13))
    assert "That question is no longer open" in sam.send("Delayed")  # its status button


def test_cancel_ends_any_conversation_and_says_so(blackpool: AppContext, chat_as: Chat) -> None:
    sam = chat_as(SAM)
    assert "There's nothing to cancel." in sam.send("cancel")
    sam.send("should I consult?")
    assert "Cancelled. Nothing was saved." in sam.send("cancel")
    assert "There's nothing to cancel." in sam.send("cancel")


def test_in_a_note_help_is_the_officers_words_not_a_command(
    blackpool: AppContext, chat_as: Chat
) -> None:
    sam = chat_as(SAM)
    sam.send("update R1")
    sam.send("In progress")
    answer = sam.send("help")  # the note: "help" is what the officer wrote
    assert "New target date?" in answer


def test_state_of_a_flow_that_no_longer_exists_is_ignored(
    blackpool: AppContext, chat_as: Chat
) -> None:
    """A deployment that removed a flow must not trip over conversations left in it."""
    with transaction(blackpool.engine) as session:
        from handlers.chat.state import Next
        from handlers.flows.reminder_reply import ReplyData

        state.save(session, SAM_HERE, Next("retired", "step", ReplyData(refs=[])), blackpool.now())
    assert "You have 7 open actions" in chat_as(SAM).send("my actions")


def test_damaged_flow_data_gets_an_apology_and_nothing_is_saved(
    blackpool: AppContext, chat_as: Chat
) -> None:
    sam = chat_as(SAM)
    sam.send("update R1")
    with transaction(blackpool.engine) as session:
        saved = state.load(session, SAM_HERE)
        assert saved is not None and saved.flow == "update"
        state.save_json(
            session,
            SAM_HERE,
            {"flow": "update", "step": "status", "data": {"ref": "R1"}},  # no action id
            blackpool.now(),
        )
    assert "something went wrong on my side and nothing was saved" in sam.send("Delayed")


def test_every_flow_declares_its_entries_and_its_steps() -> None:
    from bot.conversation import FLOWS

    for flow in FLOWS:
        assert flow.entries, f"{flow.name} can never be started"
        if flow.data is not None:
            assert flow.steps, f"{flow.name} has data but no steps"
            assert flow.free_text <= set(flow.steps), f"{flow.name}: free text in no step"


PLATFORM_WORDS = ("slack", "teams", "mrkdwn", "blockkit", "block kit")


def test_handlers_name_no_chat_platform_outside_comments() -> None:
    """Markup, identities and conversation keys belong to the channels, never to handlers."""
    found = []
    for path in HANDLERS.rglob("*"):
        if path.suffix == ".py":
            found += [f"{path.name}: {word}" for word in _code_words(path.read_text("utf-8"))]
        elif path.suffix in (".j2", ".yaml"):
            text = path.read_text("utf-8").lower()
            found += [f"{path.name}: {w}" for w in ("slack", "mrkdwn", "block kit") if w in text]
    assert found == []


def _code_words(source: str) -> list[str]:
    """Platform names in identifiers and string literals; comments and docstrings aside."""
    words = []
    previous = tokenize.INDENT
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        docstring = token.type == tokenize.STRING and previous in (
            tokenize.INDENT,
            tokenize.NEWLINE,
            tokenize.NL,
            tokenize.DEDENT,
        )
        if token.type in (tokenize.NAME, tokenize.STRING) and not docstring:
            text = token.string.lower()
            words += [w for w in PLATFORM_WORDS if w in text and not _english_teams(text, w)]
        if token.type not in (tokenize.COMMENT, tokenize.NL):
            previous = token.type
    return words


def _english_teams(text: str, word: str) -> bool:
    """ "teams" in a sentence ("so teams can join up") is English, not the platform."""
    return word == "teams" and " teams " in f" {text} " and "microsoft" not in text


def test_odd_digits_typed_for_an_option_are_words_not_a_crash(
    blackpool: AppContext, chat_as: Chat
) -> None:
    sam = chat_as(SAM)
    sam.send("help")  # leaves numbered options on screen
    for typed in ("²", "①", "¹", "٣"):
        assert "Sorry, I didn't understand" in sam.send(typed)


def test_a_form_no_flow_declares_is_refused_plainly(blackpool: AppContext) -> None:
    """Form names come from payloads (a Slack view, a Teams card): never trusted to exist."""
    from bot.conversation import Conversation
    from handlers.chat.messages import Incoming

    core = Conversation(blackpool)
    msg = Incoming("console", "local", f"console:{SAM}", SAM, email=SAM)
    opened = core.open_form(msg, "no-such-form", "R1")
    assert isinstance(opened, list) and "no longer in use" in opened[0].text
    submitted = core.submit_form(msg, "no-such-form", "R1", {"status": "complete"}, "x1")
    assert "no longer in use" in submitted.errors["status"] and submitted.turn is None


def test_conversation_locks_are_dropped_once_their_turn_is_over(blackpool: AppContext) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from bot.channels.console import ConsoleChannel
    from bot.conversation import Conversation

    conversation = Conversation(blackpool)
    people = [ConsoleChannel(conversation, f"visitor{n}@example.org") for n in range(40)]
    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda person: person.send("help"), people))
    assert all("my actions" in answer for answer in answers)
    assert conversation.turns_in_progress() == 0  # 40 conversations, no lock kept
