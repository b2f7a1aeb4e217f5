"""engagebot in Slack: signed requests to the real endpoint, a fake Slack Web API on loopback."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlmodel import select

from bot.channels.slack import SlackSender
from bot.channels.slack_install import REDIRECT_PATH, SCOPES
from handlers.chat.context import AppContext
from handlers.plans.people import assign, identify
from models.db import transaction
from models.tables import Action, Plan, ProgressNote
from reminders.delivery import deliver
from reminders.policy import Policy
from reminders.sweep import sweep
from tests.conftest import SAM
from tests.fakes.slack_api import Failure
from tests.slack_harness import SlackBot, payload, signed_headers, slack_bot

SAM_SLACK = "U0SAM"
STRANGER_SLACK = "U0STRANGER"
PLAN = "blackpool-audit-2019"
MANIFEST = Path(__file__).parents[1] / "app.yaml"


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
        yield running


def action_id(ctx: AppContext, ref: str) -> int:
    with transaction(ctx.engine) as session:
        return session.exec(select(Action).where(Action.ref == ref)).one().id or 0


def notes(ctx: AppContext, ref: str) -> list[ProgressNote]:
    with transaction(ctx.engine) as session:
        action = session.exec(select(Action).where(Action.ref == ref)).one()
        query = select(ProgressNote).where(ProgressNote.action_id == action.id)
        return list(session.exec(query).all())


def buttons(call_params: dict[str, Any]) -> dict[str, str]:
    """label -> value of every button in a posted message."""
    found = {}
    for block in call_params.get("blocks", []):
        for element in block.get("elements", []):
            if element.get("type") == "button":
                found[element["text"]["text"]] = element["value"]
    return found


def test_slash_command_help_is_answered_privately(bot: SlackBot) -> None:
    response = bot.command(SAM_SLACK, "help")
    assert response.status_code == 200
    answer = bot.slack.wait_for("respond")[0].params
    assert answer["response_type"] == "ephemeral"
    assert "my actions" in bot.slack.texts("respond")


def test_slash_command_mine_lists_the_officers_actions(bot: SlackBot) -> None:
    bot.command(SAM_SLACK, "mine")
    answer = bot.slack.wait_for("respond")[0].params
    text = bot.slack.texts("respond")
    assert "You have 7 open actions" in text
    assert text.index("R11") < text.index("R1 ")
    assert buttons(answer)["Add update"].startswith("#")  # the action's id, nothing to parse


def test_an_update_given_in_a_dm_conversation(bot: SlackBot, blackpool: AppContext) -> None:
    bot.dm(SAM_SLACK, "update R1")
    first = bot.slack.wait_for("chat.postMessage")[0].params
    assert first["channel"] == "D0SAM"
    assert "Updating R1" in bot.slack.texts()
    bot.choose(SAM_SLACK, first, "Partially complete")  # six statuses: a menu
    bot.slack.wait_for("chat.postMessage", 2)
    bot.dm(SAM_SLACK, "Strategy drafted and out for feedback")
    bot.slack.wait_for("chat.postMessage", 3)
    bot.dm(SAM_SLACK, "31/03/2027")
    confirm = bot.slack.wait_for("chat.postMessage", 4)[-1].params
    assert "R1 → Partially complete, revised target 31 March 2027." in bot.slack.texts()
    bot.click(SAM_SLACK, confirm, "Save")
    bot.slack.wait_for("chat.postMessage", 5)
    assert "Saved. R1 is now Partially complete" in bot.slack.texts()
    saved = notes(blackpool, "R1")[-1]
    assert saved.text == "Strategy drafted and out for feedback" and saved.source == "slack"


def test_an_update_through_the_modal(bot: SlackBot, blackpool: AppContext) -> None:
    bot.press(SAM_SLACK, f"update {PLAN}:R4", "Add update")
    view = bot.slack.wait_for("views.open")[0].params["view"]
    assert view["type"] == "modal" and view["private_metadata"] == f"#{action_id(blackpool, 'R4')}"
    assert [b["block_id"] for b in view["blocks"] if b["type"] == "input"] == [
        "status",
        "note",
        "new_date",
    ]
    response = bot.interact(
        "view_submission",
        user=SAM_SLACK,
        view_id="V0MODAL1",
        key=f"{PLAN}:R4",
        status="complete",
        note="Guidance on when to consult is in the toolkit appendix.",
        new_date="",
    )
    assert response.status_code == 200 and response.text in ("", "{}")
    bot.slack.wait_for("chat.postMessage")
    assert "Saved. R4 is now Complete" in bot.slack.texts()
    assert notes(blackpool, "R4")[-1].text.startswith("Guidance on when to consult")
    bot.slack.wait_for("views.publish")  # the Home tab is refreshed


def test_a_modal_with_a_past_date_is_sent_back_with_the_problem(
    bot: SlackBot, blackpool: AppContext
) -> None:
    before = len(notes(blackpool, "R2"))
    response = bot.interact(
        "view_submission",
        user=SAM_SLACK,
        view_id="V0MODAL2",
        key=f"{PLAN}:R2",
        status="delayed",
        note="Waiting for the steering group",
        new_date="2020-01-31",
    )
    answer = response.json()
    assert answer["response_action"] == "errors"
    assert "in the past" in answer["errors"]["new_date"]
    assert len(notes(blackpool, "R2")) == before


def test_a_forged_modal_for_someone_elses_action_is_refused(
    bot: SlackBot, blackpool: AppContext
) -> None:
    # R16 belongs to the Director of Public Health; Sam edits private_metadata to reach it.
    response = bot.interact(
        "view_submission",
        user=SAM_SLACK,
        view_id="V0MODAL3",
        key=f"{PLAN}:R16",
        status="complete",
        note="done",
        new_date="",
    )
    assert "can't update R16" in json.dumps(response.json())
    assert all(n.text != "done" for n in notes(blackpool, "R16"))


def test_a_mention_in_a_channel_is_answered_in_its_thread(bot: SlackBot) -> None:
    bot.event("app_mention", user=SAM_SLACK, text="what's overdue?", ts="1795428000.000100")
    posted = bot.slack.wait_for("chat.postMessage")[0].params
    assert posted["channel"] == "C0STEERING"
    assert posted["thread_ts"] == "1795428000.000100"
    assert "open actions are overdue" in bot.slack.texts()


def test_app_home_shows_the_officers_actions_soonest_first(bot: SlackBot) -> None:
    bot.event("app_home_opened", user=SAM_SLACK)
    view = bot.slack.wait_for("views.publish")[0].params
    assert view["user_id"] == SAM_SLACK
    text = bot.slack.texts("views.publish")
    assert "Your actions" in text and "You have 7 open actions" in text
    assert text.index("R11") < text.index("R1 ")
    assert "Add update" in text


def test_forged_or_stale_requests_get_401_and_change_nothing(
    bot: SlackBot, blackpool: AppContext
) -> None:
    body = json.dumps(
        payload(
            "message_im",
            user=SAM_SLACK,
            text="update R1",
            channel="D0SAM",
            ts="1.0",
            event_id="Ev0FORGED",
        )
    )
    forged = bot.post(body, "application/json", signed_headers(body, secret="not-the-secret"))
    stale = bot.post(body, "application/json", signed_headers(body, at=int(time.time()) - 301))
    unsigned = bot.post(body, "application/json", {"X-Slack-Request-Timestamp": "1"})
    assert [forged.status_code, stale.status_code, unsigned.status_code] == [401, 401, 401]
    time.sleep(0.3)
    assert bot.slack.of("chat.postMessage") == []
    with transaction(blackpool.engine) as session:
        assert identify(session, "slack", SAM_SLACK) is not None


def test_a_retried_event_is_answered_once(bot: SlackBot) -> None:
    bot.dm(SAM_SLACK, "my actions", event_id="Ev0RETRY01")
    bot.slack.wait_for("chat.postMessage")
    again = bot.dm(SAM_SLACK, "my actions", event_id="Ev0RETRY01", retry=1)
    assert again.status_code == 200
    time.sleep(0.5)
    assert len(bot.slack.of("chat.postMessage")) == 1


def test_a_double_clicked_save_records_one_note(bot: SlackBot, blackpool: AppContext) -> None:
    before = len(notes(blackpool, "R7"))
    bot.dm(SAM_SLACK, "update R7")
    bot.slack.wait_for("chat.postMessage")
    bot.dm(SAM_SLACK, "complete")
    bot.slack.wait_for("chat.postMessage", 2)
    bot.dm(SAM_SLACK, "Register of all engagement is live")
    confirm = bot.slack.wait_for("chat.postMessage", 3)[-1].params
    bot.click(SAM_SLACK, confirm, "Save")
    bot.click(SAM_SLACK, confirm, "Save")
    bot.slack.wait_for("chat.postMessage", 5)
    assert len(notes(blackpool, "R7")) == before + 1
    assert "already saved" in bot.slack.texts()


def test_user_text_is_escaped_so_nobody_can_ping_the_channel(bot: SlackBot) -> None:
    bot.dm(SAM_SLACK, "update R2")
    bot.slack.wait_for("chat.postMessage")
    bot.dm(SAM_SLACK, "keep")
    bot.slack.wait_for("chat.postMessage", 2)
    bot.dm(SAM_SLACK, "<!channel> see <@U0BOSS> & <https://evil.example|here>")
    bot.slack.wait_for("chat.postMessage", 3)
    bot.dm(SAM_SLACK, "keep")
    bot.slack.wait_for("chat.postMessage", 4)
    sent = json.dumps([c.params for c in bot.slack.of("chat.postMessage")])
    assert "<!channel>" not in sent and "<@U0BOSS>" not in sent
    assert "&lt;!channel&gt;" in sent and "&amp;" in sent


def test_an_imported_ref_is_escaped_in_the_private_answer_when_the_form_cannot_open(
    bot: SlackBot, blackpool: AppContext
) -> None:
    with transaction(blackpool.engine) as session:
        r4 = session.exec(select(Action).where(Action.ref == "R4")).one()
        r4.ref = "<!here>"  # as a spreadsheet may hold it
        session.add(r4)
    bot.slack.fail("views.open", Failure(200, {"ok": False, "error": "expired_trigger_id"}))
    bot.command(SAM_SLACK, f"update #{r4.id}")
    [answer] = bot.slack.wait_for("respond")
    assert answer.params["response_type"] == "ephemeral"
    assert "I couldn't open the update form" in answer.params["text"]
    assert "<!here>" not in answer.params["text"] and "&lt;!here&gt;" in answer.params["text"]


def test_rate_limits_are_waited_out_and_the_message_still_arrives(bot: SlackBot) -> None:
    bot.slack.fail(
        "chat.postMessage",
        Failure(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "1"}),
    )
    started = time.monotonic()
    bot.dm(SAM_SLACK, "help")
    calls = bot.slack.wait_for("chat.postMessage", 2)
    assert calls[1].at - calls[0].at >= 0.9  # Retry-After obeyed
    assert time.monotonic() - started < 8


def test_a_slack_outage_loses_no_update(bot: SlackBot, blackpool: AppContext) -> None:
    bot.dm(SAM_SLACK, "update R10")
    bot.slack.wait_for("chat.postMessage")
    bot.dm(SAM_SLACK, "complete")
    bot.slack.wait_for("chat.postMessage", 2)
    bot.dm(SAM_SLACK, "Costs tracked per project")
    confirm = bot.slack.wait_for("chat.postMessage", 3)[-1].params
    bot.slack.fail("chat.postMessage", Failure(503, {"ok": False, "error": "service_unavailable"}))
    bot.click(SAM_SLACK, confirm, "Save")
    bot.slack.wait_for("chat.postMessage", 5)
    time.sleep(0.3)  # the retry answered
    refused, answer = bot.slack.of("chat.postMessage")[3:]
    assert refused.status == 503 and answer.ok  # a 5xx on a reply is tried again
    assert "Saved. R10 is now Complete" in answer.params["text"]
    assert notes(blackpool, "R10")[-1].text == "Costs tracked per project"


def test_an_unknown_slack_user_is_matched_by_email(bot: SlackBot) -> None:
    bot.slack.emails["U0RUTH"] = "ruth.okafor@example.org"
    bot.command("U0RUTH", "mine")
    bot.slack.wait_for("respond")
    assert "R16" in bot.slack.texts("respond")
    assert len(bot.slack.of("users.info")) == 1
    bot.command("U0RUTH", "mine")
    bot.slack.wait_for("respond", 2)
    assert len(bot.slack.of("users.info")) == 1  # remembered


def test_a_stranger_is_told_how_to_be_recognised(bot: SlackBot) -> None:
    bot.command(STRANGER_SLACK, "update R1")
    bot.slack.wait_for("respond")
    assert "can't update R1" in bot.slack.texts("respond")
    assert bot.slack.of("views.open") == []


def test_acknowledgement_does_not_wait_for_slow_work(bot: SlackBot) -> None:
    bot.slack.delays["chat.postMessage"] = 5.0  # Slack itself is slow to take the reply
    started = time.monotonic()
    response = bot.dm(SAM_SLACK, "my actions")
    assert response.status_code == 200
    assert time.monotonic() - started < 3.0  # acknowledged inside Slack's 3 seconds anyway
    bot.slack.wait_for("chat.postMessage")


def test_the_manifest_declares_exactly_what_the_code_handles(bot: SlackBot) -> None:
    manifest = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    handled = bot.channel.registered()
    commands = {c["command"] for c in manifest["features"]["slash_commands"]}
    events = set(manifest["settings"]["event_subscriptions"]["bot_events"])
    assert commands == handled["commands"]
    assert events == handled["events"]
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    shortcuts = {f"{s['type']}:{s['callback_id']}" for s in manifest["features"]["shortcuts"]}
    assert shortcuts == handled["shortcuts"]
    # An install by link asks for exactly the scopes the manifest gives, and comes back to us.
    assert set(manifest["oauth_config"]["scopes"]["bot"]) == set(SCOPES)
    [redirect] = manifest["oauth_config"]["redirect_urls"]
    assert redirect.endswith(REDIRECT_PATH)
    assert manifest["settings"]["event_subscriptions"]["request_url"].endswith("/slack/events")


def test_a_reminder_arrives_as_a_dm_and_a_reply_in_words_is_saved(
    bot: SlackBot, blackpool: AppContext
) -> None:
    bot.slack.fail(
        "chat.postMessage",
        Failure(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "1"}),
    )
    sweep(blackpool, Policy(), "slack")
    report = deliver(blackpool, SlackSender(bot.channel.client))
    assert report.sent == 1  # Sam; Ruth and the chair have no Slack id yet
    assert any("Dr Ruth Okafor has no Slack id" in p for p in report.unreachable)
    reminder = bot.slack.wait_for("chat.postMessage", 2)[-1].params  # a 429, then delivered
    assert reminder["channel"] == "D0SAM"
    assert "Good morning Sam. 7 actions need your update" in bot.slack.texts()
    assert set(buttons(reminder)) == {
        "Add update",
        "Mark complete",
        "Needs a new date",
        "Snooze a week",
        "Not mine",
    }
    bot.dm(SAM_SLACK, "R1: strategy drafted and out for feedback, will finish by end of March")
    confirm = bot.slack.wait_for("chat.postMessage", 3)[-1].params
    assert "R1 → Partially complete, revised target 31 March 2027." in bot.slack.texts()
    bot.click(SAM_SLACK, confirm, "Save")
    bot.slack.wait_for("chat.postMessage", 4)
    assert "Saved. R1 is now Partially complete" in bot.slack.texts()
    assert notes(blackpool, "R1")[-1].text.startswith("strategy drafted and out for feedback")
    assert deliver(blackpool, SlackSender(bot.channel.client)).sent == 0  # nothing twice


def test_the_consult_walk_with_buttons_back_and_the_register(bot: SlackBot) -> None:
    def answer(count: int, *, press: str = "", say: str = "") -> str:
        if press:
            bot.press(SAM_SLACK, press, press)
        else:
            bot.dm(SAM_SLACK, say)
        bot.slack.wait_for("chat.postMessage", count)
        return bot.slack.texts().rsplit("\n\n", 1)[-1]

    bot.dm(SAM_SLACK, "should I consult?")
    first = bot.slack.wait_for("chat.postMessage")[0].params
    assert "What is the change or project called?" in bot.slack.texts()
    assert {"Why are you asking?", "Back", "Start again"} <= set(buttons(first))
    answer(2, say="Closing Hallgate library")
    answer(3, press="Residents, service users, businesses or community groups")
    answer(4, press="Back")
    assert "Who will the change affect?" in bot.slack.texts().split("Is it an emergency")[-1]
    answer(5, press="Residents, service users, businesses or community groups")
    answer(6, press="No, there is time to plan")
    answer(7, press="One neighbourhood or ward")
    answer(8, press="Yes, or it might")
    for count, text in enumerate(
        ["Library users", "Hallgate", "01/02/2027", "31/03/2027", "£2,000"], start=9
    ):
        answer(count, say=text)
    answer(14, press="No, none of these")
    answer(15, press="It takes away a service or benefit people have now")
    answer(16, press="No, it's still open")
    outcome = bot.slack.of("chat.postMessage")[-1].params
    assert "Consult; people can expect it" in bot.slack.texts()
    assert "R (Moseley) v Haringey LBC" in bot.slack.texts()
    assert buttons(outcome)["Add to the engagement register"] == "register"
    answer(17, press="register")
    added = "Added to the engagement register as entry 1: Closing Hallgate library"
    assert added in bot.slack.texts()


def test_the_chair_gets_the_summary_and_chart_in_the_channel(
    bot: SlackBot, blackpool: AppContext
) -> None:
    with transaction(blackpool.engine) as session:
        plan = session.exec(select(Plan)).one()
        plan.chat_channel = "C0STEERING"
        session.add(plan)
    bot.slack.emails["U0CHAIR"] = "pat.doyle@example.org"
    bot.command("U0CHAIR", "summary")
    answer = bot.slack.wait_for("respond")[0].params
    assert answer["response_type"] == "in_channel"  # for everyone in the group's channel
    assert "status on 23 November 2026" in bot.slack.texts("respond")
    assert "RED" in bot.slack.texts("respond")
    [upload] = bot.slack.wait_for("upload")
    assert upload.params["png"] is True
    done = bot.slack.wait_for("files.completeUploadExternal")[0].params
    assert done["channel_id"] == "C0STEERING"


def test_a_reply_in_the_reminders_thread_continues_the_conversation(
    bot: SlackBot, blackpool: AppContext
) -> None:
    sweep(blackpool, Policy(), "slack")
    deliver(blackpool, SlackSender(bot.channel.client))
    bot.slack.wait_for("chat.postMessage")
    bot.dm(SAM_SLACK, "R7: register now live and in use", thread_ts="1795428000.000200")
    confirm = bot.slack.wait_for("chat.postMessage", 2)[-1].params
    assert confirm["thread_ts"] == "1795428000.000200"  # answered where the officer wrote
    assert "R7 → " in bot.slack.texts()


def test_a_changed_email_is_picked_up_and_the_cache_is_bounded(bot: SlackBot) -> None:
    from bot.channels.cache import TTLCache
    from bot.channels.slack import SlackDirectory

    now = [0.0]
    directory = SlackDirectory(bot.channel.client, TTLCache(size=3, ttl=3600, clock=lambda: now[0]))
    bot.slack.emails["U0NEW"] = "old@example.org"
    assert directory.email_of("U0NEW") == "old@example.org"
    bot.slack.emails["U0NEW"] = "new@example.org"
    assert directory.email_of("U0NEW") == "old@example.org"  # remembered for an hour
    now[0] += 3601
    assert directory.email_of("U0NEW") == "new@example.org"
    for user in ("U1", "U2", "U3", "U4"):
        directory.email_of(user)
    assert len(directory._emails) == 3


def test_a_reminder_run_with_slack_unreachable_logs_one_line_and_keeps_the_messages(
    blackpool: AppContext, caplog: pytest.LogCaptureFixture
) -> None:
    import logging
    import socket

    from bot.channels.slack import make_client
    from models.tables import Outbox
    from reminders.scheduler import run_once

    with transaction(blackpool.engine) as session:
        assign(
            session,
            "Community Engagement & Partnership Manager",
            email=SAM,
            chat={"slack": SAM_SLACK},
        )
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    sender = SlackSender(make_client("xoxb-test", f"http://127.0.0.1:{closed}/api/"))
    with caplog.at_level(logging.WARNING):
        run_once(blackpool, Policy(), sender)
    assert not [r for r in caplog.records if r.exc_info], "a traceback was logged"
    ours = [r for r in caplog.records if not r.name.startswith("slack_sdk")]
    assert len(ours) == 1 and "Slack could not be reached" in ours[0].getMessage()
    with transaction(blackpool.engine) as session:
        waiting = session.exec(select(Outbox).where(Outbox.sent_at == None)).all()  # noqa: E711
    assert waiting  # still queued, for the next run


def test_a_pressed_message_is_updated_and_keeps_no_live_buttons(
    bot: SlackBot, blackpool: AppContext
) -> None:
    sweep(blackpool, Policy(), "slack")
    assert deliver(blackpool, SlackSender(bot.channel.client)).sent >= 1
    reminder = bot.slack.wait_for("chat.postMessage")[0]
    ts = "1700000000.000100"
    bot.click(SAM_SLACK, reminder.params, "Snooze a week", ts=ts)
    [updated] = bot.slack.wait_for("chat.update")
    assert updated.params["channel"] == "D0SAM" and updated.params["ts"] == ts
    assert "Good morning Sam" in updated.params["text"]  # its content, from the database
    assert "✓ *Snooze a week: R1" in json.dumps(updated.params["blocks"], ensure_ascii=False)
    assert buttons(updated.params) == {}  # nothing left to press twice


def test_a_long_list_of_options_is_a_select_menu_with_the_way_out_beside_it() -> None:
    from bot.channels import slack_blocks as kit
    from handlers.chat.messages import Choice, Intent, Reply

    answers = tuple(Choice(f"Law {n}", Intent("consult", "walk", f"Law {n}")) for n in range(12))
    ways_out = (
        Choice("No, none of these", Intent("consult", "walk", "no"), way_out=True),
        Choice("Not sure", Intent("consult", "walk", "not sure"), way_out=True),
    )
    [block] = kit.message(Reply("Is it one of these?", choices=answers + ways_out))["blocks"][1:]
    select, *beside = block["elements"]
    assert select["type"] == "static_select" and len(select["options"]) == 12
    assert [b["text"]["text"] for b in beside] == ["No, none of these", "Not sure"]


def test_a_workspace_not_set_up_is_told_the_command_that_sets_it_up(bot: SlackBot) -> None:
    envelope = payload("message_im", user="U0NEW", text="help", channel="D0NEW", ts="1.0",
                       event_id="EvNotSetUp")  # fmt: skip
    envelope["team_id"] = envelope["event"]["team"] = "T0NEWCOUNCIL"
    bot.post(json.dumps(envelope), "application/json")
    [refused] = bot.slack.wait_for("chat.postMessage")
    assert "engagebot orgs bind default --slack-team T0NEWCOUNCIL" in refused.params["text"]
