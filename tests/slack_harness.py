"""Drive the real Slack endpoint: signed requests built from recorded payloads, a fake Web API.

As slack-bolt tests itself: payloads shaped as Slack documents them, signed with the signing
secret, POSTed to /slack/events on a real server on 127.0.0.1.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import partial
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx

from bot.channels.slack import SlackChannel, SlackDirectory, make_async_client, make_client
from bot.conversation import Conversation
from bot.core import CoreInThreads
from bot.server import make_pool, start_in_thread
from handlers.chat.context import AppContext
from models.db import readiness
from tests.fakes.recorder import fill
from tests.fakes.slack_api import FakeSlack

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
TEAM = "T0COUNCIL"  # the workspace of the recorded payloads
KEY = "x5b8fBjrSPoiSwQzZpP6Ot-NoTI1YaF5C4aEu3TqQ7k="  # a Fernet key, for tests only
CLIENT_ID, CLIENT_SECRET = "1234567890.0987654321", "the-app-client-secret"
PAYLOADS = Path(__file__).parent / "fixtures" / "slack"
# Payloads copied from slack-bolt's scenario tests and Slack's API docs (see its README.md).
REAL_PAYLOADS = Path(__file__).parent / "fixtures" / "slack_payloads"


def payload(name: str, folder: Path = PAYLOADS, **values: str) -> dict[str, Any]:
    """A recorded payload with its {{placeholders}} filled in."""
    loaded: dict[str, Any] = json.loads((folder / f"{name}.json").read_text(encoding="utf-8"))
    filled: dict[str, Any] = fill(loaded, values)
    return filled


def signed_headers(body: str, secret: str = SECRET, at: int | None = None) -> dict[str, str]:
    timestamp = str(int(time.time()) if at is None else at)
    base = f"v0:{timestamp}:{body}".encode()
    signature = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": signature}


@dataclass
class SlackBot:
    """The bot served over HTTP, and the fake Slack it talks to."""

    url: str
    slack: FakeSlack
    channel: SlackChannel
    http: httpx.Client
    team: str = TEAM  # the workspace requests come from (the payloads' ids are rewritten)

    def as_team(self, team: str) -> SlackBot:
        """The same bot, written to from another workspace."""
        return replace(self, team=team)

    def post(
        self, body: str, content_type: str, headers: dict[str, str] | None = None
    ) -> httpx.Response:
        if headers is None:
            body = self._in_team(body)
        sent = {"Content-Type": content_type, **(headers or signed_headers(body))}
        return self.http.post(f"{self.url}/slack/events", content=body, headers=sent)

    def _in_team(self, body: str) -> str:
        return body.replace(TEAM, self.team) if self.team != TEAM else body

    def install(self, code: str) -> httpx.Response:
        """A workspace admin installs the app by its link, as a browser would: our install
        page, Slack's consent page (the fake approves with `code`), then back to us with the
        state cookie our install page set."""
        self.slack.consent_code = code
        self.slack.redirect_uri = f"{self.url}/slack/oauth_redirect"
        start = self.http.get(f"{self.url}/slack/install")
        assert start.status_code == 302, start.text
        cookie = SimpleCookie(start.headers["set-cookie"])
        consent = self.http.get(start.headers["location"])
        back = consent.headers["location"]
        state = {k: v.value for k, v in cookie.items()}
        return self.http.get(
            back, headers={"Cookie": "; ".join(f"{k}={v}" for k, v in state.items())}
        )

    def command(self, user: str, text: str) -> httpx.Response:
        form = payload(
            "slash_command", user=user, text=text, response_url=self.slack.response_url()
        )
        return self.post(urlencode(form), "application/x-www-form-urlencoded")

    def event(
        self,
        name: str,
        *,
        retry: int | None = None,
        event_id: str | None = None,
        folder: Path = PAYLOADS,
        **values: str,
    ) -> httpx.Response:
        values.setdefault("ts", f"{time.time():.6f}")
        values["event_id"] = event_id or "Ev" + uuid.uuid4().hex[:10].upper()
        thread = values.pop("thread_ts", None)
        envelope = payload(name, folder, **values)
        if thread:  # a message written in a thread, as Slack sends it
            envelope["event"]["thread_ts"] = thread
        body = self._in_team(json.dumps(envelope))
        headers = signed_headers(body)
        if retry is not None:
            headers |= {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"}
        return self.post(body, "application/json", headers)

    def replay(self, name: str, **values: str) -> httpx.Response:
        """A real payload (tests/fixtures/slack_payloads/) as an Events API request."""
        return self.event(name, folder=REAL_PAYLOADS, **values)

    def dm(self, user: str, text: str, **kw: Any) -> httpx.Response:
        return self.event("message_im", user=user, text=text, channel="D" + user[1:], **kw)

    def interact(self, name: str, folder: Path = PAYLOADS, **values: str) -> httpx.Response:
        values.setdefault("response_url", self.slack.response_url("action"))
        values.setdefault("action_ts", f"{time.time():.6f}")
        form = {"payload": self._in_team(json.dumps(payload(name, folder, **values)))}
        return self.post(urlencode(form), "application/x-www-form-urlencoded")

    def press(
        self,
        user: str,
        value: str,
        label: str = "",
        channel: str = "",
        *,
        action_id: str = "choice-0",
        block_id: str = "choices",
        message_ts: str = "",
    ) -> httpx.Response:
        """A button press; by default one sent before intents ("choice-0", its value words)."""
        return self.interact(
            "block_actions",
            user=user,
            value=value,
            label=label or value,
            action_id=action_id,
            block_id=block_id,
            channel=channel or "D" + user[1:],
            message_ts=message_ts or f"{time.time():.6f}",
            action_ts=f"{time.time():.6f}",
        )

    def click(
        self, user: str, message: dict[str, Any], label: str, channel: str = "", ts: str = ""
    ) -> httpx.Response:
        """Press the button labelled `label` on a message the bot posted (its params)."""
        for block in message.get("blocks", []):
            for element in block.get("elements") or []:
                if element.get("type") == "button" and element["text"]["text"] == label:
                    return self.press(
                        user,
                        element["value"],
                        label,
                        channel,
                        action_id=element["action_id"],
                        block_id=block["block_id"],
                        message_ts=ts,
                    )
        raise AssertionError(f"no button {label!r} in {message.get('blocks')}")

    def choose(self, user: str, message: dict[str, Any], option: str) -> httpx.Response:
        """Pick `option` in a message's select menu (a long list of options)."""
        for block in message.get("blocks", []):
            for element in block.get("elements") or []:
                if element.get("type") != "static_select":
                    continue
                chosen = next(o for o in element["options"] if o["text"]["text"] == option)
                data = payload(
                    "block_actions",
                    user=user,
                    value="",
                    label="",
                    action_id=element["action_id"],
                    block_id=block["block_id"],
                    channel="D" + user[1:],
                    message_ts=f"{time.time():.6f}",
                    action_ts=f"{time.time():.6f}",
                    response_url=self.slack.response_url("action"),
                )
                action = data["actions"][0]
                action.pop("value"), action.pop("text")
                action |= {"type": "static_select", "selected_option": chosen}
                return self.post(
                    urlencode({"payload": json.dumps(data)}), "application/x-www-form-urlencoded"
                )
        raise AssertionError(f"no menu in {message.get('blocks')}")


@contextmanager
def slack_bot(ctx: AppContext) -> Iterator[SlackBot]:
    """The real server (aiohttp, on its own loop in a background thread) and a fake Slack."""
    with FakeSlack() as slack:
        conversation = Conversation(ctx)
        conversation.add_directory("slack", SlackDirectory(make_client("xoxb-test", slack.api_url)))
        core = CoreInThreads(conversation, make_pool(4))
        channel = SlackChannel(
            core,
            make_client("xoxb-test", slack.api_url),
            SECRET,
            make_async_client("xoxb-test", slack.api_url),
        )
        server = start_in_thread([channel], ready=partial(readiness, ctx.engine))
        try:
            with httpx.Client(timeout=10) as http:
                yield SlackBot(server.url, slack, channel, http)
        finally:
            server.stop()
            core.close()


@contextmanager
def installed_slack(
    ctx: AppContext, *, bot_token: str = "", new_workspaces: str = "approve"
) -> Iterator[SlackBot]:
    """The server with Slack installed by link (OAuth), built by the composition root from
    settings as `engagebot serve` builds it, against a fake Slack."""
    from bot.app import build_conversation, build_slack
    from bot.settings import Settings

    with FakeSlack() as slack:
        settings = Settings(
            SLACK_API_URL=slack.api_url,
            SLACK_CLIENT_ID=CLIENT_ID,
            SLACK_CLIENT_SECRET=CLIENT_SECRET,
            SLACK_SIGNING_SECRET=SECRET,
            SLACK_BOT_TOKEN=bot_token,
            SLACK_NEW_WORKSPACES=new_workspaces,
            ENGAGEBOT_TOKEN_KEY=KEY,
        )
        core = CoreInThreads(build_conversation(settings, ctx), make_pool(4))
        channel = build_slack(settings, core, ctx)
        server = start_in_thread([channel], ready=partial(readiness, ctx.engine))
        try:
            with httpx.Client(timeout=10) as http:
                yield SlackBot(server.url, slack, channel, http)
        finally:
            server.stop()
            core.close()
