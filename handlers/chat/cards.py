"""Messages with buttons, kept in the database, so a pressed one is updated from what was sent.

The card id goes out on every button of the message (handlers/chat/messages.py `Reply.card`),
so whichever instance takes the press, after whatever restart, finds the message as it was
and shows it answered: its buttons gone, what was chosen in their place. The id is random and
only the people who were sent the message have it.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlmodel import Session, col

from handlers.chat.messages import Intent, Reply, pressed, reply_from_json, reply_to_json
from models.tables import Card

KEPT = timedelta(days=90)  # a reminder may be answered weeks later; then it is only history
MAX_ID = 32


def has_buttons(reply: Reply) -> bool:
    return bool(reply.choices) or any(item.choices for item in reply.items)


def keep(session: Session, reply: Reply, now: datetime) -> Reply:
    """The reply with the id it is kept under (in the caller's transaction), if it has buttons."""
    if reply.card or not has_buttons(reply):
        return reply
    kept = replace(reply, card=uuid.uuid4().hex)
    session.add(Card(id=kept.card, reply=reply_to_json(kept), created_at=now))
    return kept


def press(session: Session, card: str, intent: Intent, label: str, now: datetime) -> Reply | None:
    """The kept message `card` as it looks once `intent` was pressed on it (its own words for
    the button, else `label`); None if unknown."""
    row = session.get(Card, card) if card and len(card) <= MAX_ID else None
    if row is None:
        return None
    look = pressed(reply_from_json(row.reply), intent, label)
    row.chosen, row.chosen_at = look.chosen, now
    session.add(row)
    return look


def forget_old(session: Session, now: datetime) -> int:
    """Cards older than `KEPT`: their buttons are long out of date."""
    result = session.connection().execute(delete(Card).where(col(Card.created_at) < now - KEPT))
    return int(result.rowcount or 0)
