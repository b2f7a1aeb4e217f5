"""Every table read from another council's session: nothing of the first comes back.

Two councils of the same shape (tests/scale.py), their reminders swept (in a session for all
councils), each with a notice queued and a conversation under way; every table
models/scoping.py confines is read whole from each council's session, and every row is checked
against whose it is, worked out independently here in plain SQL by following its links to an
organisation. A table added without a rule fails tests/test_scoping.py; one whose rule lets
rows through (or hides the council's own) fails here.
"""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel
from sqlalchemy import inspect, text
from sqlmodel import select

from handlers.chat import outbox, state
from handlers.chat.context import AppContext
from handlers.chat.messages import Reply
from handlers.chat.state import ConversationKey, Next
from models.db import transaction
from models.scoping import OWNED, THROUGH
from models.tables import Person
from reminders.policy import Policy
from reminders.sweep import sweep
from tests.reliability.profile import scale
from tests.reliability.tally import TALLY
from tests.scale import Council, fill

CATEGORY = "fuzz: every table read from another council's session"

# How a row of each table reaches its organisation, in plain SQL: the joins, and the org_id.
ACTION = "JOIN action a ON a.id = t.action_id JOIN plan p ON p.id = a.plan_id"
PARENTS = {
    "action": ("JOIN plan p ON p.id = t.plan_id", "p.org_id"),
    "theme": ("JOIN plan p ON p.id = t.plan_id", "p.org_id"),
    "planadmin": ("JOIN plan p ON p.id = t.plan_id", "p.org_id"),
    "progressnote": (ACTION, "p.org_id"),
    "targetrevision": (ACTION, "p.org_id"),
    "actionowner": (ACTION, "p.org_id"),
    "reminderresponse": (ACTION, "p.org_id"),
    "roleholder": ("JOIN role p ON p.id = t.role_id", "p.org_id"),
    "sentreminder": (
        "LEFT JOIN action a ON a.id = t.action_id LEFT JOIN plan p ON p.id = a.plan_id "
        "LEFT JOIN consultation c ON c.id = t.consultation_id",
        "COALESCE(p.org_id, c.org_id)",
    ),
}


# Tables the councils here have rows in (the others are checked too, when they have any).
MADE = {
    "plan", "person", "role", "chatidentity", "consultation", "outbox", "conversationstate",
    "action", "theme", "planadmin", "progressnote", "targetrevision", "actionowner",
    "roleholder", "sentreminder",
}  # fmt: skip


class Draft(BaseModel):
    """A flow's data, as a conversation under way keeps it."""

    text: str


@pytest.fixture
def councils(ctx: AppContext) -> list[Council]:
    made = fill(ctx.engine, scale(40, 400), councils=2, published=5)
    assert sweep(ctx, Policy(), "console").queued
    for council in made:
        with transaction(ctx.engine, council.org_id) as session:
            person = session.exec(select(Person)).first()
            assert person is not None
            notice = Reply(f"private to {council.slug}")
            outbox.queue(
                session, notice, via="console", kind="notice", now=ctx.now(), person_id=person.id
            )
            key = ConversationKey("slack", council.team, "D1", council.officer_slack)
            state.save(session, key, Next("update", "note", Draft(text="half a note")), ctx.now())
    return made


def test_no_council_reads_a_row_of_another(ctx: AppContext, councils: list[Council]) -> None:
    checked = set()
    for table in (*OWNED, *THROUGH):
        name = table.__tablename__
        keys = [c.name for c in inspect(table).primary_key]
        whose = _whose(ctx, name, keys)
        if whose:
            checked.add(name)
        for council in councils:
            with transaction(ctx.engine, council.org_id) as session:
                seen = {tuple(getattr(row, k) for k in keys) for row in session.exec(select(table))}
            theirs = {key for key, org in whose.items() if org != council.org_id}
            ours = {key for key, org in whose.items() if org == council.org_id}
            leaked = seen & theirs
            TALLY.record(CATEGORY, tried=1, failed=1 if leaked or seen != ours else 0)
            assert not leaked, f"{name}: {len(leaked)} rows of another council read"
            assert seen == ours, f"{name}: {len(ours - seen)} of the council's own rows missing"
    assert checked >= MADE, f"no rows made in {MADE - checked}"


def _whose(ctx: AppContext, table: str, keys: list[str]) -> dict[tuple[Any, ...], int]:
    """Each row's key and organisation, by plain SQL (no scoping), every row of the table."""
    columns = ", ".join(f"t.{k}" for k in keys)
    if table in PARENTS:
        joins, org = PARENTS[table]
        sql = f'SELECT {columns}, {org} FROM "{table}" t {joins}'
    else:
        sql = f'SELECT {columns}, t.org_id FROM "{table}" t'
    with ctx.engine.connect() as connection:
        rows = connection.execute(text(sql)).all()
    return {tuple(row[:-1]): int(row[-1]) for row in rows}
