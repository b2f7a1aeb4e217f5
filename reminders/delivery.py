"""Delivering the outbox: each queued message is sent once, and a failed send is tried again.

A message is claimed (claimed_at set) before it is sent and marked sent after. If the process
dies in between, the claim goes stale and a later run sends it again: a message may then arrive
twice, but is never lost. Every other failure is retried without doubling.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Protocol

from sqlalchemy import or_, update
from sqlmodel import col

from handlers.chat.context import AppContext
from handlers.chat.messages import Reply, reply_from_json
from handlers.flows.reminder_reply import remember
from models.db import transaction
from models.tables import Outbox, Person

log = logging.getLogger(__name__)

STALE_CLAIM = timedelta(minutes=10)
GIVE_UP_AFTER = 10  # failed attempts

ConversationKey = tuple[str, str, str, str]  # channel, workspace, conversation, user


class SendError(Exception):
    """The platform failed; the message stays queued and is tried again later."""


class Unreachable(SendError):
    """The person has no identity on this platform: retrying will not help."""


class Sender(Protocol):
    """A chat platform's way of delivering a message to a person or a channel."""

    via: str

    def send(
        self, person: Person | None, chat_channel: str, reply: Reply
    ) -> ConversationKey | None:
        """Deliver; return the conversation where a reply to it will arrive, if any."""
        ...


@dataclass
class DeliveryReport:
    sent: int = 0
    failed: int = 0
    unreachable: list[str] = field(default_factory=list)


def deliver(ctx: AppContext, sender: Sender) -> DeliveryReport:
    """Send every queued message for this platform that nobody else is sending."""
    report = DeliveryReport()
    for outbox_id in _claim(ctx, sender.via):
        _deliver_one(ctx, sender, outbox_id, report)
    return report


def _claim(ctx: AppContext, via: str) -> list[int]:
    now = ctx.now()
    with transaction(ctx.engine) as session:
        # One UPDATE … RETURNING: two deliverers never claim the same message.
        statement = (
            update(Outbox)
            .where(
                col(Outbox.via) == via,
                col(Outbox.sent_at).is_(None),
                col(Outbox.failures) < GIVE_UP_AFTER,
                or_(col(Outbox.claimed_at).is_(None), col(Outbox.claimed_at) < now - STALE_CLAIM),
            )
            .values(claimed_at=now)
            .returning(col(Outbox.id))
        )
        return sorted(session.execute(statement).scalars().all())


def _deliver_one(ctx: AppContext, sender: Sender, outbox_id: int, report: DeliveryReport) -> None:
    with transaction(ctx.engine) as session:
        row = session.get(Outbox, outbox_id)
        if row is None:
            return
        person = session.get(Person, row.person_id) if row.person_id else None
        reply, channel, refs = reply_from_json(row.reply), row.chat_channel, list(row.refs)
    try:
        key = sender.send(person, channel, reply)
    except Unreachable as err:
        report.unreachable.append(str(err))
        _failed(ctx, outbox_id, permanent=True)
        return
    except SendError as err:
        log.warning("delivery of outbox %s failed: %s", outbox_id, err)
        report.failed += 1
        _failed(ctx, outbox_id, permanent=False)
        return
    with transaction(ctx.engine) as session:
        row = session.get(Outbox, outbox_id)
        if row is not None:
            row.sent_at = ctx.now()
            session.add(row)
        if key is not None and refs:
            remember(session, key, refs, ctx.now())
    report.sent += 1


def _failed(ctx: AppContext, outbox_id: int, *, permanent: bool) -> None:
    with transaction(ctx.engine) as session:
        row = session.get(Outbox, outbox_id)
        if row is None:
            return
        row.failures = GIVE_UP_AFTER if permanent else row.failures + 1
        row.claimed_at = None  # free for the next run
        session.add(row)


def pull(ctx: AppContext, via: str, person_id: int, key: ConversationKey) -> list[Reply]:
    """Hand over one person's queued messages to a channel that shows them when they next talk."""
    now = ctx.now()
    with transaction(ctx.engine) as session:
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
        refs = [ref for row in rows for ref in row.refs]
        if refs:
            remember(session, key, refs, now)
        return [reply_from_json(row.reply) for row in rows]
