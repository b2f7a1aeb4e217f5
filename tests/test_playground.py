"""engagebot in Microsoft's Agents Playground: a real Teams client in the loop.

The Playground's page (headless Chromium) renders the bot's cards as Teams does and its server
plays the Bot Connector, so a card Teams could not use (a `key` in a button's data, seventeen
buttons, a form whose Save sends nothing) fails here. The bot is set up as docs/teams.md's local
try-out says, running its `engagebot orgs` and `engagebot people` lines as written. One
Playground, one server and one browser serve the whole module; the stories run in order, as
one officer's morning: install, help, their actions, the update form, a reminder answered in
words, news of two actions confirmed one at a time, the consult walk to its end and publishing
what it added, the health check, the summary in the team's channel, and the group chat.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from bot.channels.teams import TeamsAuth, TeamsChannel, TeamsDirectory, TeamsSender
from bot.cli import app
from bot.conversation import Conversation
from bot.core import CoreInThreads
from bot.server import Running, make_pool, start_in_thread
from handlers.chat import addresses
from handlers.chat.clock import FixedClock
from handlers.chat.context import AppContext
from handlers.importing.importer import import_file
from models.db import make_engine, readiness, transaction, upgrade
from models.tables import Action, ProgressNote
from reminders.delivery import deliver
from reminders.policy import Policy
from reminders.sweep import sweep
from tests import playground as pg
from tests.conftest import BLACKPOOL, LONDON, NOW

pytestmark = pytest.mark.skipif(bool(pg.missing()), reason=pg.missing() or "ready")

DOCS = Path(__file__).parent.parent / "docs" / "teams.md"
ANONYMOUS = TeamsAuth(anonymous=True)


def try_out_commands() -> list[list[str]]:
    """The `engagebot orgs` and `engagebot people` lines of docs/teams.md's local try-out."""
    text = DOCS.read_text(encoding="utf-8").split("## Trying it locally", 1)[1]
    block = text.split("```sh", 1)[1].split("```", 1)[0]
    lines = [line.split("#", 1)[0].strip() for line in block.splitlines()]
    return [shlex.split(line)[1:] for line in lines if re.match(r"engagebot (orgs|people) ", line)]


@dataclass
class World:
    ctx: AppContext
    chat: pg.Chat
    server: Running


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    path = tmp_path_factory.mktemp("playground") / "engagebot.db"
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    upgrade(engine)
    port = pg.free_port()
    ctx = AppContext(engine, FixedClock(NOW), LONDON, public_url=f"http://127.0.0.1:{port}")
    import_file(ctx, BLACKPOOL)
    env = {"DATABASE_URL": url, "ENGAGEBOT_NOW": NOW.isoformat()}
    commands = try_out_commands()
    assert any("--teams-tenant" in c for c in commands) and any("people" in c for c in commands)
    for args in commands:
        result = CliRunner().invoke(app, args, env=env, catch_exceptions=False)
        assert result.exit_code == 0, result.output
    conversation = Conversation(ctx)
    directory = TeamsDirectory(ANONYMOUS)
    conversation.add_directory("teams", directory)
    core = CoreInThreads(conversation, make_pool(4))
    channel = TeamsChannel(core, ANONYMOUS)
    server = start_in_thread([channel], port=port, ready=partial(readiness, engine))
    try:
        with pg.playground(server.url) as page_url, pg.browser_page(page_url) as chat:
            yield World(ctx, chat, server)
    finally:
        server.stop()
        core.close()
        directory.close()
        engine.dispose()


def notes(ctx: AppContext, ref: str) -> list[str]:
    with transaction(ctx.engine) as session:
        action = session.exec(select(Action).where(Action.ref == ref)).first()
        query = select(ProgressNote.text).where(ProgressNote.action_id == action.id)
        return list(session.exec(query).all())


def test_installing_posts_one_personal_welcome(world: World) -> None:
    chat = world.chat
    welcome = chat.wait_for("Hello Alex!")
    assert "Here is what I can do for you" in welcome.inner_text()
    assert "You chair blackpool-audit-2019" in welcome.inner_text()
    chat.page.wait_for_timeout(800)  # the second install activity has had its chance
    assert chat.page.locator(".ac-adaptiveCard").filter(has_text="Hello Alex!").count() == 1


def test_help_and_my_actions(world: World) -> None:
    chat = world.chat
    chat.say("help")
    assert "should I consult?" in chat.wait_for("You can say:").inner_text()
    chat.press(chat.wait_for("Hello Alex!"), "My actions")
    listing = chat.wait_for("open actions, soonest due first")
    assert "R11" in listing.inner_text()


def test_the_update_forms_save_is_saved(world: World) -> None:
    chat = world.chat
    listing = chat.wait_for("open actions, soonest due first")
    listing.get_by_role("button", name="Add update").first.click()
    form = chat.wait_for("Update R11")
    form.get_by_label("Progress").fill("Comms team now sit on the steering group.")
    chat.pick(form, "Complete")
    chat.press(form, "Save")
    chat.wait_for("Saved. R11 is now Complete")
    assert notes(world.ctx, "R11")[-1] == "Comms team now sit on the steering group."
    assert not chat.errors, chat.errors


def test_a_reminder_arrives_and_a_reply_in_words_is_saved(world: World) -> None:
    chat, ctx = world.chat, world.ctx
    sweep(ctx, Policy(), "teams")
    sender = TeamsSender(ANONYMOUS, partial(addresses.load, ctx, "teams"))
    try:
        assert deliver(ctx, sender).sent == 1
    finally:
        sender.close()
    reminder = chat.wait_for("actions need your update")
    assert "Snooze a week" in reminder.inner_text()
    chat.say("R1: strategy drafted and out for feedback, will finish by end of March")
    confirm = chat.wait_for("R1 → Partially complete, revised target 31 March 2027.")
    chat.press(confirm, "Save")
    chat.wait_for("Saved. R1 is now Partially complete")
    assert notes(ctx, "R1")[-1].startswith("strategy drafted and out for feedback")


def test_news_of_two_actions_by_their_titles_is_confirmed_one_at_a_time(world: World) -> None:
    chat, ctx = world.chat, world.ctx
    chat.say("Record of engagement activity: done. Engagement expenditure: on track.")
    which = chat.wait_for("Which action first?")  # told apart by title words: not one Save
    chat.press(which, "R7")
    confirm = chat.wait_for("R7 → Complete.")
    chat.press(confirm, "Save")
    more = chat.wait_for("also about R10. Which next?")
    chat.press(more, "That's all")
    chat.wait_for("that's everything from your message")
    assert notes(ctx, "R7")[-1] == "Record of engagement activity: done."
    assert not any("expenditure" in note for note in notes(ctx, "R10"))  # declined: untouched


def test_the_consult_walk_to_its_end_and_publishing_the_entry(world: World) -> None:
    chat = world.chat
    chat.say("should I consult?")
    nation = chat.wait_for("Which UK nation is your council in?")  # the first walk of a council
    chat.press(nation, "England")
    chat.wait_for("Saved: your council is in England, for everyone's walks.")
    chat.wait_for("What is the change or project called?")
    chat.say("Town centre PSPO")
    for answer in (
        "Residents, service users, businesses or community groups",
        "No, there is time to plan",
        "One neighbourhood or ward",
        "No, it affects everyone alike",
    ):
        chat.press(chat.wait_for(answer), answer)
    for typed in ("Town centre visitors", "Hallgate", "01/02/2027", "31/03/2027", "£2,000"):
        chat.answer(typed)
    law = chat.wait_for("Does a law set a process for this?")
    buttons = law.get_by_role("button").all_inner_texts()
    assert "No, none of these" in buttons and "Not sure" in buttons and len(buttons) <= 6
    chat.choose(law, "A public spaces protection order (PSPO)")
    chat.press(chat.wait_for("No, it's still open"), "No, it's still open")
    ending = chat.wait_for("Consult formally; the law requires it")
    chat.press(ending, "Add to the engagement register")
    added = chat.wait_for("Added to the engagement register as entry 1")
    chat.press(added, "Publish it")
    answers = (
        "New rules for the town centre at night.",
        "Anyone who lives or works in the borough",
        "https://consult.example.gov.uk/pspo",
        "Community safety",
        "The engagement team",
        "engage@example.gov.uk",
    )
    for answer in answers:
        chat.answer(answer)
    chat.press(chat.wait_for("This is what the public page will show"), "Publish")
    chat.wait_for("Published register entry 1")
    link = f"{world.server.url}/engage/default/activities/1"
    assert chat.page.locator(f"a[href='{link}']").count() >= 1  # a link one can follow


def test_the_health_check_starts_and_pauses(world: World) -> None:
    chat = world.chat
    chat.say("health check")
    question = chat.wait_for("Question 1 of")
    chat.press(question, "Skip")
    chat.press(chat.wait_for("Question 2 of"), "Pause")
    chat.wait_for("Paused. Your answers are kept")


def test_the_summary_in_the_teams_channel_with_a_mention(world: World) -> None:
    chat = world.chat
    chat.open("General")
    chat.mention("Test Bot", "summary")
    summary = chat.wait_for("status on 23 November 2026")
    assert "RED" in summary.inner_text() or "red" in summary.inner_text().lower()


def test_the_group_chat(world: World) -> None:
    chat = world.chat
    chat.open("Group Chat")
    chat.mention("Test Bot", "overdue")
    chat.wait_for("open actions are overdue")
    assert not chat.errors, chat.errors


def test_nothing_went_wrong_on_the_page(world: World) -> Any:
    assert not world.chat.errors, world.chat.errors
