"""The conversation core: route each message to a handler and keep the conversation's state.

A turn runs in one database transaction: the conversation state is read, the handler runs, and
its effects and the next state are committed together, or not at all. So a restart, or a second
instance behind a load balancer, carries on the same conversation.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session, select

from handlers.chat.context import AppContext
from handlers.chat.messages import Form, Incoming, Reply, Submitted, Turn
from handlers.chat.request import Request
from handlers.flows import commands as basics
from handlers.flows import consult as consult_flow
from handlers.flows import reminder_reply as reminder_flow
from handlers.flows import summary as summary_flow
from handlers.flows import update as update_flow
from handlers.plans.people import identify
from models.db import transaction
from models.tables import ConversationState, HandledEvent, Person
from reminders.delivery import pull

log = logging.getLogger(__name__)

Handler = Callable[[Request, re.Match[str]], Turn]
Step = Callable[[Request, str, dict[str, object]], Turn]


@dataclass(frozen=True)
class Command:
    pattern: re.Pattern[str]
    handler: Handler
    only_when_idle: bool = False  # a conversation in progress takes these words itself


def command(pattern: str, handler: Handler, *, only_when_idle: bool = False) -> Command:
    compiled = re.compile(rf"^\s*(?:{pattern})\s*[.!?]*\s*$", re.IGNORECASE)
    return Command(compiled, handler, only_when_idle)


COMMANDS: tuple[Command, ...] = (
    command(r"help|\?|what can you do|hi|hello", lambda r, m: basics.help_turn(r)),
    command(
        r"my actions|mine|my tasks|what'?s mine|what do i own|list my actions",
        lambda r, m: basics.my_actions(r),
    ),
    command(r"update(?:\s+(?P<ref>\S+))?", lambda r, m: update_flow.start(r, m["ref"] or "")),
    command(r"(?:show|details|view)\s+(?P<ref>\S+)", lambda r, m: basics.show_action(r, m["ref"])),
    command(r"plans|list plans", lambda r, m: basics.plans(r)),
    command(
        r"(?:what'?s |what is |show |list )?overdue(?: actions)?",
        lambda r, m: basics.overdue(r),
    ),
    # The consult-or-engage toolkit.
    command(
        r"consult|should i consult(?: or engage)?|consult or engage|do i need to consult",
        lambda r, m: consult_flow.start(r),
    ),
    # The status summary, and standing orders to post it.
    command(
        r"(?:summary|status)(?P<full> full)?(?: (?:of |for )?(?P<plan>[\w:.-]+))?",
        lambda r, m: summary_flow.summary_turn(r, m["plan"], bool(m["full"])),
    ),
    command(
        r"post (?:the )?summary every (?P<day>monday|tuesday|wednesday|thursday|friday)"
        r"(?: for (?P<plan>\S+))?",
        lambda r, m: summary_flow.schedule_weekly(r, m["day"], m["plan"]),
    ),
    command(
        r"post (?:the )?summary before (?:each |the )?meetings? on (?P<dates>.+?)"
        r"(?: for (?P<plan>\S+))?",
        lambda r, m: summary_flow.schedule_meetings(r, m["dates"], m["plan"]),
    ),
    command(
        r"stop (?:the )?(?:scheduled |weekly )?summar(?:y|ies)",
        lambda r, m: summary_flow.stop_schedules(r),
    ),
    # The buttons on a reminder.
    command(r"complete (?P<ref>\S+)", lambda r, m: reminder_flow.mark_complete(r, m["ref"])),
    command(r"newdate (?P<ref>\S+)", lambda r, m: reminder_flow.new_date(r, m["ref"])),
    command(r"snooze (?P<ref>\S+)", lambda r, m: reminder_flow.snooze(r, m["ref"])),
    command(r"notmine (?P<ref>\S+)", lambda r, m: reminder_flow.not_mine(r, m["ref"])),
    # A Save button pressed again once its update is over: say so instead of "not understood".
    command(
        r"save (?P<token>[0-9a-f]{32})",
        lambda r, m: update_flow.saved_already(r, m["token"]),
        only_when_idle=True,
    ),
)

CANCEL = re.compile(r"^\s*(cancel|stop|never ?mind|quit|abort)\s*[.!]*\s*$", re.IGNORECASE)

FLOWS: dict[str, Step] = {
    update_flow.FLOW: update_flow.step,
    reminder_flow.FLOW: reminder_flow.step,
    consult_flow.FLOW: consult_flow.step,
}

FormOpener = Callable[[Request, str], Form | Turn]
FormSubmitter = Callable[[Request, str, dict[str, str], str], Submitted]
FORMS: dict[str, tuple[FormOpener, FormSubmitter]] = {
    update_flow.FLOW: (update_flow.form, update_flow.submit),
}

# Steps whose answer is free text: there, "help" or "update R4" are the officer's words, not a
# command, and only "cancel" interrupts.
FREE_TEXT_STEPS = {(update_flow.FLOW, "note"), (consult_flow.FLOW, "walk")}


FAILED = "Sorry, something went wrong on my side and nothing was saved. Please try again."
STATE_LIFETIME = timedelta(hours=12)  # an update left half-way this long ago is dropped


class Conversation:
    """Takes neutral messages from any channel and gives back neutral replies."""

    def __init__(
        self,
        ctx: AppContext,
        commands: tuple[Command, ...] = COMMANDS,
        flows: dict[str, Step] | None = None,
    ) -> None:
        self.ctx = ctx
        self.commands = commands
        self.flows = FLOWS if flows is None else flows
        # Looks up a user's e-mail on their platform when their chat id is not known yet.
        self.directory: Callable[[str, str], str | None] | None = None
        self._locks: dict[tuple[str, str, str, str], threading.Lock] = {}
        self._locks_guard = threading.Lock()

    def pending(self, msg: Incoming) -> list[Reply]:
        """Messages queued for this user (reminders, notices) for channels that pull them."""
        with transaction(self.ctx.engine) as session:
            who = self._who(session, msg)
        if who is None or who.id is None:
            return []
        return pull(self.ctx, msg.channel, who.id, _key(msg))

    def open_form(self, msg: Incoming, name: str, key: str) -> Form | list[Reply]:
        """The form `name` about `key` (e.g. the update form of an action), or why not."""
        with transaction(self.ctx.engine) as session:
            req = Request(
                self.ctx, session, identify(session, msg.channel, msg.user, msg.email), msg
            )
            result = FORMS[name][0](req, key)
        return result if isinstance(result, Form) else list(result.replies)

    def submit_form(
        self, msg: Incoming, name: str, key: str, values: dict[str, str], submission_id: str
    ) -> Submitted:
        """Check and apply a submitted form in one transaction."""
        try:
            with transaction(self.ctx.engine) as session:
                who = identify(session, msg.channel, msg.user, msg.email)
                return FORMS[name][1](
                    Request(self.ctx, session, who, msg), key, values, submission_id
                )
        except Exception:
            log.exception("form %s failed for %s/%s", name, msg.channel, msg.user)
            return Submitted({next(iter(values), "form"): FAILED})

    def handle(self, msg: Incoming) -> list[Reply]:
        try:
            with self._lock(msg):
                turn = self._turn(msg)
        except Exception:  # the turn rolled back whole; tell the user rather than go silent
            log.exception("turn failed for %s/%s", msg.channel, msg.user)
            return [Reply(FAILED, private=True)]
        return [r for r in turn.replies if r.text or r.items]

    def _who(self, session: Session, msg: Incoming) -> Person | None:
        who = identify(session, msg.channel, msg.user, msg.email)
        if who is None and msg.email is None and self.directory is not None:
            who = identify(session, msg.channel, msg.user, self.directory(msg.channel, msg.user))
        return who

    def _lock(self, msg: Incoming) -> threading.Lock:
        """One turn at a time per conversation: a double click waits for the first to finish."""
        with self._locks_guard:
            return self._locks.setdefault(_key(msg), threading.Lock())

    def _turn(self, msg: Incoming) -> Turn:
        with transaction(self.ctx.engine) as session:
            if _seen_before(session, msg, self.ctx):
                return Turn(())
            state = _load_state(session, msg)
            if state is not None and _expired(state, self.ctx):
                session.delete(state)
                state = None
            req = Request(self.ctx, session, self._who(session, msg), msg)
            turn = self._route(req, state)
            _save_state(session, msg, state, turn, self.ctx)
        return turn

    def _route(self, req: Request, state: ConversationState | None) -> Turn:
        text = req.answer
        if CANCEL.match(text):
            return _cancelled(state)
        matched = self._match(text, busy=state is not None)
        in_free_text = state is not None and (state.flow, state.step) in FREE_TEXT_STEPS
        if state is not None and (matched is None or in_free_text):
            return self.flows[state.flow](req, state.step, dict(state.data))
        if matched is not None:
            cmd, match = matched
            return cmd.handler(req, match)
        return basics.not_understood(req)

    def _match(self, text: str, busy: bool) -> tuple[Command, re.Match[str]] | None:
        for cmd in self.commands:
            if busy and cmd.only_when_idle:
                continue
            match = cmd.pattern.match(text)
            if match:
                return cmd, match
        return None


def _seen_before(session: Session, msg: Incoming, ctx: AppContext) -> bool:
    """True for a redelivered event; otherwise remember it, in this turn's transaction."""
    if not msg.event_id:
        return False
    key = f"{msg.channel}:{msg.workspace}:{msg.event_id}"
    if session.exec(select(HandledEvent.id).where(HandledEvent.key == key)).first() is not None:
        return True
    session.add(HandledEvent(key=key, handled_at=ctx.now()))
    return False


def _expired(state: ConversationState, ctx: AppContext) -> bool:
    return ctx.now() - state.updated_at > STATE_LIFETIME


def _cancelled(state: ConversationState | None) -> Turn:
    if state is None:
        return Turn((Reply("There's nothing to cancel."),))
    return Turn((Reply("Cancelled. Nothing was saved."),))


def _key(msg: Incoming) -> tuple[str, str, str, str]:
    return (msg.channel, msg.workspace, msg.conversation, msg.user)


def _load_state(session: Session, msg: Incoming) -> ConversationState | None:
    channel, workspace, conversation, user = _key(msg)
    query = select(ConversationState).where(
        ConversationState.channel == channel,
        ConversationState.workspace == workspace,
        ConversationState.conversation == conversation,
        ConversationState.user == user,
    )
    return session.exec(query).first()


def _save_state(
    session: Session,
    msg: Incoming,
    state: ConversationState | None,
    turn: Turn,
    ctx: AppContext,
) -> None:
    if turn.flow is None:
        if state is not None:
            session.delete(state)
        return
    if state is None:
        channel, workspace, conversation, user = _key(msg)
        state = ConversationState(
            channel=channel,
            workspace=workspace,
            conversation=conversation,
            user=user,
            flow=turn.flow,
            step=turn.step,
            updated_at=ctx.now(),
        )
    state.flow, state.step, state.data = turn.flow, turn.step, dict(turn.data)
    state.updated_at = ctx.now()
    session.add(state)
