"""Who the bot is in Slack (auth.test), learnt when Slack answers and never awaited by a request.

slack-bolt's single-workspace authorization calls auth.test on the first request and fails it
(a 500 and a traceback) while Slack cannot be reached. Here the answer is asked for at start-up
and again in the background, at most once a minute, until Slack gives it; meanwhile requests are
authorized with the bot token alone, so they are still acknowledged and their updates saved.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from slack_bolt.authorization import AuthorizeResult
from slack_bolt.authorization.async_authorize import AsyncAuthorize
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

log = logging.getLogger(__name__)

RETRY_SECONDS = 60.0  # how often to ask again while Slack is down
CHECK_TIMEOUT = 5  # seconds the start-up check waits for Slack


def why_not(err: Exception, api_url: str) -> str:
    """One line saying why Slack did not answer auth.test."""
    if isinstance(err, SlackApiError):
        code = err.response.get("error") if err.response is not None else None
        if err.response is not None and err.response.status_code >= 500:
            return f"Slack's API at {api_url} answered {err.response.status_code}"
        return f"Slack refused the bot token ({code}): check SLACK_BOT_TOKEN"
    reason = getattr(err, "reason", None) or err
    return f"Slack's API at {api_url} could not be reached ({reason})"


class QuietTokenWarnings(logging.Filter):
    """slack-bolt warns that SLACK_BOT_TOKEN "will be ignored" when given a client and an
    authorize: untrue here (the client and `SlackIdentity` carry it), so not shown."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "`token`" not in record.getMessage()


class SlackIdentity(AsyncAuthorize):
    """The bot's identity in Slack, as slack-bolt's `authorize`: known, or being found out."""

    def __init__(self, token: str, aclient: AsyncWebClient) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.token = token
        self.aclient = aclient
        self.known: dict[str, Any] | None = None
        self._next_try = 0.0
        self._asking: asyncio.Task[None] | None = None

    def check(self, api_url: str) -> str | None:
        """Ask Slack now (start-up): None when it answered, else one line saying why not."""
        client = WebClient(token=self.token, base_url=self.aclient.base_url, timeout=CHECK_TIMEOUT)
        try:
            self.known = dict(client.auth_test().data)  # type: ignore[arg-type]
        except Exception as err:  # any failure to answer: refused, timed out, 5xx, bad token
            self._next_try = time.monotonic() + RETRY_SECONDS
            return why_not(err, api_url)
        return None

    async def __call__(
        self,
        *,
        context: AsyncBoltContext,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None,
        actor_enterprise_id: str | None = None,
        actor_team_id: str | None = None,
        actor_user_id: str | None = None,
    ) -> AuthorizeResult:
        """slack-bolt's authorize: never waits for Slack."""
        if self.known is None:
            self._ask_in_background()
        known = self.known or {}
        return AuthorizeResult(
            enterprise_id=known.get("enterprise_id") or enterprise_id,
            team_id=known.get("team_id") or team_id,
            bot_user_id=known.get("user_id"),
            bot_id=known.get("bot_id"),
            bot_token=self.token,
            user_id=user_id,
        )

    def _ask_in_background(self) -> None:
        if self._asking is not None or time.monotonic() < self._next_try:
            return
        self._next_try = time.monotonic() + RETRY_SECONDS
        self._asking = asyncio.get_running_loop().create_task(self._ask())

    async def _ask(self) -> None:
        try:
            self.known = dict((await self.aclient.auth_test()).data)  # type: ignore[arg-type]
            log.info("Slack is answering again: bot %s", self.known.get("user_id"))
        except Exception as err:  # the next request after RETRY_SECONDS asks again
            log.warning("%s; asking again in a minute", why_not(err, self.aclient.base_url))
        finally:
            self._asking = None
