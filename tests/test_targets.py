"""Target-date cells as councils write them, and dates typed in chat."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from handlers.language.targets import (
    Recurrence,
    Target,
    format_date,
    parse_date_answer,
    parse_target,
)

TODAY = date(2026, 11, 23)  # a Monday
D = date

# (text, kind, due, other fields to check)
CASES: list[tuple[str, str, date | None, dict[str, Any]]] = [
    # Real cells from council plans.
    ("31st March 2019", "date", D(2019, 3, 31), {}),
    ("30th September 2019", "date", D(2019, 9, 30), {}),
    ("30th November 2019", "date", D(2019, 11, 30), {}),
    ("Continuous", "ongoing", None, {}),
    ("April 2013", "date", D(2013, 4, 30), {}),
    ("April 2012", "date", D(2012, 4, 30), {}),
    ("Annually in April", "recurring", D(2027, 4, 30), {"recurrence": Recurrence("yearly", 4)}),
    ("December 2011", "date", D(2011, 12, 31), {}),
    ("December 2013", "date", D(2013, 12, 31), {}),
    ("December 2012", "date", D(2012, 12, 31), {}),
    ("On going", "ongoing", None, {}),
    ("December 2014", "date", D(2014, 12, 31), {}),
    ("Annually", "recurring", D(2027, 3, 31), {"recurrence": Recurrence("yearly")}),
    ("01 July – 30 August 2020", "date", D(2020, 8, 30), {"start": D(2020, 7, 1)}),
    ("01 July - 30 September 2020", "date", D(2020, 9, 30), {"start": D(2020, 7, 1)}),
    ("01 October – 31 March 2021", "date", D(2021, 3, 31), {"start": D(2020, 10, 1)}),
    ("Year 1", "unclear", None, {"problem": "Year 1 needs the plan's start date."}),
    (
        "Quarterly, starting in May 2010",
        "recurring",
        D(2026, 11, 30),
        {"recurrence": Recurrence("quarterly", starting=D(2010, 5, 31))},
    ),
    ("Autumn 2021", "date", D(2021, 11, 30), {}),
    (
        "June 2020 and October 2020",
        "milestones",
        D(2020, 10, 31),
        {"milestones": (D(2020, 6, 30), D(2020, 10, 31))},
    ),
    ("End of April/early May 2013", "date", D(2013, 5, 10), {"start": D(2013, 4, 30)}),
    (
        "March / April / May 2020",
        "milestones",
        D(2020, 5, 31),
        {"milestones": (D(2020, 3, 31), D(2020, 4, 30), D(2020, 5, 31))},
    ),
    ("31 st March 2020", "date", D(2020, 3, 31), {}),
    ("31 Mar 2020", "date", D(2020, 3, 31), {}),
    # Exact days.
    ("31/03/2027", "date", D(2027, 3, 31), {}),
    ("3/4/27", "date", D(2027, 4, 3), {}),
    ("03.04.2027", "date", D(2027, 4, 3), {}),
    ("2027-03-31", "date", D(2027, 3, 31), {}),
    ("March 31, 2027", "date", D(2027, 3, 31), {}),
    ("Tuesday 31 March 2026", "date", D(2026, 3, 31), {}),
    ("1st of April 2027", "date", D(2027, 4, 1), {}),
    ("31-Mar-2027", "date", D(2027, 3, 31), {}),
    ("2027-03-31 00:00:00", "date", D(2027, 3, 31), {}),
    ("Dec-2027", "date", D(2027, 12, 31), {}),
    ("Mar-27", "unclear", None, {}),
    ("31 March", "date", D(2027, 3, 31), {}),
    ("  31  MARCH   2027. ", "date", D(2027, 3, 31), {}),
    ("31 March\n2027", "date", D(2027, 3, 31), {}),
    ("31/02/2027", "unclear", None, {}),
    ("Monday 31 March 2026", "unclear", None, {}),
    # Months, parts of months and years.
    ("Feb 2028", "date", D(2028, 2, 29), {}),
    ("Sept 2027", "date", D(2027, 9, 30), {}),
    ("April", "date", D(2027, 4, 30), {}),
    ("by March", "date", D(2027, 3, 31), {}),
    ("November", "date", D(2026, 11, 30), {}),
    ("end of March 2027", "date", D(2027, 3, 31), {}),
    ("by the end of March", "date", D(2027, 3, 31), {}),
    ("mid-March 2027", "date", D(2027, 3, 15), {}),
    ("early May 2027", "date", D(2027, 5, 10), {}),
    ("late May 2027", "date", D(2027, 5, 31), {}),
    ("early 2027", "date", D(2027, 4, 30), {}),
    ("mid 2027", "date", D(2027, 6, 30), {}),
    ("late 2027", "date", D(2027, 12, 31), {}),
    ("end of 2027", "date", D(2027, 12, 31), {}),
    ("2015", "date", D(2015, 12, 31), {}),
    ("by 2015", "date", D(2015, 12, 31), {}),
    # Quarters, seasons, festivals, financial years.
    # A quarter with one year could count from January or April: reported, never guessed.
    ("Q1 2027", "unclear", None, {}),
    ("Q3 2026/27", "date", D(2026, 12, 31), {}),
    ("quarter 2 2027", "unclear", None, {}),
    ("quarter 2 2027/28", "date", D(2027, 9, 30), {}),
    ("Q4 2026/27", "date", D(2027, 3, 31), {}),
    ("Q3", "unclear", None, {}),
    ("Spring 2027", "date", D(2027, 5, 31), {}),
    ("Summer 2027", "date", D(2027, 8, 31), {}),
    ("Winter 2026", "date", D(2027, 2, 28), {}),
    ("Winter 2027", "date", D(2028, 2, 29), {}),
    ("late summer 2027", "date", D(2027, 8, 31), {}),
    ("by Christmas", "date", D(2026, 12, 25), {}),
    ("Christmas 2027", "date", D(2027, 12, 25), {}),
    ("Easter 2027", "date", D(2027, 3, 28), {}),
    ("2026/27", "date", D(2027, 3, 31), {}),
    ("2026-27", "date", D(2027, 3, 31), {}),
    ("FY 2026/27", "date", D(2027, 3, 31), {}),
    ("financial year 2026/2027", "date", D(2027, 3, 31), {}),
    ("by end of 2026/27", "date", D(2027, 3, 31), {}),
    ("Target: 31/03/2027", "date", D(2027, 3, 31), {}),
    ("no later than 31 March 2027", "date", D(2027, 3, 31), {}),
    ("completed by June 2027", "date", D(2027, 6, 30), {}),
    # Ranges.
    ("July-September 2020", "date", D(2020, 9, 30), {"start": D(2020, 7, 1)}),
    ("1 July to 30 August 2020", "date", D(2020, 8, 30), {"start": D(2020, 7, 1)}),
    ("2026-2028", "date", D(2028, 12, 31), {"start": D(2026, 1, 1)}),
    ("1-10 May 2027", "date", D(2027, 5, 10), {"start": D(2027, 5, 1)}),
    ("30 August 2020 - 01 July 2020", "unclear", None, {}),
    ("from 1 July to 30 August 2020", "date", D(2020, 8, 30), {"start": D(2020, 7, 1)}),
    ("between May and June 2027", "date", D(2027, 6, 30), {"start": D(2027, 5, 1)}),
    ("April or May 2027", "date", D(2027, 5, 31), {"start": D(2027, 4, 1)}),
    ("Winter 2026/27", "date", D(2027, 2, 28), {}),
    ("30 February", "unclear", None, {}),
    ("31/03/2207", "unclear", None, {}),
    ("Q4 FY 2026", "unclear", None, {}),
    # Recurring.
    ("Annually - April", "recurring", D(2027, 4, 30), {"recurrence": Recurrence("yearly", 4)}),
    ("Every April", "recurring", D(2027, 4, 30), {"recurrence": Recurrence("yearly", 4)}),
    ("Each year in April", "recurring", D(2027, 4, 30), {"recurrence": Recurrence("yearly", 4)}),
    ("Quarterly", "recurring", D(2026, 12, 31), {"recurrence": Recurrence("quarterly")}),
    ("Monthly", "recurring", D(2026, 11, 30), {"recurrence": Recurrence("monthly")}),
    ("Weekly", "recurring", D(2026, 11, 27), {"recurrence": Recurrence("weekly")}),
    ("Bi-annually", "recurring", D(2027, 3, 31), {"recurrence": Recurrence("half-yearly")}),
    ("Twice a year", "recurring", D(2027, 3, 31), {"recurrence": Recurrence("half-yearly")}),
    ("six-monthly", "recurring", D(2027, 3, 31), {"recurrence": Recurrence("half-yearly")}),
    ("Fortnightly", "unclear", None, {}),
    ("Annually from 2027", "unclear", None, {}),  # which month? not guessed
    (
        "Annually in April 2027",
        "recurring",
        D(2027, 4, 30),
        {"recurrence": Recurrence("yearly", 4, D(2027, 4, 30))},
    ),
    (
        "Quarterly in June",
        "recurring",
        D(2026, 12, 31),
        {"recurrence": Recurrence("quarterly", 6)},
    ),
    # Ongoing.
    ("Ongoing", "ongoing", None, {}),
    ("On-going.", "ongoing", None, {}),
    ("Continual", "ongoing", None, {}),
    ("Business as usual", "ongoing", None, {}),
    ("BAU", "ongoing", None, {}),
    ("As required", "ongoing", None, {}),
    ("As and when", "ongoing", None, {}),
    # Milestones.
    (
        "June, July and August 2027",
        "milestones",
        D(2027, 8, 31),
        {"milestones": (D(2027, 6, 30), D(2027, 7, 31), D(2027, 8, 31))},
    ),
    (
        "31/03/2027; 30/06/2027",
        "milestones",
        D(2027, 6, 30),
        {"milestones": (D(2027, 3, 31), D(2027, 6, 30))},
    ),
    (
        "June 2020\nOctober 2020",
        "milestones",
        D(2020, 10, 31),
        {"milestones": (D(2020, 6, 30), D(2020, 10, 31))},
    ),
    # Nothing.
    ("", "none", None, {}),
    ("-", "none", None, {}),
    ("—", "none", None, {}),
    ("n/a", "none", None, {}),
    ("N/A", "none", None, {}),
    ("none", "none", None, {}),
    ("TBC", "none", None, {"problem": "to be confirmed"}),
    ("TBA", "none", None, {"problem": "to be confirmed"}),
    ("To be confirmed", "none", None, {"problem": "to be confirmed"}),
    # Not understood.
    ("when funding allows", "unclear", None, {}),
    ("asdf", "unclear", None, {}),
    ("next Friday", "unclear", None, {}),
]

GARBAGE = [
    "asdf",
    "to",
    "soon",
    "when funding allows",
    "tomorrowish",
    "as soon as possible",
    "subject to funding",
    "Phase 2",
    "see above",
    "March madness",
    "may be later",
    "42",
    "31/31/31",
    "Q5 2027",
    "Annually, subject to funding",
    "1 2026/27",
    "Quarterly updates to Cabinet",
]


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    parse_target.cache_clear()


@pytest.mark.parametrize(("text", "kind", "due", "extra"), CASES, ids=[c[0] for c in CASES])
def test_target_cells(text: str, kind: str, due: date | None, extra: dict[str, Any]) -> None:
    target = parse_target(text, today=TODAY)
    assert target.text == text.strip()
    assert (target.kind, target.due) == (kind, due), target.problem
    for name, value in extra.items():
        assert getattr(target, name) == value
    if "start" not in extra:
        assert target.start is None
    if kind == "milestones":
        assert target.due == target.milestones[-1]


def test_there_are_plenty_of_cases() -> None:
    assert len(CASES) >= 75


@pytest.mark.parametrize("text", [c[0] for c in CASES] + GARBAGE)
def test_unclear_always_says_why_and_has_no_date(text: str) -> None:
    target = parse_target(text, today=TODAY)
    if target.kind == "unclear":
        assert target.problem
        assert target.due is None and target.start is None and target.recurrence is None


@pytest.mark.parametrize("text", GARBAGE)
def test_garbage_never_becomes_a_date(text: str) -> None:
    target = parse_target(text, today=TODAY)
    assert target.kind == "unclear"
    assert target.due is None


def test_unclear_problem_quotes_the_text() -> None:
    target = parse_target("when funding allows", today=TODAY)
    assert target.problem == 'I couldn\'t read "when funding allows" as a date.'


def test_impossible_day_is_never_rolled_over() -> None:
    target = parse_target("31/02/2027", today=TODAY)
    assert target.problem == "31/02/2027 is not a real date (February has 28 days in 2027)."
    assert parse_target("31 April 2027", today=TODAY).problem == (
        "31 April 2027 is not a real date (April has 30 days)."
    )


def test_self_contradictory_weekday_is_reported() -> None:
    target = parse_target("Monday 31 March 2026", today=TODAY)
    assert target.problem == "31 March 2026 is a Tuesday, not a Monday."


def test_plan_years_count_from_the_plan_start() -> None:
    plan_start = date(2020, 4, 1)
    year_1 = parse_target("Year 1", today=TODAY, plan_start=plan_start)
    assert (year_1.kind, year_1.due) == ("date", date(2021, 3, 31))
    years = parse_target("Year 1-2", today=TODAY, plan_start=plan_start)
    assert (years.start, years.due) == (plan_start, date(2022, 3, 31))
    assert parse_target("Year 3", today=TODAY, plan_start=plan_start).due == date(2023, 3, 31)


def test_plan_years_take_number_words_up_to_ten() -> None:
    # NUMBER_WORDS is shared with replies, which already knew six to eight ("in six weeks").
    plan_start = date(2020, 4, 1)
    assert parse_target("Year six", today=TODAY, plan_start=plan_start).due == date(2026, 3, 31)
    years = parse_target("Years nine to ten", today=TODAY, plan_start=plan_start)
    assert (years.start, years.due) == (date(2028, 4, 1), date(2030, 3, 31))


# Words targets.py took from the vocabulary it now shares with replies.py.
SHARED_WORDS = [
    # any completion word before "by", not just "complete(d) by"
    ("Done by 31 March 2027", D(2027, 3, 31)),
    ("Finished by March 2027", D(2027, 3, 31)),
    ("To be delivered by end of March 2027", D(2027, 3, 31)),
    ("Signed-off by 31/03/2027", D(2027, 3, 31)),
    ("Published by Q4 2026/27", D(2027, 3, 31)),
    # every target noun as a label
    ("Dates: 31/03/2027", D(2027, 3, 31)),
    ("Timescale: March 2027", D(2027, 3, 31)),
    # every spelling of financial year, in every place one is read
    ("Fin year end", D(2027, 3, 31)),
    ("F/Y end", D(2027, 3, 31)),
    ("This FY", D(2027, 3, 31)),
    ("the fin year", D(2027, 3, 31)),
]


@pytest.mark.parametrize(("text", "due"), SHARED_WORDS, ids=[c[0] for c in SHARED_WORDS])
def test_shared_vocabulary_in_target_cells(text: str, due: date) -> None:
    target = parse_target(text, today=TODAY)
    assert (target.kind, target.due) == ("date", due), target.problem


def test_quarter_of_a_fin_year_needs_the_year_written_out() -> None:
    problem = parse_target("Q4 fin year 2026", today=TODAY).problem
    assert problem == "Q4 FIN YEAR 2026 is ambiguous: write the financial year as 2026/27."


def test_recurring_due_follows_today() -> None:
    assert parse_target("Annually in April", today=date(2027, 5, 1)).due == date(2028, 4, 30)
    assert parse_target("Annually in April", today=date(2027, 4, 30)).due == date(2027, 4, 30)


def test_parse_target_is_cached() -> None:
    first = parse_target("31/03/2027", today=TODAY)
    assert parse_target("31/03/2027", today=TODAY) is first
    assert parse_target.cache_info().hits == 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("31/03/2027", "31 March 2027"),
        ("01 July – 30 August 2020", "1 July 2020 to 30 August 2020"),
        ("Annually in April", "every year in April (next 30 April 2027)"),
        ("Quarterly, starting in May 2010", "every quarter from May 2010 (next 30 November 2026)"),
        ("Ongoing", "ongoing"),
        ("June 2020 and October 2020", "milestones 30 June 2020, 31 October 2020"),
        ("n/a", "no target date"),
        ("TBC", "no target date (to be confirmed)"),
        ("asdf", 'not understood: I couldn\'t read "asdf" as a date.'),
    ],
)
def test_target_describe(text: str, expected: str) -> None:
    assert parse_target(text, today=TODAY).describe() == expected


def test_target_is_frozen_and_hashable() -> None:
    target = parse_target("Annually in April", today=TODAY)
    assert isinstance(target, Target)
    assert hash(target) == hash(parse_target("Annually in April", today=TODAY))
    with pytest.raises(AttributeError):
        target.kind = "date"  # type: ignore[misc]


# ---------------------------------------------------------------------------------------------
# Dates typed in chat


@pytest.mark.parametrize(
    ("text", "day", "confirm"),
    [
        ("next Friday", D(2026, 11, 27), True),
        ("Friday", D(2026, 11, 27), True),
        ("Friday week", D(2026, 12, 4), True),
        ("tomorrow", D(2026, 11, 24), True),
        ("in 2 weeks", D(2026, 12, 7), True),
        ("in two weeks", D(2026, 12, 7), True),
        ("end of March", D(2027, 3, 31), False),
        ("03/04/2027", D(2027, 4, 3), False),
        ("31 March 2027", D(2027, 3, 31), False),
        ("April", D(2027, 4, 30), False),
        ("Q3 2026/27", D(2026, 12, 31), False),
        ("Spring 2027", D(2027, 5, 31), False),
        ("by Christmas", D(2026, 12, 25), False),
        ("2026/27", D(2027, 3, 31), False),
        ("31/03/2019", D(2019, 3, 31), False),  # past dates are the caller's business
    ],
)
def test_date_answers(text: str, day: date, confirm: bool) -> None:
    answer = parse_date_answer(text, today=TODAY)
    assert (answer.day, answer.needs_confirmation, answer.problem) == (day, confirm, None)
    assert answer.text == text


def test_date_answer_impossible_day() -> None:
    answer = parse_date_answer("31/02/2027", today=TODAY)
    assert answer.day is None
    assert answer.problem is not None and "not a real date" in answer.problem


def test_date_answer_unreadable() -> None:
    answer = parse_date_answer("blah", today=TODAY)
    assert answer.day is None
    assert answer.problem == (
        'I couldn\'t read "blah" as a date. Try something like 31/03/2027 or end of March.'
    )


@pytest.mark.parametrize(
    "text", ["Annually in April", "Ongoing", "June 2020 and October 2020", "1-10 May 2027"]
)
def test_date_answer_needs_one_date(text: str) -> None:
    answer = parse_date_answer(text, today=TODAY)
    assert answer.day is None
    assert answer.problem is not None and "one date" in answer.problem


@pytest.mark.parametrize("text", ["", "n/a", "tomorrowish", "soon", "to"])
def test_date_answer_refuses_non_dates(text: str) -> None:
    answer = parse_date_answer(text, today=TODAY)
    assert answer.day is None and answer.problem


# ---------------------------------------------------------------------------------------------
# Recurrence


@pytest.mark.parametrize(
    "recurrence",
    [
        Recurrence("yearly", 4),
        Recurrence("yearly"),
        Recurrence("quarterly", starting=D(2010, 5, 31)),
        Recurrence("half-yearly", 9),
        Recurrence("monthly"),
        Recurrence("weekly", starting=D(2026, 12, 2)),
    ],
)
def test_recurrence_text_round_trip(recurrence: Recurrence) -> None:
    assert Recurrence.from_text(recurrence.to_text()) == recurrence


def test_recurrence_storage_form() -> None:
    assert Recurrence("yearly", 4).to_text() == "yearly;4;"
    assert Recurrence("quarterly", starting=D(2010, 5, 31)).to_text() == "quarterly;;2010-05-31"
    with pytest.raises(ValueError):
        Recurrence.from_text("fortnightly;;")


@pytest.mark.parametrize(
    ("recurrence", "today", "due"),
    [
        (Recurrence("yearly", 4), TODAY, D(2027, 4, 30)),
        (Recurrence("yearly", 4), D(2027, 4, 30), D(2027, 4, 30)),
        (Recurrence("yearly", 11), TODAY, D(2026, 11, 30)),
        (Recurrence("yearly"), TODAY, D(2027, 3, 31)),
        (Recurrence("quarterly"), TODAY, D(2026, 12, 31)),
        (Recurrence("quarterly", starting=D(2010, 5, 31)), TODAY, D(2026, 11, 30)),
        (Recurrence("quarterly", starting=D(2027, 5, 31)), TODAY, D(2027, 5, 31)),
        (Recurrence("half-yearly"), D(2027, 4, 1), D(2027, 9, 30)),
        (Recurrence("monthly"), TODAY, D(2026, 11, 30)),
        (Recurrence("monthly"), D(2026, 12, 1), D(2026, 12, 31)),
        (Recurrence("weekly"), TODAY, D(2026, 11, 27)),
        (Recurrence("weekly"), D(2026, 11, 27), D(2026, 11, 27)),
        (Recurrence("weekly", starting=D(2026, 12, 2)), TODAY, D(2026, 12, 2)),
        (Recurrence("weekly", starting=D(2026, 11, 2)), TODAY, D(2026, 11, 23)),
    ],
)
def test_recurrence_next_due(recurrence: Recurrence, today: date, due: date) -> None:
    assert recurrence.next_due(today) == due


def test_recurrence_occurrences() -> None:
    quarterly = Recurrence("quarterly", starting=D(2010, 5, 31))
    assert quarterly.occurrences(D(2026, 1, 1), D(2026, 12, 31)) == [
        D(2026, 2, 28),
        D(2026, 5, 31),
        D(2026, 8, 31),
        D(2026, 11, 30),
    ]
    assert Recurrence("yearly", 4).occurrences(D(2026, 5, 1), D(2028, 4, 30)) == [
        D(2027, 4, 30),
        D(2028, 4, 30),
    ]
    assert Recurrence("monthly").occurrences(D(2028, 1, 31), D(2028, 3, 30)) == [
        D(2028, 1, 31),
        D(2028, 2, 29),
    ]
    weekly = Recurrence("weekly").occurrences(TODAY, D(2026, 12, 11))
    assert weekly == [D(2026, 11, 27), D(2026, 12, 4), D(2026, 12, 11)]
    assert Recurrence("quarterly", starting=D(2027, 5, 31)).occurrences(TODAY, D(2027, 1, 1)) == []


@pytest.mark.parametrize(
    ("recurrence", "text"),
    [
        (Recurrence("yearly", 4), "every year in April"),
        (Recurrence("quarterly", starting=D(2010, 5, 31)), "every quarter from May 2010"),
        (Recurrence("monthly"), "every month"),
        (Recurrence("weekly"), "every week"),
        (Recurrence("yearly"), "every year"),
        (Recurrence("half-yearly"), "every six months"),
        (Recurrence("half-yearly", 9), "every six months in March and September"),
        (Recurrence("quarterly", 5), "every quarter (February, May, August, November)"),
        (Recurrence("yearly", 4, D(2027, 4, 30)), "every year in April from 2027"),
        (
            Recurrence("weekly", starting=D(2026, 12, 2)),
            "every week on Wednesdays from 2 December 2026",
        ),
    ],
)
def test_recurrence_describe(recurrence: Recurrence, text: str) -> None:
    assert recurrence.describe() == text


# ---------------------------------------------------------------------------------------------
# Odds and ends


def test_format_date() -> None:
    assert format_date(D(2027, 3, 31)) == "31 March 2027"
    assert format_date(D(2027, 4, 3)) == "3 April 2027"


def test_importing_targets_does_not_import_dateparser() -> None:
    code = "import sys, handlers.language.targets; print('dateparser' in sys.modules)"
    root = Path(__file__).resolve().parents[1]
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


def test_regex_cells_do_not_import_dateparser() -> None:
    code = (
        "import sys; from datetime import date; "
        "from handlers.language.targets import parse_target; "
        "[parse_target(t, today=date(2026, 11, 23)) for t in "
        "['31/03/2027', 'April 2013', 'Annually in April', 'Ongoing', 'asdf', 'soon']]; "
        "print('dateparser' in sys.modules)"
    )
    root = Path(__file__).resolve().parents[1]
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


def test_a_quarter_without_its_financial_year_is_reported_with_a_safe_example() -> None:
    # The examples must not be traps: a quarter already past, or one counted from January.
    bare = parse_target("Q1", today=date(2026, 11, 23))
    assert bare.kind == "unclear" and "Q1 2027/28" in (bare.problem or "")
    one_year = parse_target("Q1 2027", today=date(2026, 11, 23))
    assert one_year.problem == (
        "Q1 2027 could end on 31 March 2027 (quarters from January) or 30 June 2027 (the "
        "council's financial quarters, from April): write Q1 2027/28 or a date."
    )
