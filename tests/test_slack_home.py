"""Slack as a place to work: the Home tab, the two shortcuts, `/engage help`, and channels the
bot has not been invited to. Signed requests, payloads as Slack sends them, a fake Slack."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import pytest
from sqlmodel import col, select

from bot.channels.slack import SlackSender
from bot.channels.slack_command import SYNTAX
from bot.conversation import Conversation
from handlers.chat.clock import FixedClock
from handlers.chat.context import AppContext
from handlers.chat.flow import first_match
from handlers.plans.people import assign
from models.db import transaction
from models.tables import Action, ChatIdentity, Outbox, ProgressNote
from reminders.delivery import deliver
from reminders.policy import Policy
from reminders.summaries import post_scheduled
from reminders.sweep import sweep
from tests.conftest import SAM, Chat
from tests.fakes.slack_api import Failure
from tests.slack_harness import REAL_PAYLOADS, SlackBot, payload, slack_bot

SAM_SLACK, CHAIR_SLACK = "U0SAM", "U0CHAIR"
CHAIR = "pat.doyle@example.org"


@pytest.fixture
def bot(blackpool: AppContext) -> Iterator[SlackBot]:
    with transaction(blackpool.engine) as session:
        assign(
            session,
            "Community Engagement & Partnership Manager",
            email=SAM,
            chat={"slack": SAM_SLACK},
        )
    with slack_bot(blackpool) as running:
        running.slack.emails[CHAIR_SLACK] = CHAIR
        yield running


def home_buttons(view: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """label -> button, over the whole Home tab (several buttons may share a label)."""
    found: dict[str, dict[str, Any]] = {}
    for block in view["blocks"]:
        for element in block.get("elements", []):
            if element.get("type") == "button":
                found.setdefault(
                    element["text"]["text"], {**element, "block_id": block["block_id"]}
                )
    return found


def open_home(bot: SlackBot, user: str, count: int = 1) -> dict[str, Any]:
    bot.event("app_home_opened", user=user)
    view: dict[str, Any] = bot.slack.wait_for("views.publish", count)[-1].params["view"]
    return view


def press_on_home(bot: SlackBot, user: str, button: dict[str, Any]) -> None:
    bot.interact(
        "block_actions_home",
        REAL_PAYLOADS,
        user=user,
        team="T0COUNCIL",
        action_id=button["action_id"],
        block_id=button["block_id"],
        label=button["text"]["text"],
        value=button["value"],
    )


def home_text(view: dict[str, Any]) -> str:
    from tests.fakes.slack_api import text_of

    return text_of({"view": view})


def notes(ctx: AppContext, ref: str) -> list[str]:
    with transaction(ctx.engine) as session:
        action = session.exec(select(Action).where(Action.ref == ref)).one()
        query = select(ProgressNote.text).where(ProgressNote.action_id == action.id)
        return list(session.exec(query).all())


def test_the_home_tab_is_a_place_to_work(
    bot: SlackBot, blackpool: AppContext, clock: FixedClock
) -> None:
    view = open_home(bot, SAM_SLACK)
    text = home_text(view)
    assert "You have 7 open actions" in text and text.index("R11") < text.index("R1 ")
    assert "Your reminders come at the usual time" in text
    buttons = home_buttons(view)
    assert {"Add update", "Should I consult?", "Health check", "14:00", "Snooze for a week"} <= set(
        buttons
    )
    assert all(b["action_id"].startswith("home:") for b in buttons.values())
    ids = [b["block_id"] for b in view["blocks"] if "block_id" in b]
    assert len(ids) == len(set(ids))  # Slack refuses a view with two blocks alike

    # Add update, pressed on the Home tab (no response_url, no channel), opens the form; when
    # Slack won't open it (the press came too late), the DM says what to do instead.
    bot.slack.fail("views.open", Failure(200, {"ok": False, "error": "expired_trigger_id"}))
    press_on_home(bot, SAM_SLACK, buttons["Add update"])
    told = bot.slack.wait_for("chat.postMessage")[0].params
    assert told["channel"] == "D0SAM"  # the DM with the bot (conversations.open)
    assert "I couldn't open the update form. Send me 'update R11' here instead." in told["text"]
    press_on_home(bot, SAM_SLACK, buttons["Add update"])
    form = bot.slack.wait_for("views.open", 2)[-1].params["view"]
    assert form["callback_id"] == "form-update" and form["title"]["text"] == "Update R11"
    bot.interact(
        "view_submission",
        user=SAM_SLACK,
        view_id="V0MODAL1",
        key=form["private_metadata"],
        status="complete",
        note="Comms team now sit on the steering group.",
        new_date="",
    )
    bot.slack.wait_for("views.publish", 2)  # the Home tab is refreshed after saving
    assert notes(blackpool, "R11")[-1] == "Comms team now sit on the steering group."

    # Reminder settings: a snooze, then the time of day; the Home tab shows each.
    assert any(n.person_id for n, _ in sweep(blackpool, Policy(), "slack", dry_run=True).due)
    press_on_home(bot, SAM_SLACK, buttons["Snooze for a week"])
    snoozed = bot.slack.wait_for("views.publish", 3)[-1].params["view"]
    assert "snoozed until 30 November 2026" in home_text(snoozed)
    assert "no reminders until 30 November 2026" in bot.slack.texts()  # said in the DM
    sweep(blackpool, Policy(), "slack")
    assert sam_waiting(blackpool) == 0  # Sam's nudges today are dropped, not saved up
    press_on_home(bot, SAM_SLACK, home_buttons(snoozed)["Resume reminders"])
    resumed = bot.slack.wait_for("views.publish", 4)[-1].params["view"]
    press_on_home(bot, SAM_SLACK, home_buttons(resumed)["14:00"])
    at_two = bot.slack.wait_for("views.publish", 5)[-1].params["view"]
    assert "Your reminders come at 14:00" in home_text(at_two)
    assert home_buttons(at_two)["14:00"].get("style") == "primary"

    clock.advance(timedelta(days=7))  # the next Monday, 10:00: overdue actions are due again
    sweep(blackpool, Policy(), "slack")
    assert sam_waiting(blackpool) == 1
    sender = SlackSender(bot.channel.client)
    assert deliver(blackpool, sender).sent == 0  # held until the time Sam chose
    clock.advance(timedelta(hours=4, minutes=5))
    assert deliver(blackpool, sender).sent == 1
    assert bot.slack.delivered()[-1].params["channel"] == "D0SAM"


def sam_waiting(ctx: AppContext) -> int:
    with transaction(ctx.engine) as session:
        query = select(Outbox).join(
            ChatIdentity, col(ChatIdentity.person_id) == col(Outbox.person_id)
        )
        rows = session.exec(
            query.where(ChatIdentity.user_id == SAM_SLACK, col(Outbox.sent_at).is_(None))
        )
        return len(rows.all())


def test_the_home_tab_shows_a_chair_their_plans_rag_and_starts_the_walks(bot: SlackBot) -> None:
    bot.command(CHAIR_SLACK, "plans")  # the chair is recognised by e-mail once
    bot.slack.wait_for("respond")
    view = open_home(bot, CHAIR_SLACK)
    text = home_text(view)
    assert "Your plans at a glance" in text
    assert "RED:" in text and "open actions overdue" in text
    buttons = home_buttons(view)
    assert buttons["Summary"]["value"] == "summary blackpool-audit-2019"

    press_on_home(bot, CHAIR_SLACK, buttons["Should I consult?"])
    first = bot.slack.wait_for("chat.postMessage")[0].params
    assert first["channel"] == "D0CHAIR"  # the walk carries on in the DM
    assert "What is the change or project called?" in bot.slack.texts()
    bot.dm(CHAIR_SLACK, "Closing Hallgate library")
    bot.slack.wait_for("chat.postMessage", 2)
    assert "Who will the change affect?" in bot.slack.texts()


def test_log_a_message_as_a_progress_update(bot: SlackBot, blackpool: AppContext) -> None:
    said = (  # as Slack sends a message's text: escaped, with a link
        "R7: the register of all engagement is live and in use &amp; "
        "<https://intranet.example.org/register|on the intranet>"
    )
    bot.interact(
        "message_shortcut",
        REAL_PAYLOADS,
        user=SAM_SLACK,
        author="U0COLLEAGUE",
        text=said,
    )
    view = bot.slack.wait_for("views.open")[0].params["view"]
    assert view["callback_id"] == "form-log"
    inputs = {b["block_id"]: b["element"] for b in view["blocks"] if b["type"] == "input"}
    r7 = next(o for o in inputs["action"]["options"] if o["text"]["text"].startswith("R7 "))
    assert inputs["action"]["initial_option"] == r7  # the action, guessed from the message
    note = inputs["note"]["initial_value"]
    assert note.startswith(
        "R7: the register of all engagement is live and in use & on the intranet"
    )
    assert "https://intranet.example.org/register" in note

    submission = payload(
        "view_submission",
        user=SAM_SLACK,
        view_id="V0LOG",
        key="",
        status="complete",
        note=note,
        new_date="",
    )
    submission["view"]["callback_id"] = "form-log"
    submission["view"]["state"]["values"]["action"] = {
        "action": {"type": "static_select", "selected_option": {"value": r7["value"]}}
    }
    sent = bot.post(
        urlencode({"payload": json.dumps(submission)}), "application/x-www-form-urlencoded"
    )
    assert sent.status_code == 200 and sent.text in ("", "{}")
    bot.slack.wait_for("chat.postMessage")
    assert "Saved. R7 is now Complete" in bot.slack.texts()
    assert notes(blackpool, "R7")[-1] == note

    # A message about nothing in particular: the form asks which action.
    bot.interact(
        "message_shortcut",
        REAL_PAYLOADS,
        user=SAM_SLACK,
        author="U0SAM",
        text="Met the youth council today",
    )
    vague = bot.slack.wait_for("views.open", 2)[-1].params["view"]
    action = next(b["element"] for b in vague["blocks"] if b.get("block_id") == "action")
    assert "initial_option" not in action
    # Someone the bot doesn't know gets told, privately, where they pressed.
    bot.interact(
        "message_shortcut", REAL_PAYLOADS, user="U0STRANGER", author="U0SAM", text="R7 done"
    )
    bot.slack.wait_for("respond")
    assert "I don't know who you are yet" in bot.slack.texts("respond")


def test_should_i_consult_from_anywhere(bot: SlackBot) -> None:
    bot.interact("global_shortcut", REAL_PAYLOADS, user=SAM_SLACK)
    first = bot.slack.wait_for("chat.postMessage")[0].params
    assert first["channel"] == "D0SAM"
    assert "What is the change or project called?" in bot.slack.texts()


def test_engage_help_shows_the_commands_syntax_and_a_typo_gets_a_suggestion(bot: SlackBot) -> None:
    bot.command(SAM_SLACK, "help")
    help_text = bot.slack.wait_for("respond")[0].params
    text = bot.slack.texts("respond")
    assert help_text["response_type"] == "ephemeral"
    assert "`/engage update REF`" in text and "e.g. `/engage update R4`" in text
    assert "/invite @engagebot" in text
    bot.command(SAM_SLACK, "sumary")
    bot.slack.wait_for("respond", 2)
    answer = bot.slack.of("respond")[-1].params
    assert "There's no '/engage sumary'. Did you mean /engage summary?" in bot.slack.texts(
        "respond"
    )
    suggested = [
        e for b in answer["blocks"] for e in b.get("elements", []) if e.get("type") == "button"
    ]
    assert suggested[0]["value"] == "summary"
    bot.command(SAM_SLACK, "what's overdue?")  # a sentence, not a typo: the core answers
    bot.slack.wait_for("respond", 3)
    assert "open actions are overdue" in bot.slack.texts("respond")


def test_every_example_in_the_commands_help_is_a_command_the_bot_takes(ctx: AppContext) -> None:
    entries = Conversation(ctx).entries
    for _, _, example in SYNTAX:
        assert first_match(entries, example) is not None, example


def test_a_channel_the_bot_is_not_in(bot: SlackBot, blackpool: AppContext) -> None:
    bot.slack.not_member.add("C0STEERING")
    # The chair asks for the summary there: it is posted (Slack lets a command answer), but the
    # chart can't be; the chair is told, in the DM, how to add the bot.
    bot.command(CHAIR_SLACK, "summary")
    bot.slack.wait_for("respond")
    bot.slack.wait_for("chat.postMessage")
    told = bot.slack.texts()
    assert "I couldn't post my chart in <#C0STEERING>" in told and "/invite @engagebot" in told
    assert bot.slack.of("chat.postMessage")[0].params["channel"] == CHAIR_SLACK

    # A weekly summary there fails on Monday: the plan's admins hear of it once.
    bot.command(CHAIR_SLACK, "post the summary every Monday for blackpool-audit-2019")
    bot.slack.wait_for("respond", 2)
    assert post_scheduled(blackpool, Policy()) == 1
    sender = SlackSender(bot.channel.client)
    first = deliver(blackpool, sender)
    assert "not a member of that channel" in first.unreachable[0]
    assert first.sent == 1  # not the summary: the notice about it, to the chair's DM
    notice = bot.slack.of("chat.postMessage")[-1].params
    assert notice["channel"] == "D0CHAIR"
    assert "The scheduled summary for channel C0STEERING wasn't posted" in bot.slack.texts()
    assert deliver(blackpool, sender).sent == 0  # once, and the summary is not retried
    time.sleep(0.1)


def test_log_as_update_in_a_chat_without_forms(blackpool: AppContext, chat_as: Chat) -> None:
    sam = chat_as(SAM)
    asked = sam.send("log as update: R7 the register of all engagement is live and in use")
    assert "R7 → " in asked and "Save" in asked
    assert "Saved. R7" in sam.send("save")
    assert notes(blackpool, "R7")[-1] == "the register of all engagement is live and in use"
    assert "Which action is that about?" in sam.send("log as update: met the youth council")
