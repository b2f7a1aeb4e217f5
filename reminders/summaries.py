"""Scheduled summaries: a chair's standing order to post the status summary to a channel.

Weekly orders post on their weekday; meeting orders post the working day before each meeting.
Each posting is claimed by key (schedule, day) like a nudge, so it goes out once.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any, cast

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import CursorResult
from sqlmodel import Session, col, select

from handlers.chat.context import AppContext
from handlers.chat.outbox import queue
from handlers.plans.summary_view import summary_message
from models.db import transaction
from models.scoping import ALL, DEFAULT_SLUG
from models.tables import Plan, ScheduledSummary, SentReminder
from reminders.policy import Policy


def due_today(schedule: ScheduledSummary, today: date, policy: Policy) -> bool:
    if schedule.weekday is not None:
        return today.weekday() == schedule.weekday
    meetings = [date.fromisoformat(d) for d in schedule.meeting_dates]
    return any(policy.calendar.on_or_before(m - timedelta(days=1)) == today for m in meetings)


def post_scheduled(ctx: AppContext, policy: Policy) -> int:
    """Queue today's scheduled summaries in the outbox; returns how many were queued."""
    local = ctx.now()
    if not policy.may_send_at(local):
        return 0
    today = local.date()
    with transaction(ctx.engine, ALL) as session:
        schedules = session.exec(select(ScheduledSummary).where(col(ScheduledSummary.active))).all()
        due = [s for s in schedules if due_today(s, today, policy)]
    queued = 0
    for schedule in due:  # each in its own organisation: "all plans" means that council's
        with transaction(ctx.engine, schedule.org_id or DEFAULT_SLUG) as session:
            if not _claim(session, f"summary:{schedule.id}:{today.isoformat()}", local):
                continue
            plan = session.get(Plan, schedule.plan_id) if schedule.plan_id else None
            plans = [plan] if plan else list(session.exec(select(Plan)).all())
            reply = summary_message(session, plans, local, today, where=schedule.chat_channel)
            queue(
                session,
                reply,
                via=schedule.via,
                kind="summary",
                now=local,
                chat_channel=schedule.chat_channel,
            )
            queued += 1
    return queued


def _claim(session: Session, key: str, now: datetime) -> bool:
    bind = session.get_bind()
    insert = pg_insert if bind.dialect.name == "postgresql" else sqlite_insert
    statement = (
        insert(SentReminder.__table__)  # type: ignore[attr-defined]
        .values(key=key, kind="summary", claimed_at=now, sent_at=now)
        .on_conflict_do_nothing(index_elements=["key"])
    )
    result = cast("CursorResult[Any]", session.execute(statement))
    return bool(result.rowcount)
