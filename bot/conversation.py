"""The conversation core: route each message to a handler and keep the conversation's state.

A turn runs in one database transaction: the conversation state is read, the handler runs, and
its effects and the next state are committed together, or not at all. So a restart, or a second
instance behind a load balancer, carries on the same conversation.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session, select

from handlers import basics, update_flow
from handlers.context import AppContext
from handlers.messages import Incoming, Reply, Turn
from handlers.people import identify
from handlers.request import Request
from models.db import transaction
from models.tables import ConversationState

log = logging.getLogger(__name__)

Handler = Callable[[Request, re.Match[str]], Turn]
Step = Callable[[Request, str, dict[str, object]], Turn]


@dataclass(frozen=True)
class Command:
    pattern: re.Pattern[str]
    handler: Handler


def command(pattern: str, handler: Handler) -> Command:
    return Command(re.compile(rf"^\s*(?:{pattern})\s*[.!?]*\s*$", re.IGNORECASE), handler)


COMMANDS: tuple[Command, ...] = (
    command(r"help|\?|what can you do|hi|hello", lambda r, m: basics.help_turn(r)),
    command(
        r"my actions|mine|my tasks|what'?s mine|what do i own|list my actions",
        lambda r, m: basics.my_actions(r),
    ),
    command(r"update(?:\s+(?P<ref>\S+))?", lambda r, m: update_flow.start(r, m["ref"] or "")),
    command(r"(?:show|details|view)\s+(?P<ref>\S+)", lambda r, m: basics.show_action(r, m["ref"])),
    command(r"plans|list plans", lambda r, m: basics.plans(r)),
)

CANCEL = re.compile(r"^\s*(cancel|stop|never ?mind|quit|abort)\s*[.!]*\s*$", re.IGNORECASE)

FLOWS: dict[str, Step] = {update_flow.FLOW: update_flow.step}

# Steps whose answer is free text: there, "help" or "update R4" are the officer's words, not a
# command, and only "cancel" interrupts.
FREE_TEXT_STEPS = {(update_flow.FLOW, "note")}


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

    def handle(self, msg: Incoming) -> list[Reply]:
        try:
            turn = self._turn(msg)
        except Exception:  # the turn rolled back whole; tell the user rather than go silent
            log.exception("turn failed for %s/%s", msg.channel, msg.user)
            return [Reply(FAILED, private=True)]
        return [r for r in turn.replies if r.text or r.items]

    def _turn(self, msg: Incoming) -> Turn:
        with transaction(self.ctx.engine) as session:
            state = _load_state(session, msg)
            if state is not None and _expired(state, self.ctx):
                session.delete(state)
                state = None
            who = identify(session, msg.channel, msg.user, msg.email)
            req = Request(self.ctx, session, who, msg)
            turn = self._route(req, state)
            _save_state(session, msg, state, turn, self.ctx)
        return turn

    def _route(self, req: Request, state: ConversationState | None) -> Turn:
        text = req.answer
        if CANCEL.match(text):
            return _cancelled(state)
        matched = self._match(text)
        in_free_text = state is not None and (state.flow, state.step) in FREE_TEXT_STEPS
        if state is not None and (matched is None or in_free_text):
            return self.flows[state.flow](req, state.step, dict(state.data))
        if matched is not None:
            cmd, match = matched
            return cmd.handler(req, match)
        return basics.not_understood(req)

    def _match(self, text: str) -> tuple[Command, re.Match[str]] | None:
        for cmd in self.commands:
            match = cmd.pattern.match(text)
            if match:
                return cmd, match
        return None


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
