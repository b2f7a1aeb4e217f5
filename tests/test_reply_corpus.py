"""Officers' replies to reminders, read as a careful colleague would read them.

The table is tests/fixtures/reply_corpus.yaml and tests/fixtures/reply_batches/: hundreds of
replies written from the progress columns of real council plans, and later batches written
blind, each with its expected reading (see tests/reply_corpus.py for how a reading is scored).
No reply may be read wrongly with confidence; anything unclear is asked about, offering what
the reply says. The stories at the end are the issue's hard cases answered in the console chat.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from typer.testing import Result

from bot.channels.console import ConsoleChannel
from handlers.chat.context import AppContext
from handlers.importing.importer import import_file
from handlers.language.replies import Candidate
from handlers.plans.people import assign
from models.db import transaction
from models.tables import Status
from tests.conftest import SAM, Chat
from tests.reply_corpus import NONE, Expected, Row, Verdict, load, score, tally

ALL_ROWS = load()
# Batches added at their first score, before the reader is changed for them.
NOT_YET_READ: frozenset[int] = frozenset(set(range(11, 53)))
ROWS = [row for row in ALL_ROWS if row.batch not in NOT_YET_READ]


# Rows of the blind batches still read wrong with confidence, each with why it is left.
KNOWN_WRONG: dict[int, str] = {}


def _marked(row: Row) -> object:
    if row.number in KNOWN_WRONG:
        why = KNOWN_WRONG[row.number]
        return pytest.param(row, marks=pytest.mark.xfail(reason=why, strict=True))
    return row


@pytest.mark.parametrize("row", [_marked(r) for r in ALL_ROWS], ids=[r.label for r in ALL_ROWS])
def test_no_reply_is_read_wrongly_with_confidence(row: Row) -> None:
    result = score(row)
    assert result.verdict is not Verdict.WRONG, f"{row.reply!r}: {result.why}"


def test_the_corpus_is_read_right_or_rightly_asked() -> None:
    counts = {verdict: len(rows) for verdict, rows in tally(ROWS).items()}
    assert len(ROWS) >= 300
    assert counts[Verdict.WRONG] == 0
    assert (counts[Verdict.READ] + counts[Verdict.ASKED]) / len(ROWS) >= 0.97, counts


def test_the_corpus_has_every_kind_of_reply() -> None:
    """Several actions at once, other todays, every status and 'ask' among the readings."""
    several = [row for row in ROWS if not row.which]
    assert len(several) >= 20
    assert len({row.today for row in ROWS}) >= 4
    statuses = {s for row in ROWS for want in row.expected.values() for s in want.statuses}
    assert len(statuses) == 8  # six statuses, keep and ask


def _row(reply: str, *, which: str) -> Row:
    """A reply to a reminder about two actions, expected to be news of `which` alone, done."""
    today = date(2026, 11, 23)
    candidates = (
        Candidate("T1", "Produce the engagement strategy", Status.IN_PROGRESS, today),
        Candidate("T4", "Flow charts to help officers decide", Status.IN_PROGRESS, today),
    )
    done = Expected(frozenset({Status.COMPLETE}), frozenset({NONE}))
    return Row(1, reply, today, candidates, {which: done}, frozenset({which}))


def test_news_read_for_an_action_it_is_not_about_is_wrong_when_shown_for_save() -> None:
    """Refs split it: both parts shown together with Save, T4's among them."""
    assert score(_row("T1 done. T4 done.", which="T1")).verdict is Verdict.WRONG


def test_an_action_offered_one_at_a_time_and_declined_is_asked_not_wrong() -> None:
    """Title words split it: the chat asks which action first, so T4 is only on offer."""
    result = score(_row("Strategy: done. Flow charts: done.", which="T1"))
    assert result.verdict is Verdict.ASKED, result.why


# -- the hard cases, answered in the console chat ------------------------------------------------

HEADER = ["Ref", "Recommendation", "Responsible officer", "Target Date", "Progress"]
OFFICER = "Engagement Officer"
PLAN = [  # "today" in the suite is Monday 23 November 2026
    ["S1", "Residents' survey 2026: fieldwork and analysis of results", OFFICER, "20/11/2026",
     "In progress"],
    ["S2", "Install the hearing loop kit at the community hub and hold the first meeting of "
     "the access forum", OFFICER, "16/11/2026", ""],
    ["S3", "Agree a data-sharing and engagement agreement with health partners", OFFICER,
     "02/11/2026", ""],
    ["S4", "Roll out training and use of the strategy across the Council", OFFICER,
     "23/11/2026", ""],
]  # fmt: skip


@pytest.fixture
def sam(
    ctx: AppContext, tmp_path: Path, cli: Callable[..., Result], chat_as: Chat
) -> ConsoleChannel:
    """Sam, reminded this morning about S1-S4."""
    sheet = tmp_path / "engagement-plan.csv"
    with sheet.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([HEADER, *PLAN])
    import_file(ctx, sheet, plan_name="engagement")
    with transaction(ctx.engine) as session:
        assign(session, OFFICER, name="Sam Patel", email=SAM)
    cli("remind", "--now")
    officer = chat_as(SAM)
    assert "Good morning Sam" in officer.inbox()
    return officer


def test_a_finished_part_of_work_in_progress_is_asked_partly_complete_or_in_progress(
    sam: ConsoleChannel,
) -> None:
    answer = sam.send("S1: fieldwork finished, analysis due end of January")
    assert "Partially complete" in answer and "Keep it In progress" in answer  # the buttons
    assert "S1 →" not in answer  # nothing settled yet
    confirmed = sam.send("Partially complete")
    assert "S1 → Partially complete, revised target 31 January 2027." in confirmed
    assert "Saved. S1 is now Partially complete" in sam.send("save")


def test_progress_without_a_status_is_asked_about_with_the_status_buttons(
    sam: ConsoleChannel,
) -> None:
    answer = sam.send("S2: the kit is installed; first meeting held")
    assert "What's the status now?" in answer
    assert "recorded as not started" in answer
    assert "In progress" in answer and "Complete" in answer  # what it could mean, as buttons
    assert "Other status" in answer
    assert "S2 →" not in answer  # nothing is confirmed yet
    confirmed = sam.send("Complete")
    assert "S2 → Complete." in confirmed
    assert "Note: the kit is installed; first meeting held" in confirmed
    assert "Saved. S2 is now Complete" in sam.send("save")


def test_target_stays_is_on_track_never_not_started(sam: ConsoleChannel) -> None:
    reply = "S3: meeting held with partners, agreement being drafted, target stays"
    answer = sam.send(reply)
    assert "S3 → In progress." in answer
    assert "Not started" not in answer and "revised target" not in answer


def test_a_start_date_does_not_move_the_target(sam: ConsoleChannel) -> None:
    answer = sam.send("S4: roll out from October")
    assert "revised target" not in answer
    assert "October" not in answer.replace("roll out from October", "")


def test_a_reply_about_several_actions_is_confirmed_once_and_saved_for_each(
    sam: ConsoleChannel, cli: Callable[..., Result]
) -> None:
    answer = sam.send(
        "S1 - partly done: fieldwork finished, analysis due end of January.\n"
        "S3 - can't do this until the budget is agreed in February, so end of Feb"
    )
    assert "S1 → Partially complete, revised target 31 January 2027." in answer
    assert "S3 → Delayed, revised target 28 February 2027." in answer
    assert "Save all 2?" in answer
    saved = sam.send("save")
    assert "Saved. S1 is now Partially complete" in saved
    assert "Saved. S3 is now Delayed" in saved
    listed = cli("actions", "list", "--plan", "engagement").output
    assert "engagement:S1\tpartially complete\t2027-01-31" in listed
    assert "engagement:S3\tdelayed\t2027-02-28" in listed


def test_next_financial_years_first_quarter_ends_in_june(sam: ConsoleChannel) -> None:
    answer = sam.send("S3 delayed - end of Q1 next financial year")
    assert "S3 → Delayed, revised target 30 June 2027." in answer


def test_a_quarter_that_could_be_either_is_asked_about_without_traps(sam: ConsoleChannel) -> None:
    answer = sam.send("S3 slipped to Q1 2027")
    assert "New target date?" in answer
    assert "31 March 2027" in answer and "30 June 2027" in answer
    assert "2026/27" not in answer  # no example that lands in the past
    assert "S3 → Delayed, revised target 30 June 2027." in sam.send("30/06/2027")


def test_not_started_waiting_for_something_stays_not_started(sam: ConsoleChannel) -> None:
    answer = sam.send("S4: Not started yet, waiting for the new web platform")
    assert "S4 → Not started." in answer
    assert "Delayed" not in answer


def test_several_actions_with_a_question_go_one_at_a_time_and_none_is_dropped(
    sam: ConsoleChannel,
) -> None:
    answer = sam.send("S1 done. S3 delayed, new date 31/02/2027")
    assert "Which action first?" in answer
    assert "S1 →" not in answer  # nothing confirmed while a part is unclear
    unclear = sam.send("S3")
    assert "not a real date" in unclear and "New target date?" in unclear
    confirmed = sam.send("31/03/2027")
    assert "S3 → Delayed, revised target 31 March 2027." in confirmed
    assert "S1" not in confirmed  # S1's part is not S3's note
    saved = sam.send("save")
    assert "Saved. S3 is now Delayed" in saved
    assert "Your message was also about S1. Which next?" in saved  # nothing is dropped
    assert "S1 → Complete." in sam.send("S1")
    assert "Saved. S1 is now Complete" in sam.send("save")


def test_a_reply_quoting_the_reminder_is_read_from_the_officers_own_words(
    sam: ConsoleChannel,
) -> None:
    answer = sam.send(
        "> S2: Overdue by 7 days\n"
        "> Install the hearing loop kit at the community hub and hold the first meeting of "
        "the access forum\n"
        "> Status: Not started — overdue by 7 days\n"
        "Covering for Sam: the loop kit is ordered and the fitter is booked."
    )
    assert "What's the status now?" in answer  # "overdue" is the reminder's word, not theirs
    assert "Delayed" not in answer.split("What's the status now?")[0]
    assert "S2 →" not in answer
    # its target has passed, and the reply says nothing of it: the new date is asked, keep offered
    asked = sam.send("In progress")
    assert "has passed" in asked and "New target date?" in asked
    assert "Keep the date" in asked
    assert "S2 →" not in asked
    confirmed = sam.send("keep")
    assert "S2 → In progress." in confirmed and "revised target" not in confirmed
    assert "Note: Covering for Sam: the loop kit is ordered and the fitter is booked." in confirmed
    assert "Saved. S2 is now In progress" in sam.send("save")


def test_a_deputy_saying_the_deadline_will_be_missed_is_asked_for_the_new_date(
    sam: ConsoleChannel,
) -> None:
    answer = sam.send(
        "S4: covering for Sam - the last session is booked for 12 January, so this will go "
        "past the deadline."
    )
    assert "Delayed, target 12 January 2027" in answer  # offered, as one tap, not settled
    assert "S4 →" not in answer  # nothing confirmed until the officer says
    asked = sam.send("Delayed")  # the status alone: the date is asked next
    assert "New target date?" in asked and "12 January 2027" in asked
    assert "S4 → Delayed, revised target 15 January 2027." in sam.send("15/01/2027")


def test_a_whole_financial_year_is_asked_about_but_its_end_is_read(sam: ConsoleChannel) -> None:
    asked = sam.send("S3 pushed to next FY")
    assert "New target date?" in asked and "31 March 2028" in asked
    assert "S3 → Delayed, revised target 31 March 2028." in sam.send("end of next FY")
