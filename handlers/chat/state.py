"""Where each conversation stands: one key type, and the one module that loads and saves it.

A conversation is keyed by (channel, workspace, conversation, user): the same officer talking in
a DM and in a thread holds two conversations. The state is a flow's name, its step and its
typed data, kept as JSON in the turn's own transaction, so a restart or a second instance
carries on where the last turn left off.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlmodel import Session, select

from models.tables import ConversationState


@dataclass(frozen=True)
class ConversationKey:
    """Which conversation a message belongs to; each channel decides its shape."""

    channel: str  # the channel's name, e.g. "console"
    workspace: str  # the platform's workspace or tenant; "local" for the console
    conversation: str  # a DM, a room, or a thread in a room
    user: str  # the platform's id for the person talking


@dataclass(frozen=True)
class Next:
    """Where a flow leaves the conversation: the step that reads the next answer, and its data."""

    flow: str
    step: str
    data: BaseModel


@dataclass(frozen=True)
class Saved:
    """A conversation's stored state: the flow data is still JSON until its flow reads it."""

    flow: str
    step: str
    data: dict[str, Any]
    updated_at: datetime


def load(session: Session, key: ConversationKey) -> Saved | None:
    row = _row(session, key)
    if row is None:
        return None
    return Saved(row.flow, row.step, dict(row.data), row.updated_at)


def locked(session: Session, key: ConversationKey) -> Saved | None:
    """The conversation's stored state as committed now, locked until this transaction ends
    (on PostgreSQL; on SQLite the caller holds the write lock): to check that nobody moved the
    conversation on while a turn was worked out from what `load` gave."""
    query = select(
        ConversationState.flow,
        ConversationState.step,
        ConversationState.data,
        ConversationState.updated_at,
    ).where(*_keyed(key))
    row = session.exec(query.with_for_update()).first()
    return Saved(row[0], row[1], dict(row[2]), row[3]) if row is not None else None


def save(
    session: Session, key: ConversationKey, state: Next, now: datetime, org_id: int | None = None
) -> None:
    """Record where the conversation goes next (in the caller's transaction). It belongs to
    the session's organisation, or to `org_id` in work that spans them (delivery)."""
    row = _row(session, key, org_id) or ConversationState(
        org_id=org_id,
        channel=key.channel,
        workspace=key.workspace,
        conversation=key.conversation,
        user=key.user,
        flow=state.flow,
        step=state.step,
        updated_at=now,
    )
    row.flow, row.step, row.updated_at = state.flow, state.step, now
    row.data = state.data.model_dump(mode="json")
    session.add(row)


def save_json(
    session: Session,
    key: ConversationKey,
    state: dict[str, Any],
    now: datetime,
    org_id: int | None = None,
) -> None:
    """Restore a state kept as JSON (a queued message's follow-up), without knowing its flow."""
    data = _Raw(**state["data"])
    save(session, key, Next(str(state["flow"]), str(state["step"]), data), now, org_id)


def to_json(state: Next) -> dict[str, Any]:
    """A state as JSON, to keep with a queued message until it is delivered."""
    return {"flow": state.flow, "step": state.step, "data": state.data.model_dump(mode="json")}


def clear(session: Session, key: ConversationKey) -> None:
    row = _row(session, key)
    if row is not None:
        session.delete(row)


def _row(
    session: Session, key: ConversationKey, org_id: int | None = None
) -> ConversationState | None:
    query = select(ConversationState).where(*_keyed(key))
    if org_id is not None:
        query = query.where(ConversationState.org_id == org_id)
    return session.exec(query).first()


def _keyed(key: ConversationKey) -> tuple[Any, ...]:
    return (
        ConversationState.channel == key.channel,
        ConversationState.workspace == key.workspace,
        ConversationState.conversation == key.conversation,
        ConversationState.user == key.user,
    )


class _Raw(BaseModel, extra="allow"):
    """Data of a flow this module does not know, passed through as it is."""
