"""The conversation core: route each message to a flow and keep the conversation's state.

A turn runs in one database transaction: the conversation state is read, the flow's step runs,
and its effects and the next state are committed together, or not at all. So a restart, or a
second instance behind a load balancer, carries on the same conversation. The core knows no
flow's words or steps: each flow declares them (handlers/chat/flow.py) and is registered here.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, select

from handlers.chat import addresses, outbox, state
from handlers.chat.context import AppContext
from handlers.chat.flow import Flow, FormHandlers, first_match
from handlers.chat.messages import Form, Incoming, Reply, Submitted, Turn
from handlers.chat.outbound import Directory
from handlers.chat.request import Request
from handlers.chat.state import ConversationKey, Saved
from handlers.flows import commands, consult, reminder_reply, summary, update
from handlers.plans.people import identify
from models.db import transaction
from models.tables import HandledEvent, Person

log = logging.getLogger(__name__)

# Every conversation the bot can hold; where two could take the same words, the first wins.
FLOWS: tuple[Flow[Any], ...] = (
    commands.FLOW,
    update.FLOW,
    consult.FLOW,
    summary.FLOW,
    reminder_reply.FLOW,
)

NO_FORM = "That form is no longer in use, so nothing was saved. Say 'help' to see what I can do."
FAILED = "Sorry, something went wrong on my side and nothing was saved. Please try again."


class Conversation:
    """Takes neutral messages from any channel and gives back neutral replies."""

    def __init__(self, ctx: AppContext, flows: Sequence[Flow[Any]] = FLOWS) -> None:
        self.ctx = ctx
        self.flows = {flow.name: flow for flow in flows}
        self.entries = tuple(cmd for flow in flows for cmd in flow.entries)
        self._directories: dict[str, Directory] = {}
        # A lock for each conversation with a turn running or waiting, dropped when free.
        self._locks: dict[ConversationKey, _Held] = {}
        self._locks_guard = threading.Lock()

    def add_directory(self, channel: str, directory: Directory) -> None:
        """How to find the e-mail of `channel`'s users whose chat id is not known yet."""
        self._directories[channel] = directory

    def pending(self, msg: Incoming) -> list[Reply]:
        """Messages queued for this user (reminders, notices) for channels that pull them."""
        with transaction(self.ctx.engine) as session:
            who = self._who(session, msg)
        if who is None or who.id is None:
            return []
        return outbox.pull(self.ctx, msg.channel, who.id, msg.key)

    def open_form(self, msg: Incoming, name: str, key: str) -> Form | list[Reply]:
        """The form `name` about `key` (e.g. the update form of an action), or why not."""
        form = self._form(name)
        if form is None:
            return [Reply(NO_FORM, private=True)]
        with transaction(self.ctx.engine) as session:
            result = form.open(Request(self.ctx, session, self._who(session, msg), msg), key)
        return result if isinstance(result, Form) else list(result.replies)

    def submit_form(
        self, msg: Incoming, name: str, key: str, values: dict[str, str], submission_id: str
    ) -> Submitted:
        """Check and apply a submitted form in one transaction."""
        form = self._form(name)
        if form is None:
            return Submitted({next(iter(values), "form"): NO_FORM})
        try:
            with transaction(self.ctx.engine) as session:
                req = Request(self.ctx, session, self._who(session, msg), msg)
                return form.submit(req, key, values, submission_id)
        except Exception:
            log.exception("form %s failed for %s/%s", name, msg.channel, msg.user)
            return Submitted({next(iter(values), "form"): FAILED})

    def _form(self, name: str) -> FormHandlers | None:
        """The form a channel names (it comes from a payload: never trusted to exist)."""
        flow = self.flows.get(name)
        return flow.form if flow is not None else None

    def handle(self, msg: Incoming) -> list[Reply]:
        try:
            with self._lock(msg.key):
                turn = self._turn(msg)
        except Exception:  # the turn rolled back whole; tell the user rather than go silent
            log.exception("turn failed for %s/%s", msg.channel, msg.user)
            return [Reply(FAILED, private=True)]
        return [r for r in turn.replies if r.text or r.items]

    def _who(self, session: Session, msg: Incoming) -> Person | None:
        who = identify(session, msg.channel, msg.user, msg.email)
        directory = self._directories.get(msg.channel)
        if who is None and msg.email is None and directory is not None:
            who = identify(
                session, msg.channel, msg.user, directory.email_of(msg.user, msg.address)
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

    def _turn(self, msg: Incoming) -> Turn:
        with transaction(self.ctx.engine) as session:
            _remember_address(session, msg, self.ctx)
            if _seen_before(session, msg, self.ctx):
                return Turn(())
            saved = self._current(session, msg.key)
            req = Request(self.ctx, session, self._who(session, msg), msg)
            turn = self._route(req, saved)
            if turn.next is None:
                state.clear(session, msg.key)
            else:
                state.save(session, msg.key, turn.next, self.ctx.now())
        return turn

    def _current(self, session: Session, key: ConversationKey) -> Saved | None:
        """The conversation's state, unless its flow is gone or it was left too long ago."""
        saved = state.load(session, key)
        flow = self.flows.get(saved.flow) if saved else None
        if saved is None or flow is None or self.ctx.now() - saved.updated_at > flow.timeout:
            return None
        return saved

    def _route(self, req: Request, saved: Saved | None) -> Turn:
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


@dataclass
class _Held:
    """A conversation's lock and how many turns hold or wait for it."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    users: int = 0


def _seen_before(session: Session, msg: Incoming, ctx: AppContext) -> bool:
    """True for a redelivered event; otherwise remember it, in this turn's transaction."""
    if not msg.event_id:
        return False
    key = f"{msg.channel}:{msg.workspace}:{msg.event_id}"
    if session.exec(select(HandledEvent.id).where(HandledEvent.key == key)).first() is not None:
        return True
    session.add(HandledEvent(key=key, handled_at=ctx.now()))
    return False


def _remember_address(session: Session, msg: Incoming, ctx: AppContext) -> None:
    """Keep where the user (a personal chat) or the room can be reached, refreshed each time."""
    if not msg.address:
        return
    owner = msg.user if msg.address.get("scope") == "personal" else msg.place
    if owner:
        addresses.save(session, msg.channel, owner, msg.address, ctx.now())
