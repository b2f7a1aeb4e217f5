"""Delivery addresses: how to reach a chat user (or a room) later, on platforms that can only
message someone where they have spoken to the bot before. The channel says what an address
holds; here it is only kept, refreshed each time the user writes, and read back by owner."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlmodel import Session, select

from handlers.chat.context import AppContext
from models.db import transaction
from models.tables import DeliveryAddress


def save(
    session: Session, platform: str, owner: str, address: Mapping[str, str], now: datetime
) -> None:
    """Remember (or refresh) where `owner` on `platform` can be reached."""
    row = _row(session, platform, owner)
    if row is None:
        row = DeliveryAddress(platform=platform, owner=owner, updated_at=now)
    elif row.address == dict(address) and row.unreachable_since is None:
        return  # unchanged: no write on every message
    row.address, row.updated_at, row.unreachable_since = dict(address), now, None
    session.add(row)


def mark_unreachable(session: Session, platform: str, owner: str, now: datetime) -> bool:
    """The platform refused to deliver to `owner`: stop trying until they write again.

    True when this is news (they were reachable until now), so someone can be told once.
    """
    row = _row(session, platform, owner)
    if row is None or row.unreachable_since is not None:
        return False
    row.unreachable_since = now
    session.add(row)
    return True


def drop_personal(session: Session, platform: str, owner: str) -> int:
    """Forget the personal chat of `owner` (an id no longer anyone's): rooms are kept."""
    row = _row(session, platform, owner)
    if row is None or (row.address or {}).get("scope", "personal") != "personal":
        return 0
    session.delete(row)
    return 1


def load(ctx: AppContext, platform: str, owner: str) -> dict[str, str] | None:
    """Where `owner` can be reached, or None (never wrote, or refused since they last did)."""
    with transaction(ctx.engine, ctx.org) as session:
        row = _row(session, platform, owner)
        if row is None or row.unreachable_since is not None:
            return None
        return {str(k): str(v) for k, v in row.address.items()}


def _row(session: Session, platform: str, owner: str) -> DeliveryAddress | None:
    query = select(DeliveryAddress).where(
        DeliveryAddress.platform == platform, DeliveryAddress.owner == owner
    )
    return session.exec(query).first()


def owners(ctx: AppContext, platform: str) -> set[str]:
    """Everyone (and every room) on `platform` that can be reached."""
    with transaction(ctx.engine, ctx.org) as session:
        query = select(DeliveryAddress.owner).where(DeliveryAddress.platform == platform)
        return set(session.exec(query).all())
