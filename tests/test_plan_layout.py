"""Reading council action-plan sheets: header rows, themes, page breaks, owners, errors."""

from __future__ import annotations

import csv
import json
import re
from datetime import datetime
from pathlib import Path

import pytest
import yaml
from openpyxl import Workbook

from handlers.importing import headers
from handlers.importing.headers import HeadersError
from handlers.importing.layout import (
    Idea,
    PlanRow,
    idea_of,
    parse_map_option,
    parse_sheet,
    split_owners,
)
from handlers.importing.sheets import SheetError, read_rows
from tests.conftest import ASHFIELD, BLACKPOOL, HALTON

CEPM = "Community Engagement & Partnership Manager"
CORPORATE = "HBC Corporate and Organisational Policy Team"
HEADER = ["Ref", "Recommendation", "Agreed Action", "Responsible officer", "Target Date"]


def _csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    return path


def _xlsx(path: Path, rows: list[list[object]]) -> Path:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def _parse(path: Path, **kwargs: dict[str, Idea]) -> list[PlanRow]:
    return parse_sheet(read_rows(path), **kwargs).rows


def _as_expected(row: PlanRow) -> dict[str, object]:
    return {
        "ref": row.ref,
        "theme": row.theme,
        "recommendation": row.recommendation,
        "action": row.action,
        "owners": list(row.owners),
        "target_text": row.target,
        "priority": row.priority,
    }


# ---------------------------------------------------------------------------------------------
# The three council papers


@pytest.mark.parametrize(
    ("sheet", "count"), [(BLACKPOOL, 17), (HALTON, 21), (ASHFIELD, 7)], ids=lambda p: str(p)
)
def test_each_seed_sheet_reads_exactly_as_the_paper(sheet: Path, count: int) -> None:
    expected = json.loads(sheet.with_name(sheet.stem + ".expected.json").read_text("utf-8"))
    parsed = parse_sheet(read_rows(sheet))
    assert len(parsed.rows) == len(expected) == count
    for row, want in zip(parsed.rows, expected, strict=True):
        assert _as_expected(row) == want
    assert parsed.warnings == []


def test_seed_sheets_in_the_demo_are_the_same_files() -> None:
    demo = Path(__file__).parents[1] / "bot" / "demo_data"
    for sheet in (BLACKPOOL, HALTON, ASHFIELD):
        assert (demo / sheet.name).read_bytes() == sheet.read_bytes()


def test_blackpool_header_sits_below_its_titles_with_an_unlabelled_ref_column() -> None:
    parsed = parse_sheet(read_rows(BLACKPOOL))
    assert parsed.header_row == 3
    assert parsed.title_lines == [
        "Blackpool Council – Community Engagement Audit Action Plan",
        "APPENDIX 3(a)",
    ]
    assert parsed.columns[Idea.REF] == 0 and parsed.headers[0] == ""
    assert parsed.themes == []
    refs = [r.ref for r in parsed.rows]
    assert refs == [f"R{i}" for i in range(1, 18)]  # repeated header and APPENDIX line skipped
    assert not any(r.ref_generated for r in parsed.rows)
    r1 = parsed.rows[0]
    assert r1.priority == 1 and r1.target == "31st March 2019"
    assert r1.progress.splitlines()[0] == "Partially Complete – Revised date 31st March 2020"
    assert len(r1.progress.splitlines()) == 4
    r3 = parsed.rows[2]
    assert r3.owners == ("Director of Public Health", "Consultant in Public Health")


def test_halton_objectives_are_themes_with_their_commitments() -> None:
    parsed = parse_sheet(read_rows(HALTON))
    assert parsed.header_row == 5
    assert parsed.title_lines[0].startswith("Appendix A: HSP Community Engagement Strategy")
    assert [t.title.split(":")[0] for t in parsed.themes] == [f"Objective {i}" for i in range(1, 6)]
    first = parsed.themes[0]
    assert first.title == "Objective 1: Citizen focused local decision making"
    assert first.description.startswith("“We are committed to ensuring community")
    assert all(t.description for t in parsed.themes)
    assert [r.ref for r in parsed.rows][:5] == ["1.1", "1.2", "1.3", "1.4", "2.1"]
    assert all(r.ref_generated for r in parsed.rows)
    assert parsed.rows[-1].ref == "5.1"


def test_halton_rows_broken_over_a_page_are_joined() -> None:
    rows = {r.ref: r for r in parse_sheet(read_rows(HALTON)).rows}
    awareness = rows["1.4"]
    assert awareness.owners == (
        "HBC Community Development Team",
        "HBC Corporate and Organisational Policy Team",
    )
    assert awareness.action == (
        "Incorporated into revised toolkit\n"
        "Consultation finder or similar database rolled out across partnership"
    )
    assert "touted across the Partnership's various groups" in awareness.progress
    assert rows["2.3"].recommendation == (
        "Create and maintain database of community and representative groups in Halton"
    )
    assert rows["3.1"].progress.endswith("February 2013 for completion and return in April 2013.")
    assert rows["3.6"].recommendation.startswith("Review and revise the current Community")
    assert rows["3.6"].target == "April 2012"
    assert rows["5.1"].recommendation == (
        "All organisations to monitor and analyse comments, compliments and complaints."
    )
    assert rows["5.1"].measure.endswith("annual basis\nHealth check item")


def test_ashfield_synonym_headers() -> None:
    parsed = parse_sheet(read_rows(ASHFIELD))
    assert parsed.columns == {
        Idea.REF: 0,
        Idea.RECOMMENDATION: 1,
        Idea.ACTION: 2,
        Idea.OWNER: 3,
        Idea.TARGET: 4,
        Idea.PRIORITY: 5,
    }
    assert [r.ref for r in parsed.rows] == [str(i) for i in range(1, 8)]
    assert {r.priority for r in parsed.rows} == {1, 2, 3}


# ---------------------------------------------------------------------------------------------
# Layouts, with small sheets


def test_title_rows_and_a_repeated_header_and_empty_rows(tmp_path: Path) -> None:
    sheet = _csv(
        tmp_path / "plan.csv",
        [
            ["Somewhere Council"],
            ["Action plan 2026"],
            [],
            HEADER,
            ["R1", "Publish the register", "Agreed", "Head of Policy", "May 2027"],
            ["", "", "", "", ""],
            HEADER,
            ["R2", "Train staff", "Agreed", "Head of HR", "June 2027"],
        ],
    )
    parsed = parse_sheet(read_rows(sheet))
    assert parsed.header_row == 4
    assert parsed.title_lines == ["Somewhere Council", "Action plan 2026"]
    assert [(r.ref, r.row) for r in parsed.rows] == [("R1", 5), ("R2", 8)]


def test_refs_are_normalised_or_taken_from_the_text(tmp_path: Path) -> None:
    rows = [
        ["Recommendation", "Who?", "When?"],
        ["R7 Keep members informed", "Head of Democratic Services", "May 2027"],
        ["8. Publish findings", "Head of Policy", "June 2027"],
        ["9) Review the toolkit", "Head of Policy", "July 2027"],
        ["Set up a consultation finder", "Head of Policy", "July 2027"],
    ]
    parsed = parse_sheet(read_rows(_csv(tmp_path / "p.csv", rows)))
    got = [(r.ref, r.ref_generated, r.recommendation) for r in parsed.rows]
    assert got[:3] == [
        ("R7", False, "Keep members informed"),
        ("8", False, "Publish findings"),
        ("9", False, "Review the toolkit"),
    ]
    assert got[3][1] is True and got[3][0] not in {"R7", "8", "9"}
    labelled = [HEADER, ["r7 ", "Keep members informed", "Agreed", "Head of X", "May 2027"]]
    assert _parse(_csv(tmp_path / "q.csv", labelled))[0].ref == "R7"


def test_generated_refs_follow_theme_numbers_or_positions(tmp_path: Path) -> None:
    rows = [
        ["What?", "Who?", "When?"],
        ["Objective 3: Open engagement", "", ""],
        ["Publish results", "Head of Policy", "May 2027"],
        ["Share data", "Head of Policy", "May 2027"],
        ["My Neighbourhoods", "", ""],
        ["Hold area forums", "Head of Communities", "June 2027"],
    ]
    parsed = parse_sheet(read_rows(_csv(tmp_path / "p.csv", rows)))
    assert [t.title for t in parsed.themes] == ["Objective 3: Open engagement", "My Neighbourhoods"]
    assert [(r.ref, r.theme) for r in parsed.rows] == [
        ("3.1", "Objective 3: Open engagement"),
        ("3.2", "Objective 3: Open engagement"),
        ("2.1", "My Neighbourhoods"),
    ]
    plain = [HEADER[1:], ["Do a", "Head of A", "May 2027"], ["Do b", "Head of B", "May 2027"]]
    assert [r.ref for r in _parse(_csv(tmp_path / "q.csv", plain))] == ["1", "2"]


def test_theme_description_and_page_headings(tmp_path: Path) -> None:
    long_line = "We will make sure every resident can be heard, " * 3
    rows = [
        ["What?", "Who?", "When?"],
        ["Principles", "", ""],
        [long_line.strip(), "", ""],
        ["Listen first", "Head of Policy", "May 2027"],
        ["APPENDIX 3(a)", "", ""],
        ["Act on what we hear", "Head of Policy", "May 2027"],
    ]
    parsed = parse_sheet(read_rows(_csv(tmp_path / "p.csv", rows)))
    assert len(parsed.themes) == 1
    assert parsed.themes[0].title == "Principles"
    assert parsed.themes[0].description == long_line.strip()
    assert [r.theme for r in parsed.rows] == ["Principles", "Principles"]


def test_rows_before_any_theme_have_none(tmp_path: Path) -> None:
    rows = [
        ["What?", "Who?", "When?"],
        ["Publish results", "Head of Policy", "May 2027"],
        ["Objective 2: Reach everyone", "", ""],
        ["Map groups", "Head of Policy", "May 2027"],
    ]
    parsed = parse_sheet(read_rows(_csv(tmp_path / "p.csv", rows)))
    assert [(r.ref, r.theme) for r in parsed.rows] == [
        ("1", None),
        ("2.1", "Objective 2: Reach everyone"),
    ]


def test_a_row_split_over_a_page_break_is_joined(tmp_path: Path) -> None:
    rows = [
        ["What?", "Who?", "When?", "How?", "Progress"],
        ["Create a database of community", "HBC Policy Team/HBC", "April 2013", "Hosted", "Done."],
        ["groups in Halton", "Community Development Team", "", "", "Shared with partners."],
        ["", "", "", "on the website", ""],
        ["Next action", "Head of Policy", "May 2027", "", ""],
    ]
    parsed = parse_sheet(read_rows(_csv(tmp_path / "p.csv", rows)))
    assert len(parsed.rows) == 2
    first = parsed.rows[0]
    assert first.row == 2
    assert first.recommendation == "Create a database of community groups in Halton"
    assert first.owners == ("HBC Policy Team", "HBC Community Development Team")
    assert first.action == "Hosted on the website"
    assert first.progress == "Done.\nShared with partners."
    assert parsed.rows[1].ref == "2"


def test_a_page_split_row_across_a_repeated_header_is_still_joined(tmp_path: Path) -> None:
    header = ["What?", "Who?", "When?", "How?"]
    rows = [
        header,
        ["Review the toolkit and", "Head of Policy", "April 2012", "Item in"],
        header,
        ["promote its use", "", "", "newsletters"],
    ]
    parsed = parse_sheet(read_rows(_csv(tmp_path / "p.csv", rows)))
    assert [(r.recommendation, r.action) for r in parsed.rows] == [
        ("Review the toolkit and promote its use", "Item in newsletters")
    ]


def test_a_new_row_with_a_capital_and_a_date_is_not_a_continuation(tmp_path: Path) -> None:
    rows = [
        ["What?", "Who?", "When?"],
        ["Publish results", "Head of Policy", "May 2027"],
        ["Share data", "Head of Policy", ""],  # no date, but its own action
    ]
    parsed = parse_sheet(read_rows(_csv(tmp_path / "p.csv", rows)))
    assert [r.recommendation for r in parsed.rows] == ["Publish results", "Share data"]
    assert any("no target date" in w and "Row 3" in w for w in parsed.warnings)


def test_unknown_columns_are_kept_as_extra(tmp_path: Path) -> None:
    rows = [
        [*HEADER, "Budget", "Cost centre"],
        ["R1", "Publish", "Agreed", "Head of Policy", "May 2027", "£500", ""],
    ]
    row = _parse(_csv(tmp_path / "p.csv", rows))[0]
    assert row.extra == (("Budget", "£500"),)


def test_cell_text_is_tidied_but_keeps_its_lines(tmp_path: Path) -> None:
    rows = [HEADER, ["R1", "  Publish   the\t register  \n\n  then  tell people ", "", "X", ""]]
    row = _parse(_csv(tmp_path / "p.csv", rows))[0]
    assert row.recommendation == "Publish the register\nthen tell people"


@pytest.mark.parametrize(
    ("cell", "owners"),
    [
        (
            "Community Engagement & Partnership Manager",
            ["Community Engagement & Partnership Manager"],
        ),
        (
            "Director of Public Health and Consultant in Public Health",
            ["Director of Public Health", "Consultant in Public Health"],
        ),
        (
            "HBC Corporate and Organisational Policy Team",
            ["HBC Corporate and Organisational Policy Team"],
        ),
        (
            "HBC Community Development Team/HBC Corporate and Organisational Policy Team/YOT",
            [
                "HBC Community Development Team",
                "HBC Corporate and Organisational Policy Team",
                "YOT",
            ],
        ),
        (
            "HBC Community Development\nCommunity Practitioners Forum\nMembers’ Services",
            ["HBC Community Development", "Community Practitioners Forum", "Members’ Services"],
        ),
        ("Health and Wellbeing Manager", ["Health and Wellbeing Manager"]),
        ("Director of Place and Communities", ["Director of Place and Communities"]),
        ("Head of Legal; Head of HR", ["Head of Legal", "Head of HR"]),
        ("Head of Legal & Deputy Chief Executive", ["Head of Legal", "Deputy Chief Executive"]),
        ("Research & Intelligence", ["Research & Intelligence"]),
        ("Head of Policy / Head of Policy", ["Head of Policy"]),
        ("  Head of Policy  \n\n ", ["Head of Policy"]),
        ("", []),
        (
            "Chief Executive and the Director of Resources",
            ["Chief Executive", "the Director of Resources"],
        ),
    ],
)
def test_owner_splitting(cell: str, owners: list[str]) -> None:
    assert list(split_owners(cell)) == owners


def test_owner_spellings_differing_only_by_and_or_case_become_one_role(tmp_path: Path) -> None:
    rows = [
        ["What?", "Who?", "When?"],
        ["A", "HBC Research and Intelligence", "May 2027"],
        ["B", "HBC Research & Intelligence", "May 2027"],
        ["C", "hbc research & intelligence/HBC Marketing", "May 2027"],
    ]
    got = [r.owners for r in _parse(_csv(tmp_path / "p.csv", rows))]
    assert got == [
        ("HBC Research and Intelligence",),
        ("HBC Research and Intelligence",),
        ("HBC Research and Intelligence", "HBC Marketing"),
    ]


def test_priority_numbers_and_words(tmp_path: Path) -> None:
    rows = [["Ref", "Recommendation", "Who?", "Priority"]]
    values = ["1", "2", "3", "High", "medium", "LOW", "", "Urgent!"]
    rows += [[f"R{i}", f"Do {i}", "Head of X", v] for i, v in enumerate(values, start=1)]
    parsed = parse_sheet(read_rows(_csv(tmp_path / "p.csv", rows)))
    assert [r.priority for r in parsed.rows] == [1, 2, 3, 1, 2, 3, None, None]
    (warning,) = [w for w in parsed.warnings if "priority" in w]
    assert "Row 9" in warning and '"Urgent!"' in warning and "Priority" in warning


def test_missing_owner_or_target_is_only_a_warning(tmp_path: Path) -> None:
    rows = [HEADER, ["R1", "Publish", "Agreed", "", ""]]
    parsed = parse_sheet(read_rows(_csv(tmp_path / "p.csv", rows)))
    assert parsed.rows[0].owners == () and parsed.rows[0].target == ""
    assert len(parsed.warnings) == 2 and all("Row 2: R1" in w for w in parsed.warnings)


def test_map_overrides_say_what_a_column_holds(tmp_path: Path) -> None:
    rows = [["Thing", "Person", "Deadline"], ["Publish", "Head of Policy", "May 2027"]]
    sheet = _csv(tmp_path / "p.csv", rows)
    with pytest.raises(SheetError, match="header row"):
        parse_sheet(read_rows(sheet))
    overrides = dict(parse_map_option(o) for o in ["Thing=recommendation", "person=who"])
    parsed = parse_sheet(read_rows(sheet), overrides=overrides)
    assert parsed.columns[Idea.RECOMMENDATION] == 0 and parsed.columns[Idea.OWNER] == 1
    assert parsed.rows[0].owners == ("Head of Policy",)
    assert parsed.rows[0].target == "May 2027"


def test_an_override_beats_a_synonym(tmp_path: Path) -> None:
    rows = [[*HEADER, "Notes"], ["R1", "Publish", "Agreed", "Head of X", "May 2027", "Late"]]
    parsed = parse_sheet(
        read_rows(_csv(tmp_path / "p.csv", rows)), overrides={"NOTES": Idea.PROGRESS}
    )
    assert parsed.rows[0].progress == "Late"


@pytest.mark.parametrize(
    ("option", "expected"),
    [
        ("Who?=owner", ("Who?", Idea.OWNER)),
        ("Lead=responsible officer", ("Lead", Idea.OWNER)),
        ("Due = target date", ("Due", Idea.TARGET)),
        ("A=B=status", ("A=B", Idea.STATUS)),
    ],
)
def test_parse_map_option(option: str, expected: tuple[str, Idea]) -> None:
    assert parse_map_option(option) == expected


@pytest.mark.parametrize("option", ["Who?", "Who?=boss", "=owner"])
def test_a_bad_map_option_lists_the_ideas(option: str) -> None:
    with pytest.raises(ValueError) as err:
        parse_map_option(option)
    assert "owner" in str(err.value) and "recommendation" in str(err.value)
    assert "Who?=owner" in str(err.value)


# ---------------------------------------------------------------------------------------------
# Reading files


def test_xlsx_dates_and_numbers_read_as_a_person_sees_them(tmp_path: Path) -> None:
    sheet = _xlsx(
        tmp_path / "p.xlsx",
        [
            ["Ref", "Recommendation", "Who?", "When?", "Priority", None],
            [1.0, "Publish\r\nthe register  ", "Head of Policy", datetime(2027, 3, 31), 2, None],
            [None, None, None, None, None, None],
        ],
    )
    rows = read_rows(sheet)
    assert rows == [
        ["Ref", "Recommendation", "Who?", "When?", "Priority"],
        ["1", "Publish\nthe register", "Head of Policy", "31/03/2027", "2"],
    ]


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_csv_delimiters_are_sniffed(tmp_path: Path, delimiter: str) -> None:
    path = tmp_path / "p.csv"
    text = delimiter.join(HEADER) + "\n" + delimiter.join(["R1", "Publish", "", "X", "May"])
    path.write_text(text + "\n", encoding="utf-8")
    assert read_rows(path)[1] == ["R1", "Publish", "", "X", "May"]


def test_windows_text_is_read(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_bytes(",".join(HEADER).encode() + b"\r\nR1,Members\x92 briefing,,X,May\r\n")
    assert read_rows(path)[1][1] == "Members’ briefing"


def test_ten_thousand_rows_parse_whole(tmp_path: Path) -> None:
    rows = [HEADER] + [
        [f"R{i}", f"Recommendation {i}", "Agreed", f"Officer {i % 40} Manager", "31/03/2027"]
        for i in range(1, 10_001)
    ]
    sheet = _csv(tmp_path / "big.csv", rows)
    parsed = parse_sheet(read_rows(sheet))  # its speed is measured by bench/bench_import.py
    assert len(parsed.rows) == 10_000 and parsed.rows[-1].ref == "R10000"


# ---------------------------------------------------------------------------------------------
# Errors a person can act on


def test_an_empty_file(tmp_path: Path) -> None:
    (tmp_path / "plan.csv").write_text("", encoding="utf-8")
    with pytest.raises(SheetError, match="The file is empty"):
        read_rows(tmp_path / "plan.csv")
    (tmp_path / "blank.csv").write_text(",,\n,,\n", encoding="utf-8")
    with pytest.raises(SheetError, match="The file is empty"):
        read_rows(tmp_path / "blank.csv")
    with pytest.raises(SheetError, match="The file is empty"):
        read_rows(_xlsx(tmp_path / "blank.xlsx", []))


def test_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(SheetError, match="can't find the file"):
        read_rows(tmp_path / "nope.csv")


def test_wrong_headers_say_what_was_expected(tmp_path: Path) -> None:
    sheet = _csv(tmp_path / "shopping.csv", [["Item", "Price"], ["Milk", "1.20"]])
    with pytest.raises(SheetError) as err:
        parse_sheet(read_rows(sheet))
    message = str(err.value)
    assert "couldn't find a header row" in message
    for wanted in ("Recommendation/What?", "Responsible officer/Who?", "Target date/When?"):
        assert wanted in message
    assert '"Item", "Price"' in message and "--map" in message


@pytest.mark.parametrize(("name", "hint"), [("plan.docx", "Word document"), ("plan.xls", "older")])
def test_word_and_old_excel_files_say_save_as(tmp_path: Path, name: str, hint: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"PK\x03\x04 not really a sheet")
    with pytest.raises(SheetError) as err:
        read_rows(path)
    assert hint in str(err.value) and "save it as .xlsx or .csv" in str(err.value).lower()


def test_a_corrupt_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "plan.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"\x00garbage" * 50)
    with pytest.raises(SheetError) as err:
        read_rows(path)
    assert "plan.xlsx" in str(err.value) and "save it again as .xlsx" in str(err.value)
    path.write_bytes(b"this is not a zip file at all")
    with pytest.raises(SheetError, match="not a real .xlsx file"):
        read_rows(path)


def test_binary_garbage_named_csv(tmp_path: Path) -> None:
    path = tmp_path / "plan.csv"
    path.write_bytes(bytes(range(256)) * 4)
    with pytest.raises(SheetError, match="not a spreadsheet I can read"):
        read_rows(path)


def test_duplicate_refs_name_both_rows(tmp_path: Path) -> None:
    rows = [HEADER] + [[f"R{i}", f"Do {i}", "Agreed", "Head of X", "May 2027"] for i in range(1, 9)]
    rows.append(["r7", "A second R7", "Agreed", "Head of X", "May 2027"])
    with pytest.raises(SheetError) as err:
        parse_sheet(read_rows(_csv(tmp_path / "p.csv", rows)))
    assert err.value.row == 10 and err.value.column == "Ref"
    assert str(err.value).startswith('Row 10, column "Ref": R7 appears twice')
    assert "row 8 and on row 10" in str(err.value)


def test_a_ref_without_any_text(tmp_path: Path) -> None:
    rows = [HEADER, ["R1", "Publish", "Agreed", "X", "May"], ["R5", "", "", "Head of X", "May"]]
    with pytest.raises(SheetError) as err:
        parse_sheet(read_rows(_csv(tmp_path / "p.csv", rows)))
    assert err.value.row == 3
    assert str(err.value).startswith("Row 3: R5 has no recommendation or action text")


def test_an_override_of_a_header_not_in_the_sheet(tmp_path: Path) -> None:
    sheet = _csv(tmp_path / "p.csv", [HEADER, ["R1", "Publish", "Agreed", "X", "May"]])
    with pytest.raises(SheetError) as err:
        parse_sheet(read_rows(sheet), overrides={"Lead person": Idea.OWNER})
    message = str(err.value)
    assert '"Lead person"' in message and "not in the sheet" in message
    assert '"Responsible officer"' in message and '"Target Date"' in message
    assert message.startswith("Row 1:")


def test_sheet_error_text() -> None:
    assert str(SheetError("bad date", row=14, column="Target Date")) == (
        'Row 14, column "Target Date": bad date'
    )
    assert str(SheetError("bad", row=2)) == "Row 2: bad"
    assert str(SheetError("bad")) == "bad"
    err = SheetError("bad", row=3, column="B")
    assert (err.row, err.column, err.message) == (3, "B", "bad")


@pytest.mark.parametrize(
    ("header", "idea"),
    [
        ("What?", Idea.RECOMMENDATION),
        ("Key Activities", Idea.RECOMMENDATION),
        ("How?", Idea.ACTION),
        ("Deliverables (Output)", Idea.ACTION),
        ("Lead Officer(s)", Idea.OWNER),
        ("Who?", Idea.OWNER),
        ("Timescales", Idea.TARGET),
        ("Target date for completion", Idea.TARGET),
        ("Outcomes", Idea.MEASURE),
        ("Progress (Nov 2012)", Idea.PROGRESS),
        ("RAG", Idea.STATUS),
        ("Rec. No", Idea.REF),
        ("#", Idea.REF),
        ("Number of people", None),
        ("Budget", None),
    ],
)
def test_headers_are_matched_by_meaning(header: str, idea: Idea | None) -> None:
    assert idea_of(header) is idea


# ---------------------------------------------------------------------------------------------
# The header vocabulary (headers.yaml)

README = Path(__file__).parents[1] / "docs" / "admins.md"


def _readme_ideas() -> dict[str, list[str]]:
    """The README's "idea | headers understood" table: each idea's example headers."""
    text = README.read_text(encoding="utf-8")
    table = text[text.index("| idea | headers understood |") :].split("\n\n")[0]
    ideas: dict[str, list[str]] = {}
    for line in table.splitlines()[2:]:
        idea, examples = (cell.strip() for cell in line.strip().strip("|").split("|"))
        examples = re.sub(r" \([^)]* [^)]*\)", "", examples)  # "(1 high … 3 low)", not "(Output)"
        ideas[idea] = examples.split(", ")
    return ideas


def test_header_vocabulary_loads_with_every_idea_in_the_readme() -> None:
    loaded = headers.vocabulary()
    assert headers.vocabulary() is loaded  # read once
    names = [entry.name for entry in loaded.ideas]
    assert names == list(Idea)
    assert all(entry.description and entry.headers for entry in loaded.ideas)
    readme = _readme_ideas()
    assert list(readme) == [i.value for i in Idea]
    for idea, examples in readme.items():
        for example in examples:
            assert idea_of(example) is Idea(idea), (idea, example)


def _vocabulary_file(tmp_path: Path, change: str) -> Path:
    data = yaml.safe_load(headers.PATH.read_text(encoding="utf-8"))
    entries = {entry["name"]: entry for entry in data["ideas"]}
    if change == "missing name":
        del entries["action"]["name"]
    elif change == "header under two ideas":
        entries["target"]["headers"].append("who")
    elif change == "unknown key":
        entries["status"]["synonyms"] = ["rag"]
    elif change == "unquoted no":
        entries["ref"]["headers"].append(False)
    elif change == "header not normalised":
        entries["owner"]["headers"].append("Lead Officer(s)")
    elif change == "idea missing":
        data["ideas"].remove(entries["measure"])
    path = tmp_path / "headers.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("missing name", 'idea 3 (no name): "name" is missing'),
        (
            "header under two ideas",
            'header "who" is listed under both "owner" and "target": a header can mean one idea '
            "only",
        ),
        (
            "unknown key",
            'idea "status": unknown key "synonyms" (known keys: name, description, headers, '
            "whole_header_only)",
        ),
        ("unquoted no", 'idea "ref": headers item 16: Input should be a valid string (YAML reads'),
        (
            "header not normalised",
            'idea "owner": headers: header "Lead Officer(s)" would never match: write it as '
            '"lead officer s"',
        ),
        ("idea missing", "ideas missing: measure (every idea needs an entry)"),
    ],
)
def test_a_bad_header_vocabulary_names_the_idea_and_the_fault(
    tmp_path: Path, change: str, message: str
) -> None:
    path = _vocabulary_file(tmp_path, change)
    with pytest.raises(HeadersError) as caught:
        headers.load(path)
    assert str(caught.value).startswith(f"{path}: ")
    assert message in str(caught.value)
