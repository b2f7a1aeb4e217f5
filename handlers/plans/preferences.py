"""A person's reminder settings: the time of day they come, and a snooze (none until a date)."""

from __future__ import annotations

import re
from datetime import date, datetime, time

from sqlmodel import Session, select

from handlers.language.targets import format_date
from models.tables import Person, ReminderSetting

EARLIEST, LATEST = time(8, 0), time(17, 0)  # working hours: never early morning or evening
OFFERED = (time(9, 30), time(12, 0), time(14, 0), time(16, 0))  # the Home tab's choices
_TIME = re.compile(
    r"^\s*(?P<h>\d{1,2})(?:[:.](?P<m>\d{2}))?\s*(?P<ampm>am|pm|a\.m\.|p\.m\.)?\s*$", re.IGNORECASE
)


class SettingError(ValueError):
    """A setting that can't be taken, in words for the person."""


def setting_of(session: Session, person: Person) -> ReminderSetting | None:
    return session.exec(
        select(ReminderSetting).where(ReminderSetting.person_id == person.id)
    ).first()


def _setting(session: Session, person: Person, now: datetime) -> ReminderSetting:
    found = setting_of(session, person)
    if found is None:
        found = ReminderSetting(person_id=person.id or 0, updated_at=now)
    found.updated_at = now
    return found


def read_time(text: str) -> time:
    """'14:00', '2pm', '9.30', 'noon' as a time of day in working hours."""
    words = text.strip().lower()
    if words in ("noon", "midday", "12 noon"):
        return time(12, 0)
    match = _TIME.match(words)
    if match is None:
        raise SettingError(f"I couldn't read '{text.strip()}' as a time: try 14:00 or 2pm.")
    hour, minute = int(match["h"]), int(match["m"] or 0)
    ampm = (match["ampm"] or "").replace(".", "")
    if ampm == "pm" and hour < 12:
        hour += 12
    elif ampm == "am" and hour == 12:
        hour = 0
    if hour > 23 or minute > 59:
        raise SettingError(f"'{text.strip()}' isn't a time of day: try 14:00 or 2pm.")
    at = time(hour, minute)
    if not EARLIEST <= at <= LATEST:
        raise SettingError(
            f"Reminders come in working hours, {EARLIEST:%H:%M} to {LATEST:%H:%M}: "
            "pick a time between them."
        )
    return at


def set_time(session: Session, person: Person, at: time | None, now: datetime) -> None:
    """Reminders at `at` from now on; None: when the deployment sends them."""
    setting = _setting(session, person, now)
    setting.remind_at = at
    session.add(setting)


def snooze(session: Session, person: Person, until: date | None, now: datetime) -> None:
    """No reminders before `until` (None: resume them now)."""
    setting = _setting(session, person, now)
    setting.snoozed_until = until
    session.add(setting)


def describe(setting: ReminderSetting | None, today: date) -> str:
    """The person's settings in words."""
    at = setting.remind_at if setting else None
    when = f"at {at:%H:%M}" if at else "at the usual time, in the morning"
    snoozed = setting.snoozed_until if setting else None
    if snoozed and snoozed > today:
        return f"Your reminders are snoozed until {format_date(snoozed)}; then they come {when}."
    return f"Your reminders come {when}, on working days."
