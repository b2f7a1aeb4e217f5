"""'Should I consult or engage?' walked in the console, and the engagement register at the end."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from sqlmodel import select
from typer.testing import Result

from handlers.chat.context import AppContext
from handlers.toolkit.flowchart import load
from models.db import transaction
from models.tables import Consultation, FlowchartWalk
from tests.conftest import SAM, Chat

OPEN = "No, it's still open"
PUBLIC = "Residents, service users, businesses or community groups"
NO = "No, none of these"
DECIDED = load().nodes["decided"].question
DECIDED_WHY = load().nodes["decided"].why[:60]
WHO = load().nodes["who"].question
DETAILS = ["Residents of the ward", "Hallgate", "01/02/2027", "31/03/2027", "£2,000"]


def known(ctx: AppContext) -> None:
    """Sam is in the people table: only people the bot knows may add to the register."""
    from models.tables import Person

    with transaction(ctx.engine) as session:
        session.add(Person(name="Sam Patel", email=SAM))


def details(significance: str = "One neighbourhood or ward") -> list[str]:
    return [OPEN, PUBLIC, significance, *DETAILS]


def no_duty(recent: str = "No, not that I know of") -> list[str]:
    return [NO, NO, recent]


SCENARIOS = {
    "library closure": (
        ["Closing Hallgate library", *details(), "Yes, a law applies"],
        "Consult formally; the law requires it",
    ),
    "bin collection day": (
        [
            "Changing the bin collection day",
            *details("The whole borough"),
            *no_duty(),
            "Not at all, we are telling them what will happen",
        ],
        "Inform people, and be honest that it is not open to change",
    ),
    "play area redesign": (
        [
            "Redesigning Moor Park play area",
            *details(),
            *no_duty(),
            "They can help shape the options and decide with us",
        ],
        "Involve people in shaping and deciding",
    ),
    "budget decision": (
        ["Budget 2027/28", *details("The whole borough"), "Yes, a law applies"],
        "Consult formally; the law requires it",
    ),
    "decision already taken by law": (
        ["New national food waste collections", "Yes, it's fixed"],
        "Inform people clearly",
    ),
    "community garden": (
        [
            "Community garden on Station Road",
            *details("A few people or one street"),
            *no_duty(),
            "They will help run or deliver it themselves",
        ],
        "Empower the community to act",
    ),
    "council tax reduction scheme": (
        [
            "Council tax reduction scheme changes",
            *details("The whole borough"),
            "Yes, a law applies",
        ],
        "Consult formally; the law requires it",
    ),
    "staff-only IT change": (
        ["New staff timesheet system", OPEN, "Only council staff"],
        "Tell staff; this is an internal change",
    ),
    "repeat tenant survey": (
        ["Tenant satisfaction survey", *details(), *no_duty("Yes, recently")],
        "Reuse what people have told us, or join up",
    ),
    "public spaces protection order": (
        ["Town centre PSPO", *details(), "Yes, a law applies"],
        "Consult formally; the law requires it",
    ),
    "park events with young people": (
        [
            "Summer events in the park, designed with young people",
            *details(),
            *no_duty(),
            "They can help shape the options and decide with us",
        ],
        "Involve people in shaping and deciding",
    ),
    "not sure about a legal duty": (
        ["Changing library opening hours", *details(), "Not sure"],
        "Plan to consult, and ask legal services now",
    ),
    "removing a service people rely on": (
        [
            "Ending the dial-a-ride service",
            *details("Mainly a protected or seldom-heard group"),
            NO,
            "Yes, one of these applies",
        ],
        "Consult; people can expect it",
    ),
    "options already drawn up": (
        [
            "Two options for the new leisure centre",
            *details("The whole borough"),
            *no_duty(),
            "They can comment on options we have drawn up",
        ],
        "Consult on the options",
    ),
}


def walk(chat: Chat, answers: list[str]) -> str:
    reply = chat.send("should I consult?")
    assert "What is the change or project called?" in reply
    for answer in answers:
        reply = chat.send(answer)
    return reply


@pytest.mark.parametrize("name", SCENARIOS)
def test_each_scenario_ends_at_the_expected_outcome(
    ctx: AppContext, chat_as: Callable[[str], Chat], name: str
) -> None:
    answers, outcome = SCENARIOS[name]
    reply = walk(chat_as(SAM), answers)
    assert reply.startswith(outcome), reply
    assert "Next steps" in reply and "Add to the engagement register" in reply


def test_unsure_about_the_law_says_ask_legal_services(
    ctx: AppContext, chat_as: Callable[[str], Chat]
) -> None:
    reply = walk(chat_as(SAM), SCENARIOS["not sure about a legal duty"][0])
    assert "legal services" in reply.lower()
    assert "Level: Consult (consultation)" in reply


def test_why_back_and_start_again(ctx: AppContext, chat_as: Callable[[str], Chat]) -> None:
    sam = chat_as(SAM)
    sam.send("should I consult?")
    sam.send("Closing Hallgate library")
    why = sam.send("Why are you asking?")
    assert DECIDED_WHY in why and DECIDED in why  # the reason, then the question again
    assert WHO in sam.send(OPEN)
    assert DECIDED in sam.send("Back")
    again = sam.send("Start again")
    assert "What is the change or project called?" in again


def test_a_wrong_answer_lists_the_options(ctx: AppContext, chat_as: Callable[[str], Chat]) -> None:
    sam = chat_as(SAM)
    sam.send("should I consult?")
    sam.send("Closing Hallgate library")
    reply = sam.send("maybe, who knows")
    assert "Yes, it's fixed" in reply and OPEN in reply


def test_the_walk_is_added_to_the_register_and_counted(
    ctx: AppContext, chat_as: Callable[[str], Chat], cli: Callable[..., Result]
) -> None:
    known(ctx)
    sam = chat_as(SAM)
    walk(sam, SCENARIOS["library closure"][0])
    added = sam.send("Add to the engagement register")
    assert "Added to the engagement register: Closing Hallgate library" in added
    listed = json.loads(cli("consultations", "list", "--json").output)
    assert listed == [
        {
            "id": 1,
            "title": "Closing Hallgate library",
            "level": "consult",
            "lead": "Sam Patel",
            "planned_start": "2027-02-01",
            "planned_end": "2027-03-31",
            "audience": "Residents of the ward",
            "area": "Hallgate",
            "status": "planned",
            "legal_advice": listed[0]["legal_advice"],
            "budget": "£2,000",
            "participation": "",
            "findings": "",
            "you_said_we_did": "",
            "published": False,  # not on the public page until someone publishes it
            "summary": "",
            "who_can_take_part": "",
            "how_to_take_part": "",
            "topic": "",
            "contact_name": "",
            "contact_email": "",
            "contact_phone": "",
        }
    ]
    with transaction(ctx.engine) as session:
        recorded = session.exec(select(FlowchartWalk)).one()
    assert recorded.outcome == "consult_duty" and recorded.finished_at is not None
    assert recorded.answers[0] == ["title", "Closing Hallgate library"]
    assert "Projects where the strategy was used: 1" in cli("stats").output


def test_a_similar_activity_is_flagged_before_it_is_added(
    ctx: AppContext, chat_as: Callable[[str], Chat]
) -> None:
    with transaction(ctx.engine) as session:
        session.add(
            Consultation(
                title="Hallgate library opening hours",
                level="consult",
                lead_name="Jo Evans",
                audience="Library users",
                area="Hallgate",
                planned_start=date(2026, 6, 1),
                planned_end=date(2026, 7, 31),
                status="closed",
                created_at=ctx.now(),
            )
        )
    known(ctx)
    sam = chat_as(SAM)
    walk(sam, SCENARIOS["library closure"][0])
    warned = sam.send("Add to the engagement register")
    assert "1 similar activity in the last 12 months" in warned
    assert "Hallgate library opening hours" in warned and "the same area (Hallgate)" in warned
    added = sam.send("Add mine anyway")
    assert "Added to the engagement register" in added
    with transaction(ctx.engine) as session:
        assert len(session.exec(select(Consultation)).all()) == 2


def test_flowchart_check_and_show(cli: Callable[..., Result]) -> None:
    assert "is a sound flowchart" in cli("flowchart", "check").output
    shown = cli("flowchart", "show").output
    assert shown.startswith("flowchart TD") and "o_consult_duty" in shown


def test_flowchart_check_names_the_faulty_node(cli: Callable[..., Result]) -> None:
    broken = sorted((Path(__file__).parent / "fixtures" / "flowcharts").glob("*.yaml"))
    assert broken
    for path in broken:
        result = cli("flowchart", "check", str(path))
        assert result.exit_code == 1, path.name
        assert "problem" in result.output


def test_a_councils_own_flowchart_replaces_the_default(db_url: str, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from bot.cli import app

    own = tmp_path / "own.yaml"
    own.write_text(
        (Path(__file__).parents[1] / "handlers" / "toolkit" / "consult_or_engage.yaml")
        .read_text(encoding="utf-8")
        .replace("title: Should I consult or engage?", "title: Ashfield engagement check"),
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        app,
        ["chat", "--as", SAM],
        input="should I consult?\nexit\n",
        env={"DATABASE_URL": db_url, "CONSULT_FLOWCHART": str(own)},
    )
    assert "Ashfield engagement check" in result.output


def test_only_people_the_bot_knows_can_add_to_the_register(
    blackpool: AppContext, chat_as: Callable[[str], Chat]
) -> None:
    stranger = chat_as("nobody@example.org")
    walk(stranger, SCENARIOS["library closure"][0])
    refused = stranger.send("Add to the engagement register")
    assert "Only people I know can add to the engagement register" in refused
    assert "Cllr Pat Doyle" in refused  # the plan's admin, who can add them
    with transaction(blackpool.engine) as session:
        assert session.exec(select(Consultation)).all() == []
