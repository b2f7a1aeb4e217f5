"""The database goes away and comes back while officers are giving updates in Slack: SQLite
locked by another writer, or its file vanishing; PostgreSQL stopped and started (pg_ctl).

Officers say again what got an apology, as people do. Counted from the fake Slack and the
database: every message got an answer (failed: one that never did), every note an officer
gave is stored (lost) exactly once (duplicated).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, contextmanager
from functools import partial
from pathlib import Path

import pytest

from handlers.chat.clock import FixedClock
from handlers.chat.context import AppContext
from models.db import make_engine, upgrade
from tests.conftest import LONDON, NOW, bind_test_workspaces
from tests.outages import locked, sqlite_path, vanished
from tests.reliability import pg
from tests.reliability.officers import make_officers
from tests.reliability.profile import LONG, scale
from tests.reliability.stories import Story, lost_and_duplicated, tell
from tests.reliability.tally import TALLY
from tests.slack_harness import slack_bot

Outage = Callable[[], AbstractContextManager[object]]  # the database is away inside it
BEFORE = slice(0, 2)  # "update F1", "delayed": said before the outage
DURING = slice(2, None)  # the note, "keep", "save": said while it lasts, and after


def run_through(
    ctx: AppContext, tmp_path: Path, category: str, outage: Outage, seconds: float = 2.0
) -> None:
    """Officers are half-way through their updates when the database goes away for `seconds`;
    they carry on (saying again what got an apology). Count what came of it."""
    officers = make_officers(ctx, tmp_path, scale(4, 12), "slack")
    stories = [Story(o, f"Progress on {o.ref}: {category}, {time.time_ns()}") for o in officers]
    started = threading.Event()

    def away() -> None:
        with outage():
            started.set()
            time.sleep(seconds)

    with slack_bot(ctx) as bot, ThreadPoolExecutor(2 * len(stories) + 1) as pool:
        for each in [pool.submit(tell, bot, s, BEFORE) for s in stories]:
            each.result()
        trouble = pool.submit(away)
        started.wait(timeout=30)
        told = [pool.submit(tell, bot, s, DURING) for s in stories]
        # /engage update, meanwhile: answered once the database is back, if not before
        told += [pool.submit(s.open_form, bot, seconds + 2) for s in stories]
        trouble.result()
        for each in told:
            each.result()
    lost, duplicated = lost_and_duplicated(ctx, stories)
    unanswered = sum(s.unanswered for s in stories)
    apologies = sum(s.apologies for s in stories)
    TALLY.record(
        category,
        tried=sum(s.tries for s in stories),
        failed=unanswered,
        lost=lost,
        duplicated=duplicated,
        note=f"answered 'nothing was saved, try again' {apologies} times" if apologies else "",
    )
    assert unanswered == 0, "a message got no answer"
    assert (lost, duplicated) == (0, 0)


@pytest.mark.parametrize("seconds", [2.0] + ([1.0, 5.0, 10.0] if LONG else []))
def test_sqlite_locked_by_another_writer(ctx: AppContext, tmp_path: Path, seconds: float) -> None:
    category = "database: SQLite locked by another writer"
    run_through(ctx, tmp_path, category, partial(locked, sqlite_path(ctx)), seconds)


@pytest.mark.skipif(not LONG, reason="holds the lock for 35 s: long form only")
def test_sqlite_locked_past_the_busy_timeout(ctx: AppContext, tmp_path: Path) -> None:
    category = "database: SQLite locked 35 s (past the busy timeout)"
    run_through(ctx, tmp_path, category, partial(locked, sqlite_path(ctx)), 35.0)


def test_sqlite_file_vanishes_and_returns(ctx: AppContext, tmp_path: Path) -> None:
    category = "database: SQLite file vanished and returned"
    run_through(ctx, tmp_path, category, partial(vanished, ctx), scale(1, 5))


@pytest.fixture
def postgres() -> Iterator[tuple[AppContext, pg.Server]]:
    if not pg.wanted():
        pytest.skip("needs PostgreSQL's binaries and ENGAGEBOT_TEST_POSTGRES (or the long form)")
    with pg.server() as server:
        engine = make_engine(server.url)
        upgrade(engine)
        bind_test_workspaces(engine)
        yield AppContext(engine=engine, clock=FixedClock(NOW), tz=LONDON), server
        engine.dispose()


def test_postgres_stopped_and_started(
    postgres: tuple[AppContext, pg.Server], tmp_path: Path
) -> None:
    ctx, server = postgres

    @contextmanager
    def stopped() -> Iterator[None]:
        server.stop()
        try:
            yield
        finally:
            server.start()

    category = "database: PostgreSQL stopped and started"
    run_through(ctx, tmp_path, category, stopped, scale(1, 5))
