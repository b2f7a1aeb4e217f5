"""A person's reminder settings, in any chat: when reminders come, and a snooze."""

from __future__ import annotations

from collections.abc import Callable

from sqlmodel import select
from typer.testing import Result

from handlers.chat.context import AppContext
from models.db import transaction
from models.tables import ReminderSetting
from tests.conftest import SAM, Chat


def test_reminder_settings_in_words_and_bad_ones_explained(
    blackpool: AppContext, chat_as: Chat, cli: Callable[..., Result]
) -> None:
    sam = chat_as(SAM)
    assert "Done: your reminders will come at 14:00" in sam.send("remind me at 2pm")
    assert "working hours, 08:00 to 17:00" in sam.send("remind me at 8pm")
    assert "couldn't read 'teatime' as a time" in sam.send("remind me at teatime")
    assert "no reminders until 7 December 2026" in sam.send("snooze my reminders for two weeks")
    home = sam.send("home")
    assert "You have 7 open actions" in home
    assert "snoozed until 7 December 2026; then they come at 14:00" in home
    assert "Your reminders are back on" in sam.send("resume my reminders")
    assert "at the usual time again" in sam.send("remind me at the usual time")
    # An erasure takes the settings with the person.
    assert cli("people", "forget", SAM, "--yes").exit_code == 0
    with transaction(blackpool.engine) as session:
        assert session.exec(select(ReminderSetting)).all() == []
