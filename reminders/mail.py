"""Sending the outbox's e-mails to residents: each at most once, failures tried again.

A message is claimed and marked "sending" just before it goes to the SMTP server, and marked
sent as soon as the server accepts it. A definite failure (the server refused for now, or could
not be reached) is tried again after a back-off growing to half an hour; a permanent refusal
(5xx: no such mailbox) is not. If sending was cut off where the server may already have taken
the message (the process killed mid-send, the connection lost after the message was handed
over), it is *not* sent again: a duplicate is worse than a gap for a resident, and
`engagebot mail status` counts these so staff can look.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any, Protocol

from sqlalchemy import or_, select, update
from sqlalchemy.engine import Engine
from sqlmodel import col

from handlers.subscriptions.links import Links
from handlers.subscriptions.mails import Mail, to_message
from handlers.subscriptions.notices import Queued, queue_all
from models.db import transaction
from models.scoping import ALL
from models.tables import Organisation, Outbox

log = logging.getLogger(__name__)

VIA = "email"
SENDING = "sending"  # message_id while a message is with the SMTP server
STALE = timedelta(minutes=10)
BACK_OFF_STEP = timedelta(minutes=5)
BACK_OFF_MOST = timedelta(minutes=30)
REFUSED = 1_000_000


class MailRetry(Exception):
    """The server could not take the message now (4xx, or not reachable): try again later."""


class MailRefused(Exception):
    """The server refused the message for good (5xx): not tried again."""


class MailUncertain(Exception):
    """The message may have been taken (the connection was lost after it was handed over)."""


class Transport(Protocol):
    """An SMTP server (bot/mail.py), or a fake in tests."""

    sender: str  # the From address

    def send(self, message: EmailMessage) -> None: ...


@dataclass
class MailReport:
    queued: int = 0
    sent: int = 0
    failed: int = 0
    refused: int = 0
    uncertain: int = 0


def _claimable(now: datetime) -> list[Any]:
    return [
        col(Outbox.via) == VIA,
        col(Outbox.sent_at).is_(None),
        col(Outbox.failures) < REFUSED,
        col(Outbox.message_id) != SENDING,
        or_(col(Outbox.claimed_at).is_(None), col(Outbox.claimed_at) < now - STALE),
    ]


def run(
    engine: Engine,
    transport: Transport,
    links_for: Callable[[Organisation], Links | None],
    now: Callable[[], datetime],
    domain: str,
) -> MailReport:
    """Queue the e-mails recent events call for, then send everything waiting."""
    moment = now().astimezone(UTC)
    queued: Queued = queue_all(engine, links_for, moment, now().date())
    report = deliver(engine, transport, now, domain)
    report.queued = queued.new + queued.outcome
    return report


def deliver(
    engine: Engine, transport: Transport, now: Callable[[], datetime], domain: str
) -> MailReport:
    report = MailReport()
    after = 0
    while (candidate := _next(engine, after, now())) is not None:
        after = candidate
        if _claim(engine, candidate, now()):
            _send_one(engine, transport, candidate, now, domain, report)
    return report


def _next(engine: Engine, after: int, now: datetime) -> int | None:
    with transaction(engine, ALL) as session:
        query = select(col(Outbox.id)).where(col(Outbox.id) > after, *_claimable(_utc(now)))
        found = session.execute(query.order_by(col(Outbox.id)).limit(1)).scalar()
        return int(found) if found is not None else None


def _claim(engine: Engine, outbox_id: int, now: datetime) -> bool:
    """Claim one message; two deliverers never both get it (the UPDATE checks again)."""
    with transaction(engine, ALL) as session:
        statement = (
            update(Outbox)
            .where(col(Outbox.id) == outbox_id, *_claimable(_utc(now)))
            .values(claimed_at=_utc(now), message_id=SENDING)
            .returning(col(Outbox.id))
        )
        return session.execute(statement).first() is not None


def _send_one(
    engine: Engine,
    transport: Transport,
    outbox_id: int,
    now: Callable[[], datetime],
    domain: str,
    report: MailReport,
) -> None:
    with transaction(engine, ALL) as session:
        row = session.get(Outbox, outbox_id)
        if row is None:
            return
        mail = Mail.from_json(row.reply)
    message = to_message(mail, transport.sender, f"<engagebot-{outbox_id}@{domain}>", now())
    try:
        transport.send(message)
    except MailRetry as err:
        log.warning("e-mail %s not sent, will try again: %s", outbox_id, err)
        report.failed += 1
        _failed(engine, outbox_id, now(), permanent=False)
        return
    except MailRefused as err:
        log.warning("e-mail %s refused by the server, not tried again: %s", outbox_id, err)
        report.refused += 1
        _failed(engine, outbox_id, now(), permanent=True)
        return
    except MailUncertain as err:
        log.warning("e-mail %s may or may not have gone; not sent again: %s", outbox_id, err)
        report.uncertain += 1
        return  # left "sending": counted by `mail status`, never sent twice
    _sent(engine, outbox_id, now())
    report.sent += 1


def _sent(engine: Engine, outbox_id: int, now: datetime) -> None:
    """Sent: only the subject is kept (the address and text were for this e-mail alone)."""
    with transaction(engine, ALL) as session:
        row = session.get(Outbox, outbox_id)
        if row is not None:
            row.sent_at, row.message_id = _utc(now), f"<engagebot-{outbox_id}>"
            row.reply = {"subject": row.reply.get("subject", ""), "org_id": row.reply.get("org_id")}
            session.add(row)


def _failed(engine: Engine, outbox_id: int, now: datetime, *, permanent: bool) -> None:
    with transaction(engine, ALL) as session:
        row = session.get(Outbox, outbox_id)
        if row is None:
            return
        row.failures = REFUSED if permanent else row.failures + 1
        wait = min(BACK_OFF_STEP * row.failures, BACK_OFF_MOST)
        row.claimed_at = _utc(now) - STALE + wait  # claimable again once `wait` is over
        row.message_id = ""
        session.add(row)


def status(engine: Engine, now: datetime) -> dict[str, int]:
    """E-mails waiting, failing (to be tried again), refused, and cut off mid-send."""
    with transaction(engine, ALL) as session:
        query = select(col(Outbox.failures), col(Outbox.message_id)).where(
            col(Outbox.via) == VIA, col(Outbox.sent_at).is_(None)
        )
        rows = session.execute(query).all()
        sent = session.execute(
            select(col(Outbox.id)).where(col(Outbox.via) == VIA, col(Outbox.sent_at).is_not(None))
        ).all()
    cut_off = sum(1 for _, mid in rows if mid == SENDING)
    return {
        "waiting": sum(1 for f, mid in rows if f < REFUSED and mid != SENDING),
        "failing": sum(1 for f, mid in rows if 0 < f < REFUSED),
        "refused": sum(1 for f, _ in rows if f >= REFUSED),
        "cut_off": cut_off,
        "sent": len(sent),
    }


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)
