"""Delivering the outbox: each queued message is sent once, and a failed send is tried again.

A message is claimed (claimed_at set) before it is sent and marked sent after. If the process
dies in between, the claim goes stale and a later run sends it again: a message may then arrive
twice, but is never lost. Every other failure is retried without doubling.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import or_, update
from sqlmodel import col

from handlers.chat import addresses, state
from handlers.chat.context import AppContext
from handlers.chat.messages import reply_from_json
from handlers.chat.outbound import Recipient, Sender, SendError, Sent, Unreachable
from handlers.chat.outbox import queue
from handlers.plans.people import admins_for, chat_id
from handlers.plans.reminder_messages import notice_unreachable
from models.db import transaction
from models.scoping import ALL
from models.tables import Outbox, Person

log = logging.getLogger(__name__)

STALE_CLAIM = timedelta(minutes=10)
GIVE_UP_AFTER = 10  # failed attempts

__all__ = ["DeliveryReport", "SendError", "Sender", "Unreachable", "deliver"]


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
    with transaction(ctx.engine, ALL) as session:
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
    with transaction(ctx.engine, ALL) as session:
        row = session.get(Outbox, outbox_id)
        if row is None:
            return
        person = session.get(Person, row.person_id) if row.person_id else None
        to = Recipient(
            name=person.name if person else row.chat_channel,
            user_id=chat_id(session, person, sender.via) if person else None,
            email=person.email if person else None,
            chat_channel=row.chat_channel,
        )
        reply, follow_up = reply_from_json(row.reply), row.follow_up
    try:
        sent = sender.send(to, reply)
    except Unreachable as err:
        report.unreachable.append(str(err))
        _failed(ctx, outbox_id, permanent=True)
        if person is not None and to.user_id:
            _tell_admins(ctx, sender.via, person, to.user_id, str(err))
        return
    except SendError as err:
        log.warning("delivery of outbox %s failed: %s", outbox_id, err)
        report.failed += 1
        _failed(ctx, outbox_id, permanent=False)
        return
    _mark_sent(ctx, outbox_id, sent, follow_up)
    report.sent += 1


def _tell_admins(ctx: AppContext, via: str, person: Person, user_id: str, reason: str) -> None:
    """Stop sending to someone the platform refused, and tell their plans' admins once."""
    now = ctx.now()
    with transaction(ctx.engine, ALL) as session:
        if not addresses.mark_unreachable(session, via, user_id, now):
            return  # told already, or the platform needs no address (nothing to stop)
        notice = notice_unreachable(person, reason)
        for admin in admins_for(session, person):
            queue(session, notice, via=via, kind="notice", now=now, person_id=admin)


def _mark_sent(
    ctx: AppContext, outbox_id: int, sent: Sent, follow_up: dict[str, Any] | None
) -> None:
    """Sent: remember where it landed, and leave that conversation waiting for the reply."""
    with transaction(ctx.engine, ALL) as session:
        row = session.get(Outbox, outbox_id)
        if row is not None:
            row.sent_at, row.message_id = ctx.now(), sent.message_id
            session.add(row)
        if sent.key is not None and follow_up:
            state.save_json(session, sent.key, follow_up, ctx.now())


def _failed(ctx: AppContext, outbox_id: int, *, permanent: bool) -> None:
    with transaction(ctx.engine, ALL) as session:
        row = session.get(Outbox, outbox_id)
        if row is None:
            return
        row.failures = GIVE_UP_AFTER if permanent else row.failures + 1
        row.claimed_at = None  # free for the next run
        session.add(row)
