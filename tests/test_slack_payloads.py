"""Real Slack payloads replayed (tests/fixtures/slack_payloads/): buttons for plans whose names
have spaces, replies sent to the channel too, messages with a file, and mentions that are not
a person talking to the bot."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from sqlmodel import select

from bot.channels.slack import SlackSender
from handlers.chat.context import AppContext
from handlers.importing.importer import import_file
from handlers.plans.people import assign
from models.db import transaction
from models.tables import Action, ProgressNote
from reminders.delivery import deliver
from reminders.policy import Policy
from reminders.sweep import sweep
from tests.conftest import BLACKPOOL, SAM
from tests.slack_harness import SlackBot, slack_bot

SAM_SLACK = "U0SAM"
SPACED = "South Ribble 2020"  # accepted by `engagebot import --plan "South Ribble 2020"`


@pytest.fixture
def spaced(ctx: AppContext) -> AppContext:
    """A plan imported under a name with spaces; Sam holds its engagement manager role."""
    import_file(ctx, BLACKPOOL, plan_name=SPACED)
    with transaction(ctx.engine) as session:
        assign(
            session,
            "Community Engagement & Partnership Manager",
            name="Sam Patel",
            email=SAM,
            chat={"slack": SAM_SLACK},
        )
        assign(session, "Director of Public Health", name="Dr Ruth Okafor", email="r@example.org")
    return ctx


@pytest.fixture
def bot(spaced: AppContext) -> Iterator[SlackBot]:
    with slack_bot(spaced) as running:
        yield running


def action_id(ctx: AppContext, ref: str) -> int:
    with transaction(ctx.engine) as session:
        action = session.exec(select(Action).where(Action.ref == ref)).one()
        return action.id or 0


def notes(ctx: AppContext, ref: str) -> list[str]:
    with transaction(ctx.engine) as session:
        query = select(ProgressNote.text).where(ProgressNote.action_id == action_id(ctx, ref))
        return list(session.exec(query).all())


def buttons(params: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, value) of every button in a posted message, in order."""
    return [
        (element["text"]["text"], element["value"])
        for block in params.get("blocks", [])
        for element in (block.get("elements") or [block.get("accessory") or {}])
        if element.get("type") == "button"
    ]


def nothing_more_posted(bot: SlackBot, method: str, count: int) -> None:
    """Give stray work time to post, then check it did not."""
    time.sleep(0.5)
    assert len(bot.slack.of(method)) == count, bot.slack.texts(method)


# -- Add update, whatever the plan is called ------------------------------------------------------


def test_add_update_opens_the_form_for_a_plan_whose_name_has_spaces(
    bot: SlackBot, spaced: AppContext
) -> None:
    bot.command(SAM_SLACK, "mine")
    listing = bot.slack.wait_for("respond")[0].params
    assert buttons(listing)[0][0] == "Add update"
    bot.click(SAM_SLACK, listing, "Add update")
    view = bot.slack.wait_for("views.open")[0].params["view"]
    assert view["title"]["text"] == "Update R11"
    response = bot.interact(
        "view_submission",
        user=SAM_SLACK,
        view_id="V0MODAL1",
        key=view["private_metadata"],
        status="complete",
        note="Comms team now sit on the steering group.",
        new_date="",
    )
    assert response.status_code == 200 and response.text in ("", "{}")
    bot.slack.wait_for("chat.postMessage")
    assert "Saved. R11 is now Complete" in bot.slack.texts()
    assert notes(spaced, "R11")[-1] == "Comms team now sit on the steering group."


def test_a_reminders_buttons_work_for_a_plan_whose_name_has_spaces(
    bot: SlackBot, spaced: AppContext
) -> None:
    sweep(spaced, Policy(), "slack")
    assert deliver(spaced, SlackSender(bot.channel.client)).sent == 1
    reminder = bot.slack.wait_for("chat.postMessage")[0].params
    bot.click(SAM_SLACK, reminder, "Snooze a week")
    bot.slack.wait_for("chat.postMessage", 2)
    assert "OK, I'll remind you about R1 again on Monday 30 November" in bot.slack.texts()


def test_an_add_update_button_sent_before_the_fix_still_works(bot: SlackBot) -> None:
    bot.press(SAM_SLACK, f"update {SPACED}:R4", "Add update")  # the old value, plan name and ref
    view = bot.slack.wait_for("views.open")[0].params["view"]
    assert view["title"]["text"] == "Update R4"


def test_a_button_for_a_plan_that_is_gone_says_it_is_out_of_date(bot: SlackBot) -> None:
    bot.press(SAM_SLACK, "update Chorley 2019:R4", "Add update")
    bot.slack.wait_for("respond")
    answer = bot.slack.texts("respond")
    assert "out of date" in answer and "update R4" in answer
    assert "didn't understand" not in answer


def test_a_button_naming_someone_elses_action_is_refused(bot: SlackBot, spaced: AppContext) -> None:
    """The id in a button is only a key: who may act on it is checked again."""
    bot.press(SAM_SLACK, f"update #{action_id(spaced, 'R16')}", "Add update")  # Ruth's action
    bot.slack.wait_for("respond")
    assert "You can't update R16" in bot.slack.texts("respond")
    assert bot.slack.of("views.open") == []


# -- messages Slack sends with a subtype ----------------------------------------------------------


def test_a_reply_also_sent_to_the_channel_is_taken(bot: SlackBot, spaced: AppContext) -> None:
    sweep(spaced, Policy(), "slack")
    deliver(spaced, SlackSender(bot.channel.client))
    bot.slack.wait_for("chat.postMessage")
    bot.replay(
        "message_thread_broadcast",
        user=SAM_SLACK,
        channel="D0SAM",
        text="R7: register now live and in use",
    )
    bot.slack.wait_for("chat.postMessage", 2)
    assert "R7 → " in bot.slack.texts()


def test_a_message_with_a_file_is_read_and_the_file_not_kept(bot: SlackBot) -> None:
    bot.replay("message_file_share", user=SAM_SLACK, channel="D0SAM", text="my actions")
    bot.slack.wait_for("chat.postMessage", 2)
    texts = bot.slack.texts()
    assert "You have 7 open actions" in texts
    assert "attachments aren't kept" in texts


def test_a_canvas_mention_and_another_bots_mention_are_ignored(bot: SlackBot) -> None:
    bot.replay("app_mention_document_mention", user=SAM_SLACK)
    bot.replay("app_mention_from_a_bot", user="UB111", text="what's overdue?")
    bot.event("app_mention", user=SAM_SLACK, text="what's overdue?")  # a person: answered
    bot.slack.wait_for("chat.postMessage")
    nothing_more_posted(bot, "chat.postMessage", 1)
    assert "didn't understand" not in bot.slack.texts()
