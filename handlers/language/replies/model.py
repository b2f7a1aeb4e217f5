"""What a reading is: the actions a reply may be about, and what was understood of it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from models.tables import Status


@dataclass(frozen=True)
class Candidate:
    """An action listed in the reminder."""

    ref: str  # "R1", "1.3"
    text: str  # its recommendation/action text, for matching by words
    status: Status | None = None  # where it stands now, if known
    target: date | None = None  # its target date now, if it has one


@dataclass(frozen=True)
class DateOption:
    """A date the reply names that could be the new target, with the words that name it."""

    day: date
    words: str  # "done by end of June", as the officer wrote it


@dataclass(frozen=True)
class ParsedReply:
    """What was understood of one reply; see the package docstring.

    A field is settled only on explicit evidence. Otherwise the officer is asked, and the
    question offers what the reply contains: `status_options` (best guess first; None stands
    for "keep it as it is") and `date_options` (each date found, with its words).
    """

    ref: str | None
    refs_mentioned: tuple[str, ...]
    status: Status | None
    note: str
    new_date: date | None
    date_text: str
    date_problem: str | None
    date_needs_confirmation: bool
    date_in_past: bool
    status_unclear: bool = False  # progress was reported but no status can be read: ask
    status_options: tuple[Status | None, ...] = ()  # when asking the status: best first
    date_options: tuple[DateOption, ...] = ()  # when asking the date: the dates it names
    ref_options: tuple[str, ...] = ()  # when asking which action: the ones it could be
    # Given this part of a message about several actions by its title's words alone, not its
    # ref: the officer confirms which action each part is about, one at a time.
    ref_unsure: bool = False
    # Words of the reply the reader could not account for, when that is why it asks the
    # status, or the date: the question says so.
    unsure: str = ""
    unsure_date: str = ""

    @property
    def ask_status(self) -> bool:
        """The officer must pick the status (buttons): it can't be read, nor kept."""
        return self.status_unclear

    @property
    def ask_date(self) -> bool:
        """The revised date must be asked for again: unreadable, or in the past."""
        return self.date_problem is not None or self.date_in_past
