"""Reading officers safely, told as stories: each case of the issue through the console chat,
Slack (signed requests to the real endpoint) and Teams (activities to the real endpoint).

Sam owns four actions of a small engagement plan, all due, and has had this morning's reminder
(except in the last story, where Sam writes first). In every story the bot either reads the
reply right or asks, offering what the reply says; it never shows a wrong reading for Save.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Protocol

import pytest
from sqlmodel import select
from typer.testing import Result

from bot.channels.slack import SlackSender
from handlers.chat.context import AppContext
from handlers.importing.importer import import_file
from handlers.plans.people import assign
from models.db import transaction
from models.tables import Action, Status
from reminders.delivery import deliver
from reminders.policy import Policy
from reminders.sweep import sweep
from tests.conftest import SAM, Chat
from tests.fakes.slack_api import text_of
from tests.slack_harness import slack_bot
from tests.teams_harness import teams_bot

SAM_SLACK = "U0SAM"
SAM_AAD = "6b0a3c1e-0000-4000-8000-00000000053a"
OFFICER = "Engagement Officer"
HEADER = ["Ref", "Action", "Responsible officer", "Target Date", "Progress"]
PLAN = [  # "today" in the suite is Monday 23 November 2026: every action is due
    ["T1", "Produce the community engagement strategy and take it to Cabinet", OFFICER,
     "23/11/2026", "In progress"],
    ["T2", "Develop a toolkit for staff and a training module", OFFICER, "20/11/2026",
     "In progress"],
    ["T3", "Residents' panel: recruit members and hold the first meeting", OFFICER,
     "16/11/2026", "Not started"],
    ["T4", "Flow charts to help officers decide the right level of engagement", OFFICER,
     "20/11/2026", "In progress"],
]  # fmt: skip


class Officer(Protocol):
    """Sam, in one channel: what Sam says or presses, and what the bot shows back."""

    def remind(self) -> str: ...
    def say(self, text: str) -> str: ...
    def press(self, label: str) -> str: ...


class ConsoleOfficer:
    def __init__(self, chat: Chat, cli: Callable[..., Result]) -> None:
        self.chat, self.cli = chat(SAM), cli

    def remind(self) -> str:
        self.cli("remind", "--now")
        return self.chat.inbox()

    def say(self, text: str) -> str:
        return self.chat.send(text)

    def press(self, label: str) -> str:
        return self.chat.send(label)  # a numbered option, chosen by its label


class SlackOfficer:
    def __init__(self, ctx: AppContext, bot: Any) -> None:
        self.ctx, self.bot, self.seen = ctx, bot, 0
        self.last: dict[str, Any] = {}

    def _next(self) -> str:
        self.seen += 1
        self.last = self.bot.slack.wait_for("chat.postMessage", self.seen)[-1].params
        return text_of(self.last)

    def remind(self) -> str:
        sweep(self.ctx, Policy(), "slack")
        assert deliver(self.ctx, SlackSender(self.bot.channel.client)).sent == 1
        return self._next()

    def say(self, text: str) -> str:
        self.bot.dm(SAM_SLACK, text)
        return self._next()

    def press(self, label: str) -> str:
        found = {
            e["text"]["text"]: e["value"]
            for block in self.last.get("blocks", [])
            for e in block.get("elements", [])
            if e.get("type") == "button"
        }
        self.bot.press(SAM_SLACK, found[label], label)
        return self._next()


class TeamsOfficer:
    def __init__(self, ctx: AppContext, bot: Any) -> None:
        self.ctx, self.bot = ctx, bot
        bot.install(SAM_AAD)  # the app installed in Sam's personal chat: a welcome
        self.seen = len(bot.teams.wait_for("send"))
        self.last: Any = None

    def _next(self) -> str:
        self.seen += 1
        self.last = self.bot.teams.wait_for("send", self.seen)[-1]
        return str(self.last.text)

    def remind(self) -> str:
        sweep(self.ctx, Policy(), "teams")
        assert deliver(self.ctx, self.bot.sender()).sent == 1
        return self._next()

    def say(self, text: str) -> str:
        self.bot.say(SAM_AAD, text)
        return self._next()

    def press(self, label: str) -> str:
        self.bot.button(SAM_AAD, self.last, label)
        return self._next()


@pytest.fixture
def plan(ctx: AppContext, tmp_path: Path) -> AppContext:
    sheet = tmp_path / "engagement-plan.csv"
    with sheet.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([HEADER, *PLAN])
    import_file(ctx, sheet, plan_name="engagement")
    with transaction(ctx.engine) as session:
        assign(
            session,
            OFFICER,
            name="Sam Patel",
            email=SAM,
            chat={"slack": SAM_SLACK, "teams": SAM_AAD},
        )
    return ctx


@pytest.fixture(params=["console", "slack", "teams"])
def sam(
    request: pytest.FixtureRequest, plan: AppContext, chat_as: Chat, cli: Callable[..., Result]
) -> Iterator[Officer]:
    """Sam in each channel in turn."""
    if request.param == "console":
        yield ConsoleOfficer(chat_as, cli)
    elif request.param == "slack":
        with slack_bot(plan) as bot:
            yield SlackOfficer(plan, bot)
    else:
        with teams_bot(plan) as bot:
            yield TeamsOfficer(plan, bot)


@pytest.fixture
def reminded(sam: Officer) -> Officer:
    assert "4 actions need your update" in sam.remind()
    return sam


def stored(ctx: AppContext, ref: str) -> Action:
    with transaction(ctx.engine) as session:
        action = session.exec(select(Action).where(Action.ref == ref)).one()
        session.expunge(action)
        return action


def test_an_in_progress_action_is_moved_by_a_date_given_in_passing(
    reminded: Officer, plan: AppContext
) -> None:
    answer = reminded.say(
        "T1: the youth council want one more look, so realistically it goes to Cabinet in "
        "March now."
    )
    # more than a plain answer: its reading is offered first, one tap, not shown for Save
    assert "I read it as \u201cDelayed, target 31 March 2027\u201d" in answer
    assert "T1 →" not in answer and "Keep it In progress" in answer
    confirmed = reminded.press("Delayed, target 31 March 2027")
    assert "T1 → Delayed, revised target 31 March 2027." in confirmed  # not the old target
    assert "revised to 31 March 2027" in reminded.press("Save")
    assert str(stored(plan, "T1").target_date) == "2027-03-31"
    assert stored(plan, "T1").status is Status.DELAYED


def test_a_part_done_is_not_the_whole_action_complete(reminded: Officer, plan: AppContext) -> None:
    answer = reminded.say(
        "T2: the toolkit is finished and on the intranet; the training module is still with L&D."
    )
    assert "What's the status now?" in answer
    assert "Partially complete" in answer and "Keep it In progress" in answer  # the buttons
    assert "Complete." not in answer and "T2 →" not in answer  # nothing shown as settled
    asked = reminded.press("Partially complete")
    assert "when will the rest be done?" in asked  # its target has passed: asked, not kept
    confirmed = reminded.press("Keep the date")
    assert "T2 → Partially complete." in confirmed
    assert "Saved. T2 is now Partially complete" in reminded.press("Save")
    assert stored(plan, "T2").status is Status.PARTIALLY_COMPLETE


def test_the_reminder_quoted_back_is_not_read_as_the_officers_words(
    reminded: Officer, plan: AppContext
) -> None:
    answer = reminded.say(
        "> T1: Due today\n"
        "> Produce the community engagement strategy and take it to Cabinet\n"
        "> Status: In progress, due today\n"
        "Cabinet adopted it last night, so it's done."
    )
    assert "T1 → Complete." in answer
    assert "revised target" not in answer  # "due today" is the reminder's, not a new date
    assert "Saved. T1 is now Complete" in reminded.press("Save")


def test_of_several_dates_the_end_of_the_work_is_the_target(
    reminded: Officer, plan: AppContext
) -> None:
    answer = reminded.say(
        "T4: testing with the planning team ends 29 January, then the final version goes to "
        "the steering group on 10 March."
    )
    assert "Keep it In progress, target 10 March 2027" in answer  # the end, not 29 January
    assert "T4 →" not in answer
    confirmed = reminded.press("Keep it In progress, target 10 March 2027")
    assert "T4 → In progress, revised target 10 March 2027." in confirmed
    assert "revised to 10 March 2027" in reminded.press("Save")


def test_a_vague_time_is_asked_about_with_its_end_offered(
    reminded: Officer, plan: AppContext
) -> None:
    answer = reminded.say("T2: the training module won't be ready until the spring now")
    assert "New target date?" in answer and "the spring" in answer
    assert "31 May 2027" in answer and "Let me type it" in answer  # buttons: its end, or type
    assert "T2 →" not in answer  # no date settled from "the spring"
    confirmed = reminded.press("31 May 2027")
    assert "revised target 31 May 2027." in confirmed
    reminded.press("Save")
    assert str(stored(plan, "T2").target_date) == "2027-05-31"


def test_an_update_volunteered_in_a_direct_message(sam: Officer, plan: AppContext) -> None:
    answer = sam.say("Quick update on the flowchart: legal have signed it off, so that one's done.")
    assert "update on T4" in answer  # "the flowchart" is T4's title; no reminder needed
    assert "Sorry, I didn't understand" not in answer
    assert "T4 →" not in answer  # "legal ... signed off" unread: asked, Complete first
    assert "T4 → Complete." in sam.press("Complete")
    assert "Saved. T4 is now Complete" in sam.press("Save")
    assert stored(plan, "T4").status is Status.COMPLETE


def test_a_reply_saying_more_than_was_read_is_asked_with_the_reading_first(
    reminded: Officer, plan: AppContext
) -> None:
    answer = reminded.say("T3: the library van has the leaflets and the parish mags ran it")
    assert "T3 →" not in answer  # nothing read of the status: "no change" is not settled
    assert "What's the status now?" in answer and "Keep it Not started" in answer
    assert "has passed" in reminded.press("In progress")  # its target is behind it: asked too
    assert "T3 → In progress." in reminded.press("Keep the date")
    reminded.press("Save")
    assert stored(plan, "T3").status is Status.IN_PROGRESS


def test_picking_delayed_asks_to_when(reminded: Officer, plan: AppContext) -> None:
    answer = reminded.say("T2: I don't think we'll get the trainer booked, budget's frozen")
    assert "What's the status now?" in answer and "Delayed" in answer
    asked = reminded.press("Delayed")
    assert "New target date?" in asked  # late: the target moves too, or is kept on purpose
    confirmed = reminded.press("Keep the date")
    assert "T2 → Delayed." in confirmed


def test_news_of_two_actions_asked_one_at_a_time_and_neither_dropped(
    reminded: Officer, plan: AppContext
) -> None:
    answer = reminded.say("Sorry, been off. Cabinet signed it off and we got 14 for the panel")
    assert "Which action is that about?" in answer  # not split with confidence: asked
    asked = reminded.press("T1")
    assert "T1 →" not in asked and "Complete" in asked  # "signed it off": Complete offered
    assert "T1 → Complete." in reminded.press("Complete")
    saved = reminded.press("Save")
    assert "Saved. T1 is now Complete" in saved
    assert "Was your message about another action too?" in saved  # the panel is not dropped
    assert "What's the status now?" in reminded.press("T3")  # read again, for T3 alone
    assert "has passed" in reminded.press("In progress")
    assert "T3 → In progress." in reminded.press("Keep the date")
    again = reminded.press("Save")
    assert "Saved. T3 is now In progress" in again
    assert "Was your message about another action too?" in again
    assert "that's everything" in reminded.press("That's all")
    assert stored(plan, "T1").status is Status.COMPLETE
    assert stored(plan, "T3").status is Status.IN_PROGRESS
    assert stored(plan, "T2").status is Status.IN_PROGRESS  # untouched: not in the news


def test_keeping_the_status_of_a_reply_that_speaks_of_slipping_still_asks_the_date(
    reminded: Officer, plan: AppContext
) -> None:
    answer = reminded.say("T1: Cabinet papers are late so it may slip, I'll come back to you")
    assert "T1 →" not in answer and "What's the status now?" in answer
    asked = reminded.press("Keep it In progress")
    assert "New target date?" in asked  # "may slip": kept, but to when?
    assert "T1 → In progress, revised target 31 January 2027." in reminded.say("31/01/2027")
    reminded.press("Save")
    assert str(stored(plan, "T1").target_date) == "2027-01-31"


def test_asked_about_another_action_a_new_message_is_read_as_its_own(
    reminded: Officer, plan: AppContext
) -> None:
    reminded.say("Sorry, been off. Cabinet signed it off and we got 14 for the panel")
    reminded.press("T1")
    reminded.press("Complete")
    assert "another action too?" in reminded.press("Save")
    answer = reminded.say("T4: the flow charts are delayed to the end of March")
    assert "Please pick one" not in answer  # not held to the old question
    assert "T4 → Delayed, revised target 31 March 2027." in answer


def test_news_told_apart_only_by_title_words_is_confirmed_one_action_at_a_time(
    reminded: Officer, plan: AppContext
) -> None:
    answer = reminded.say("Strategy: done. Flow charts: done.")
    # no refs: which words are whose is the reader's guess, so nothing is shown for Save yet
    assert "Which action first?" in answer and "→" not in answer
    assert "T1 → Complete." in reminded.press("T1")
    saved = reminded.press("Save")
    assert "Saved. T1 is now Complete" in saved
    assert "also about T4" in saved
    # Sam meant the strategy's own flow charts: T4 is declined, and stays as it was
    assert "that's everything" in reminded.press("That's all")
    assert stored(plan, "T1").status is Status.COMPLETE
    assert stored(plan, "T4").status is Status.IN_PROGRESS
