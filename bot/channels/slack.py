"""The Slack channel: slack-bolt listeners that turn Slack payloads into neutral messages.

Every listener acknowledges first (Slack gives 3 seconds), then awaits the conversation core
(bot/core.py: worker processes, or a thread pool) and posts the replies with the async Web API
client, so neither a slow Slack nor a busy core delays another request's acknowledgement.
A modal submission is the exception: its problems must go back in the acknowledgement, so its
core call is awaited first.
Nothing from Slack reaches the handlers: they get an `Incoming` and give back `Reply` objects.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from dataclasses import replace
from http.client import HTTPException
from typing import Any, TypeVar

from aiohttp import ClientSession, ClientTimeout, web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry import (
    ConnectionErrorRetryHandler,
    HttpRequest,
    HttpResponse,
    RateLimitErrorRetryHandler,
    RetryHandler,
    RetryState,
)
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.channels import slack_blocks as kit
from bot.channels.cache import TTLCache
from bot.channels.slack_auth import QuietTokenWarnings, SlackIdentity
from bot.core import Core
from handlers.chat.messages import Form, Incoming, Reply
from handlers.chat.outbound import Recipient, SendError, Sent, Unreachable
from handlers.chat.state import ConversationKey

log = logging.getLogger(__name__)

T = TypeVar("T")
QUIET_TOKEN_WARNINGS = QuietTokenWarnings()  # one filter, however many channels are built

PATH = "/slack/events"
COMMAND = "/engage"
FORM_PREFIX = "form-"
WORK_AT_ONCE = 4  # requests whose work (core call, replies) runs at once after their ack
_MENTION = re.compile(r"<@[A-Z0-9]+(?:\|[^>]*)?>")
# Message subtypes that are still a person writing: a reply also sent to the channel ("Also
# send to channel"), a message with a file. Not edits, joins, canvas mentions or bots.
_SPOKEN = frozenset({"thread_broadcast", "file_share"})
FILES_NOT_KEPT = (
    "I've read the words of your message; attachments aren't kept, so put anything that "
    "matters in the message itself."
)

# How the synchronous client fails when Slack does not answer (refused, dropped, timed out):
# to the outbox these are failed sends, tried again on the next run, never a crashed run.
UNREACHED = (OSError, HTTPException, SlackClientError)

# Methods that change nothing, or change it to the same end state, so a 5xx may be retried.
SAFE_TO_RETRY = {"auth.test", "users.info", "views.publish", "views.update", "conversations.open"}


def _safe_to_retry(request: HttpRequest, response: HttpResponse | None) -> bool:
    if response is None or response.status_code < 500:
        return False
    return request.url.rsplit("/", 1)[-1] in SAFE_TO_RETRY


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
        return _safe_to_retry(request, response)


class AsyncSafeServerErrorRetryHandler(AsyncRetryHandler):
    """The same rule for the async client."""

    async def _can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        return _safe_to_retry(request, response)


def make_client(token: str, api_url: str) -> WebClient:
    """A Web API client that obeys Retry-After on 429 and retries 5xx only where safe.

    Synchronous: for the reminder scheduler's thread and e-mail look-ups from the core.
    """
    handlers = [
        RateLimitErrorRetryHandler(max_retry_count=3),
        SafeServerErrorRetryHandler(max_retry_count=2),
        ConnectionErrorRetryHandler(max_retry_count=1),
    ]
    return WebClient(token=token, base_url=api_url.rstrip("/") + "/", retry_handlers=handlers)


def _async_retries(*, server_errors: bool = True) -> list[AsyncRetryHandler]:
    handlers: list[AsyncRetryHandler] = [AsyncRateLimitErrorRetryHandler(max_retry_count=3)]
    if server_errors:
        handlers.append(AsyncSafeServerErrorRetryHandler(max_retry_count=2))
    handlers.append(AsyncConnectionErrorRetryHandler(max_retry_count=1))
    return handlers


def make_async_client(token: str, api_url: str) -> AsyncWebClient:
    """The async twin of `make_client`, for replies posted from the event loop."""
    return AsyncWebClient(
        token=token, base_url=api_url.rstrip("/") + "/", retry_handlers=_async_retries()
    )


class SlackChannel:
    """engagebot inside Slack: `/engage`, DMs, mentions, App Home, buttons and the update modal.

    `client` (sync) looks up e-mails for the core and sends reminders; `aclient` (async) posts
    replies. `mount` puts the endpoint on the server; `bind` alone suits Socket Mode.
    """

    name = "slack"

    def __init__(
        self,
        core: Core,
        client: WebClient,
        signing_secret: str,
        aclient: AsyncWebClient | None = None,
    ) -> None:
        self.core = core
        self.client = client
        self.aclient = aclient or AsyncWebClient(
            token=client.token, base_url=client.base_url, retry_handlers=_async_retries()
        )
        self._session: ClientSession | None = None  # one connection pool for every reply
        self._tasks: set[asyncio.Task[None]] = set()
        self._busy: asyncio.Semaphore | None = None  # made inside the loop, on first use
        self._first_auth: asyncio.Lock | None = None  # likewise; see _dispatch
        self._authorized = False
        # process_before_response: each listener acks itself, then hands its work to a task,
        # so the acknowledgement goes back at once instead of being polled for.
        self._verifier = SignatureVerifier(signing_secret)
        # Who the bot is comes from auth.test, asked outside any request (slack_auth.py), so a
        # Slack outage never fails a request that only needs acknowledging.
        self.identity = SlackIdentity(client.token or "", self.aclient)
        logging.getLogger("slack_bolt.AsyncApp").addFilter(QUIET_TOKEN_WARNINGS)
        self.app = AsyncApp(
            client=self.aclient,
            signing_secret=signing_secret,
            authorize=self.identity,
            process_before_response=True,
        )
        self._register(self.app)

    # -- wiring ---------------------------------------------------------------------------

    def _register(self, app: AsyncApp) -> None:
        app.command(COMMAND)(self.on_command)
        app.event("message")(self.on_message)
        app.event("app_mention")(self.on_mention)
        app.event("app_home_opened")(self.on_home)
        # Buttons and menus route by the intent in their action_id ("do:FLOW:VERB:N");
        # "choice-N" is a button sent before intents, whose value is words.
        app.action(re.compile(rf"^{kit.ACTION_PREFIX}"))(self.on_button)
        app.action(re.compile(r"^choice-\d+$"))(self.on_button)
        app.view(re.compile(rf"^{FORM_PREFIX}"))(self.on_form)
        app.error(self._on_error)

    def registered(self) -> dict[str, set[str]]:
        """What this app handles, for checking the manifest: commands, events, interactivity."""
        return {"commands": {COMMAND}, "events": {"message.im", "app_mention", "app_home_opened"}}

    def mount(self, app: web.Application) -> None:
        """POST /slack/events on the server; work in flight is finished before it stops."""
        app.router.add_post(PATH, self.endpoint)
        app.on_shutdown.append(self._drain)

    async def endpoint(self, request: web.Request) -> web.Response:
        """The signature and timestamp are checked before the body is read as anything (an
        unsigned or garbled request gets 401, never a traceback); then slack-bolt dispatches."""
        body = await request.text()
        if not self._signed(body, request.headers):
            # One line, never the body: a flood of forged requests must not flood the log.
            log.info(
                "refused a Slack request with a bad signature (%d bytes from %s)",
                len(body),
                request.remote,
            )
            return web.Response(status=401, text="invalid request")
        try:
            bolt_response = await self._dispatch(await to_bolt_request(request))
        except (ValueError, AttributeError, TypeError, KeyError) as err:
            # Signed, but not a payload Slack sends: bad JSON, JSON that is not an object, or
            # one slack-bolt cannot take apart (a modal with several response_urls).
            log.warning("Slack request could not be read: %s", type(err).__name__)
            return web.Response(status=400, text="bad request")
        return await to_aiohttp_response(bolt_response)

    async def _dispatch(self, request: AsyncBoltRequest) -> BoltResponse:
        """slack-bolt asks Slack who the bot is (auth.test) on the first request and keeps the
        answer; until it has it, requests go in one at a time, so a burst at start-up makes
        one auth.test call instead of one per request (which Slack throttles, and which held
        up every acknowledgement of the burst)."""
        if not self._authorized:
            if self._first_auth is None:
                self._first_auth = asyncio.Lock()
            async with self._first_auth:
                if not self._authorized:
                    response = await self.app.async_dispatch(request)
                    self._authorized = request.context.authorize_result is not None
                    return response
        return await self.app.async_dispatch(request)

    async def _on_error(self, error: Exception, response: BoltResponse) -> None:
        """A listener or slack-bolt's middleware failed on a payload: a field missing or of
        the wrong kind is the payload's fault (400, not 500, and no traceback); anything
        else is logged as the bug it is."""
        if isinstance(error, (KeyError, TypeError, AttributeError, ValueError)):
            log.warning("Slack payload could not be read: %r", error)
            response.status, response.body = 400, "bad request"
        else:
            log.error("Slack request failed", exc_info=error)

    def _signed(self, body: str, headers: Mapping[str, str]) -> bool:
        try:
            return self._verifier.is_valid(
                body,
                headers.get("X-Slack-Request-Timestamp", ""),
                headers.get("X-Slack-Signature", ""),
            )
        except ValueError:  # a timestamp that is not a number
            return False

    async def _drain(self, app: web.Application | None = None) -> None:
        """On shutdown: let replies in flight go out, then close the HTTP connections."""
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=10)
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _http(self) -> ClientSession:
        """The loop's one HTTP client session (opened on first use, inside the loop), shared
        by the Web API client and response_url answers, so connections are reused."""
        if self._session is None or self._session.closed:
            self._session = ClientSession(timeout=ClientTimeout(total=30))
            self.aclient.session = self._session
        return self._session

    def _after_ack(self, work: Coroutine[Any, Any, None]) -> None:
        """Carry on with `work` once the acknowledgement has gone back."""
        self._http()
        task = asyncio.get_running_loop().create_task(self._logged(self._in_turn(work)))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _in_turn(self, work: Awaitable[None]) -> None:
        """At most a few requests' work at once on the loop: a burst's replies queue here, not
        among the callbacks that acknowledge the next requests."""
        if self._busy is None:
            self._busy = asyncio.Semaphore(WORK_AT_ONCE)
        async with self._busy:
            await work

    @staticmethod
    async def _logged(work: Awaitable[None]) -> None:
        try:
            await work
        except Exception:
            log.exception("Slack work after the acknowledgement failed")

    # -- listeners --------------------------------------------------------------------------

    async def on_command(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        await ack()
        self._after_ack(self._command(body))

    async def _command(self, body: dict[str, Any]) -> None:
        text = body.get("text", "").strip() or "help"
        base = self._incoming(body["team_id"], body["channel_id"], body["user_id"], text)
        response_url = body.get("response_url")
        trigger = body.get("trigger_id")
        outcome = await self.core.respond(replace(base, forms=bool(trigger)))
        if outcome.form is not None and trigger:
            await self._show_form(outcome.form, trigger, response_url)
        for reply in outcome.replies:
            kind = "in_channel" if reply.broadcast else "ephemeral"
            await self._respond(response_url, {**kit.message(reply), "response_type": kind})
            await self._upload(reply, body["channel_id"], None)

    async def on_message(self, ack: AsyncAck, body: dict[str, Any], event: dict[str, Any]) -> None:
        await ack()
        if event.get("channel_type") != "im" or not _from_a_person(event):
            return
        thread = event.get("thread_ts")
        msg = self._incoming(
            _user_team(body, event),
            _conversation(event["channel"], thread),
            event["user"],
            event.get("text", ""),
            event_id=body.get("event_id"),
        )
        self._after_ack(self._answer(msg, event["channel"], event["user"], thread, _files(event)))

    async def on_mention(self, ack: AsyncAck, body: dict[str, Any], event: dict[str, Any]) -> None:
        await ack()
        if not _from_a_person(event):
            return
        thread = event.get("thread_ts") or event["ts"]
        text = _MENTION.sub("", event.get("text", "")).strip()
        text = text or ("" if _files(event) else "help")
        msg = self._incoming(
            _user_team(body, event),
            _conversation(event["channel"], thread),
            event["user"],
            text,
            event_id=body.get("event_id"),
        )
        self._after_ack(self._answer(msg, event["channel"], event["user"], thread, _files(event)))

    async def on_home(self, ack: AsyncAck, body: dict[str, Any], event: dict[str, Any]) -> None:
        await ack()
        if event.get("tab", "home") != "home":
            return
        self._after_ack(
            self.publish_home(body.get("team_id", ""), event["user"], body.get("event_id"))
        )

    async def publish_home(self, team: str, user: str, event_id: str | None = None) -> None:
        msg = self._incoming(team, "app_home", user, "my actions", event_id=event_id)
        replies = await self.core.handle(msg)
        if replies:  # none for a redelivered event: the Home tab is already up to date
            await self._call(self.aclient.views_publish, user_id=user, view=kit.home_view(replies))

    async def on_button(self, ack: AsyncAck, body: dict[str, Any], action: dict[str, Any]) -> None:
        await ack()
        self._after_ack(self._button(body, action))

    async def _button(self, body: dict[str, Any], action: dict[str, Any]) -> None:
        """A button or a menu, routed by the intent it carries; the message it was on is then
        shown answered (its buttons gone), from the copy kept in the database."""
        user = body["user"]["id"]
        team = _user_team(body)
        response_url = body.get("response_url")
        trigger = body.get("trigger_id")
        channel, thread, ephemeral = _where(body, user)
        msg = Incoming(
            channel="slack",
            workspace=team,
            conversation=_conversation(channel, thread),
            user=user,
            text="",
            event_id=f"action:{action.get('action_ts', '')}:{action.get('action_id', '')}",
            place=channel,
            card=kit.card_of(action),
            forms=bool(trigger),
        )
        pressed = kit.pressed_intent(action)
        if pressed is not None:
            intent, label = pressed
            msg = replace(msg, text=label or intent.key, intent=intent)
        else:  # a button sent before intents: its words, as typed
            value = str(action.get("value", ""))
            label = str((action.get("text") or {}).get("text", value))
            msg = replace(msg, text=label, choice=value)
        outcome = await self.core.respond(msg)
        if outcome.form is not None and trigger:
            await self._show_form(outcome.form, trigger, response_url)
        if outcome.pressed is not None:
            await self._show_pressed(body, outcome.pressed, response_url)
        # Private answers (a refusal, a problem) stay with the presser, as Slack's own
        # ephemeral messages; the rest are posted where the button was.
        for reply in outcome.replies:
            if ephemeral or (reply.private and response_url):
                await self._respond(
                    response_url,
                    {**kit.message(reply), "response_type": "ephemeral", "replace_original": False},
                )
            else:
                await self._post_all([reply], channel, user, thread)

    async def on_form(self, ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        user = body["user"]["id"]
        team = _user_team(body)
        name = view["callback_id"].removeprefix(FORM_PREFIX)
        values = kit.submitted_values(view.get("state", {}))
        msg = self._incoming(team, user, user, "")
        # private_metadata is only a key: who may act on it is checked again by the handler.
        result = await self.core.submit_form(
            msg,
            name,
            view.get("private_metadata", ""),
            values,
            view.get("id", ""),
        )
        if result.errors:
            await ack(response_action="errors", errors=result.errors)
            return
        await ack()
        replies = list(result.turn.replies) if result.turn is not None else []
        self._after_ack(self._after_form(replies, team, user))

    async def _after_form(self, replies: list[Reply], team: str, user: str) -> None:
        await self._post_all(replies, user, user, None)
        await self.publish_home(team, user)

    # -- helpers -------------------------------------------------------------------------------

    async def _answer(
        self, msg: Incoming, channel: str, user: str, thread: str | None, files: bool = False
    ) -> None:
        """The core's answer; a message with a file is read for its words, and told so."""
        replies = await self.core.handle(msg) if msg.text.strip() or not files else []
        if files:
            replies.append(Reply(FILES_NOT_KEPT, private=True))
        await self._post_all(replies, channel, user, thread)

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

    async def _show_pressed(
        self, body: dict[str, Any], pressed: Reply, response_url: str | None
    ) -> None:
        """Replace the message whose button was pressed: an ephemeral one through its
        response_url, a posted one with chat.update; a Home tab is republished elsewhere."""
        container = body.get("container") or {}
        if container.get("type") != "message":
            return
        if container.get("is_ephemeral"):
            await self._respond(response_url, {**kit.message(pressed), "replace_original": True})
            return
        channel, ts = container.get("channel_id"), container.get("message_ts")
        if channel and ts:
            update = self.aclient.chat_update
            await self._call(update, channel=channel, ts=ts, **kit.message(pressed))

    async def _show_form(self, form: Form, trigger_id: str, response_url: str | None) -> None:
        if not await self._call(
            self.aclient.views_open, trigger_id=trigger_id, view=kit.modal(form)
        ):
            command = form.title[:1].lower() + form.title[1:]  # "update R4"
            text = f"I couldn't open the update form. Send me '{command}' in a DM instead."
            await self._respond(
                response_url,
                {"text": text, "response_type": "ephemeral", "replace_original": False},
            )

    async def _respond(self, response_url: str | None, message: dict[str, Any]) -> bool:
        """Answer through the request's response_url (429 waited out, a refused connection
        tried once more, a 5xx not retried: the message may have been posted)."""
        if not response_url:
            log.warning("no response_url to answer on")
            return False
        webhook = AsyncWebhookClient(
            url=response_url,
            session=self._http(),
            retry_handlers=_async_retries(server_errors=False),
        )
        try:
            sent = await webhook.send_dict(message)
        except Exception as err:  # aiohttp's connection errors, timeouts
            log.warning("Slack response_url failed: %r", err)
            return False
        if sent.status_code != 200:
            log.warning("Slack response_url answered %s: %s", sent.status_code, sent.body)
            return False
        return True

    async def _post_all(
        self, replies: list[Reply], channel: str, user: str, thread: str | None
    ) -> None:
        for reply in replies:
            payload = kit.message(reply)
            if reply.private and not channel.startswith("D") and channel != user:
                await self._call(
                    self.aclient.chat_postEphemeral, channel=channel, user=user, **payload
                )
            else:
                await self._call(
                    self.aclient.chat_postMessage, channel=channel, thread_ts=thread, **payload
                )
            await self._upload(reply, channel, thread)

    async def _upload(self, reply: Reply, channel: str, thread: str | None) -> None:
        """A reply's picture (the summary's chart) as a file in the same place."""
        if reply.image is None:
            return
        image = reply.image
        await self._call(
            self.aclient.files_upload_v2,
            channel=channel,
            thread_ts=thread,
            content=image.png,
            filename=image.filename,
            title=image.title,
        )

    async def _call(self, method: Callable[..., Awaitable[Any]], **kwargs: Any) -> bool:
        """Call the Web API; a failure is logged, never raised into a half-finished turn.

        By the time anything is posted, the user's update is already committed.
        """
        try:
            await method(**kwargs)
        except SlackApiError as err:
            log.warning("Slack %s failed: %s", method.__name__, err.response.get("error"))
            return False
        except Exception as err:  # aiohttp's connection errors, timeouts
            log.warning("Slack %s failed: %r", method.__name__, err)
            return False
        return True


class SlackDirectory:
    """Slack's address book for the core: a user's e-mail from users.info (needs
    users:read.email), remembered for an hour (`TTLCache`). The core calls it synchronously."""

    def __init__(self, client: WebClient, emails: TTLCache[str, str | None] | None = None) -> None:
        self.client = client
        self._emails: TTLCache[str, str | None] = emails if emails is not None else TTLCache()

    def email_of(self, user: str, address: Mapping[str, str] | None = None) -> str | None:
        cached = self._emails.get(user)
        if cached is not None:
            return cached[0]
        try:
            info = self.client.users_info(user=user)
        except SlackApiError as err:
            log.warning("users.info failed for %s: %s", user, err.response.get("error"))
            return None
        except Exception as err:  # Slack unreachable: not remembered, so asked again next time
            log.warning("users.info failed for %s: %s", user, getattr(err, "reason", err))
            return None
        email: str | None = info["user"].get("profile", {}).get("email")
        self._emails.put(user, email)
        return email


def _from_a_person(event: dict[str, Any]) -> bool:
    """The one rule for events: a person's own words, never a bot's (ours or another app's,
    which could answer back for ever) nor a subtype that is not someone writing."""
    subtype = event.get("subtype")
    return (
        not event.get("bot_id")
        and bool(event.get("user"))
        and (subtype is None or subtype in _SPOKEN)
    )


def _files(event: dict[str, Any]) -> bool:
    return bool(event.get("files"))


def _user_team(body: dict[str, Any], event: dict[str, Any] | None = None) -> str:
    """The workspace the user belongs to: in a channel shared with another organisation (Slack
    Connect) that is theirs, not the one the event was delivered to, so a stranger from another
    council is refused, never taken for an officer with the same e-mail."""
    user = body.get("user")
    theirs = (event or {}).get("user_team") or (
        user.get("team_id") if isinstance(user, dict) else ""
    )
    return str(theirs or body.get("team_id") or (body.get("team") or {}).get("id", ""))


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
            # before posting: a failure after the post would post twice
            team = to.workspace or self.team()
            opened = self.client.conversations_open(users=to.user_id)
            dm = opened["channel"]["id"]
            posted = self.client.chat_postMessage(channel=dm, **payload)
        except SlackApiError as err:
            raise SendError(f"Slack said {err.response.get('error')}") from err
        except UNREACHED as err:
            raise SendError(f"Slack could not be reached: {err!r}") from err
        key = ConversationKey("slack", team, dm, to.user_id)
        return Sent(key, _message_id(dm, posted.get("ts")))

    def update(self, sent: Sent, reply: Reply) -> None:
        """Replace a sent message (chat.update), e.g. once its buttons have been answered."""
        channel, _, ts = sent.message_id.partition(" ")
        try:
            self.client.chat_update(channel=channel, ts=ts, **kit.message(reply))
        except SlackApiError as err:
            raise SendError(f"Slack said {err.response.get('error')}") from err
        except UNREACHED as err:
            raise SendError(f"Slack could not be reached: {err!r}") from err

    def team(self) -> str:
        """The workspace id, as events carry it, so a reply continues this conversation."""
        if self._team is None:
            self._team = str(self.client.auth_test().get("team_id", ""))
        return self._team


def _message_id(channel: str, ts: object) -> str:
    """Slack names a message by its channel and timestamp."""
    return f"{channel} {ts}" if ts else ""
