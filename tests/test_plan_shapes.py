"""Delivery plans as other councils write them, imported through the CLI.

Each sheet is built here, in a shape a council uses: an activity whose deliverables, leads
and milestones run on over the rows below it; several milestones in one cell, a recurrence
among them; targets counted in years of the plan ("Year 1", "Years 1, 2 and 3") that get dates
once the plan's start is known, at import or later.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook
from typer.testing import Result

from tests.conftest import SAM, Chat

Cli = Callable[..., Result]

LONG_DELIVERABLE = (
    "Annual report to the Health and Wellbeing Board on the use of the portal, with the "
    "number of consultations published and of responses received"
)


def _csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    return path


def _xlsx(path: Path, rows: list[list[str]], merged: tuple[str, ...] = ()) -> Path:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    for cells in merged:  # as Word tables pasted into Excel keep an activity's cells merged
        sheet.merge_cells(cells)
    book.save(path)
    return path


def _imported(cli: Cli, sheet: Path, *options: str) -> tuple[str, dict[str, dict[str, Any]]]:
    """What the officer is told, and the plan's actions by reference."""
    result = cli("import", str(sheet), "--plan", "plan", *options)
    assert result.exit_code == 0, result.output
    return result.output, _actions(cli)


def _actions(cli: Cli) -> dict[str, dict[str, Any]]:
    listed = cli("actions", "list", "--plan", "plan", "--json")
    return {a["ref"]: a for a in json.loads(listed.output)}


# ---------------------------------------------------------------------------------------------
# Continuation rows: more deliverables, leads and milestones for the activity above


DELIVERY_PLAN = [
    ["Westshire Council – Community Engagement Delivery Plan 2010-2013"],
    ["Ref", "Key Activity", "Deliverables (Output)", "Lead Officer", "Milestones"],
    [
        "1.1",
        "Develop an online consultation portal",
        "Portal live",
        "Head of Communications",
        "By Sept 2010",
    ],
    ["", "", "Quarterly usage report to the Board", "Policy Officer", "Updated quarterly"],
    ["", "", LONG_DELIVERABLE, "", "Annually (April)"],
    [
        "1.2",
        "Publish a consultation calendar",
        "Calendar on the website",
        "Web Manager",
        "Mar 2011",
    ],
]


@pytest.mark.parametrize("merged", [(), ("A3:A5", "B3:B5")], ids=["blank-cells", "merged-cells"])
def test_an_activitys_later_rows_add_deliverables_leads_and_milestones(
    cli: Cli, tmp_path: Path, merged: tuple[str, ...]
) -> None:
    sheet = _xlsx(tmp_path / "delivery plan.xlsx", DELIVERY_PLAN, merged)
    output, actions = _imported(cli, sheet)
    assert "2 actions (2 new" in output and "0 themes" in output
    assert "could not read" not in output
    portal = actions["1.1"]
    assert portal["action"].splitlines() == [
        "Portal live",
        "Quarterly usage report to the Board",
        LONG_DELIVERABLE,
    ]
    assert portal["owners"] == ["Head of Communications", "Policy Officer"]
    assert portal["target_text"] == "By Sept 2010\nUpdated quarterly\nAnnually (April)"
    assert portal["theme"] is None
    assert actions["1.2"]["owners"] == ["Web Manager"]
    assert actions["1.2"]["target_date"] == "2011-03-31"


def test_a_long_continuation_under_a_theme_is_not_the_themes_description(
    cli: Cli, tmp_path: Path
) -> None:
    """What?/How?/Who?/When? with themes as rows of their own, as Halton writes them."""
    rows = [
        ["What?", "How?", "Who?", "When?"],
        ["Priority 1: Listening to residents", "", "", ""],
        ["Run a residents' panel", "Panel recruited", "Engagement Manager", "Sept 2010"],
        ["", LONG_DELIVERABLE, "Research Officer", "March 2011"],
        ["", "Panel findings published", "", "Quarterly"],
        ["Priority 2: Reaching everyone", "", "", ""],
        ["Map community groups", "Directory online", "Community Development Team", "June 2011"],
    ]
    output, actions = _imported(cli, _csv(tmp_path / "strategy.csv", rows))
    assert "2 actions" in output and "2 themes" in output
    panel = actions["1.1"]
    assert panel["theme"] == "Priority 1: Listening to residents"
    assert panel["action"].splitlines() == [
        "Panel recruited",
        LONG_DELIVERABLE,
        "Panel findings published",
    ]
    assert panel["owners"] == ["Engagement Manager", "Research Officer"]
    assert (panel["target_kind"], panel["milestones"]) == (
        "recurring",
        ["2010-09-30", "2011-03-31"],
    )
    assert actions["2.1"]["theme"] == "Priority 2: Reaching everyone"


@pytest.mark.parametrize(
    ("header", "first", "more", "field", "expected"),
    [
        (
            ["Deliverable", "Lead officer", "Milestone", "Progress"],
            ["You Said We Did page", "Web Manager", "By Sept 2010", ""],
            [LONG_DELIVERABLE, "", "", ""],
            "action",
            f"You Said We Did page\n{LONG_DELIVERABLE}",
        ),
        (
            ["Lead Officer", "Key Activities", "Deliverables", "Timescale"],
            ["Web Manager", "Tell residents what changed", "You Said We Did page", "Sept 2010"],
            ["HBC", "", "", ""],  # short and in capitals, yet not a page heading here
            "owners",
            ["Web Manager", "HBC"],
        ),
        (
            ["Milestones", "Objective", "Actions", "Responsible"],
            ["By Sept 2010", "Tell residents what changed", "You Said We Did page", "Web Manager"],
            ["Updated monthly", "", "", ""],
            "target_kind",
            "recurring",
        ),
    ],
    ids=["deliverable-first", "lead-first", "milestone-first"],
)
def test_a_row_with_only_the_first_column_filled_continues_when_that_column_is_not_the_activity(
    cli: Cli,
    tmp_path: Path,
    header: list[str],
    first: list[str],
    more: list[str],
    field: str,
    expected: object,
) -> None:
    """Sheets whose first column holds deliverables, leads or milestones: a row with only that
    cell filled belongs to the row above, whatever its length; a theme is still a theme."""
    rows = [header, ["Objective 1: Better information"], first, more]
    rows += [["Objective 2: Listening"], [c.replace("Sept", "Oct") for c in first]]
    output, actions = _imported(cli, _csv(tmp_path / "plan.csv", rows))
    assert "2 actions" in output and "2 themes" in output
    assert actions["1.1"][field] == expected
    assert actions["1.1"]["theme"] == "Objective 1: Better information"
    assert actions["2.1"]["theme"] == "Objective 2: Listening"


def test_a_row_cut_by_a_page_break_still_carries_on_mid_sentence(cli: Cli, tmp_path: Path) -> None:
    rows = [
        ["Ref", "Key Activity", "Deliverables (Output)", "Lead Officer", "Milestones"],
        ["1", "Review the toolkit", "Toolkit revised and", "Head of Policy and", "By March 2011"],
        ["", "", "promoted on the intranet", "Head of Communications", ""],
    ]
    _, actions = _imported(cli, _csv(tmp_path / "plan.csv", rows))
    assert actions["1"]["action"] == "Toolkit revised and promoted on the intranet"
    assert actions["1"]["owners"] == ["Head of Policy", "Head of Communications"]


# ---------------------------------------------------------------------------------------------
# Several milestones in one cell


MILESTONE_CELLS = [
    ("By Sept 2010\nUpdated quarterly\nAnnually (April)", "recurring", ["2010-09-30"], "quarterly"),
    ("Quarterly from June 2010\nBy March 2011", "recurring", ["2011-03-31"], "quarterly"),
    ("Reported to Cabinet every six months\nSeptember 2010", "recurring", ["2010-09-30"], "half"),
    (
        "31/03/2011\n30/09/2011\n31/03/2012",
        "milestones",
        ["2011-03-31", "2011-09-30", "2012-03-31"],
        None,
    ),
    ("Launch event: June 2011\nDecember 2011", None, [], None),
]


@pytest.mark.parametrize(("cell", "kind", "milestones", "repeat"), MILESTONE_CELLS)
def test_a_cell_of_milestones_keeps_each_and_recurs_if_one_does(
    cli: Cli,
    tmp_path: Path,
    cell: str,
    kind: str | None,
    milestones: list[str],
    repeat: str | None,
) -> None:
    rows = [
        ["No.", "Action", "Lead", "Target date"],
        ["1", "Publish the engagement calendar", "Head of Policy", cell],
    ]
    output, actions = _imported(cli, _xlsx(tmp_path / "plan.xlsx", rows))
    action = actions["1"]
    assert action["target_text"] == cell  # always kept as written
    if kind is None:  # a line that names no date: reported, and nothing guessed
        assert action["target_kind"] == "unclear" and action["target_date"] is None
        assert "Targets I could not read" in output
        assert "'Launch event: June 2011 / December 2011'" in output
        assert 'I couldn\'t read "Launch event: June 2011" as a date.' in output
        return
    assert "could not read" not in output
    assert (action["target_kind"], action["milestones"]) == (kind, milestones)
    if repeat is not None:
        assert action["recurrence"].startswith(repeat)
        assert action["target_date"] > "2026-11-23"  # the next one, not one from 2010
    else:
        assert action["target_date"] == milestones[-1]


# ---------------------------------------------------------------------------------------------
# Years of the plan


YEARS_PLAN = [
    ["Key Activities", "Lead Officer", "Timescale", "Progress"],
    ["Theme 1: Involving residents"],
    ["Set up the residents' panel", "Engagement Manager", "Year 1", ""],
    ["Ward walkabouts", "Neighbourhood Managers", "Year 2-3", ""],
    ["Publish the annual engagement report", "Policy Officer", "Years 1, 2 and 3", ""],
    ["Refresh the toolkit", "Policy Officer", "Year 1, Year 2 and Year 3", ""],
    ["Train staff", "Head of HR", "Year 1\nYear 2", ""],
    ["Review the strategy", "Head of Policy", "By end of Year 3", ""],
]
YEAR_TARGETS = {
    "1.1": ("date", "2011-03-31", []),
    "1.2": ("date", "2013-03-31", []),
    "1.3": ("milestones", "2013-03-31", ["2011-03-31", "2012-03-31", "2013-03-31"]),
    "1.4": ("milestones", "2013-03-31", ["2011-03-31", "2012-03-31", "2013-03-31"]),
    "1.5": ("milestones", "2012-03-31", ["2011-03-31", "2012-03-31"]),
    "1.6": ("date", "2013-03-31", []),
}


def _year_targets(actions: dict[str, dict[str, Any]]) -> dict[str, tuple[str, str, list[str]]]:
    return {
        ref: (a["target_kind"], a["target_date"], a["milestones"]) for ref, a in actions.items()
    }


def test_plan_years_are_read_against_the_start_given_at_import(cli: Cli, tmp_path: Path) -> None:
    sheet = _csv(tmp_path / "plan.csv", YEARS_PLAN)
    output, actions = _imported(cli, sheet, "--starts", "2010-04")
    assert "waiting for its start date" not in output and "could not read" not in output
    assert _year_targets(actions) == YEAR_TARGETS
    assert actions["1.2"]["target_text"] == "Year 2-3"


def test_until_the_start_is_known_the_import_says_which_rows_wait_and_how_to_give_it(
    cli: Cli, tmp_path: Path
) -> None:
    output, actions = _imported(cli, _csv(tmp_path / "plan.csv", YEARS_PLAN))
    assert "Targets counted in years of the plan, waiting for its start date" in output
    assert "  1.1 (row 3): 'Year 1'" in output
    assert "  1.3 (row 5): 'Years 1, 2 and 3'" in output
    assert "  1.5 (row 7): 'Year 1 / Year 2'" in output
    assert (
        "engagebot plans set-start plan 2010-04 (or import again with --starts 2010-04)" in output
    )
    assert "Targets I could not read" not in output  # waiting is not the same as unreadable
    assert all(a["target_date"] is None for a in actions.values())
    assert actions["1.1"]["target_problem"] == "Year 1 needs the plan's start date."


def test_setting_the_start_later_gives_the_dates_and_says_what_changed(
    cli: Cli, chat_as: Chat, tmp_path: Path
) -> None:
    sheet = _csv(tmp_path / "plan.csv", YEARS_PLAN)
    _imported(cli, sheet)
    cli("people", "assign", "Engagement Manager", "--name", "Sam Patel", "--email", SAM)
    sam = chat_as(SAM)
    assert "Target: Year 1\n" in sam.send("show 1.1")  # as written, no date yet
    result = cli("plans", "set-start", "plan", "April 2010")
    assert result.exit_code == 0, result.output
    assert "plan starts in April 2010" in result.output
    assert "1.1: 'Year 1' was waiting for the plan's start, now 31 March 2011." in result.output
    assert (
        "1.2: 'Year 2-3' was waiting for the plan's start, now 1 April 2011 to 31 March 2013."
        in result.output
    )
    assert _year_targets(_actions(cli)) == YEAR_TARGETS
    assert "Target: 31 March 2011\n" in sam.send("show 1.1")
    assert "plan\t6 actions, 0 closed\tPlan (from April 2010)" in cli("plans").output
    again = cli("import", str(sheet), "--plan", "plan")  # the start is kept with the plan
    assert "waiting for its start date" not in again.output
    assert "(0 new, 0 updated, 6 unchanged)" in again.output
    assert _year_targets(_actions(cli)) == YEAR_TARGETS


def test_a_corrected_start_moves_the_dates_and_keeps_the_old_ones_in_the_history(
    cli: Cli, tmp_path: Path
) -> None:
    sheet = _csv(tmp_path / "plan.csv", YEARS_PLAN)
    _imported(cli, sheet, "--starts", "2010-04")
    output, actions = _imported(cli, sheet, "--starts", "2011/12")
    assert "The plan starts in April 2011" in output
    assert "1.1: 'Year 1' was 31 March 2011, now 31 March 2012." in output
    assert actions["1.1"]["target_date"] == "2012-03-31"
    assert actions["1.3"]["milestones"] == ["2012-03-31", "2013-03-31", "2014-03-31"]
    board = tmp_path / "board.md"
    cli("report", "--plan", "plan", "--format", "md", "--out", str(board))
    assert "31 March 2011, revised to 31 March 2012" in board.read_text(encoding="utf-8")


def test_a_date_revised_since_is_not_overwritten_by_a_start(cli: Cli, tmp_path: Path) -> None:
    rows = [row[:] for row in YEARS_PLAN]
    rows[2][3] = "Delayed – revised date 30 June 2011"
    _imported(cli, _csv(tmp_path / "plan.csv", rows))
    result = cli("plans", "set-start", "plan", "2010-04")
    assert (
        "1.1: 'Year 1' would now be 31 March 2011, but its date was revised since to "
        "30 June 2011: kept."
    ) in result.output
    actions = _actions(cli)
    assert actions["1.1"]["target_date"] == "2011-06-30"
    assert actions["1.2"]["target_date"] == "2013-03-31"


@pytest.mark.parametrize(
    ("start", "problem"),
    [("nonsense", "'nonsense' is not a start date I can read"), ("2010-13", "2010-13")],
)
def test_a_start_that_cannot_be_read_changes_nothing(
    cli: Cli, tmp_path: Path, start: str, problem: str
) -> None:
    _imported(cli, _csv(tmp_path / "plan.csv", YEARS_PLAN))
    result = cli("plans", "set-start", "plan", start)
    assert result.exit_code == 1
    assert "Nothing was changed." in result.output and problem in result.output
    assert "for example 2010-04, April 2010" in result.output
    refused = cli("import", str(tmp_path / "plan.csv"), "--plan", "plan", "--starts", start)
    assert refused.exit_code == 1 and "Nothing was imported." in refused.output
    assert all(a["target_date"] is None for a in _actions(cli).values())


def test_a_start_for_a_plan_that_does_not_exist(cli: Cli) -> None:
    result = cli("plans", "set-start", "nowhere", "2010-04")
    assert result.exit_code == 1
    assert "There is no plan called 'nowhere'" in result.output


# ---------------------------------------------------------------------------------------------
# Year labels with dates, ranges across years, starts, prose among milestones, and a sentence
# in the reference column


SHAPES_PLAN = [
    ["Ref", "Activity", "Lead", "Timescale"],
    ["Theme 1: Listening to residents"],
    ["1.1", "Publish the consultation calendar", "Policy Officer", "Year 2 – by 3rd March 2012"],
    ["1.2", "Run the budget roadshow", "Engagement Manager", "Year 1 October – January 2012"],
    ["1.3", "Hold ward walkabouts", "Neighbourhood Managers", "Year 2 May - November"],
    ["Visit every ward at least once, with a councillor.", "", "", ""],
    ["1.4", "Build the consultation portal", "Head of Communications", "October 2011 – June 2012"],
    ["Theme 2: Keeping people informed"],
    ["2.1", "Staff engagement network meetings", "Engagement Manager", "From June 2011"],
    ["2.2", "Residents' e-newsletter", "Web Manager", "Monthly, starting in July 2011"],
    [
        "2.3",
        "Annual engagement report",
        "Policy Officer",
        "By March 2012\nQuarterly\nWork with partners to agree the format",
    ],
]


def test_each_new_cell_shape_is_read_with_the_plans_start(cli: Cli, tmp_path: Path) -> None:
    output, actions = _imported(
        cli, _csv(tmp_path / "plan.csv", SHAPES_PLAN), "--starts", "2011-04"
    )
    assert "Targets I could not read" not in output
    shapes = {
        ref: (a["target_kind"], a["target_date"], a["target_start"]) for ref, a in actions.items()
    }
    assert shapes["1.1"] == ("date", "2012-03-03", None)  # the date, not the year's end
    assert shapes["1.2"] == ("date", "2012-01-31", "2011-10-01")  # a range in year 1
    assert shapes["1.3"] == ("date", "2012-11-30", "2012-05-01")  # May to November of year 2
    assert shapes["1.4"] == ("date", "2012-06-30", "2011-10-01")  # the end is the target
    assert shapes["2.1"] == ("ongoing", None, "2011-06-01")  # a start, not a deadline
    assert actions["2.2"]["target_kind"] == "recurring"
    assert actions["2.2"]["recurrence"].startswith("monthly")


def test_a_line_of_prose_among_milestones_is_left_out_and_reported(
    cli: Cli, tmp_path: Path
) -> None:
    output, actions = _imported(
        cli, _csv(tmp_path / "plan.csv", SHAPES_PLAN), "--starts", "2011-04"
    )
    report = actions["2.3"]
    assert report["target_kind"] == "recurring" and report["recurrence"].startswith("quarterly")
    assert report["milestones"] == ["2012-03-31"]
    assert report["target_text"].endswith("Work with partners to agree the format")  # as written
    assert "2.3: target read, but not a date, so left out: 'Work with partners" in output


def test_a_sentence_in_the_reference_column_carries_on_the_activity_above(
    cli: Cli, tmp_path: Path
) -> None:
    _, actions = _imported(cli, _csv(tmp_path / "plan.csv", SHAPES_PLAN), "--starts", "2011-04")
    assert set(actions) == {"1.1", "1.2", "1.3", "1.4", "2.1", "2.2", "2.3"}  # no theme made
    assert "Visit every ward at least once" in actions["1.3"]["recommendation"]
    assert actions["1.4"]["theme"] == actions["1.1"]["theme"]  # still theme 1 below it


def test_months_of_a_plan_year_wait_for_the_start_but_dated_cells_do_not(
    cli: Cli, tmp_path: Path
) -> None:
    output, actions = _imported(cli, _csv(tmp_path / "plan.csv", SHAPES_PLAN))
    assert "  1.3 (row 5): 'Year 2 May - November'" in output
    assert actions["1.3"]["target_date"] is None
    assert actions["1.1"]["target_date"] == "2012-03-03"  # its own date needs no start
    assert actions["1.2"]["target_date"] == "2012-01-31"
