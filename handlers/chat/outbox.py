"""The outbox: messages nobody asked for (reminders, notices), queued in the transaction that
decided to send them, delivered after. Channels that cannot send first (the console) pull them
when the person next talks."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlmodel import Session, col

from handlers.chat import cards, state
from handlers.chat.context import AppContext
from handlers.chat.messages import Reply, reply_from_json, reply_to_json
from handlers.chat.state import ConversationKey, Next
from models.db import transaction
from models.scoping import org_of
from models.tables import Outbox, Person


def queue(
    session: Session,
    reply: Reply,
    *,
    via: str,
    kind: str,
    now: datetime,
    person_id: int | None = None,
    chat_channel: str = "",
    follow_up: Next | None = None,
    org_id: int | None = None,
    problem: str = "",
) -> Outbox:
    """Queue `reply` for a person (or a room); `follow_up` is where a reply to it will start;
    `problem` says why it is queued rather than sent, when a first try already failed.
    Its buttons' card is kept now, so a press updates it wherever and whenever it comes.

    The message belongs to the session's organisation; in work that spans organisations (the
    sweep, delivery), to the person's, or to `org_id` for a room."""
    if org_id is None and org_of(session) is None and person_id is not None:
        person = session.get(Person, person_id)
        org_id = person.org_id if person is not None else None
    reply = cards.keep(session, reply, now)
    row = Outbox(
        org_id=org_id,
        via=via,
        person_id=person_id,
        chat_channel=chat_channel,
        kind=kind,
        reply=reply_to_json(reply),
        follow_up=state.to_json(follow_up) if follow_up else None,
        created_at=now,
        problem=problem,
    )
    session.add(row)
    return row


# `failures` of a message held until its person writes again (they could not be reached).
HELD = 1_000_000


def release(session: Session, via: str, person_id: int) -> int:
    """The person wrote on `via`: their held messages may be tried again at once (the next
    delivery run sends them). Returns how many were released."""
    statement = (
        update(Outbox)
        .where(
            col(Outbox.via) == via,
            col(Outbox.person_id) == person_id,
            col(Outbox.sent_at).is_(None),
            col(Outbox.failures) >= HELD,
        )
        .values(failures=0, claimed_at=None)
        .returning(col(Outbox.id))
    )
    return len(session.execute(statement).all())


def undelivered(session: Session) -> list[tuple[Outbox, Person | None]]:
    """Messages not delivered yet, with whom each is for, oldest first: the people of this
    session's organisation, and messages for rooms."""
    query = (
        select(Outbox, Person)
        .join(Person, col(Outbox.person_id) == col(Person.id), isouter=True)
        .where(col(Outbox.sent_at).is_(None))
        .order_by(col(Outbox.id))
    )
    rows = session.execute(query).all()
    return [(row, person) for row, person in rows if row.person_id is None or person is not None]


def pull(ctx: AppContext, via: str, person_id: int, key: ConversationKey) -> list[Reply]:
    """Hand over one person's queued messages to a channel that shows them when they next talk."""
    now = ctx.now()
    with transaction(ctx.engine, ctx.org) as session:
        statement = (
            update(Outbox)
            .where(
                col(Outbox.via) == via,
                col(Outbox.person_id) == person_id,
                col(Outbox.sent_at).is_(None),
            )
            .values(claimed_at=now, sent_at=now)
            .returning(col(Outbox.id))
        )
        ids = sorted(session.execute(statement).scalars().all())
        rows = [row for i in ids if (row := session.get(Outbox, i)) is not None]
        follow_ups = [row.follow_up for row in rows if row.follow_up]
        if follow_ups:
            state.save_json(session, key, merged(follow_ups), now)
        return [reply_from_json(row.reply) for row in rows]


def merged(follow_ups: list[dict[str, object]]) -> dict[str, object]:
    """Several queued messages read at once: the last one's state, with the lists in the data
    of those in the same flow and step joined (a reply may be about any reminder's actions)."""
    last = dict(follow_ups[-1])
    where = (last.get("flow"), last.get("step"))
    same = [f for f in follow_ups if (f.get("flow"), f.get("step")) == where]
    data = _data(last)
    for name, value in data.items():
        if isinstance(value, list):
            joined: list[object] = []
            for earlier in same:
                items = _data(earlier).get(name)
                joined += items if isinstance(items, list) else []
            data[name] = list(dict.fromkeys(joined))
    return {**last, "data": data}


def _data(follow_up: dict[str, object]) -> dict[str, object]:
    data = follow_up.get("data")
    return dict(data) if isinstance(data, dict) else {}
