"""No path asks the database once per action: each is counted in SQL statements at 10 and at
1,000 actions (the same officers), and the two counts may differ by a small constant only.

A path that looks something up per action (a plan, an owner, a revision, a note) would send
hundreds more statements for the bigger council: that is what made "overdue" take 29,000
statements and export three per action at 100,000 actions.
"""

from __future__ import annotations

import itertools
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event
from sqlmodel import select

from bot.conversation import Conversation
from handlers.chat.clock import FixedClock
from handlers.chat.context import AppContext
from handlers.chat.messages import Incoming
from handlers.plans import report, summary_view
from handlers.plans.actions import Filters, action_json, list_actions
from handlers.plans.records import export_everything
from handlers.public import entries
from models.db import make_engine, transaction
from models.tables import Plan
from reminders.policy import Policy
from reminders.sweep import sweep
from tests.conftest import LONDON, NOW
from tests.scale import PLANS, Council, fill

SMALL, BIG = 10, 1000
ROLES = 4  # the same four officers in both councils: only the actions grow
SLACK = 3  # statements either count may have that the other has not

EVENTS = itertools.count()
TURNS = (
    ("officer", "help"),
    ("officer", "my actions"),
    ("officer", "show A1"),
    ("chair", "overdue"),
    ("chair", "plans"),
    ("chair", "summary plan-0"),
    ("chair", "summary"),
)


@pytest.fixture(scope="module")
def councils(
    template_db: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[int, tuple[AppContext, Council]]]:
    made = {}
    for size in (SMALL, BIG):
        path = tmp_path_factory.mktemp(f"council{size}") / "engagebot.db"
        shutil.copy(template_db, path)
        engine = make_engine(f"sqlite:///{path}")
        [council] = fill(engine, size, roles=ROLES, published=size // 10)
        made[size] = (AppContext(engine, FixedClock(NOW), LONDON), council)
    yield made
    for ctx, _ in made.values():
        ctx.engine.dispose()


@contextmanager
def counted(ctx: AppContext) -> Iterator[list[str]]:
    sent: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        sent.append(statement)

    event.listen(ctx.engine, "before_cursor_execute", count)
    try:
        yield sent
    finally:
        event.remove(ctx.engine, "before_cursor_execute", count)


def statements(ctx: AppContext, council: Council, work: Callable[..., object]) -> int:
    work(ctx, council)  # once to warm what is read once per process
    with counted(ctx) as sent:
        work(ctx, council)
    return len(sent)


def both(councils: dict[int, tuple[AppContext, Council]], work: Any) -> tuple[int, int]:
    small, big = (statements(ctx, council, work) for ctx, council in councils.values())
    return small, big


@pytest.mark.parametrize(("who", "text"), TURNS, ids=[t for _, t in TURNS])
def test_a_chat_turn_reads_as_much_at_1000_actions_as_at_10(
    councils: dict[int, tuple[AppContext, Council]],
    who: str,
    text: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The summary's chart asks the database nothing, and costs seconds to draw: not here.
    monkeypatch.setattr(summary_view, "chart_png", lambda _summary: b"\x89PNG")

    def turn(ctx: AppContext, council: Council) -> None:
        user = council.officer_slack if who == "officer" else council.chair_slack
        msg = Incoming("slack", council.team, "D1", user, text, event_id=f"Ev{next(EVENTS)}")
        assert Conversation(ctx).handle(msg)

    small, big = both(councils, turn)
    assert abs(big - small) <= SLACK, (small, big)


def test_the_export_reads_per_plan_not_per_action(
    councils: dict[int, tuple[AppContext, Council]],
) -> None:
    def export(ctx: AppContext, council: Council) -> None:
        with transaction(ctx.engine, council.org_id) as session:
            data = export_everything(session, ctx.now())
        assert sum(len(p["actions"]) for p in data["plans"]) in (SMALL, BIG)

    small, big = both(councils, export)
    assert abs(big - small) <= SLACK, (small, big)


def test_the_board_report_and_the_action_list_read_per_plan(
    councils: dict[int, tuple[AppContext, Council]],
) -> None:
    def board(ctx: AppContext, council: Council) -> None:
        with transaction(ctx.engine, council.org_id) as session:
            plan = session.exec(select(Plan).where(Plan.name == "plan-0")).one()
            report.build(session, plan, ctx.today(), ctx.now())

    def listed(ctx: AppContext, council: Council) -> None:
        with transaction(ctx.engine, council.org_id) as session:
            [action_json(session, a) for a in list_actions(session, Filters(owner="role 1"))]

    for work in (board, listed):
        small, big = both(councils, work)
        assert abs(big - small) <= SLACK, (work.__name__, small, big)


def test_the_public_page_reads_its_activities_at_once(
    councils: dict[int, tuple[AppContext, Council]],
) -> None:
    def page(ctx: AppContext, council: Council) -> None:
        with transaction(ctx.engine, council.org_id) as session:
            assert entries.published(session, ctx.today())

    small, big = both(councils, page)
    assert abs(big - small) <= SLACK, (small, big)


def test_a_reminder_sweep_reads_per_officer_not_per_action(
    councils: dict[int, tuple[AppContext, Council]],
) -> None:
    """Counted on its first run, when everything due is claimed and queued: a message per
    officer (and the plans' chairs, per plan) is the most the bigger council may add, as more
    of the same officers and plans have something due."""
    counts = []
    for ctx, _ in councils.values():
        with counted(ctx) as sent:
            assert sweep(ctx, Policy(), "slack").queued
        counts.append(len(sent))
    small, big = counts
    assert abs(big - small) <= SLACK + ROLES + 2 * PLANS, (small, big)
