"""parse_reply: officers' free-text replies to reminders, as they actually write them."""

from __future__ import annotations

from datetime import date

import pytest

from handlers.language.replies import Candidate, ParsedReply, parse_reply, read_volunteered
from models.tables import Status

TODAY = date(2026, 11, 23)  # a Monday

R1 = Candidate("R1", "We recommend that the Council produces a Community Engagement Strategy")
R4 = Candidate(
    "R4",
    "We recommend that the Council develops best practice guides for officers on when it is "
    "appropriate to consult and how to engage",
)
R7 = Candidate(
    "R7", "We recommend that the Council keeps a record of all engagement/consultation activity"
)
R10 = Candidate(
    "R10",
    "We recommend that the Council identifies its engagement expenditure at a project and "
    "Council wide level",
)
BLACKPOOL = (R1, R4, R7, R10)
ONE = (R1,)
A13 = Candidate("1.3", "Publish a consultation calendar on the council website")
A21 = Candidate("2.1", "Train ward councillors in engagement methods")
NUMBERED = (A13, A21)

VERBATIM = object()  # the note is the whole reply, stripped

DONE, PART, LATE, PROG, GONE, NOT = (
    Status.COMPLETE,
    Status.PARTIALLY_COMPLETE,
    Status.DELAYED,
    Status.IN_PROGRESS,
    Status.WITHDRAWN,
    Status.NOT_STARTED,
)

# reply, candidates, expected ref, status, new date, note (a string, or VERBATIM)
REPLIES: list[tuple[str, tuple[Candidate, ...], str | None, Status | None, date | None, object]] = [
    (
        "Strategy drafted and out for feedback, will finish by end of March",
        ONE,
        "R1",
        PART,
        date(2027, 3, 31),
        VERBATIM,
    ),
    (
        "R4 done - guidance is in the toolkit appendix",
        BLACKPOOL,
        "R4",
        DONE,
        None,
        "done - guidance is in the toolkit appendix",
    ),
    (
        "Not complete yet, waiting on legal, new date 30/04/2027",
        ONE,
        "R1",
        LATE,
        date(2027, 4, 30),
        VERBATIM,
    ),
    ("We'll have it finished by Christmas", ONE, "R1", None, date(2026, 12, 25), VERBATIM),
    ("on track", ONE, "R1", PROG, None, ""),
    ("withdrawn - no longer part of the strategy", ONE, "R1", GONE, None, VERBATIM),
    ("Delayed until the spring", ONE, "R1", LATE, None, ""),  # a season is asked about
    ("next Friday", ONE, "R1", None, date(2026, 11, 27), ""),
    ("met with comms on 3 November, progressing well", ONE, "R1", PROG, None, VERBATIM),
    ("R1 and R7 both on track", BLACKPOOL, None, PROG, None, VERBATIM),
    ("Register is live and in use", BLACKPOOL, "R7", DONE, None, VERBATIM),  # what R7 asked
    ("Complete", ONE, "R1", DONE, None, ""),
    ("done!", ONE, "R1", DONE, None, ""),
    ("DELAYED", ONE, "R1", LATE, None, ""),
    (
        "r7: spreadsheet set up on the shared drive, all teams logging activity since "
        "September. Done.",
        BLACKPOOL,
        "R7",
        DONE,
        None,
        "spreadsheet set up on the shared drive, all teams logging activity since September. Done.",
    ),
    (
        "Action 1.3 partly done, web pages still with IT",
        NUMBERED,
        "1.3",
        PART,
        None,
        "partly done, web pages still with IT",
    ),
    # the officer said "not started": waiting for something is the reason, not a new status
    ("Not started yet - waiting for budget sign off", ONE, "R1", NOT, None, VERBATIM),
    ("haven't started this one yet, sorry", ONE, "R1", NOT, None, VERBATIM),
    ("yet to start, will pick it up in the new year", ONE, "R1", NOT, None, VERBATIM),
    (
        "In October we met the youth council and agreed the approach. Progressing.",
        ONE,
        "R1",
        PROG,
        None,
        VERBATIM,
    ),
    (
        "Since January we've logged 40 consultations on the register",
        BLACKPOOL,
        "R7",
        None,
        None,
        VERBATIM,
    ),
    (
        "Draft guidance with SMT for comment, should be signed off mid-January",
        BLACKPOOL,
        "R4",
        PART,
        date(2027, 1, 15),
        VERBATIM,
    ),
    (
        "Officer left in the summer so this slipped. New officer starts Jan, revised date end "
        "of April",
        ONE,
        "R1",
        LATE,
        date(2027, 4, 30),
        VERBATIM,
    ),
    (
        "R10 - finance have pulled the spend figures for Q1 and Q2, project level breakdown "
        "still to do",
        BLACKPOOL,
        "R10",
        PART,  # a part done, the rest still to do
        None,
        "finance have pulled the spend figures for Q1 and Q2, project level breakdown still to do",
    ),
    ("Budget mapping is ongoing across directorates", BLACKPOOL, "R10", PROG, None, VERBATIM),
    (
        "All four recs are progressing, will send a fuller update next week",
        BLACKPOOL,
        None,
        PROG,
        None,
        VERBATIM,
    ),
    (
        "R4 is nearly complete - just waiting on the final design from comms",
        BLACKPOOL,
        "R4",
        PART,
        None,
        "is nearly complete - just waiting on the final design from comms",
    ),
    ("Won't make March, new date June", ONE, "R1", LATE, date(2027, 6, 30), VERBATIM),
    (
        "Cabinet signed the strategy off on 3rd November and it's now published on the website",
        ONE,
        "R1",
        DONE,
        None,
        VERBATIM,
    ),
    (
        "not finished - slipped to end of Feb because of purdah",
        ONE,
        "R1",
        LATE,
        date(2027, 2, 28),
        VERBATIM,
    ),
    (
        "Consultation log set up but not yet in use. Should be live by 31st Jan 2027",
        BLACKPOOL,
        "R7",
        PART,  # a part done (the log exists), the rest by the new date
        date(2027, 1, 31),
        VERBATIM,
    ),
    (
        "Going well, about half done, aiming for Easter",
        ONE,
        "R1",
        PART,
        date(2027, 3, 28),
        VERBATIM,
    ),
    ("Paused while we wait for the new Director to start", ONE, "R1", LATE, None, VERBATIM),
    (
        "This is no longer required as it's been superseded by the corporate consultation policy",
        ONE,
        "R1",
        GONE,
        None,
        VERBATIM,
    ),
    ("Completed and signed off at Exec on 12/11/2026", ONE, "R1", DONE, None, VERBATIM),
    ("in 2 weeks", ONE, "R1", None, date(2026, 12, 7), ""),
    ("Friday week", ONE, "R1", None, date(2026, 12, 4), ""),
    ("done by christmas", ONE, "R1", None, date(2026, 12, 25), VERBATIM),
    ("in progress, Q4 2026/27", ONE, "R1", PROG, date(2027, 3, 31), ""),
    ("R7 partly done. R10 not started", BLACKPOOL, None, PART, None, VERBATIM),
    ("tbc", ONE, "R1", None, None, "tbc"),
    (
        "The guides are out for consultation with staff until 15 January",
        BLACKPOOL,
        "R4",
        PART,
        date(2027, 1, 15),
        VERBATIM,
    ),
    (
        "Spend is now tracked per project in the finance system - complete",
        BLACKPOOL,
        "R10",
        DONE,
        None,
        VERBATIM,
    ),
    ("we may finish this by may", ONE, "R1", None, date(2027, 5, 31), VERBATIM),
    ("Hi, just to say this is all sorted now. Thanks, Jo", ONE, "R1", DONE, None, VERBATIM),
    ("not on track - behind by about a month", ONE, "R1", LATE, None, VERBATIM),
    ("Will be complete by 31/03/2027", ONE, "R1", None, date(2027, 3, 31), VERBATIM),
    (
        "We are almost there, the register should go live in January",
        BLACKPOOL,
        "R7",
        PART,
        date(2027, 1, 31),
        VERBATIM,
    ),
    ("STILL WAITING ON FINANCE FOR THE FIGURES", BLACKPOOL, None, None, None, VERBATIM),
    (
        "  R1 -  underway, first draft to SMT 14/12/2026 ",
        BLACKPOOL,
        "R1",
        PART,
        None,  # a milestone on the way, not the action's target
        None,
    ),
]


@pytest.mark.parametrize(("reply", "candidates", "ref", "status", "new_date", "note"), REPLIES)
def test_reply_table(
    reply: str,
    candidates: tuple[Candidate, ...],
    ref: str | None,
    status: Status | None,
    new_date: date | None,
    note: object,
) -> None:
    parsed = parse_reply(reply, candidates, today=TODAY)
    assert parsed.ref == ref
    # more than a plain answer is offered rather than settled: its best guess comes first
    best = parsed.status_options[0] if parsed.ask_status else parsed.status
    assert best == status
    offered = [o.day for o in parsed.date_options[:1]] if parsed.ask_date else []
    assert parsed.new_date == new_date or (new_date is not None and offered == [new_date])
    if note is VERBATIM:
        assert parsed.note == reply.strip()
    elif note is not None:
        assert parsed.note == note
    else:
        assert parsed.note  # cleaned but not empty
    if new_date is None:
        assert parsed.date_text == "" or parsed.date_problem is not None


def test_table_is_big_enough() -> None:
    assert len(REPLIES) >= 35


def _parse(reply: str, candidates: tuple[Candidate, ...] = ONE) -> ParsedReply:
    return parse_reply(reply, candidates, today=TODAY)


def test_month_end_without_year_is_the_next_one() -> None:
    parsed = _parse("Strategy drafted and out for feedback, will finish by end of March")
    assert parsed.date_text == "end of March"
    assert parsed.date_problem is None
    assert not parsed.date_needs_confirmation
    assert not parsed.date_in_past


def test_relative_date_needs_confirmation() -> None:
    parsed = _parse("next Friday")
    assert parsed.new_date == date(2026, 11, 27)
    assert parsed.date_needs_confirmation
    assert parsed.date_text == "next Friday"


def test_impossible_date_is_reported_not_invented() -> None:
    parsed = _parse("new date 31/02/2027")
    assert parsed.new_date is None
    assert parsed.date_text == "31/02/2027"
    assert parsed.date_problem is not None
    assert "not a real date" in parsed.date_problem


def test_unreadable_phrase_after_modifier_is_reported() -> None:
    parsed = _parse("should be done by the end of next week")
    assert parsed.new_date is None
    assert parsed.date_text == "end of next week"
    assert parsed.date_problem is not None
    assert parsed.status is None


def test_past_revised_date_is_flagged() -> None:
    parsed = _parse("revised to 31 March 2020")
    assert parsed.new_date == date(2020, 3, 31)
    assert parsed.date_in_past
    assert parsed.status is Status.DELAYED


def test_past_event_dates_are_ignored() -> None:
    for reply in (
        "met with comms on 3 November, progressing well",
        "Since January we have been logging everything",
        "spoke to the team last Friday, all fine",
        "In October we met the youth council",
        "Consultation closed 01/10/2026 and we're analysing responses",
    ):
        parsed = _parse(reply)
        assert parsed.new_date is None, reply
        assert all(o.day > TODAY for o in parsed.date_options), reply  # never offered either


def test_several_refs_leave_ref_for_the_caller() -> None:
    parsed = _parse("R1 and R7 both on track", BLACKPOOL)
    assert parsed.ref is None
    assert parsed.refs_mentioned == ("R1", "R7")


def test_refs_mentioned_in_order_of_mention() -> None:
    parsed = _parse("r10 waiting on finance, R4 done", BLACKPOOL)
    assert parsed.refs_mentioned == ("R10", "R4")
    assert parsed.ref is None


def test_ref_spellings() -> None:
    assert _parse("action 1.3 complete", NUMBERED).ref == "1.3"
    assert _parse("1.3 complete", NUMBERED).ref == "1.3"
    assert _parse("Recommendation 7 is done", BLACKPOOL).ref == "R7"
    assert _parse("R 10: on hold", BLACKPOOL).ref == "R10"


def test_refs_are_not_found_inside_other_numbers() -> None:
    assert _parse("R10 on hold", BLACKPOOL).refs_mentioned == ("R10",)  # not R1
    assert _parse("budget of £1.3m agreed", NUMBERED).refs_mentioned == ()
    assert _parse("spent 1.30 hours on it", NUMBERED).refs_mentioned == ()


def test_no_ref_and_no_word_match_is_none() -> None:
    parsed = _parse("Progressing well, more next month", BLACKPOOL)
    assert parsed.ref is None
    assert parsed.refs_mentioned == ()


def test_no_candidates() -> None:
    parsed = parse_reply("done", [], today=TODAY)
    assert parsed.ref is None
    assert parsed.status is Status.COMPLETE


def test_only_candidate_is_the_ref_even_without_mention() -> None:
    assert _parse("Going well").ref == "R1"


def test_a_hoped_for_date_is_offered_not_settled() -> None:
    parsed = _parse("done by christmas hopefully")
    assert parsed.new_date is None and parsed.date_problem
    assert [o.day for o in parsed.date_options] == [date(2026, 12, 25)]


@pytest.mark.parametrize(
    "reply",
    [
        "asdf qwerty 123 4.5 80% £2,000",
        "Spoke to Sam about it",
        "40 responses so far, 3 events, 12 groups",
        "see attached",
        "1.3",
        "ok",
        "the year has been busy",
        "may be a while yet",
        "we'll march on",
        "3/4 of the work",
        "!!!",
        "",
    ],
)
def test_garbage_never_gives_a_date(reply: str) -> None:
    parsed = _parse(reply)
    assert parsed.new_date is None  # a date may be asked ("may be a while yet"), never given
    assert parsed.date_text == ""
    assert parsed.note == reply.strip()


@pytest.mark.parametrize(
    ("reply", "note"),
    [
        ("R1: Strategy out for consultation", "Strategy out for consultation"),
        ("R1 - Strategy out for consultation", "Strategy out for consultation"),
        ("r1 Strategy out for consultation", "Strategy out for consultation"),
        (
            "  Strategy out for consultation, see R1 notes  ",
            "Strategy out for consultation, see R1 notes",
        ),
        ("The strategy (R1) is out for comment", "The strategy (R1) is out for comment"),
    ],
)
def test_note_is_verbatim_apart_from_leading_ref(reply: str, note: str) -> None:
    assert _parse(reply, BLACKPOOL).note == note


@pytest.mark.parametrize(
    ("reply", "status"),
    [
        ("not complete", None),
        ("not yet done", None),
        ("isn't finished", None),
        ("will be complete by March", None),
        ("we will finish it soon", None),
        ("still to be completed", None),
        ("nearly complete", Status.PARTIALLY_COMPLETE),
        ("partially complete", Status.PARTIALLY_COMPLETE),
        ("first phase done", Status.PARTIALLY_COMPLETE),
        ("mostly done", Status.PARTIALLY_COMPLETE),
        ("signed-off by cabinet", Status.COMPLETE),
        ("delivered", Status.COMPLETE),
        ("under way", Status.IN_PROGRESS),
        ("on-going", Status.IN_PROGRESS),
        ("not going to make the deadline", Status.DELAYED),
        ("held up by procurement", Status.DELAYED),
        ("no longer needed", Status.WITHDRAWN),
        ("cancelled, done elsewhere", Status.WITHDRAWN),
        ("not begun", Status.NOT_STARTED),
        ("not delayed, all on track", Status.IN_PROGRESS),
        ("about three quarters done", Status.PARTIALLY_COMPLETE),
        ("Training module: done. Project template: not started.", Status.PARTIALLY_COMPLETE),
        ("we won't be doing this now", Status.WITHDRAWN),
        ("the forum meeting we were going to use was cancelled", None),
        ("not sure if that's enough to close it", None),
        ("this will go past the December deadline", Status.DELAYED),
    ],
)
def test_status_words(reply: str, status: Status | None) -> None:
    assert best_guess(_parse(reply)) == status


def best_guess(reading: ParsedReply) -> Status | None:
    """The status shown as settled, or offered first when it is asked."""
    return reading.status_options[0] if reading.ask_status else reading.status


# Words replies.py took from the vocabulary it now shares with targets.py: each was read by
# one parser and not the other before the lists were merged.
@pytest.mark.parametrize(
    ("reply", "date_text", "new_date"),
    [
        ("Delayed, back in nine weeks", "in nine weeks", date(2027, 1, 25)),  # numbers to ten
        ("Delayed, back in ten days", "in ten days", date(2026, 12, 3)),
        ("Delayed until fall 2027", "fall 2027", date(2027, 11, 30)),  # not just "2027"
        ("Delayed until f/y 2027/28", "f/y 2027/28", date(2028, 3, 31)),
        ("Delayed, end of fin year", "end of fin year", date(2027, 3, 31)),
        ("Delayed until approx May", "May", date(2027, 5, 31)),  # "approx" leads a month
        ("Will update you no later than Friday", "Friday", date(2026, 11, 27)),  # as "by"
    ],
)
def test_date_words_shared_with_targets(reply: str, date_text: str, new_date: date) -> None:
    parsed = _parse(reply)
    assert (parsed.date_text, parsed.new_date) == (date_text, new_date)


@pytest.mark.parametrize(
    ("reply", "date_text"),
    [
        ("Delayed, now qtr3 2027", "qtr3 2027"),  # not just "2027"
        ("Delayed to quarter 3 2027", "quarter 3 2027"),  # not "3 2027"
    ],
)
def test_a_quarter_of_a_calendar_year_is_asked_about(reply: str, date_text: str) -> None:
    """Councils count quarters from April: Q3 2027 may end in September or in December."""
    parsed = _parse(reply)
    assert (parsed.date_text, parsed.new_date) == (date_text, None)
    assert parsed.date_problem is not None
    assert "30 September 2027" in parsed.date_problem
    assert "31 December 2027" in parsed.date_problem


@pytest.mark.parametrize(
    "reply",
    [
        "We expect numbers to fall.",  # "fall" is a season only with a year or a lead word
        "Attendance may fall by 10% next year",
        "Finished today",  # "today" is a date word in chat, but news in a reply
    ],
)
def test_everyday_words_are_not_dates(reply: str) -> None:
    parsed = _parse(reply)
    assert (parsed.new_date, parsed.date_text) == (None, "")


@pytest.mark.parametrize(
    ("reply", "status", "note"),
    [
        ("missed the date", Status.DELAYED, ""),  # every target noun, not just "deadline"
        ("We missed the timescales", Status.DELAYED, "We missed the timescales"),
        ("Revised deadline 30 June 2027", Status.DELAYED, ""),  # as "revised target"
        ("Timescale revised: June 2027", Status.DELAYED, ""),  # target nouns are filler
        ("Delayed, new timescales: March 2027", Status.DELAYED, ""),
    ],
)
def test_target_nouns_shared_with_targets(reply: str, status: Status, note: str) -> None:
    parsed = _parse(reply)
    assert (parsed.status, parsed.note) == (status, note)


def test_partial_beats_an_implied_delay_but_not_a_stated_one() -> None:
    assert _parse("drafted, will finish by end of March").status is Status.PARTIALLY_COMPLETE
    assert _parse("drafted but delayed, new date June").status is Status.DELAYED
    assert _parse("won't make it, new date June").status is Status.DELAYED


@pytest.mark.parametrize(
    ("reply", "new_date", "confirm"),
    [
        ("Should be finished within a fortnight", date(2026, 12, 7), True),
        ("Timescale revised: June 2027", date(2027, 6, 30), False),
        ("target date now 31/3/27", date(2027, 3, 31), False),
        ("Struggling, so will miss the Dec deadline. Can we say Feb?", date(2027, 2, 28), False),
        ("on target for March", date(2027, 3, 31), False),
        ("this will be done this month", date(2026, 11, 30), True),
    ],
)
def test_revised_dates(reply: str, new_date: date, confirm: bool) -> None:
    parsed = _parse(reply)
    assert parsed.new_date == new_date
    assert parsed.date_needs_confirmation is confirm


@pytest.mark.parametrize(
    "reply",
    [
        "Launch event booked for 8 December, strategy on track",  # a diary date
        "All four recs are progressing, will send a fuller update next week",
        "finished by 3 November",  # past tense, no year: don't invent 2027
        "Cabinet approved on 14/10/2026, comms launched 2nd Nov",
    ],
)
def test_dates_that_are_not_the_target(reply: str) -> None:
    parsed = _parse(reply)
    assert parsed.new_date is None
    assert parsed.date_problem is None


def test_unreadable_relative_phrase_is_reported() -> None:
    parsed = _parse("aiming to finish early next year")
    assert parsed.new_date is None
    assert parsed.date_text == "early next year"
    assert parsed.date_problem is not None


def test_an_account_of_the_work_is_kept_as_the_note_even_when_it_reads_like_a_status() -> None:
    reply = "R1 drafted and out for feedback, new date end of March"
    parsed = parse_reply(reply, [R1, R4], today=TODAY)
    assert parsed.ref == "R1" and parsed.status == Status.PARTIALLY_COMPLETE
    assert parsed.new_date == date(2027, 3, 31)
    assert parsed.note == "drafted and out for feedback, new date end of March"


@pytest.mark.parametrize(
    ("reply", "status", "new_date"),
    [
        ("compelte", Status.COMPLETE, None),
        ("delyed, new date end of Feburary", Status.DELAYED, date(2027, 2, 28)),
        ("partialy complete", Status.PARTIALLY_COMPLETE, None),
        ("As stated last time, nothing to add", None, None),  # not "started"
        ("Groups compete for the funding", None, None),  # not "complete"
        ("A good match for the steering group", None, None),  # not "March"
    ],
)
def test_slips_in_status_words_and_months_but_not_real_words(
    reply: str, status: Status | None, new_date: date | None
) -> None:
    parsed = _parse(reply)
    assert (parsed.status, parsed.new_date) == (status, new_date)
    assert parsed.note in ("", reply)  # the note keeps what was written


@pytest.mark.parametrize(
    ("reply", "new_date", "asked"),
    [
        ("31/1", date(2027, 1, 31), False),
        ("next FY", None, True),  # a whole year: which date in it?
        ("end of next FY", date(2028, 3, 31), False),
        ("Will be finished in the new year", None, True),
        ("finished in the new year - say end of Jan", date(2027, 1, 31), False),
        ("this will go past the December deadline", None, True),
        ("report goes to CLT on 14 January for decision", None, True),
        ("4 of 6 held; remaining two booked for Jan", None, True),  # more told than read
    ],
)
def test_spans_steps_and_missed_deadlines(reply: str, new_date: date | None, asked: bool) -> None:
    reading = parse_reply(
        reply, [Candidate("R1", "Hold the sessions", target=date(2026, 11, 30))], today=TODAY
    )
    assert (reading.new_date, reading.date_problem is not None) == (new_date, asked)


def test_the_reminder_copied_back_is_not_read_as_the_update() -> None:
    quoted = "> R4: Target 30/11/2026, in progress\nThis is done."
    reading = parse_reply(quoted, BLACKPOOL, today=TODAY)
    assert (reading.ref, reading.status, reading.new_date) == ("R4", DONE, None)
    assert reading.note == "This is done."
    echoed = f'"{R1.text}" - not started, waiting on Cabinet'
    assert parse_reply(echoed, ONE, today=TODAY).note == "- not started, waiting on Cabinet"


# -- updates volunteered without a reminder, and what each question offers ----------------------


MINE = (
    Candidate(
        "R1", "Produce a community engagement strategy", Status.IN_PROGRESS, date(2027, 3, 31)
    ),
    Candidate(
        "R4", "Best practice guides on when to consult", Status.IN_PROGRESS, date(2027, 1, 31)
    ),
    Candidate(
        "2.1", "Flow charts to help officers decide the level of engagement", None, date(2027, 2, 1)
    ),
    Candidate(
        "2.2", "Train ward councillors in engagement methods", Status.NOT_STARTED, date(2027, 5, 1)
    ),
)


@pytest.mark.parametrize(
    "message",
    [
        "what's the flowchart about?",  # a question, not news
        "can you remind me what R4 is?",
        "thanks for the reminder yesterday",  # no action named
        "the strategy and the guides are both with legal",  # two actions, one sentence: tangled
        "hello",
    ],
)
def test_a_message_that_is_not_news_of_an_action_is_not_read_as_an_update(message: str) -> None:
    assert read_volunteered(message, MINE, today=TODAY) == ()


BEGUN = Status.IN_PROGRESS


@pytest.mark.parametrize(
    ("message", "ref", "status"),
    [
        ("R4 signed off by SMT this morning, all done", "R4", DONE),
        ("The flow charts have been delayed, the designer is off sick", "2.1", LATE),
        ("update on the councillor training: first session held last night", "2.2", BEGUN),
    ],
)
def test_news_names_its_action_by_reference_or_by_its_own_words(
    message: str, ref: str, status: Status | None
) -> None:
    [reading] = read_volunteered(message, MINE, today=TODAY)
    assert (reading.ref, best_guess(reading)) == (ref, status)


def test_news_of_two_actions_by_their_words_is_read_for_each() -> None:
    readings = read_volunteered(
        "The strategy is on track. The flow charts are delayed to the end of March.",
        MINE,
        today=TODAY,
    )
    assert [(r.ref, r.new_date) for r in readings] == [("R1", None), ("2.1", date(2027, 3, 31))]


def test_a_status_question_offers_what_the_reply_could_mean_best_first() -> None:
    part = Candidate("S1", "Residents' survey: fieldwork and analysis", Status.IN_PROGRESS)
    reading = parse_reply("fieldwork finished, analysis next", (part,), today=TODAY)
    # best first, then keeping it (None), then what else the words say
    assert reading.ask_status and reading.status_options == (PART, None, DONE)


def test_a_date_question_offers_each_date_with_its_words() -> None:
    late = Candidate("S1", "Residents' survey", Status.IN_PROGRESS, date(2026, 12, 31))
    reading = parse_reply(
        "Testing ends 29 January, then the report goes to the board on 10 March for noting",
        (late,),
        today=TODAY,
    )
    assert reading.ask_date
    assert [(o.day, o.words) for o in reading.date_options] == [
        (date(2027, 3, 10), "the board on 10 March"),
        (date(2027, 1, 29), "Testing ends 29 January"),
    ]
