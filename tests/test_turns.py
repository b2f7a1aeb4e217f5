"""A turn reads first and writes last: it holds the database's write lock only for its end, yet
a redelivered event is still ignored, and two instances never both apply the same turn.

"Instances" here are two conversation cores over the same database, each with its own engine,
as two servers behind a load balancer (or two worker processes) would be.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from sqlmodel import func, select

from bot.conversation import Conversation
from handlers.chat.context import AppContext
from handlers.chat.messages import Incoming
from handlers.flows import commands, consult
from models.db import make_engine, transaction
from models.tables import FlowchartWalk, HandledEvent
from tests.conftest import CHAIR, SAM

WAIT = 10  # seconds a paused turn waits before the test gives up on it


def said(user: str, text: str, event_id: str | None = None) -> Incoming:
    return Incoming(
        "console", "local", f"console:{user}", user, text, event_id=event_id, email=user,
        place="console",
    )  # fmt: skip


@pytest.fixture
def instance(blackpool: AppContext) -> Iterator[Callable[..., Conversation]]:
    yield from instances(blackpool)


def instances(ctx: AppContext) -> Iterator[Callable[..., Conversation]]:
    """instance(busy_seconds) is another core over the same database, with its own engine."""
    engines = []

    def make(busy_seconds: float = 5) -> Conversation:
        url = ctx.engine.url.render_as_string(hide_password=False)
        engine = make_engine(url, busy_seconds=busy_seconds)
        engines.append(engine)
        return Conversation(AppContext(engine, ctx.clock, ctx.tz))

    yield make
    for engine in engines:
        engine.dispose()


def paused(monkeypatch: pytest.MonkeyPatch, module: Any, name: str, parties: int = 1) -> Any:
    """Make `module.name` wait at a barrier of `parties` turns and the test, once; returns it."""
    barrier = threading.Barrier(parties + 1, timeout=WAIT)
    original = getattr(module, name)
    calls: list[int] = []

    def waiting(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) <= parties:
            barrier.wait()  # the turn is under way: let the test act…
            barrier.wait()  # …and go on when it says so
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, waiting)
    waiting.barrier, waiting.calls = barrier, calls  # type: ignore[attr-defined]
    return waiting


def test_a_turn_being_worked_out_holds_up_nobody_elses(
    blackpool: AppContext,
    instance: Callable[..., Conversation],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The chair's turn is slow (paused mid-way); meanwhile Sam's turn on another instance,
    whose database waits half a second at most for a lock, is answered and saved."""
    instance().handle(said(CHAIR, "plans"))  # known to the console from now on
    slow = paused(monkeypatch, commands, "help_turn")
    with ThreadPoolExecutor(1) as pool:
        chair = pool.submit(instance().handle, said(CHAIR, "help", "Ev-chair"))
        slow.barrier.wait()
        sam = instance(busy_seconds=0.5).handle(said(SAM, "my actions", "Ev-sam"))
        slow.barrier.wait()
        assert chair.result(timeout=WAIT)[0].text.startswith("I keep the community-engagement")
    assert sam[0].text.startswith("You have 7 open actions"), sam[0].text
    assert _events(blackpool) == 2


def test_an_event_handled_by_two_instances_at_once_is_applied_once(
    blackpool: AppContext,
    instance: Callable[..., Conversation],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    twice_at_once(blackpool, instance, monkeypatch)


def twice_at_once(
    ctx: AppContext, instance: Callable[..., Conversation], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Slack delivers an event twice, to two instances at the same moment: both work the
    turn out, one records it (the walk is started once), the other sees that and says nothing.
    (tests/test_postgres.py runs this on PostgreSQL, whose writers do not wait for each other
    the way SQLite's do.)"""
    instance().handle(said(SAM, "plans"))  # known to the console from now on
    both = paused(monkeypatch, consult, "chart", parties=2)
    event = said(SAM, "should I consult?", "Ev-twice")
    with ThreadPoolExecutor(2) as pool:
        answers = [pool.submit(instance().handle, event) for _ in range(2)]
        both.barrier.wait()  # both have read that the event is new
        both.barrier.wait()
        replies = [a.result(timeout=WAIT) for a in answers]
    assert sorted(len(r) for r in replies) == [0, 1], replies
    assert "one at a time" in [r for r in replies if r][0][0].text
    with transaction(ctx.engine) as session:
        assert session.exec(select(func.count()).select_from(FlowchartWalk)).one() == 1
    assert _events(ctx) == 1


def test_a_conversation_moved_on_meanwhile_is_worked_out_again(
    blackpool: AppContext,
    instance: Callable[..., Conversation],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Sam's "help" is under way on one instance when his "should I consult?" lands on another
    and is saved first: the "help" turn is worked out again from where that left him (the
    walk's first question, which takes any words as the project's name)."""
    instance().handle(said(SAM, "plans"))  # known to the console from now on
    slow = paused(monkeypatch, commands, "help_turn")
    with ThreadPoolExecutor(1) as pool:
        first = pool.submit(instance().handle, said(SAM, "help", "Ev-help"))
        slow.barrier.wait()
        walk = instance().handle(said(SAM, "should I consult?", "Ev-walk"))
        slow.barrier.wait()
        helped = first.result(timeout=WAIT)
    assert "one at a time" in walk[0].text
    assert helped[0].note.startswith("Question 2"), helped


def test_a_redelivered_event_is_ignored(blackpool: AppContext) -> None:
    core = Conversation(blackpool)
    first = core.handle(said(SAM, "should I consult?", "Ev-1"))
    again = core.handle(said(SAM, "should I consult?", "Ev-1"))
    assert first and again == []
    with transaction(blackpool.engine) as session:
        assert session.exec(select(func.count()).select_from(FlowchartWalk)).one() == 1


def _events(ctx: AppContext) -> int:
    with transaction(ctx.engine) as session:
        return session.exec(select(func.count()).select_from(HandledEvent)).one()
