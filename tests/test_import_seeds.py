"""The council papers' action plans, imported through the CLI, match the documents row by row."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import Result

from handlers.plans.people import role_key
from tests.conftest import ASHFIELD, BLACKPOOL, HALTON

Cli = Callable[..., Result]
CHECKED = ("ref", "theme", "recommendation", "action", "owners", "target_text", "priority")


def _imported(cli: Cli, sheet: Path, plan: str) -> list[dict[str, Any]]:
    result = cli("import", str(sheet), "--plan", plan)
    assert result.exit_code == 0, result.output
    listed = cli("actions", "list", "--plan", plan, "--json")
    rows: list[dict[str, Any]] = json.loads(listed.output)
    return rows


@pytest.mark.parametrize("sheet", [BLACKPOOL, HALTON, ASHFIELD], ids=lambda p: p.stem)
def test_every_action_theme_owner_and_target_matches_the_paper(cli: Cli, sheet: Path) -> None:
    expected = json.loads(sheet.with_suffix(".expected.json").read_text(encoding="utf-8"))
    actions = _imported(cli, sheet, "seed")
    assert [a["ref"] for a in actions] == [e["ref"] for e in expected]
    for action, want in zip(actions, expected, strict=True):
        assert {k: action[k] for k in CHECKED} == {k: want[k] for k in CHECKED} | {
            # "HBC Research & Intelligence" and "… and …" are one role, named as first seen.
            "owners": [same_role(action["owners"], name) for name in want["owners"]]
        }


def same_role(stored: list[str], written: str) -> str:
    """The stored role name that is the role written in the paper."""
    return next((name for name in stored if role_key(name) == role_key(written)), written)


def test_blackpool_targets_and_revisions_are_read_as_the_board_wrote_them(cli: Cli) -> None:
    actions = {a["ref"]: a for a in _imported(cli, BLACKPOOL, "blackpool")}
    assert len(actions) == 17
    # "Partially Complete – Revised date 31st March 2020": revised, and partially complete.
    assert actions["R1"]["target_text"] == "31st March 2019"
    assert actions["R1"]["target_date"] == "2020-03-31"
    assert actions["R1"]["status"] == "partially complete"
    assert actions["R3"]["owners"] == [
        "Director of Public Health",
        "Consultant in Public Health",
    ]
    assert actions["R3"]["status"] == "complete"
    assert actions["R3"]["target_date"] == "2019-03-31"
    assert actions["R16"]["target_text"] == "30th September 2019"
    assert actions["R16"]["target_date"] == "2020-03-31"
    assert actions["R17"]["target_date"] == "2019-11-30"
    assert actions["R11"]["status"] == "in progress"


def test_halton_targets_recur_continue_or_fall_at_month_end(cli: Cli) -> None:
    actions = _imported(cli, HALTON, "halton")
    by_what = {a["recommendation"].split("\n")[0]: a for a in actions}
    themes = {a["theme"] for a in actions}
    assert len(themes) == 5 and all(t.startswith("Objective") for t in themes)

    def find(start: str) -> dict[str, Any]:
        return next(a for key, a in by_what.items() if key.startswith(start))

    councillors = find("Support Councillors")
    assert councillors["target_kind"] == "ongoing" and councillors["target_date"] is None
    mystery = find("Develop a set of guidelines for the usage of mystery")
    assert mystery["target_date"] == "2013-04-30"
    monitor = find("Monitor all participation")
    assert monitor["target_kind"] == "recurring"
    assert monitor["recurrence"].startswith("yearly")
    assert monitor["target_date"] == "2027-04-30"  # next April after 23 November 2026
    hard_to_reach = find("Provide evidence-based guidance")
    assert hard_to_reach["target_date"] == "2011-12-31"
    assert hard_to_reach["status"] == "complete"


def test_ashfield_timescales_become_date_ranges(cli: Cli) -> None:
    actions = _imported(cli, ASHFIELD, "ashfield")
    dated = {a["target_text"]: a["target_date"] for a in actions}
    assert dated["01 July – 30 August 2020"] == "2020-08-30"
    assert dated["01 October – 31 March 2021"] == "2021-03-31"
    assert all(a["owners"] for a in actions)
