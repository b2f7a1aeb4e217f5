"""The Microsoft Teams channel: Bot Framework activities in, neutral messages to the core.

Hosted on the Microsoft 365 Agents SDK (aiohttp): its JWT check guards POST /api/messages, its
CloudAdapter turns the request into a turn. The turn only reads the activity and hands the work
to a task, so the SDK answers Teams (202) at once; the task awaits the conversation core
(bot/core.py, never on the loop) and sends the replies as a continuation of the same
conversation, through the SDK's turn context. Plain replies go as text, the rest as Adaptive
Cards (teams_cards.py). Nothing from Teams reaches the handlers.

Reminders are sent first, from the scheduler's thread, by `TeamsSender`: Teams lets a bot write
to someone only in a chat they already have with it, so the address of that chat is kept when
they write or install the app (handlers/chat/addresses.py, through the core).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import threading
import warnings
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from dataclasses import dataclass, replace
from functools import partial
from typing import Any, TypeVar

import jwt
from aiohttp import (
    ClientError,
    ClientResponse,
    ClientResponseError,
    ClientSession,
    ClientTimeout,
    web,
)
from aiohttp.typedefs import Handler
from microsoft_agents.activity import Activity
from microsoft_agents.authentication.msal import MsalAuth, MsalConnectionManager
from microsoft_agents.hosting.aiohttp import CloudAdapter, jwt_authorization_decorator
from microsoft_agents.hosting.core import AgentAuthConfiguration, TurnContext
from microsoft_agents.hosting.core.authorization import AuthenticationConstants, ClaimsIdentity

from bot.channels import statuses
from bot.channels import teams_cards as cards
from bot.channels.cache import TTLCache
from bot.channels.statuses import Meaning
from bot.core import Core
from handlers.chat.messages import Form, Incoming, Outcome, Reply
from handlers.chat.outbound import CredentialsRefused, Recipient, SendError, Sent, Unreachable
from handlers.chat.state import ConversationKey

log = logging.getLogger(__name__)
T = TypeVar("T")

PATH = "/api/messages"
CHANNEL = "teams"
WORK_AT_ONCE = 8  # requests whose replies are sent at once after the acks
BOT_SCOPE = "https://api.botframework.com/.default"
TRIES = 4
MAX_WAIT = 30.0  # seconds: a longer Retry-After is left to the next delivery run
HTTP_TIMEOUT = 30.0  # seconds for one call to the Bot Connector; a hung call is then retried
APOLOGY = "Sorry, something went wrong on my side. Please try again in a minute."


class RetriedCallsAsWarnings(logging.Filter):
    """The SDK logs each Bot Connector call that failed at ERROR ("Error accessing …: 503");
    we retry those and keep what still fails (`TeamsChannel._hold`), so each is a WARNING."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno == logging.ERROR and str(record.msg).startswith("Error accessing"):
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


CONNECTOR_LOG = "microsoft_agents.hosting.core.connector.client.connector_client"
_QUIET = RetriedCallsAsWarnings()


@dataclass(frozen=True)
class TeamsAuth:
    """The Azure Bot's credentials, or `anonymous` (no tokens either way: local runs, tests)."""

    app_id: str = ""
    password: str = ""
    tenant_id: str = ""
    anonymous: bool = False

    def configuration(self) -> AgentAuthConfiguration:
        return AgentAuthConfiguration(
            client_id=self.app_id or None,
            tenant_id=self.tenant_id or None,
            client_secret=self.password or None,
            anonymous_allowed=self.anonymous,
        )

    def token_provider(self) -> MsalAuth | None:
        """Where bot tokens come from; None in anonymous mode (requests go without one)."""
        return None if self.anonymous else MsalAuth(self.configuration())


async def bot_token(provider: MsalAuth | None) -> str | None:
    if provider is None:
        return None
    token: str = await provider.get_access_token(
        AuthenticationConstants.AGENTS_SDK_SCOPE, [BOT_SCOPE]
    )
    return token


def address_of(activity: Activity) -> dict[str, str]:
    """What is needed to write into this conversation later (a conversation reference)."""
    conversation = activity.conversation
    kind = (conversation.conversation_type if conversation else None) or "personal"
    return {
        "scope": "personal" if kind == "personal" else "room",
        "service_url": activity.service_url or "",
        "conversation": conversation.id if conversation else "",
        "tenant": _tenant(activity),
        "user": activity.from_property.id if activity.from_property else "",
        "bot": activity.recipient.id if activity.recipient else "",
        "bot_name": (activity.recipient.name or "") if activity.recipient else "",
    }


NO_TENANT = "none"  # local clients (the Emulator, Agents Playground) may name no tenant


def _tenant(activity: Activity) -> str:
    data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
    tenant = (data.get("tenant") or {}).get("id")
    conversation = activity.conversation
    return str(tenant or (conversation.tenant_id if conversation else "") or NO_TENANT)


def _user(activity: Activity) -> str:
    who = activity.from_property
    if who is None:
        return ""
    return str(who.aad_object_id or who.id or "")


def _place(activity: Activity) -> str:
    """The room, threads aside: a channel's id (not the thread's), or the chat's id."""
    data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
    channel = (data.get("channel") or {}).get("id")
    conversation_id = activity.conversation.id if activity.conversation else ""
    return str(channel or conversation_id.split(";", 1)[0])


class TeamsChannel:
    """engagebot inside Teams: personal chat, @mentions in channels, card buttons and forms.

    Implements the SDK's `Agent` (`on_turn`); `mount` puts POST /api/messages on the server.
    """

    name = CHANNEL

    def __init__(self, core: Core, auth: TeamsAuth) -> None:
        self.core = core
        self.auth = auth
        self.config = auth.configuration()
        connections = MsalConnectionManager(
            connections_configurations={"SERVICE_CONNECTION": self.config}
        )
        self.adapter = CloudAdapter(connection_manager=connections)
        self.adapter.on_turn_error = self._on_turn_error  # never the SDK's "Exception caught"
        logging.getLogger(CONNECTOR_LOG).addFilter(_QUIET)  # once: filters are a set
        self._tasks: set[asyncio.Task[None]] = set()
        self._busy: asyncio.Semaphore | None = None
        self._order: dict[str, asyncio.Lock] = {}  # one turn at a time per conversation

    # -- wiring ---------------------------------------------------------------------------

    def mount(self, app: web.Application) -> None:
        """POST /api/messages, behind the SDK's JWT check (which reads the app's config)."""
        with warnings.catch_warnings():  # the SDK looks the configuration up by this str key
            warnings.simplefilter("ignore")
            app["agent_configuration"] = self.config
        checked = jwt_authorization_decorator(self.endpoint)  # type: ignore[no-untyped-call]
        app.router.add_post(PATH, guarded(checked))
        app.on_shutdown.append(self._drain)
        if self.auth.anonymous:
            log.warning(
                "TEAMS_ANONYMOUS=1: /api/messages accepts requests WITHOUT authentication and "
                "replies without a token. For local runs and tests only, never in production."
            )

    async def endpoint(self, request: web.Request) -> web.StreamResponse:
        request[AUTHENTICATED] = True  # past the SDK's check: a failure from here on is ours
        try:
            response = await self.adapter.process(request, self)
        except (ValueError, TypeError) as err:
            # JSON, but not an activity (pydantic's ValidationError is a ValueError), or one
            # the SDK cannot answer (no serviceUrl): the sender's fault, not a server error.
            log.warning("Teams activity could not be read: %s", type(err).__name__)
            return web.json_response({"error": "not a valid activity"}, status=400)
        return response if response is not None else web.Response(status=202)

    async def _drain(self, app: web.Application | None = None) -> None:
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=10)

    async def _on_turn_error(self, context: TurnContext, error: Exception) -> None:
        log.error("Teams turn failed", exc_info=error)
        with contextlib.suppress(Exception):
            await context.send_activity(APOLOGY)

    # -- the turn: read the activity, hand the work on -------------------------------------

    async def on_turn(self, context: TurnContext) -> None:
        activity = context.activity
        identity = context.identity or ClaimsIdentity()
        kind = activity.type
        if kind == "message":
            work = self._message(activity)
        elif self._installed(activity):
            work = self._welcome(activity)
        elif kind == "installationUpdate":  # removed: a new install is welcomed again
            await self.core.uninstalled(self._incoming(activity, ""))
            return
        else:
            return
        self._after_ack(activity, identity, work)

    def _after_ack(
        self, activity: Activity, identity: ClaimsIdentity, work: Coroutine[Any, Any, _Answer]
    ) -> None:
        task = asyncio.get_running_loop().create_task(self._run(activity, identity, work))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(
        self, activity: Activity, identity: ClaimsIdentity, work: Coroutine[Any, Any, _Answer]
    ) -> None:
        if self._busy is None:
            self._busy = asyncio.Semaphore(WORK_AT_ONCE)
        conversation = activity.conversation.id if activity.conversation else ""
        lock = self._order.setdefault(conversation, asyncio.Lock())
        try:
            async with lock:  # a conversation's turns in order; waiting on the core takes no
                try:  # place of WORK_AT_ONCE, so a stopped worker holds up only its own
                    answer = await work
                except Exception:
                    log.exception("Teams work after the acknowledgement failed")
                    answer = _Answer(Outcome((Reply(APOLOGY),)))
                async with self._busy:
                    await self._reply(activity, identity, answer)
        except Exception:
            log.exception("Teams replies could not be sent")
        finally:
            if not lock.locked() and conversation in self._order:
                del self._order[conversation]

    # -- what each activity asks for ---------------------------------------------------------

    def _incoming(self, activity: Activity, text: str) -> Incoming:
        return Incoming(
            channel=CHANNEL,
            workspace=_tenant(activity),
            conversation=activity.conversation.id if activity.conversation else "",
            user=_user(activity),
            text=text,
            event_id=activity.id,
            place=_place(activity),
            address=address_of(activity),
        )

    async def _message(self, activity: Activity) -> _Answer:
        value = activity.value if isinstance(activity.value, dict) else None
        if value and value.get("form"):
            return await self._submit(activity, value)
        if value and cards.pressed_intent(value) is not None:
            return await self._press(activity, value)
        if value and "choice" in value:  # a button sent before intents: its words, as typed
            label = str(value.get("label") or value["choice"])
            msg = replace(self._incoming(activity, label), choice=str(value["choice"]), forms=True)
            return _Answer(await self.core.respond(msg))
        text = activity.text or ""
        if _in_room(activity):
            text = _strip_mention(activity)
        return _Answer(await self.core.respond(self._incoming(activity, text.strip() or "help")))

    async def _press(self, activity: Activity, value: dict[str, Any]) -> _Answer:
        """A button (or a menu's choice): routed by the intent it carries, never by words."""
        intent = cards.pressed_intent(value)
        assert intent is not None
        label = str(value.get("label") or intent.key)
        msg = replace(
            self._incoming(activity, label),
            intent=intent,
            card=str(value.get("card") or ""),
            forms=True,
        )
        return _Answer(await self.core.respond(msg), on=activity.reply_to_id)

    async def _submit(self, activity: Activity, value: dict[str, Any]) -> _Answer:
        name, key = str(value["form"]), str(value.get(cards.ABOUT) or value.get("key") or "")
        values = cards.form_values(value)
        msg = self._incoming(activity, "")
        result = await self.core.submit_form(msg, name, key, values, activity.id or "")
        if result.errors:
            form = await self.core.open_form(msg, name, key)
            if isinstance(form, Form):
                again = cards.form_card(form, result.errors, values)
                return _Answer(Outcome(), on=activity.reply_to_id, card=again)
            return _Answer(Outcome((Reply(" ".join(result.errors.values())),)))
        replies = result.turn.replies if result.turn is not None else ()
        form = await self.core.open_form(msg, name, key)
        done = cards.form_done(form, values) if isinstance(form, Form) else None
        return _Answer(Outcome(replies), on=activity.reply_to_id, card=done)

    async def _welcome(self, activity: Activity) -> _Answer:
        """One welcome per install and scope, however many install activities Teams sends."""
        return _Answer(Outcome(tuple(await self.core.welcome(self._incoming(activity, "")))))

    @staticmethod
    def _installed(activity: Activity) -> bool:
        """The app was added: to a personal chat or a team (the bot among the new members)."""
        if activity.type == "installationUpdate":
            return str(activity.action or "add").startswith("add")
        if activity.type != "conversationUpdate":
            return False
        bot = activity.recipient.id if activity.recipient else None
        return any(m.id == bot for m in activity.members_added or [])

    # -- replies ------------------------------------------------------------------------------

    async def _reply(self, activity: Activity, identity: ClaimsIdentity, answer: _Answer) -> None:
        """Send in the conversation the activity came from, as a continuation of it. What
        Teams will not take, after retries, is kept in the outbox (`Core.hold`): never lost."""
        if answer.empty:
            return
        continuation = activity.get_conversation_reference().get_continuation_activity()
        continuation.id = activity.id  # replies thread under the message they answer
        outcome = answer.outcome
        left = list(outcome.replies)
        failed: list[Exception] = []

        async def send(context: TurnContext) -> None:
            try:
                if outcome.form is not None:
                    form = _card_activity(cards.form_card(outcome.form), outcome.form.title)
                    await with_retries(partial(context.send_activity, form))
                # The pressed card, as kept in the database: the same on any instance.
                card = answer.card
                if card is None and outcome.pressed is not None:
                    card = cards.reply_card(outcome.pressed)
                if card is not None and answer.on:
                    await self._update(context, answer.on, card)
            except Exception as err:  # a form or card not shown: the answer still goes out
                log.warning("Teams card not sent or updated: %s", _gist(err))
            try:
                while left:
                    outgoing = Activity.model_validate(cards.message(left[0]))
                    await with_retries(partial(context.send_activity, outgoing))
                    left.pop(0)
            except Exception as err:  # caught here, or the SDK would apologise into the void
                failed.append(err)

        try:
            await self.adapter.continue_conversation_with_claims(
                identity, continuation, send, AuthenticationConstants.AGENTS_SDK_SCOPE
            )
        except Exception as err:  # before anything was sent: no token, most likely
            failed.append(err)
        if left and failed:
            await self._hold(activity, left, failed[0])

    async def _hold(self, activity: Activity, replies: list[Reply], err: Exception) -> None:
        meaning, problem = reply_failure(err)
        log.warning(
            "Teams did not take %d message(s) for %s (%s): kept in the outbox for delivery",
            len(replies),
            _user(activity),
            problem,
        )
        room = _place(activity) if _in_room(activity) else _user(activity)
        await self.core.hold(
            self._incoming(activity, ""),
            replies,
            problem,
            room=room,
            personal=not _in_room(activity),
            refused=meaning == Meaning.CREDENTIALS,
        )

    async def _update(self, context: TurnContext, card_id: str, card: dict[str, Any]) -> None:
        outgoing = _card_activity(card, "")
        outgoing.id = card_id
        try:
            await with_retries(lambda: context.update_activity(outgoing))
        except Exception as err:  # a card gone or too old: the answer itself still goes out
            log.warning("Teams card %s not updated: %r", card_id, err)


@dataclass(frozen=True)
class _Answer:
    """What goes back for one activity: the core's outcome, and the card to put in place of
    the one pressed or submitted (`on`), when the outcome does not say."""

    outcome: Outcome
    on: str | None = None
    card: dict[str, Any] | None = None

    @property
    def empty(self) -> bool:
        o = self.outcome
        return not (o.replies or o.form or o.pressed or self.card)


# -- who may call /api/messages ------------------------------------------------------------------

AUTHENTICATED = web.RequestKey("engagebot.teams.authenticated", bool)
UNAUTHORISED = {"error": "Invalid token or authentication failed."}  # the SDK's own words


def guarded(checked: Callable[[web.Request], Awaitable[web.StreamResponse]]) -> Handler:
    """The SDK's token check, made safe for anyone to call: a token that is not even shaped
    as Microsoft's (no key id, not RS256) is refused before the SDK sees it (it would raise
    KeyError, or fetch signing keys for it), and anything the SDK raises while checking is a
    401 with one line in the log, never a 500 and a traceback. Failures inside our own
    endpoint, once the token is accepted, still surface as the bugs they are."""

    async def endpoint(request: web.Request) -> web.StreamResponse:
        header = request.headers.get("Authorization")
        problem = token_problem(header) if header is not None else None
        if problem is None:
            try:
                return await checked(request)
            except Exception as err:
                if request.get(AUTHENTICATED):
                    raise
                problem = f"its token could not be checked ({type(err).__name__})"
        log.info("refused a Teams request: %s (from %s)", problem, request.remote)
        return web.json_response(UNAUTHORISED, status=401)

    return endpoint


def token_problem(header: str) -> str | None:
    """Why an Authorization header cannot hold a Bot Connector token, or None if it might:
    Microsoft signs with RS256 and names its key (`kid`) in the token's header."""
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None  # the SDK answers these itself with 401
    try:
        fields = jwt.get_unverified_header(token.strip())
    except (jwt.PyJWTError, ValueError, TypeError):
        return "its token is not a JWT"
    if fields.get("alg") != "RS256":
        return f"its token is not signed with RS256 ({str(fields.get('alg'))[:20]!r})"
    if not isinstance(fields.get("kid"), str) or not fields["kid"]:
        return "its token names no signing key"
    return None


def _card_activity(card: dict[str, Any], summary: str) -> Activity:
    data: dict[str, Any] = {"type": "message", "attachments": [cards.attachment(card)]}
    if summary:
        data["summary"] = summary
    return Activity.model_validate(data)


def _in_room(activity: Activity) -> bool:
    conversation = activity.conversation
    return bool(conversation and conversation.conversation_type in ("channel", "groupChat"))


def _strip_mention(activity: Activity) -> str:
    """The message without the bot's @mention (Teams puts <at>Name</at> in the text)."""
    text = activity.remove_recipient_mention()
    bot = activity.recipient.name if activity.recipient else None
    if bot:
        text = re.sub(rf"<at>{re.escape(bot)}</at>", "", text, flags=re.IGNORECASE)
    return re.sub(r"\s+", " ", text).strip()


BACK_OFF = 0.5  # seconds before the first retry of a reply; doubled each time


async def with_retries(call: Callable[[], Awaitable[T]], tries: int = TRIES) -> T:
    """Call the Bot Connector; what is theirs to retry (429, 412, every 5xx, no answer) is
    tried again after Retry-After or a growing back-off; anything else is raised at once."""
    for attempt in range(tries):
        try:
            return await call()
        except ClientResponseError as err:
            if statuses.teams(err.status) != Meaning.RETRY or attempt == tries - 1:
                raise
            await asyncio.sleep(retry_after(err.headers, attempt))
        except (ClientError, TimeoutError):
            if attempt == tries - 1:
                raise
            await asyncio.sleep(BACK_OFF * 2**attempt)
    raise AssertionError("unreachable")


def reply_failure(err: Exception) -> tuple[Meaning, str]:
    """What a failed reply means, and in words: by the connector's status where it answered;
    no token issued is our credentials refused; anything else (no answer) theirs to retry."""
    if isinstance(err, ClientResponseError):
        meaning = statuses.teams(err.status)
        return meaning, _refusal(meaning, err.status, "", "the person")
    if isinstance(err, ValueError):  # the SDK's "Failed to acquire token"
        return Meaning.CREDENTIALS, f"Microsoft would not issue a Teams token: {_gist(err)}. {FIX}"
    return Meaning.RETRY, f"Teams could not be reached: {_gist(err)}"


def retry_after(headers: Mapping[str, str] | None, attempt: int) -> float:
    raw = (headers or {}).get("Retry-After")
    try:
        wait = float(raw) if raw is not None else BACK_OFF * 2**attempt
    except ValueError:
        wait = BACK_OFF * 2**attempt
    return min(max(wait, 0.0), MAX_WAIT)


# -- for the core and the scheduler: synchronous, off the event loop --------------------------


class _Loop:
    """A private event loop in a daemon thread, so synchronous callers can use aiohttp."""

    def __init__(self, name: str) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name=name, daemon=True)
        self._thread.start()
        self._session: ClientSession | None = None

    def run(self, work: Coroutine[Any, Any, T], timeout: float = 120) -> T:
        return asyncio.run_coroutine_threadsafe(work, self.loop).result(timeout)

    def session(self) -> ClientSession:
        if self._session is None:
            self._session = ClientSession(timeout=ClientTimeout(total=HTTP_TIMEOUT))
        return self._session

    def close(self) -> None:
        """Close the HTTP connections and end the thread."""
        if self._session is not None:
            self.run(self._session.close(), 10)
            self._session = None
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=10)
        self.loop.close()


class TeamsDirectory:
    """Teams' address book for the core: a user's e-mail (or UPN) from the conversation's member
    list, looked up once per user where they just wrote. The core calls it synchronously."""

    def __init__(self, auth: TeamsAuth) -> None:
        self.provider = auth.token_provider()
        self._emails: TTLCache[str, str | None] = TTLCache()  # a changed e-mail is seen in an hour
        self._loop: _Loop | None = None
        self._guard = threading.Lock()

    def close(self) -> None:
        with self._guard:
            if self._loop is not None:
                self._loop.close()
                self._loop = None

    def email_of(
        self, user: str, address: Mapping[str, str] | None = None, workspace: str = ""
    ) -> str | None:
        cached = self._emails.get(user)
        if cached is not None:
            return cached[0]
        if not address or not address.get("service_url") or not address.get("conversation"):
            return None
        with self._guard:
            if self._loop is None:
                self._loop = _Loop("teams-directory")
        try:
            member = self._loop.run(self._member(address, address.get("user") or user), 15)
        except Exception as err:
            log.warning("Teams member look-up failed for %s: %r", user, err)
            return None
        email = member.get("email") or member.get("userPrincipalName")
        found = str(email).lower() if email else None
        self._emails.put(user, found)
        return found

    async def _member(self, address: Mapping[str, str], member: str) -> dict[str, Any]:
        assert self._loop is not None
        url = _url(
            address["service_url"], f"v3/conversations/{address['conversation']}/members/{member}"
        )
        headers = _auth_headers(await bot_token(self.provider))
        async with self._loop.session().get(url, headers=headers) as response:
            response.raise_for_status()
            found: dict[str, Any] = await response.json()
            return found


class TeamsSender:
    """Delivers queued reminders into each officer's personal chat with the bot (or a room).

    `addresses(owner)` gives the stored address of a user or room (None: they never wrote).
    Each answer is read by its meaning (bot/channels/statuses.py): theirs to retry (429, 412,
    every 5xx, no answer) is tried again here honouring Retry-After, then left to the outbox
    (SendError); 401, or no token to be had, is our credentials refused (CredentialsRefused);
    403 and 404 mean the person can't be reached there until they write again (Unreachable).
    """

    via = CHANNEL

    def __init__(
        self, auth: TeamsAuth, addresses: Callable[[str], Mapping[str, str] | None]
    ) -> None:
        self.provider = auth.token_provider()
        self.addresses = addresses
        self._loop = _Loop("teams-sender")
        self.sleep: Callable[[float], Awaitable[None]] = asyncio.sleep

    def close(self) -> None:
        self._loop.close()

    def send(self, to: Recipient, reply: Reply) -> Sent:
        owner = to.chat_channel or to.user_id
        if not owner:
            raise Unreachable(
                f"{to.name} has no Teams id: they need to say hello to the bot in Teams"
            )
        address = self.addresses(owner)
        if not address:
            raise Unreachable(
                f"{to.name} can't be reached in Teams yet: they need to open a chat with the bot"
            )
        activity = cards.message(reply)
        url = _url(address["service_url"], f"v3/conversations/{address['conversation']}/activities")
        answer = self._loop.run(self._call("POST", url, _outgoing(activity, address), to.name))
        message_id = str(answer.get("id", ""))
        key = None
        if not to.chat_channel:
            key = ConversationKey(
                CHANNEL, address.get("tenant", ""), address["conversation"], owner
            )
        return Sent(key, f"{address['conversation']} {message_id}" if message_id else "")

    def update(self, sent: Sent, reply: Reply) -> None:
        """Replace a sent card (PUT …/activities/{id})."""
        conversation, _, activity_id = sent.message_id.partition(" ")
        owner = sent.key.user if sent.key else ""
        address = self.addresses(owner) if owner else None
        if not address or not activity_id:
            raise Unreachable("that message can't be found in Teams any more")
        url = _url(
            address["service_url"], f"v3/conversations/{conversation}/activities/{activity_id}"
        )
        body = {**_outgoing(cards.message(reply), address), "id": activity_id}
        self._loop.run(self._call("PUT", url, body, owner))

    async def _call(self, method: str, url: str, body: dict[str, Any], who: str) -> dict[str, Any]:
        headers = _auth_headers(await self._token())
        for attempt in range(TRIES):
            try:
                async with self._loop.session().request(
                    method, url, json=body, headers=headers
                ) as response:
                    if response.status < 300:
                        if response.content_length == 0:
                            return {}
                        answer: dict[str, Any] = await response.json(content_type=None) or {}
                        return answer
                    code = await _error_code(response)
                    meaning = statuses.teams(response.status, code)
                    if meaning == Meaning.RETRY and attempt < TRIES - 1:
                        await self.sleep(retry_after(response.headers, attempt))
                        continue
                    raise statuses.failure(meaning, _refusal(meaning, response.status, code, who))
            except (ClientError, TimeoutError) as err:
                if attempt == TRIES - 1:
                    raise SendError(f"Teams could not be reached: {err!r}") from err
                await self.sleep(BACK_OFF * 2**attempt)
        raise SendError("Teams kept asking to wait")

    async def _token(self) -> str | None:
        """A token for the Bot Connector; Microsoft refusing to issue one is our credentials
        refused (an expired or wrong client secret), not being able to ask is theirs."""
        try:
            return await bot_token(self.provider)
        except ValueError as err:  # the SDK's "Failed to acquire token": the service said no
            raise CredentialsRefused(
                f"Microsoft would not issue a Teams token: {_gist(err)}. {FIX}"
            ) from err
        except Exception as err:
            raise SendError(
                f"Microsoft's token service could not be reached: {_gist(err)}"
            ) from err


FIX = "Check TEAMS_APP_ID and TEAMS_APP_PASSWORD (a client secret expires)"


def _refusal(meaning: Meaning, status: int, code: str, who: str) -> str:
    """What a refusal means, in words for the outbox and the admins."""
    if meaning == Meaning.PERSON:
        return f"{who} can't be reached in Teams (HTTP {status}) until they write to the bot again"
    detail = f"HTTP {status}{' ' + code if code else ''}"
    if meaning == Meaning.CREDENTIALS:
        return f"Teams refused engagebot's credentials ({detail}). {FIX}"
    if meaning == Meaning.MESSAGE:
        return f"Teams refused the message itself ({detail}): a fault in engagebot"
    return f"Teams said {detail}"


async def _error_code(response: ClientResponse) -> str:
    """The Bot Connector's error code ("BotNotInConversationRoster"), when its body has one."""
    try:
        body = await response.json(content_type=None)
    except Exception:  # not JSON, or cut off: the status says enough
        return ""
    error = body.get("error") if isinstance(body, dict) else None
    code = error.get("code") if isinstance(error, dict) else None
    return str(code)[:80] if code else ""


def _gist(err: BaseException) -> str:
    """An exception in one short line (a token service's answer can be long)."""
    text = " ".join(str(err).split()) or type(err).__name__
    return text[:300]


def _outgoing(activity: dict[str, Any], address: Mapping[str, str]) -> dict[str, Any]:
    return {
        **activity,
        "from": {"id": address.get("bot", ""), "name": address.get("bot_name", "")},
        "conversation": {"id": address["conversation"]},
        "recipient": {"id": address.get("user", "")},
        "channelData": {"tenant": {"id": address.get("tenant", "")}},
    }


def _url(service_url: str, path: str) -> str:
    return service_url.rstrip("/") + "/" + path


def _auth_headers(token: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"} if token else {}
