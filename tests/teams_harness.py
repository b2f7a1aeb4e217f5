"""Drive the real Teams endpoint: activities shaped as Teams sends them, a fake Bot Connector.

Activities from tests/fixtures/teams are POSTed to /api/messages on the real server (anonymous
mode: no tokens); their serviceUrl is a fake connector on 127.0.0.1 that records every reply.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import httpx

from bot.channels.teams import TeamsAuth, TeamsChannel, TeamsDirectory, TeamsSender
from bot.conversation import Conversation
from bot.core import CoreInThreads
from bot.server import make_pool, start_in_thread
from handlers.chat import addresses
from handlers.chat.context import AppContext
from models.db import readiness
from tests.conftest import TEAMS_TENANT
from tests.fakes.recorder import fill
from tests.fakes.teams_connector import FakeConnector

ACTIVITIES = Path(__file__).parent / "fixtures" / "teams"
TENANT = TEAMS_TENANT
ANONYMOUS = TeamsAuth(anonymous=True)


def activity(fixture: str, **values: str) -> dict[str, Any]:
    """A recorded activity with its {{placeholders}} filled in."""
    raw = (ACTIVITIES / f"{fixture}.json").read_text(encoding="utf-8")
    loaded: dict[str, Any] = json.loads(raw)
    return fill(loaded, values)


@dataclass
class TeamsBot:
    """The bot served over HTTP, and the fake connector its replies go to."""

    url: str
    teams: FakeConnector
    channel: TeamsChannel
    http: httpx.Client
    ctx: AppContext
    _sender: TeamsSender | None = field(default=None, repr=False)

    def post(self, body: dict[str, Any], headers: dict[str, str] | None = None) -> httpx.Response:
        return self.http.post(f"{self.url}/api/messages", json=body, headers=headers or {})

    def _values(self, user: str, **values: str) -> dict[str, str]:
        values.setdefault("id", uuid.uuid4().hex[:16])
        return {
            "service_url": self.teams.service_url,
            "tenant": TENANT,
            "user": user,
            "name": values.pop("name", "Officer"),
            **values,
        }

    def say(self, user: str, text: str, **values: str) -> httpx.Response:
        """A message in the user's personal chat with the bot."""
        return self.post(activity("personal_message", **self._values(user, text=text, **values)))

    def mention(self, user: str, text: str, **values: str) -> httpx.Response:
        """'@engagebot …' in the steering group's channel."""
        return self.post(activity("channel_mention", **self._values(user, text=text, **values)))

    def press(self, user: str, value: dict[str, Any], on: str = "") -> httpx.Response:
        """A card's Action.Submit: its data (plus any inputs) arrives as the message's value."""
        body = activity("card_submit", **self._values(user, reply_to=on or "1000000000000"))
        body["value"] = value
        return self.post(body)

    def button(self, user: str, card_call: Any, title: str) -> httpx.Response:
        """Press the button titled `title` on a card the bot sent."""
        data = find_button(card_call.cards[0], title)
        return self.press(user, data, on=card_call.new_id)

    def choose(self, user: str, card_call: Any, option: str) -> httpx.Response:
        """Pick `option` in a card's menu (a choice set) and press its Choose button."""
        card = card_call.cards[0]
        [menu] = [e for e in all_elements(card) if e.get("type") == "Input.ChoiceSet"]
        value = next(c["value"] for c in menu["choices"] if c["title"] == option)
        choose = {**find_button(card, "Choose"), menu["id"]: value}
        return self.press(user, choose, card_call.new_id)

    def install(self, user: str, kind: str = "conversation_update") -> httpx.Response:
        return self.post(activity(kind, **self._values(user)))

    def sender(self) -> TeamsSender:
        """The reminders' sender, one per test, closed with the bot."""
        if self._sender is None:
            self._sender = TeamsSender(ANONYMOUS, partial(addresses.load, self.ctx, "teams"))
        return self._sender

    def close(self) -> None:
        if self._sender is not None:
            self._sender.close()


def find_button(card: dict[str, Any], title: str) -> dict[str, Any]:
    for action in all_actions(card):
        if action.get("title") == title:
            data: dict[str, Any] = action["data"]
            return data
    raise AssertionError(
        f"no button {title!r}; there are {[a.get('title') for a in all_actions(card)]}"
    )


def all_elements(node: Any) -> Iterator[dict[str, Any]]:
    """Every element of a card, depth first."""
    if isinstance(node, dict):
        if "type" in node:
            yield node
        for value in node.values():
            yield from all_elements(value)
    elif isinstance(node, list):
        for value in node:
            yield from all_elements(value)


def all_actions(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        if str(node.get("type", "")).startswith("Action."):
            yield node
        for value in node.values():
            yield from all_actions(value)
    elif isinstance(node, list):
        for value in node:
            yield from all_actions(value)


@contextmanager
def teams_bot(ctx: AppContext, auth: TeamsAuth = ANONYMOUS) -> Iterator[TeamsBot]:
    """The real server (aiohttp, its own loop in a background thread) and a fake connector."""
    with FakeConnector() as teams:
        conversation = Conversation(ctx)
        directory = TeamsDirectory(auth)
        conversation.add_directory("teams", directory)
        core = CoreInThreads(conversation, make_pool(4))
        channel = TeamsChannel(core, auth)
        server = start_in_thread([channel], ready=partial(readiness, ctx.engine))
        try:
            with httpx.Client(timeout=10) as http:
                bot = TeamsBot(server.url, teams, channel, http, ctx)
                try:
                    yield bot
                finally:
                    bot.close()
        finally:
            server.stop()
            core.close()
            directory.close()
