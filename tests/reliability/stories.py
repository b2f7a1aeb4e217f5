"""An officer's progress update told to the real Slack endpoint, one DM at a time, each waiting
for the bot's answer; and how to count what was stored against what the bot confirmed."""

from __future__ import annotations

import json
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlencode

from sqlmodel import select

from bot.conversation import FAILED, UNAVAILABLE
from handlers.chat.context import AppContext
from models.db import transaction
from models.tables import Action, ProgressNote
from tests.fakes.slack_api import text_of
from tests.reliability.officers import Officer
from tests.slack_harness import SlackBot, payload

ANSWER_WITHIN = 60.0  # seconds: no answer by then counts as none (lost)
APOLOGIES = (FAILED, UNAVAILABLE)  # "nothing was saved, please try again"


@dataclass
class Story:
    """One officer's update of their action: the note they give and what they were told."""

    officer: Officer
    note: str
    heard: list[str] = field(default_factory=list)
    tries: int = 0  # messages sent and forms asked for
    unanswered: int = 0  # messages the bot never answered
    apologies: int = 0  # answers that were an apology: "nothing was saved, please try again"

    def steps(self) -> list[str]:
        return [f"update {self.officer.ref}", "delayed", self.note, "keep", "save"]

    def say(self, bot: SlackBot, text: str, within: float = ANSWER_WITHIN) -> str:
        """DM the bot and wait for its answer; '' if none came."""
        seen = len(bot.slack.posted_in(self.officer.place))
        self.tries += 1
        bot.dm(self.officer.chat_id, text)
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            if len(bot.slack.posted_in(self.officer.place)) > seen:
                answer = text_of(bot.slack.posted_in(self.officer.place)[-1].params)
                self.heard.append(answer)
                self.apologies += answer.startswith(APOLOGIES)
                return answer
            time.sleep(0.05)
        self.unanswered += 1
        return ""

    def open_form(self, bot: SlackBot, within: float = 3.0) -> bool:
        """`/engage update F1`: the update form opens, or a private answer says why not."""
        name = f"form-{self.officer.ref}"
        form = payload(
            "slash_command",
            user=self.officer.chat_id,
            text=f"update {self.officer.ref}",
            response_url=bot.slack.response_url(name),
        )
        seen = len(self._form_answers(bot, name))
        self.tries += 1
        bot.post(urlencode(form), "application/x-www-form-urlencoded")
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            if len(self._form_answers(bot, name)) > seen:
                return True
            time.sleep(0.02)
        self.unanswered += 1
        return False

    def _form_answers(self, bot: SlackBot, name: str) -> list[object]:
        ref = re.compile(rf"\b{re.escape(self.officer.ref)}\b")  # the form names its action
        opened = [
            c
            for c in bot.slack.delivered("views.open")
            if ref.search(json.dumps(c.params.get("view", {}).get("title", {})))
        ]
        return opened + [c for c in bot.slack.delivered("respond") if c.path.endswith(name)]

    @property
    def saved(self) -> bool:
        return any(h.startswith("Saved.") for h in self.heard)


def tell(bot: SlackBot, story: Story, steps: slice = slice(None)) -> None:
    """The update (or some of its steps); what got an apology is said again a little later,
    as a person would."""
    for text in story.steps()[steps]:
        answer = story.say(bot, text)
        while answer.startswith(APOLOGIES) and len(story.heard) < 60:
            time.sleep(0.5)
            answer = story.say(bot, text)


def stored_notes(ctx: AppContext, stories: list[Story]) -> Counter[str]:
    """How many times each story's note is stored."""
    wanted = {s.note for s in stories}
    with transaction(ctx.engine) as session:
        texts = session.exec(select(ProgressNote.text).join(Action)).all()
    return Counter(t for t in texts if t in wanted)


def lost_and_duplicated(ctx: AppContext, stories: list[Story]) -> tuple[int, int]:
    """Lost: a note an officer gave (and said again after any apology) that is not stored.
    Duplicated: a note stored more than once."""
    notes = stored_notes(ctx, stories)
    lost = sum(1 for s in stories if notes[s.note] == 0)
    duplicated = sum(n - 1 for n in notes.values() if n > 1)
    return lost, duplicated
