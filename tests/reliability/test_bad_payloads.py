"""What the endpoint fuzzing found, kept as plain cases: payloads that are signed (Slack) or
accepted (Teams) but are not what the platform sends get a 400, never a 500 and a traceback."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest

from handlers.chat.context import AppContext
from tests.reliability.logged import Errors
from tests.slack_harness import SlackBot, payload, signed_headers, slack_bot
from tests.teams_harness import TeamsBot, activity, teams_bot

FORM = "application/x-www-form-urlencoded"
DM = {"user": "U0SAM", "text": "hi", "channel": "D0SAM", "ts": "1.0", "event_id": "Ev1"}


def _event(**changes: Any) -> str:
    return json.dumps({**payload("message_im", **DM), **changes})


def _command(*without: str) -> str:
    form = payload("slash_command", user="U0SAM", text="help", response_url="http://127.0.0.1:9/r")
    return urlencode({k: v for k, v in form.items() if k not in without})


def _press(*without: str) -> str:
    press = payload(
        "block_actions",
        user="U0SAM",
        value="my actions",
        label="My actions",
        action_id="choice-0",
        channel="D0SAM",
        message_ts="1.0",
        action_ts="1.0",
        response_url="http://127.0.0.1:9/r",
    )
    return urlencode({"payload": json.dumps({k: v for k, v in press.items() if k not in without})})


def _interaction(**changes: Any) -> str:
    view = payload("view_submission", user="U0SAM", private_metadata="R1", view_id="V1")
    return urlencode({"payload": json.dumps({**view, **changes})})


SLACK = {
    "JSON null": ("null", "application/json"),
    "a JSON list": ("[1]", "application/json"),
    "a JSON string": ('"x"', "application/json"),
    "an event that is null": (_event(event=None), "application/json"),
    "an event that is a list": (_event(event=[1]), "application/json"),
    "a DM with no user": (
        _event(
            event={k: v for k, v in payload("message_im", **DM)["event"].items() if k != "user"}
        ),
        "application/json",
    ),
    "an interaction payload that is null": (urlencode({"payload": "null"}), FORM),
    "an interaction payload that is a list": (urlencode({"payload": "[1]"}), FORM),
    "a modal with several response_urls": (
        _interaction(response_urls=[{"response_url": "a"}, {"response_url": "b"}]),
        FORM,
    ),
    "a slash command with no team_id": (_command("team_id"), FORM),
    "a slash command with no user_id": (_command("user_id"), FORM),
    "a slash command with no channel_id": (_command("channel_id"), FORM),
    "a button pressed by nobody": (_press("user"), FORM),
}


@pytest.fixture(scope="module")
def slack(module_ctx: AppContext) -> Iterator[SlackBot]:
    with slack_bot(module_ctx) as bot:
        yield bot


@pytest.mark.parametrize("case", list(SLACK))
def test_a_signed_slack_request_slack_would_never_send_gets_400(
    slack: SlackBot, error_log: Errors, case: str
) -> None:
    """Refused before its acknowledgement: nothing is logged at ERROR afterwards either."""
    body, kind = SLACK[case]
    mark = error_log.mark()
    status = slack.post(body, kind, signed_headers(body)).status_code
    # A DM event with no author may be acknowledged and ignored (a 4xx would make Slack retry).
    assert status == 400 or (case == "a DM with no user" and status == 200)
    if status == 200:
        time.sleep(0.2)  # work after the acknowledgement would have failed by now
    assert error_log.since(mark) == []


def _activity(bot: TeamsBot, **changes: Any) -> Any:
    base = activity(
        "personal_message",
        service_url=bot.teams.service_url,
        tenant="t",
        user="u-1",
        name="Someone",
        text="help",
        id="1",
    )
    return {k: v for k, v in {**base, **changes}.items() if v is not ...}


TEAMS = {
    "a JSON list": lambda bot: [1, 2],
    "no type": lambda bot: _activity(bot, type=...),
    "a number for a type": lambda bot: _activity(bot, type=5),
    "from: null": lambda bot: _activity(bot, **{"from": None}),
    "a string for the conversation": lambda bot: _activity(bot, conversation="x"),
    "an object for the text": lambda bot: _activity(bot, text={"a": 1}),
    "no serviceUrl": lambda bot: _activity(bot, serviceUrl=...),
}


@pytest.fixture(scope="module")
def teams(module_ctx: AppContext) -> Iterator[TeamsBot]:
    with teams_bot(module_ctx) as bot:
        yield bot


@pytest.mark.parametrize("case", list(TEAMS))
def test_an_activity_teams_would_never_send_gets_400(teams: TeamsBot, case: str) -> None:
    body = TEAMS[case](teams)
    answer = teams.http.post(f"{teams.url}/api/messages", json=body)
    assert answer.status_code == 400
