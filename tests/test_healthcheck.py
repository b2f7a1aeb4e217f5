"""The community engagement health check: walked in the console, compared year on year, and
the chair reminded each April."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import Result

from handlers.chat.clock import FixedClock
from handlers.chat.context import AppContext
from handlers.language.years import YearError, parse_year
from handlers.plans.register import Activity, add
from handlers.toolkit.healthcheck import DEFAULT_PATH, load, questions
from models.db import transaction
from reminders.healthchecks import nudge_health_checks
from reminders.policy import Policy
from tests.conftest import CHAIR, LONDON, NOW, SAM, STRANGER, Chat

Cli = Callable[..., Result]
TOTAL = len(questions(load()))  # 2 examples and 4 or 5 scores for each of the four levels
PLANNING_3 = "3. Departments collaborate well"


def register(ctx: AppContext, title: str, level: str, start: date) -> None:
    with transaction(ctx.engine) as session:
        add(session, Activity(title, level=level, planned_start=start), None, NOW)


def answer_everything(chat: Chat, score: int, first: str = "health check") -> str:
    """Start (or carry on) and answer every question left: examples skipped, one score."""
    reply = chat.send(first)
    while "Question " in reply:
        reply = chat.send("skip" if "Example " in reply else str(score))
    return reply


def test_a_known_officer_walks_the_check_one_question_at_a_time(
    blackpool: AppContext, chat_as: Callable[[str], Chat], cli: Cli
) -> None:
    register(blackpool, "Council tax leaflet to every household", "inform", date(2026, 6, 1))
    register(blackpool, "Bin day change notice 2024", "inform", date(2024, 9, 1))  # too old
    register(blackpool, "Library opening hours survey", "consult", date(2026, 9, 1))
    sam = chat_as(SAM)

    first = sam.send("health check")
    assert "The 2026/27 health check for the whole organisation" in first
    assert "Information giving: Simple, direct, one way communication" in first
    assert f"Question 1 of {TOTAL}" in first
    assert "Council tax leaflet to every household" in first  # offered from the register
    assert "Bin day change notice 2024" not in first  # more than 12 months ago
    assert "Library opening hours survey" not in first  # consultation, not information giving

    second = sam.send("1")  # the register's activity, picked by its number
    assert f"Question 2 of {TOTAL}" in second
    assert "Council tax leaflet" not in second  # not offered twice
    planning = sam.send("Update newsletter")  # an example's words, not the "update" command
    assert "Information giving: level of planning" in planning
    assert "1 (poor performing)\n    Engagement activity is ad hoc" in planning  # the options
    assert "4 (high performing)\n    Engagement is planned at the top" in planning
    assert "[1] Score 1" in planning and "[4] Score 4" in planning

    assert "working in partnership" in sam.send("3")
    breadth = sam.send("seven")
    assert "Please pick a score from 1 to 4" in breadth and "working in partnership" in breadth
    assert "level of planning" in sam.send("back")
    assert "working in partnership" in sam.send(PLANNING_3)  # an option's words work too
    assert "breadth of engagement" in sam.send("2")
    taking_action = sam.send("2")
    assert "Depth" not in taking_action  # depth of engagement does not apply to information giving
    consultation = sam.send("3")
    assert "Consultation: Involves a dialogue" in consultation
    assert "Library opening hours survey" in consultation

    done = answer_everything(sam, 2, first="skip")
    assert "the 2026/27 health check for the whole organisation is saved" in done
    assert "Level of planning: 3" in done and "Working in partnership: 2" in done
    assert "Taking action: 3" in done
    assert "Council tax leaflet to every household; Update newsletter" in done
    assert "Examples: none given" in done  # consultation's were skipped

    table = cli("healthcheck", "report").output
    assert "2026/27 (done) against 2025/26 (not done)" in table
    assert "Information giving  Level of planning" in table


def test_a_check_left_half_done_carries_on_days_later(
    blackpool: AppContext, chat_as: Callable[[str], Chat], clock: FixedClock
) -> None:
    sam = chat_as(SAM)
    sam.send("health check")
    sam.send("skip")
    sam.send("skip")
    sam.send("4")
    paused = sam.send("pause")
    assert "Your answers are kept" in paused
    clock.advance(timedelta(days=3))  # long after the conversation itself is forgotten
    again = chat_as(SAM).send("health check")
    assert "Carrying on the 2026/27 health check" in again and "3 answered so far" in again
    assert f"Question 4 of {TOTAL}" in again and "working in partnership" in again


def test_a_team_has_its_own_check_and_a_finished_one_is_not_asked_again(
    blackpool: AppContext, chat_as: Callable[[str], Chat], cli: Cli
) -> None:
    sam = chat_as(SAM)
    done = answer_everything(sam, 3, first="health check for Youth Services")
    assert "health check for Youth Services is saved" in done
    again = sam.send("health check for youth services")
    assert "2026/27 health check for Youth Services was done on 23/11/2026 by Sam Patel" in again
    assert "Do it again" in again
    assert f"Question 1 of {TOTAL}" in sam.send("Do it again")  # the answers go
    sam.send("pause")
    team = cli("healthcheck", "report", "--team", "youth services")
    assert "Health check for Youth Services: 2026/27 (under way)" in team.output
    organisation = cli("healthcheck", "report")  # the team's check is not the organisation's
    assert organisation.exit_code == 1
    assert "no health check for the whole organisation in 2026/27" in organisation.output


def test_only_people_the_bot_knows_can_run_it(
    blackpool: AppContext, chat_as: Callable[[str], Chat]
) -> None:
    reply = chat_as(STRANGER).send("health check")
    assert "Only people I know can run the health check" in reply
    assert "Question" not in reply


def test_this_year_against_last_as_a_table_and_a_heat_map(
    blackpool: AppContext, chat_as: Callable[[str], Chat], clock: FixedClock, cli: Cli,
    tmp_path: Path,
) -> None:  # fmt: skip
    clock.at = datetime(2025, 6, 2, 10, 0, tzinfo=LONDON)  # last financial year
    assert "2025/26 health check" in answer_everything(chat_as(SAM), 2)
    clock.at = NOW
    answer_everything(chat_as(SAM), 3)

    table = cli("healthcheck", "report").output
    assert "2026/27 (done) against 2025/26 (done)" in table
    lines = table.splitlines()
    row = next(x for x in lines if x.startswith("Acting together") and "Depth of" in x)
    assert row.split()[-3:] == ["2", "3", "+1"]
    assert sum("Depth" in line for line in lines) == 3  # not for information giving

    png = tmp_path / "heat.png"
    made = cli("healthcheck", "report", "--output", str(png))
    assert made.exit_code == 0 and f"Heat map saved to {png}" in made.output
    assert png.read_bytes().startswith(b"\x89PNG")
    page = tmp_path / "heat.html"
    cli("healthcheck", "report", "--output", str(page))
    text = page.read_text(encoding="utf-8")
    assert "<h2>2026/27 (done)</h2>" in text and "background:#91cf60'>3<" in text
    assert "background:#fc8d59'>2<" in text and ">n/a<" in text

    earlier = cli("healthcheck", "report", "--year", "2025/26").output
    assert "2025/26 (done) against 2024/25 (not done)" in earlier


def test_the_report_explains_a_bad_year_an_unknown_team_and_a_bad_file(
    blackpool: AppContext, cli: Cli, tmp_path: Path
) -> None:
    bad_year = cli("healthcheck", "report", "--year", "2026")
    assert bad_year.exit_code == 1
    assert "'2026' is not a financial year. Write it as 2026/27" in bad_year.output
    nothing = cli("healthcheck", "report", "--team", "Parks")
    assert nothing.exit_code == 1
    assert "There is no health check for 'Parks' in 2026/27 or 2025/26" in nothing.output
    wrong = cli("healthcheck", "report", "--output", str(tmp_path / "heat.pdf"))
    assert wrong.exit_code == 1 and "written as .png or .html" in wrong.output


def test_the_guidance_is_checked(cli: Cli, tmp_path: Path) -> None:
    assert "is sound guidance" in cli("healthcheck", "check").output
    broken = tmp_path / "ours.yaml"
    text = DEFAULT_PATH.read_text(encoding="utf-8")
    text = text.replace("  empower:\n    title: Acting", "  citizens:\n    title: Acting")
    broken.write_text(text.replace("not_for: [inform]", "not_for: [informing]"), encoding="utf-8")
    result = cli("healthcheck", "check", str(broken))
    assert result.exit_code == 1
    assert 'level "citizens": levels are inform, consult, involve, empower' in result.output
    assert 'dimension "depth": "not_for" must list known levels' in result.output


def test_financial_years_are_read_as_councils_write_them() -> None:
    assert str(parse_year("2026/27")) == "2026/27"
    assert str(parse_year("2026-2027")) == "2026/27"
    assert parse_year("2026/27").first_day == date(2026, 4, 1)
    assert parse_year("1999/00").last_day == date(2000, 3, 31)
    for wrong in ("2026", "2026/28", "27/28", "2026/0027"):
        with pytest.raises(YearError):
            parse_year(wrong)


def test_the_chair_is_reminded_in_april_when_the_check_is_not_done(
    blackpool: AppContext, chat_as: Callable[[str], Chat], clock: FixedClock
) -> None:
    assert nudge_health_checks(blackpool, Policy(), "console") == 0  # November: not due
    clock.at = datetime(2027, 4, 1, 10, 0, tzinfo=LONDON)  # a Thursday, the year's first day
    assert nudge_health_checks(blackpool, Policy(), "console") == 1  # the plan's admin
    assert nudge_health_checks(blackpool, Policy(), "console") == 0  # once a year
    chair = chat_as(CHAIR)
    inbox = chair.inbox()
    assert "The community engagement health check for 2027/28 is due this April" in inbox
    started = chair.send("Start the health check")
    assert "The 2027/28 health check for the whole organisation" in started


def test_no_april_reminder_once_this_years_check_is_done(
    blackpool: AppContext, chat_as: Callable[[str], Chat], clock: FixedClock
) -> None:
    clock.at = datetime(2027, 4, 1, 8, 0, tzinfo=LONDON)  # before sending hours
    answer_everything(chat_as(SAM), 4)
    clock.at = datetime(2027, 4, 1, 10, 0, tzinfo=LONDON)
    assert nudge_health_checks(blackpool, Policy(), "console") == 0
    assert chat_as(CHAIR).inbox() == ""


def test_a_half_done_check_is_chased_with_how_far_it_got(
    blackpool: AppContext, chat_as: Callable[[str], Chat], clock: FixedClock
) -> None:
    from handlers.plans.people import assign, get_or_create_role

    with transaction(blackpool.engine) as session:
        get_or_create_role(session, "Steering Group Chair")  # as a plan naming the role makes it
        assign(session, "Steering Group Chair", name="Cllr Jo Ahmed", email="jo@example.org")
    clock.at = datetime(2027, 4, 3, 10, 0, tzinfo=LONDON)  # a Saturday: nothing is sent
    sam = chat_as(SAM)
    sam.send("health check")
    sam.send("skip")
    assert nudge_health_checks(blackpool, Policy(), "console") == 0
    clock.at = datetime(2027, 4, 6, 10, 0, tzinfo=LONDON)
    assert nudge_health_checks(blackpool, Policy(), "console") == 1  # the chair's role holder
    assert chat_as(CHAIR).inbox() == ""  # a chair's role is held: not the plan's admins
    inbox = chat_as("jo@example.org").inbox()
    assert f"was started but not finished: 1 of {TOTAL} questions answered" in inbox


def test_each_organisation_has_its_own_check_and_its_own_april_reminder(
    blackpool: AppContext, chat_as: Callable[[str], Chat], clock: FixedClock, cli: Cli
) -> None:
    from bot.channels.console import ConsoleChannel
    from bot.conversation import Conversation
    from handlers.plans.people import assign, get_or_create_role

    assert cli("orgs", "add", "south-ribble", "--name", "South Ribble BC").exit_code == 0
    with transaction(blackpool.engine, "south-ribble") as session:
        get_or_create_role(session, "Steering Group Chair")
        assign(session, "Steering Group Chair", name="Kim Lowe", email="kim@example.org")
    clock.at = datetime(2027, 4, 1, 8, 0, tzinfo=LONDON)
    answer_everything(chat_as(SAM), 3)  # the default organisation's check, done
    clock.at = datetime(2027, 4, 1, 10, 0, tzinfo=LONDON)

    assert nudge_health_checks(blackpool, Policy(), "console") == 1  # South Ribble's alone
    assert chat_as(CHAIR).inbox() == ""
    ribble = Conversation(blackpool, local_org="south-ribble")
    assert "is due this April" in ConsoleChannel(ribble, "kim@example.org").inbox()
    theirs = cli("--org", "south-ribble", "healthcheck", "report")
    assert theirs.exit_code == 1 and "There is no health check for the whole organisation" in (
        theirs.output
    )
    assert "2027/28 (done)" in cli("healthcheck", "report", "--year", "2027/28").output


def test_in_slack_each_score_shows_its_whole_guidance_with_its_button(
    blackpool: AppContext,
) -> None:
    from handlers.plans.people import assign
    from tests.slack_harness import slack_bot

    with transaction(blackpool.engine) as session:
        assign(session, "Community Engagement & Partnership Manager", chat={"slack": "U0SAM"})
    with slack_bot(blackpool) as bot:
        bot.dm("U0SAM", "health check")
        bot.slack.wait_for("chat.postMessage", 1)
        bot.press("U0SAM", "skip", "Skip")
        bot.slack.wait_for("chat.postMessage", 2)
        bot.press("U0SAM", "skip", "Skip")
        planning = bot.slack.wait_for("chat.postMessage", 3)[-1].params
        text = bot.slack.texts().rsplit("Example 2 of 2", 1)[-1]
        longest = load().dimension("planning").scores[3]
        assert longest in " ".join(text.split())  # 250 characters, not cut to a label's 75
        labels = [
            element["text"]["text"]
            for block in planning["blocks"]
            for element in [*block.get("elements", []), block.get("accessory") or {}]
            if element.get("type") == "button"
        ]
        assert labels[:4] == ["Score 1", "Score 2", "Score 3", "Score 4"]
        bot.press("U0SAM", "3", "Score 3")
        bot.slack.wait_for("chat.postMessage", 4)
        assert "Information giving: working in partnership" in bot.slack.texts()


def test_in_teams_the_check_is_walked_with_card_buttons(blackpool: AppContext) -> None:
    from handlers.plans.people import assign
    from tests.teams_harness import teams_bot
    from tests.test_teams import assert_valid_card

    with transaction(blackpool.engine) as session:
        assign(session, "Community Engagement & Partnership Manager", chat={"teams": "29:1sam"})
    with teams_bot(blackpool) as bot:
        bot.say("29:1sam", "health check")
        first = bot.teams.wait_for("send")[-1]
        assert "Example 1 of 2: an example of information giving" in first.text
        bot.button("29:1sam", first, "Skip")
        second = bot.teams.wait_for("send", 2)[-1]
        bot.button("29:1sam", second, "Skip")
        planning = bot.teams.wait_for("send", 3)[-1]
        assert load().dimension("planning").scores[3] in " ".join(planning.text.split())
        for card in planning.cards:
            assert_valid_card(card)
        bot.button("29:1sam", planning, "Score 3")
        after = bot.teams.wait_for("send", 4)[-1]
        assert "Information giving: working in partnership" in after.text
