"""Organisations kept apart: every ORM query in a session sees only one organisation's rows.

A session opened by `models.db.transaction(engine, org)` carries the organisation's id in
`session.info`. Before each SELECT, the criteria below are added to every table they name, in
joins and subqueries too (SQLAlchemy's `with_loader_criteria`), so no query in the product has
to remember to filter, and a payload's id from another council finds nothing. New rows are
stamped with the session's organisation as they are flushed. Sessions for work that spans
organisations (the reminder sweep and delivery, which follow links that never cross them) are
opened with `ALL`.
"""

from __future__ import annotations

from typing import Any, Literal

from sqlalchemy import event, or_, select
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria
from sqlmodel import col

from models.tables import (
    Action,
    ActionOwner,
    ChatIdentity,
    Consultation,
    Document,
    FlowchartWalk,
    HealthCheck,
    Person,
    Plan,
    PlanAdmin,
    ProgressNote,
    ReminderResponse,
    ReminderSetting,
    Role,
    RoleAlias,
    RoleHolder,
    ScheduledSummary,
    SentReminder,
    Subscription,
    SubscriptionNotice,
    SummaryPost,
    TargetRevision,
    Theme,
)

ALL: Literal["all"] = "all"
DEFAULT_SLUG = "default"
OWNED = (
    Plan,
    Person,
    Role,
    RoleAlias,
    ChatIdentity,
    Consultation,
    ScheduledSummary,
    FlowchartWalk,
    SummaryPost,
    HealthCheck,
    ReminderSetting,
    Document,
    Subscription,
    SubscriptionNotice,
)


def org_of(session: Session) -> int | None:
    """The organisation a session is confined to, or None for one that spans them."""
    value = session.info.get("org_id")
    return value if isinstance(value, int) else None


def _criteria(org: int) -> list[Any]:
    """Each table's rule for belonging to organisation `org`."""
    plans = select(col(Plan.id)).where(col(Plan.org_id) == org)
    actions = select(col(Action.id)).where(col(Action.plan_id).in_(plans))
    roles = select(col(Role.id)).where(col(Role.org_id) == org)
    consultations = select(col(Consultation.id)).where(col(Consultation.org_id) == org)
    rules: list[tuple[type[Any], Any]] = [(table, col(table.org_id) == org) for table in OWNED]
    rules += [(table, col(table.plan_id).in_(plans)) for table in (Action, Theme, PlanAdmin)]
    rules += [
        (table, col(table.action_id).in_(actions))
        for table in (ProgressNote, TargetRevision, ActionOwner, ReminderResponse)
    ]
    rules.append((RoleHolder, col(RoleHolder.role_id).in_(roles)))
    rules.append(
        (
            SentReminder,
            or_(
                col(SentReminder.action_id).in_(actions),
                col(SentReminder.consultation_id).in_(consultations),
            ),
        )
    )
    return [with_loader_criteria(table, rule, include_aliases=True) for table, rule in rules]


def _confine(state: ORMExecuteState) -> None:
    org = org_of(state.session)
    if org is None or not state.is_select or state.is_column_load or state.is_relationship_load:
        return
    state.statement = state.statement.options(*_criteria(org))


def _stamp(session: Session, _context: Any, _instances: Any) -> None:
    """New rows belong to the session's organisation (or must say which one themselves)."""
    org = org_of(session)
    for row in session.new:
        if isinstance(row, OWNED) and row.org_id is None:
            if org is None:
                raise ValueError(f"a new {type(row).__name__} needs an organisation")
            row.org_id = org


_installed = False


def install() -> None:
    """Register the listeners once per process (every Session obeys them)."""
    global _installed
    if not _installed:
        event.listen(Session, "do_orm_execute", _confine)
        event.listen(Session, "before_flush", _stamp)
        _installed = True
