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
import random
import re
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from contextvars import ContextVar
from dataclasses import replace
from http.client import HTTPException
from typing import Any, TypeVar

from aiohttp import ClientSession, ClientTimeout, web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
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
    AsyncServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import BackoffRetryIntervalCalculator
from slack_sdk.http_retry.jitter import Jitter
from slack_sdk.oauth.token_rotation.async_rotator import AsyncTokenRotator
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.channels import slack_blocks as kit
from bot.channels import statuses
from bot.channels.cache import TTLCache
from bot.channels.slack_auth import QuietTokenWarnings, SlackIdentity
from bot.channels.slack_command import answer_locally
from bot.channels.slack_install import (
    INSTALL_PATH,
    REDIRECT_PATH,
    InstallationStore,
    OAuthSetup,
    SlackTokens,
    WorkspaceAuthorize,
    oauth_flow,
)
from bot.channels.statuses import Meaning
from bot.core import Core
from handlers.chat.messages import Form, Incoming, IncomingFile, Reply
from handlers.chat.outbound import CredentialsRefused, Recipient, SendError, Sent, Unreachable
from handlers.chat.state import ConversationKey

log = logging.getLogger(__name__)

T = TypeVar("T")
QUIET_TOKEN_WARNINGS = QuietTokenWarnings()  # one filter, however many channels are built

PATH = "/slack/events"
COMMAND = "/engage"
FORM_PREFIX = "form-"
WORK_AT_ONCE = 4  # Web API calls (replies) made at once after the acks
_MENTION = re.compile(r"<@[A-Z0-9]+(?:\|[^>]*)?>")
# Message subtypes that are still a person writing: a reply also sent to the channel ("Also
# send to channel"), a message with a file. Not edits, joins, canvas mentions or bots.
_SPOKEN = frozenset({"thread_broadcast", "file_share"})
# "attach to consultation 12" with a file: the file is fetched and goes with the message.
_ATTACH = re.compile(r"^\s*attach\b", re.IGNORECASE)
MAX_FILES = 5
MAX_FILE_BYTES = 100 * 1024 * 1024  # the handler enforces the council's limit
FILES_NOT_KEPT = (
    "I've read the words of your message; attachments aren't kept, so put anything that "
    "matters in the message itself."
)

# How the synchronous client fails when Slack does not answer (refused, dropped, timed out):
# to the outbox these are failed sends, tried again on the next run, never a crashed run.
UNREACHED = (OSError, HTTPException, SlackClientError)

# Methods that change nothing, or change it to the same end state, so a 5xx may be retried.
SAFE_TO_RETRY = {"auth.test", "users.info", "views.publish", "views.update", "conversations.open"}

# Slack's answers when the bot may not post in a channel: not invited, or private and unknown.
NOT_A_MEMBER = frozenset({"not_in_channel", "channel_not_found"})
INVITE = (
    "Add me there with `/invite @engagebot` (or the channel's settings → Integrations → Add apps)"
)
LOG_SHORTCUT = "log_update"  # message shortcut "Log as progress update"
CONSULT_SHORTCUT = "consult"  # global shortcut "Should I consult?"
_CHANNEL_ID = re.compile(r"^[CGD][A-Z0-9]{2,20}$")

# The Web API client of the workspace a request came from (each has its own token), set by a
# middleware once slack-bolt has authorized the request. Work carried on after the
# acknowledgement is a task made inside the request, so it keeps the same client.
_WORKSPACE_CLIENT: ContextVar[AsyncWebClient | None] = ContextVar("slack_client", default=None)
# The Enterprise Grid organisation whose org-wide install authorized the request, if any.
_ORG_WIDE: ContextVar[str] = ContextVar("slack_org_wide", default="")


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


BACK_OFF = 0.5  # seconds before a reply's first retry; doubled each time, plus some jitter


class _Jitter(Jitter):
    """Up to one more back-off step at random, so retries from many replies spread out."""

    def recalculate(self, duration: float) -> float:
        return duration + random.random() * BACK_OFF


def _async_retries() -> list[AsyncRetryHandler]:
    """For replies: 429 waited out, every 5xx and dropped connection tried again with a
    growing back-off (a reply's person is waiting; one still failing is kept, see `_hold`)."""
    wait = BackoffRetryIntervalCalculator(backoff_factor=BACK_OFF, jitter=_Jitter())
    return [
        AsyncRateLimitErrorRetryHandler(max_retry_count=3),
        AsyncServerErrorRetryHandler(max_retry_count=3, interval_calculator=wait),
        AsyncConnectionErrorRetryHandler(max_retry_count=3, interval_calculator=wait),
    ]


def make_async_client(token: str, api_url: str) -> AsyncWebClient:
    """The async client, for replies posted from the event loop. Unlike `make_client` (the
    reminders', whose failures the outbox retries) it retries every 5xx: a person is waiting,
    and a reply still refused after that is kept in the outbox (`SlackChannel._hold`)."""
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
        oauth: OAuthSetup | None = None,
        tokens: SlackTokens | None = None,
    ) -> None:
        self.core = core
        self.client = client
        self.tokens = tokens  # each installed workspace's token, for reminders and look-ups
        self._aclient = aclient or AsyncWebClient(
            token=client.token, base_url=client.base_url, retry_handlers=_async_retries()
        )
        self._dms: TTLCache[str, str] = TTLCache(size=5000, ttl=24 * 3600)
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
        self.identity = SlackIdentity(client.token or "", self._aclient)
        self.installs = InstallationStore(oauth) if oauth is not None else None
        logging.getLogger("slack_bolt.AsyncApp").addFilter(QUIET_TOKEN_WARNINGS)
        self.app = AsyncApp(
            client=self._aclient,
            signing_secret=signing_secret,
            process_before_response=True,
            **self._authorization(oauth),
        )
        self._register(self.app)

    def _authorization(self, oauth: OAuthSetup | None) -> dict[str, Any]:
        """One bot token (SLACK_BOT_TOKEN), or installs by link with a token per workspace
        (the single token, if also set, still serves its own workspace)."""
        if oauth is None or self.installs is None:
            return {"authorize": self.identity}
        plain = AsyncWebClient(base_url=self._aclient.base_url, retry_handlers=_async_retries())
        rotator = AsyncTokenRotator(
            client_id=oauth.client_id, client_secret=oauth.client_secret, client=plain
        )
        single = self.identity if self.client.token else None
        return {
            "authorize": WorkspaceAuthorize(self.installs, rotator, single),
            "oauth_flow": oauth_flow(oauth, self.installs, plain, _authorize_url(plain.base_url)),
            "installation_store": self.installs,
        }

    @property
    def aclient(self) -> AsyncWebClient:
        """The async Web API client for the workspace of the request being handled."""
        return _WORKSPACE_CLIENT.get() or self._aclient

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
        self._register_more(app)

    def _register_more(self, app: AsyncApp) -> None:
        """Installs, the Home tab's buttons and the shortcuts."""
        app.use(self._workspace_client)
        app.action(re.compile(rf"^{kit.HOME_PREFIX}"))(self.on_home_button)
        app.shortcut(LOG_SHORTCUT)(self.on_log_shortcut)
        app.shortcut(CONSULT_SHORTCUT)(self.on_consult_shortcut)
        app.event("app_uninstalled")(self.on_uninstalled)
        app.event("tokens_revoked")(self.on_tokens_revoked)

    def registered(self) -> dict[str, set[str]]:
        """What this app handles, for checking the manifest: commands, events, shortcuts."""
        return {
            "commands": {COMMAND},
            "events": {
                "message.im",
                "app_mention",
                "app_home_opened",
                "app_uninstalled",
                "tokens_revoked",
            },
            "shortcuts": {f"message:{LOG_SHORTCUT}", f"global:{CONSULT_SHORTCUT}"},
        }

    def mount(self, app: web.Application) -> None:
        """POST /slack/events on the server (and the install link, when installs are on);
        work in flight is finished before it stops."""
        app.router.add_post(PATH, self.endpoint)
        if self.installs is not None:
            app.router.add_get(INSTALL_PATH, self.install)
            app.router.add_get(REDIRECT_PATH, self.oauth_redirect)
        app.on_shutdown.append(self._drain)

    async def endpoint(self, request: web.Request) -> web.Response:
        """The signature and timestamp are checked before the body is read as anything (an
        unsigned or garbled request gets 401, never a traceback); then slack-bolt dispatches.

        The body is taken as bytes, whatever charset the request declares: Slack signs UTF-8
        text, so a body that is not UTF-8 cannot be signed by Slack and is refused as forged."""
        raw = await request.read()
        body = _utf8(raw)
        if body is None or not self._signed(body, request.headers):
            # One line, never the body: a flood of forged requests must not flood the log.
            log.info(
                "refused a Slack request with a bad signature (%d bytes from %s)",
                len(raw),
                request.remote,
            )
            return web.Response(status=401, text="invalid request")
        try:
            bolt_request = AsyncBoltRequest(
                body=body,
                query=request.query_string,
                headers=request.headers,  # type: ignore[arg-type]
            )
            bolt_response = await self._dispatch(bolt_request)
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
            self._aclient.session = self._session
        return self._session

    def _after_ack(self, work: Coroutine[Any, Any, None]) -> None:
        """Carry on with `work` once the acknowledgement has gone back."""
        self._http()
        task = asyncio.get_running_loop().create_task(self._logged(work))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _turn(self) -> asyncio.Semaphore:
        """At most a few requests' replies are sent at once from the loop: a burst's replies
        queue here, not among the callbacks that acknowledge the next requests. Only sending
        takes a place: waiting on the core does not, or one stopped worker would hold every
        place, and every council's replies would wait on it."""
        if self._busy is None:
            self._busy = asyncio.Semaphore(WORK_AT_ONCE)
        return self._busy

    @staticmethod
    async def _logged(work: Awaitable[None]) -> None:
        try:
            await work
        except Exception:
            log.exception("Slack work after the acknowledgement failed")

    # -- listeners --------------------------------------------------------------------------

    async def on_command(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        _need(body, "team_id", "channel_id", "user_id")  # before the ack: a bad payload is a 400
        await ack()
        self._after_ack(self._command(body))

    async def _command(self, body: dict[str, Any]) -> None:
        text = body.get("text", "").strip() or "help"
        team = _org_wide(body["team_id"], body["team_id"])  # a Grid org-wide install: its id
        base = self._incoming(team, body["channel_id"], body["user_id"], text)
        response_url = body.get("response_url")
        local = answer_locally(text)  # the command's own syntax, or a typo's likely meaning
        if local is not None:
            await self._respond(response_url, {**kit.message(local), "response_type": "ephemeral"})
            return
        trigger = body.get("trigger_id")
        outcome = await self.core.respond(replace(base, forms=bool(trigger)))
        if outcome.form is not None and trigger:
            await self._show_form(outcome.form, trigger, response_url)
        replies = list(outcome.replies)
        for index, reply in enumerate(replies):
            kind = "in_channel" if reply.broadcast else "ephemeral"
            failed = await self._respond(
                response_url, {**kit.message(reply), "response_type": kind}
            )
            if failed is not None:  # seen by them alone, so kept for their DM
                await self._hold(base, replies[index:], failed, body["user_id"], personal=True)
                return
            await self._upload(reply, body["channel_id"], None, body["user_id"])

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
        self._after_ack(self._answer(msg, event["channel"], event["user"], thread, event))

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
        self._after_ack(self._answer(msg, event["channel"], event["user"], thread, event))

    async def on_home(self, ack: AsyncAck, body: dict[str, Any], event: dict[str, Any]) -> None:
        await ack()
        if event.get("tab", "home") != "home":
            return
        self._after_ack(
            self.publish_home(body.get("team_id", ""), event["user"], body.get("event_id"))
        )

    async def publish_home(self, team: str, user: str, event_id: str | None = None) -> None:
        msg = self._incoming(_org_wide(team, team), "app_home", user, "home", event_id=event_id)
        replies = await self.core.handle(msg)
        if replies:  # none for a redelivered event: the Home tab is already up to date
            await self._call(self.aclient.views_publish, user_id=user, view=kit.home_view(replies))

    async def on_button(self, ack: AsyncAck, body: dict[str, Any], action: dict[str, Any]) -> None:
        _need(body.get("user") or {}, "id")  # before the ack: a bad payload is a 400
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
        replies = list(outcome.replies)
        for index, reply in enumerate(replies):
            if ephemeral or (reply.private and response_url):
                failed = await self._respond(
                    response_url,
                    {**kit.message(reply), "response_type": "ephemeral", "replace_original": False},
                )
                if failed is not None:  # seen by them alone, so kept for their DM
                    await self._hold(msg, replies[index:], failed, user, personal=True)
                    return
            else:
                await self._post_all(msg, [reply], channel, user, thread)

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
        await self._post_all(self._incoming(team, user, user, ""), replies, user, user, None)
        await self.publish_home(team, user)

    # -- helpers -------------------------------------------------------------------------------

    async def _answer(
        self,
        msg: Incoming,
        channel: str,
        user: str,
        thread: str | None,
        event: dict[str, Any] | None = None,
    ) -> None:
        """The core's answer; a message with a file is read for its words, and told so, unless
        it asks for the file to be attached to an activity (then the file goes with it)."""
        files = _files(event or {})
        if files and _ATTACH.match(msg.text):
            msg = replace(msg, files=await self._download((event or {}).get("files", [])))
            files = False
        replies = await self.core.handle(msg) if msg.text.strip() or not files else []
        if files:
            replies.append(Reply(FILES_NOT_KEPT, private=True))
        await self._post_all(msg, replies, channel, user, thread)

    async def _download(self, shared: list[dict[str, Any]]) -> tuple[IncomingFile, ...]:
        """The files shared with a message, fetched with the bot token, only from Slack (or
        the Slack API address this bot was given)."""
        got: list[IncomingFile] = []
        for item in shared[:MAX_FILES]:
            url = str(item.get("url_private_download") or item.get("url_private") or "")
            if not self._from_slack(url) or int(item.get("size") or 0) > MAX_FILE_BYTES:
                continue
            headers = {"Authorization": f"Bearer {self.aclient.token}"}
            try:
                async with (
                    self._turn(),  # a Web API call after the ack, like a reply
                    ClientSession(timeout=ClientTimeout(total=60)) as http,
                    http.get(url, headers=headers, allow_redirects=False) as got_file,
                ):
                    if got_file.status != 200:
                        continue
                    content = await got_file.content.read(MAX_FILE_BYTES + 1)
            except (OSError, TimeoutError) as err:
                log.warning("could not fetch a shared file from Slack: %s", err)
                continue
            if len(content) <= MAX_FILE_BYTES:
                got.append(IncomingFile(str(item.get("name") or "document"), content))
        return tuple(got)

    def _from_slack(self, url: str) -> bool:
        from urllib.parse import urlsplit

        host = urlsplit(url).hostname or ""
        api = urlsplit(self.aclient.base_url).hostname or ""
        secure = url.startswith("https://")
        return (secure and (host == "slack.com" or host.endswith(".slack.com"))) or host == api

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
            # The ref came from a spreadsheet: escaped like all text shown in mrkdwn.
            text = (
                f"I couldn't open the update form. Send me '{kit.escape(command)}' in a DM instead."
            )
            await self._respond(
                response_url,
                {"text": text, "response_type": "ephemeral", "replace_original": False},
            )

    async def _respond(self, response_url: str | None, message: dict[str, Any]) -> SendError | None:
        """Answer through the request's response_url (429 waited out, a 5xx or a dropped
        connection tried again); why it failed, or None once delivered."""
        if not response_url:
            log.warning("no response_url to answer on")
            return SendError("Slack gave no response_url to answer on")
        webhook = AsyncWebhookClient(
            url=response_url, session=self._http(), retry_handlers=_async_retries()
        )
        try:
            async with self._turn():
                sent = await webhook.send_dict(message)
        except Exception as err:  # aiohttp's connection errors, timeouts
            log.warning("Slack response_url failed: %r", err)
            return SendError(f"Slack could not be reached: {err!r}")
        if sent.status_code != 200:
            log.warning("Slack response_url answered %s: %s", sent.status_code, sent.body)
            meaning = statuses.slack(sent.status_code)
            return statuses.failure(meaning, f"Slack's response_url said HTTP {sent.status_code}")
        return None

    async def _post_all(
        self, msg: Incoming, replies: list[Reply], channel: str, user: str, thread: str | None
    ) -> None:
        """Post each reply; one Slack will not take (after retries) is kept, with the rest,
        in the outbox for delivery (`_hold`), never lost."""
        for index, reply in enumerate(replies):
            payload = kit.message(reply)
            if reply.private and not channel.startswith("D") and channel != user:
                failed = await self._attempt(
                    self.aclient.chat_postEphemeral, channel=channel, user=user, **payload
                )
            else:
                failed = await self._attempt(
                    self.aclient.chat_postMessage, channel=channel, thread_ts=thread, **payload
                )
            if failed is not None and failed.code in NOT_A_MEMBER:
                await self._not_a_member(channel, user, reply)
                continue
            if failed is not None:
                personal = channel.startswith("D") or channel == user
                await self._hold(msg, replies[index:], failed, channel, personal=personal)
                return
            await self._upload(reply, channel, thread, user)

    async def _hold(
        self, msg: Incoming, replies: list[Reply], failed: SendError, room: str, *, personal: bool
    ) -> None:
        log.warning(
            "Slack did not take %d message(s) for %s (%s): kept in the outbox for delivery",
            len(replies),
            msg.user,
            failed,
        )
        await self.core.hold(
            msg,
            replies,
            str(failed),
            room=room,
            personal=personal,
            refused=isinstance(failed, CredentialsRefused),
        )

    async def _upload(self, reply: Reply, channel: str, thread: str | None, user: str = "") -> None:
        """A reply's picture (the summary's chart) as a file in the same place."""
        if reply.image is None:
            return
        image = reply.image
        failed = await self._attempt(
            self.aclient.files_upload_v2,
            channel=channel,
            thread_ts=thread,
            content=image.png,
            filename=image.filename,
            title=image.title,
        )
        if failed is not None and failed.code in NOT_A_MEMBER and user:
            await self._not_a_member(channel, user, None)

    async def _call(self, method: Callable[..., Awaitable[Any]], **kwargs: Any) -> bool:
        """Call the Web API; a failure is logged, never raised into a half-finished turn.

        By the time anything is posted, the user's update is already committed.
        """
        return await self._attempt(method, **kwargs) is None

    async def _attempt(
        self, method: Callable[..., Awaitable[Any]], **kwargs: Any
    ) -> SendError | None:
        """Call the Web API: None once done, else what the failure means (statuses.py)."""
        try:
            async with self._turn():
                await method(**kwargs)
        except SlackApiError as err:
            log.warning("Slack %s failed: %s", method.__name__, err.response.get("error"))
            return refusal(err, "the person")
        except Exception as err:  # aiohttp's connection errors, timeouts
            log.warning("Slack %s failed: %r", method.__name__, err)
            return SendError(f"Slack could not be reached: {err!r}")
        return None

    # -- installs by link, the Home tab's buttons, shortcuts, channels the bot is not in ---------

    async def _workspace_client(
        self, context: AsyncBoltContext, next: Callable[[], Awaitable[None]]
    ) -> None:
        """Middleware: the rest of this request talks to Slack with its workspace's token."""
        token = context.bot_token
        if token and token != self._aclient.token:
            client = AsyncWebClient(
                token=token,
                base_url=self._aclient.base_url,
                retry_handlers=_async_retries(),
                session=self._http(),
            )
            _WORKSPACE_CLIENT.set(client)
        if context.is_enterprise_install and context.enterprise_id:
            _ORG_WIDE.set(context.enterprise_id)
        await next()

    async def install(self, request: web.Request) -> web.StreamResponse:
        """GET /slack/install: to Slack's page where a workspace admin approves the app."""
        flow = self.app.oauth_flow
        if flow is None:
            raise web.HTTPNotFound()
        return await to_aiohttp_response(
            await flow.handle_installation(await to_bolt_request(request))
        )

    async def oauth_redirect(self, request: web.Request) -> web.StreamResponse:
        """GET /slack/oauth_redirect: Slack's answer; the install is kept, a page says what next."""
        flow = self.app.oauth_flow
        if flow is None:
            raise web.HTTPNotFound()
        return await to_aiohttp_response(await flow.handle_callback(await to_bolt_request(request)))

    async def on_uninstalled(self, ack: AsyncAck, context: AsyncBoltContext) -> None:
        """The app was removed from a workspace: its tokens go, and nothing else (its
        organisation, people and history stay, for a reinstall or an export)."""
        await ack()
        if self.installs is not None:
            removed = await self.installs.forget(context.enterprise_id or "", context.team_id or "")
            log.info(
                "Slack workspace %s uninstalled the app: %d install(s) forgotten",
                context.team_id or context.enterprise_id,
                removed,
            )

    async def on_tokens_revoked(
        self, ack: AsyncAck, event: dict[str, Any], context: AsyncBoltContext
    ) -> None:
        """Some of the app's tokens in a workspace were revoked: the bot's are forgotten."""
        await ack()
        bots = [str(b) for b in (event.get("tokens") or {}).get("bot") or []]
        if self.installs is not None and bots:
            await self.installs.forget(context.enterprise_id or "", context.team_id or "", bots)

    async def on_home_button(
        self, ack: AsyncAck, body: dict[str, Any], action: dict[str, Any]
    ) -> None:
        await ack()
        self._after_ack(self._home_button(body, action))

    async def _home_button(self, body: dict[str, Any], action: dict[str, Any]) -> None:
        """A Home tab button, routed by its intent like any other. *Add update* opens the form
        (the Home tab has no response_url, so what can't be shown as a form goes to the DM);
        anything else is answered in the person's DM with the bot, where a walk it starts
        carries on; then the Home tab is refreshed."""
        user, team = body["user"]["id"], _user_team(body)
        trigger = body.get("trigger_id")
        dm = await self._dm_of(user)
        msg = Incoming(
            channel="slack",
            workspace=team,
            conversation=dm,
            user=user,
            event_id=f"home:{action.get('action_ts', '')}:{action.get('action_id', '')}",
            place=dm,
            forms=bool(trigger),
        )
        pressed = kit.pressed_intent(action, kit.HOME_PREFIX)
        if pressed is None:
            return
        intent, label = pressed
        outcome = await self.core.respond(replace(msg, text=label or intent.key, intent=intent))
        replies = list(outcome.replies)
        if outcome.form is not None:
            if trigger and await self._call(
                self.aclient.views_open, trigger_id=trigger, view=kit.modal(outcome.form)
            ):
                return
            command = outcome.form.title[:1].lower() + outcome.form.title[1:]  # "update R4"
            replies.append(
                Reply(f"I couldn't open the update form. Send me '{command}' here instead.")
            )
            await self._post_all(msg, replies, dm, user, None)
            return  # nothing changed yet: the Home tab is refreshed once the form is saved
        await self._post_all(msg, replies, dm, user, None)
        await self.publish_home(team, user)

    async def on_log_shortcut(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        await ack()
        self._after_ack(self._log_shortcut(body))

    async def _log_shortcut(self, body: dict[str, Any]) -> None:
        """ "Log as progress update" on a message: the update form, its note the message."""
        user, team = body["user"]["id"], _user_team(body)
        text = kit.plain_text((body.get("message") or {}).get("text", ""))
        msg = self._incoming(team, user, user, "")
        form = await self.core.open_form(msg, "log", text)
        if isinstance(form, Form):
            if await self._call(
                self.aclient.views_open, trigger_id=body.get("trigger_id", ""), view=kit.modal(form)
            ):
                return
            form = [Reply("I couldn't open the update form just now. Please try again.")]
        response_url = body.get("response_url")
        for reply in form:
            message = {**kit.message(reply), "response_type": "ephemeral"}
            if await self._respond(response_url, message) is not None:
                await self._post_all(msg, [reply], user, user, None)

    async def on_consult_shortcut(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        await ack()
        self._after_ack(self._consult_shortcut(body))

    async def _consult_shortcut(self, body: dict[str, Any]) -> None:
        """ "Should I consult?" from anywhere in Slack: the walk, in the person's DM."""
        user, team = body["user"]["id"], _user_team(body)
        dm = await self._dm_of(user)
        msg = Incoming(
            channel="slack",
            workspace=team,
            conversation=dm,
            user=user,
            text="should I consult?",
            event_id=f"shortcut:{body.get('action_ts', '')}:{user}",
            place=dm,
        )
        await self._post_all(msg, await self.core.handle(msg), dm, user, None)

    async def _dm_of(self, user: str) -> str:
        """The id of the bot's DM with `user` (conversations.open), so what starts elsewhere
        carries on there; the user's id (Slack posts that to the DM too) if Slack won't say."""
        known = self._dms.get(user)
        if known is not None:
            return known[0]
        try:
            opened = await self.aclient.conversations_open(users=user)
            dm = str(opened["channel"]["id"])
        except Exception as err:  # Slack's error or unreachable: the user's id still reaches them
            log.warning("Slack conversations.open failed for %s: %r", user, err)
            return user
        self._dms.put(user, dm)
        return dm

    async def _not_a_member(self, channel: str, user: str, reply: Reply | None) -> None:
        """The bot may not post in `channel`: the person who asked is told, in their DM, how
        to add it, with the answer that could not be posted there."""
        where = f"<#{channel}>" if _CHANNEL_ID.match(channel) else "that channel"
        what = "answer" if reply is not None and reply.image is None else "chart"
        text = (
            f"I couldn't post my {what} in {where}: I'm not a member of that channel. "
            f"{INVITE}, then ask again." + (" Here it is meanwhile:" if reply is not None else "")
        )
        await self._call(self.aclient.chat_postMessage, channel=user, text=text)
        if reply is not None:
            await self._call(self.aclient.chat_postMessage, channel=user, **kit.message(reply))


class SlackDirectory:
    """Slack's address book for the core: a user's e-mail from users.info (needs
    users:read.email), remembered for an hour (`TTLCache`). The core calls it synchronously."""

    def __init__(
        self,
        client: WebClient,
        emails: TTLCache[str, str | None] | None = None,
        tokens: SlackTokens | None = None,
    ) -> None:
        self.client = client
        self.tokens = tokens  # installed workspaces' tokens: each asks its own workspace
        self._emails: TTLCache[str, str | None] = emails if emails is not None else TTLCache()

    def email_of(
        self, user: str, address: Mapping[str, str] | None = None, workspace: str = ""
    ) -> str | None:
        cached = self._emails.get(user)
        if cached is not None:
            return cached[0]
        client = (self.tokens.client_for(workspace) if self.tokens else None) or self.client
        try:
            info = client.users_info(user=user)
        except SlackApiError as err:
            log.warning("users.info failed for %s: %s", user, err.response.get("error"))
            return None
        except Exception as err:  # Slack unreachable: not remembered, so asked again next time
            log.warning("users.info failed for %s: %s", user, getattr(err, "reason", err))
            return None
        email: str | None = info["user"].get("profile", {}).get("email")
        self._emails.put(user, email)
        return email


def _need(body: Mapping[str, Any], *fields: str) -> None:
    """Fields every payload of its kind carries: one missing is not Slack's payload (a
    KeyError, which `_on_error` answers with 400), found before the work is handed on."""
    for name in fields:
        if not isinstance(body.get(name), str) or not body[name]:
            raise KeyError(name)


def _utf8(raw: bytes) -> str | None:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return None


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
    home = str(body.get("team_id") or (body.get("team") or {}).get("id") or "")
    return _org_wide(str(theirs or home), home)


def _org_wide(team: str, home: str) -> str:
    """In an Enterprise Grid organisation that installed the app org-wide, its workspaces are
    one: the organisation's id names them (and is what an operator binds). Someone from
    outside it (a Slack Connect guest) keeps their own workspace's id, and is refused."""
    enterprise = _ORG_WIDE.get()
    if enterprise and (team in (enterprise, home) or not home):
        return enterprise
    return team


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
    """Delivers queued reminders as Slack DMs (or channel posts, for a chair's channel).

    Slack's answers are read by their meaning (bot/channels/statuses.py): a revoked token is
    our credentials refused, a deactivated user or archived channel the person's, a 5xx or no
    answer theirs to retry (by the outbox), a refused message ours to fix."""

    via = "slack"

    def __init__(self, client: WebClient, tokens: SlackTokens | None = None) -> None:
        self.client = client
        self.tokens = tokens  # installed workspaces' tokens: each message goes with its own
        self._team: str | None = None

    def _client(self, workspace: str | None) -> WebClient:
        return self._own_client(workspace) or self.client

    def _own_client(self, workspace: str | None) -> WebClient | None:
        """The client holding `workspace`'s own token (installed by link), if it has one."""
        return self.tokens.client_for(workspace) if self.tokens is not None else None

    def send(self, to: Recipient, reply: Reply) -> Sent:
        payload = kit.message(reply)
        own = self._own_client(to.workspace)
        client = own or self.client
        # A refused token is that workspace's alone when it was its own (installed by link);
        # the deployment's single token refused is every workspace's (workspace "").
        refused_in = (to.workspace or "") if own is not None else ""
        try:
            if to.chat_channel:
                posted = client.chat_postMessage(channel=to.chat_channel, **payload)
                if reply.image is not None:
                    client.files_upload_v2(
                        channel=to.chat_channel,
                        content=reply.image.png,
                        filename=reply.image.filename,
                        title=reply.image.title,
                    )
                return Sent(None, _message_id(to.chat_channel, posted.get("ts"), to.workspace))
            if not to.user_id:
                raise Unreachable(
                    f"{to.name} has no Slack id: engagebot people assign … --slack U…"
                )
            # before posting: a failure after the post would post twice
            team = to.workspace or self.team()
            opened = client.conversations_open(users=to.user_id)
            dm = opened["channel"]["id"]
            posted = client.chat_postMessage(channel=dm, **payload)
        except SlackApiError as err:
            error = str(err.response.get("error") or "")
            if to.chat_channel and error in NOT_A_MEMBER:
                raise Unreachable(f"I'm not a member of that channel ({error}). {INVITE}") from err
            raise refusal(err, to.name, refused_in) from err
        except UNREACHED as err:
            raise SendError(f"Slack could not be reached: {err!r}") from err
        key = ConversationKey("slack", team, dm, to.user_id)
        return Sent(key, _message_id(dm, posted.get("ts"), to.workspace))

    def update(self, sent: Sent, reply: Reply) -> None:
        """Replace a sent message (chat.update), e.g. once its buttons have been answered."""
        channel, ts, *workspace = sent.message_id.split(" ")
        client = self._client(workspace[0] if workspace else None)
        try:
            client.chat_update(channel=channel, ts=ts, **kit.message(reply))
        except SlackApiError as err:
            raise refusal(err, "that message") from err
        except UNREACHED as err:
            raise SendError(f"Slack could not be reached: {err!r}") from err

    def team(self) -> str:
        """The workspace id, as events carry it, so a reply continues this conversation."""
        if self._team is None:
            self._team = str(self.client.auth_test().get("team_id", ""))
        return self._team


TOKEN_FIX = "Check SLACK_BOT_TOKEN (revoked, or the app taken out of the workspace)"


def refusal(err: SlackApiError, who: str, workspace: str = "") -> SendError:
    """What Slack's refusal means (bot/channels/statuses.py), in words for the outbox."""
    error = str(err.response.get("error") or "")
    status = int(err.response.status_code)
    said = error or f"HTTP {status}"
    meaning = statuses.slack(status, error)
    if meaning == Meaning.PERSON:
        text = f"{who} can't be reached in Slack ({said}) until they write to the bot again"
    elif meaning == Meaning.CREDENTIALS:
        text = f"Slack refused engagebot's token ({said}). {TOKEN_FIX}"
    elif meaning == Meaning.MESSAGE:
        text = f"Slack refused the message itself ({said}): a fault in engagebot"
    else:
        text = f"Slack said {said}"
    failure = statuses.failure(meaning, text, workspace)
    failure.code = error  # e.g. not_in_channel: the channel wants the person told how to invite
    return failure


def _authorize_url(api_url: str) -> str:
    """Slack's consent page, beside its Web API: https://slack.com/oauth/v2/authorize."""
    base = api_url.rstrip("/")
    return base.removesuffix("/api") + "/oauth/v2/authorize"


def _message_id(channel: str, ts: object, workspace: str | None = None) -> str:
    """Slack names a message by its channel and timestamp (and here, by the workspace whose
    token may change it)."""
    if not ts:
        return ""
    return f"{channel} {ts} {workspace}" if workspace else f"{channel} {ts}"
