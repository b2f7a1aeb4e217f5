"""One turn's worth of everything a handler may use."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from handlers.chat.context import AppContext
from handlers.chat.messages import Incoming
from models.tables import Person


@dataclass(frozen=True)
class Request:
    ctx: AppContext
    session: Session  # the turn's transaction: everything it writes commits or rolls back together
    who: Person | None
    msg: Incoming

    @property
    def answer(self) -> str:
        """What a pressed button is about (its answer), else the typed text."""
        if self.msg.intent is not None:
            return self.msg.intent.key.strip()
        return (self.msg.choice if self.msg.choice is not None else self.msg.text).strip()
