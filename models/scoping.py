"""Organisations kept apart: every ORM query in a session sees only one organisation's rows.

A session opened by `models.db.transaction(engine, org)` carries the organisation's id in
`session.info`. Before each SELECT, the criteria below are added to every table they name, in
joins and subqueries too (SQLAlchemy's `with_loader_criteria`), so no query in the product has
to remember to filter, and a payload's id from another council finds nothing. New rows are
stamped with the session's organisation as they are flushed. Sessions for work that spans
organisations (the reminder sweep and delivery, which follow links that never cross them) are
opened with `ALL`, and rows they add to an owned table must say whose they are.

The rule costs nothing per statement: a table with its own `org_id` compares it (indexed); a
table that belongs through its parent (an action through its plan, a note through its action)
asks with a correlated `EXISTS` that looks the parent up by primary key, row by row, rather
than a list of every id in the organisation rebuilt for each statement. The criteria are built
once per organisation per process. tests/test_scoping.py checks the query plans.

Every table is either in `OWNED`, in `THROUGH` (it belongs through a parent), or in `GLOBAL`
with the reason; a test fails for a new table that is in none.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Literal

from sqlalchemy import ColumnElement, event, exists, or_, select
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria
from sqlmodel import col

from models.tables import (
    Action,
    ActionOwner,
    Card,
    ChatIdentity,
    ChatInstallation,
    Consultation,
    ConversationState,
    DeliveryAddress,
    Document,
    FlowchartWalk,
    HandledEvent,
    HealthCheck,
    OAuthState,
    Organisation,
    OrgBinding,
    Outbox,
    Person,
    Plan,
    PlanAdmin,
    PlatformAccess,
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
    WorkspaceRequest,
)

ALL: Literal["all"] = "all"
DEFAULT_SLUG = "default"

# Tables with their own org_id: stamped on insert, compared on every query.
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
    Outbox,
    ConversationState,
    ReminderSetting,
    Document,
    Subscription,
    SubscriptionNotice,
)

# Plain tables (not ORM entities), so the criteria's own subqueries are not scoped again.
_plan = Plan.__table__.alias("scope_plan")  # type: ignore[attr-defined]
_action = Action.__table__.alias("scope_action")  # type: ignore[attr-defined]
_role = Role.__table__.alias("scope_role")  # type: ignore[attr-defined]
_consultation = Consultation.__table__.alias("scope_consultation")  # type: ignore[attr-defined]


def _plan_in(org: int, plan_id: Any) -> ColumnElement[bool]:
    return exists().where(_plan.c.id == plan_id, _plan.c.org_id == org)


def _action_in(org: int, action_id: Any) -> ColumnElement[bool]:
    found = select(_action.c.id).join(_plan, _plan.c.id == _action.c.plan_id)
    return found.where(_action.c.id == action_id, _plan.c.org_id == org).exists()


def _role_in(org: int, role_id: Any) -> ColumnElement[bool]:
    return exists().where(_role.c.id == role_id, _role.c.org_id == org)


def _sent_in(org: int, action_id: Any, consultation_id: Any) -> ColumnElement[bool]:
    consultation = exists().where(
        _consultation.c.id == consultation_id, _consultation.c.org_id == org
    )
    return or_(_action_in(org, action_id), consultation)


# Tables that belong to an organisation through a parent (see `_through` for how).
THROUGH = (
    Action,
    Theme,
    PlanAdmin,
    ProgressNote,
    TargetRevision,
    ActionOwner,
    ReminderResponse,
    RoleHolder,
    SentReminder,
)

# Tables no organisation owns, and why that is safe.
GLOBAL: dict[type[Any], str] = {
    Organisation: "the organisations themselves: a session names one by its id",
    OrgBinding: (
        "which chat workspace belongs to which organisation: read to find the organisation "
        "of an event, before there is one to confine to"
    ),
    HandledEvent: (
        "platform event ids already handled (channel, workspace and event id, nothing said): "
        "a redelivery must be recognised whichever session sees it"
    ),
    DeliveryAddress: (
        "a platform's own address for one of its users or rooms, keyed by the platform's ids, "
        "which no two organisations share; delivery reads it for every organisation, and "
        "nothing lists it but by that key"
    ),
    PlatformAccess: (
        "a platform refusing the deployment's own credentials (or one workspace's): the "
        "credentials are the deployment's, and delivery holds every organisation's messages"
    ),
    Card: (
        "a sent message with buttons, read only by its unguessable id carried on its own "
        "buttons, so a press can update it from any instance; nothing lists them"
    ),
    ChatInstallation: (
        "a chat app's sealed credentials for one workspace, found by the platform's workspace "
        "ids before any organisation is known; which organisation it serves is OrgBinding's"
    ),
    OAuthState: (
        "a one-time value for an install under way, checked on the browser's return, before "
        "the workspace belongs to any organisation"
    ),
    WorkspaceRequest: (
        "a workspace that installed the app and belongs to no organisation yet, for an "
        "operator to approve into one"
    ),
}


def org_of(session: Session) -> int | None:
    """The organisation a session is confined to, or None for one that spans them."""
    value = session.info.get("org_id")
    return value if isinstance(value, int) else None


@lru_cache(maxsize=1024)
def criteria(org: int) -> tuple[Any, ...]:
    """The options that confine a statement to organisation `org`: built once per organisation,
    then the same objects for every statement (so SQLAlchemy's compiled-statement cache hits)."""
    owned = [
        with_loader_criteria(table, col(table.org_id) == org, include_aliases=True)
        for table in OWNED
    ]
    return (*owned, *_through(org))


def _through(org: int) -> list[Any]:
    """The rule of each table in THROUGH. Callables, so each is made for the entity or alias a
    statement names (an aliased action is looked up by its own plan_id); SQLAlchemy analyses
    them once and binds `org` as a parameter."""
    rules = {
        Action: lambda t: _plan_in(org, t.plan_id),
        Theme: lambda t: _plan_in(org, t.plan_id),
        PlanAdmin: lambda t: _plan_in(org, t.plan_id),
        ProgressNote: lambda t: _action_in(org, t.action_id),
        TargetRevision: lambda t: _action_in(org, t.action_id),
        ActionOwner: lambda t: _action_in(org, t.action_id),
        ReminderResponse: lambda t: _action_in(org, t.action_id),
        RoleHolder: lambda t: _role_in(org, t.role_id),
        SentReminder: lambda t: _sent_in(org, t.action_id, t.consultation_id),
    }
    assert tuple(rules) == THROUGH
    return [with_loader_criteria(t, rule, include_aliases=True) for t, rule in rules.items()]


def _confine(state: ORMExecuteState) -> None:
    org = org_of(state.session)
    if org is None or not state.is_select or state.is_column_load or state.is_relationship_load:
        return
    state.statement = state.statement.options(*criteria(org))


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
