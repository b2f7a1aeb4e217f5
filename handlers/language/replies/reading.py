"""Reading one reply about one action: status, revised date and note, put together."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import date

from handlers.language.replies.dates import all_dates
from handlers.language.replies.deadlines import (
    TARGET_KEPT,
    DateChoice,
    named_by_the_officer,
    weigh_dates,
)
from handlers.language.replies.evidence import (
    DateEvidence,
    DateReading,
    StatusEvidence,
    StatusReading,
    asks_if_done,
    away,
    bare_rule,
    earlier_asked,
    reached_its_number,
    rest_undated,
    settle_bare,
    settle_date,
    settle_status,
)
from handlers.language.replies.model import Candidate, DateOption, ParsedReply
from handlers.language.replies.note import (
    only_status_and_date,
    pasted_apart,
    quoted_ref,
    strip_leading_ref,
    without_echo,
)
from handlers.language.replies.progress import weigh_progress
from handlers.language.replies.residue import Read
from handlers.language.replies.settled import settle
from handlers.language.replies.status import (
    header_status,
    pick_status,
    standalone,
    status_matches,
)
from handlers.language.replies.tokens import tokenize
from handlers.language.replies.which import (
    content_words,
    ref_pattern,
    refs_mentioned,
    this_subject,
    which_action,
)
from handlers.language.slips import fix_typos
from handlers.language.vocabulary import in_english
from models.tables import Status


def parse_reply(text: str, candidates: Sequence[Candidate], *, today: date) -> ParsedReply:
    """Understand one reply to a reminder; never guesses (see the package docstring).

    A message forwarded or pasted below the officer's own words is read only when their own
    say nothing, and then nothing in it is settled: it is offered, as others' words.
    """
    own_words, pasted = pasted_apart(text.replace("\u2019", "'").strip())
    reading = _parse(own_words or text, candidates, today)
    asked = reading.ask_status or reading.ask_date
    # "FYI", "see below": a pointer to the message, asked about only for want of reading it
    pointer = len((own_words or "").split()) <= _A_POINTER
    said = reading.status or reading.date_text or (asked and not pointer)
    if not pasted or said:
        return reading
    theirs = _parse(pasted, candidates, today)
    return _offered(reading, theirs, _days_to_come(pasted, today))


_A_POINTER = 5


def _days_to_come(text: str, today: date) -> tuple[DateOption, ...]:
    """Every day still to come that a text names, with its words ('4 October to 15 November
    2027'): the latest first, as a range's end is the likelier target."""
    found = all_dates(text, tokenize(text), today)
    days = [DateOption(f.latest, f.text) for f in found if f.latest and f.latest > today]
    return tuple(sorted(days, key=lambda o: o.day, reverse=True))


def _offered(
    own: ParsedReply, theirs: ParsedReply, to_come: tuple[DateOption, ...] = ()
) -> ParsedReply:
    """What a pasted message says, asked about rather than settled ('FYI' over a supplier's
    revised plan): keeping the status first; each of its dates offered, and each day still to
    come it names, even where no deadline word ties it to the work (a pasted timetable)."""
    statuses = tuple(dict.fromkeys((None, theirs.status, *theirs.status_options)))
    dates = theirs.date_options
    if theirs.new_date is not None:
        dates = (DateOption(theirs.new_date, theirs.date_text), *dates)
    seen = {o.day for o in dates}
    dates = (*dates, *(o for o in to_come if o.day not in seen))[:4]
    problem = None
    if dates:
        problem = "The message you passed on mentions dates: is one of them the new target?"
    return replace(
        own,
        ref=own.ref or theirs.ref,
        status=None,
        status_unclear=len(statuses) > 1,
        status_options=statuses if len(statuses) > 1 else (),
        date_problem=problem,
        date_options=dates,
    )


_CELLS = re.compile(r"\s*\|\s*")
# A reply that is only "31.03" or "15.06": a day and month, never a ref ("1.3", "4.2")
_DOTTED_DAY = re.compile(
    r"^\s*(?:(0?[1-9]|[12]\d|3[01])\.(0[1-9])|(1[3-9]|2\d|3[01])\.(0?[1-9]|1[0-2]))\s*$"
)
_BACK_END = re.compile(r"\bback end of\b", re.IGNORECASE)


def _parse(text: str, candidates: Sequence[Candidate], today: date) -> ParsedReply:
    original = text.replace("\u2019", "'").strip()
    plain = without_echo(original, candidates)
    mentioned = refs_mentioned(plain, candidates) or quoted_ref(original, candidates)
    written = strip_leading_ref(plain, candidates, len(mentioned) > 1)
    ref = which_action(plain, candidates, mentioned)
    action = next((c for c in candidates if c.ref == ref), None)
    # "compelte", "Chwefror": read right; a turn to another subject left out; the note as written
    note = fix_typos(in_english(this_subject(written, action)))
    note = _CELLS.sub(", ", note).strip(" ,")  # "A7 | not started | Feb fine": a table's row
    note = _BACK_END.sub("end of", note)  # "the back end of the year": its end, not put back
    note = _DOTTED_DAY.sub(lambda m: "/".join(g for g in m.groups() if g), note)  # "31.03"

    tokens = tokenize(note)
    dates = all_dates(note, tokens, today)
    kept = TARGET_KEPT.search(note) is not None  # "the end date is the same"
    roles = named_by_the_officer(note, tokens, dates, weigh_dates(tokens, dates, today))
    choice = None if kept or not roles.ranked else roles.ranked[0]
    own = frozenset(content_words(action.text)) if action is not None else frozenset()
    # only the date taken as the target can make "done by ..." a promise rather than a fact
    matches = status_matches(note, tokens, [choice.found] if choice else [], today, own)
    status = header_status(note, matches) or pick_status(
        matches, revision=_moves_later(choice, action)
    )
    unbegun = any(m.status is Status.NOT_STARTED for m in matches)  # "not started, Feb fine"
    going = [m for m in matches if m.status is Status.IN_PROGRESS]
    if unbegun and status is Status.IN_PROGRESS and all(m.rule == "on track" for m in going):
        status = Status.NOT_STARTED  # "not started yet, target stays": the date holds, that's all
    if kept and status in (None, Status.DELAYED) and not unbegun:
        status = Status.IN_PROGRESS  # a step slipped, the target holds: on track
    partly = any(m.status is Status.PARTIALLY_COMPLETE and m.rule == "partly" for m in matches)
    # "nearly there", "3 of 4 done", "drafted": partly complete, or just work going on
    drafted = any(m.rule in ("draft", "count", "nearly", "qualified") for m in matches)
    # a part not started, or under way, beside a part done: "scoping done, DPIA underway"
    unstarted = any(m.rule in ("under way", "started", "not started") for m in matches)
    whole = any(m.status is Status.COMPLETE and standalone(note, m) for m in matches)
    on_track = kept or any(m.rule == "on track" for m in matches)
    ahead = on_track or any(
        c.found.answer.day > today for c in roles.ranked if c.found.answer.day is not None
    )
    ahead = ahead or any((day := f.latest) is not None and day > today for f in roles.others)
    weighed = weigh_progress(
        note, tokens, status, choice, action, partly or drafted, unstarted, whole, ahead
    )
    inferred = weighed.inferred or (drafted and not partly)
    settled = settle_status(
        StatusEvidence(
            note,
            weighed.status,
            weighed.ask,
            inferred or _in_time(choice, action),
            on_track,
            any(m.rule == "close it" for m in matches),
            action,
            today,
        )
    )
    reading = settle_date(
        DateEvidence(note, tokens, dates, roles, kept, settled.status, action, today)
    )
    if (bare := bare_rule(note)) is not None:
        settled, reading = settle_bare(bare, action, today)
    if away(note):  # "I am out of the office until 4 January": nobody has read the reminder
        settled, reading = StatusReading(None), DateReading()
    if reached_its_number(note, action) and settled.status is None and not settled.ask:
        settled = StatusReading(None, (Status.COMPLETE, None))  # "the panel has hit 1,000"
    if asks_if_done(note) and settled.status in (None, Status.COMPLETE):
        settled = StatusReading(None, (Status.COMPLETE, None))  # "I think that covers it?"
    reading = rest_undated(reading, settled, action, today)
    reading = earlier_asked(reading, settled, action, choice is not None and choice.revision)
    if reading.moves and settled.status is None and not settled.ask:
        # the target won't hold: delayed, or the same status with a new date? Asked
        partly_done = partly or drafted or weighed.inferred
        offered = (
            (Status.DELAYED, None, Status.PARTIALLY_COMPLETE)
            if partly_done
            else (
                Status.DELAYED,
                None,
            )
        )
        settled = StatusReading(None, offered)
    status, unclear, options = settled.status, bool(settled.ask), settled.ask

    spans = [(m.start, m.end) for m in matches]
    if choice is not None:
        spans.append((tokens[choice.found.first].start, tokens[choice.found.last].end))
    # A bare "Done" or "Delayed until the spring" carries no note of its own; anything longer
    # is the officer's account of the work, and kept as they wrote it.
    short_reply = len(note.split()) <= 5
    if short_reply and only_status_and_date(note, spans) and (status or choice is not None):
        written = ""
    parsed = ParsedReply(
        ref=ref,
        refs_mentioned=mentioned,
        status=status,
        note=written,
        new_date=reading.new_date,
        date_text=reading.text,
        date_problem=reading.problem,
        date_needs_confirmation=reading.confirm,
        date_in_past=reading.in_past,
        status_unclear=unclear,
        status_options=options,
        date_options=reading.options,
    )
    if bare is not None or away(note):
        return parsed  # a bare "yes" or "ok", an auto-reply: all of it is accounted for
    # Settled only when the reply is accounted for: what the rules did not explain may bear
    # on the status or the date, and then that field is asked, offering what was found.
    refs = [m.span() for c in candidates for m in ref_pattern(c.ref).finditer(note)]
    return settle(
        Read(
            note,
            tokens,
            dates,
            spans + refs,
            parsed,
            action,
            today,
            status_at=[m.start for m in matches],
            date_at=[tokens[choice.found.first].start] if choice is not None else [],
            date_cued=choice is not None and choice.rank <= _CUED,
            kept=kept,
        )
    )


_CUED = 3  # a date rank of "new date", "moved to", "finishing by", "by": said to be the target


def _moves_later(choice: DateChoice | None, action: Candidate | None) -> bool:
    """A revision cue moves the action's target later ('pushed back to March'): a delay. A
    date before the target ('first meeting moved to Jan', due in April) is no delay."""
    if choice is None or not choice.revision:
        return False
    day = choice.found.answer.day or choice.found.event_day  # "after the Christmas break"
    target = action.target if action is not None else None
    # brought forward, or a step moved: not a delay
    return day is None or target is None or day > target  # to the target itself: asked


def _in_time(choice: DateChoice | None, action: Candidate | None) -> bool:
    """'Should be done well before the 31st': finished by a day no later than the target."""
    if choice is None or action is None or action.target is None or choice.revision:
        return False
    day = choice.found.answer.day
    return day is not None and not choice.in_past and day <= action.target and choice.rank <= 3


_SHORT_OF_DONE = frozenset({Status.NOT_STARTED, Status.IN_PROGRESS})
