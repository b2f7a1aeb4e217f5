"""Fuzzing the two parsers people's words go through: target cells and replies to reminders.

Whatever is typed, each parser answers (no exception), keeps the words as written, never
invents a date it was not given in a form it can stand behind, and refers only to the actions
it was offered.
"""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from handlers.importing.target_cells import read_target
from handlers.language.replies import Candidate, parse_reply
from handlers.language.targets import KINDS, parse_date_answer, parse_target
from tests.reliability.strategies import phrase, reply_text
from tests.reliability.tally import TALLY

TODAY = date(2026, 11, 23)
days = st.integers(min_value=-3650, max_value=3650).map(lambda n: TODAY + timedelta(days=n))
REFS = ["R1", "R2", "R10", "1.3", "A4", "2.1.1"]
TEXTS = [
    "Publish the engagement strategy",
    "Set up the consultation register",
    "Train staff in engagement",
    "Review the Infusion costs",
    "Map community assets",
    "Brief councillors",
]


@given(text=phrase(), today=days, plan_start=st.none() | days)
def test_any_target_cell_is_read_or_kept_as_written(
    text: str, today: date, plan_start: date | None
) -> None:
    with TALLY.attempt("fuzz: target parser"):
        target = parse_target(text, today=today, plan_start=plan_start)
        assert target.kind in KINDS
        assert target.text == text.strip()  # the original words are always kept
        assert target.describe()
        if target.kind == "date":
            assert target.due is not None
            assert target.start is None or target.start <= target.due
        if target.kind == "milestones":
            assert target.milestones and target.due == target.milestones[-1]
            assert list(target.milestones) == sorted(target.milestones)
        if target.kind == "unclear":
            assert target.due is None and target.problem  # reported, never guessed


_PLAN_YEARS = st.sampled_from(
    ["Year", "Years", "Yr", "year", "By end of Year", "Years 1,", "Year 2 and"]
).flatmap(
    lambda lead: st.from_regex(r"\A ?[0-9]{1,2}( ?(-|,|and|&|to) ?[0-9]{1,2}){0,3}\Z").map(
        lambda rest: lead + rest
    )
)
_CELL_LINES = st.lists(st.one_of(phrase(5), _PLAN_YEARS), min_size=1, max_size=4)


@given(lines=_CELL_LINES, today=days, plan_start=st.none() | days)
def test_any_plan_cell_of_several_lines_is_read_or_kept_as_written(
    lines: list[str], today: date, plan_start: date | None
) -> None:
    text = "\n".join(lines)
    with TALLY.attempt("fuzz: target parser"):
        target = read_target(text, today=today, plan_start=plan_start)
        assert target.kind in KINDS
        assert target.text == text.strip()
        assert target.describe()
        assert list(target.milestones) == sorted(target.milestones)
        if target.kind == "recurring":
            assert target.recurrence is not None and target.due is not None
        if target.kind == "milestones":
            assert target.milestones and target.due == target.milestones[-1]
        if target.kind == "unclear":
            assert target.due is None and target.problem


@given(text=phrase(), today=days)
def test_any_date_typed_in_chat_is_a_day_or_a_helpful_problem(text: str, today: date) -> None:
    with TALLY.attempt("fuzz: target parser"):
        answer = parse_date_answer(text, today=today)
        assert (answer.day is None) != (answer.problem is None)
        if answer.problem is not None:
            assert answer.problem.strip() and "Traceback" not in answer.problem


@given(data=st.data(), today=days)
def test_any_reply_to_a_reminder_is_understood_or_asked_about(
    data: st.DataObject, today: date
) -> None:
    count = data.draw(st.integers(min_value=1, max_value=len(REFS)), label="actions")
    candidates = [Candidate(ref, text) for ref, text in zip(REFS[:count], TEXTS, strict=False)]
    text = data.draw(reply_text(REFS[:count]), label="reply")
    with TALLY.attempt("fuzz: reply parser"):
        parsed = parse_reply(text, candidates, today=today)
        offered = {c.ref for c in candidates}
        assert parsed.ref is None or parsed.ref in offered
        assert set(parsed.refs_mentioned) <= offered
        assert parsed.note == parsed.note.strip() or parsed.note in text
        if parsed.new_date is not None:
            assert parsed.date_problem is None
            assert parsed.date_in_past == (parsed.new_date < today)
        if parsed.date_problem is not None:
            assert parsed.new_date is None and parsed.date_problem.strip()
