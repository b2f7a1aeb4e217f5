"""The April nudge: each organisation's chair is told when the year's health check is due.

In April (the first sweep within sending hours, or the first after the bot was down), if the
organisation's check for the new financial year is not finished, each chair gets one message
through the outbox. It is claimed by key (organisation, year, person) like any nudge, so it
goes out once a year however many sweeps run.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import CursorResult
from sqlmodel import Session

from handlers.chat.context import AppContext
from handlers.chat.outbox import queue
from handlers.language.years import year_of
from handlers.plans import healthchecks
from handlers.plans.organisations import all_orgs
from handlers.toolkit.healthcheck import load, questions
from models.db import transaction
from models.scoping import ALL
from models.tables import SentReminder
from reminders.policy import Policy
from reminders.sweep import _platform

DUE_IN_MONTH = 4  # the check is due each April, at the start of the financial year


def nudge_health_checks(ctx: AppContext, policy: Policy, via: str) -> int:
    """Queue this April's reminders for checks not yet done; returns how many were queued."""
    local = ctx.now()
    if local.month != DUE_IN_MONTH or not policy.may_send_at(local):
        return 0
    with transaction(ctx.engine, ALL) as session:
        orgs = [org.id for org in all_orgs(session) if org.id is not None]
    return sum(_nudge_org(ctx, org, local, via) for org in orgs)


def _nudge_org(ctx: AppContext, org: int, local: datetime, via: str) -> int:
    year = year_of(local.date())
    asked = questions(load())
    queued = 0
    with transaction(ctx.engine, org) as session:
        check = healthchecks.find(session, "", year)
        if check is not None and check.finished_at is not None:
            return 0
        answered = sum(1 for q in asked if check is not None and q.key in check.answers)
        reply = healthchecks.due_message(check, year, answered, len(asked))
        for chair in healthchecks.chairs(session):
            if not _claim(session, f"healthcheck:{org}:{year}:p{chair.id}", chair.id, local):
                continue
            platform = _platform(session, chair, via)
            queue(session, reply, via=platform, kind="healthcheck", now=local, person_id=chair.id)
            queued += 1
    return queued


def _claim(session: Session, key: str, person_id: int | None, now: datetime) -> bool:
    bind = session.get_bind()
    insert = pg_insert if bind.dialect.name == "postgresql" else sqlite_insert
    statement = (
        insert(SentReminder.__table__)  # type: ignore[attr-defined]
        .values(key=key, kind="healthcheck", person_id=person_id, claimed_at=now, sent_at=now)
        .on_conflict_do_nothing(index_elements=["key"])
    )
    result = cast("CursorResult[Any]", session.execute(statement))
    return bool(result.rowcount)
