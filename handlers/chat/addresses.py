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
    row = session.exec(
        select(DeliveryAddress).where(
            DeliveryAddress.platform == platform, DeliveryAddress.owner == owner
        )
    ).first()
    if row is None:
        row = DeliveryAddress(platform=platform, owner=owner, updated_at=now)
    elif row.address == dict(address):
        return  # unchanged: no write on every message
    row.address, row.updated_at = dict(address), now
    session.add(row)


def load(ctx: AppContext, platform: str, owner: str) -> dict[str, str] | None:
    with transaction(ctx.engine) as session:
        row = session.exec(
            select(DeliveryAddress).where(
                DeliveryAddress.platform == platform, DeliveryAddress.owner == owner
            )
        ).first()
        return {str(k): str(v) for k, v in row.address.items()} if row else None


def owners(ctx: AppContext, platform: str) -> set[str]:
    """Everyone (and every room) on `platform` that can be reached."""
    with transaction(ctx.engine) as session:
        query = select(DeliveryAddress.owner).where(DeliveryAddress.platform == platform)
        return set(session.exec(query).all())
