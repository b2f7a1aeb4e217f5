"""The duty catalogue: each duty, in each nation where it applies, as an ending gives it.

Every duty is walked to its ending through the flowchart engine (the console walks of the blind
situations are in tests/test_consult_situations.py): the officer names it on the law question
(or its staff or emergency question), and the ending must have the duty's Act and section, who
must be consulted or told, its timing, the process kind's ending and its level. The council's
nation decides what the law question offers and what applies.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from typer.testing import Result

from bot.channels.console import ConsoleChannel
from bot.conversation import Conversation
from handlers.chat.clock import FixedClock
from handlers.chat.context import AppContext
from handlers.plans.organisations import save_nation
from handlers.toolkit.catalogue import KINDS, NATIONS, NOT_A_PROCESS, Duty
from handlers.toolkit.flowchart import (
    Flowchart,
    WalkState,
    answers_at,
    begin,
    duties_of,
    load,
    not_here,
    outcome_of,
    step,
)
from models.db import make_engine, transaction
from models.scoping import ALL
from tests.conftest import SAM, Chat

CHART = load()
# the ending each kind of process leads to, and its level
ENDINGS = {
    "consultation": ("consult_duty", "consult"),
    "notice_and_objections": ("notice", "statutory"),
    "referendum": ("referendum", "statutory"),
    "request_to_decide": ("request", "statutory"),
    "staff_consultation": ("staff_consult", "consult"),
    "involvement_duty": ("involvement", "involve"),
    "equality_or_language_duty": ("equality_language", "consult"),
    # no process of the council's own: another body decides, or the law sets none (then
    # fairness is asked, and with none of its tests met there is no duty: engage or inform)
    "another_body": ("another_body", "inform"),
    "no_statutory_process": ("inform_only", "inform"),
}
OPENING = ["A proposal", "Residents, service users, businesses or community groups"]
PLANNED = [
    "No, there is time to plan",
    "One neighbourhood or ward",
    "No, it affects everyone alike",
    "skip all",
]
CASES = [
    (duty, nation)
    for duty in CHART.duties.values()
    if duty.kind and (duty.common or duty.words)  # the others are brought in by answers
    for nation in duty.nations
]


def reach(chart: Flowchart, duty: Duty, nation: str) -> WalkState:
    """Walk to the question that offers the duty in `nation`, and pick it."""
    state = begin(chart, nation)
    fields = set(duty.fields)
    if "staff" in fields:
        answers = [OPENING[0], "Only council staff"]
    elif "emergencies" in fields:
        answers = [*OPENING, "Yes, it's an emergency"]
    else:
        answers = [*OPENING, *PLANNED]
    for answer in answers:
        state = step(chart, state, answer)
    node = chart.nodes[state.node]
    if not any(a.label == duty.button() for a in answers_at(chart, state, node)):
        state = step(chart, state, "Another law (I'll search for it)")
        state = step(chart, state, " ".join(duty.words) or duty.name)
    return step(chart, state, duty.button())


@pytest.mark.parametrize(("duty", "nation"), CASES, ids=[f"{d.id}-{n}" for d, n in CASES])
def test_each_duty_ends_with_its_law_in_each_nation(duty: Duty, nation: str) -> None:
    state = reach(CHART, duty, nation)
    if state.node == "decided_duty":
        state = step(CHART, state, "No, it's still open")
    if state.node == "expectation_none":
        state = step(CHART, state, "None of these")
    outcome = outcome_of(CHART, state)
    assert outcome is not None, state.node
    ending = ("emergency_notice", "statutory") if "emergencies" in duty.fields else None
    assert (outcome.id, outcome.level) == (ending or ENDINGS[duty.kind])
    assert outcome.process == ("" if duty.kind in NOT_A_PROCESS else duty.kind)
    given = duties_of(CHART, state)
    assert given[0] == duty  # the chosen law leads
    assert all(d.applies_in(nation) for d in given)  # nothing from another nation
    assert duty.law and duty.asks and duty.who and duty.timing
    assert duty.source is not None and duty.source.where
    assert duty not in not_here(CHART, state)


def test_the_duties_no_question_offers_are_brought_in_by_an_answer() -> None:
    brought = {d for node in CHART.nodes.values() for a in node.answers for d in a.duties}
    brought |= {
        d for duty in CHART.duties.values() for d in (*duty.also, *dict(duty.instead).values())
    }
    for duty in CHART.duties.values():
        if duty.kind and not (duty.common or duty.words or duty.always):
            assert duty.id in brought, duty.id


@pytest.mark.parametrize("nation", NATIONS)
def test_each_nation_has_its_own_equality_duty_on_every_ending(nation: str) -> None:
    state = step(CHART, step(CHART, begin(CHART, nation), "A proposal"), "Only council staff")
    state = step(CHART, state, "No, no jobs or terms change")
    laws = [d.law for d in duties_of(CHART, state)]
    if nation == "northern_ireland":
        assert not any(law.startswith("Equality Act 2010 s149") for law in laws)
        assert any(law.startswith("Northern Ireland Act 1998 s75") for law in laws)
    else:
        assert "Equality Act 2010 s149" in laws


def test_a_duty_of_another_nation_is_named_as_not_applying(
    ctx: object, chat_as: Callable[[str], Chat], cli: Callable[..., Result]
) -> None:
    assert "nation Scotland" in cli("orgs", "set", "default", "--nation", "scotland").output
    sam = chat_as(SAM)
    sam.send("should I consult?")
    for answer in ["Budget 2027/28: business ratepayers", *OPENING[1:], *PLANNED]:
        reply = sam.send(answer)
    assert "The budget (spending proposals for next year)" not in reply  # England and Wales'
    for answer in [
        "No, none of these",
        "None of these",
        "No, it's still open",
        "No, not that I know of",
    ]:
        reply = sam.send(answer)
    ending = sam.send("They can comment on options we have drawn up")
    assert "The law of Scotland" in ending
    assert "• Not in Scotland" in ending
    assert "Local Government Finance Act 1992 s65) applies in England and Wales only" in ending
    assert "Law: Local Government Finance Act 1992 s65" not in ending
    assert "The Fairer Scotland Duty" in ending


def test_an_admin_sets_the_nation_in_chat_once(
    blackpool: object, chat_as: Callable[[str], Chat], cli: Callable[..., Result]
) -> None:
    from handlers.plans.organisations import save_nation
    from models.db import transaction
    from models.scoping import ALL

    with transaction(blackpool.engine, ALL) as session:  # type: ignore[attr-defined]
        save_nation(session, "default", "")  # not set yet
    officer = chat_as(SAM)
    asked = officer.send("should I consult?")
    assert "Which UK nation is your council in?" in asked
    told = officer.send("Wales")
    assert "I'll use the law of Wales for this walk" in told  # not an admin: asked again
    chair = chat_as("pat.doyle@example.org")
    chair.send("should I consult?")
    assert "Saved: your council is in Wales" in chair.send("wales")
    assert "What is the change or project called?" in chat_as("jo.evans@example.org").send(
        "should I consult?"
    )
    assert "\tWales\t" in cli("orgs", "list").output


def test_orgs_set_refuses_what_is_not_a_nation(cli: Callable[..., Result]) -> None:
    result = cli("orgs", "set", "default", "--nation", "Cornwall")
    assert result.exit_code == 1
    assert "'Cornwall' is not a UK nation" in result.output
    assert cli("orgs", "set", "default").exit_code == 1
    assert (
        "nation Northern Ireland"
        in cli("orgs", "set", "default", "--nation", "northern-ireland").output
    )
    added = cli("orgs", "add", "cardiff", "--name", "Cardiff", "--nation", "wales")
    assert added.exit_code == 0
    assert "cardiff\tCardiff\tWales" in cli("orgs", "list").output


# ---------------------------------------------------------------- each duty, in the console

LONDON = ZoneInfo("Europe/London")
# a duty is walked in the console once, and again in each other nation whose ending differs
CONSOLE = [
    (duty, nation)
    for duty, nation in CASES
    if nation == duty.nations[0] or duty.note_for(nation) or dict(duty.not_here).get(nation)
]


@pytest.fixture(scope="module")
def console(template_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Conversation]:
    """One console for every officer (each in their own conversation), on a fresh database."""
    path = tmp_path_factory.mktemp("catalogue") / "engagebot.db"
    path.write_bytes(template_db.read_bytes())
    engine = make_engine(f"sqlite:///{path}")
    with transaction(engine, ALL) as session:  # nobody has said: each officer is asked
        save_nation(session, "default", "")
    ctx = AppContext(
        engine=engine, clock=FixedClock(datetime(2026, 11, 23, 10, tzinfo=LONDON)), tz=LONDON
    )
    yield Conversation(ctx)
    engine.dispose()


@pytest.mark.parametrize(("duty", "nation"), CONSOLE, ids=[f"{d.id}-{n}" for d, n in CONSOLE])
def test_an_officer_naming_each_duty_gets_its_law_in_the_console(
    console: Conversation, duty: Duty, nation: str
) -> None:
    officer = ConsoleChannel(console, f"officer.{duty.id}.{nation}@example.org")
    officer.send("should I consult?")
    officer.send(NATIONS[nation])
    officer.send(duty.name)
    fields = set(duty.fields)
    if "staff" in fields:
        answers = [OPENING[0], "Only council staff"]
    elif "emergencies" in fields:
        answers = [*OPENING, "Yes, it's an emergency"]
    else:
        answers = [*OPENING, *PLANNED]
    for answer in answers[1:]:
        reply = officer.send(answer)
    if duty.button() not in reply:
        officer.send("Another law (I'll search for it)")
        reply = officer.send(" ".join(duty.words) or duty.name)
    reply = officer.send(duty.button())
    for question, answer in (
        ("Has anything been decided already", "No, it's still open"),
        ("That law sets no consultation here", "None of these"),
    ):
        if question in reply:
            reply = officer.send(answer)
    outcome = ("emergency_notice", "statutory") if "emergencies" in fields else ENDINGS[duty.kind]
    level = CHART.outcomes[outcome[0]]
    assert f"{level.title}\nLevel: {level.level_words}" in reply
    process = "" if duty.kind in NOT_A_PROCESS else KINDS[duty.kind]
    assert (f"Process: {process}" in reply) == bool(process)
    assert f"The law of {NATIONS[nation]}" in reply
    assert f"Law: {duty.law}" in reply
    assert all(who.split(" (")[0] in reply for who in duty.who)
    assert f"Timing: {duty.timing}" in reply
