"""Slack as councils install it: by link (OAuth, against a fake Slack on loopback), a token per
workspace, one process serving two councils' workspaces, uninstalling, rotating tokens, and the
key that seals the tokens at rest."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlencode

from sqlmodel import select
from typer.testing import CliRunner, Result

from bot.channels.slack import SlackSender
from bot.cli import app
from handlers.chat.context import AppContext
from handlers.chat.messages import Reply
from handlers.chat.outbox import queue
from models.db import transaction
from models.scoping import ALL
from models.tables import ChatInstallation, OrgBinding, Person, Plan
from reminders.delivery import deliver
from reminders.policy import Policy
from reminders.sweep import sweep
from tests.conftest import BLACKPOOL, SAM
from tests.slack_harness import (
    CLIENT_ID,
    CLIENT_SECRET,
    SECRET,
    SlackBot,
    installed_slack,
    payload,
)

Cli = Callable[..., Result]
ROLE = "Community Engagement & Partnership Manager"
BLACKPOOL_TEAM, RIBBLE_TEAM = "T0COUNCIL", "T0RIBBLE"
SAM_BP, SAM_SR = "U0SAMBP", "U0SAMSR"
BLACKPOOL_R1 = "We recommend that the Council produces"
RIBBLE_R1 = "We recommend that South Ribble produces"


def ribble_plan(tmp_path: Path) -> Path:
    """South Ribble's plan: Blackpool's, with its own words (the same refs and roles)."""
    path = tmp_path / "ribble.csv"
    text = BLACKPOOL.read_text(encoding="utf-8").replace(
        "the Council produces", "South Ribble produces"
    )
    path.write_text(text.replace("Blackpool", "South Ribble"), encoding="utf-8")
    return path


def posted_to(bot: SlackBot, channel: str, count: int = 1) -> list[tuple[str, str]]:
    """(token, text) of the messages posted in `channel`, once `count` have landed."""
    deadline = time.monotonic() + 10
    while len(bot.slack.posted_in(channel)) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    from tests.fakes.slack_api import text_of

    return [(c.token, text_of(c.params)) for c in bot.slack.posted_in(channel)]


def test_two_councils_install_by_link_and_each_sees_only_its_own(
    blackpool: AppContext, cli: Cli, tmp_path: Path
) -> None:
    assert cli("people", "assign", ROLE, "--email", SAM, "--slack", SAM_BP).exit_code == 0
    with installed_slack(blackpool) as bot:
        bot.slack.grant("code-bp", (BLACKPOOL_TEAM, "Blackpool Council"), "xoxb-blackpool")
        bot.slack.grant(
            "code-sr", (RIBBLE_TEAM, "South Ribble BC"), "xoxb-ribble", bot_user="UBOTSR"
        )

        # Blackpool's workspace was bound to its council already: it answers at once.
        page = bot.install("code-bp")
        assert page.status_code == 200 and "answers there now" in page.text
        # South Ribble's is new: it joins no council by itself, an operator approves it.
        page = bot.install("code-sr")
        assert page.status_code == 200
        assert "engagebot orgs approve T0RIBBLE --new" in page.text
        [exchange, *_] = bot.slack.of("oauth.v2.access")
        assert exchange.params["code"] == "code-bp"  # the code Slack's consent page gave back

        ribble = bot.as_team(RIBBLE_TEAM)
        ribble.dm(SAM_SR, "my actions")
        [(token, text)] = posted_to(bot, "D0SAMSR")
        assert token == "xoxb-ribble" and "isn't set up for engagebot" in text

        waiting = cli("orgs", "pending")
        assert "T0RIBBLE\tSouth Ribble BC" in waiting.output and "U0INSTALLER" in waiting.output
        done = cli("orgs", "approve", "T0RIBBLE", "--new", "south-ribble")
        assert done.exit_code == 0, done.output
        for args in (
            ("import", str(ribble_plan(tmp_path)), "--plan", "engagement-audit"),
            ("people", "assign", ROLE, "--name", "Sam Patel", "--email", SAM, "--slack", SAM_SR),
        ):
            assert cli("--org", "south-ribble", *args).exit_code == 0
        assert "No workspace is waiting" in cli("orgs", "pending").output

        # One process, two workspaces: each answered with its own token, about its own plan.
        bot.dm(SAM_BP, "show R1")
        ribble.dm(SAM_SR, "show R1")
        [(bp_token, bp_text)] = posted_to(bot, "D0SAMBP")
        _, (sr_token, sr_text) = posted_to(bot, "D0SAMSR", 2)
        assert bp_token == "xoxb-blackpool" and BLACKPOOL_R1 in bp_text
        assert RIBBLE_R1 not in bp_text
        assert sr_token == "xoxb-ribble" and RIBBLE_R1 in sr_text
        assert BLACKPOOL_R1 not in sr_text

        # Reminders go out with each workspace's own token too.
        sweep(blackpool, Policy(), "slack")
        report = deliver(blackpool, SlackSender(bot.channel.client, bot.channel.tokens))
        assert report.sent == 2
        tokens = {c.params["channel"]: c.token for c in bot.slack.delivered()[-2:]}
        assert tokens == {"D0SAMBP": "xoxb-blackpool", "D0SAMSR": "xoxb-ribble"}

        # One workspace's own token refused: its messages wait, the other council's go out.
        bot.slack.revoked.add("xoxb-ribble")
        for org in ("south-ribble", "default"):  # the refused one first: the run goes on
            with transaction(blackpool.engine, org) as session:
                sam = session.exec(select(Person).where(Person.email == SAM)).one()
                queue(session, Reply("A note for Sam"), via="slack", kind="notice",
                      now=blackpool.now(), person_id=sam.id)  # fmt: skip
        held = deliver(blackpool, SlackSender(bot.channel.client, bot.channel.tokens))
        assert held.sent == 1 and held.refused_workspaces == {RIBBLE_TEAM}
        assert bot.slack.delivered()[-1].params["channel"] == "D0SAMBP"
        bot.slack.revoked.discard("xoxb-ribble")
        assert deliver(blackpool, SlackSender(bot.channel.client, bot.channel.tokens)).sent == 1
        assert bot.slack.delivered()[-1].params["channel"] == "D0SAMSR"

        # Tokens are sealed at rest: the database never holds them in the clear.
        with transaction(blackpool.engine, ALL) as session:
            stored = session.exec(select(ChatInstallation)).all()
            assert {r.team_id for r in stored} == {BLACKPOOL_TEAM, RIBBLE_TEAM}
            assert all(r.bot_token.startswith("fernet:") for r in stored)
            assert all("xoxb" not in r.bot_token for r in stored)

        # South Ribble uninstalls: its tokens go, and nothing else.
        bot.slack.revoked.add("xoxb-ribble")
        ribble.replay("app_uninstalled")
        deadline = time.monotonic() + 5
        while len(_installs(blackpool)) > 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _installs(blackpool) == {BLACKPOOL_TEAM}
        with transaction(blackpool.engine, ALL) as session:
            bound = session.exec(select(OrgBinding.external_id)).all()
            assert RIBBLE_TEAM in bound  # a reinstall serves the same council again
            plans = session.exec(select(Plan.name)).all()
            assert plans.count("engagement-audit") == 1
            assert len(session.exec(select(Person).where(Person.email == SAM)).all()) == 2
        before = len(bot.slack.calls)
        answered = ribble.dm(SAM_SR, "my actions")
        assert answered.status_code == 200
        time.sleep(0.3)
        assert [c.method for c in bot.slack.calls[before:]] == []  # no token left to answer with
        bot.dm(SAM_BP, "plans")  # Blackpool carries on
        assert posted_to(bot, "D0SAMBP", 2)[-1][0] == "xoxb-blackpool"


def _installs(ctx: AppContext) -> set[str]:
    with transaction(ctx.engine, ALL) as session:
        return set(session.exec(select(ChatInstallation.team_id)).all())


def test_a_rotating_token_is_renewed_and_a_one_token_workspace_keeps_working(
    blackpool: AppContext, cli: Cli
) -> None:
    assert cli("people", "assign", ROLE, "--email", SAM, "--slack", SAM_BP).exit_code == 0
    # The old set-up's one token still serves its workspace beside installs by link; a new
    # workspace becomes an organisation of its own (SLACK_NEW_WORKSPACES=create).
    with installed_slack(blackpool, bot_token="xoxb-test", new_workspaces="create") as bot:
        bot.slack.grant(
            "code-sr",
            (RIBBLE_TEAM, "South Ribble BC"),
            "xoxb-ribble-1",
            bot_user="UBOTSR",
            rotating=("xoxe-1-ribble", 60),  # expiring within the hour: renewed when next used
        )
        bot.slack.renew("xoxe-1-ribble", "xoxb-ribble-2")
        page = bot.install("code-sr")
        assert "answers there now" in page.text and "south-ribble-bc" in page.text

        bot.as_team(RIBBLE_TEAM).dm("U0NEWCOMER", "help")
        [(token, text)] = posted_to(bot, "D0NEWCOMER")
        assert token == "xoxb-ribble-2" and "You can say" in text
        [renewal] = [c for c in bot.slack.of("oauth.v2.access") if "refresh_token" in c.params]
        assert renewal.params["grant_type"] == "refresh_token"
        with transaction(blackpool.engine, ALL) as session:
            row = session.exec(select(ChatInstallation)).one()
        assert bot.channel.installs is not None
        opened = bot.channel.installs.installations.sealer.open(row.bot_token)
        assert opened == "xoxb-ribble-2" and row.bot_token_expires_at is not None

        bot.dm(SAM_BP, "plans")  # no install for Blackpool: its one token answers
        [(token, _)] = posted_to(bot, "D0SAMBP")
        assert token == "xoxb-test"


def test_the_token_key_missing_or_wrong_is_said_in_one_line(
    blackpool: AppContext, db_url: str
) -> None:
    with installed_slack(blackpool) as bot:  # one install, sealed with KEY
        bot.slack.grant("code-bp", (BLACKPOOL_TEAM, "Blackpool Council"), "xoxb-blackpool")
        assert bot.install("code-bp").status_code == 200
    env = {
        "DATABASE_URL": db_url,
        "ENGAGEBOT_LOG_LEVEL": "WARNING",
        "SLACK_CLIENT_ID": CLIENT_ID,
        "SLACK_CLIENT_SECRET": CLIENT_SECRET,
        "SLACK_SIGNING_SECRET": SECRET,
    }
    runner = CliRunner()
    other = "Cw1vFx3eFn9s1zQ8Lr2Ug6Hk0Yb4Pd7Ta5Xe8Mj2Ns0="
    for key, said in (
        ("", "ENGAGEBOT_TOKEN_KEY is not set"),
        ("not-a-key", "it is not a Fernet key"),
        (other, "it does not open the stored secrets"),
    ):
        result = runner.invoke(app, ["serve", "slack"], env={**env, "ENGAGEBOT_TOKEN_KEY": key})
        assert result.exit_code == 1
        lines = result.output.strip().splitlines()
        assert len(lines) == 1 and said in lines[0], result.output
        assert "Traceback" not in result.output
    keys = runner.invoke(app, ["keys", "new"])  # what the message says to run
    assert keys.exit_code == 0 and len(keys.output.strip()) == 44


def test_an_enterprise_grid_organisation_installs_once_for_all_its_workspaces(
    ctx: AppContext, cli: Cli
) -> None:
    with installed_slack(ctx) as bot:
        bot.slack.grant(
            "code-grid",
            ("", "Lancashire Councils"),
            "xoxb-lancs",
            bot_user="UBOTLANCS",
            enterprise=("E0LANCS", "Lancashire Councils"),
            whole_org=True,
        )
        page = bot.install("code-grid")
        assert "engagebot orgs approve E0LANCS --new" in page.text
        assert cli("orgs", "approve", "E0LANCS", "--new", "lancashire").exit_code == 0
        for args in (
            ("import", str(BLACKPOOL), "--plan", "lancs-audit"),
            ("people", "assign", ROLE, "--name", "Sam Patel", "--email", SAM),
        ):
            assert cli("--org", "lancashire", *args).exit_code == 0
        bot.slack.emails["U0SAMLANCS"] = SAM

        # A DM from Preston, one of the organisation's workspaces, as Slack sends it for an
        # org-wide install (the authorization is the enterprise's, with no team).
        envelope = payload(
            "message_im",
            user="U0SAMLANCS",
            text="my actions",
            channel="D0SAMLANCS",
            ts=f"{time.time():.6f}",
            event_id="Ev0GRID01",
        )
        envelope["enterprise_id"] = "E0LANCS"
        envelope["authorizations"][0] |= {
            "enterprise_id": "E0LANCS",
            "team_id": None,
            "is_enterprise_install": True,
        }
        bot.as_team("T0PRESTON").post(json.dumps(envelope), "application/json")
        [(token, text)] = posted_to(bot, "D0SAMLANCS")
        assert token == "xoxb-lancs" and "You have 7 open actions" in text
        [lookup] = bot.slack.of("users.info")  # who Sam is, asked with the organisation's token
        assert lookup.token == "xoxb-lancs"

        # The slash command from the same workspace is the organisation's too.
        form = payload("slash_command", user="U0SAMLANCS", text="mine",
                       response_url=bot.slack.response_url())  # fmt: skip
        form |= {
            "team_id": "T0PRESTON",
            "enterprise_id": "E0LANCS",
            "is_enterprise_install": "true",
        }
        bot.as_team("T0PRESTON").post(urlencode(form), "application/x-www-form-urlencoded")
        bot.slack.wait_for("respond")
        assert "You have 7 open actions" in bot.slack.texts("respond")
