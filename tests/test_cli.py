"""The `engagebot` command line, as an engagement officer would use it on a plan file."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from typer.testing import CliRunner, Result

from bot.cli import app
from tests.conftest import BLACKPOOL, HALTON

Cli = Callable[..., Result]


def test_import_then_list_plans(cli: Cli) -> None:
    result = cli("import", str(BLACKPOOL))
    assert "Imported plan 'blackpool-audit-2019'" in result.output
    assert "17 actions (17 new, 0 updated, 0 unchanged)" in result.output
    plans = cli("plans")
    assert "blackpool-audit-2019" in plans.output
    assert "17 actions, 9 closed" in plans.output


def test_reimporting_the_same_file_updates_instead_of_duplicating(cli: Cli) -> None:
    cli("import", str(BLACKPOOL))
    again = cli("import", str(BLACKPOOL))
    assert "17 actions (0 new, 0 updated, 17 unchanged)" in again.output
    assert "0 progress notes" in again.output
    rows = json.loads(cli("actions", "list", "--json").output)
    assert len(rows) == 17


def test_reimport_with_a_changed_row_updates_it_and_keeps_history(cli: Cli, tmp_path: Path) -> None:
    cli("import", str(BLACKPOOL), "--plan", "audit")
    changed = tmp_path / "audit.csv"
    text = BLACKPOOL.read_text(encoding="utf-8")
    changed.write_text(text.replace("30th November 2019", "31st January 2020"), encoding="utf-8")
    result = cli("import", str(changed), "--plan", "audit")
    assert "(0 new, 1 updated, 16 unchanged)" in result.output
    r17 = next(a for a in json.loads(cli("actions", "list", "--json").output) if a["ref"] == "R17")
    assert r17["target_text"] == "31st January 2020"
    assert r17["target_date"] == "2020-01-31"


def test_actions_list_filters_by_owner_status_and_plan(cli: Cli) -> None:
    cli("import", str(BLACKPOOL))
    cli("import", str(HALTON))
    dph = json.loads(cli("actions", "list", "--owner", "director of public", "--json").output)
    assert sorted(a["ref"] for a in dph) == ["R16", "R3"]
    done = json.loads(
        cli(
            "actions", "list", "--plan", "blackpool-audit-2019", "--status", "complete", "--json"
        ).output
    )
    assert {a["status"] for a in done} == {"complete"}
    assert len(done) == 9
    text = cli("actions", "list", "--plan", "halton-action-plan-2012").output
    assert "halton-action-plan-2012:1.1" in text


KEYS = "ref theme recommendation action owners priority status target_text target_date"


def test_json_output_carries_what_scripts_need(cli: Cli) -> None:
    cli("import", str(BLACKPOOL))
    first = json.loads(cli("actions", "list", "--json").output)[0]
    for key in [*KEYS.split(), "recurrence", "milestones"]:
        assert key in first
    assert first["priority"] == 1


def test_an_unknown_status_is_explained(cli: Cli) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["actions", "list", "--status", "finished-ish"])
    assert result.exit_code == 1
    assert "'finished-ish' is not a status" in result.output
    assert "partially complete" in result.output


def test_people_assign_by_slack_teams_and_email(cli: Cli) -> None:
    cli("import", str(BLACKPOOL))
    result = cli(
        "people",
        "assign",
        "partnership manager",
        "--name",
        "Sam Patel",
        "--slack",
        "U012AB3CD",
        "--teams",
        "29:1abc",
        "--email",
        "Sam.Patel@example.org",
    )
    assert result.exit_code == 0
    assert "Sam Patel holds the role 'Community Engagement & Partnership Manager'" in result.output
    listed = cli("people", "list").output
    assert "sam.patel@example.org" in listed and "U012AB3CD" in listed and "29:1abc" in listed


def test_assigning_an_unknown_role_says_which_roles_exist(cli: Cli) -> None:
    cli("import", str(BLACKPOOL))
    result = cli("people", "assign", "Head of Kittens", "--email", "x@example.org")
    assert result.exit_code == 1
    assert "Head of Kittens" in result.output
    assert "Director of Public Health" in result.output


def test_map_option_says_what_a_column_holds(cli: Cli, tmp_path: Path) -> None:
    sheet = tmp_path / "odd.csv"
    sheet.write_text(
        "Ref,Thing to do,Person in charge,When?\n"
        "1,Publish the engagement register,Head of Policy,December 2027\n",
        encoding="utf-8",
    )
    refused = cli("import", str(sheet))
    assert refused.exit_code == 1
    result = cli(
        "import",
        str(sheet),
        "--map",
        "Thing to do=recommendation",
        "--map",
        "Person in charge=owner",
    )
    assert result.exit_code == 0, result.output
    row = json.loads(cli("actions", "list", "--json").output)[0]
    assert row["owners"] == ["Head of Policy"]
    assert row["target_date"] == "2027-12-31"


def test_a_bad_map_option_is_explained(cli: Cli) -> None:
    result = cli("import", str(BLACKPOOL), "--map", "Who?")
    assert result.exit_code == 1
    assert "owner" in result.output and "=" in result.output


def test_db_upgrade_reports_the_schema_revision(cli: Cli) -> None:
    result = cli("db", "upgrade")
    assert result.exit_code == 0
    assert "schema revision" in result.output


def test_help_lists_every_command() -> None:
    result = CliRunner().invoke(app, ["--help"])
    for command in ("import", "plans", "actions", "people", "chat", "db"):
        assert command in result.output


def test_console_chat_command_with_the_demo(tmp_path: Path, monkeypatch: object) -> None:
    import os

    runner = CliRunner()
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        result = runner.invoke(
            app,
            ["chat", "--demo"],
            input="my actions\nexit\n",
            env={"ENGAGEBOT_NOW": "2026-11-23T10:00"},
        )
    finally:
        os.chdir(cwd)
    assert result.exit_code == 0, result.output
    assert "You are Sam Patel" in result.output
    assert "R1" in result.output and "Bye." in result.output
