"""How a conversation is declared: the words that start it, its steps, its fallbacks, its time-out.

Each module under handlers/flows/ declares one `Flow` (as python-telegram-bot's
ConversationHandler does) and the core only runs what is declared: it matches `entries` when
the user is not in the middle of something, hands the answer to the current step otherwise,
and tries the flow's `fallbacks` ("cancel") before the step. A flow's data is a pydantic model,
checked when it is read back from the database.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Generic, TypeVar

from pydantic import BaseModel

from handlers.chat.messages import Form, Intent, Submitted, Turn, say
from handlers.chat.request import Request

Handler = Callable[[Request, re.Match[str]], Turn]
Action = Callable[[Request, str], Turn]  # a button's verb: (request, what it is about) -> turn
Data = TypeVar("Data", bound=BaseModel)


@dataclass(frozen=True)
class Command:
    """Words that do something: a full-message pattern and what it does."""

    pattern: re.Pattern[str]
    handler: Handler
    only_when_idle: bool = False  # a conversation in progress takes these words itself


def command(pattern: str, handler: Handler, *, only_when_idle: bool = False) -> Command:
    """A command matching the whole message, whatever the case and trailing punctuation."""
    compiled = re.compile(rf"^\s*(?:{pattern})\s*[.!?]*\s*$", re.IGNORECASE)
    return Command(compiled, handler, only_when_idle)


CANCEL_WORDS = r"cancel|stop|never ?mind|quit|abort"
CANCEL = command(CANCEL_WORDS, lambda req, match: say("Cancelled. Nothing was saved."))


MOVED_ON = (
    "That question is no longer open (we've moved on, or it was left too long), so nothing "
    "was changed. Say 'help' to see what I can do."
)


@dataclass(frozen=True)
class FormHandlers:
    """A flow's questions as one form, for channels that can show them together."""

    open: Callable[[Request, str], Form | Turn]  # (request, what it is about) -> form, or why not
    submit: Callable[[Request, str, dict[str, str], str], Submitted]


@dataclass(frozen=True)
class Flow(Generic[Data]):
    """One kind of conversation, registered with the core."""

    name: str
    entries: tuple[Command, ...] = ()
    data: type[Data] | None = None  # the flow's own data between turns
    steps: Mapping[str, Callable[[Request, Data], Turn]] = field(default_factory=dict)
    free_text: frozenset[str] = frozenset()  # steps where "help" is the user's words, not a command
    fallbacks: tuple[Command, ...] = (CANCEL,)  # tried before the step, in any step
    timeout: timedelta = timedelta(hours=12)  # a conversation left this long is forgotten
    form: FormHandlers | None = None
    # What its buttons may ask for from any state, by verb (e.g. "start", "snooze"); a
    # button whose verb is one of `steps` answers that step, if the conversation is there.
    actions: Mapping[str, Action] = field(default_factory=dict)
    # A button answering a step the conversation has moved on from (or left).
    moved_on: Callable[[Request, Intent], Turn] | None = None

    def run(self, req: Request, step: str, raw: Mapping[str, Any]) -> Turn:
        """The step `step`, with the flow's data read back from JSON."""
        if self.data is None or step not in self.steps:
            raise LookupError(f"flow {self.name} has no step {step!r}")
        return self.steps[step](req, self.data.model_validate(raw))

    def press(self, req: Request, intent: Intent, step: str | None, raw: Mapping[str, Any]) -> Turn:
        """A button of this flow: an action, or the answer to the step it was asked at."""
        action = self.actions.get(intent.verb)
        if action is not None:
            return action(req, intent.key)
        if step == intent.verb:
            fallback = self.fallback(intent.key)
            if fallback is not None:
                cmd, match = fallback
                return cmd.handler(req, match)
            return self.run(req, step, raw)
        if self.moved_on is not None:
            return self.moved_on(req, intent)
        return say(MOVED_ON, private=True)

    def fallback(self, text: str) -> tuple[Command, re.Match[str]] | None:
        return first_match(self.fallbacks, text)


def first_match(
    commands: tuple[Command, ...], text: str, *, busy: bool = False
) -> tuple[Command, re.Match[str]] | None:
    for cmd in commands:
        if busy and cmd.only_when_idle:
            continue
        match = cmd.pattern.match(text)
        if match:
            return cmd, match
    return None
