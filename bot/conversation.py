"""The conversation core: route each message to a flow and keep the conversation's state.

A turn runs in one database transaction: the conversation state is read, the flow's step runs,
and its effects and the next state are committed together, or not at all. So a restart, or a
second instance behind a load balancer, carries on the same conversation. The turn reads first
and writes last: the event record, the address and the state are written at its end, under the
write lock (models.db.write_lock), after checking that no other process handled the same event
or moved the conversation on meanwhile (then the turn is worked out again); so a slow turn
holds nobody else's up, and no two instances apply the same turn's effects. The core knows no
flow's words or steps: each flow declares them (handlers/chat/flow.py) and is registered here.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from handlers.chat import addresses, cards, outbox, state
from handlers.chat.context import AppContext
from handlers.chat.flow import Flow, FormHandlers, first_match
from handlers.chat.messages import Form, Incoming, Outcome, Reply, Submitted, Turn
from handlers.chat.outbound import Directory
from handlers.chat.request import Request
from handlers.chat.state import ConversationKey, Saved
from handlers.flows import (
    attach,
    commands,
    consult,
    healthcheck,
    home,
    log_update,
    publish,
    reminder_reply,
    summary,
    update,
)
from handlers.language.text import readable
from handlers.plans import organisations, platform_access
from handlers.plans.organisations import not_set_up as refusal
from handlers.plans.people import identify
from handlers.plans.progress import MAX_NOTE_CHARS
from models.db import disk_full, reason, transaction, unavailable, write_lock
from models.scoping import ALL
from models.tables import HandledEvent, Person

log = logging.getLogger(__name__)

# Every conversation the bot can hold; where two could take the same words, the first wins.
FLOWS: tuple[Flow[Any], ...] = (
    commands.FLOW,
    update.FLOW,
    consult.FLOW,
    healthcheck.FLOW,
    summary.FLOW,
    publish.FLOW,
    home.FLOW,
    log_update.FLOW,
    attach.FLOW,
    reminder_reply.FLOW,
)

NO_FORM = "That form is no longer in use, so nothing was saved. Say 'help' to see what I can do."
FAILED = "Sorry, something went wrong on my side and nothing was saved. Please try again."
UNAVAILABLE = (
    "Sorry, I can't reach my database just now, so nothing was saved. "
    "Please try again in a minute or two."
)
DISK_FULL = (
    "Sorry, I couldn't save that: the disk my database is on is full, so nothing was saved. "
    "The people who run me have been told; please try again later."
)
# How often a turn is worked out again when another process moved its conversation on meanwhile.
TURN_ATTEMPTS = 3
# A message carries a progress note or two with their references; longer is a paste gone wrong,
# and reading it would hold a worker and a transaction.
MAX_MESSAGE_CHARS = MAX_NOTE_CHARS + 2000


class Conversation:
    """Takes neutral messages from any channel and gives back neutral replies."""

    def __init__(
        self,
        ctx: AppContext,
        flows: Sequence[Flow[Any]] = FLOWS,
        *,
        local_org: int | str | None = None,
    ) -> None:
        self.ctx = ctx
        self.local_org = local_org  # the console's organisation (`--org`); None: the default
        self.flows = {flow.name: flow for flow in flows}
        self.entries = tuple(cmd for flow in flows for cmd in flow.entries)
        self._directories: dict[str, Directory] = {}
        # A lock for each conversation with a turn running or waiting, dropped when free.
        self._locks: dict[ConversationKey, _Held] = {}
        self._locks_guard = threading.Lock()

    def add_directory(self, channel: str, directory: Directory) -> None:
        """How to find the e-mail of `channel`'s users whose chat id is not known yet."""
        self._directories[channel] = directory

    def organisation(self, msg: Incoming) -> AppContext | None:
        """This event's organisation, as the context its work runs in; None if its workspace
        is not set up (nothing else is read: not even who the user is)."""
        with transaction(self.ctx.engine, ALL) as session:
            org = organisations.resolve(session, msg.channel, msg.workspace, self.local_org)
        if org is None:
            log.warning(
                "refused an event from %s workspace %r, which no organisation holds "
                "(engagebot orgs bind SLUG %s %s)",
                msg.channel,
                msg.workspace,
                _bind_option(msg.channel),
                msg.workspace or "ID",
            )
            return None
        return replace(self.ctx, org=org)

    def not_set_up(self, msg: Incoming) -> str:
        """What someone writing from an unbound workspace is told: who can fix it, and how."""
        with transaction(self.ctx.engine, ALL) as session:
            return refusal(session, _bind_option(msg.channel), msg.workspace)

    def pending(self, msg: Incoming) -> list[Reply]:
        """Messages queued for this user (reminders, notices) for channels that pull them."""
        try:
            ctx = self.organisation(msg)
            if ctx is None:
                return []
            with transaction(ctx.engine, ctx.org) as session:
                who = self._who(session, msg)
            if who is None or who.id is None:
                return []
            return outbox.pull(ctx, msg.channel, who.id, msg.key)
        except Exception as error:  # they stay queued and come with the next message
            _failed("pending messages", msg, error)
            return []

    def open_form(self, msg: Incoming, name: str, key: str) -> Form | list[Reply]:
        """The form `name` about `key` (e.g. the update form of an action), or why not."""
        form = self._form(name)
        if form is None:
            return [Reply(NO_FORM, private=True)]
        try:
            ctx = self.organisation(msg)
            if ctx is None:
                return [Reply(self.not_set_up(msg), private=True)]
            with transaction(ctx.engine, ctx.org) as session:
                result = form.open(Request(ctx, session, self._who(session, msg), msg), key)
        except Exception as error:
            return [Reply(_failed(f"form {name}", msg, error), private=True)]
        return result if isinstance(result, Form) else list(result.replies)

    def submit_form(
        self, msg: Incoming, name: str, key: str, values: dict[str, str], submission_id: str
    ) -> Submitted:
        """Check and apply a submitted form in one transaction."""
        form = self._form(name)
        if form is None:
            return Submitted({next(iter(values), "form"): NO_FORM})
        values = {field: readable(value) for field, value in values.items()}
        try:
            ctx = self.organisation(msg)
            if ctx is None:
                return Submitted({next(iter(values), "form"): self.not_set_up(msg)})
            with transaction(ctx.engine, ctx.org) as session:
                req = Request(ctx, session, self._who(session, msg), msg)
                return form.submit(req, key, values, submission_id)
        except Exception as error:
            return Submitted({next(iter(values), "form"): _failed(f"form {name}", msg, error)})

    def hold(
        self,
        msg: Incoming,
        replies: list[Reply],
        problem: str,
        room: str,
        personal: bool,
        refused: bool = False,
    ) -> int:
        """Replies the platform would not take (after the channel's retries): kept in the
        outbox with why, so a delivery run sends them; nothing undelivered is lost or called
        sent. They go to the person (their own chat) when the bot knows them, else to `room`,
        except a private answer given in a room, which only the person may see. `refused`:
        the platform refused our credentials (recorded, the admins told once)."""
        try:
            ctx = self.organisation(msg)
            if ctx is None:
                return 0
            now = ctx.now()
            with transaction(ctx.engine, ctx.org) as session:
                who = identify(session, msg.channel, msg.user)
                held = 0
                for reply in replies:
                    to_person = who is not None and (personal or reply.private)
                    if not to_person and reply.private and not personal:
                        continue  # nobody to give it to privately
                    outbox.queue(
                        session,
                        reply,
                        via=msg.channel,
                        kind="reply",
                        now=now,
                        person_id=who.id if to_person and who is not None else None,
                        chat_channel="" if to_person else room,
                        problem=problem,
                    )
                    held += 1
            if refused:
                self._refused(msg.channel, problem)
        except Exception as error:
            _failed("holding undelivered replies", msg, error)
            return 0
        if held < len(replies):
            log.warning(
                "%d private answer(s) for %s could not be kept", len(replies) - held, msg.user
            )
        return held

    def _refused(self, channel: str, problem: str) -> None:
        others = [name for name in self._directories if name != channel]
        with transaction(self.ctx.engine, ALL) as session:
            news = platform_access.refused(session, channel, problem, self.ctx.now(), others=others)
        if news:
            log.error(
                "%s. Replies are held, not lost, and go out once %s accepts engagebot's "
                "credentials again; the plans' admins have been told.",
                problem.rstrip("."),
                channel.capitalize(),
            )

    def _form(self, name: str) -> FormHandlers | None:
        """The form a channel names (it comes from a payload: never trusted to exist)."""
        flow = self.flows.get(name)
        return flow.form if flow is not None else None

    def handle(self, msg: Incoming) -> list[Reply]:
        """The replies to a message or a press (a form it asks for is left out)."""
        return list(self.respond(msg).replies)

    def respond(self, msg: Incoming) -> Outcome:
        """Everything a channel shows for a message or a press: replies, a form, and the
        pressed message as it now looks."""
        too_long = _too_long(msg)
        if too_long is not None:  # answered before any work: the conversation stays as it was
            return Outcome((too_long,))
        msg = _readable(msg)
        try:
            ctx = self.organisation(msg)
            if ctx is None:
                return Outcome((Reply(self.not_set_up(msg), private=True),))
            with self._lock(msg.key):
                return self._turn(ctx, msg)
        except Exception as error:  # the turn rolled back whole; tell the user, never go silent
            return Outcome((Reply(_failed("turn", msg, error), private=True),))

    def welcome(self, msg: Incoming) -> list[Reply]:
        """The welcome where the app was just installed: once per conversation, however many
        install events the platform sends (Teams sends two), on whichever instance."""
        try:
            ctx = self.organisation(msg)
            if ctx is None:
                return [Reply(self.not_set_up(msg), private=True)]
            with self._lock(msg.key), transaction(ctx.engine, ctx.org) as session:
                _remember_address(session, msg, ctx)
                welcomed = replace(msg, event_id=_welcomed(msg))
                if _seen_before(session, welcomed):
                    return []
                _record_event(session, welcomed, ctx)
                req = Request(ctx, session, self._who(session, msg), msg)
                turn = commands.welcome(req)
                now = ctx.now()
                return [cards.keep(session, r, now) for r in turn.replies]
        except IntegrityError:  # the other install event, on another instance, was first
            return []
        except Exception as error:
            return [Reply(_failed("welcome", msg, error), private=True)]

    def uninstalled(self, msg: Incoming) -> None:
        """The app was removed: a later install is welcomed again."""
        try:
            ctx = self.organisation(msg)
            if ctx is None:
                return
            key = f"{msg.channel}:{msg.workspace}:{_welcomed(msg)}"
            with transaction(ctx.engine, ctx.org) as session:
                for row in session.exec(select(HandledEvent).where(HandledEvent.key == key)):
                    session.delete(row)
        except Exception as error:
            _failed("uninstall", msg, error)

    def _who(self, session: Session, msg: Incoming) -> Person | None:
        who = identify(session, msg.channel, msg.user, msg.email)
        directory = self._directories.get(msg.channel)
        if who is None and msg.email is None and directory is not None:
            who = identify(
                session,
                msg.channel,
                msg.user,
                directory.email_of(msg.user, msg.address, workspace=msg.workspace),
            )
        return who

    @contextmanager
    def _lock(self, key: ConversationKey) -> Iterator[None]:
        """One turn at a time per conversation: a double click waits for the first to finish.
        The lock is forgotten once no turn holds or waits for it, so they never pile up."""
        with self._locks_guard:
            held = self._locks.setdefault(key, _Held())
            held.users += 1
        try:
            with held.lock:
                yield
        finally:
            with self._locks_guard:
                held.users -= 1
                if held.users == 0:
                    del self._locks[key]

    def turns_in_progress(self) -> int:
        """Conversations with a turn running or waiting (their locks are all that is kept)."""
        with self._locks_guard:
            return len(self._locks)

    def _turn(self, ctx: AppContext, msg: Incoming) -> Outcome:
        """Run a turn; worked out again if another process moved its conversation on (or
        handled the same event) while it ran, so its effects are never applied twice."""
        for _ in range(TURN_ATTEMPTS - 1):
            try:
                return self._attempt(ctx, msg)
            except _Changed:
                log.info("conversation %s moved on during a turn; working it out again", msg.key)
        return self._attempt(ctx, msg)

    def _attempt(self, ctx: AppContext, msg: Incoming) -> Outcome:
        try:
            with transaction(ctx.engine, ctx.org) as session:
                # Reads first: on SQLite they take no lock, so a slow turn holds no one up.
                if _seen_before(session, msg):
                    return Outcome()
                now = ctx.now()
                stored = state.load(session, msg.key)
                req = Request(ctx, session, self._who(session, msg), msg)
                turn = self._route(req, self._current(stored))
                # Then the writes, at the end, in one short stretch under the write lock: the
                # event is recorded and the state saved with the turn's effects, or none is.
                write_lock(session)
                if _seen_before(session, msg):
                    raise _Redelivered  # another instance handled it meanwhile
                if state.locked(session, msg.key) != stored:
                    raise _Changed
                _record_event(session, msg, ctx)
                _remember_address(session, msg, ctx)
                if req.who is not None and req.who.id is not None:
                    outbox.release(session, msg.channel, req.who.id)  # reachable here again
                if turn.form is not None and msg.forms:
                    pass  # a form instead of questions: the conversation stays where it was
                elif turn.next is None:
                    state.clear(session, msg.key)
                else:
                    state.save(session, msg.key, turn.next, now)
                look = None
                if msg.intent is not None and msg.card:
                    look = cards.press(session, msg.card, msg.intent, msg.text, now)
                replies = tuple(
                    cards.keep(session, r, now) for r in turn.replies if r.text or r.items
                )
                session.flush()
        except _Redelivered:
            return Outcome()
        except IntegrityError as error:
            # A concurrent turn inserted the same event or conversation first (PostgreSQL
            # lets both get this far): the next attempt reads what it committed.
            raise _Changed from error
        form = turn.form if msg.forms else None
        return Outcome(replies, form, look)

    def _current(self, saved: Saved | None) -> Saved | None:
        """The conversation's state, unless its flow is gone or it was left too long ago."""
        flow = self.flows.get(saved.flow) if saved else None
        if saved is None or flow is None or self.ctx.now() - saved.updated_at > flow.timeout:
            return None
        return saved

    def _route(self, req: Request, saved: Saved | None) -> Turn:
        intent = req.msg.intent
        if intent is not None and not intent.words:
            flow = self.flows.get(intent.flow)
            if flow is None:  # a button from a version that had this flow
                return commands.out_of_date(req)
            here = saved is not None and saved.flow == flow.name
            return flow.press(
                req, intent, saved.step if here and saved else None, saved.data if saved else {}
            )
        text = req.answer
        if saved is not None:
            flow = self.flows[saved.flow]
            fallback = flow.fallback(text)
            if fallback is not None:
                cmd, match = fallback
                return cmd.handler(req, match)
            matched = first_match(self.entries, text, busy=True)
            if matched is None or saved.step in flow.free_text:
                return flow.run(req, saved.step, saved.data)
        else:
            matched = first_match(self.entries, text)
        if matched is not None:
            cmd, match = matched
            return cmd.handler(req, match)
        return commands.not_understood(req)


def _bind_option(channel: str) -> str:
    """The `engagebot orgs bind` option that names a workspace of `channel`."""
    return "--teams-tenant" if channel == "teams" else f"--{channel}-team"


def _failed(what: str, msg: Incoming, error: Exception) -> str:
    """Log a failed piece of work and say what the user is told: a full disk is the
    operators' to fix (one ERROR line, no traceback); an unreachable or locked database is an
    outage (one WARNING line); anything else is a bug (a traceback)."""
    if disk_full(error):
        log.error(
            "%s for %s/%s: the database's disk is full, nothing can be saved until space is "
            "freed: %s",
            what,
            msg.channel,
            msg.user,
            reason(error),
        )
        return DISK_FULL
    if unavailable(error):
        log.warning(
            "%s for %s/%s: database unavailable: %s", what, msg.channel, msg.user, reason(error)
        )
        return UNAVAILABLE
    log.error("%s failed for %s/%s", what, msg.channel, msg.user, exc_info=error)
    return FAILED


def _readable(msg: Incoming) -> Incoming:
    """The message without control characters: no one means them, and NUL can't be stored."""
    choice = readable(msg.choice) if msg.choice is not None else None
    return replace(msg, text=readable(msg.text), choice=choice)


def _too_long(msg: Incoming) -> Reply | None:
    size = max(len(msg.text), len(msg.choice or ""))
    if size <= MAX_MESSAGE_CHARS:
        return None
    return Reply(
        f"That message is {size:,} characters long, and I read up to {MAX_MESSAGE_CHARS:,} at a "
        "time, so nothing was saved. Please send it again in shorter parts (a progress note can "
        f"be up to {MAX_NOTE_CHARS:,} characters), or put the detail in a document and send me "
        "its link.",
        private=True,
    )


@dataclass
class _Held:
    """A conversation's lock and how many turns hold or wait for it."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    users: int = 0


class _Changed(Exception):
    """Another process moved the conversation on while this turn was worked out."""


class _Redelivered(Exception):
    """Another process handled this very event while this turn was worked out."""


def _event_key(msg: Incoming) -> str | None:
    return f"{msg.channel}:{msg.workspace}:{msg.event_id}" if msg.event_id else None


def _seen_before(session: Session, msg: Incoming) -> bool:
    """True for a redelivered event (one handled and committed already)."""
    key = _event_key(msg)
    if key is None:
        return False
    return session.exec(select(HandledEvent.id).where(HandledEvent.key == key)).first() is not None


def _record_event(session: Session, msg: Incoming, ctx: AppContext) -> None:
    """Remember the event with the turn it caused, so a redelivery is ignored."""
    key = _event_key(msg)
    if key is not None:
        session.add(HandledEvent(key=key, handled_at=ctx.now()))


def _welcomed(msg: Incoming) -> str:
    """The event id that stands for "welcomed in this conversation"."""
    return f"welcome:{msg.conversation}"


def _remember_address(session: Session, msg: Incoming, ctx: AppContext) -> None:
    """Keep where the user (a personal chat) or the room can be reached, refreshed each time."""
    if not msg.address:
        return
    owner = msg.user if msg.address.get("scope") == "personal" else msg.place
    if owner:
        addresses.save(session, msg.channel, owner, msg.address, ctx.now())
