"""Situations written blind (tests/fixtures/consult_situations_*.yaml), walked in the console.

Each situation is one council's officer asking "should I consult?": the walk is answered as
they would (tests/consult_situations.py), and the ending is scored on six points (the kind of
process, the level, the Act and section, who must be consulted, the timing, and no duty named
that does not apply in the council's nation). A point the product is known to miss is listed,
with the others, in tests/fixtures/consult_misses.yaml; any other miss fails here.

The 120 walks cost about 20 s of CPU, so they run in the long form only
(ENGAGEBOT_RELIABILITY=long, as bench/reliability.py sets it) and in
bench/bench_consult_situations.py; CI walks each catalogue duty in the console instead
(tests/test_consult_catalogue.py).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

from bot.channels.console import ConsoleChannel
from bot.conversation import Conversation
from handlers.chat.clock import FixedClock
from handlers.chat.context import AppContext
from handlers.plans.organisations import save_nation
from models.db import make_engine, transaction
from models.scoping import ALL
from tests.consult_situations import (
    FIXTURES,
    POINTS,
    Situation,
    batches,
    load,
    questions,
    score,
    walk,
)

pytestmark = pytest.mark.skipif(
    os.environ.get("ENGAGEBOT_RELIABILITY", "short").lower() != "long",
    reason="the blind situations walk in the long form (ENGAGEBOT_RELIABILITY=long) and the bench",
)
SITUATIONS = [s for batch in batches() for s in load(batch)]
MISSES: dict[str, list[str]] = yaml.safe_load(
    (FIXTURES / "consult_misses.yaml").read_text(encoding="utf-8")
)
LONDON = ZoneInfo("Europe/London")


@pytest.fixture(scope="module")
def conversation(
    template_db: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Conversation]:
    """One console for every officer (each in their own conversation), on a fresh database."""
    path = tmp_path_factory.mktemp("situations") / "engagebot.db"
    path.write_bytes(template_db.read_bytes())
    engine = make_engine(f"sqlite:///{path}")
    with transaction(engine, ALL) as session:  # nobody has said: each officer is asked
        save_nation(session, "default", "")
    ctx = AppContext(
        engine=engine, clock=FixedClock(datetime(2026, 11, 23, 10, tzinfo=LONDON)), tz=LONDON
    )
    yield Conversation(ctx)
    engine.dispose()


@pytest.mark.parametrize("situation", SITUATIONS, ids=lambda s: f"{s.id}-{s.nation}")
def test_the_ending_names_the_law_of_the_councils_nation(
    conversation: Conversation, situation: Situation
) -> None:
    officer = ConsoleChannel(conversation, f"officer.{situation.id.lower()}@example.org")
    ending = walk(officer.send, situation, questions()).ending
    points = score(situation, ending).points
    missed = [p for p in POINTS if points[p] is False]
    assert missed == MISSES.get(situation.id, []), f"{situation.title}\n{ending}"
