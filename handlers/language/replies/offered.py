"""The buttons a status question offers: the best guess first, then what the reply's own words
lean to, with "keep it as it is" always among the first three.

A question is only as good as its buttons: the officer should find the answer they mean
without typing it. The readers upstream choose the best guess; this table adds what else the
words of the reply could mean, in the order the reply says them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from models.tables import Status

BUTTONS = 3  # the status buttons shown first


@dataclass(frozen=True)
class Lean:
    """Words that make a status worth offering, and why."""

    name: str
    words: str  # a regular expression, case-insensitive
    status: Status
    why: str


LEANS = (
    Lean(
        "part left",
        r"\b(?:only|so far|apart from|except|still (?:to|need|waiting|with|missing)|to follow"
        r"|left to|(?:the )?rest\b|remaining|not quite|isn'?t really (?:complete|done|finished)"
        r"|not (?:fully|all|really) (?:complete|done|finished)|bar the|but not|just the\b)",
        Status.PARTIALLY_COMPLETE,
        "Something done and something not: a part complete.",
    ),
    Lean(
        "later",
        r"\b(?:moved|postponed|put back|pushed|slipp\w*|delay\w*|rearrang\w*|re-?schedul\w*"
        r"|instead of|rather than|cancelled|won'?t|will not|not (?:be )?realistic|held? off"
        r"|on hold|paused|behind|late\b|later\b|until|till|not until|now (?:be|going|in)\b)",
        Status.DELAYED,
        "A date moved or a step held back: maybe the action is late.",
    ),
    Lean(
        "dropped",
        r"\b(?:pull(?:ed)?|drop(?:ped)?|scrap\w*|binn?(?:ed)?|no longer|not going ahead|shelved"
        r"|parked|abandon\w*|withdr[ae]w\w*|superseded|replaced|not needed|overtaken)\b",
        Status.WITHDRAWN,
        "Work given up or replaced: maybe withdrawn.",
    ),
    Lean(
        "done",
        r"\b(?:done|complete[d]?|finished|live|published|signed off|approved|adopted|launched"
        r"|in place|sorted|delivered|closes? (?:it|this)|tick(?:ed)? (?:it |that )?off)\b",
        Status.COMPLETE,
        "Words of work finished.",
    ),
    Lean(
        "under way",
        r"\b(?:started|under ?way|in hand|ongoing|working on|on track|progressing|drafting)\b",
        Status.IN_PROGRESS,
        "Work going on.",
    ),
)
_LEANS = tuple((lean, re.compile(lean.words, re.IGNORECASE)) for lean in LEANS)


def leans(note: str) -> list[Status]:
    """The statuses the reply's words lean to, in the order the reply says them."""
    found = [(m.start(), lean.status) for lean, p in _LEANS if (m := p.search(note))]
    return [status for _, status in sorted(found, key=lambda pair: pair[0])]


def offered(
    options: Sequence[Status | None], note: str, current: Status | None
) -> tuple[Status | None, ...]:
    """The status buttons: best guess, then keep it, then the reply's leans, then the rest."""
    if not options:
        return tuple(options)
    best, rest = options[0], list(options[1:])
    return unique([best, None, *leans(note), *rest], current)


def unique(items: Iterable[Status | None], current: Status | None) -> tuple[Status | None, ...]:
    """Each once, in order; the action's own status is 'keep it' (None)."""
    out: list[Status | None] = []
    for item in items:
        kept = None if item == current else item
        if kept not in out:
            out.append(kept)
    return tuple(out)
