"""What a reading may show as settled, once the reply is accounted for: each field with a doubt
on it (residue.py), or that the reading itself leaves unsupported (CHECKS), is asked instead.

A question offers what was found. For the status: the best guess first (what the rules read,
else what the doubt leans to), "keep it as it is" second, then what else the reply or the
action's course suggests. For the date: the date read first, each date found with its words,
then "keep the target" and "let me type it" (the chat adds those two).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date

from handlers.language.replies.model import Candidate, DateOption, ParsedReply
from handlers.language.replies.offered import (
    BUTTONS,
    OTHERS,
    contradiction,
    leans,
    offered,
    unique,
)
from handlers.language.replies.offers import days_named
from handlers.language.replies.residue import Doubt, Field, Read, doubts, residue
from handlers.language.replies.tokens import wordset
from handlers.language.replies.vague import vague_times
from handlers.language.replies.which import (
    TOO_COMMON,
    content_words,
    items_of,
    stem,
    steps_of,
    title_stems,
)
from handlers.language.targets import format_date
from models.tables import Status

_FINAL = frozenset({Status.COMPLETE, Status.WITHDRAWN})
_MOST_DATES = 4
_TIMES = frozenset({"time", "hedged time"})  # doubts about words that name a time


# ---------------------------------------------------------------------------------------------
# A reading that does not hold together


@dataclass(frozen=True)
class Check:
    """A reading whose fields, as read, leave one of them unsupported: asked, and why."""

    name: str
    test: Callable[[Read], Doubt | None]
    why: str


def _done_and_later(read: Read) -> Doubt | None:
    r = read.reading
    later = r.ask_date or (r.new_date is not None and r.new_date > read.today)
    if r.status is not Status.COMPLETE or not later:
        return None
    words = r.date_text or "a later date"
    return Doubt("done, and later", words, frozenset({Field.STATUS}), Status.PARTIALLY_COMPLETE)


def _closed_and_dated(read: Read) -> Doubt | None:
    r = read.reading
    current = read.action.status if read.action is not None else None
    dated = r.new_date is not None or r.ask_date
    if current not in _FINAL or r.status is not None or r.ask_status or not dated:
        return None
    words = r.date_text or "a date"
    return Doubt("closed, and dated", words, frozenset({Field.STATUS}), Status.IN_PROGRESS)


# "All three listings done": a count of the action's own parts, not another thing's name.
_COUNTS = frozenset(
    stem(w)
    for w in [
        "all",
        "both",
        "every",
        "each",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
    ]
)
_POINTS_HERE = re.compile(r"\b(?:this|it|that|these|they|ours?|mine)\b", re.IGNORECASE)


def _closed_something_else(read: Read) -> Doubt | None:
    """Complete or withdrawn, said of a thing whose words are none of the action's title's."""
    r, action = read.reading, read.action
    if r.status not in _FINAL or r.refs_mentioned or action is None or not read.status_at:
        return None
    sentences = re.split(r"[.!?\n,;:]|\s[-\u2013\u2014]\s", read.note[: read.status_at[0]])
    if _POINTS_HERE.search(sentences[-1]):
        return None  # "this is all sorted": said of the action itself
    acronyms = {w.lower() for w in re.findall(r"\b[A-Z]{2,}\b", sentences[-1])}
    subject = (content_words(sentences[-1]) | acronyms) - TOO_COMMON - _COUNTS
    # one word may be a verb or a count ("Finalised and published"); two name a thing
    if len(subject) < 2 or subject & title_stems(action.text):
        return None
    return Doubt(
        "closed, something else", sentences[-1].strip(), frozenset({Field.STATUS}), r.status
    )


def _done_a_step(read: Read) -> Doubt | None:
    """Complete, said of words that name one step of a bundled action and none of the
    others ('EqIA training all done', for 'complete the EqIAs ... and train all managers'):
    that step, or the whole? Asked."""
    r, action = read.reading, read.action
    if r.status is not Status.COMPLETE or action is None or not read.status_at:
        return None
    steps = steps_of(action.text)
    if len(steps) < 2:
        steps = items_of(action.text)  # "the document, summary and Easy Read version"
    if len(steps) < 2:
        return None
    pieces = re.split(r"[.!?\n;:]|\s[-\u2013\u2014]\s", read.note[: read.status_at[0]])
    # "complaints SA - done and published": the subject is the heading before the dash
    sentence = pieces[-1] if pieces[-1].strip() or len(pieces) < 2 else pieces[-2]
    said = content_words(sentence)
    named = [k for k, step in enumerate(steps) if said & step]
    own = [k for k in named if said & (steps[k] - set().union(*(steps[:k] + steps[k + 1 :])))]
    if len(own) != 1:
        return None
    words = sentence.strip()
    return Doubt("done, a step", words, frozenset({Field.STATUS}), Status.PARTIALLY_COMPLETE)


def _target_gone(read: Read) -> Doubt | None:
    r, action = read.reading, read.action
    if action is None or action.target is None or action.target >= read.today:
        return None
    if read.kept or r.new_date is not None or r.ask_date or r.date_needs_confirmation:
        return None  # the reply says what happens to the date, even if only "target stays"
    if not r.ask_status and (r.status or action.status) in _FINAL:
        return None  # closed: no target to keep
    gone = format_date(action.target)
    problem = f"The target ({gone}) has passed: what is the new target date, or keep it?"
    return Doubt("target gone", gone, frozenset({Field.DATE}), problem=problem)


def _date_beside_a_question(read: Read) -> Doubt | None:
    r = read.reading
    if not r.ask_status or r.new_date is None or r.ask_date or read.date_cued:
        return None
    target = read.action.target if read.action is not None else None
    now = f" It is {format_date(target)} now." if target else ""
    said = r.date_text or format_date(r.new_date)
    problem = f"Is {said} ({format_date(r.new_date)}) the new target for the whole action?{now}"
    return Doubt("date beside a question", said, frozenset({Field.DATE}), problem=problem)


_A_WEEKDAY = re.compile(
    r"(?:on )?(?:mon|tues|wednes|thurs|fri|satur|sun)day",
    re.IGNORECASE,  # not "next Friday"
)


def _past_day_alone(read: Read) -> Doubt | None:
    """A reply that is only a day already past ('12/1'), or a weekday ('Friday'): something
    happens then; what?"""
    r = read.reading
    if r.status is not None or r.ask_status or not read.tokens:
        return None
    past = [f for f in read.dates if f.answer.day is not None and f.answer.day < read.today]
    # a weekday alone ('Friday'): done by then, due then, or something else then?
    past += [f for f in read.dates if _A_WEEKDAY.fullmatch(f.text.strip())]
    covered = {k for f in past for k in range(f.first, f.last + 1)}
    if any(k not in covered for k in range(len(read.tokens))):
        return None
    return Doubt("past day alone", past[0].text, frozenset({Field.STATUS}), Status.COMPLETE)


def _time_unplaced(read: Read) -> Doubt | None:
    """A time named that is no day ('in the next financial year'), and no date read or
    asked: when is the target, then?"""
    r = read.reading
    if read.kept or r.new_date is not None or r.ask_date or r.date_needs_confirmation:
        return None
    if (r.status or (read.action.status if read.action else None)) in _FINAL:
        return None
    unplaced = [f for f in read.dates if f.latest is None]
    if not unplaced:
        return None
    return Doubt("time", unplaced[0].text, frozenset({Field.DATE}))


_LEADS = re.compile(r"\b(?:by|at|in|before|after|around|about|the|probably|hopefully)\b", re.I)


def _a_time_alone(read: Read) -> Doubt | None:
    """A reply that is only a vague time ('end of term'), read as nothing: done by then, or
    the new target then? Status and date asked, the time's last day offered."""
    r = read.reading
    if r.status is not None or r.ask_status or r.new_date is not None or r.ask_date:
        return None
    times = vague_times(read.note, read.today)
    if len(times) != 1:
        return None
    rest = _LEADS.sub(" ", read.note.replace(times[0].words, " "))
    if _WORDLESS.search(rest):
        return None
    day = times[0].latest if times[0].latest != date.max else None
    return Doubt("a time alone", times[0].words, frozenset({Field.STATUS, Field.DATE}), day=day)


# "Waiting on the ORS analysis, due 18 June": a day in a clause about what the work waits on
# is that thing's day, not the action's target.
_WAITED_ON = re.compile(
    r"\b(?:waiting (?:on|for)|pending|depend(?:s|ent|ing)? on|subject to|held up by)\b"
    r"[^.!?;,\n]*(?:,\s*(?:which is |that'?s )?(?:due|expected|scheduled|back)\b[^.!?;,\n]*)?",
    re.IGNORECASE,
)


def _date_of_what_is_waited_on(read: Read) -> Doubt | None:
    """The date read sits in a clause about what the work waits on: that thing's date, or the
    action's new target? Asked, offering it."""
    r = read.reading
    if r.new_date is None or r.ask_date or not r.date_text:
        return None
    for clause in _WAITED_ON.finditer(read.note):
        if r.date_text in clause.group():
            return Doubt(
                "waited on", clause.group().strip(), frozenset({Field.DATE}), day=r.new_date
            )
    return None


def _withdrawn_and_later(read: Read) -> Doubt | None:
    """Withdrawn, yet a day still to come ('the Hillside one was cancelled, rebooked for 2
    December'): an event called off and put back on, not the action dropped."""
    r = read.reading
    if r.status is not Status.WITHDRAWN:
        return None
    later = [f for f in read.dates if f.answer.day is not None and f.answer.day > read.today]
    if not later:
        return None
    words = later[0].text
    return Doubt("withdrawn, and later", words, frozenset({Field.STATUS}), Status.DELAYED)


_WORDLESS = re.compile(r"[^\W_]")


def _nothing_said(read: Read) -> Doubt | None:
    """A reply of no words at all, only a sign no rule reads (a facepalm): it means something,
    but what? Asked rather than taken as 'no change'."""
    r = read.reading
    if r.status is not None or r.ask_status or not read.note.strip():
        return None
    if _WORDLESS.search(read.note):
        return None
    return Doubt("nothing said", read.note.strip(), frozenset({Field.STATUS}))


_THE_REST = re.compile(
    r"(?<![\w-])(?:all (?:of (?:it|them|the \w+)|\d+|two|three|four|five|six|seven|eight|nine"
    r"|ten)\b[^.!?\n]{0,30}?\b(?:done|complete|completed|finished|delivered|in)\b"
    r"|(?:with|and) the rest(?: of)?\b|that'?s (?:all|the lot|everything)\b(?! for now)"
    r"|\bclosed off\b|(?:last|final|remaining) (?:bit|part|piece|section)s?"
    r"(?: \w+){0,3} (?:is |are )?(?:now |finally )?(?:done|in|finished|complete))",
    re.IGNORECASE,
)


def _part_and_the_rest(read: Read) -> Doubt | None:
    """A part read as done, beside words that say the rest is done too ('with the rest of the
    toolkit', 'so all five are done'): maybe the whole of it. Asked."""
    if read.reading.status is not Status.PARTIALLY_COMPLETE:
        return None
    m = _THE_REST.search(read.note)
    if m is None:
        return None
    return Doubt("part, and the rest", m.group(), frozenset({Field.STATUS}), Status.COMPLETE)


def _delayed_in_time(read: Read) -> Doubt | None:
    """Delayed, to a day no later than the target ('can't go up until mid-May', due in
    August; 'slipping to end of the month', due then): held up, yet in time; late, or only
    a step waiting? Asked."""
    r, action = read.reading, read.action
    if r.status is not Status.DELAYED or action is None or action.target is None:
        return None
    days = [o.day for o in r.date_options]
    if r.new_date is not None:
        days.append(r.new_date)
    if not days or max(days) > action.target or max(days) < read.today:
        return None
    words = r.date_text or format_date(max(days))
    return Doubt("delayed, in time", words, frozenset({Field.STATUS}), Status.IN_PROGRESS)


_A_COUNT_DONE = re.compile(
    r"(?<![\w-])(?<!all )(?:\d{1,3}|one|two|three|four|five|six|seven|eight|nine|ten|a few)"
    r"(?: [a-z]+)? (?:done|held|run|delivered|completed|finished)\b"
    r"|(?<![\w-])(?:so far|to date|thus far|up to now)(?![\w-])",
    re.IGNORECASE,
)


def _a_count_done(read: Read) -> Doubt | None:
    """Complete, read from a count of things done ('3 done since January', 'two sessions held
    so far'): how many there are to do, the reply does not say. Asked."""
    if read.reading.status is not Status.COMPLETE:
        return None
    m = _A_COUNT_DONE.search(read.note)
    if m is None:
        return None
    return Doubt("a count done", m.group(), frozenset({Field.STATUS}), Status.PARTIALLY_COMPLETE)


_THE_NEXT_ONE = re.compile(
    r"(?<![\w-])(?:the )?next (?:one|report|edition|issue|round|meeting|session|cycle|event)"
    r"(?![\w-])",
    re.IGNORECASE,
)


def _delayed_or_the_next_one(read: Read) -> Doubt | None:
    """Delayed, from a date moved, where the date is for the next one of a repeated piece of
    work ('it went in July, so move the date to September for the next one'): the next
    round's target, not this one late. Asked."""
    if read.reading.status is not Status.DELAYED:
        return None
    m = _THE_NEXT_ONE.search(read.note)
    if m is None:
        return None
    return Doubt("the next one", m.group(), frozenset({Field.STATUS}), Status.IN_PROGRESS)


# A plain answer ("Done", "Delayed to the end of June, waiting on legal") is read and settled;
# past this many words an officer is telling more than a plain answer, and what the rules read
# of it is offered first rather than settled: on replies nobody here wrote, a third of the
# longer readings shown as settled were wrong, and a question costs one tap.
PLAIN_WORDS = 15
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?|\d+")


def _more_than_plain(read: Read) -> Doubt | None:
    """A reply longer than a plain answer: whatever the rules read, more was said."""
    r = read.reading
    words = _WORD.findall(read.note)
    if len(words) <= PLAIN_WORDS:
        return None
    fields = set()
    if not r.ask_status:
        fields.add(Field.STATUS)
    if r.new_date is not None and not r.ask_date:
        fields.add(Field.DATE)
    if not fields:
        return None
    problem = ""
    if Field.DATE in fields and r.new_date is not None:
        said = f" (\u201c{r.date_text}\u201d)" if r.date_text else ""
        problem = f"Is {format_date(r.new_date)}{said} the new target date?"
    return Doubt("more than a plain answer", "", frozenset(fields), r.status, problem=problem)


# Past this many words a reply tells a story around its answer, and a time in the story may be
# the new target (on blind batch 19, "won't be ready till Jan now, so consultation Feb-Mar").
_FEW_WORDS = 8


def _time_unread_in_a_story(read: Read) -> Doubt | None:
    """More than a few words, the target kept, yet a time still to come is named ('they've
    now said May', 'once the Assembly elections are over'): maybe the new target. Asked."""
    r, action = read.reading, read.action
    if r.new_date is not None or r.ask_date or r.date_needs_confirmation or read.kept:
        return None
    length = len(_WORD.findall(read.note))
    if length <= _FEW_WORDS:
        return None
    if (r.status or (action.status if action is not None else None)) in _FINAL:
        return None
    target = action.target if action is not None else None
    later = [
        f for f in read.dates if f.latest is None or (f.latest > read.today and f.latest != target)
    ]
    if length <= PLAIN_WORDS:  # a short story: only a time past the target may be the new one
        later = [f for f in later if target and f.latest is not None and f.latest > target]
    if not later and _target_denied(read, target):  # "June isn't realistic now"
        return Doubt("the target denied", "", frozenset({Field.DATE}))
    if not later and (named := _named_later(read, target, length)):  # "the week after next"
        return Doubt("a time unread", named.words, frozenset({Field.DATE}), day=named.day)
    if not later:
        return None
    days = [f for f in later if f.latest is not None]
    last = max(days, key=lambda f: f.latest or read.today) if days else None
    words = (last or later[0]).text
    return Doubt("a time unread", words, frozenset({Field.DATE}), day=last.latest if last else None)


def _named_later(read: Read, target: date | None, length: int) -> DateOption | None:
    """A day still to come that a phrase of the reply names though no rule read it as a date
    ('web pages live the week after next'); in a short story, only one past the target."""
    for option in days_named(read.note, read.today):
        if option.day == target:
            continue
        if length > PLAIN_WORDS or (target is not None and option.day > target):
            return option
    return None


_DENIED = re.compile(
    r"^\W{0,3}(?:is|are)?\s*(?:isn'?t|is not|won'?t|will not|not|no longer|can'?t|cannot)"
    r"(?: (?:be|now|really|going to|happen|work))*\s*(?:realistic|achievable|happening|possible"
    r"|doable|work|happen|make it|hit|an option)\b",
    re.IGNORECASE,
)


# Denied before it is named: "sign-off won't be Jan", "not happening in March", "going to
# slip past the end of the month", "we'll miss March".
_DENIED_BEFORE = re.compile(
    r"(?:\b(?:won'?t|will not|not|isn'?t|can'?t|cannot|no way)(?: (?:be|now|happen(?:ing)?"
    r"|make it|hit|go|going|done|finish\w*|ready|in place|see|get|getting|it|us|this|that))*"
    r"(?: (?:in|by|for|before|until|till))?"
    r"|\b(?:slip\w*|go(?:ing|es)?|run\w*|drift\w*|overrun\w*) (?:past|beyond|over|into)"
    r"|\bmiss(?:ing|ed)?)(?: the)?\s*$",
    re.IGNORECASE,
)


def _target_denied(read: Read, target: date | None) -> bool:
    """The target's own day or month named, and denied: 'June isn't realistic now', 'won't
    be Jan'."""
    if target is None:
        return False
    for found in read.dates:
        if found.latest == target:
            start, after = read.tokens[found.first].start, read.tokens[found.last].end
            if _DENIED.search(read.note[after : after + 40]):
                return True
            if _DENIED_BEFORE.search(read.note[max(0, start - 40) : start]):
                return True
    return False


def _contradicted(read: Read) -> Doubt | None:
    """The status read, and words in the reply that lean elsewhere ('done', beside the
    'cancelled' read as Withdrawn): the reading does not hold together. Asked."""
    r = read.reading
    if r.ask_status:
        return None
    current = read.action.status if read.action is not None else None
    other = contradiction(r.status, read.note, current)
    if other is None:
        return None
    return Doubt("contradicted", "", frozenset({Field.STATUS}), r.status)


def _kept_while_leaning(read: Read) -> Doubt | None:
    """Nothing read as changed, yet the reply's words lean to a status the action is not at
    ('Consultation opened on Monday, closes 15/11', for a Delayed action; 'BAU now'): maybe
    it moved. Asked, offering where the words lean."""
    r, action = read.reading, read.action
    if r.status is not None or r.ask_status or action is None or action.status in _FINAL:
        return None
    if action.status is None:
        return None  # where it stands is not known: nothing to move from
    leaning = leans(read.note)
    if not leaning or action.status in leaning:
        return None  # "On track, but the launch event moved": the words hold it where it is
    elsewhere = leaning
    return Doubt("kept, while leaning", "", frozenset({Field.STATUS}), elsewhere[0])


def _late_with_no_target(read: Read) -> Doubt | None:
    """Delayed or part done, said of ongoing work with no target ('Q1 bulletin delayed a
    couple of weeks', 'Autumn forum done, spring one's booked'): one round, not the action.
    Asked, keeping it first."""
    r, action = read.reading, read.action
    rounds = (Status.DELAYED, Status.PARTIALLY_COMPLETE)
    if r.status not in rounds or action is None or action.target is not None:
        return None
    if action.status not in (Status.IN_PROGRESS, Status.PARTIALLY_COMPLETE, Status.NOT_STARTED):
        return None  # "on hold" of work not begun, with no date to miss: held, or late?
    return Doubt("late, with no target", "", frozenset({Field.STATUS}), None)


_NOT_LATE = frozenset({None, Status.NOT_STARTED, Status.IN_PROGRESS})


def _later_unsaid(read: Read) -> Doubt | None:
    """A date after the target, read or offered, and the status kept unsaid ('nope, Jan',
    'realistically by Easter') or said as work not late ('not started. April'): late, or the
    same work with a new date? Asked."""
    r, action = read.reading, read.action
    if r.ask_status or r.status not in _NOT_LATE or action is None or action.target is None:
        return None
    if action.status in _FINAL or action.status is Status.DELAYED:
        return None
    days = [r.new_date] if r.new_date else [o.day for o in r.date_options] if r.ask_date else []
    if r.ask_date and len(_WORD.findall(read.note)) <= 2:  # "H2": the days it could mean
        days += [o.day for o in days_named(read.note, read.today)]
    if not any(day > action.target for day in days if day is not None):
        return None
    return Doubt("later, unsaid", "", frozenset({Field.STATUS}), Status.DELAYED)


_A_NUMBER_ALONE = re.compile(r"^\W*\d[\d,.]*%?\W*$")


def _part_again(read: Read) -> Doubt | None:
    """Part done, read of an action part done already, while the words say done and name no
    part left ('the draft's done, Gemma finished it off'): maybe the whole now. Asked."""
    r, action = read.reading, read.action
    if r.status is not Status.PARTIALLY_COMPLETE or action is None or r.ask_status:
        return None
    if action.status is not Status.PARTIALLY_COMPLETE:
        return None
    leaning = leans(read.note)
    if Status.COMPLETE not in leaning or Status.PARTIALLY_COMPLETE in leaning:
        return None
    return Doubt("part, again", "", frozenset({Field.STATUS}), Status.COMPLETE)


def _a_number_alone(read: Read) -> Doubt | None:
    """A reply that is only a number ('61 \U0001f389'): reached, or how far? Asked."""
    r = read.reading
    if r.ask_status or r.status is not None or not _A_NUMBER_ALONE.match(read.note):
        return None
    return Doubt("a number alone", read.note.strip(), frozenset({Field.STATUS}), Status.COMPLETE)


_LABELS = (
    r"figures|report|return|data|results|update|stats|statistics|newsletter|edition|issue|round"
    r"|meeting|board|committee|cabinet|survey|monitoring|return"
)


def _a_time_as_a_label(read: Read) -> Doubt | None:
    """The date read is a label of something else ('sending the Q3 figures next week', 'the
    June meeting'): not the action's target. Asked."""
    r = read.reading
    if r.new_date is None or r.ask_date or not r.date_text:
        return None
    label = re.compile(rf"\b{re.escape(r.date_text)}\s+(?:{_LABELS})\b", re.IGNORECASE)
    if not label.search(read.note):
        return None
    return Doubt("a time as a label", r.date_text, frozenset({Field.DATE}))


# Unread too, though no English word: "H2", "31.03", "SA" (the self-assessment).
_WITH_A_NUMBER = re.compile(r"\b(?:\w*\d\w*|[A-Z]{2,})\b")


_AS_WRITTEN = re.compile(r"[A-Za-z]+")


def _unread(text: str) -> list[str]:
    """The words of a residue that may say something, as the officer wrote them: no filler."""
    said = content_words(text) - _FILLER
    words = [w for w in _AS_WRITTEN.findall(text) if stem(w.lower()) in said]
    return list(dict.fromkeys([*words, *_WITH_A_NUMBER.findall(text)]))


# Words that tell why or by whom ('held up by procurement', 'waiting on Legal', 'signed off
# by Cabinet') explain a status; they do not change it. Not "now with": 'now with the Chief
# Fire Officer' says where the work is, not why (blind batch 24).
_A_REASON = re.compile(
    r"\b(?:by|because(?: of)?|due to|owing to|waiting (?:on|for)|pending|since|thanks to"
    r"|(?<!now )(?<!still )(?<!is )(?<!'s )(?<!are )with)\b[^.!?\n,;()]*",
    re.IGNORECASE,
)
# Words of degree and of the deadline itself, which change no reading.
_FILLER = frozenset(
    stem(w)
    for w in wordset(
        "really very just quite pretty actually basically now still also all deadline date "
        "dates target timescale timescales one two three four five six seven eight nine ten "
        "half quarter quarters couple revised revise"
    )
)
# A word or two unread beside a status read are as often a name or a reason as news ('the
# designer is off sick', 'meeting held'); more are a story the rules did not read. Beside a
# final status, though, one word may be what was finished instead ('complaints SA - done'):
# none is let pass.
_MOST_UNREAD = 2


# Words of time and condition ('once the new Head starts', 'by the time Audit come back',
# 'could be months'): a reply using them may move the target though it names no day.
_OF_TIME = re.compile(
    r"\b(?:once|when|until|till|after|before|by the time|months?|weeks?|years?|soon|later|yet"
    r"|back|delay\w*|late|slip\w*|red|amber)\b",
    re.IGNORECASE,
)


def _kept_unsaid(read: Read) -> Doubt | None:
    """Nothing read of the status, and so kept, while the reply says something no rule read
    ('all sent now, both languages', 'IJB noted the report', 'H2', 'Friday'): a reply that
    says something says how the work stands. Asked, keeping it first; and the date too when
    a time was named that gave none."""
    r = read.reading
    if r.status is not None or r.ask_status or read.status_at:
        return None
    left = _unread(residue(read))
    if not left and (r.new_date is not None or not read.dates):
        return None
    words = " ".join(left) or read.note.strip()
    fields = {Field.STATUS}
    timed = read.dates or _OF_TIME.search(read.note)
    if timed and not r.ask_date and r.new_date is None:
        fields.add(Field.DATE)  # a time, or words of time, that came to no date: maybe late
    return Doubt("kept, unsaid", words, frozenset(fields), None)


def _date_kept_unsaid(read: Read) -> Doubt | None:
    """The status asked, the target kept on no words that keep it, and the reply speaks of
    time ('can't see it finishing by end of May', 'the week after next', 'once the budget's
    confirmed'): if the answer is late, the date is too. Asked with it, keeping it first."""
    r = read.reading
    if not r.ask_status or r.ask_date or r.new_date is not None or read.kept:
        return None
    if r.date_needs_confirmation:
        return None
    timed = _OF_TIME.search(read.note) or days_named(read.note, read.today)
    if not timed and not vague_times(read.note, read.today):
        return None
    return Doubt("date kept, unsaid", "", frozenset({Field.DATE}))


def _more_than_read(read: Read) -> Doubt | None:
    """A status or a date settled, and words beside it that no rule read, that are no reason
    and no filler ('Q1 bulletin delayed', 'complaints SA - done', 'one session left ...
    rescheduled 26th April'): what was read may be of something else. Asked."""
    r = read.reading
    fields = set()
    if not r.ask_status and (r.status is not None or read.status_at):
        fields.add(Field.STATUS)
    if not r.ask_date and r.new_date is not None:
        fields.add(Field.DATE)
    if not fields:
        return None
    left = _unread(_A_REASON.sub(" ", residue(read)))
    if len(left) <= (0 if r.status in _FINAL else _MOST_UNREAD):
        return None
    return Doubt("more than was read", " ".join(left), frozenset(fields), r.status)


def _a_step_back(read: Read) -> Doubt | None:
    """In progress read where it would be a step back on the chair's report: for work already
    part done ('EQIAs ongoing'), or for a Delayed action whose target is gone or moved ('On
    track for end of month'). Still where it was, or really back under way? Asked, keeping
    the status it has on offer."""
    r, action = read.reading, read.action
    if r.ask_status or r.status is not Status.IN_PROGRESS or action is None:
        return None
    if action.status is Status.PARTIALLY_COMPLETE:
        return Doubt("a step back", "", frozenset({Field.STATUS}), None)
    if action.status is not Status.DELAYED or action.target is None:
        return None
    later = r.new_date is not None and r.new_date > action.target
    if not later and action.target >= read.today:
        return None  # back on track, in time
    return Doubt("a step back", "", frozenset({Field.STATUS}), None)


# Irony says the opposite of its words ('oh it's definitely launching in January. Like it was
# definitely launching in September'): nothing it says of status or date can be settled.
_IRONY = re.compile(
    r"\blike (?:it|they|we|he|she|that) (?:was|were|did|would)\b|\byeah,? right\b|\bas if\b"
    r"|\ballegedly\b|\bsupposedly\b|famous last words|\blike the last \w+ times\b"
    r"|\boh,? (?:it'?s |aye,? |yes,? |sure,? )?definitely\b",
    re.IGNORECASE,
)


def _said_in_irony(read: Read) -> Doubt | None:
    """A reply in irony: its status and its date are both asked, keeping them first."""
    found = _IRONY.search(read.note)
    if found is None:
        return None
    return Doubt("irony", found.group(0), frozenset({Field.STATUS, Field.DATE}), None)


# Tried in order, each on the reading as the ones before it left it.
CHECKS = (
    Check(
        "said in irony",
        _said_in_irony,
        "Irony ('like it was definitely launching in September'): says the opposite of its "
        "words, so neither the status nor the date is settled on them. Both asked.",
    ),
    Check(
        "done, and later",
        _done_and_later,
        "Complete, yet the reply gives or asks a later date: maybe only a part is done.",
    ),
    Check(
        "closed, and dated",
        _closed_and_dated,
        "A complete or withdrawn action given a date: reopened? Only the officer can say.",
    ),
    Check(
        "done, a step",
        _done_a_step,
        "Complete, said of one step of an action with several ('EqIA training all done', "
        "for EqIAs and training): that step, or all of it? Asked.",
    ),
    Check(
        "past day alone",
        _past_day_alone,
        "A reply that is only a day gone by ('12/1'): done then, or something else then? Asked.",
    ),
    Check(
        "the date of what is waited on",
        _date_of_what_is_waited_on,
        "A date in a clause about what the work waits on ('waiting on the ORS analysis, due "
        "18 June'): that thing's day, not surely the target. Asked, offering it.",
    ),
    Check(
        "a time alone",
        _a_time_alone,
        "A reply that is only a vague time ('end of term'): done by then, or the new target "
        "then? Both asked, its last day on offer.",
    ),
    Check(
        "time unplaced",
        _time_unplaced,
        "A time that is no day ('next financial year'), with no date read: asked, not dropped.",
    ),
    Check(
        "target gone",
        _target_gone,
        "A target already past, kept while the work goes on though the reply never said to "
        "keep it ('target stays'): the new date is asked (keeping it stays on offer).",
    ),
    Check(
        "withdrawn, and later",
        _withdrawn_and_later,
        "Withdrawn, yet with a day still to come: an event cancelled and rebooked. Asked.",
    ),
    Check(
        "nothing said",
        _nothing_said,
        "A reply of no words, only a sign no rule reads: it says something; asked what.",
    ),
    Check(
        "part, and the rest",
        _part_and_the_rest,
        "A part done, and words that the rest is done too: maybe the whole. Asked.",
    ),
    Check(
        "delayed, in time",
        _delayed_in_time,
        "Delayed to a day before the target: a step held up, or the action late? Asked.",
    ),
    Check(
        "a count done",
        _a_count_done,
        "Complete, from a count of things done ('3 done since January', 'two held so far'): "
        "all of them, or some? Asked.",
    ),
    Check(
        "the next one",
        _delayed_or_the_next_one,
        "Delayed, with the date given for 'the next one': a repeated piece of work's next "
        "round, or this one late? Asked.",
    ),
    Check(
        "date beside a question",
        _date_beside_a_question,
        "The status is asked, and the date was read with no deadline word ('Signed, yes, in "
        "November'): unsure what the reply means, the bot does not move the target on it.",
    ),
    Check(
        "more than a plain answer",
        _more_than_plain,
        "A reply of more than a plain answer's words: what the rules read is offered first, "
        "not settled, since more was said than they read.",
    ),
    Check(
        "a time as a label",
        _a_time_as_a_label,
        "The date read names something else ('the Q3 figures', 'the June meeting'): asked.",
    ),
    Check(
        "late, with no target",
        _late_with_no_target,
        "Delayed, said of ongoing work with no target ('Q1 bulletin delayed'): a round late, "
        "or the action? Asked, keeping it first.",
    ),
    Check(
        "a step back",
        _a_step_back,
        "In progress, said of work part done ('EQIAs ongoing') or of a Delayed action whose "
        "target is gone ('on track for end of month'): a step back on the chair's report is "
        "not settled on a word. Asked, keeping the status it has on offer.",
    ),
    Check(
        "kept, while leaning",
        _kept_while_leaning,
        "Nothing read as changed, yet the reply's words lean to another status ('opened on "
        "Monday, closes 15/11' for a Delayed action): asked, offering where they lean.",
    ),
    Check(
        "later, unsaid",
        _later_unsaid,
        "A date after the target and no status said ('nope, Jan'): Delayed, or the same work "
        "with a new date? Both on offer.",
    ),
    Check(
        "part, again",
        _part_again,
        "Part done, read of work part done already, beside words of it finished and none of a "
        "part left: maybe the whole. Asked, Complete on offer.",
    ),
    Check(
        "a number alone",
        _a_number_alone,
        "A reply that is only a number: the target reached, or a count on the way? Asked.",
    ),
    Check(
        "contradicted",
        _contradicted,
        "The status read, and words that lean to another the reading rules out ('done' "
        "beside 'cancelled'): nothing in a reply may contradict what is settled. Asked.",
    ),
    Check(
        "a time unread",
        _time_unread_in_a_story,
        "More than a few words, no new target read, yet a time to come named (in a short "
        "story, only one past the target): asked.",
    ),
    Check(
        "closed, something else",
        _closed_something_else,
        "Done or dropped, said of a thing the action's title never names ('PM template signed "
        "off' to a reminder about flow charts): maybe news of another action. Asked.",
    ),
    Check(
        "kept, unsaid",
        _kept_unsaid,
        "No status read, yet words no rule read, or only a time that gave no date: kept on "
        "no evidence. The status asked, keeping it first; the date too when a time was named.",
    ),
    Check(
        "date kept, unsaid",
        _date_kept_unsaid,
        "The status asked, and the target kept though the reply speaks of time: if the "
        "answer is late, the date moves too. Asked with it, keeping it first.",
    ),
    Check(
        "more than was read",
        _more_than_read,
        "A status or date settled beside words no rule read that give no reason ('held up by "
        "procurement') and are no filler: asked, the reading first.",
    ),
)


# ---------------------------------------------------------------------------------------------
# Settling the reading


def settle(read: Read) -> ParsedReply:
    """The reading, with each field a doubt bears on asked rather than settled."""
    read = replace(read, reading=_asked(read.reading, doubts(read), read.action))
    for check in CHECKS:
        found = check.test(read)
        if found is not None:
            read = replace(read, reading=_asked(read.reading, [found], read.action))
    r = read.reading
    if r.ask_status:
        current = read.action.status if read.action is not None else None
        later = _moves_the_target(r, read.action)
        r = replace(r, status_options=offered(r.status_options, read.note, current, later=later))
    if not read.kept and _late_first(r, read.action):  # "won't get all six done this year"
        late = Doubt("late, to when", r.unsure or "late", frozenset({Field.DATE}))
        r = _ask_date(r, [late], read.action)
    if r.ask_date:  # every day the reply may mean is on a button, after those read
        r = replace(r, date_options=_days([*r.date_options, *days_named(read.note, read.today)]))
    return r


def _late_first(reading: ParsedReply, action: Candidate | None) -> bool:
    """Asked the status with Delayed on offer, and no date read or asked: if it is late, the
    target moves too, and the date is asked with it."""
    if not reading.ask_status or reading.ask_date or reading.new_date is not None:
        return False
    options = reading.status_options[:BUTTONS]
    current = action.status if action is not None else None
    return Status.DELAYED in options and current is not Status.DELAYED


def _moves_the_target(reading: ParsedReply, action: Candidate | None) -> bool:
    """A date read, or first offered, after the action's target: maybe it is late."""
    target = action.target if action is not None else None
    days = [reading.new_date] if reading.new_date else [o.day for o in reading.date_options[:1]]
    return target is not None and any(day > target for day in days)


def _asked(reading: ParsedReply, found: Sequence[Doubt], action: Candidate | None) -> ParsedReply:
    on_status = [d for d in found if Field.STATUS in d.fields]
    on_date = [d for d in found if Field.DATE in d.fields]
    if on_status and not reading.ask_status:
        reading = _ask_status(reading, on_status, action)
    elif on_status:
        reading = _also_offered(reading, on_status, action)
    if on_date and not reading.ask_date:  # a day to confirm becomes a day on offer
        reading = _ask_date(reading, on_date, action)
    return reading


def _ask_status(
    reading: ParsedReply, found: Sequence[Doubt], action: Candidate | None
) -> ParsedReply:
    current = action.status if action is not None else None
    leans = [d.lean for d in found if d.lean is not None]
    best = reading.status or (leans[0] if leans else None)
    offered = unique([best, None, *leans, *OTHERS[current]], current)
    unsure = reading.unsure or found[0].words
    return replace(reading, status=None, status_unclear=True, status_options=offered, unsure=unsure)


def _also_offered(
    reading: ParsedReply, found: Sequence[Doubt], action: Candidate | None
) -> ParsedReply:
    """Already asking the status: a doubt's lean not yet on the first buttons goes second,
    after the rules' best guess ('take this off your plan': withdrawn, on offer)."""
    current = action.status if action is not None else None
    leans = [d.lean for d in found if d.lean is not None]
    shown = reading.status_options
    new = [lean for lean in unique(leans, current) if lean not in shown[:BUTTONS]]
    if not new or not shown:
        return reading
    offered = unique([shown[0], *new, *shown[1:]], current)
    return replace(reading, status_options=offered)


def _ask_date(
    reading: ParsedReply, found: Sequence[Doubt], action: Candidate | None
) -> ParsedReply:
    options: list[DateOption] = []
    if reading.new_date is not None:
        options.append(DateOption(reading.new_date, reading.date_text))
    options += [DateOption(d.day, d.words) for d in found if d.day is not None]
    options += reading.date_options
    words = found[0].words
    target = action.target if action is not None else None
    now = f"The target is {format_date(target)}" if target else "It has no target date"
    problem = found[0].problem or f"{now}: is there a new target date, or keep it?"
    if not found[0].problem and found[0].kind in _TIMES:
        problem = f'I couldn\'t read "{words}" as a date. {problem}'
    elif not found[0].problem:
        problem = f"I'd rather ask than guess. {problem}"
    return replace(
        reading,
        new_date=None,
        date_problem=problem,
        date_in_past=False,
        date_needs_confirmation=False,
        date_options=_days(options),
        unsure_date=words,
    )


def _days(options: Iterable[DateOption]) -> tuple[DateOption, ...]:
    """Each day once, in order, at most four."""
    seen: set[date] = set()
    out = []
    for option in options:
        if option.day not in seen:
            seen.add(option.day)
            out.append(option)
    return tuple(out[:_MOST_DATES])
