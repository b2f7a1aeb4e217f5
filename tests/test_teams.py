"""engagebot in Microsoft Teams: activities POSTed to the real endpoint, a fake Bot Connector."""

from __future__ import annotations

import gc
import json
import logging
import os
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import adaptive_cards
import jsonschema
import pytest
from sqlmodel import select
from typer.testing import CliRunner

from bot.channels.teams import TeamsAuth
from bot.cli import app
from handlers.chat.context import AppContext
from handlers.chat.messages import Item, Reply
from handlers.plans.people import assign, identify
from models.db import transaction
from models.tables import Action, Outbox, Person, Plan, ProgressNote
from reminders.delivery import deliver
from reminders.policy import Policy
from reminders.summaries import post_scheduled
from reminders.sweep import sweep
from tests.conftest import CHAIR, NOW, SAM
from tests.fakes.teams_connector import Failure
from tests.teams_harness import TeamsBot, activity, all_actions, find_button, teams_bot

SAM_AAD = "6b0a3c1e-0000-4000-8000-00000000053a"
CHAIR_AAD = "6b0a3c1e-0000-4000-8000-0000000c4a1e"
RUTH_AAD = "6b0a3c1e-0000-4000-8000-00000000e07f"
PLAN = "blackpool-audit-2019"
SCHEMA_FILE = os.path.join(os.path.dirname(adaptive_cards.__file__), "schemas", "schema-1.5.json")
with open(SCHEMA_FILE, encoding="utf-8") as _schema:
    CARD_SCHEMA = json.load(_schema)


def assert_valid_card(card: dict[str, Any]) -> None:
    jsonschema.Draft6Validator(CARD_SCHEMA).validate(card)
    assert card["version"] == "1.5"


@pytest.fixture
def bot(blackpool: AppContext) -> Iterator[TeamsBot]:
    with transaction(blackpool.engine) as session:
        assign(
            session,
            "Community Engagement & Partnership Manager",
            email=SAM,
            chat={"teams": SAM_AAD},
        )
    with teams_bot(blackpool) as running:
        yield running
        for call in running.teams.calls:  # every card the bot sent is a valid Adaptive Card 1.5
            for card in call.cards:
                assert_valid_card(card)
                assert_no_reserved_data(card)


def assert_no_reserved_data(card: dict[str, Any]) -> None:
    """No button's data has a `key`: Teams' card renderer reserves it, and a card whose Save
    carries one sends nothing ("Cannot assign to read only property 'key' of object")."""
    for action in all_actions(card):
        assert "key" not in action.get("data", {}), action


def notes(ctx: AppContext, ref: str) -> list[ProgressNote]:
    with transaction(ctx.engine) as session:
        action = session.exec(select(Action).where(Action.ref == ref)).one()
        query = select(ProgressNote).where(ProgressNote.action_id == action.id)
        return list(session.exec(query).all())


def test_help_in_a_personal_chat(bot: TeamsBot) -> None:
    response = bot.say(SAM_AAD, "help")
    assert response.status_code == 202  # acknowledged; the answer follows on the connector
    [reply] = bot.teams.wait_for("send")
    assert reply.conversation == f"a:personal-{SAM_AAD}"
    assert reply.authorization is None  # anonymous mode: no token
    assert "my actions" in reply.text and "should I consult?" in reply.text


def test_my_actions_lists_the_officers_actions_soonest_first(bot: TeamsBot) -> None:
    bot.say(SAM_AAD, "my actions")
    [reply] = bot.teams.wait_for("send")
    assert "You have 7 open actions" in reply.text
    assert reply.text.index("R11") < reply.text.index("R1 ")
    data = find_button(reply.cards[0], "Add update")
    assert (data["flow"], data["verb"]) == ("update", "start") and data["about"].startswith("#")
    assert "key" not in data  # a name the card renderer keeps for itself


def test_an_update_through_the_form_card(bot: TeamsBot, blackpool: AppContext) -> None:
    bot.say(SAM_AAD, "my actions")
    [listing] = bot.teams.wait_for("send")
    with transaction(blackpool.engine) as session:
        r4 = session.exec(select(Action).where(Action.ref == "R4")).one()
    pressed = {**find_button(listing.cards[0], "Add update"), "about": f"#{r4.id}"}
    bot.press(SAM_AAD, pressed, on=listing.new_id)
    form = bot.teams.wait_for("send", 2)[-1].cards[0]
    inputs = {e["id"]: e["type"] for e in form["body"] if e["type"].startswith("Input.")}
    assert inputs == {"status": "Input.ChoiceSet", "note": "Input.Text", "new_date": "Input.Date"}
    [submit] = [a for a in form["actions"] if a["type"] == "Action.Submit"]
    assert submit["data"] == {"form": "update", "about": f"#{r4.id}"}  # never `key`
    # The listing now shows what was chosen, without its buttons.
    [chosen] = bot.teams.wait_for("update")
    assert chosen.activity_id == listing.new_id and "✓ Add update" in chosen.text
    assert chosen.body["attachments"][0]["content"].get("actions") is None
    assert "Add update" not in [a.get("title") for a in all_actions(chosen.cards[0])]
    values = {
        **submit["data"],
        "status": "complete",
        "note": "Guidance on when to consult is in the toolkit appendix.",
        "new_date": "",
    }
    bot.press(SAM_AAD, values, on=bot.teams.of("send")[-1].new_id)
    bot.teams.wait_for("send", 3)
    assert "Saved. R4 is now Complete" in bot.teams.texts()
    assert notes(blackpool, "R4")[-1].text.startswith("Guidance on when to consult")


def test_add_update_opens_the_form_for_a_plan_whose_name_has_spaces(ctx: AppContext) -> None:
    from handlers.importing.importer import import_file
    from tests.conftest import BLACKPOOL

    import_file(ctx, BLACKPOOL, plan_name="South Ribble 2020")
    with transaction(ctx.engine) as session:
        assign(
            session,
            "Community Engagement & Partnership Manager",
            email=SAM,
            chat={"teams": SAM_AAD},
        )
    with teams_bot(ctx) as bot:
        bot.say(SAM_AAD, "my actions")
        [listing] = bot.teams.wait_for("send")
        bot.button(SAM_AAD, listing, "Add update")
        form = bot.teams.wait_for("send", 2)[-1]
        assert "Update R11" in json.dumps(form.cards[0])
        assert "didn't understand" not in bot.teams.texts()


def test_a_form_with_a_past_date_comes_back_with_the_problem(
    bot: TeamsBot, blackpool: AppContext
) -> None:
    before = len(notes(blackpool, "R2"))
    values = {
        "form": "update",
        "about": f"{PLAN}:R2",
        "status": "delayed",
        "note": "Waiting",
        "new_date": "2020-01-31",
    }
    bot.press(SAM_AAD, values, on="1000000000042")
    [again] = bot.teams.wait_for("update")
    assert again.activity_id == "1000000000042"  # the same card, shown again
    assert "in the past" in again.text
    assert len(notes(blackpool, "R2")) == before


def test_a_reminder_arrives_in_the_personal_chat_and_a_reply_in_words_is_saved(
    bot: TeamsBot, blackpool: AppContext
) -> None:
    bot.install(SAM_AAD)  # the app installed: the chat's address is kept, a welcome is sent
    bot.teams.wait_for("send")
    bot.teams.fail("send", Failure(429, {"Retry-After": "1"}))
    sweep(blackpool, Policy(), "teams")
    report = deliver(blackpool, bot.sender())
    assert report.sent == 1  # Sam; Ruth and the chair never wrote to the bot in Teams
    assert any("Dr Ruth Okafor has no Teams id" in p for p in report.unreachable)
    throttled, reminder = bot.teams.wait_for("send", 3)[1:]
    assert reminder.at - throttled.at >= 0.9  # Retry-After obeyed
    assert reminder.conversation == f"a:personal-{SAM_AAD}"
    assert "Good morning Sam. 7 actions need your update" in reminder.text
    bot.say(SAM_AAD, "R1: strategy drafted and out for feedback, will finish by end of March")
    confirm = bot.teams.wait_for("send", 4)[-1]
    assert "R1 → Partially complete, revised target 31 March 2027." in confirm.text
    bot.button(SAM_AAD, confirm, "Save")
    bot.teams.wait_for("send", 5)
    assert "Saved. R1 is now Partially complete" in bot.teams.texts()
    assert notes(blackpool, "R1")[-1].text.startswith("strategy drafted and out for feedback")
    assert notes(blackpool, "R1")[-1].source == "teams"
    assert deliver(blackpool, bot.sender()).sent == 0  # nothing twice


def test_an_officer_who_blocked_the_bot_is_not_chased_and_the_chair_is_told(
    bot: TeamsBot, blackpool: AppContext
) -> None:
    bot.install(SAM_AAD, "installation_update")
    bot.teams.wait_for("send")
    bot.teams.fail("send", Failure(403, body={"error": {"code": "BotNotInConversationRoster"}}))
    sweep(blackpool, Policy(), "teams")
    report = deliver(blackpool, bot.sender())
    assert report.sent == 0
    assert any("Sam Patel can't be reached in Teams (HTTP 403)" in p for p in report.unreachable)
    assert len(bot.teams.of("send")) == 2  # not retried
    with transaction(blackpool.engine) as session:
        notices = [
            n
            for n in session.exec(select(Outbox).where(Outbox.kind == "notice")).all()
            if "Sam Patel" in n.reply["text"]  # Ruth, with no Teams id, is another notice
        ]
        chair = session.get(Person, notices[0].person_id) if notices else None
    assert [n.reply["text"] for n in notices] == [
        "I can't reach Sam Patel for their reminders: Sam Patel can't be reached in Teams "
        "(HTTP 403) until they write to the bot again. Please ask them to write to the bot, or "
        "chase them another way."
    ]
    assert chair is not None and chair.email == CHAIR  # the plan's admin, told once
    blackpool.clock.advance(timedelta(days=7))  # type: ignore[attr-defined]
    sweep(blackpool, Policy(), "teams")
    deliver(blackpool, bot.sender())
    assert len(bot.teams.of("send")) == 2  # not chased into a chat that refuses
    bot.say(SAM_AAD, "my actions")  # Sam writes again: reachable again
    bot.teams.wait_for("send", 3)
    blackpool.clock.advance(timedelta(days=7))  # type: ignore[attr-defined]
    sweep(blackpool, Policy(), "teams")
    assert deliver(blackpool, bot.sender()).sent >= 1


def test_remind_now_delivers_to_officers_in_teams_and_closes_its_connections(
    bot: TeamsBot, blackpool: AppContext, db_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    bot.install(SAM_AAD, "installation_update")
    bot.teams.wait_for("send")
    env = {"DATABASE_URL": db_url, "ENGAGEBOT_NOW": NOW.isoformat(), "TEAMS_ANONYMOUS": "1"}
    with caplog.at_level(logging.ERROR, logger="asyncio"):
        result = CliRunner().invoke(app, ["remind", "--now"], env=env, catch_exceptions=False)
        gc.collect()  # what the end of the process would find
    assert "1 sent to Teams, 0 to retry." in result.output
    reminder = bot.teams.wait_for("send", 2)[-1]
    assert "Good morning Sam" in reminder.text
    assert "Unclosed client session" not in caplog.text


def test_the_consult_walk_with_buttons(bot: TeamsBot) -> None:
    def answer(count: int, *, press: str = "", say: str = "") -> str:
        if press:
            bot.button(SAM_AAD, bot.teams.of("send")[-1], press)
        else:
            bot.say(SAM_AAD, say)
        return bot.teams.wait_for("send", count)[-1].text

    first = answer(1, say="should I consult?")
    assert "What is the change or project called?" in first
    answer(2, say="Town centre PSPO")
    answer(3, press="Residents, service users, businesses or community groups")
    answer(4, press="No, there is time to plan")
    answer(5, press="One neighbourhood or ward")
    answer(6, press="No, it affects everyone alike")
    for count, text in enumerate(
        ["Town centre visitors", "Hallgate", "01/02/2027", "31/03/2027", "£2,000"], start=7
    ):
        answer(count, say=text)
    law = bot.teams.of("send")[-1]
    titles = [a["title"] for a in all_actions(law.cards[0])]
    assert len(titles) <= 6, titles  # 14 answers: a menu, not 17 buttons
    bot.choose(SAM_AAD, law, "A public spaces protection order (PSPO)")
    bot.teams.wait_for("send", 12)
    outcome = answer(13, press="No, it's still open")
    assert "Consult formally; the law requires it" in outcome
    assert "Anti-social Behaviour, Crime and Policing Act 2014 s72" in outcome
    assert "the police and crime commissioner" in outcome
    assert "Added to the engagement register as entry 1: Town centre PSPO" in answer(
        14, press="Add to the engagement register"
    )


def test_the_chair_gets_the_summary_and_chart_in_the_channel(
    bot: TeamsBot, blackpool: AppContext
) -> None:
    with transaction(blackpool.engine) as session:
        plan = session.exec(select(Plan)).one()
        plan.chat_channel = "19:steering@thread.tacv2"
        session.add(plan)
    bot.teams.members[f"29:{CHAIR_AAD}"] = {"email": "Pat.Doyle@example.org", "name": "Pat"}
    bot.mention(CHAIR_AAD, "summary")
    [summary] = bot.teams.wait_for("send")
    assert summary.conversation.startswith("19:steering@thread.tacv2;messageid=")
    assert summary.activity_id  # a reply in the thread that asked
    assert "status on 23 November 2026" in summary.text and "RED" in summary.text
    [image] = [e for e in summary.cards[0]["body"] if e["type"] == "Image"]
    assert image["url"].startswith("data:image/png;base64,")
    assert len(json.dumps(summary.body).encode()) < 80 * 1024
    assert len(bot.teams.of("member")) == 1  # looked up by e-mail once, then remembered
    with transaction(blackpool.engine) as session:
        assert identify(session, "teams", CHAIR_AAD) is not None


def test_the_chair_orders_a_weekly_summary_and_it_is_posted_to_the_channel(
    bot: TeamsBot, blackpool: AppContext
) -> None:
    bot.teams.members[f"29:{CHAIR_AAD}"] = {"email": "Pat.Doyle@example.org", "name": "Pat"}
    bot.mention(CHAIR_AAD, "post the summary every Monday for blackpool-audit-2019")
    [ordered] = bot.teams.wait_for("send")
    assert "every Monday" in ordered.text
    blackpool.clock.advance(timedelta(days=7))  # type: ignore[attr-defined]
    assert post_scheduled(blackpool, Policy()) == 1
    assert deliver(blackpool, bot.sender()).sent == 1
    posted = bot.teams.wait_for("send", 2)[-1]
    assert posted.conversation.startswith("19:steering@thread.tacv2")  # the channel, unasked
    assert "status on 30 November 2026" in posted.text


def test_the_bots_mention_is_taken_out_of_a_channel_message(bot: TeamsBot) -> None:
    bot.mention(SAM_AAD, "what's overdue?")
    [reply] = bot.teams.wait_for("send")
    assert "open actions are overdue" in reply.text


def test_user_text_is_escaped_for_teams_markdown(bot: TeamsBot) -> None:
    bot.say(SAM_AAD, "update R2")
    bot.teams.wait_for("send")
    bot.say(SAM_AAD, "keep")
    bot.teams.wait_for("send", 2)
    bot.say(SAM_AAD, "see [here](https://evil.example) **now** <at>Boss</at>")
    bot.teams.wait_for("send", 3)
    bot.say(SAM_AAD, "keep")
    bot.teams.wait_for("send", 4)
    # What Teams renders as markdown: message text and card text (not the plain notification).
    sent = json.dumps([[c.body.get("text"), c.cards] for c in bot.teams.of("send")])
    assert "[here](https" not in sent and "**now**" not in sent and "<at>Boss" not in sent
    assert "see [here](https://evil.example) **now** <at>Boss</at>" in bot.teams.texts()


def test_an_unknown_user_is_matched_by_email_then_remembered(bot: TeamsBot) -> None:
    bot.teams.members[f"29:{RUTH_AAD}"] = {"userPrincipalName": "ruth.okafor@example.org"}
    bot.say(RUTH_AAD, "mine")
    bot.teams.wait_for("send")
    assert "R16" in bot.teams.texts()
    bot.say(RUTH_AAD, "mine")
    bot.teams.wait_for("send", 2)
    assert len(bot.teams.of("member")) == 1


def test_a_redelivered_activity_is_answered_once(bot: TeamsBot) -> None:
    bot.say(SAM_AAD, "my actions", id="1700000000001")
    bot.teams.wait_for("send")
    bot.say(SAM_AAD, "my actions", id="1700000000001")
    time.sleep(0.5)
    assert len(bot.teams.of("send")) == 1


def test_acknowledgement_does_not_wait_for_slow_work(bot: TeamsBot) -> None:
    bot.teams.delay = 3.0  # the connector is slow to take the reply
    started = time.monotonic()
    assert bot.say(SAM_AAD, "my actions").status_code == 202
    assert time.monotonic() - started < 1.5
    bot.teams.wait_for("send")


def test_a_failure_is_an_apology_never_the_exception(bot: TeamsBot) -> None:
    bot.channel.core.conversation.respond = _explode  # type: ignore[attr-defined]
    bot.say(SAM_AAD, "my actions")
    [reply] = bot.teams.wait_for("send")
    assert "Sorry, something went wrong" in reply.text
    assert "Exception" not in reply.text and "boom" not in reply.text


def _explode(msg: Any) -> list[Reply]:
    raise RuntimeError("boom")


def test_a_reply_too_big_for_teams_is_cut_and_says_how_many_more() -> None:
    from bot.channels import teams_cards

    items = tuple(Item(f"R{i} " + "x" * 300, "y" * 600) for i in range(400))
    message = teams_cards.message(Reply("Everything", items=items))
    assert len(json.dumps(message).encode()) < 80 * 1024
    card = message["attachments"][0]["content"]
    assert_valid_card(card)
    assert "more" in card["body"][-1]["text"]
    shown = len([e for e in card["body"] if e["type"] == "Container"])
    assert f"…and {400 - shown} more" in card["body"][-1]["text"]


def test_unauthenticated_requests_are_refused_when_not_anonymous(blackpool: AppContext) -> None:
    auth = TeamsAuth(app_id="00000000-0000-0000-0000-0000000b0700", password="x", tenant_id="t")
    with teams_bot(blackpool, auth) as running:
        body = activity(
            "personal_message",
            id="1",
            service_url=running.teams.service_url,
            tenant="t",
            user=SAM_AAD,
            name="Sam",
            text="help",
        )
        unsigned = running.post(body)
        forged = running.post(body, {"Authorization": "Bearer not.a.token"})
        assert [unsigned.status_code, forged.status_code] == [401, 401]
        time.sleep(0.3)
        assert running.teams.calls == []


# -- installing, pressing cards, long choices ---------------------------------------------------


def test_install_welcomes_once_and_personally(bot: TeamsBot, blackpool: AppContext) -> None:
    """Teams sends installationUpdate and conversationUpdate for one install: one welcome."""
    bot.install(SAM_AAD, "installation_update")
    bot.install(SAM_AAD, "conversation_update")
    [welcome] = bot.teams.wait_for("send")
    time.sleep(0.5)
    assert len(bot.teams.of("send")) == 1
    assert "Hello Sam!" in welcome.text
    assert "You have 7 open actions, 7 overdue." in welcome.text  # what is due for this person
    titles = {a["title"] for a in all_actions(welcome.cards[0])}
    assert {"My actions", "Should I consult?"} <= titles
    remove = activity("installation_update", **bot._values(SAM_AAD))
    bot.post({**remove, "action": "remove"})
    bot.install(SAM_AAD, "installation_update")  # added again: welcomed again
    bot.teams.wait_for("send", 2)


def test_the_chair_is_welcomed_with_the_summary_of_their_plan(bot: TeamsBot) -> None:
    bot.teams.members[f"29:{CHAIR_AAD}"] = {"email": CHAIR, "name": "Pat"}
    bot.install(CHAIR_AAD, "installation_update")
    [welcome] = bot.teams.wait_for("send")
    assert f"You chair {PLAN}" in welcome.text
    bot.button(CHAIR_AAD, welcome, "Summary")
    assert "status on 23 November 2026" in bot.teams.wait_for("send", 2)[-1].text


def test_a_card_pressed_on_another_instance_keeps_its_content(
    bot: TeamsBot, blackpool: AppContext
) -> None:
    """The card is kept in the database: a second instance (or the same after a restart)
    shows it answered, not collapsed to "✓ Snooze a week"."""
    bot.say(SAM_AAD, "my actions")
    [listing] = bot.teams.wait_for("send")
    with teams_bot(blackpool) as other:  # another instance, with nothing in memory
        other.teams.calls.clear()
        press = find_button(listing.cards[0], "Add update")
        body = activity("card_submit", **other._values(SAM_AAD, reply_to=listing.new_id))
        other.post({**body, "value": press})
        [pressed] = other.teams.wait_for("update")
        assert pressed.activity_id == listing.new_id
        assert "You have 7 open actions" in pressed.text and "R11" in pressed.text
        assert "✓ Add update: R11" in pressed.text
        assert list(all_actions(pressed.cards[0])) == []  # no button left to press again
        form = other.teams.wait_for("send")[-1]
        assert "Update R11" in json.dumps(form.cards[0])


def test_a_reminder_from_remind_now_is_updated_when_pressed(
    bot: TeamsBot, blackpool: AppContext, db_url: str
) -> None:
    bot.install(SAM_AAD, "installation_update")
    bot.teams.wait_for("send")
    env = {"DATABASE_URL": db_url, "ENGAGEBOT_NOW": NOW.isoformat(), "TEAMS_ANONYMOUS": "1"}
    CliRunner().invoke(app, ["remind", "--now"], env=env, catch_exceptions=False)
    reminder = bot.teams.wait_for("send", 2)[-1]
    bot.button(SAM_AAD, reminder, "Snooze a week")
    [pressed] = bot.teams.wait_for("update")
    assert "Good morning Sam. 7 actions need your update" in pressed.text
    assert "✓ Snooze a week: R1" in pressed.text
    assert "OK, I'll remind you about R1 again" in bot.teams.wait_for("send", 3)[-1].text


def test_fourteen_answers_are_a_menu_with_the_way_out_in_sight(bot: TeamsBot) -> None:
    """Teams shows six buttons and hides the rest behind "…": the law question's 14 answers
    are one choice set, each in full, with "No, none of these" and "Not sure" as buttons."""
    from handlers.toolkit.flowchart import WalkState, answers_at, load

    chart = load(None)
    node = chart.nodes["legal_duty"]
    answers = answers_at(chart, WalkState("legal_duty", nation="england"), node)
    assert len(answers) > 6  # England's common duties, then the question's own answers
    reply = consult_question(answers)
    card = teams_cards_message(reply)
    [choice_set] = [e for e in card["body"] if e["type"] == "Input.ChoiceSet"]
    titles = [c["title"] for c in choice_set["choices"]]
    assert titles == [a.label for a in answers if not a.way_out]  # none cut short
    buttons = [a["title"] for a in card["actions"]]
    assert buttons[:3] == ["Choose", "No, none of these", "Not sure"]
    assert "Another law (I'll search for it)" in titles  # in the menu, in full
    assert len(buttons) <= 6
    assert_valid_card(card)


def consult_question(answers: Any) -> Reply:
    from handlers.chat.messages import Choice, Intent

    choices = tuple(
        Choice(a.label, Intent("consult", "walk", a.label), way_out=a.way_out) for a in answers
    )
    return Reply("Does a law set a process for this?", choices=choices)


def teams_cards_message(reply: Reply) -> dict[str, Any]:
    from bot.channels import teams_cards

    content: dict[str, Any] = teams_cards.message(reply)["attachments"][0]["content"]
    return content


def test_a_workspace_not_set_up_is_told_the_command_that_sets_it_up(bot: TeamsBot) -> None:
    playground = "00000000-0000-0000-0000-0000000000001"  # the Agents Playground's tenant
    bot.say(SAM_AAD, "help", tenant=playground)
    [refused] = bot.teams.wait_for("send")
    assert "isn't set up for engagebot" in refused.text
    assert f"engagebot orgs bind default --teams-tenant {playground}" in refused.text


def test_a_button_sent_before_intents_still_works(bot: TeamsBot) -> None:
    """Cards already in people's chats carry their words ("update …"): still understood."""
    bot.press(SAM_AAD, {"choice": f"update {PLAN}:R4", "label": "Add update"})
    form = bot.teams.wait_for("send")[-1]
    assert "Update R4" in json.dumps(form.cards[0])


def test_kept_cards_are_forgotten_after_ninety_days(bot: TeamsBot, blackpool: AppContext) -> None:
    from models.tables import Card
    from reminders.scheduler import forget_old_events

    bot.say(SAM_AAD, "my actions")
    bot.teams.wait_for("send")
    with transaction(blackpool.engine) as session:
        assert len(session.exec(select(Card)).all()) == 1  # the listing, with its buttons
    blackpool.clock.advance(timedelta(days=91))  # type: ignore[attr-defined]
    forget_old_events(blackpool)
    with transaction(blackpool.engine) as session:
        assert session.exec(select(Card)).all() == []
