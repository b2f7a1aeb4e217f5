"""Settled only when the reply is accounted for (handlers/language/replies/residue.py and
settled.py): what the rules did not explain is the residue, and a field anything in it could
bear on is asked, offering what was found, never shown as settled.
"""

from __future__ import annotations

from datetime import date

import pytest

from handlers.language.english import is_english, meant
from handlers.language.replies import Candidate, ParsedReply, parse_reply
from handlers.language.replies.residue import DOUBTS, SET_ASIDE, unaccounted
from handlers.language.replies.settled import CHECKS
from models.tables import Status

TODAY = date(2027, 1, 13)
CALENDAR = Candidate(
    "EC1.5",
    "Publish the engagement calendar on the council website",
    status=Status.IN_PROGRESS,
    target=date(2027, 3, 31),
)


def read(reply: str, action: Candidate = CALENDAR) -> ParsedReply:
    return parse_reply(reply, [action], today=TODAY)


def offered(reading: ParsedReply) -> tuple[Status | None, ...]:
    """The statuses on the first three buttons (None: keep it as it is)."""
    return reading.status_options[:3]


# -- the residue --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reply", "left"),
    [
        ("Hi Sam, in the bag", "in the bag"),  # greeting
        ("Eid Mubarak to those celebrating! In the bag", "In the bag"),  # wishes
        ("Thanks for the reminder. In the bag", "In the bag"),  # thanks
        ("In the bag. Kind regards", "In the bag."),  # sign-off
        ("In the bag since yesterday", "In the bag since"),  # when the news happened
        ("\U0001f389 In the bag \U0001f60a", "In the bag"),  # emoji that carry no meaning
        ("Calendar published on the website", "on the"),  # a status phrase, the title words
        ("Delayed until the end of March", "until"),  # a status phrase and a date
    ],
)
def test_what_is_set_aside_is_not_residue(reply: str, left: str) -> None:
    assert " ".join(unaccounted(reply, CALENDAR, TODAY).split()) == left


def test_a_tick_is_not_set_aside_with_the_other_emoji() -> None:
    assert "\u2705" in unaccounted("all 5 \u2705 \U0001f389", CALENDAR, TODAY)


def test_every_set_aside_says_why() -> None:
    assert all(rule.why for rule in SET_ASIDE)
    assert all(rule.why for rule in DOUBTS)
    assert all(check.why for check in CHECKS)


# -- a status the rules could not account for: asked, best guess first, keep among the first 3 -


@pytest.mark.parametrize(
    ("reply", "guess"),
    [
        ("In the bag - every budget holder has had the briefing.", Status.COMPLETE),
        ("Ticked off! It went to CLT last week.", Status.COMPLETE),
        ("\U0001f389 Resources finally nominated someone - all 5 \u2705", Status.COMPLETE),
        ("Live from 1 March \U0001f44d", Status.COMPLETE),
        ("https://www.glanmor.gov.uk/consultations/calendar", Status.COMPLETE),
        ("Done-ish? Just waiting for the police to send their notes.", Status.PARTIALLY_COMPLETE),
        ("Complete, subject to CMT approval on 24 Feb.", Status.COMPLETE),
        ("Is that enough to call it done, or do you need more?", Status.COMPLETE),
        ("Not mine any more - it went to Customer Services.", Status.WITHDRAWN),
        ("Bit of a saga! Comms want another look.", None),  # an opening the reader doesn't know
    ],
)
def test_a_status_it_cannot_account_for_is_asked(reply: str, guess: Status | None) -> None:
    reading = read(reply)
    assert reading.ask_status and reading.status is None
    assert offered(reading)[0] == guess or (guess is None and None in offered(reading))
    assert None in offered(reading)  # keeping it as it is is on the first buttons
    assert reading.unsure  # the question says what it could not account for


@pytest.mark.parametrize(
    "reply",
    [
        "Wedi gorffen! Aeth y canllawiau allan i'r staff i gyd ddoe",  # Welsh
        "Diolch am y nodyn atgoffa. Do - cwblhawyd ar 26 Chwefror.",  # Welsh but the date
    ],
)
def test_words_in_a_language_it_does_not_read_leave_the_status_open(reply: str) -> None:
    reading = read(reply)
    assert reading.ask_status and reading.unsure


def test_a_date_read_beside_words_it_does_not_read_is_asked() -> None:
    reading = read("Bydd yn barod erbyn diwedd mis Ebrill, gobeithio.")  # end of April, hopefully
    assert reading.ask_status and reading.ask_date
    assert [o.day for o in reading.date_options] == [date(2027, 4, 30)]


@pytest.mark.parametrize(
    "reply",
    [
        "ok thanks",
        "Delayed - new date 30 April.",
        "Done, signed off by Cabinet.",
        "On track.",
    ],
)
def test_a_reply_the_rules_account_for_is_read(reply: str) -> None:
    reading = read(reply)
    assert not reading.ask_status and not reading.ask_date, reading


@pytest.mark.parametrize(
    ("reply", "first"),
    [
        ("Met comms on Tuesday; they are drafting the page now.", None),
        ("On track, but the launch event moved.", None),
        ("Finalised and published on the intranet on 2/11/2026, rollout done.", Status.COMPLETE),
        ("All three sessions finished, so that's done.", Status.COMPLETE),
        ("all sent now, both languages", Status.COMPLETE),
    ],
)
def test_more_told_than_read_is_asked_with_the_reading_first(
    reply: str, first: Status | None
) -> None:
    reading = read(reply)
    assert reading.ask_status and offered(reading)[0] is first, reading


def test_a_status_word_promised_or_negated_is_no_news() -> None:
    assert read("It will be live by Friday.").status is None
    assert not read("Not signed yet; working on it.").ask_status


# -- a date the rules could not account for: asked, offering what it may mean ------------------


def test_a_time_it_cannot_read_asks_the_date_offering_what_it_may_mean() -> None:
    reading = read("\u23f3 three weeks-ish")
    assert reading.ask_date
    assert [o.day for o in reading.date_options] == [date(2027, 2, 3)]


@pytest.mark.parametrize("reply", ["ASAP", "By Whitsun now", "Next financial year, P3 probably"])
def test_times_that_are_no_date_ask_the_date(reply: str) -> None:
    assert read(reply).ask_date


def test_complete_beside_a_time_still_to_come_is_asked() -> None:
    reading = read("Our own analysis is done. Partners' figures come in after Easter.")
    assert reading.ask_status and Status.COMPLETE in offered(reading)
    assert Status.PARTIALLY_COMPLETE in reading.status_options


# -- a reading that does not hold together ------------------------------------------------------


def test_a_target_already_past_is_not_kept_without_a_word_about_it() -> None:
    overdue = Candidate("R10", "Identify engagement spend", Status.DELAYED, date(2026, 11, 30))
    reading = read("All on track! The review is going really well.", overdue)
    assert reading.ask_date and "has passed" in (reading.date_problem or "")


OVERDUE = Candidate("R10", "Identify engagement spend", Status.IN_PROGRESS, date(2026, 11, 30))


@pytest.mark.parametrize(
    "reply",
    [
        "Meeting held with partners, agreement being drafted, target stays.",
        "Going well, no change to the date.",
        "We'll keep the date, the review is going really well.",
        "Still on track for the deadline.",
    ],
)
def test_a_past_target_kept_in_so_many_words_is_kept(reply: str) -> None:
    reading = read(reply, OVERDUE)
    assert not reading.ask_date and reading.new_date is None, reading


@pytest.mark.parametrize(
    "reply", ["We can't keep the date, sadly.", "Not on track for the deadline any more."]
)
def test_a_keep_said_not_to_hold_is_no_keep(reply: str) -> None:
    assert read(reply, OVERDUE).ask_date


def test_a_day_gone_by_said_alone_asks_what_happened_then() -> None:
    reading = read("12/1")  # yesterday: done then? Only the officer can say
    assert reading.ask_status and offered(reading)[0] is Status.COMPLETE


def test_a_time_that_is_no_day_is_asked_not_dropped() -> None:
    undated = Candidate("P1", "Review the engagement budget", Status.DELAYED, None)
    reading = read("This item will be taken forward in the next financial year.", undated)
    assert reading.ask_date


def test_a_date_for_a_closed_action_asks_whether_it_is_reopened() -> None:
    dropped = Candidate("3.15", "Publish a partner league table", Status.WITHDRAWN, None)
    reading = read("31/3", dropped)
    assert reading.ask_status and offered(reading)[:2] == (Status.IN_PROGRESS, None)


def test_a_date_beside_a_status_question_is_asked_too() -> None:
    reading = read("Ticked off, April.")  # April: the new target, or when it was ticked off?
    assert reading.ask_status and reading.ask_date
    assert [o.day for o in reading.date_options] == [date(2027, 4, 30)]


# -- the dictionary -----------------------------------------------------------------------------


def test_english_words_british_spellings_and_compounds_are_english() -> None:
    assert all(is_english(w) for w in ("finalised", "organisation", "rollout", "toolkit's"))
    assert not any(is_english(w) for w in ("gorffen", "cwblhawyd", "canllawiau"))


def test_a_slip_is_read_as_the_status_word_it_was_meant_to_be() -> None:
    assert meant("compleet", frozenset({"complete", "delayed"})) == "complete"
    assert meant("finsihed", frozenset({"complete", "delayed"})) is None


@pytest.mark.parametrize(
    "reply",
    [
        "Drafts are with the web team. Honestly I can't give you a date for the upload yet.",
        "The last bit is out of our hands: we're waiting for the new site to go live.",
        "Away until the 8th; I'll send you a firm date when I'm back.",
        "Members keep asking for it: could we bring it forward?",
    ],
)
def test_a_date_nobody_has_given_yet_is_asked_not_kept(reply: str) -> None:
    assert read(reply).ask_date


def test_a_session_cancelled_and_rebooked_is_not_the_action_withdrawn() -> None:
    reply = "Two of three held. The Riverside one was cancelled (snow). Rebooked for 9 February."
    reading = read(reply)
    assert reading.ask_status and reading.status is None
    assert Status.WITHDRAWN in offered(reading) and None in offered(reading)


def test_a_reply_of_only_a_sign_asks_what_it_means() -> None:
    reading = read("\U0001f926")  # a facepalm: bad news, or no news? Only the officer knows
    assert reading.ask_status


def test_a_part_done_with_the_rest_is_asked_whether_the_whole_is_done() -> None:
    guides = Candidate("2.5", "Write the engagement toolkit's guides", Status.PARTIALLY_COMPLETE)
    reply = "Appendix finally in, and the guides went on the intranet with the rest of the toolkit."
    reading = read(reply, guides)
    assert reading.ask_status and Status.COMPLETE in offered(reading)


def test_held_up_until_a_day_before_the_target_is_not_taken_as_late() -> None:
    reading = read("Held up by the web freeze until 20 February, then it can go up.")
    assert reading.ask_status and reading.status is None


def test_its_number_reached_in_words_asks_whether_it_is_done() -> None:
    panel = Candidate("CV1", "Recruit a residents' panel of 300 people", Status.PARTIALLY_COMPLETE)
    reading = read("312! Still short of over-75s, but we've met the target.", panel)
    assert reading.ask_status and offered(reading)[0] is Status.COMPLETE


def test_days_in_a_forwarded_timetable_are_offered_not_dropped() -> None:
    reply = (
        "FYI, see below.\n\n---------- Forwarded message ---------\nFrom: Parks team\n"
        "Subject: consultation dates\n\nThe consultation will run from 1 March to 12 April 2027."
    )
    reading = read(reply)
    assert reading.ask_date and reading.new_date is None
    assert date(2027, 4, 12) in [o.day for o in reading.date_options]


def test_not_quite_finished_for_work_under_way_asks_rather_than_calling_it_part_done() -> None:
    reading = read(
        "Calendar page is built; comms want the layout tweaked so it's not quite finished."
    )
    assert reading.ask_status and offered(reading)[:2] == (Status.PARTIALLY_COMPLETE, None)


def test_a_sentence_that_stops_at_its_verb_leaves_the_status_asked() -> None:
    reply = "The newsletter hasn't started, sorry. The calendar has."
    reading = read(reply)
    assert reading.ask_status and reading.status is None


def test_a_count_of_things_done_is_not_taken_for_the_whole() -> None:
    reading = read("Two listings done so far.")
    assert reading.ask_status and offered(reading)[0] is Status.COMPLETE
    assert Status.PARTIALLY_COMPLETE in reading.status_options
    all_three = read("All three listings done.")  # every one of them, if listings are its parts
    assert all_three.ask_status and offered(all_three)[0] is Status.COMPLETE


def test_a_new_date_for_the_next_round_is_not_taken_as_a_delay() -> None:
    report = Candidate(
        "B2", "Quarterly report to the board", Status.IN_PROGRESS, date(2026, 12, 31)
    )
    reply = "Autumn report went to the board on 11 January, please move the date to the end of "
    reading = read(reply + "March for the next one", report)
    assert reading.ask_status and Status.DELAYED in offered(reading) and None in offered(reading)
    assert date(2027, 3, 31) in [reading.new_date, *(o.day for o in reading.date_options[:1])]


def test_asked_about_an_action_the_officer_wants_off_the_plan_withdrawn_is_on_offer() -> None:
    reading = read("We're not doing a separate calendar any more; please take this off your plan.")
    assert reading.ask_status and Status.WITHDRAWN in offered(reading)


def test_a_count_after_a_day_and_month_is_not_its_year() -> None:
    late = Candidate("3.2", "Promote the consultation finder", Status.DELAYED, date(2027, 3, 31))
    reading = read("Stall at the forum on 12 January (40 visitors). More to come.", late)
    assert all(o.day.year == 2027 for o in reading.date_options)
    assert reading.new_date is None or reading.new_date.year == 2027


def test_back_on_track_in_words_for_a_delayed_action_is_asked() -> None:
    late = Candidate("3.2", "Promote the consultation finder", Status.DELAYED, date(2027, 3, 31))
    reading = read("A stall at the forum and a newsletter piece. March should be OK.", late)
    assert reading.ask_status and Status.IN_PROGRESS in offered(reading)


def test_weeks_from_today_count_forward() -> None:
    grants = Candidate("C7", "Open the community grants scheme", Status.DELAYED, date(2027, 1, 10))
    reading = read(
        "Criteria agreed. Six weeks from today to get the form built, then we open.", grants
    )
    assert [o.day for o in reading.date_options] == [date(2027, 2, 24)]  # not six weeks ago


def test_the_end_of_the_week_is_its_friday() -> None:
    reading = read(
        "Comms still haven't designed it, so the plain version goes up by the end of the week."
    )
    friday = date(2027, 1, 15)  # TODAY is a Wednesday
    assert reading.new_date == friday or friday in [o.day for o in reading.date_options]


def test_we_got_there_puts_complete_on_offer() -> None:
    panel = Candidate(
        "HC1", "Recruit a lived experience panel", Status.IN_PROGRESS, date(2026, 12, 31)
    )
    reading = read("We got there - 31 members as of Friday. First meeting is 20 January.", panel)
    assert reading.ask_status and Status.COMPLETE in offered(reading)


def test_a_colleague_on_leave_is_not_an_out_of_office_reply() -> None:
    reply = (
        "Page drafted. Our web editor is on leave until 25 January, so realistically mid-February."
    )
    reading = read(reply)
    assert reading.new_date == date(2027, 2, 15) or reading.ask_date
    assert read("I am currently on annual leave until 25 January.").status is None


def test_missing_the_financial_year_asks_rather_than_keeping_the_status() -> None:
    reading = read("Draft page is with comms but we won't get it live this financial year.")
    assert reading.ask_status and Status.DELAYED in offered(reading)
    assert reading.ask_date


def test_held_until_an_event_asks_for_the_date_rather_than_keeping_it() -> None:
    held = Candidate("C9", "Publish the engagement calendar", Status.DELAYED, date(2027, 2, 28))
    reading = read("Leadership have put this on the back burner until the restructure lands.", held)
    assert reading.ask_date


def test_work_frozen_by_someone_else_offers_delayed() -> None:
    reading = read("Half the events are listed; the rest are frozen until the budget is set.")
    assert reading.ask_status and Status.DELAYED in offered(reading)


def test_something_else_finished_is_asked_not_closed_on_this_action() -> None:
    reading = read("The volunteer handbook was signed off by the board on Monday.")
    assert reading.ask_status and Status.COMPLETE in offered(reading)
    assert read("Calendar signed off by the board on Monday.").status is Status.COMPLETE


def test_a_month_with_a_short_year_is_not_ignored() -> None:
    reading = read("Shifting the go-live to Apr-27, the designer is booked up until then.")
    assert reading.ask_date or reading.new_date == date(2027, 4, 30)
