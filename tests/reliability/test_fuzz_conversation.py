"""Fuzzing the conversation core (bot/conversation.py) with random turns: texts, button values
and form submissions from officers, the chair, strangers and unknown users, on every channel.

Whatever arrives, each turn gets an answer (a redelivered event excepted), never the "something
went wrong" apology that stands for an unhandled exception, and the history is append-only:
every "Saved." is exactly one new progress note, and nothing is stored without one.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlmodel import select

from bot.conversation import FAILED, NO_FORM, Conversation
from handlers.chat.clock import FixedClock
from handlers.chat.context import AppContext
from handlers.chat.messages import Incoming, Reply
from handlers.importing.importer import import_file
from handlers.plans.people import assign, make_admin
from models.db import make_engine, transaction
from models.tables import ProgressNote
from reminders.policy import Policy
from reminders.sweep import sweep
from tests.conftest import BLACKPOOL, CHAIR, LONDON, NOW, RUTH, SAM, STRANGER
from tests.reliability.profile import examples
from tests.reliability.strategies import phrase, reply_text
from tests.reliability.tally import TALLY

CATEGORY = "fuzz: conversation core"
REFS = ["R1", "R2", "R4", "R7", "R10", "R16", "R17", "R99", "blackpool-audit-2019:R3", ""]
# People as each channel knows them: (channel, user id, e-mail the platform gives, if any).
PEOPLE = [
    ("console", SAM, SAM),
    ("console", RUTH, RUTH),
    ("console", CHAIR, CHAIR),
    ("console", STRANGER, STRANGER),
    ("slack", "U0SAM", None),  # linked by `people assign --slack`
    ("slack", "U0NOBODY", None),  # unknown to the bot
    ("teams", "29:1ruth", RUTH),  # matched by e-mail
    ("teams", "29:1stranger", "someone@elsewhere.example"),
]
# Button values a forged or stale payload could carry.
FORGED = ["save " + "ab" * 16, "complete R1", "snooze R4", "notmine R7", "newdate R99"]
COMMANDS = [
    "help",
    "my actions",
    "plans",
    "overdue",
    "summary",
    "summary full",
    "status blackpool-audit-2019",
    "should I consult?",
    "cancel",
    "save",
    "yes",
    "no",
    "keep",
    "skip",
    "1",
    "2",
    "Friday",
    "31/03/2027",
    "end of March",
    "delayed",
    "complete",
    "post the summary every Monday",
    "post the summary before meetings on 12/01/2027 and 09/02/2027",
    "stop scheduled summaries",
]


@pytest.fixture(scope="module")
def blackpool_db(template_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Blackpool plan, its officers (Sam on Slack too) and this morning's reminders queued
    for the console, ready to be copied for each example."""
    path = tmp_path_factory.mktemp("fuzz-chat") / "blackpool.db"
    shutil.copy(template_db, path)
    engine = make_engine(f"sqlite:///{path}")
    ctx = AppContext(engine=engine, clock=FixedClock(NOW.replace(hour=9, minute=30)), tz=LONDON)
    import_file(ctx, BLACKPOOL)
    with transaction(engine) as session:
        role = "Community Engagement & Partnership Manager"
        assign(session, role, name="Sam Patel", email=SAM, chat={"slack": "U0SAM"})
        assign(session, "Director of Public Health", name="Dr Ruth Okafor", email=RUTH)
        make_admin(session, "blackpool-audit-2019", email=CHAIR, name="Cllr Pat Doyle")
    sweep(ctx, Policy(), "console")
    engine.dispose()
    return path


@dataclass
class Chat:
    """One example's bot, and what it offered each conversation last (to press its buttons)."""

    ctx: AppContext
    core: Conversation
    offered: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    events: set[str] = field(default_factory=set)


def _fresh(blackpool_db: Path) -> tuple[Chat, Path]:
    folder = Path(tempfile.mkdtemp(prefix="fuzz-chat-"))
    shutil.copy(blackpool_db, folder / "engagebot.db")
    engine = make_engine(f"sqlite:///{folder / 'engagebot.db'}")
    ctx = AppContext(engine=engine, clock=FixedClock(NOW), tz=LONDON)
    return Chat(ctx, Conversation(ctx)), folder


def _notes(ctx: AppContext) -> dict[int, tuple[int, str, str | None]]:
    with transaction(ctx.engine) as session:
        rows = session.exec(select(ProgressNote)).all()
        return {n.id or 0: (n.action_id, n.text, n.source_key) for n in rows}


def _saves(replies: list[Reply]) -> int:
    return sum(1 for r in replies if r.text.startswith("Saved."))


def _offered(replies: list[Reply]) -> list[str]:
    values = [c.value for r in replies for c in r.choices]
    return values + [c.value for r in replies for i in r.items for c in i.choices]


turns = st.lists(
    st.tuples(
        st.integers(0, len(PEOPLE) - 1),  # who
        st.sampled_from(["text", "text", "command", "reply", "button", "form", "later"]),
        st.integers(0, 1000),  # which offered button, event id, form key...
    ),
    min_size=1,
    max_size=12,
)


def _one_turn(chat: Chat, data: st.DataObject, who: int, kind: str, pick: int) -> None:
    channel, user, email = PEOPLE[who]
    incoming = Incoming(
        channel=channel,
        workspace="T0COUNCIL" if channel != "console" else "local",
        conversation=f"{channel}:{user}",
        user=user,
        email=email,
        place=f"D{user}",
    )
    before = _notes(chat.ctx)
    if kind == "later":
        chat.ctx.clock.advance(timedelta(hours=data.draw(st.integers(1, 24 * 8))))  # type: ignore[attr-defined]
        return
    if kind == "form":
        saves = _submit_form(chat, data, incoming, pick)
    else:
        saves = _say(chat, data, incoming, kind, pick)
    _check_history(chat, before, saves)


def _submit_form(chat: Chat, data: st.DataObject, incoming: Incoming, pick: int) -> int:
    """A form submitted (as a Slack modal or Teams card would), with any values; the saves."""
    name = data.draw(st.sampled_from(["update", "update", "consult", "nonsense"]))
    key = data.draw(st.sampled_from(REFS))
    values = data.draw(
        st.fixed_dictionaries(
            {},
            optional={
                "status": st.sampled_from(["delayed", "complete", "on_track", "", "bogus"]),
                "note": st.one_of(phrase(), st.text(max_size=50)),
                "new_date": st.one_of(
                    st.dates().map(str), phrase(3), st.sampled_from(["2027-03-31", ""])
                ),
            },
        )
    )
    submitted = chat.core.submit_form(incoming, name, key, values, f"V{pick}")
    problems = list(submitted.errors.values())
    replies = list(submitted.turn.replies) if submitted.turn else []
    assert FAILED not in problems, f"form {name} {values} failed inside"
    assert replies or problems, "a form submission got no answer"
    assert (NO_FORM in problems) == (name != "update"), "a form name mistaken"
    return _saves(replies)


def _say(chat: Chat, data: st.DataObject, incoming: Incoming, kind: str, pick: int) -> int:
    """Words, a command, a reply to a reminder or a button; the saves the answer confirms."""
    key = (incoming.channel, incoming.user)
    offered = chat.offered.get(key, [])
    choice = None
    if kind == "text":
        text = data.draw(phrase())
    elif kind == "command":
        text = data.draw(st.sampled_from(COMMANDS + [f"update {r}" for r in REFS]))
    elif kind == "reply":
        text = data.draw(reply_text(["R1", "R4", "R7", "R10"]))
    else:  # a button: one the bot offered, or a value a payload could carry
        forged = data.draw(st.sampled_from(FORGED))
        choice = offered[pick % len(offered)] if offered and pick % 3 else forged
        text = choice
    event_id = f"Ev{pick % 50}" if incoming.channel == "slack" else None
    again = event_id is not None and event_id in chat.events  # a redelivery: no answer due
    if event_id:
        chat.events.add(event_id)
    msg = replace(incoming, text=text, choice=choice, event_id=event_id)
    replies = chat.core.handle(msg)
    if incoming.channel == "console":  # as the console shows them: reminders waiting come too
        replies += chat.core.pending(msg)
    assert all(r.text != FAILED for r in replies), f"{text!r} from {incoming.user} failed inside"
    assert replies or again, f"{text!r} from {incoming.user} got no answer"
    chat.offered[key] = _offered(replies) or offered
    return _saves(replies)


def _check_history(chat: Chat, before: dict[int, tuple[int, str, str | None]], saves: int) -> None:
    """Notes only ever added, one per 'Saved.'; counted as lost or duplicated if not."""
    after = _notes(chat.ctx)
    rewritten = [i for i, note in before.items() if after.get(i) != note]
    added = len(set(after) - set(before))
    lost, duplicated = max(0, saves - added), max(0, added - saves)
    TALLY.record(CATEGORY, lost=lost + len(rewritten), duplicated=duplicated)
    assert not rewritten, "history was rewritten"
    assert added == saves, f"{saves} saves confirmed, {added} notes stored"


@examples(30, 1500)
@given(data=st.data(), script=turns)
def test_random_turns_always_get_an_answer_and_keep_history_append_only(
    data: st.DataObject, script: list[tuple[int, str, int]], blackpool_db: Path
) -> None:
    chat, folder = _fresh(blackpool_db)
    try:
        for who, kind, pick in script:
            with TALLY.attempt(CATEGORY):
                _one_turn(chat, data, who, kind, pick)
    finally:
        chat.ctx.engine.dispose()
        shutil.rmtree(folder, ignore_errors=True)
