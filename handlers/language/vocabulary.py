"""The words both parsers know: dates in target cells and chat (targets.py), and officers'
replies to reminders (replies.py). Each list lives here once, so the two cannot drift apart.

Everything is lower case. Lists are plain data with a line on why they hold what they hold;
`alternation` and `phrases` build regex groups from them. Cheap to import: the CLI imports
targets.py, and so this module, on every start.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from handlers.language.welsh import phrases_in_english

# ---------------------------------------------------------------------------------------------
# Calendar names

# Spelled out rather than calendar.month_name, which follows the locale.
MONTH_NAMES = (
    "",
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

# Full names, three-letter abbreviations, and the longer abbreviations people also write.
MONTHS: dict[str, int] = {name.lower(): i for i, name in enumerate(MONTH_NAMES) if name}
MONTHS.update({name[:3].lower(): i for i, name in enumerate(MONTH_NAMES) if name})
MONTHS["sept"] = 9
WEEKDAYS: dict[str, int] = {name.lower(): i for i, name in enumerate(WEEKDAY_NAMES)}
WEEKDAYS.update({name[:3].lower(): i for i, name in enumerate(WEEKDAY_NAMES)})
WEEKDAYS.update({"tues": 1, "weds": 2, "thur": 3, "thurs": 3})

# Welsh date words, read as their English: councils in Wales are answered in both languages
# ("Diwedd mis Chwefror" is the end of February). Word by word; none is an English word.
WELSH_DATE_WORDS: dict[str, str] = {
    "ionawr": "january",
    "chwefror": "february",
    "mawrth": "march",
    "ebrill": "april",
    "mai": "may",
    "mehefin": "june",
    "gorffennaf": "july",
    "awst": "august",
    "medi": "september",
    "hydref": "october",
    "tachwedd": "november",
    "rhagfyr": "december",
    "diwedd": "end of",
    "canol": "mid",
    "dechrau": "start of",
    "mis": "",  # "mis Chwefror": the month of February
}

# Endings of day numbers: "31st", "2nd", "3rd", "4th".
ORDINAL_SUFFIXES = ("st", "nd", "rd", "th")

# ---------------------------------------------------------------------------------------------
# Named periods

# UK meteorological seasons, by first month; "fall" is American but turns up in plans.
SEASON_START: dict[str, int] = {"spring": 3, "summer": 6, "autumn": 9, "fall": 9, "winter": 12}
SEASONS = frozenset(SEASON_START)
# Festivals targets are set by: Christmas Day, Easter Sunday.
FEASTS = frozenset({"christmas", "xmas", "easter"})
# Quarters: "Q1 2027", "qtr 2 2027", "quarter 3 2026/27".
QUARTER_WORDS = ("quarter", "qtr", "q")
# Financial years (April to March): "FY 2026/27", "fin year 2026/27", "this financial year".
FINANCIAL_YEAR_WORDS = ("financial year", "fin year", "fy", "f/y")

# Part of a period, and which part it means: "beginning of May" is its first day.
MODIFIERS: dict[str, str] = {
    "early": "early",
    "beginning of": "start",
    "start of": "start",
    "mid": "mid",
    "middle of": "mid",
    "late": "late",
    "end of": "end",
    "end": "end",
}
# Modifiers also written joined to what they modify: "mid-May", "end-March", "early-2027".
JOINED_MODIFIERS = ("early", "mid", "late", "end")
# The words modifiers open with ("middle", "beginning"), for reading text word by word.
MODIFIER_WORDS = frozenset(phrase.split()[0] for phrase in MODIFIERS)

# ---------------------------------------------------------------------------------------------
# Relative dates

# Counts written as words: "in three weeks", "Year two".
NUMBER_WORDS: dict[str, int] = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
}
# Lengths of time in relative dates: "in two weeks", "within a fortnight".
TIME_UNITS = frozenset(
    {"day", "days", "week", "weeks", "fortnight", "fortnights", "month", "months"}
)
# The rest of relative dates: "tomorrow", "next Friday", "a week from now", "in a month's time".
RELATIVE_WORDS = frozenset(
    {"today", "tomorrow", "next", "this", "coming", "in", "from", "now", "time", "after"}
)
# Before a weekday, the coming one: "next Friday", "this coming Monday".
WEEKDAY_LEADS = ("this coming", "coming", "next", "this")

# ---------------------------------------------------------------------------------------------
# Deadline cues

# Nouns naming a target date: "Target: 31/03/2027", "new timescale", "missed the March deadline".
TARGET_NOUNS = frozenset({"target", "deadline", "date", "dates", "timescale", "timescales"})
# Before a date, make it a deadline without changing the day: "by", "no later than".
DEADLINE_WORDS = (
    "no later than",
    "not later than",
    "on or before",
    "due by",
    "due",
    "by",
    "before",
)
# Hedges before a date that don't move it: "around the end of March", "circa 2027".
APPROXIMATE_WORDS = ("approximately", "approx", "around", "circa")

# ---------------------------------------------------------------------------------------------
# Status words. In these phrases a space stands for any run of spaces and hyphens ("signed-off",
# "on-going"), and a small regex group stands in where listing every form would be longer.

# Done, unless negated, future or qualified ("nearly done"); "done by" leads a target date.
COMPLETE_WORDS = (
    "complete",
    "completed",
    "done",
    "finished",
    "signed off",
    "published",
    "delivered",
    "achieved",
    "adopted",
    "all sorted",
    "gone live",
    "went live",
    "live and (?:in use|being used|working)",
    "everyone'?s using it",
)
# Complete, whatever the tense: the officer asks for the action to be closed.
CLOSE_WORDS = (
    r"(?:please |can |could |should )?(?:be )?clos(?:e|ed|ing) (?:this|it|[a-z]{1,2}\d{1,2})"
    "(?: one)?(?: off| down)?",
    r"(?:this|it)(?: one)? can be (?:closed|signed off|marked (?:as )?(?:complete|done))",
    "closing (?:this|it) off",
    "nothing (?:further|more|else) to do",
    "happy (?:for this|for it|that this|that it) (?:to be closed|is complete)",
    r"tick (?:that|this|it)(?: one)? off",
    "call (?:this|it)(?: one)? (?:complete|done)",
    r"(?:mark|marked) (?:this|it)(?: one)? (?:as )?(?:complete|done)",
    "job done",
)
# Withdrawn unless negated ("not dropped").
WITHDRAWN_WORDS = ("withdrawn", "withdraw", "dropped", "cancell?ed", "superseded", "replaced by")
NO_LONGER_WORDS = (  # withdrawn, whatever negation says: "no longer needed"
    "no longer (?:needed|required|relevant|necessary|applicable|going ahead|part of)",
    r"not part of the \w+ any(?: )?more",
    "not (?:needed|required|necessary) any(?: )?more",
    r"removed from the (?:\w+ )?plan",
    "(?:going to|will|we'?ll|to) drop (?:this|it)(?: one)?",
    "not going to do (?:this|it)(?: one)?",
    # "we won't be doing this now", but not "won't be doing this until April"
    r"(?:won'?t|will not|not) be doing (?:this|it)(?: one)?(?: now| any ?more)?(?=\s*(?:[.,;!]|$))",
    "(?:has|have) replaced (?:this|it)",
    # taken off the plan, in the words officers use for it
    r"(?:take|taking|took|taken) (?:this|it|this one|[a-z]{1,2}\d{1,2}) off (?:the|our) "
    "(?:list|plan)",
    r"(?:remove|removing) (?:this|it)(?: one)? from (?:the|our) (?:list|plan)",
    "not (?:proceeding|progressing|going ahead) with (?:this|it)(?: one)?",
    "(?:we'?re|we are|i'?m|i am) dropping (?:this|it)(?: one)?",
    "overtaken by events",
    "grey (?:this|it)(?: one)? out",
    "(?:agreed|decided) to (?:stop|drop|close down) (?:this|it)(?: one)?",
    "nothing (?:for us )?(?:left )?to do (?:on|with|for) (?:this|it)(?: one)? any ?more",
    "(?:rolled|folded|absorbed|merged|subsumed) into (?:the |a |our )?(?:new )?",
    "(?:doesn'?t|does not|no longer) need(?:s)? to (?:sit|be|stay) on (?:this|the) plan",
    "can be withdrawn",
)
# Delayed unless negated; the "-ed" ones never make a reply's clause a past event.
DELAYED_WORDS = (
    "delayed",
    "delays?",
    "slipped",
    "slipping",
    "behind",
    "on hold",
    "paused",
    "postponed",
    "pushed back",
    "put back",
    "deferred",
    "held up",
    "held back",
    "stalled",
    "(?:running|be|is|are|going) (?:a bit )?late",
    "behind schedule",
    "parked",
    "pause",
    "(?:need|needs|needed) (?:a bit |a little |some )?(?:more time|longer|an extension)",
    "more time",
    r"(?:can'?t|cannot|don'?t) see (?:it|this) happening",
)
# Delayed only when nothing else is said: a dependency is a reason, not a status ("not started
# yet, waiting for the budget" is not started). "Waiting for/on" alone is not a delay at all:
# the officer did not say the target will be missed, so the status is kept.
DEPENDS_WORDS = (
    r"(?:can'?t|cannot|unable to|not able to|won'?t be able to) (?:\w+ ){1,4}?(?:until|till|til)",
    r"(?:can'?t|cannot|unable to) (?:progress|proceed|move (?:this|it) on)",
    "not until",
    "won'?t be (?:finished|done|complete|completed|ready) (?:this|by|in|until)",
)
MISSING_WORDS = (  # delayed, whatever negation says: "won't make it", "missed the deadline"
    "(?:won'?t|not|not going to|unable to|can'?t|cannot) (?:make|meet|hit)",
    r"(?:will|going to|\w+'ll) miss",
    f"missed the (?:{'|'.join(sorted(TARGET_NOUNS))})",
    # "this will go past the December deadline", "running over the target date"
    rf"(?:go|goes|going|run|runs|running) (?:past|over|beyond) the (?:\w+ )?"
    f"(?:{'|'.join(sorted(TARGET_NOUNS))})",
)
# Qualifiers that on their own say partly done; with "complete" they make it partial.
PARTLY_QUALIFIERS = (
    "partially",
    "partly",
    "nearly",
    "almost",
    "mostly",
    "largely",
    "substantially",
)
PARTLY_DONE_WORDS = PARTLY_QUALIFIERS + (
    "part complete[d]?",
    "half (?:done|complete|finished|way)",
    "first (?:phase|stage|part) (?:done|complete|completed|finished)",
    "most of (?:it|the|them)",
    "not quite(?: (?:finished|done|complete|completed|there))?",
    r"\w+ (?:yes|done),? (?:but )?\w+ (?:no|not yet)",  # "Toolkit yes, training no."
)
# A stage of the work reached: partly complete, or just what "in progress" looks like.
DRAFT_STAGE_WORDS = (
    "drafted",
    "drafts?",
    "out for (?:feedback|consultation|comments?)",
    "in draft",
)
# Work still to do, said beside a finished part: "fieldwork finished, analysis due end of
# January" is partly done, not done ("Completed but still need to share with groups").
REMAINING_WORDS = (
    r"still (?:to|need|needs|needed|have to|has to|being|outstanding|to be|with)",
    "yet to",
    "remaining",
    "remain",
    "outstanding",
    # "minutes to follow": the record of a decision, not work left to do
    r"(?<!minutes\W)(?<!paperwork\W)(?<!letter\W)to follow",
    "to come",
    "left to (?:do|add|finish|complete)",
    "the rest",
    "needs? to be",
    "now (?:analysing|analyzing|working|drafting|writing)",
    "(?:just|only|still) (?:need|needs) to",
    r"(?<!the\s)last (?:two|three|four|few|one|\d+)",
    "except",
    "apart from",
    "other than",
    r"still \w+ing",
    "being (?:written|drafted|prepared|finalised|finalized|produced|designed|built|typed up)",
    r"(?:writing|typing) (?:it |this )?up",
    r"(?<![\d.])[1-9]?\d ?%",  # "Toolkit: 50%"
    r"chasing (?:the )?(?:other|rest|remaining|last|outstanding)",
    r"the other (?:\d+|two|three|four|few)",
    "(?:going|goes|off|now) to "
    "(?:clt|slt|smt|elt|cabinet|committee|the board|full council|scrutiny)",
    "for (?:approval|sign(?: |-)?off|adoption)",
    # with whoever does the next step: "data with the analysts", "draft with legal"
    r"(?:is |are |now |still )?with (?:the )?(?:legal|comms|finance|analysts?|lawyers|designers?|"
    r"it|hr|clt|slt|smt|elt|cabinet|members|printers?|research team|design team)",
)
# Words before a phrase that say the opposite of it (a lookbehind: no spaces, see phrases()).
_NOT_BEFORE = r"(?<!not\s)(?<!n't\s)(?<!never\s)(?<!cannot\s)(?<!able\sto\s)(?<!longer\s)"
_NOT_NEW = r"(?:(?!(?:new|revised|amended|extended|later)\b)\w+ )"  # any word but "new"
# The target is unchanged: on track, and any date named is a step's, not a new target
# ("Phase 2 slipped to September but the end date is the same").
TARGET_KEPT_WORDS = (
    r"(?:target|date|deadline|timescale|end date)(?:'?s)? (?:stays?|unchanged|remains?"
    r"|(?:still )?stands|(?:is |still )?(?:fine|ok|okay|good)|is the same|hasn'?t changed"
    r"|has not changed|not changed)",
    r"no change (?:to|in) (?:the |our )?(?:\w+ ){0,4}?(?:date|target|deadline)",
    r"(?:doesn'?t|does not|won'?t|will not|shouldn'?t) (?:affect|change|move|alter) the "
    r"(?:\w+ ){0,3}?(?:date|target|deadline|end date)",
    r"(?:finish|be (?:done|finished|complete|ready)|deliver) (?:in|on) time",
    r"(?:\w+ )?still (?:ok|okay|fine|good)(?= *(?:[.,;!]|$))",
    r"(?:that'?s|that is) fine",
    # "keep the date", "on track for the deadline": not when negated ("can't keep the date"),
    # nor of a new date the plan may not have yet ("on track for the new date (end Aug)")
    _NOT_BEFORE
    + r"keep(?:ing)? (?:to )?(?:the |our |that |this )?"
    + _NOT_NEW
    + r"{0,2}?(?:date|target|deadline|end date|timescale)s?\b",
    _NOT_BEFORE
    + r"on (?:track|target|course|schedule) (?:for|to meet|to hit) (?:the |our )?"
    + _NOT_NEW
    + r"{0,2}?(?:date|target|deadline|end date|timescale)s?\b",
)
# On track: the work goes on as planned. Said of an action already under way, they change
# nothing; negated ("not on track") they mean delayed.
ON_TRACK_WORDS = (
    "on track",
    "going (?:really |very |pretty |quite )?well",
    "on (?:target|schedule)",
    "still on (?:for|target|track|course|schedule)",
    "on course",
) + TARGET_KEPT_WORDS
# In progress; negated ("not in progress") they mean delayed.
IN_PROGRESS_WORDS = (
    "in progress",
    "progressing",
    "under(?: )?way",
    "on(?: )?going",
    "making (?:good )?progress",
    "good progress",
    "moving along",
)
# In progress unless negated. "Working on it" is not here: it says nothing the status doesn't.
STARTED_WORDS = ("started", "begun", "began", "commenced", "made a start")
# Not started: a start word negated, or still to come.
NOT_STARTED_WORDS = (
    "(?:not|never|neither(?: (?:one|of them))?|none of them(?: (?:have|has))?"
    "|(?:have|has|had|is|are|was|were|did|does|do)n'?t)"
    "(?: (?:yet|been|even|really|actually))* (?:started|begun|commenced)",
    "yet to (?:start|begin|commence)",
    "yet to be (?:started|begun|commenced)",
    "nothing (?:has been |was )?(?:done|happened)",
)

# ---------------------------------------------------------------------------------------------
# Building regexes from the lists


_WELSH = re.compile(rf"(?<![\w'-])({'|'.join(WELSH_DATE_WORDS)})(?![\w'-])", re.IGNORECASE)


def in_english(text: str) -> str:
    """Welsh phrases of progress and time, month names and 'diwedd' (end of), 'canol' (mid),
    read as their English."""
    text = phrases_in_english(text)
    if not _WELSH.search(text):
        return text
    return " ".join(_WELSH.sub(lambda m: WELSH_DATE_WORDS[m[1].lower()], text).split(" "))


def one_of(words: Iterable[str]) -> str:
    """A non-capturing regex group matching any of the words, longest first ("march", "mar")."""
    return "(?:" + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) + ")"


def alternation(words: Iterable[str]) -> str:
    """As `one_of`, but capturing the word."""
    return "(" + one_of(words).removeprefix("(?:")


def phrases(items: Iterable[str], space: str = r"[\s-]+") -> str:
    """A non-capturing group of status phrases, each space standing for `space`."""
    return "(?:" + "|".join(item.replace(" ", f"(?:{space})") for item in items) + ")"
