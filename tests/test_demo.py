"""The demo tells its story in two minutes: the README's command, typed into as a newcomer would.

`engagebot chat --demo` runs here in-process on its own database (in a scratch folder) and on
the demo's fixed clock; tests/test_fresh_clone.py runs the same from a fresh clone.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from handlers.language.text import given_name

STORY = [
    "R1 final draft to CLT on 22 September, new date end of October",
    "save",
    "should I consult?",
    "Refurbishing Stanley Park's play area",  # the title
    "2",  # residents, not only staff
    "2",  # not an emergency
    "2",  # one neighbourhood or ward
    "1",  # some people may be affected more (protected characteristics)
    "parents of young children near Stanley Park",
    "Stanley ward",
    "October 2020",
    "November 2020",
    "£2,000",
    "No, none of these",  # no law that sets a process (the buttons are a long list here)
    "5",  # no promise, practice, loss or heavy impact
    "2",  # nothing decided yet
    "2",  # nobody asked about it in the last year
    "2",  # they can help shape the options and decide with us
    "1",  # add it to the engagement register
    "summary",
    "exit",
]


def demo(tmp_path: Path, *args: str, lines: list[str]) -> str:
    """`engagebot chat --demo …` in a scratch folder, with `lines` typed in."""
    result = CliRunner().invoke(
        app,
        ["chat", "--demo", *args],
        input="\n".join(lines) + "\n",
        env={"DATABASE_URL": f"sqlite:///{tmp_path / 'unused.db'}", "ENGAGEBOT_NOW": None},
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture
def scratch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)  # the demo writes engagebot-demo.db where it is run
    return tmp_path


def test_the_demo_tells_its_story(scratch: Path) -> None:
    out = demo(scratch, lines=STORY)
    welcome, reminder = out.split("Good morning", 1)
    # Who you are, and when: a fixed clock at which the councils' plans are current.
    assert "You are Sam Patel, Community Engagement & Partnership Manager, at Blackpool" in welcome
    assert "Demo clock: Thursday 10 September 2020, 09:30" in welcome
    # This morning's reminder: three actions, a screen, not thirty-five buttons.
    first_screen = reminder.split("you>")[0]
    assert first_screen.startswith(" Sam. 3 actions need your update.")
    assert "R1: Due 30 September 2020 (in 2 weeks)" in first_screen
    assert "R11: 17 months overdue" in first_screen
    assert len(re.findall(r"\[\d+\]", first_screen)) == 15
    assert len(first_screen.splitlines()) <= 20
    assert not re.search(r"\d,?\d{3} days", out)  # never "Overdue by 2,441 days"
    # The reply in words, confirmed and saved.
    assert "R1 → Partially complete, revised target 31 October 2020." in out
    assert "Saved. R1 is now Partially complete" in out
    # The consult walk, one question at a time, to a level on the ladder and the register.
    assert "Should I consult or engage?" in out and "(Question 1 of about 15)" in out
    assert "Is it an emergency" in out and "(Question 15 of about 15)" in out
    assert "Level: Involve (deciding together)" in out
    assert (
        "Added to the engagement register as entry 1: Refurbishing Stanley Park's play area" in out
    )
    # The chair's summary: a handful of actions in every state.
    summary = out.split("you> 🔴")[1]
    counts = summary.splitlines()[1]
    assert counts.startswith("17 actions: ")
    for state in (
        "complete",
        "on track",
        "partially complete",
        "delayed",
        "overdue",
        "not started",
        "withdrawn",
    ):
        number = re.search(rf"(\d+) {state}\b", counts)
        assert number and int(number[1]) >= 1, (state, counts)
    assert (scratch / "engagebot-demo.db").exists()


def test_people_are_named_as_a_council_has_them(scratch: Path) -> None:
    chris = demo(scratch, "--as", "chris.lee@example.org", lines=["summary", "exit"])
    assert "Good morning Chris. 4 actions need your update." in chris  # Halton's own officer
    assert "at Halton Strategic Partnership" in chris
    # One team, one spelling: Halton's "HBC Community Development" was merged into the team.
    assert "HBC Community Development Team" in chris
    assert not re.search(r"HBC Community Development(?! Team)", chris)
    assert "Corporate & Organisational Policy Team" not in chris
    assert "Blackpool" not in chris.split("Demo clock")[1]  # another council's plans stay apart


def test_greetings_use_the_given_name_not_the_title() -> None:
    assert given_name("Dr Ruth Okafor") == "Ruth"
    assert given_name("Cllr Pat Doyle") == "Pat"
    assert given_name("Prof. Dame Anne Hill") == "Anne"
    assert given_name("sam.patel@example.org") == ""
    assert given_name("Sam") == "Sam"
