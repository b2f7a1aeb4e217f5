"""Every table belongs to an organisation or is global for a stated reason, and confining a
query to an organisation costs a primary-key look-up per row, never a list of every id in the
organisation rebuilt for each statement (SQLite's "LIST SUBQUERY")."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import event, func
from sqlmodel import SQLModel, select

import models.tables  # noqa: F401  (registers the tables on SQLModel.metadata)
from handlers.chat.context import AppContext
from models.db import transaction
from models.scoping import GLOBAL, OWNED, THROUGH, criteria

SCOPED = [*OWNED, *THROUGH]


def test_every_table_is_scoped_or_global_with_a_reason() -> None:
    named = {t.__tablename__ for t in (*SCOPED, *GLOBAL)}  # type: ignore[attr-defined]
    assert set(SQLModel.metadata.tables) - named == set(), (
        "a table no organisation owns: add it to OWNED (an org_id column), THROUGH (it belongs "
        "through a parent) or GLOBAL (with the reason) in models/scoping.py"
    )
    assert all(len(why) > 20 for why in GLOBAL.values())
    assert not set(OWNED) & set(THROUGH) and not set(SCOPED) & set(GLOBAL)
    assert all("org_id" in t.__table__.c for t in OWNED)  # type: ignore[attr-defined]


def test_the_organisations_filter_is_built_once_per_organisation() -> None:
    assert criteria(7) is criteria(7)


@pytest.mark.parametrize("table", SCOPED, ids=lambda t: t.__name__)
def test_a_scoped_query_looks_its_organisation_up_row_by_row(
    blackpool: AppContext, table: Any
) -> None:
    """Every scoped table's plan: no list subquery, no scan of another table."""
    plan = _plan_of(blackpool, lambda: select(table))
    assert "LIST SUBQUERY" not in plan, plan
    outer = table.__tablename__
    scans = [line for line in plan.splitlines() if "SCAN " in line and f"SCAN {outer}" not in line]
    assert scans == [], plan


def test_a_joined_query_of_notes_is_confined_without_a_list(blackpool: AppContext) -> None:
    """A note, through its action and plan: looked up by key, whatever the joins."""
    from models.tables import Action, Plan, ProgressNote

    query = (
        select(ProgressNote, Action.ref)
        .join(Action, Action.id == ProgressNote.action_id)  # type: ignore[arg-type]
        .join(Plan, Plan.id == Action.plan_id)  # type: ignore[arg-type]
        .where(func.lower(Plan.name) == "blackpool-audit-2019")
    )
    plan = _plan_of(blackpool, lambda: query)
    assert "LIST SUBQUERY" not in plan, plan


def _plan_of(ctx: AppContext, make: Any) -> str:
    """SQLite's query plan for the statement a scoped session sends for `make()`."""
    sent: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, params: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            sent.append((statement, params))

    with transaction(ctx.engine) as session:
        event.listen(ctx.engine, "before_cursor_execute", record)
        try:
            session.exec(make()).all()
        finally:
            event.remove(ctx.engine, "before_cursor_execute", record)
        statement, params = sent[-1]
        rows = session.connection().exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", params)
        return "\n".join(str(row[-1]) for row in rows)


def test_an_aliased_parent_is_checked_by_its_own_key(blackpool: AppContext) -> None:
    """Notes joined to an aliased action, asked from another council that has actions of its
    own: none of Blackpool's come back."""
    from sqlalchemy.orm import aliased

    from handlers.importing.importer import import_file
    from handlers.plans.organisations import add
    from models.scoping import ALL
    from models.tables import Action, ProgressNote
    from tests.conftest import ASHFIELD

    with transaction(blackpool.engine, ALL) as session:
        add(session, "ashfield", "Ashfield DC", blackpool.now())
    import_file(replace(blackpool, org="ashfield"), ASHFIELD)
    action = aliased(Action)
    query = select(ProgressNote.id).join(action, action.id == ProgressNote.action_id)
    with transaction(blackpool.engine, ALL) as session:
        blackpools = set(session.exec(query.where(action.plan_id == 1)).all())
    with transaction(blackpool.engine, "ashfield") as session:
        ashfields = set(session.exec(query).all())
    assert blackpools and not blackpools & ashfields
