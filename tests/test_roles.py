"""Roles as people write them: one team spelled three ways is reported at import, and merged
only when someone says so; the merged spelling is remembered for the next import."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from typer.testing import Result

from tests.conftest import BLACKPOOL, HALTON

Cli = Callable[..., Result]
TEAM = "HBC Community Development Team"
SHORT = "HBC Community Development"


def roles(cli: Cli) -> dict[str, dict[str, object]]:
    return {row["name"]: row for row in json.loads(cli("roles", "list", "--json").output)}


def test_an_import_reports_look_alike_roles_and_merges_nothing(cli: Cli) -> None:
    out = cli("import", str(HALTON)).output
    assert "Some roles look like one role written differently:" in out
    assert f"'{TEAM}' (5 actions) may also be:\n    '{SHORT}' (3 actions)" in out
    assert f'engagebot roles merge "{SHORT}" --into "{TEAM}"' in out
    assert "'Corporate and Organisational Policy Team (HBC)' (1 action)" in out
    found = roles(cli)
    assert found[TEAM]["actions"] == 5 and found[SHORT]["actions"] == 3  # still two roles
    alike = json.loads(cli("roles", "alike", "--json").output)
    assert {group["into"]["name"] for group in alike} >= {TEAM}


def test_roles_unlike_each_other_are_not_reported(cli: Cli, tmp_path: Path) -> None:
    out = cli("import", str(BLACKPOOL)).output
    # "…Partnership Manager" and "…Development Officer" share three words, not a role.
    assert "look like one role" not in out
    assert cli("roles", "alike").output.strip() == "No two roles look alike."
    numbered = tmp_path / "areas.csv"
    numbered.write_text(
        "Ref,Agreed Action,Responsible officer,Target Date\n"
        "A1,Area forum,Area 1 Coordinator,31/03/2027\n"
        "A2,Area forum,Area 12 Coordinator,31/03/2027\n",
        encoding="utf-8",
    )
    assert "look like one role" not in cli("import", str(numbered)).output  # two areas


def test_a_merge_is_asked_and_a_no_changes_nothing(cli: Cli) -> None:
    cli("import", str(HALTON))
    answer = cli("roles", "merge", SHORT, "--into", TEAM, input="n\n")
    assert "Not merged: the roles stay apart." in answer.output
    assert roles(cli)[SHORT]["actions"] == 3


def test_a_confirmed_merge_moves_actions_and_holders_and_holds_on_reimport(cli: Cli) -> None:
    cli("import", str(HALTON))
    cli("people", "assign", SHORT, "--name", "Chris Lee", "--email", "chris.lee@example.org")
    answer = cli("roles", "merge", SHORT, "--into", TEAM, input="y\n")
    assert f"Merged '{SHORT}' into '{TEAM}' (3 actions moved)" in answer.output
    found = roles(cli)
    assert SHORT not in found
    assert found[TEAM] == {
        "name": TEAM,
        "actions": 8,
        "held_by": ["Chris Lee"],
        "also_written": [SHORT],
    }
    again = cli("import", str(HALTON)).output
    assert f"'{SHORT}'" not in again  # the spelling now means the team: nothing new to report
    assert SHORT not in roles(cli)
    mine = json.loads(cli("actions", "list", "--owner", "community development", "--json").output)
    assert {"1.4", "3.6", "3.7"} <= {a["ref"] for a in mine}
    # The old spelling still finds the role, e.g. for `people assign`.
    assign = cli("people", "assign", SHORT, "--name", "Jo Evans", "--email", "jo@example.org")
    assert f"Jo Evans holds the role '{TEAM}'." in assign.output


def test_merging_into_an_unknown_role_is_explained_and_changes_nothing(cli: Cli) -> None:
    cli("import", str(HALTON))
    answer = cli("roles", "merge", SHORT, "--into", "Community Develop Team", "--yes")
    assert answer.exit_code == 1
    assert "No role called 'Community Develop Team'" in answer.output
    assert "Nothing was merged." in answer.output
    assert roles(cli)[SHORT]["actions"] == 3
