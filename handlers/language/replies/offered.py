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

from handlers.language.vocabulary import MONTHS, SEASONS, one_of
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
        r"\b(?:only|so far|apart from|except|still (?:to|need|waiting|with|missing|not)"
        r"|(?<!minutes )to follow"
        r"|left to|(?:the )?rest\b|remaining|not quite|isn'?t really (?:complete|done|finished)"
        r"|not (?:fully|all|really) (?:complete|done|finished)|bar the|but not|just the\b"
        r"|not calling it (?:finished|done|complete)|still (?:looking|trying|chasing|searching)"
        r"|tbc\b|outstanding|to go\b|(?:one|two|three|a few|\d+) (?:\w+ )?(?:left|remaining)\b"
        r"|but (?:it'?s |they'?re |it is |they are )?not (?:\w+ ){0,4}yet\b)",
        Status.PARTIALLY_COMPLETE,
        "Something done and something not: a part complete.",
    ),
    Lean(
        "later",
        r"\b(?:moved|postponed|put back|pushed|slipp\w*|delay\w*|rearrang\w*|re-?schedul\w*"
        r"|instead of|rather than|cancelled|won'?t|will not|not (?:be )?realistic|h[eo]ld off"
        r"|on hold|paused|behind|late\b|later\b|until|till|not until|now (?:be|going)\b"
        # "now in March", "now in the new year"; not "embedded now in how we plan"
        rf"|now in (?:the )?(?:new |next )?(?:{one_of(MONTHS)}|{one_of(SEASONS)}|q[1-4]|\d|year)\b"
        r"|missed|next cycle|reprocur\w*|re-?tender\w*|extend\w*|on ice|no gonnae"
        r"|(?:rolled|carried|brought) forward|re-?profiled"
        r"|(?:don'?t|do not) think (?:we'?ll|we will|it'?ll|it will) (?:get|make|manage)"
        r"|no idea (?:on|of|about) (?:the )?timescales?)",
        Status.DELAYED,
        "A date moved or a step held back: maybe the action is late.",
    ),
    Lean(
        "dropped",
        r"\b(?:pull(?:ed)?|drop(?:ped)?|scrap\w*|binn?(?:ed)?|no longer(?! not)|not going ahead"
        r"|shelved"
        r"|parked|abandon\w*|withdr[ae]w\w*|superseded|replaced (?:by|with)|not needed|overtaken"
        r"|dead in the water|long grass|off (?:my|the) (?:list|plan)|no budget|no money"
        r"|(?:fold|roll|merg)(?:ed|ing|e)? (?:it |this |them )?into|(?:don'?t|no) need (?:to|for)"
        r"|(?:come|taken?) (?:it |this |that |[\w.]+ )?(?:out|off) (?:of )?(?:the|my|this|our) "
        r"(?:\w+ )?(?:plan|list)|(?:can|could|should) be removed|remove (?:it|this|that)\b"
        r"|removed from|duplicat\w*|tupe'?d|transferr?(?:ed|ing) (?:across|over|to)"
        r"|(?:now )?covered by"
        r"|pulled out|lead (?:it|the \w+) themselves|no point|not required"
        r"|take (?:that|it|this) (?:one )?off|delet(?:e|ed|ing)|subsumed|(?:can|could) come off"
        r"|pick (?:it|this) up (?:through|in)|not a requirement|greyed out|merged (?:this|it|with)"
        r"|no longer happening|voted (?:it )?out|as (?:merged|a duplicate|superseded|n/?a)"
        r"|(?:decided |agreed )?not to (?:proceed|go ahead)|instead of doing (?:our|it|this)"
        r"|(?:can|could) (?:now )?go(?=\s*[.!,;]|$))\b",
        Status.WITHDRAWN,
        "Work given up or replaced: maybe withdrawn.",
    ),
    Lean(
        "done",
        r"\b(?:done(?! elsewhere| by (?:an)?other)|complete[d]?|finished|live|published"
        r"|signed off|approved|adopted|launched"
        r"|sorted|delivered|closes? (?:it|this)|tick(?:ed)?|that'?s us|job done"
        r"|put to bed|done and dusted|wedi gorffen|ticked off|\u2705|\u2714|all (?:\w+ )?in post"
        r"|went (?:live|out|up|online|on (?:the )?(?:website|intranet|web))"
        r"|(?:'s|is|are|gone) out (?:today|now|this week)|up and running"
        r"|agreed at (?:cabinet|committee|council|board|the \w+)"
        r"|please close|(?:can|could) (?:you )?close|can be closed|signatures? (?:are |is )?in\b"
        r"|(?:is|are) (?:now )?(?:up )?on the (?:website|intranet)"
        r"|(?:is|now|gone|become|becomes) (?:now )?(?:bau|business as usual)\b"
        r"|^\W*(?:bau|business as usual) now\b|embedded"
        r"|mainstreamed|in the bag|gone live|closed off|noted (?:the|it|our|this)\b"
        r"|all (?:\d+|two|three|four|five|six) (?:\w+ )?(?:in|done|complete|finished)"
        r" (?:now|\w+ now)"
        r"|all (?:\w+ )?(?:sent|issued|distributed|delivered) (?:out )?now"
        r"|all (?:\d+|two|three|four|five|six|seven|eight) (?:\w+ ){0,2}(?:held|run|delivered)\b"
        r"|(?:^|[,.;]\s?|(?:was|were|been|and) )noted\b"
        r"|closed (?:on |last )?(?:mon|tue|wed|thu|fri|sat|sun|yesterday|with|early)"
        r")",
        Status.COMPLETE,
        "Words of work finished.",
    ),
    Lean(
        "back to the start",
        r"\b(?:from scratch|start(?:ing)? (?:again|over)|back to square one|not (?:yet )?started"
        r"|haven'?t (?:yet |actually |really )?started|hasn'?t (?:yet |actually |really )?started"
        r"|never (?:been |even |actually )?started|neither (?:one |of them )?(?:has )?started"
        r"|none of them (?:have |has )?started)\b",
        Status.NOT_STARTED,
        "Work begun again, or never begun: not started.",
    ),
    Lean(
        "under way",
        r"\b(?:started|under ?way|in hand|ongoing|working on|on track|progressing|drafting"
        r"|scoping|writing (?:it )?up|in train|kicked off|going (?:fine|well|ok)|in progress"
        r"|(?:should|will) be fine for"
        r"|closes? (?:on )?(?:\d|mon|tue|wed|thu|fri|sat|sun)|(?:open|runs?|running) until"
        r"|first (?:\w+ ){0,2}(?:was|were|went|held|ran|took place)|back on track"
        r"|no longer not started)\b",
        Status.IN_PROGRESS,
        "Work going on.",
    ),
)
_LEANS = tuple((lean, re.compile(lean.words, re.IGNORECASE)) for lean in LEANS)


# "won't get it live", "not started yet": the words of work done or going on, denied.
_DENIABLE = frozenset({Status.COMPLETE, Status.IN_PROGRESS})
_NEGATED = re.compile(
    r"(?:\b(?:not|never|no|won'?t|can'?t|isn'?t|aren'?t|hasn'?t|haven'?t)\b"
    r"(?:\s+[\w']+){0,2}|\b(?:don'?t|do not) think\b(?:\s+[\w']+){0,5})\s*$",
    re.IGNORECASE,
)


# "It will be live by Friday": done, promised, not news.
_PROMISED = re.compile(
    r"\b(?:will|'ll|should|shall|going to|to|hope to|aim to|expect to)(?: be| get it| have it)?"
    r"(?:\s+\w+)?\s*$",
    re.IGNORECASE,
)


# "done by Christmas": done then, a promise.
_BY_THEN = re.compile(r"\s+by\b", re.IGNORECASE)


def leans(note: str) -> list[Status]:
    """The statuses the reply's words lean to, the last said first: a reply's outcome comes
    at its end ('Moved the last surveys on Friday. Licences cancelled. Tick.')."""
    found = [
        (m.start(), lean.status)
        for lean, p in _LEANS
        for m in p.finditer(note)
        if lean.status not in _DENIABLE or not _NEGATED.search(note[: m.start()])
        if lean.status is not Status.COMPLETE
        or not (_PROMISED.search(note[: m.start()]) or _BY_THEN.match(note, m.end()))
    ]
    latest: dict[Status, int] = {}
    for at, status in found:
        latest[status] = max(at, latest.get(status, -1))
    return sorted(latest, key=lambda status: latest[status], reverse=True)


_P = Status.PARTIALLY_COMPLETE
# A status as read, and the leans that say otherwise ("PSNI done, NIHE done, the Trust TBC as
# they've cancelled twice" read as Withdrawn, with "done" in it): asked, not settled. None is
# the status kept. A lean that only adds to the reading ("delayed, waiting on the Trust") is
# no contradiction.
CONTRADICTED_BY: dict[Status | None, frozenset[Status]] = {
    None: frozenset({Status.WITHDRAWN, Status.COMPLETE, Status.NOT_STARTED}),
    Status.NOT_STARTED: frozenset({Status.COMPLETE, Status.WITHDRAWN, _P, Status.IN_PROGRESS}),
    Status.IN_PROGRESS: frozenset({Status.COMPLETE, Status.WITHDRAWN, Status.NOT_STARTED}),
    _P: frozenset({Status.WITHDRAWN}),
    Status.DELAYED: frozenset({Status.COMPLETE, Status.WITHDRAWN, _P, Status.NOT_STARTED}),
    Status.COMPLETE: frozenset({_P, Status.DELAYED, Status.WITHDRAWN, Status.NOT_STARTED}),
    Status.WITHDRAWN: frozenset({Status.COMPLETE, _P, Status.IN_PROGRESS, Status.NOT_STARTED}),
}


# What else a reply may mean, after the best guess and "keep it", by the action's status now.
OTHERS: dict[Status | None, tuple[Status, ...]] = {
    Status.NOT_STARTED: (Status.IN_PROGRESS, Status.COMPLETE),
    Status.IN_PROGRESS: (Status.COMPLETE, Status.DELAYED),
    Status.PARTIALLY_COMPLETE: (Status.COMPLETE, Status.IN_PROGRESS),
    Status.DELAYED: (Status.COMPLETE, Status.IN_PROGRESS),
    Status.COMPLETE: (Status.IN_PROGRESS, Status.PARTIALLY_COMPLETE),
    Status.WITHDRAWN: (Status.IN_PROGRESS, Status.COMPLETE),
    None: (Status.COMPLETE, Status.IN_PROGRESS),
}


_NOT_DONE = frozenset({Status.DELAYED, _P, Status.NOT_STARTED})


def contradiction(shown: Status | None, note: str, current: Status | None) -> Status | None:
    """A status the reply's words lean to that says otherwise than the one read, if any."""
    # a status read that moves it from where it is may be contradicted by words that keep it
    # there ('one session left', read as Delayed for a part-done action)
    said = [
        lean for lean in leans(note) if lean not in (shown, current if shown is None else shown)
    ]
    against = CONTRADICTED_BY[shown]
    if shown is None and current is not None:  # kept: what it is kept as, too
        against = against | CONTRADICTED_BY[current]
    return next((lean for lean in said if lean in against), None)


def offered(
    options: Sequence[Status | None], note: str, current: Status | None, *, later: bool = False
) -> tuple[Status | None, ...]:
    """The status buttons: best guess, then keep it, then the reply's leans (Delayed first when
    the date it gives is after the target), then the rest."""
    if not options:
        return tuple(options)
    best, rest = options[0], list(options[1:])
    moved = [Status.DELAYED] if later else []
    said = leans(note)
    done = best in (_P, Status.COMPLETE) or (best is None and said[:1] == [Status.COMPLETE])
    if done and current is Status.NOT_STARTED:
        said.insert(0, Status.IN_PROGRESS)  # "options appraisal done": begun, if not the whole
    elif best is _P and current is Status.DELAYED:
        first_done = bool(said) and said[0] is Status.COMPLETE
        said.insert(1 if first_done else 0, Status.IN_PROGRESS)  # or just begun
    if Status.COMPLETE in said[1:] and _NOT_DONE & set(said):
        said.insert(0, _P)  # "PSNI done, NIHE done, the Trust TBC": done and not done, a part
    elif _P in said and Status.COMPLETE in said:  # "session cancelled, rest all done": a part
        said.remove(_P)
        said.insert(said.index(Status.COMPLETE), _P)
    out = unique([best, None, *said[:1], *moved, *said[1:], *rest], current)
    if len(out) < BUTTONS:  # never a question of one button: what else it could mean, too
        out = unique([*out, *OTHERS[current]], current)[:BUTTONS]
    return out


def unique(items: Iterable[Status | None], current: Status | None) -> tuple[Status | None, ...]:
    """Each once, in order; the action's own status is 'keep it' (None)."""
    out: list[Status | None] = []
    for item in items:
        kept = None if item == current else item
        if kept not in out:
            out.append(kept)
    return tuple(out)
