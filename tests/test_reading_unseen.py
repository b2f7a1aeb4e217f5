"""What replies nobody here wrote taught the reader (blind batch 18, and the corpus's last wrong
readings): Welsh beside English, a heading naming the action, a writer introducing themselves,
a step of a bundled action, a day something else happens, rounds whose dates are not said.

Each story is a reply as an officer wrote it; the assertion is what the officer sees: a reading
settled, or a question whose buttons hold what they meant.
"""

from __future__ import annotations

from datetime import date

from handlers.language.replies import Candidate, ParsedReply, parse_reply
from handlers.language.replies.volunteered import read_volunteered
from models.tables import Status

TODAY = date(2027, 6, 8)  # a Tuesday

TRAINING = Candidate(
    "4.1",
    "Welsh Language Standards awareness training for all officers who design consultation "
    "materials",
    Status.NOT_STARTED,
    date(2027, 9, 30),
)
BUDGET = Candidate(
    "3.1",
    "Budget consultation 2027/28: online survey, drop-in sessions at the six community hubs",
    Status.IN_PROGRESS,
    date(2027, 7, 31),
)
GUIDE = Candidate(
    "1.2",
    "Produce a bilingual guide for residents on how to take part in Council decision-making",
    Status.IN_PROGRESS,
    date(2027, 7, 31),
)
EQIA = Candidate(
    "C4",
    "Complete Equality Impact Assessments (EqIA) for each CRMP proposal and train all station "
    "and group managers in EqIA.",
    Status.IN_PROGRESS,
    date(2027, 6, 30),
)
NETWORK = Candidate(
    "PE02",
    "Establish a locality engagement network in each of the four localities",
    Status.IN_PROGRESS,
    date(2027, 6, 30),
)
SESSIONS = Candidate(
    "PE03",
    "Engagement on the draft Strategic Commissioning Plan: online survey; community sessions in "
    "each locality",
    Status.PARTIALLY_COMPLETE,
    date(2027, 3, 31),
)
REPS = Candidate(
    "PE06",
    "Secure lived-experience representation on the Strategic Planning Group",
    Status.PARTIALLY_COMPLETE,
    None,
)
REPORT = Candidate(
    "C9",
    "Report progress on the engagement Area for Improvement to the Audit and Governance Committee",
    Status.IN_PROGRESS,
    date(2027, 7, 31),
)


def read(reply: str, action: Candidate, today: date = TODAY) -> ParsedReply:
    return parse_reply(reply, [action], today=today)


def volunteered(reply: str, *actions: Candidate) -> dict[str | None, ParsedReply]:
    return {r.ref: r for r in read_volunteered(reply, actions, today=TODAY)}


# -- Welsh beside English ----------------------------------------------------------------------


def test_welsh_words_of_an_actions_title_find_it() -> None:
    """'hyfforddiant Safonau'r Gymraeg' is the Welsh Language Standards training, not the
    budget consultation whose drop-in 'sessions' the English half mentions."""
    got = volunteered(
        "Diweddariad: hyfforddiant Safonau'r Gymraeg - first session ran on Tuesday, 18 staff.",
        GUIDE,
        BUDGET,
        TRAINING,
    )
    assert list(got) == ["4.1"]


def test_welsh_news_of_progress_is_read_as_its_english() -> None:
    reading = read("Wedi gorffen! Mae'r canllaw yn fyw ar y wefan.", GUIDE)
    assert Status.COMPLETE in (reading.status, *reading.status_options)


def test_a_welsh_weekday_is_not_read_as_a_month() -> None:
    """'dydd Mawrth nesaf' is next Tuesday; 'Mawrth' alone would be March."""
    reading = read("Bydd y log yn fyw o ddydd Mawrth nesaf.", GUIDE)
    offered = [o.day for o in reading.date_options] + [reading.new_date]
    assert date(2027, 3, 31) not in offered and date(2028, 3, 31) not in offered


# -- which action volunteered news is about ----------------------------------------------------


def test_a_heading_names_the_action_the_news_is_about() -> None:
    got = volunteered(
        "Local training for officers - the first workshop ran yesterday, two more in July.",
        BUDGET,
        TRAINING,
    )
    assert list(got) == ["4.1"]


def test_a_writer_introducing_themselves_is_not_news_of_their_team() -> None:
    plan = Candidate("A9", "Align the Masterplan with the Community Planning Partnership")
    youth = Candidate("A4", "Engage young people through the Youth Forum and the five schools")
    got = volunteered(
        "Hi there, Siobhan here from Community Planning. Just to say the young people's "
        "engagement is all done - Youth Forum plus all 5 schools.",
        plan,
        youth,
    )
    assert list(got) == ["A4"]


def test_initials_stand_for_an_actions_named_body() -> None:
    got = volunteered(
        "Wee update - the Glens network had its first meeting last night. Also we did an "
        "induction for the new SPG reps on Monday.",
        NETWORK,
        SESSIONS,
        REPS,
    )
    assert set(got) == {"PE02", "PE06"}


def test_one_shared_word_and_one_own_word_ask_which() -> None:
    """'The locality sessions are all done': both actions are about the localities."""
    reading = parse_reply(
        "The locality sessions are all done now", [NETWORK, SESSIONS], today=TODAY
    )
    assert reading.ref is None


def test_what_the_officer_will_do_next_is_not_news_of_that_action() -> None:
    flow = Candidate("A3", "Flow charts to help officers decide levels of engagement")
    examples = Candidate("A4", "Examples and scenarios of how to use the types of engagement")
    got = volunteered(
        "The flow charts were signed off at CLT yesterday and are on the intranet. I'll start "
        "on the examples and scenarios next week.",
        flow,
        examples,
    )
    assert list(got) == ["A3"]


# -- the status --------------------------------------------------------------------------------


def test_a_step_of_a_bundled_action_done_is_asked_about() -> None:
    """'EqIA training all done': the training is one step; the assessments are the other."""
    reading = read("EqIA training all done.", EQIA)
    assert reading.ask_status
    assert Status.COMPLETE in reading.status_options
    assert Status.PARTIALLY_COMPLETE in reading.status_options


def test_not_started_with_a_later_month_offers_delayed() -> None:
    task = Candidate("9", "Run the residents' survey", Status.NOT_STARTED, date(2028, 3, 31))
    reading = read("nope, not started. April", task, today=date(2028, 3, 13))
    assert reading.ask_status and Status.DELAYED in reading.status_options


def test_minutes_to_follow_is_no_work_left() -> None:
    review = Candidate("1.1", "Review the tenant involvement structure", Status.PARTIALLY_COMPLETE)
    reading = read("Agreed at Housing Committee last night, minutes to follow.", review)
    assert reading.status is not Status.PARTIALLY_COMPLETE or reading.ask_status


# -- the date ----------------------------------------------------------------------------------


def test_a_day_before_the_target_that_is_not_said_to_be_it_is_asked() -> None:
    reading = read("The guide's at the printers, be with us by the 18th of June", GUIDE)
    assert reading.new_date is None and reading.ask_date
    assert date(2027, 6, 18) in [o.day for o in reading.date_options]


def test_the_officer_setting_the_target_right_is_read() -> None:
    reading = read("target should be 27 July (the A&G date), not the end of the month", REPORT)
    assert reading.new_date == date(2027, 7, 27)


def test_rounds_whose_dates_are_not_said_ask_the_date() -> None:
    for reply in ("missed the paper deadline for July A&G so it'll be next cycle",
                  "by the time of the next audit"):  # fmt: skip
        reading = read(reply, REPORT)
        assert reading.ask_date and reading.new_date is None, reply


def test_when_they_will_know_is_not_the_target() -> None:
    events = Candidate("CE10", "Engagement events in each locality", Status.DELAYED)
    events = Candidate(events.ref, events.text, events.status, date(2028, 3, 31))
    reading = read(
        "These were pulled until after the budget is set. So we won't know till March when we "
        "can do them.",
        events,
        today=date(2028, 1, 17),
    )
    assert reading.ask_date


def test_friday_week_said_on_a_friday_offers_both_fridays() -> None:
    friday = date(2027, 2, 19)
    reading = read("register will be live Friday week", GUIDE, today=friday)
    offered = {o.day for o in reading.date_options}
    assert {date(2027, 2, 26), date(2027, 3, 5)} <= offered


def test_the_monday_after_is_after_the_day_just_named() -> None:
    tuesday = date(2027, 10, 19)
    reading = read("Welsh interface back Friday week, go live the Monday after.", GUIDE, tuesday)
    assert date(2027, 11, 1) in [reading.new_date, *(o.day for o in reading.date_options)]


def test_the_monday_after_the_elections() -> None:
    reading = read(
        "We can't publish during the pre-election period, so the results will go out the "
        "Monday after the elections.",
        GUIDE,
        today=date(2027, 4, 6),
    )
    assert date(2027, 5, 10) in [reading.new_date, *(o.day for o in reading.date_options)]


def test_a_start_and_how_long_it_runs_offers_its_end() -> None:
    consult = Candidate("A6", "Consult businesses on the shopfront scheme", Status.DELAYED)
    consult = Candidate(consult.ref, consult.text, consult.status, date(2027, 5, 31))
    reading = read(
        "Section 75 screening's done, it goes live 7 June for three weeks.",
        consult,
        today=date(2027, 5, 19),
    )
    assert date(2027, 6, 28) in [reading.new_date, *(o.day for o in reading.date_options)]


# -- what blind batch 19 taught ----------------------------------------------------------------

PLAN = Candidate("PE1", "Publish the engagement plan", Status.PARTIALLY_COMPLETE, date(2027, 9, 30))
SEPT = date(2027, 9, 22)  # a Wednesday


def test_a_bare_day_before_the_target_is_asked_not_ignored() -> None:
    """'Sept 28': 28 September, days before the target, or September 2028? Both offered."""
    reading = read("Sept 28", PLAN, today=SEPT)
    assert reading.ask_date
    assert {date(2027, 9, 28), date(2028, 9, 30)} <= {o.day for o in reading.date_options}


def test_a_dotted_day_and_month_is_a_date_but_a_reference_is_not() -> None:
    undated = Candidate("PE9", "Review the charter", Status.NOT_STARTED, None)
    dotted = read("31.03", undated, today=SEPT)
    assert date(2028, 3, 31) in [dotted.new_date, *(o.day for o in dotted.date_options)]
    ref = read("3.10 done", undated, today=SEPT)  # action 3.10, not 3 October
    assert ref.new_date is None and not ref.date_options


def test_on_track_alone_for_work_not_begun_is_asked() -> None:
    unbegun = Candidate("PE6", "Consult on the plan", Status.NOT_STARTED, date(2028, 1, 31))
    reading = read("on track", unbegun, today=SEPT)
    assert reading.ask_status and set(reading.status_options[:2]) == {Status.IN_PROGRESS, None}


def test_not_started_with_the_date_holding_stays_not_started() -> None:
    unbegun = Candidate("A7", "Prepare the management plan", Status.NOT_STARTED, date(2028, 2, 29))
    for reply in ("not started yet, target stays", "A7 | not started | Feb still fine"):
        assert read(reply, unbegun, today=SEPT).status is Status.NOT_STARTED, reply


def test_news_of_work_going_on_for_a_delayed_action_is_asked() -> None:
    late = Candidate("A4", "Consult on the path network", Status.DELAYED, date(2027, 10, 31))
    reading = read(
        "Consultation opened on Monday (4th) - 37 responses so far. Closes 15/11.",
        late,
        today=date(2027, 10, 12),
    )
    assert reading.ask_status and Status.IN_PROGRESS in reading.status_options[:3]


def test_a_time_past_the_target_in_a_short_story_asks_the_date() -> None:
    draft = Candidate("PE6", "Consult on the draft plan", Status.NOT_STARTED, date(2028, 1, 31))
    reading = read(
        "SCP draft won't be ready till Jan now, so consultation Feb-Mar, 8 wks", draft, SEPT
    )
    assert reading.ask_date


def test_reopening_a_complete_action_offers_in_progress_first() -> None:
    done = Candidate("E1", "Agree the forum's terms of reference", Status.COMPLETE)
    done = Candidate(done.ref, done.text, done.status, date(2027, 3, 31))
    reading = read(
        "Forum ToR need redoing - the Chamber pulled out. Reopen please, target end of Jan",
        done,
        today=date(2027, 11, 5),
    )
    assert reading.status_options[0] is Status.IN_PROGRESS


def test_a_day_number_after_a_month_is_in_that_month() -> None:
    report = Candidate("R6", "Report to scrutiny", Status.NOT_STARTED, date(2027, 10, 14))
    reading = read(
        "the chair's asked to move it to the December meeting (9th) as half the updates aren't in",
        report,
        today=date(2027, 10, 12),
    )
    assert date(2027, 12, 9) in {o.day for o in reading.date_options}


def test_next_week_as_a_deadline_offers_its_friday() -> None:
    template = Candidate("R2", "Plain English templates", Status.PARTIALLY_COMPLETE)
    template = Candidate(template.ref, template.text, template.status, date(2027, 8, 31))
    reading = read(
        "Legal have signed off the template, comms are doing the edit. Should be next week",
        template,
        today=date(2027, 11, 15),
    )
    assert date(2027, 11, 26) in {o.day for o in reading.date_options}


# -- what blind batch 20 taught ----------------------------------------------------------------

WINTER = date(2028, 11, 30)  # a Thursday


def test_a_rag_colour_alone_is_read_as_its_rating() -> None:
    survey = Candidate("R9", "Run the residents' survey", Status.PARTIALLY_COMPLETE, WINTER)
    red = read("red", survey, today=WINTER)
    assert red.ask_status and red.status_options[0] is Status.DELAYED and red.ask_date
    amber = read("amber", survey, today=WINTER)
    assert amber.ask_status and Status.DELAYED in amber.status_options
    green = read("green", survey, today=WINTER)
    assert green.status is None and not green.ask_status


def test_rounds_and_people_still_to_come_ask_the_date() -> None:
    plan = Candidate("TC9", "Refresh the community plan", Status.NOT_STARTED, date(2029, 1, 31))
    for reply in ("once the new Head of Community Planning starts - they want to shape it",
                  "it'll all be done by the time Audit Wales come back in"):  # fmt: skip
        reading = read(reply, plan, today=WINTER)
        assert reading.ask_date and reading.new_date is None, reply


def test_a_welsh_name_of_the_action_finds_it() -> None:
    plan = Candidate("A3", "Management Plan review: community drop-in sessions in each cluster")
    forum = Candidate("A4", "Establish a National Park Youth Forum with the Urdd and schools")
    got = volunteered(
        "Shwmae, quick one - first meeting of the Fforwm Ieuenctid was last night, 14 young "
        "people came! So the youth forum is established and running, you can close it",
        plan,
        forum,
    )
    assert list(got) == ["A4"]


def test_a_deciding_body_is_not_the_action_it_decides_on() -> None:
    refresh = Candidate("PE2", "Refresh the IJB Participation and Engagement Strategy")
    panel = Candidate("PE3", "Establish a Lived Experience Panel; the panel meets quarterly")
    got = volunteered(
        "Can you put the engagement strategy refresh back a cycle? The IJB's moved the March "
        "meeting to April",
        refresh,
        panel,
    )
    assert list(got) == ["PE2"]


def test_a_month_asked_for_far_ahead_is_offered() -> None:
    course = Candidate("R10", "Build the e-learning module", Status.NOT_STARTED, date(2029, 3, 31))
    reading = read(
        "L&OD can't build anything new until the new LMS goes live in April. Put it back to Sept?",
        course,
        today=WINTER,
    )
    assert date(2029, 9, 30) in {o.day for o in reading.date_options}


# -- what blind batch 21 taught ----------------------------------------------------------------

SPRING = date(2028, 3, 8)  # a Wednesday


def test_red_with_a_reason_asks_the_date() -> None:
    late = Candidate("A4", "Commission the retail study", Status.DELAYED, date(2028, 5, 31))
    assert read("Red. Consultants went bust.", late, today=SPRING).ask_date


def test_a_session_left_beside_a_rescheduled_one_is_asked() -> None:
    sessions = Candidate("PE9", "Hold locality sessions", Status.PARTIALLY_COMPLETE)
    sessions = Candidate(sessions.ref, sessions.text, sessions.status, date(2028, 3, 31))
    reading = read(
        "one session left - the Glenburn one was snowed off (!) rescheduled 26th April",
        sessions,
        today=date(2028, 4, 5),
    )
    assert reading.ask_status and None in reading.status_options[:3]  # keep it part done


def test_a_round_of_ongoing_work_late_is_not_the_action_late() -> None:
    bulletin = Candidate("PE6", "Quarterly engagement bulletin", Status.IN_PROGRESS, None)
    reading = read(
        "Q1 bulletin delayed a couple of weeks - comms team short staffed. Out mid July",
        bulletin,
        today=date(2028, 6, 23),
    )
    assert reading.ask_status and None in reading.status_options[:2]


def test_a_weekday_alone_is_asked_about() -> None:
    sessions = Candidate("PE9", "Hold locality sessions", Status.PARTIALLY_COMPLETE)
    sessions = Candidate(sessions.ref, sessions.text, sessions.status, date(2028, 3, 31))
    assert read("Friday", sessions, today=SPRING).ask_status


def test_end_of_month_without_the() -> None:
    late = Candidate("TP4", "Run the STAR survey", Status.DELAYED, date(2028, 4, 30))
    reading = read("should be done by end of month", late, today=date(2028, 5, 9))
    assert date(2028, 5, 31) in [reading.new_date, *(o.day for o in reading.date_options)]


def test_small_talk_before_anyway_is_not_the_news() -> None:
    inspectors = Candidate("TP8", "Review the self-assessment against the Housing Ombudsman code")
    videos = Candidate("TP10", "Deliver the damp and mould communications campaign")
    got = volunteered(
        "Hi there, hope you're well. Been a mad few weeks with the elections and the new "
        "Cabinet Member for Housing starting. Anyway, the damp & mould videos finally went out "
        "last week.",
        inspectors,
        videos,
    )
    assert "TP8" not in got and "TP10" in {*got, *(r for g in got.values() for r in g.ref_options)}


def test_a_half_year_alone_offers_this_one_and_the_next() -> None:
    survey = Candidate("R8", "Run the highways survey", Status.NOT_STARTED, date(2028, 3, 31))
    reading = read("H2", survey, today=SPRING)
    assert reading.ask_date and reading.ask_status
    assert {date(2028, 3, 31), date(2029, 3, 31)} <= {o.day for o in reading.date_options}


def test_words_of_work_going_on_are_offered() -> None:
    """'So in progress I suppose', 'should be fine for end of January', 'pubd', 'all 3 in'."""
    late = Candidate("HC3", "Agree the data-sharing protocol", Status.DELAYED, date(2027, 1, 31))
    reading = read(
        "DPIA done, protocol drafted and out to partners for signature. Should be fine for end "
        "of January.",
        late,
        today=date(2026, 12, 8),
    )
    assert Status.IN_PROGRESS in reading.status_options[:3]
    returns = Candidate("A10", "Load the returns", Status.PARTIALLY_COMPLETE, date(2026, 12, 31))
    reading = read("all 3 in pentana now, reportin from Q1", returns, today=date(2027, 2, 17))
    assert Status.COMPLETE in reading.status_options[:3]


# -- what blind batch 22 (scored cold on the reader above) taught ------------------------------

SUMMER = date(2027, 7, 14)  # a Wednesday


def test_when_the_officer_is_back_is_not_the_target() -> None:
    late = Candidate("2.2", "Agree the carers' engagement plan", Status.DELAYED, date(2027, 3, 31))
    reading = read("Sorry, off sick at the moment, back on 2 Aug. Will update then", late, SUMMER)
    assert reading.new_date != date(2027, 8, 2)


def test_the_back_end_of_the_year_is_its_end_not_a_delay() -> None:
    review = Candidate("CI3", "Review the SCI", Status.NOT_STARTED, date(2027, 12, 31))
    assert read("back end of the year", review, today=SUMMER).status is not Status.DELAYED


def test_subsumed_can_come_off_offers_withdrawn() -> None:
    code = Candidate("TP8", "Review complaints handling with tenants", Status.IN_PROGRESS)
    reading = read(
        "subsumed by the new Complaints Handling Code self-assessment - can come off", code
    )
    assert reading.ask_status and Status.WITHDRAWN in reading.status_options[:3]


def test_a_wait_that_could_be_months_asks_the_date() -> None:
    crewing = Candidate("S3", "Consult staff on crewing", Status.NOT_STARTED, date(2027, 8, 31))
    reading = read("once the negotiations with the FBU conclude - could be months", crewing, SUMMER)
    assert reading.ask_date and reading.new_date is None
