"""Events into e-mails: a new activity on the page, or "we did" written for one.

Run by the scheduler beside the reminders. Each (event, activity, address) is decided once:
its key is unique in `SubscriptionNotice`, written in the same transaction as the e-mail it
queues, so two runs at once, or an address with several matching subscriptions (an area and a
topic), still get one e-mail. Only events after a subscription was confirmed count.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from handlers.language.text import folded
from handlers.plans.branding import branding_of
from handlers.plans.organisations import all_orgs
from handlers.public.entries import CLOSED, Catalogue, PublicEntry, as_utc
from handlers.public.words import Words
from handlers.subscriptions.links import Links
from handlers.subscriptions.mails import Mail, new_activity, outcome, what
from handlers.subscriptions.subscribe import forget_unconfirmed, queue
from models.db import transaction
from models.scoping import ALL
from models.tables import Consultation, Organisation, Subscription, SubscriptionNotice

log = logging.getLogger(__name__)

RECENT = timedelta(days=30)  # events older than this are not mailed (a subscriber missed them)


def address_hash(org_id: int, email: str) -> str:
    """Who a notice went to, without keeping the address itself in the log of notices."""
    return hashlib.sha256(f"{org_id}:{email.lower()}".encode()).hexdigest()


@dataclass
class Queued:
    new: int = 0
    outcome: int = 0


def _matches(sub: Subscription, entry: PublicEntry) -> bool:
    if sub.kind == "all":
        return True
    if sub.kind == "area":
        return bool(entry.area) and folded(entry.area) == folded(sub.value)
    if sub.kind == "topic":
        return bool(entry.topic) and folded(entry.topic) == folded(sub.value)
    return False


def queue_due(
    session: Session,
    org: Organisation,
    links: Links,
    now: datetime,
    today: date,
) -> Queued:
    """Queue the e-mails one organisation's recent events call for (session scoped to it)."""
    done = Queued()
    since = now - RECENT
    subs = list(
        session.exec(select(Subscription).where(col(Subscription.confirmed_at).is_not(None)))
    )
    if not subs:
        return done
    listing = Catalogue().listing(session, today)
    rows = session.exec(
        select(Consultation.id, Consultation.first_published_at, Consultation.we_did_at).where(
            col(Consultation.published)
        )
    ).all()
    brand = branding_of(org)
    for entry_id, first, did in rows:
        entry = listing.get(entry_id or 0)
        if entry is None:
            continue
        if first is not None and as_utc(first) >= since and entry.status != CLOSED:
            chosen = [s for s in subs if _matches(s, entry) and _after(first, s)]
            done.new += _notify(session, org, "new", entry, chosen, links, now, brand.contact_email)
        if did is not None and as_utc(did) >= since and entry.we_did:
            chosen = [
                s
                for s in subs
                if s.kind == "activity" and s.value == str(entry.id) and _after(did, s)
            ]
            done.outcome += _notify(
                session, org, "outcome", entry, chosen, links, now, brand.contact_email
            )
    return done


def _after(event: datetime, sub: Subscription) -> bool:
    return sub.confirmed_at is not None and as_utc(event) > as_utc(sub.confirmed_at)


def _notify(
    session: Session,
    org: Organisation,
    event: str,
    entry: PublicEntry,
    subs: list[Subscription],
    links: Links,
    now: datetime,
    reply_to: str,
) -> int:
    """One e-mail per address among `subs` that has not had one for this event."""
    by_address: dict[str, Subscription] = {}
    for sub in sorted(subs, key=lambda s: s.id or 0):
        by_address.setdefault(sub.email, sub)
    queued = 0
    for email, sub in by_address.items():
        hashed = address_hash(org.id or 0, email)
        key = f"{event}:{entry.id}:{hashed}"
        if session.exec(
            select(SubscriptionNotice.id).where(col(SubscriptionNotice.key) == key)
        ).first():
            continue
        words = Words(sub.lang)
        council = (branding_of(org).name_cy if sub.lang == "cy" else "") or links.council
        council = council or org.name
        title = entry.local("title", sub.lang)[0]
        about = what(sub.kind, sub.value, words, title)
        make: Callable[..., Mail] = new_activity if event == "new" else outcome
        mail = make(email, council, entry, about, links, sub.token, sub.lang, reply_to)
        try:
            with session.begin_nested():
                row = queue(session, mail, event, now)
                session.add(
                    SubscriptionNotice(
                        key=key, address_hash=hashed, consultation_id=entry.id, event=event,
                        outbox_id=row.id, created_at=now,
                    )
                )  # fmt: skip
                session.flush()
        except IntegrityError:
            continue  # another run decided this one at the same moment
        queued += 1
    return queued


def queue_all(
    engine: Engine,
    links_for: Callable[[Organisation], Links | None],
    now: datetime,
    today: date,
) -> Queued:
    """Every organisation's due e-mails, each in its own transaction."""
    total = Queued()
    with transaction(engine, ALL) as session:
        orgs = all_orgs(session)
        forget_unconfirmed(session, now)
    for org in orgs:
        links = links_for(org)
        if links is None:
            continue
        with transaction(engine, org.id or 0) as session:
            done = queue_due(session, org, links, now, today)
        total.new += done.new
        total.outcome += done.outcome
    return total
