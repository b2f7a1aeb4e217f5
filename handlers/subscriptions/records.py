"""Subscribers' addresses are personal data: what `engagebot export` shows of them, and what
`engagebot subscribers forget` (and `people forget`) erases. Other modules that answer
subject-access or erasure requests call `held_about` and `forget_address`."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from handlers.subscriptions.notices import address_hash
from models.scoping import org_of
from models.tables import Outbox, Subscription, SubscriptionNotice


def _plain(sub: Subscription) -> dict[str, Any]:
    return {
        "email": sub.email,
        "kind": sub.kind,
        "value": sub.value,
        "lang": sub.lang,
        "created_at": sub.created_at.isoformat(),
        "confirmed_at": sub.confirmed_at.isoformat() if sub.confirmed_at else None,
    }


def every_subscription(session: Session) -> list[dict[str, Any]]:
    """All of the organisation's subscriptions (for `engagebot export`), tokens left out."""
    query = select(Subscription).order_by(col(Subscription.id))
    return [_plain(sub) for sub in session.exec(query)]


def every_notice(session: Session) -> list[dict[str, Any]]:
    """The record of e-mails decided per event (addresses only as hashes)."""
    query = select(SubscriptionNotice).order_by(col(SubscriptionNotice.id))
    return [
        {"event": n.event, "activity": n.consultation_id, "at": n.created_at.isoformat()}
        for n in session.exec(query)
    ]


def _queued_to(session: Session, email: str, *, unsent: bool = True) -> list[Outbox]:
    """The organisation's e-mails in the outbox to this address."""
    query = select(Outbox).where(col(Outbox.via) == "email")
    if unsent:
        query = query.where(col(Outbox.sent_at).is_(None))
    org = org_of(session)
    return [
        row
        for row in session.exec(query)
        if str(row.reply.get("to", "")).lower() == email and row.reply.get("org_id") == org
    ]


def held_about(session: Session, email: str) -> dict[str, Any]:
    """Everything held about one address in the session's organisation."""
    email = email.strip().lower()
    subs = session.exec(select(Subscription).where(col(Subscription.email) == email))
    notices = session.exec(
        select(SubscriptionNotice).where(
            col(SubscriptionNotice.address_hash) == address_hash(org_of(session) or 0, email)
        )
    )
    return {
        "email": email,
        "subscriptions": [_plain(sub) for sub in subs],
        "emails_sent_or_queued": [
            {"event": n.event, "activity": n.consultation_id, "at": n.created_at.isoformat()}
            for n in notices
        ],
        "emails_waiting": [row.reply.get("subject", "") for row in _queued_to(session, email)],
    }


def forget_address(session: Session, email: str) -> int:
    """Erase an address: its subscriptions, the e-mails waiting for it and the record of what
    was sent to it. Returns how many subscriptions it had."""
    email = email.strip().lower()
    subs = list(session.exec(select(Subscription).where(col(Subscription.email) == email)))
    for sub in subs:
        session.delete(sub)
    hashed = address_hash(org_of(session) or 0, email)
    for notice in session.exec(
        select(SubscriptionNotice).where(col(SubscriptionNotice.address_hash) == hashed)
    ):
        session.delete(notice)
    session.flush()
    for row in _queued_to(session, email, unsent=False):
        session.delete(row)
    return len(subs)
