"""Reminders: who is nudged when, exactly once, with a fixed clock and a recording channel."""

from __future__ import annotations

import csv
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from handlers.chat.clock import FixedClock
from handlers.chat.context import AppContext
from handlers.chat.messages import Reply
from handlers.chat.outbound import Recipient, SendError, Sent
from handlers.chat.state import ConversationKey
from handlers.importing.importer import import_file
from handlers.plans.people import assign, make_admin
from models.db import make_engine, transaction
from models.tables import Consultation, Outbox, Person, SentReminder
from reminders.delivery import deliver
from reminders.policy import Policy
from reminders.sweep import sweep
from tests.conftest import LONDON, SAM, Chat

PRIYA = "priya.shah@example.org"
CHAIR = "pat.doyle@example.org"
POLICY = Policy()
HEADER = ["Ref", "Recommendation", "Responsible officer", "Target Date", "Progress"]

# Monday 23 November 2026 is "today" in the suite.
ROWS = [
    ["A1", "Publish the engagement toolkit", "Engagement Officer", "11/12/2026", ""],  # lead-14
    ["A2", "Brief councillors on the strategy", "Engagement Officer", "26/11/2026", ""],  # lead-3
    ["A3", "Agree the consultation register", "Engagement Officer", "23/11/2026", ""],  # due
    ["A4", "Train staff in engagement", "Engagement Officer", "16/11/2026", ""],  # overdue-1
    ["A5", "Review Infusion costs", "Engagement Officer", "02/11/2026", ""],  # overdue-3
    ["A6", "Map community assets", "Engagement Officer", "20/11/2026", ""],  # due last Friday
    ["A7", "Set up the steering group", "Engagement Officer", "23/11/2026", "Complete"],
    ["A8", "Old idea", "Engagement Officer", "23/11/2026", "Withdrawn – no longer needed"],
    ["A9", "Keep the area profiles current", "Policy Manager", "Ongoing", ""],
    ["A10", "Equality monitoring health check", "Policy Manager", "Annually in April", ""],
    ["A11", "Christmas toolkit launch", "Policy Manager", "25/12/2026", ""],
    ["A12", "Role nobody holds", "Head of Nothing", "23/11/2026", ""],
]


@dataclass
class Delivered:
    to: str
    reply: Reply


@dataclass
class RecordingSender:
    """The chat platform, as far as reminders are concerned: it records what it is given."""

    via: str = "slack"
    sent: list[Delivered] = field(default_factory=list)
    fail_next: int = 0

    def send(self, to: Recipient, reply: Reply) -> Sent:
        if self.fail_next:
            self.fail_next -= 1
            raise SendError("Slack is down")
        who = to.chat_channel or to.email or ""
        self.sent.append(Delivered(who, reply))
        if to.chat_channel:
            return Sent(None, f"{who} 1")
        return Sent(ConversationKey(self.via, "T0COUNCIL", f"D-{who}", f"U-{who}"), f"D-{who} 1")

    def update(self, sent: Sent, reply: Reply) -> None:
        self.sent.append(Delivered(f"update {sent.message_id}", reply))

    def to(self, who: str) -> list[Reply]:
        return [s.reply for s in self.sent if s.to == who]


def sweep_twice_at_once(url: str, ctx: AppContext) -> list[RecordingSender]:
    """Two processes' worth of sweep and delivery, started together on one database."""
    contexts = [AppContext(make_engine(url), ctx.clock, LONDON) for _ in range(2)]
    start = threading.Barrier(2)
    senders = [RecordingSender(), RecordingSender()]

    def one(index: int) -> None:
        start.wait()
        sweep(contexts[index], POLICY, "slack")
        deliver(contexts[index], senders[index])

    threads = [threading.Thread(target=one, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for each in contexts:
        each.engine.dispose()
    return senders


def refs_in(reply: Reply) -> list[str]:
    return [item.heading.rsplit(": ", 1)[0] for item in reply.items]


@pytest.fixture
def plan(ctx: AppContext, tmp_path: Path) -> AppContext:
    sheet = tmp_path / "reminder-plan.csv"
    with sheet.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([HEADER, *ROWS])
    import_file(ctx, sheet, plan_name="plan")
    with transaction(ctx.engine) as session:
        assign(session, "Engagement Officer", name="Sam Patel", email=SAM)
        assign(session, "Policy Manager", name="Priya Shah", email=PRIYA)
        make_admin(session, "plan", email=CHAIR, name="Cllr Pat Doyle")
    return ctx


def run(
    ctx: AppContext, at: datetime | None = None, sender: RecordingSender | None = None
) -> RecordingSender:
    """One sweep and delivery at `at` (default: the clock's time)."""
    assert isinstance(ctx.clock, FixedClock)
    if at is not None:
        ctx.clock.at = at
    sender = sender or RecordingSender()
    sweep(ctx, POLICY, sender.via)
    deliver(ctx, sender)
    return sender


def at(day: date, hour: int = 9, minute: int = 30) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=LONDON)


def test_one_message_per_officer_lists_everything_due_today(plan: AppContext) -> None:
    sent = run(plan, at(date(2026, 11, 23)))
    [sams] = sent.to(SAM)
    # A6 fell due last Friday, before the bot knew of it: the first sweep catches it up.
    assert refs_in(sams) == ["A1", "A2", "A3", "A4", "A5", "A6"]
    assert "offline" not in sams.text
    headings = [i.heading for i in sams.items]
    assert headings[0] == "A1: Due 11 December 2026 (in 2 weeks)"
    assert headings[2] == "A3: Due today"
    assert headings[3] == "A4: 7 days overdue"
    labels = [c.label for c in sams.items[0].choices]
    assert labels == [
        "Add update",
        "Mark complete",
        "Needs a new date",
        "Snooze a week",
        "Not mine",
    ]
    assert sent.to(PRIYA) == []  # her ongoing and recurring actions are not due today


def test_the_chair_hears_of_an_action_after_two_unanswered_overdue_nudges(
    plan: AppContext,
) -> None:
    sent = run(plan, at(date(2026, 11, 23)))
    [chairs] = sent.to(CHAIR)
    assert refs_in(chairs) == ["plan:A5"]
    assert "had no answer to two reminders" in chairs.text


def test_complete_and_withdrawn_actions_are_never_nudged(plan: AppContext) -> None:
    for day in range(40):
        sent = run(plan, at(date(2026, 11, 2) + timedelta(days=day)))
        for reply in sent.to(SAM):
            assert not {"A7", "A8"} & set(refs_in(reply))


def test_nothing_goes_out_at_weekends_in_the_evening_or_before_half_past_nine(
    plan: AppContext,
) -> None:
    assert run(plan, at(date(2026, 11, 28), 10, 0)).sent == []  # Saturday
    assert run(plan, at(date(2026, 11, 23), 18, 0)).sent == []  # Monday evening
    assert run(plan, at(date(2026, 11, 23), 9, 0)).sent == []  # before 09:30
    assert run(plan, at(date(2026, 11, 23), 9, 30)).sent != []


def test_a_target_on_a_bank_holiday_is_nudged_the_working_day_before(plan: AppContext) -> None:
    sent = run(plan, at(date(2026, 12, 24)))  # A11 is due on Christmas Day
    [priyas] = sent.to(PRIYA)
    assert refs_in(priyas) == ["A11"]
    assert run(plan, at(date(2026, 12, 25), 10)).sent == []  # Christmas Day itself
    assert run(plan, at(date(2026, 12, 28), 10)).sent == []  # Boxing Day, substitute holiday


def test_a_recurring_target_is_nudged_for_each_occurrence(plan: AppContext) -> None:
    # "Annually in April": 30 April 2027 is a Friday; 14 working days before is 12 April.
    [first] = run(plan, at(date(2027, 4, 12))).to(PRIYA)
    assert "A10" in refs_in(first)
    # 30 April 2028 is a Sunday: the "due" nudge comes on Friday 28 April.
    [second] = run(plan, at(date(2028, 4, 28))).to(PRIYA)
    assert "A10" in refs_in(second)


def test_an_ongoing_action_gets_a_quarterly_progress_check(plan: AppContext) -> None:
    # 1 January 2027 is a bank holiday and then a weekend: the check comes on Monday 4th.
    [priyas] = run(plan, at(date(2027, 1, 4))).to(PRIYA)
    assert "A9: Ongoing: time for a progress check" in [i.heading for i in priyas.items]
    assert "A10" not in refs_in(priyas)  # "Annually in April" is quiet in January


def test_a_snoozed_action_waits_a_week(plan: AppContext, chat_as: Callable[[str], Chat]) -> None:
    run(plan, at(date(2026, 11, 23)))
    answer = chat_as(SAM).send("snooze plan:A2")
    assert "again on Monday 30 November 2026" in answer
    thursday = run(plan, at(date(2026, 11, 26)))  # A2's target day: snoozed, so not nudged
    assert all("A2" not in refs_in(r) for r in thursday.to(SAM))
    [monday] = run(plan, at(date(2026, 11, 30))).to(SAM)
    assert "A2" in refs_in(monday)


def test_not_mine_is_recorded_and_the_chair_is_told(
    plan: AppContext, chat_as: Callable[[str], Chat]
) -> None:
    answer = chat_as(SAM).send("notmine plan:A2")
    assert "told the plan's chair" in answer
    sent = RecordingSender(via="console")  # the notice goes where Sam said it
    deliver(plan, sent)
    [notice] = sent.to(CHAIR)
    assert "Sam Patel says plan:A2 is not theirs" in notice.text


def test_a_role_nobody_holds_is_reported(plan: AppContext) -> None:
    plan.clock.at = at(date(2026, 11, 23))  # type: ignore[attr-defined]
    report = sweep(plan, POLICY, "slack", dry_run=True)
    assert "A12: nobody holds its role" in report.unreachable


def test_a_closed_consultation_asks_its_lead_for_findings_and_feedback(plan: AppContext) -> None:
    with transaction(plan.engine) as session:
        sam = session.exec(select(Person).where(Person.email == SAM)).one()
        session.add(
            Consultation(
                title="Library opening hours",
                lead_id=sam.id,
                planned_start=date(2026, 10, 1),
                planned_end=date(2026, 11, 20),
                status="open",
                created_at=plan.clock.now(),
            )
        )
    sent = run(plan, at(date(2026, 11, 23)))
    consultation = [r for r in sent.to(SAM) if "consultation" in r.text]
    assert len(consultation) == 1
    assert "Library opening hours (ended 20 November 2026)" in consultation[0].items[0].heading
    # Three weeks after closing (a week before the 28-day deadline), a feedback reminder.
    later = run(plan, at(date(2026, 12, 11)))
    assert any("you said, we did" in r.items[0].body for r in later.to(SAM) if r.items)


def test_a_nudge_goes_out_once_however_often_the_sweep_runs(plan: AppContext) -> None:
    first = run(plan, at(date(2026, 11, 23), 9, 30))
    again = run(plan, at(date(2026, 11, 23), 9, 45))
    later = run(plan, at(date(2026, 11, 23), 14, 0))
    assert len(first.to(SAM)) == 1
    assert again.sent == [] and later.sent == []


def test_two_sweeps_at_once_over_one_database_send_each_nudge_once(
    plan: AppContext, db_url: str
) -> None:
    plan.clock.at = at(date(2026, 11, 23))  # type: ignore[attr-defined]
    to_sam = [r for s in sweep_twice_at_once(db_url, plan) for r in s.to(SAM)]
    assert len(to_sam) == 1 and refs_in(to_sam[0]) == ["A1", "A2", "A3", "A4", "A5", "A6"]
    with transaction(plan.engine) as session:
        keys = session.exec(select(SentReminder.key)).all()
    assert len(keys) == len(set(keys))


def test_a_crash_between_claim_and_send_is_recovered_by_a_later_run(plan: AppContext) -> None:
    plan.clock.at = at(date(2026, 11, 23))  # type: ignore[attr-defined]
    sweep(plan, POLICY, "slack")
    with transaction(plan.engine) as session:  # a delivery run claims, then the process dies
        for row in session.exec(select(Outbox)).all():
            row.claimed_at = plan.clock.now()
            session.add(row)
    assert deliver(plan, RecordingSender()).sent == 0  # another run leaves a fresh claim alone
    plan.clock.at = at(date(2026, 11, 23), 9, 45)  # type: ignore[attr-defined]
    recovered = RecordingSender()
    deliver(plan, recovered)
    assert len(recovered.to(SAM)) == 1


def test_a_failed_send_is_retried_without_doubling(plan: AppContext) -> None:
    flaky = RecordingSender(fail_next=10)
    run(plan, at(date(2026, 11, 23)), flaky)
    assert flaky.sent == []
    flaky.fail_next = 0
    deliver(plan, flaky)
    assert flaky.sent == []  # backing off: not hammered again at once
    assert isinstance(plan.clock, FixedClock)
    plan.clock.advance(timedelta(minutes=15))  # the next sweep
    deliver(plan, flaky)
    deliver(plan, flaky)
    assert len(flaky.to(SAM)) == 1


def test_a_reminder_failing_for_a_day_is_kept_and_the_admins_are_told(plan: AppContext) -> None:
    down = RecordingSender(fail_next=10_000)
    run(plan, at(date(2026, 11, 23)), down)
    assert isinstance(plan.clock, FixedClock)
    for _ in range(24 * 4):  # a day of sweeps, every 15 minutes
        plan.clock.advance(timedelta(minutes=15))
        deliver(plan, down)
    down.fail_next = 0
    plan.clock.advance(timedelta(minutes=30))
    deliver(plan, down)
    assert len(down.to(SAM)) == 1  # never given up
    assert any("has not gone out for many hours" in r.text for r in down.to(CHAIR))


def test_a_day_of_downtime_gives_one_catch_up_message_per_officer(
    ctx: AppContext, tmp_path: Path
) -> None:
    rows = [
        ["B1", "Lead-3 falls on Tuesday", "Engagement Officer", "27/11/2026", ""],
        ["B2", "Lead-3 falls on Monday", "Engagement Officer", "26/11/2026", ""],
        ["B3", "Lead-14 falls on Wednesday", "Engagement Officer", "15/12/2026", ""],
    ]
    sheet = tmp_path / "downtime.csv"
    with sheet.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([HEADER, *rows])
    import_file(ctx, sheet, plan_name="downtime")
    with transaction(ctx.engine) as session:
        assign(session, "Engagement Officer", name="Sam Patel", email=SAM)
    [monday] = run(ctx, at(date(2026, 11, 23))).to(SAM)
    assert refs_in(monday) == ["B2"]
    # Tuesday: the bot is down. Wednesday: one message with what was missed and what is due.
    [wednesday] = run(ctx, at(date(2026, 11, 25))).to(SAM)
    assert sorted(refs_in(wednesday)) == ["B1", "B3"]
    assert "while I was offline" in wednesday.text


def test_dry_run_shows_what_would_go_out_and_why(
    plan: AppContext, cli: Callable[..., object]
) -> None:
    result = cli("remind", "--dry-run")
    output = result.output  # type: ignore[attr-defined]
    assert (
        "Sam Patel\tA1\tdue in 2 weeks (14 working days' notice): target 11 December 2026" in output
    )
    assert "Cllr Pat Doyle\tA5\ttwo reminders unanswered: the chair is told" in output
    assert "overdue-" not in output and "lead-" not in output  # words, not the nudges' keys
    with transaction(plan.engine) as session:
        assert session.exec(select(SentReminder)).all() == []  # nothing claimed


def test_reminders_reach_the_console_and_a_reply_in_words_is_saved(
    plan: AppContext, cli: Callable[..., object], chat_as: Callable[[str], Chat]
) -> None:
    result = cli("remind", "--now")
    assert "reminder messages queued for the console chat" in result.output  # type: ignore[attr-defined]
    sam = chat_as(SAM)
    inbox = sam.inbox()
    assert "Good morning Sam. 6 actions need your update" in inbox
    answer = sam.send("A1: toolkit drafted and out for feedback, will finish by end of March")
    # a draft of work recorded as not started: partly complete, or in progress? Asked
    assert "Partially complete" in answer and "In progress" in answer
    confirmed = sam.send("Partially complete")
    assert "A1 → Partially complete, revised target 31 March 2027." in confirmed
    assert "Saved. A1 is now Partially complete" in sam.send("save")


def _reminded(plan: AppContext, cli: Callable[..., object], chat_as: Callable[[str], Chat]) -> Chat:
    cli("remind", "--now")
    sam = chat_as(SAM)
    assert "Good morning Sam" in sam.inbox()
    return sam


def test_a_reply_that_could_be_about_several_actions_asks_which(
    plan: AppContext, cli: Callable[..., object], chat_as: Callable[[str], Chat]
) -> None:
    sam = _reminded(plan, cli, chat_as)
    asked = sam.send("Delayed, waiting for the steering group, new date 30/04/2027")
    assert "Which action is that about?" in asked
    assert "[1] A1" in asked
    answer = sam.send("A4")
    assert "A4 → Delayed, revised target 30 April 2027." in answer
    assert "Saved. A4 is now Delayed" in sam.send("save")


def test_an_unclear_date_in_a_reply_is_asked_about_not_guessed(
    plan: AppContext, cli: Callable[..., object], chat_as: Callable[[str], Chat]
) -> None:
    sam = _reminded(plan, cli, chat_as)
    unclear = sam.send("A1 slipping, new date 31/02/2027")
    assert "not a real date" in unclear and "New target date?" in unclear
    assert "A1 → Delayed, revised target 31 May 2027." in sam.send("31/05/2027")


def test_a_revised_date_in_the_past_is_refused(
    plan: AppContext, cli: Callable[..., object], chat_as: Callable[[str], Chat]
) -> None:
    sam = _reminded(plan, cli, chat_as)
    past = sam.send("A2: revised to 31 March 2020")
    assert "is in the past" in past and "New target date?" in past
    assert "A2 → " in sam.send("31/05/2027")


def test_only_someone_assigned_an_action_can_say_it_is_not_theirs(
    plan: AppContext, chat_as: Callable[[str], Chat]
) -> None:
    answer = chat_as("nobody@example.org").send("notmine plan:A2")
    assert "can't update A2" in answer
    sent = RecordingSender(via="console")
    deliver(plan, sent)
    assert sent.sent == []  # the chair was not troubled


def test_the_scheduled_job_sweeps_delivers_and_forgets_old_event_ids(plan: AppContext) -> None:
    from models.tables import HandledEvent
    from reminders.scheduler import run_once

    plan.clock.at = at(date(2026, 11, 23))  # type: ignore[attr-defined]
    with transaction(plan.engine) as session:
        session.add(
            HandledEvent(key="slack:T1:Ev0OLD", handled_at=plan.clock.now() - timedelta(days=8))
        )
        session.add(HandledEvent(key="slack:T1:Ev0NEW", handled_at=plan.clock.now()))
    sender = RecordingSender()
    run_once(plan, POLICY, sender)
    assert len(sender.to(SAM)) == 1
    with transaction(plan.engine) as session:
        assert [e.key for e in session.exec(select(HandledEvent)).all()] == ["slack:T1:Ev0NEW"]


def test_a_reply_too_long_to_read_is_answered_kindly_and_the_reminder_still_waits(
    plan: AppContext, cli: Callable[..., object], chat_as: Callable[[str], Chat]
) -> None:
    sam = _reminded(plan, cli, chat_as)
    pasted = "A1: " + "We ran another drop-in session at the library in March. " * 640
    answer = sam.send(pasted)
    assert f"That message is {len(pasted):,} characters long" in answer
    assert "up to 6,000 at a time, so nothing was saved" in answer
    answer = sam.send("A1: toolkit drafted and out for feedback, will finish by end of March")
    assert "What's the status now?" in answer  # the reminder still waited for this reply
    assert "A1 → Partially complete, revised target 31 March 2027." in sam.send(
        "Partially complete"
    )
