"""Read an officer's free-text reply to a reminder: which action, what status, what new date.

`parse_reply` is pure: it never touches the database and never guesses. An unclear date is
reported in `date_problem`, a relative one ("next Friday") is flagged for confirmation, a
status that can't be read where one is needed sets `status_unclear` (the bot asks, with the
status buttons), and a reply about several actions leaves `ref` as None so the caller can ask
which one. `read_replies` reads a reply whose parts each start with an action's ref ("R1 done.
R4 delayed to March") part by part, one reading per action.

Dates: phrases are cut out of the reply with regexes around cue words and date-like tokens,
then each is read by `handlers.language.targets.parse_date_answer`, longest first. A revised
target is about the future, so dates in clauses describing past events ("met on 3 November")
are ignored unless a target cue introduces them ("revised to 31 March 2020"), which sets
`date_in_past`. A date with no cue counts only when it is the point of its clause ("Delayed,
end of March") or follows what gets done then ("workshops finish 18 December"); a start
("roll out from October") or a length of time ("pushed back a month") is never the target;
"won't be done by Christmas" names the date being missed; "delivery expected in December"
may be a step's date, so it is asked about, as is a board's date ("to CLT on 14 January for
decision"). A bare "next FY" or "in the new year" is a span, not a date: asked about (unless the
action is already due after the new year, or a date is given with it); "the remaining two booked
for Jan" dates the end of the work; a deadline said to be missed with no new date is asked for.

The reminder copied back into a reply ("> S2: Overdue by 7 days", the action's own words) is
left out before reading: it says what was asked, not what was done. A ref named only in the
quoted lines still says which action the reply is about.

Status: words are matched case-insensitively on word boundaries, after slips in status words
and month names are put right ("compelte", "Feburary"); completion words are dropped when
negated ("not complete"), future ("will be complete by") or qualified ("nearly complete").
Precedence: WITHDRAWN > COMPLETE > DELAYED > PARTIALLY_COMPLETE > IN_PROGRESS > NOT_STARTED;
a new date given without a delay word is not a delay ("drafted, will finish by March" is
partially complete), but "new date"/"revised to" on its own implies DELAYED. A dependency
("can't start until ...") is a delay only when nothing else is said, and "waiting for" or
"working on it" is no status at all: the status is kept. Something finished beside work still
to come ("fieldwork finished, analysis due end of January"), or beside a part not started or
under way ("module: done. template: not started"), is partially complete; so is "three quarters
done". A meeting cancelled is not the action withdrawn, and "not sure if that's enough to close
it" is not a closure.
"""

from __future__ import annotations

from handlers.language.replies.model import Candidate, DateOption, ParsedReply
from handlers.language.replies.reading import parse_reply
from handlers.language.replies.several import read_replies
from handlers.language.replies.volunteered import read_volunteered
from handlers.language.replies.which import refs_mentioned

__all__ = [
    "Candidate",
    "DateOption",
    "ParsedReply",
    "parse_reply",
    "read_replies",
    "read_volunteered",
    "refs_mentioned",
]
