"""Only a plain answer is settled; anything more is offered, with the right buttons.

On replies nobody here wrote, a third of the longer readings shown as settled were wrong. So a
reply of more than a plain answer's words is offered first, as one tap, and the buttons of every
question carry what the reply could mean: keeping it, the statuses its words lean to, and every
day it names (handlers/language/replies/settled.py, offered.py, offers.py).
"""

from __future__ import annotations

from datetime import date

import pytest

from handlers.language.replies import Candidate, ParsedReply, parse_reply, read_replies
from handlers.language.replies.offered import leans
from handlers.language.replies.offers import days_named
from handlers.language.replies.settled import PLAIN_WORDS
from handlers.language.replies.volunteered import read_volunteered
from models.tables import Status

TODAY = date(2027, 2, 15)  # a Monday
PLATFORM = Candidate(
    "A7",
    "Hold engagement workshops with each statutory partner",
    status=Status.IN_PROGRESS,
    target=date(2027, 4, 30),
)
REGISTER = Candidate(
    "R2", "Publish a register of consultations", status=Status.IN_PROGRESS, target=date(2027, 5, 31)
)
FORUMS = Candidate("A1", "Run the area forums", status=Status.IN_PROGRESS, target=None)


def read(reply: str, action: Candidate = PLATFORM) -> ParsedReply:
    return parse_reply(reply, [action], today=TODAY)


def first_three(reading: ParsedReply) -> tuple[Status | None, ...]:
    return reading.status_options[:3]


# -- a plain answer is settled; more is offered -----------------------------------------------


def test_a_plain_answer_is_settled() -> None:
    reading = read("Delayed to the end of May, waiting on the Trust")
    assert not reading.ask_status and reading.status is Status.DELAYED
    assert reading.new_date == date(2027, 5, 31)


def test_more_than_a_plain_answer_is_offered_best_guess_first() -> None:
    reply = (
        "PSNI and NIHE workshops went well and the Trust is keen, but the fire service have "
        "cancelled twice now, so realistically we are looking at the end of May for the last one."
    )
    assert len(reply.split()) > PLAIN_WORDS
    reading = read(reply)
    assert reading.ask_status and reading.status is None  # nothing shown as settled
    assert reading.ask_date and reading.new_date is None
    assert date(2027, 5, 31) == reading.date_options[0].day  # what it read, offered first
    assert None in first_three(reading)  # "keep it" is always on the first buttons


def test_a_later_date_puts_delayed_on_the_first_buttons() -> None:
    reading = read(
        "Not started - and there is no point starting the reviews before the elections in May. "
        "Realistically we would run the sessions over the summer so target should be end of Dec.",
        Candidate("CE5", "Review locality plans", Status.NOT_STARTED, date(2027, 9, 30)),
    )
    assert reading.ask_status and Status.DELAYED in first_three(reading)


def test_the_last_word_of_a_reply_leads_the_buttons() -> None:
    """'Moved the last surveys on Friday. Licences cancelled. Tick.': the outcome comes last."""
    assert leans("Moved the last three surveys on Friday. Licences cancelled. Tick.")[0] is (
        Status.COMPLETE
    )
    assert Status.COMPLETE not in leans("we won't get it live this year")  # denied


@pytest.mark.parametrize(
    ("reply", "status"),
    [
        ("The residents' survey is dead in the water - no budget for it in 27/28.", "withdrawn"),
        ("We've had to scrap it all and start again from scratch once Cabinet approves", "not"),
        ("Update: PSNI done, NIHE done, the Trust is TBC as they've cancelled twice", "partly"),
    ],
)
def test_what_the_words_lean_to_is_on_offer(reply: str, status: str) -> None:
    want = {
        "withdrawn": Status.WITHDRAWN,
        "not": Status.NOT_STARTED,
        "partly": Status.PARTIALLY_COMPLETE,
    }[status]
    reading = read(reply)
    assert reading.ask_status and want in first_three(reading), reading.status_options


# -- bare answers that say no more than that ----------------------------------------------------


@pytest.mark.parametrize("reply", ["no", "Nope", "same as last time", "ask Sarah", "see previous"])
def test_a_bare_answer_is_asked_not_kept(reply: str) -> None:
    reading = read(reply)
    assert reading.ask_status and None in first_three(reading)


def test_a_bare_no_about_a_closed_action_changes_nothing() -> None:
    done = Candidate("R8", "Seek legal advice early", Status.COMPLETE, date(2026, 9, 30))
    reading = read("no", done)
    assert not reading.ask_status and reading.status is None


# -- every day a reply names is on a button -------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "today", "day"),
    [
        ("Feedback page rebuilt. End Q4.", date(2027, 1, 11), date(2027, 3, 31)),
        ("Moving this to Mar-27", date(2027, 1, 11), date(2027, 3, 31)),
        ("adoption before the end of FY27/28", date(2027, 9, 6), date(2028, 3, 31)),
        ("can I have until the end of next week?", date(2027, 3, 10), date(2027, 3, 19)),
        ("back up in 2 wks hopefully", date(2027, 3, 16), date(2027, 3, 30)),
        ("at the printers, back on the 3rd", date(2027, 7, 19), date(2027, 8, 3)),
        ("they've now said May", date(2027, 2, 15), date(2027, 5, 31)),
        ("out by the end of the month", date(2027, 1, 13), date(2027, 1, 31)),
    ],
)
def test_a_day_named_any_way_is_found(text: str, today: date, day: date) -> None:
    assert day in [option.day for option in days_named(text, today)]


def test_a_start_or_a_day_gone_is_not_offered() -> None:
    assert days_named("roll out from October", TODAY) == []
    assert days_named("went to Cabinet on 3 February", TODAY) == []


# -- several actions in one reply -------------------------------------------------------------


def test_both_done_is_read_for_both() -> None:
    readings = read_replies("Both done ✅✅", [PLATFORM, REGISTER], today=TODAY)
    assert [(r.ref, r.status) for r in readings] == [
        ("A7", Status.COMPLETE),
        ("R2", Status.COMPLETE),
    ]


def test_numbered_items_follow_the_reminders_order() -> None:
    readings = read_replies("1) on track 2) done", [FORUMS, REGISTER], today=TODAY)
    assert [(r.ref, r.status) for r in readings] == [("A1", None), ("R2", Status.COMPLETE)]


def test_a_line_each_follows_the_reminders_order() -> None:
    readings = read_replies("Forums: no change\nRegister: done", [FORUMS, REGISTER], today=TODAY)
    assert [r.ref for r in readings] == ["A1", "R2"]
    assert readings[1].status is Status.COMPLETE


def test_the_first_ones_part_is_not_a_count_of_one() -> None:
    """'First one's done': the first action complete, not 'one done' (a part)."""
    readings = read_replies(
        "First one's done. Second - on track.", [PLATFORM, REGISTER], today=TODAY
    )
    assert [(r.ref, r.status) for r in readings] == [("A7", Status.COMPLETE), ("R2", None)]


def test_news_naming_two_actions_tangled_asks_which_rather_than_not_understood() -> None:
    mine = [FORUMS, PLATFORM, Candidate("A6", "Write examples and scenarios", Status.NOT_STARTED)]
    [reading] = read_volunteered(
        "We're folding the scenarios (A6) into the training module rather than a separate "
        "document, so A6 can be withdrawn and I'll note it against A7.",
        mine,
        today=TODAY,
    )
    assert reading.ref is None and set(reading.ref_options) == {"A6", "A7"}


def test_the_target_named_and_denied_asks_the_date() -> None:
    panels = Candidate("E5", "Run DEA youth panels", Status.IN_PROGRESS, date(2027, 6, 30))
    reading = read(
        "Schools are happy to host the panels but the Youth Council would rather we held off "
        "until the Assembly elections are over. June isn't realistic now.",
        panels,
    )
    assert reading.ask_date and reading.new_date is None  # not "target kept"


def test_news_that_it_went_on_the_website_is_not_taken_as_no_change() -> None:
    plan = Candidate("EC2.5", "Publish a forward plan", Status.DELAYED, date(2026, 12, 31))
    reading = read("the forward plan went on the website on Monday.", plan)
    assert reading.ask_status and Status.COMPLETE in first_three(reading)


def test_a_signature_typed_in_a_hurry_is_read() -> None:
    strategy = Candidate("A1", "Adopt the strategy", Status.PARTIALLY_COMPLETE, date(2027, 2, 28))
    reading = read("compleet, portfolio holder signd it of tues", strategy)
    assert reading.ask_status and reading.status_options[0] is Status.COMPLETE  # words unread
    assert reading.new_date is None


def test_news_that_opens_by_naming_its_subject_is_about_that_one_action() -> None:
    mine = [
        Candidate(
            "1.1", "Develop an engagement toolkit with an evaluation form", Status.IN_PROGRESS
        ),
        Candidate("3.2", "Pilot a community engagement champions scheme", Status.IN_PROGRESS),
    ]
    readings = read_volunteered(
        "Morning! Quick one on the champions pilot - we've now got our 10 champions and the "
        "last training session was on Thursday. Evaluation over the summer as planned.",
        mine,
        today=TODAY,
    )
    assert [r.ref for r in readings] == ["3.2"]  # "evaluation" is no news of the toolkit


def test_please_close_is_not_read_as_no_change() -> None:
    protocol = Candidate("4.3", "Agree a joint protocol", Status.PARTIALLY_COMPLETE)
    reading = read("Joint protocol - all three signatures in, please close", protocol)
    assert reading.status is Status.COMPLETE or (
        reading.ask_status and Status.COMPLETE in first_three(reading)
    )


def test_a_later_month_with_no_status_said_offers_delayed() -> None:
    report = Candidate("R13", "Annual report", Status.IN_PROGRESS, date(2027, 11, 30))
    reading = parse_reply("nope, Jan", [report], today=date(2027, 10, 4))
    assert reading.ask_status and Status.DELAYED in first_three(reading)
    assert None in first_three(reading)  # or the same work with a new date


def test_a_number_alone_is_asked() -> None:
    reading = read("61 \U0001f389")
    assert reading.ask_status and Status.COMPLETE in first_three(reading)


def test_work_going_on_is_no_news_kept_as_not_started() -> None:
    statement = Candidate("3", "Statement of progress", Status.NOT_STARTED, date(2027, 11, 30))
    reading = read("Statement - drafting.", statement)
    assert reading.ask_status and Status.IN_PROGRESS in first_three(reading)


def test_news_headed_by_its_subject_and_update_is_about_that_action() -> None:
    mine = [
        Candidate("3.1", "Asset mapping of all wards", Status.PARTIALLY_COMPLETE),
        Candidate("4.3", "Publish open data on the portal with the GIS team", Status.NOT_STARTED),
    ]
    readings = read_volunteered(
        "Asset mapping update: all 24 wards mapped, data's with the GIS team to publish on the "
        "open data portal. More like end of Jan than Dec.",
        mine,
        today=date(2027, 11, 17),
    )
    assert [r.ref for r in readings] == ["3.1"]


def test_a_clause_each_by_title_words() -> None:
    toolkit = Candidate("1.2", "Engagement toolkit", Status.PARTIALLY_COMPLETE, date(2027, 11, 30))
    forums = Candidate("2.1", "Area forums", Status.IN_PROGRESS)
    mapping = Candidate("3.1", "Asset mapping", Status.PARTIALLY_COMPLETE, date(2027, 12, 31))
    readings = read_replies(
        "toolkit fine, forums fine, mapping behind (GIS backlog) - Jan",
        [toolkit, forums, mapping],
        today=date(2027, 10, 25),
    )
    assert [r.ref for r in readings] == ["1.2", "2.1", "3.1"]
    assert date(2028, 1, 31) in [readings[2].new_date, *(o.day for o in readings[2].date_options)]


def test_one_named_by_its_title_then_the_others() -> None:
    screening = Candidate("1", "Equality screening report", Status.IN_PROGRESS)
    readings = read_replies(
        "Screening report - on track for end Dec. Other two no change.",
        [screening, PLATFORM, REGISTER],
        today=TODAY,
    )
    assert [r.ref for r in readings] == ["1", "A7", "R2"]


def test_n_a_to_an_open_action_is_asked() -> None:
    reading = read("n/a")
    assert reading.ask_status and Status.WITHDRAWN in first_three(reading)


def test_a_week_shortened_is_a_week() -> None:
    panel = Candidate("1.2", "Recruit the panel", Status.PARTIALLY_COMPLETE, date(2028, 2, 29))
    reading = parse_reply("nealy there 960 now. prob next wk", [panel], today=date(2028, 2, 28))
    assert reading.new_date is not None or reading.ask_date  # not "no new date"


def test_a_quarter_that_labels_figures_is_no_target() -> None:
    reading = read("e-learning completion is now 91% - sending the Q3 figures to CMT next week")
    assert reading.new_date is None
