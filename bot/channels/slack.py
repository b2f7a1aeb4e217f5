"""The Slack channel: slack-bolt listeners that turn Slack payloads into neutral messages.

Every listener acknowledges first (Slack gives 3 seconds) and does the work after, except a
modal submission, whose problems must go back in the acknowledgement itself. Nothing from
Slack reaches the handlers: they get an `Incoming` and give back `Reply` objects.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry import (
    ConnectionErrorRetryHandler,
    HttpRequest,
    HttpResponse,
    RateLimitErrorRetryHandler,
    RetryHandler,
    RetryState,
)

from bot.channels import slack_blocks as kit
from bot.conversation import Conversation
from handlers.chat.messages import Form, Incoming, Reply
from handlers.chat.outbound import Recipient, SendError, Sent, Unreachable
from handlers.chat.state import ConversationKey

log = logging.getLogger(__name__)

COMMAND = "/engage"
FORM_PREFIX = "form-"
_UPDATE = re.compile(r"^\s*update\s+(\S+)\s*$", re.IGNORECASE)
_MENTION = re.compile(r"<@[A-Z0-9]+(?:\|[^>]*)?>")

# Methods that change nothing, or change it to the same end state, so a 5xx may be retried.
SAFE_TO_RETRY = {"auth.test", "users.info", "views.publish", "views.update", "conversations.open"}


class SafeServerErrorRetryHandler(RetryHandler):
    """Retry 5xx only for idempotent methods: a retried chat.postMessage could post twice."""

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if response is None or response.status_code < 500:
            return False
        return request.url.rsplit("/", 1)[-1] in SAFE_TO_RETRY


def make_client(token: str, api_url: str) -> WebClient:
    """A Web API client that obeys Retry-After on 429 and retries 5xx only where safe."""
    handlers = [
        RateLimitErrorRetryHandler(max_retry_count=3),
        SafeServerErrorRetryHandler(max_retry_count=2),
        ConnectionErrorRetryHandler(max_retry_count=1),
    ]
    return WebClient(token=token, base_url=api_url.rstrip("/") + "/", retry_handlers=handlers)


class SlackChannel:
    """engagebot inside Slack: `/engage`, DMs, mentions, App Home, buttons and the update modal."""

    def __init__(self, conversation: Conversation, client: WebClient, signing_secret: str) -> None:
        self.conversation = conversation
        self.client = client
        self._emails: dict[str, str | None] = {}
        self.app = App(client=client, signing_secret=signing_secret)
        conversation.add_directory("slack", self)
        self._register(self.app)

    # -- wiring ---------------------------------------------------------------------------

    def _register(self, app: App) -> None:
        app.command(COMMAND)(self.on_command)
        app.event("message")(self.on_message)
        app.event("app_mention")(self.on_mention)
        app.event("app_home_opened")(self.on_home)
        app.action(re.compile(r"^choice-\d+$"))(self.on_button)
        app.view(re.compile(rf"^{FORM_PREFIX}"))(self.on_form)

    def registered(self) -> dict[str, set[str]]:
        """What this app handles, for checking the manifest: commands, events, interactivity."""
        return {"commands": {COMMAND}, "events": {"message.im", "app_mention", "app_home_opened"}}

    # -- listeners --------------------------------------------------------------------------

    def on_command(self, ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        ack()
        text = body.get("text", "").strip() or "help"
        base = self._incoming(body["team_id"], body["channel_id"], body["user_id"], text)
        update = _UPDATE.match(text)
        if update and body.get("trigger_id"):
            self._open_form(base, update.group(1), body["trigger_id"], respond)
            return
        for reply in self.conversation.handle(base):
            kind = "in_channel" if reply.broadcast else "ephemeral"
            respond(**kit.message(reply), response_type=kind)
            self._upload(reply, body["channel_id"], None)

    def on_message(self, body: dict[str, Any], event: dict[str, Any]) -> None:
        # Only people's own words in a DM: not edits, joins, or the bot's own messages.
        if event.get("channel_type") != "im" or event.get("subtype") or event.get("bot_id"):
            return
        thread = event.get("thread_ts")
        msg = self._incoming(
            body.get("team_id", ""),
            _conversation(event["channel"], thread),
            event["user"],
            event.get("text", ""),
            event_id=body.get("event_id"),
        )
        self._post_all(self.conversation.handle(msg), event["channel"], event["user"], thread)

    def on_mention(self, body: dict[str, Any], event: dict[str, Any]) -> None:
        thread = event.get("thread_ts") or event["ts"]
        text = _MENTION.sub("", event.get("text", "")).strip() or "help"
        msg = self._incoming(
            body.get("team_id", ""),
            _conversation(event["channel"], thread),
            event["user"],
            text,
            event_id=body.get("event_id"),
        )
        self._post_all(self.conversation.handle(msg), event["channel"], event["user"], thread)

    def on_home(self, body: dict[str, Any], event: dict[str, Any]) -> None:
        if event.get("tab", "home") != "home":
            return
        self.publish_home(body.get("team_id", ""), event["user"], body.get("event_id"))

    def publish_home(self, team: str, user: str, event_id: str | None = None) -> None:
        msg = self._incoming(team, "app_home", user, "my actions", event_id=event_id)
        replies = self.conversation.handle(msg)
        if replies:  # none for a redelivered event: the Home tab is already up to date
            self._call(self.client.views_publish, user_id=user, view=kit.home_view(replies))

    def on_button(
        self, ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond
    ) -> None:
        ack()
        user = body["user"]["id"]
        team = (body.get("team") or {}).get("id", "")
        value = action.get("value", "")
        label = (action.get("text") or {}).get("text", value)
        update = _UPDATE.match(value)
        if update and body.get("trigger_id"):
            base = self._incoming(team, user, user, value)
            self._open_form(base, update.group(1), body["trigger_id"], respond)
            return
        channel, thread, ephemeral = _where(body, user)
        msg = Incoming(
            channel="slack",
            workspace=team,
            conversation=_conversation(channel, thread),
            user=user,
            text=label,
            choice=value,
            event_id=f"action:{action.get('action_ts', '')}:{action.get('action_id', '')}",
            place=channel,
        )
        replies = self.conversation.handle(msg)
        if ephemeral:
            for reply in replies:
                respond(**kit.message(reply), response_type="ephemeral", replace_original=False)
            return
        self._post_all(replies, channel, user, thread)

    def on_form(self, ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        user = body["user"]["id"]
        team = (body.get("team") or {}).get("id", "")
        name = view["callback_id"].removeprefix(FORM_PREFIX)
        values = kit.submitted_values(view.get("state", {}))
        msg = self._incoming(team, user, user, "")
        # private_metadata is only a key: who may act on it is checked again by the handler.
        result = self.conversation.submit_form(
            msg, name, view.get("private_metadata", ""), values, view.get("id", "")
        )
        if result.errors:
            ack(response_action="errors", errors=result.errors)
            return
        ack()
        if result.turn is not None:
            self._post_all(list(result.turn.replies), user, user, None)
        self.publish_home(team, user)

    # -- helpers -------------------------------------------------------------------------------

    def _incoming(
        self, team: str, conversation: str, user: str, text: str, event_id: str | None = None
    ) -> Incoming:
        return Incoming(
            channel="slack",
            workspace=team,
            conversation=conversation,
            user=user,
            text=text,
            event_id=event_id,
            place=conversation.split(":", 1)[0],
        )

    def _open_form(self, msg: Incoming, ref: str, trigger_id: str, respond: Respond) -> None:
        form = self.conversation.open_form(msg, "update", ref)
        if not isinstance(form, Form):
            for reply in form:
                respond(**kit.message(reply), response_type="ephemeral", replace_original=False)
            return
        if not self._call(self.client.views_open, trigger_id=trigger_id, view=kit.modal(form)):
            text = f"I couldn't open the update form. Send me 'update {ref}' in a DM instead."
            respond(text=text, response_type="ephemeral", replace_original=False)

    def _post_all(self, replies: list[Reply], channel: str, user: str, thread: str | None) -> None:
        for reply in replies:
            payload = kit.message(reply)
            if reply.private and not channel.startswith("D") and channel != user:
                self._call(self.client.chat_postEphemeral, channel=channel, user=user, **payload)
            else:
                self._call(
                    self.client.chat_postMessage, channel=channel, thread_ts=thread, **payload
                )
            self._upload(reply, channel, thread)

    def _upload(self, reply: Reply, channel: str, thread: str | None) -> None:
        """A reply's picture (the summary's chart) as a file in the same place."""
        if reply.image is None:
            return
        image = reply.image
        self._call(
            self.client.files_upload_v2,
            channel=channel,
            thread_ts=thread,
            content=image.png,
            filename=image.filename,
            title=image.title,
        )

    def _call(self, method: Callable[..., Any], **kwargs: Any) -> bool:
        """Call the Web API; a failure is logged, never raised into a half-finished turn.

        By the time anything is posted, the user's update is already committed.
        """
        try:
            method(**kwargs)
        except SlackApiError as err:
            log.warning("Slack %s failed: %s", method.__name__, err.response.get("error"))
            return False
        return True

    def email_of(self, user: str) -> str | None:
        """A Slack user's e-mail from users.info (needs users:read.email), looked up once."""
        if user not in self._emails:
            try:
                info = self.client.users_info(user=user)
                self._emails[user] = info["user"].get("profile", {}).get("email")
            except SlackApiError as err:
                log.warning("users.info failed for %s: %s", user, err.response.get("error"))
                return None
        return self._emails[user]


def _conversation(channel: str, thread: str | None) -> str:
    """A DM is one conversation, threads included (a reply to a reminder's thread continues
    it); in a channel each thread is its own."""
    return f"{channel}:{thread}" if thread and not channel.startswith("D") else channel


def _where(body: dict[str, Any], user: str) -> tuple[str, str | None, bool]:
    """(channel, thread, ephemeral?) of the message whose button was pressed."""
    container = body.get("container") or {}
    channel = container.get("channel_id") or (body.get("channel") or {}).get("id") or user
    message = body.get("message") or {}
    thread = message.get("thread_ts")
    return channel, thread, bool(container.get("is_ephemeral"))


class SlackSender:
    """Delivers queued reminders as Slack DMs (or channel posts, for a chair's channel)."""

    via = "slack"

    def __init__(self, client: WebClient) -> None:
        self.client = client
        self._team: str | None = None

    def send(self, to: Recipient, reply: Reply) -> Sent:
        payload = kit.message(reply)
        try:
            if to.chat_channel:
                posted = self.client.chat_postMessage(channel=to.chat_channel, **payload)
                if reply.image is not None:
                    self.client.files_upload_v2(
                        channel=to.chat_channel,
                        content=reply.image.png,
                        filename=reply.image.filename,
                        title=reply.image.title,
                    )
                return Sent(None, _message_id(to.chat_channel, posted.get("ts")))
            if not to.user_id:
                raise Unreachable(
                    f"{to.name} has no Slack id: engagebot people assign … --slack U…"
                )
            opened = self.client.conversations_open(users=to.user_id)
            dm = opened["channel"]["id"]
            posted = self.client.chat_postMessage(channel=dm, **payload)
        except SlackApiError as err:
            raise SendError(f"Slack said {err.response.get('error')}") from err
        key = ConversationKey("slack", self.team(), dm, to.user_id)
        return Sent(key, _message_id(dm, posted.get("ts")))

    def update(self, sent: Sent, reply: Reply) -> None:
        """Replace a sent message (chat.update), e.g. once its buttons have been answered."""
        channel, _, ts = sent.message_id.partition(" ")
        try:
            self.client.chat_update(channel=channel, ts=ts, **kit.message(reply))
        except SlackApiError as err:
            raise SendError(f"Slack said {err.response.get('error')}") from err

    def team(self) -> str:
        """The workspace id, as events carry it, so a reply continues this conversation."""
        if self._team is None:
            self._team = str(self.client.auth_test().get("team_id", ""))
        return self._team


def _message_id(channel: str, ts: object) -> str:
    """Slack names a message by its channel and timestamp."""
    return f"{channel} {ts}" if ts else ""
