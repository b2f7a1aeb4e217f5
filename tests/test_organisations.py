"""Two councils on one deployment: neither sees anything of the other, by any path.

Blackpool (the default organisation, Slack workspace T0COUNCIL) and South Ribble (T0RIBBLE)
hold a plan with the same name, the same refs and the same roles, and the same officer (a
shared-services manager, one e-mail) works for both.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlmodel import func, select
from typer.testing import Result

from bot.channels.slack import SlackSender
from handlers.chat.context import AppContext
from models.db import transaction
from models.scoping import ALL
from models.tables import (
    Action,
    ChatIdentity,
    ConversationState,
    HandledEvent,
    Plan,
    ProgressNote,
)
from reminders.delivery import deliver
from reminders.policy import Policy
from reminders.sweep import sweep
from tests.conftest import BLACKPOOL, SAM, TEAMS_TENANT
from tests.fakes.slack_api import text_of
from tests.slack_harness import SlackBot, payload, slack_bot

Cli = Callable[..., Result]
ROLE = "Community Engagement & Partnership Manager"
PLAN = "engagement-audit"
BLACKPOOL_R1 = "We recommend that the Council produces"
RIBBLE_R1 = "We recommend that South Ribble produces"
SAM_BP, SAM_SR = "U0SAMBP", "U0SAMSR"


@pytest.fixture
def two_councils(ctx: AppContext, cli: Cli, tmp_path: Path) -> AppContext:
    ribble_file = tmp_path / "ribble.csv"
    text = BLACKPOOL.read_text(encoding="utf-8").replace(
        "the Council produces", "South Ribble produces"
    )
    ribble_file.write_text(text.replace("Blackpool", "South Ribble"), encoding="utf-8")
    assert cli("orgs", "add", "south-ribble", "--name", "South Ribble BC").exit_code == 0
    assert cli("orgs", "bind", "south-ribble", "--slack-team", "T0RIBBLE").exit_code == 0
    for org, source, slack_id in (
        ("default", BLACKPOOL, SAM_BP),
        ("south-ribble", ribble_file, SAM_SR),
    ):
        assert cli("--org", org, "import", str(source), "--plan", PLAN).exit_code == 0
        done = cli(
            "--org",
            org,
            "people",
            "assign",
            ROLE,
            "--name",
            "Sam Patel",
            "--email",
            SAM,
            "--slack",
            slack_id,
        )
        assert done.exit_code == 0, done.output
    return ctx


@pytest.fixture
def bot(two_councils: AppContext) -> Iterator[SlackBot]:
    with slack_bot(two_councils) as running:
        yield running


def dm_from(bot: SlackBot, team: str, user: str, text: str, user_team: str | None = None) -> None:
    """A DM as Slack sends it from workspace `team` (optionally by a user of another one)."""
    envelope = payload("message_im", user=user, text=text, channel="D" + user[1:], ts="1.0",
                       event_id=f"Ev{abs(hash((team, user, text)))}")  # fmt: skip
    envelope["team_id"] = team
    envelope["event"]["team"] = team
    if user_team:
        envelope["event"]["user_team"] = user_team
    assert bot.post(json.dumps(envelope), "application/json").status_code == 200


def test_each_council_sees_only_its_own_plan_from_the_command_line(
    two_councils: AppContext, cli: Cli
) -> None:
    for org, mine, theirs in (
        ("default", BLACKPOOL_R1, RIBBLE_R1),
        ("south-ribble", RIBBLE_R1, BLACKPOOL_R1),
    ):
        listed = cli("--org", org, "plans").output
        assert listed.count(PLAN) == 1 and "17 actions" in listed
        actions = cli("--org", org, "actions", "list", "--json").output
        assert len(json.loads(actions)) == 17
        for output in (
            actions,
            cli("--org", org, "report", "--plan", PLAN, "--format", "md").output,
            cli("--org", org, "export").output,
            cli("--org", org, "summary", "--full").output,
        ):
            assert theirs not in output
        assert mine in actions
        people = cli("--org", org, "people", "list").output
        assert people.count("Sam Patel") == 1
    assert "Known: default, south-ribble" in cli("--org", "nowhere", "plans").output


def test_officers_in_two_workspaces_see_only_their_councils_actions(bot: SlackBot) -> None:
    dm_from(bot, "T0COUNCIL", SAM_BP, "show R1")
    dm_from(bot, "T0RIBBLE", SAM_SR, "show R1")
    posts = bot.slack.wait_for("chat.postMessage", 2)
    by_channel = {p.params["channel"]: json.dumps(p.params) for p in posts}
    assert BLACKPOOL_R1 in by_channel["D0SAMBP"] and RIBBLE_R1 not in by_channel["D0SAMBP"]
    assert RIBBLE_R1 in by_channel["D0SAMSR"] and BLACKPOOL_R1 not in by_channel["D0SAMSR"]


def test_an_update_in_one_council_never_touches_the_other(
    bot: SlackBot, two_councils: AppContext
) -> None:
    steps = [
        "update R1",
        "Partially complete",
        "Ribble residents' panel met.",
        "31/03/2027",
        "save",
    ]
    for count, said in enumerate(steps, start=1):
        dm_from(bot, "T0RIBBLE", SAM_SR, said)
        bot.slack.wait_for("chat.postMessage", count)  # each answer before the next message
    assert "Saved. R1 is now Partially complete" in bot.slack.texts()
    with transaction(two_councils.engine, ALL) as session:
        rows = session.exec(
            select(Plan.org_id, ProgressNote.text)
            .join(Action, Action.id == ProgressNote.action_id)
            .join(Plan, Plan.id == Action.plan_id)
            .where(ProgressNote.text.contains("residents' panel met"))  # type: ignore[attr-defined]
        ).all()
    assert [org for org, _ in rows] == [2]  # South Ribble's R1 only


def test_a_form_naming_the_other_councils_action_finds_nothing(
    bot: SlackBot, two_councils: AppContext
) -> None:
    with transaction(two_councils.engine, ALL) as session:
        blackpool_r1 = session.exec(
            select(Action.id).join(Plan).where(Plan.org_id == 1, Action.ref == "R1")
        ).one()
    with transaction(two_councils.engine, "south-ribble") as session:
        assert session.get(Action, blackpool_r1) is None  # an id from a payload finds nothing
        assert session.exec(select(func.count()).select_from(Action)).one() == 17


def test_a_button_naming_the_other_councils_action_finds_nothing(
    bot: SlackBot, two_councils: AppContext
) -> None:
    with transaction(two_councils.engine, "south-ribble") as session:
        ribble_r1 = session.exec(select(Action).where(Action.ref == "R1")).one()
    for value in (f"update #{ribble_r1.id}", f"update #{ribble_r1.id}²", "update #٣"):
        bot.press(SAM_BP, value, "Add update")  # Blackpool's Sam, a forged value
    answers = [c.params["text"] for c in bot.slack.wait_for("respond", 3)]
    assert bot.slack.of("views.open") == []
    assert answers == ["That action no longer exists. 'my actions' lists yours."] * 3


def test_a_workspace_no_council_holds_is_refused_and_nothing_is_read(
    bot: SlackBot, two_councils: AppContext
) -> None:
    bot.slack.emails["U0INTRUDER"] = SAM  # another workspace's user with an officer's e-mail
    before = _bookkeeping(two_councils)
    dm_from(bot, "T0ELSEWHERE", "U0INTRUDER", "show R1")
    posts = bot.slack.wait_for("chat.postMessage")
    assert "isn't set up for engagebot" in json.dumps(posts[0].params)
    assert BLACKPOOL_R1 not in bot.slack.texts() and RIBBLE_R1 not in bot.slack.texts()
    assert bot.slack.of("users.info") == []  # not even asked who they are
    assert _bookkeeping(two_councils) == before


def test_a_slack_connect_user_from_another_organisation_is_refused(
    bot: SlackBot, two_councils: AppContext
) -> None:
    bot.slack.emails["U0VISITOR"] = SAM
    before = _bookkeeping(two_councils)
    dm_from(bot, "T0COUNCIL", "U0VISITOR", "my actions", user_team="T0ELSEWHERE")
    posts = bot.slack.wait_for("chat.postMessage")
    assert "isn't set up for engagebot" in json.dumps(posts[0].params)
    assert bot.slack.of("users.info") == []
    assert _bookkeeping(two_councils) == before


def test_reminders_go_to_each_councils_own_officers_with_their_own_actions(
    bot: SlackBot, two_councils: AppContext
) -> None:
    sweep(two_councils, Policy(), "slack")
    report = deliver(two_councils, SlackSender(bot.channel.client))
    posts = {p.params["channel"]: json.dumps(p.params) for p in bot.slack.of("chat.postMessage")}
    assert report.sent == 2 and set(posts) == {"D0SAMBP", "D0SAMSR"}
    assert "R1" in posts["D0SAMBP"] and "R1" in posts["D0SAMSR"]
    assert "South Ribble" in posts["D0SAMSR"] and "South Ribble" not in posts["D0SAMBP"]
    # Sam answers the South Ribble reminder from South Ribble's workspace (the bot's token
    # says T0COUNCIL): the answer continues that reminder, in that council.
    dm_from(bot, "T0RIBBLE", SAM_SR, "R1: drafted and out for feedback, new date end of March")
    confirm = bot.slack.wait_for("chat.postMessage", 3)[-1]
    assert confirm.params["channel"] == "D0SAMSR"
    assert "R1 → Partially complete, revised target 31 March 2027." in text_of(confirm.params)


def _bookkeeping(ctx: AppContext) -> tuple[int, int, int]:
    with transaction(ctx.engine, ALL) as session:
        return (
            session.exec(select(func.count()).select_from(ConversationState)).one(),
            session.exec(select(func.count()).select_from(HandledEvent)).one(),
            session.exec(select(func.count()).select_from(ChatIdentity)).one(),
        )


def test_teams_tenants_are_kept_apart_too(two_councils: AppContext, cli: Cli) -> None:
    from tests.teams_harness import activity, teams_bot

    assert cli("orgs", "unbind", "--teams-tenant", TEAMS_TENANT).exit_code == 0
    assert cli("orgs", "bind", "south-ribble", "--teams-tenant", TEAMS_TENANT).exit_code == 0
    cli("--org", "south-ribble", "people", "assign", ROLE, "--email", SAM, "--teams", "aad-sam")
    with teams_bot(two_councils) as bot:
        bot.say("aad-sam", "show R1")
        [answer] = bot.teams.wait_for("send")
        assert RIBBLE_R1 in json.dumps(answer.body) and BLACKPOOL_R1 not in json.dumps(answer.body)
        stranger = activity(
            "personal_message",
            **{**bot._values("aad-sam", text="show R1"), "tenant": "another-tenant"},
        )
        bot.post(stranger)
        refused = bot.teams.wait_for("send", 2)[-1]
        assert "isn't set up for engagebot" in refused.text


def test_the_console_outbox_shows_only_the_named_councils_reminders(
    two_councils: AppContext, cli: Cli
) -> None:
    """`engagebot --org south-ribble remind --now` (no chat platform: the console's outbox)
    shows South Ribble's queued reminders, never Blackpool's, whose text names its actions."""
    ribble = cli("--org", "south-ribble", "remind", "--now")
    assert ribble.exit_code == 0, ribble.output
    assert "South Ribble" in ribble.output
    assert "Blackpool" not in ribble.output and "the Council produces" not in ribble.output
    default = cli("remind", "--now")  # swept already: Blackpool's are still queued for it
    assert "South Ribble" not in default.output
    assert "── for Sam Patel" in default.output


def test_the_due_list_shows_only_the_named_councils_actions(
    two_councils: AppContext, cli: Cli
) -> None:
    """Both councils' Sam has an R1 due; South Ribble's list names one of them."""
    ribble = cli("--org", "south-ribble", "remind", "--dry-run").output
    everyone = cli("remind", "--dry-run").output
    assert ribble.count("Sam Patel\tR1\t") == 1, ribble
    assert everyone.count("Sam Patel\tR1\t") == 1, everyone
