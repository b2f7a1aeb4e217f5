"""What a resident does: ask for e-mails (double opt-in), confirm, and stop them.

Nothing here says whether an address is known: asking again, asking for something already
subscribed to, or asking too often all look the same to the asker ("check your e-mail").
A confirmation is sent at most once every ten minutes to an address, so the form cannot be used
to flood someone's inbox, and unconfirmed requests are deleted after a week.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from handlers.language.text import folded, one_line
from handlers.public.entries import Listing
from handlers.public.words import Words
from handlers.subscriptions.links import Links
from handlers.subscriptions.mails import Mail, confirmation, what
from models.scoping import org_of
from models.tables import Outbox, Subscription

KINDS = ("all", "area", "topic", "activity")
EMAIL = re.compile(r"[^@\s<>\"',;()\[\]]+@[^@\s<>\"',;()\[\]]+\.[a-z]{2,}", re.IGNORECASE)
RESEND_AFTER = timedelta(minutes=10)
PENDING_FOR = timedelta(days=7)
MOST_PER_ADDRESS = 20
VIA = "email"


@dataclass(frozen=True)
class Asked:
    """A subscription asked for, checked: the subscription, or the problems by form field."""

    subscription: Subscription | None
    errors: dict[str, str]


def _problems(email: str, kind: str, value: str, listing: Listing, words: Words) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not email:
        errors["email"] = words("Enter your e-mail address")
    elif len(email) > 254 or not EMAIL.fullmatch(email):
        errors["email"] = words(
            "Enter an e-mail address in the correct format, like name@example.com"
        )
    if kind not in KINDS:
        errors["kind"] = words("Choose what you would like e-mails about")
    elif kind == "area" and value not in listing.areas:
        errors["kind"] = words("Choose an area from the list")
    elif kind == "topic" and value not in listing.topics:
        errors["kind"] = words("Choose a topic from the list")
    elif kind == "activity":
        entry = listing.get(int(value)) if value.isdigit() else None
        if entry is None or entry.we_did:
            errors["kind"] = words("You can no longer subscribe to this activity")
    return errors


def ask(
    session: Session,
    *,
    email: str,
    kind: str,
    value: str,
    lang: str,
    listing: Listing,
    council: str,
    links: Links,
    now: datetime,
    reply_to: str = "",
) -> Asked:
    """A resident asks for e-mails: kept unconfirmed, and a confirmation queued (unless one
    went to this address in the last ten minutes, or they already have this subscription)."""
    words = Words(lang)
    email = one_line(email).lower()
    kind, value = one_line(kind) or "all", one_line(value)
    if kind == "all":
        value = ""
    errors = _problems(email, kind, value, listing, words)
    if errors:
        return Asked(None, errors)
    mine = list(session.exec(select(Subscription).where(col(Subscription.email) == email)))
    same = next((s for s in mine if s.kind == kind and folded(s.value) == folded(value)), None)
    if same is not None and same.confirmed_at is not None:
        return Asked(same, {})  # already subscribed: nothing to send
    if same is None and len(mine) >= MOST_PER_ADDRESS:
        return Asked(None, {})  # looks the same to the asker; nothing more is stored
    if same is None:
        same = Subscription(
            email=email, kind=kind, value=value, lang=lang, token=secrets.token_urlsafe(24),
            created_at=now,
        )  # fmt: skip
        session.add(same)
        session.flush()
    if _recently_asked(session, email, now):
        return Asked(same, {})
    title = ""
    if kind == "activity":
        entry = listing.get(int(value))
        title = entry.local("title", lang)[0] if entry else ""
    about = what(kind, _local_name(listing, value, lang), words, title)
    mail = confirmation(email, council, about, links.confirm(same.token, lang), lang, reply_to)
    queue(session, mail, "confirm", now)
    return Asked(same, {})


def _local_name(listing: Listing, value: str, lang: str) -> str:
    return listing.welsh_names.get(value, value) if lang == "cy" else value


def _recently_asked(session: Session, email: str, now: datetime) -> bool:
    """A confirmation went (or waits to go) to this address in the last ten minutes."""
    query = select(Outbox).where(
        col(Outbox.via) == VIA,
        col(Outbox.kind) == "confirm",
        col(Outbox.created_at) >= now - RESEND_AFTER,
    )
    org = org_of(session)
    return any(
        row.reply.get("to") == email and row.reply.get("org_id") == org
        for row in session.exec(query)
    )


def queue(session: Session, mail: Mail, kind: str, now: datetime) -> Outbox:
    """An e-mail into the outbox, written in the caller's transaction, sent after."""
    reply = {**mail.to_json(), "org_id": org_of(session)}
    row = Outbox(via=VIA, kind=kind, reply=reply, created_at=now)
    session.add(row)
    session.flush()
    return row


def by_token(session: Session, token: str) -> Subscription | None:
    if not re.fullmatch(r"[A-Za-z0-9_-]{16,64}", token):
        return None
    return session.exec(select(Subscription).where(col(Subscription.token) == token)).first()


def confirm(session: Session, token: str, now: datetime) -> Subscription | None:
    """The resident followed the link and pressed Confirm: e-mails start from now."""
    found = by_token(session, token)
    if found is None:
        return None
    if found.confirmed_at is None:
        found.confirmed_at = now
        session.add(found)
    return found


def unsubscribe(session: Session, token: str) -> Subscription | None:
    """Stop a subscription: the row (and with it the address, if it has no other) goes."""
    found = by_token(session, token)
    if found is not None:
        session.delete(found)
    return found


def forget_unconfirmed(session: Session, now: datetime) -> int:
    """Requests nobody confirmed within a week are deleted, address and all."""
    query = select(Subscription).where(
        col(Subscription.confirmed_at).is_(None), col(Subscription.created_at) < now - PENDING_FOR
    )
    stale = list(session.exec(query))
    for row in stale:
        session.delete(row)
    return len(stale)
