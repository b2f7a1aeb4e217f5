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
IN_PRINCIPLE = "Agreed in principle, or already decided"
PUBLIC = "Residents, service users, businesses or community groups"
PLANNED = "No, there is time to plan"
NEITHER = "No, it affects everyone alike"
NO_LAW = "No, none of these"
NO_FAIRNESS = "None of these"
WHO = load().nodes["who"].question
WHO_WHY = load().nodes["who"].why[:60]
URGENT = load().nodes["urgent"].question
DETAILS = ["Residents of the ward", "Hallgate", "01/02/2027", "31/03/2027", "£2,000"]
EQUALITY = "Equality Act 2010 s149"
NOT_ADVICE = "This is guidance, not legal advice: ask legal services when unsure."


@pytest.fixture(autouse=True)
def in_england(db_url: str) -> None:
    """The council is in England, as `engagebot orgs set default --nation england` says."""
    from handlers.plans.organisations import set_nation
    from models.db import make_engine
    from models.scoping import ALL

    engine = make_engine(db_url)
    with transaction(engine, ALL) as session:
        set_nation(session, "default", "england")
    engine.dispose()


def known(ctx: AppContext) -> None:
    """Sam is in the people table: only people the bot knows may add to the register."""
    from models.tables import Person

    with transaction(ctx.engine) as session:
        session.add(Person(name="Sam Patel", email=SAM))


def details(size: str = "One neighbourhood or ward", groups: str = NEITHER) -> list[str]:
    """Affects the public, not an emergency, its size and groups, then the register details."""
    return [PUBLIC, PLANNED, size, groups, *DETAILS]


def no_duty(recent: str = "No, not that I know of") -> list[str]:
    """No law, no fairness test, not yet decided, and whether it was asked recently."""
    return [NO_LAW, NO_FAIRNESS, OPEN, recent]


SCENARIOS = {
    "library closure": (
        [
            "Closing Hallgate library",
            *details(groups="Yes, or it might"),
            NO_LAW,
            "It takes away a service or benefit people have now",
            OPEN,
        ],
        "Consult; people can expect it",
    ),
    "bin collection day": (
        [
            "Changing the bin collection day",
            *details("The whole borough, or a service many people use"),
            *no_duty(),
            "Not at all, we are telling them what will happen",
        ],
        "No duty to consult: engage or inform",
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
        [
            "Budget 2027/28",
            *details("The whole borough, or a service many people use"),
            "The budget (spending proposals for next year)",
            OPEN,
        ],
        "Consult formally; the law requires it",
    ),
    "decision already taken by law": (
        [
            "New national food waste collections",
            *details("The whole borough, or a service many people use"),
            NO_LAW,
            NO_FAIRNESS,
            "Yes, it's fixed",
        ],
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
    "staff-only IT change": (
        ["New staff timesheet system", "Only council staff", "No, no jobs or terms change"],
        "Tell staff; this is an internal change",
    ),
    "repeat tenant survey": (
        ["Tenant satisfaction survey", *details(), *no_duty("Yes, recently")],
        "Reuse what people have told us, or join up",
    ),
    "park events with young people": (
        [
            "Summer events in the park, designed with young people",
            *details(groups="Yes, or it might"),
            *no_duty(),
            "They can help shape the options and decide with us",
        ],
        "Involve people in shaping and deciding",
    ),
    "not sure about a legal duty": (
        ["Changing library opening hours", *details(), "Not sure"],
        "Plan to consult, and ask legal services now",
    ),
    "options already drawn up": (
        [
            "Two options for the new leisure centre",
            *details("The whole borough, or a service many people use"),
            *no_duty(),
            "They can comment on options we have drawn up",
        ],
        "Consult on the options",
    ),
    "urgent closure": (
        [
            "Closing Hallgate pool: roof found unsafe",
            PUBLIC,
            "Yes, it's an emergency",
            "No, none of these",
        ],
        "Act now, tell people at once, and engage on what happens next",
    ),
}


def walk(chat: Chat, answers: list[str]) -> str:
    reply = chat.send("should I consult?")
    if "Which UK nation is your council in?" in reply:  # nobody has set it for this council
        reply = chat.send("England")
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
    # the equality duty applies to every decision, so every ending says what it asks
    assert f"The public sector equality duty\n    Law: {EQUALITY}" in reply
    assert "equality impact assessment" in reply
    assert NOT_ADVICE in reply


# Each situation where a law of England sets a process: the answer, then what the ending must
# name (the law, the consultees, the timing). Other nations: tests/test_consult_catalogue.py.
STATUTES = {
    "business ratepayers on the budget": (
        "The budget (spending proposals for next year)",
        "Local Government Finance Act 1992 s65",
        ["representative of the business ratepayers in the area"],
        ["Every year, before the council sets its council tax"],
    ),
    "selective licensing of private landlords": (
        "Selective or additional licensing of private landlords",
        "Housing Act 2004 s80(9)",
        [
            "tenants and other residents in the proposed area",
            "landlords and managing agents",
            "in the surrounding area",
        ],
        ["At least 10 weeks", "lasts up to five years"],
    ),
    "public spaces protection order": (
        "A public spaces protection order (PSPO)",
        "Anti-social Behaviour, Crime and Policing Act 2014 s72",
        [
            "the chief officer of police",
            "the police and crime commissioner",
            "community representatives",
            "the owners and occupiers of land within the restricted area",
        ],
        ["an order lasts up to three years"],
    ),
    "licensing policy": (
        "The licensing policy (alcohol, entertainment, late-night food)",
        "Licensing Act 2003 s5(3)",
        [
            "the chief officer of police",
            "the fire and rescue authority",
            "the director of public health",
            "personal licence holders",
            "representatives of businesses and residents in the area",
        ],
        ["At least every five years"],
    ),
    "housing management": (
        "Housing management for council tenants (not rent)",
        "Housing Act 1985 s105",
        ["the secure tenants likely to be substantially affected"],
        ["Rent and service charges are excluded", "A specified period for views"],
    ),
    "funding reduction to a community group": (
        "Cutting or ending funding to a voluntary or community group",
        "Best Value statutory guidance",
        ["the voluntary or community organisation itself", "the people who use its services"],
        ["At least three months' notice of the actual reduction"],
    ),
    "council tax reduction scheme": (
        "The council tax reduction scheme",
        "Local Government Finance Act 1992 s13A and Schedule 1A",
        ["the major precepting authorities", "then the public"],
        ["Precepting authorities first, then publish the draft", "by 11 March"],
    ),
    "gambling policy": (
        "The gambling policy (statement of principles)",
        "Gambling Act 2005 s349",
        [
            "the chief officer of police",
            "represent the gambling businesses in the area",
            "represent those likely to be affected",
        ],
        ["At least every three years"],
    ),
    "disposal of open space": (
        "Selling or leasing open space, such as a park or green",
        "Local Government Act 1972 s123(2A)",
        ["the notice in a newspaper circulating in the area"],
        ["two consecutive weeks; consider the objections"],
    ),
    "traffic regulation order": (
        "A traffic regulation order (parking, one-way, speed limit)",
        "Road Traffic Regulation Act 1984 s1 (and s84 for speed limits); Local Authorities' "
        "Traffic Orders (Procedure) (England and Wales) Regulations 1996 regs 6 to 8",
        ["the chief officer of police, in every case"],
        ["At least 21 days for objections", "within two years of the notice"],
    ),
    "best value: a service reduction": (
        "Another significant change or reduction to a service",
        "Local Government Act 1999 s3(2)",
        [
            "council tax payers",
            "business ratepayers",
            "people who use or are likely to use the service",
            "people with an interest in the area",
        ],
        ["Before the decision, while the proposals can still change"],
    ),
}


NOTICES = ("disposal of open space", "traffic regulation order")


@pytest.mark.parametrize("situation", STATUTES)
def test_each_statutory_duty_names_its_law_consultees_and_timing(
    ctx: AppContext, chat_as: Callable[[str], Chat], situation: str
) -> None:
    label, law, consultees, timing = STATUTES[situation]
    notice = situation in NOTICES
    reply = walk(chat_as(SAM), ["A proposal", *details(), label, *([] if notice else [OPEN])])
    if notice:  # a notice and objections, not a consultation
        assert reply.startswith("Follow the statutory notice procedure; people can object"), reply
        assert "Process: notice and objections" in reply
        assert "Who is told, and who may object:" in reply
    else:
        assert reply.startswith("Consult formally; the law requires it"), reply
        assert "Who must be consulted:" in reply
    assert f"Law: {law}" in reply
    for words in [*consultees, *timing]:
        assert words in reply, words
    assert f"Law: {EQUALITY}" in reply  # and the equality duty, as always


def test_funding_cuts_bring_in_the_best_value_duty_too(
    ctx: AppContext, chat_as: Callable[[str], Chat]
) -> None:
    label = STATUTES["funding reduction to a community group"][0]
    reply = walk(chat_as(SAM), ["Ending the lunch club grant", *details(), label, OPEN])
    assert "Law: Local Government Act 1999 s3(2)" in reply
    assert "not only grants" in reply


def test_agreed_in_principle_does_not_skip_the_law_and_is_warned(
    ctx: AppContext, chat_as: Callable[[str], Chat]
) -> None:
    sam = chat_as(SAM)
    reply = walk(
        sam,
        ["Town centre PSPO", *details(), "A public spaces protection order (PSPO)", IN_PRINCIPLE],
    )
    assert reply.startswith(
        "Consult before the final decision; agreeing in principle does not remove the duty"
    )
    assert "Law: Anti-social Behaviour, Crime and Policing Act 2014 s72" in reply
    assert "Tell legal services now what was decided" in reply
    # the fairness tests are asked before "already decided?" too
    fair = walk(
        chat_as("jo.evans@example.org"),
        [
            "Closing the day centre",
            *details(),
            NO_LAW,
            "We have promised to consult on this",
            IN_PRINCIPLE,
        ],
    )
    assert fair.startswith("Consult before the final decision")
    assert "A promise to consult" in fair and "Common law (legitimate expectation)" in fair


def test_an_urgent_closure_acts_now_and_consults_on_the_future(
    ctx: AppContext, chat_as: Callable[[str], Chat]
) -> None:
    reply = walk(chat_as(SAM), SCENARIOS["urgent closure"][0])
    assert "Level: Inform (information giving)" in reply
    assert "urgency procedure" in reply
    assert "Tell the people affected straight away" in reply
    assert "consult before deciding the future" in reply
    assert "well before the change" not in reply


def test_methods_are_proportionate_to_the_size(
    ctx: AppContext, chat_as: Callable[[str], Chat]
) -> None:
    def ending(user: str, size: str) -> str:
        answers = ["Play area", *details(size), *no_duty(), "They can comment on options"]
        return walk(chat_as(user), answers).split("• Proportionate")[1]

    street = ending(SAM, "A few people or one street")
    borough = ending("jo.evans@example.org", "The whole borough, or a service many people use")
    assert "two to four weeks" in street and "eight to twelve weeks" not in street
    assert "eight to twelve weeks" in borough and "two to four weeks" not in borough
    street_methods = street.split("• Methods that suit")[1]
    borough_methods = borough.split("• Methods that suit")[1]
    assert "Letters to those affected" in street_methods
    assert "Citizens' panel" not in street_methods
    assert "Citizens' panel" in borough_methods and "Public meetings" in borough_methods


def test_a_consult_ending_says_what_happens_after_the_consultation(
    ctx: AppContext, chat_as: Callable[[str], Chat]
) -> None:
    reply = walk(chat_as(SAM), SCENARIOS["library closure"][0])
    after = reply.split("• After the consultation")[1]
    assert "give the decision-maker the responses" in after
    assert "equality impact assessment" in after
    assert "the realistic alternatives considered and why they were rejected" in after
    assert "Moseley" in after and "you said, we did" in after


def test_questions_say_about_how_many_are_left(
    ctx: AppContext, chat_as: Callable[[str], Chat]
) -> None:
    sam = chat_as(SAM)
    assert "(Question 1 of about 15)" in sam.send("should I consult?")
    assert "(Question 2 of about 15)" in sam.send("Play area")
    assert "(Question 1 of about 15)" in sam.send("Back")
    sam.send("Play area")
    sam.send(PUBLIC)
    assert "(Question 4 of about 15)" in sam.send(PLANNED)
    for answer in ["A few people or one street", NEITHER, *DETAILS]:
        sam.send(answer)
    assert "(Question 12 of about 12)" in sam.send("A public spaces protection order (PSPO)")


def test_the_register_is_searched_on_every_path(
    ctx: AppContext, chat_as: Callable[[str], Chat]
) -> None:
    with transaction(ctx.engine) as session:
        session.add(
            Consultation(
                title="Hallgate pool opening hours",
                level="consult",
                lead_name="Jo Evans",
                audience="Pool users",
                area="Hallgate",
                planned_start=date(2026, 6, 1),
                status="closed",
                created_at=ctx.now(),
            )
        )
    urgent = walk(chat_as(SAM), SCENARIOS["urgent closure"][0])
    assert "I searched the engagement register: 1 similar entry in the last 12 months:" in urgent
    assert "Hallgate pool opening hours (Consult · 1 June 2026" in urgent
    assert "similar because of a similar title" in urgent
    staff = walk(chat_as("jo.evans@example.org"), SCENARIOS["staff-only IT change"][0])
    assert "I searched the engagement register: nothing similar in the last 12 months." in staff
    # and before "were they asked recently?", by area too
    tenants = chat_as("ruth.okafor@example.org")
    answers = SCENARIOS["repeat tenant survey"][0]
    asked = walk(tenants, answers[: answers.index("Yes, recently")])
    assert "1 similar entry in the last 12 months" in asked
    assert "the same area (Hallgate)" in asked
    assert asked.index("Hallgate pool opening hours") < asked.index("Have the same people")


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
    assert WHO_WHY in why and WHO in why  # the reason, then the question again
    assert URGENT in sam.send(PUBLIC)
    assert WHO in sam.send("Back")
    again = sam.send("Start again")
    assert "What is the change or project called?" in again


def test_a_wrong_answer_lists_the_options(ctx: AppContext, chat_as: Callable[[str], Chat]) -> None:
    sam = chat_as(SAM)
    sam.send("should I consult?")
    sam.send("Closing Hallgate library")
    reply = sam.send("maybe, who knows")
    assert "Only council staff" in reply and PUBLIC in reply


def test_the_walk_is_added_to_the_register_and_counted(
    ctx: AppContext, chat_as: Callable[[str], Chat], cli: Callable[..., Result]
) -> None:
    known(ctx)
    sam = chat_as(SAM)
    walk(sam, SCENARIOS["library closure"][0])
    added = sam.send("Add to the engagement register")
    assert "Added to the engagement register as entry 1: Closing Hallgate library" in added
    assert "say 'publish 1'" in added and "Publish it" in added  # the number, and a way on
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
    assert recorded.outcome == "consult_expected" and recorded.finished_at is not None
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
    # the new order: emergency first, "already decided?" only after the law and fairness
    assert '"Residents, service users, businesses or community groups"| q_urgent' in shown
    assert '"Yes, it\'s an emergency"| q_emergency_law' in shown
    assert '"No, none of these"| o_emergency' in shown
    assert '"a duty: consultation"| q_decided_duty' in shown
    assert '"a duty: notice and objections"| o_notice' in shown
    assert '"Agreed in principle, or already decided"| o_consult_after_decision' in shown
    assert '"None of these"| q_decided' in shown
    assert shown.index("q_legal_duty -->") < shown.index("q_decided_duty -->")


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


def test_a_start_given_as_a_month_is_its_first_day(
    ctx: AppContext, chat_as: Callable[[str], Chat], cli: Callable[..., Result]
) -> None:
    known(ctx)
    sam = chat_as(SAM)
    answers = [*SCENARIOS["library closure"][0]]
    answers[answers.index("01/02/2027")] = "February 2027"
    answers[answers.index("31/03/2027")] = "March 2027"
    walk(sam, answers)
    sam.send("Add to the engagement register")
    [entry] = json.loads(cli("consultations", "list", "--json").output)
    assert (entry["planned_start"], entry["planned_end"]) == ("2027-02-01", "2027-03-31")


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
