"""Updates volunteered outside a reminder: "R4 - guidance signed off this morning", or
"the flowchart's been delayed, new date end of March", written whenever the officer has news.

A message is read as an update when it names one or more of the officer's actions, by
reference or by words of the action's title that no other of their actions shares, and says
something about progress (a status, a date, something done, or the word "update"). It is then
read exactly as a reply to a reminder listing those actions: one reading per action. Anything
else is not an update, and the chat says it didn't understand.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import date

from handlers.language.replies.model import Candidate, ParsedReply
from handlers.language.replies.note import AT_THE_BOT
from handlers.language.replies.offered import leans
from handlers.language.replies.progress import reports_progress
from handlers.language.replies.reading import parse_reply
from handlers.language.replies.several import read_replies, sentences_of, title_parts
from handlers.language.replies.which import (
    SURE_WORDS,
    most_shared,
    overlapping,
    own_words_used,
    refs_mentioned,
    title_words,
)

# "Hi Jo,", "Bore da!": a greeting, up to its first stop.
_GREETING = (
    r"^\s*(?:(?:hi|hello|hiya|morning|afternoon|shwmae|helo|bore da)\b[^\n.!?]{0,20}[,.!\n]\s*)?"
)
# "Update on R4 -", "FYI", "Quick one on R7 and R5.": how news opens, not news itself.
_OPENING = re.compile(
    _GREETING
    + r"(?:(?:just )?(?:a )?(?:quick )?(?:update|progress|news|fyi|one|diweddariad)\b(?: for you)?"
    r"(?: on| for| re| about)?)?\s*[:\-\u2013\u2014,]?\s*",
    re.IGNORECASE,
)
_UPDATE_WORD = re.compile(r"(?<![\w-])(?:update|fyi|just to let you know)(?![\w-])", re.I)


def read_volunteered(
    text: str, candidates: Sequence[Candidate], *, today: date
) -> tuple[ParsedReply, ...]:
    """One reading per action the message gives news of, or none if it is not an update."""
    text = AT_THE_BOT.sub("", text)  # "@engagebot quick one - ..."
    if not text.strip() or not candidates:
        return ()
    turn = _TO_BUSINESS.search(text)
    if turn is not None and overlapping(text[turn.end() :], candidates):
        text = text[turn.end() :]  # "... the Mayor loved it. Oh and while I remember - X"
    named = refs_mentioned(text, candidates)
    if named:
        readings = _by_ref(text, [c for c in candidates if c.ref in named], today)
    else:
        readings = _by_title(text, candidates, today) or _which_of(text, candidates, today)
    if not readings or not _news(text, readings):
        return ()
    if len(readings) > 1:  # "Also can you send me the wording of R9?": asked, no news of R9
        readings = tuple(r for r in readings if not _A_REQUEST.match(r.note)) or readings
    return readings


# A request to the bot about an action, not news of it.
_A_REQUEST = re.compile(
    r"^\W*(?:also|and|oh|btw|ps)?\W*(?:can|could|would) you (?:please )?(?:send|tell|remind"
    r"|check|find|let me know|give|share|move|change|reassign)\b",
    re.IGNORECASE,
)


_MOST_OFFERED = 4


def _which_of(text: str, candidates: Sequence[Candidate], today: date) -> tuple[ParsedReply, ...]:
    """News whose words more than one of the officer's actions share ('Strategy adopted at
    Exec tonight', with a strategy and a plan to support it): asked which, offering those."""
    could = overlapping(_opened(text), candidates)
    if not could or len(could) > _MOST_OFFERED:
        return ()
    reading = parse_reply(_opened(text), [c for c in candidates if c.ref == could[0]], today=today)
    return (replace(reading, ref=None, ref_options=tuple(could)),)


def _ask_which(
    text: str, likely: Candidate, candidates: Sequence[Candidate], today: date
) -> tuple[ParsedReply, ...]:
    """News naming an action by one word of its own: likely that one, but asked, offering it
    first and then the others whose words the message uses, then the rest."""
    rest = [c.ref for c in candidates if c.ref != likely.ref]
    could = overlapping(_opened(text), candidates)
    others = [r for r in could if r != likely.ref] + [r for r in rest if r not in could]
    order = [likely.ref, *others]
    reading = parse_reply(_opened(text), [likely], today=today)
    return (replace(reading, ref=None, ref_options=tuple(order[:_MOST_OFFERED])),)


def _by_ref(text: str, named: Sequence[Candidate], today: date) -> tuple[ParsedReply, ...]:
    """'R16 and R3 both done', 'Quick one on R7 and R5.\\nR7: ...\\nR5: no change'."""
    if len(named) == 1:
        return (parse_reply(_opened(text), named, today=today),)
    lines = text.strip().split("\n", 1)
    if len(lines) == 1:  # "Quick update on A3 and A1 - A1 is all done, A3 starts Jan"
        lines = re.split(r"\s[-\u2013\u2014:]\s", text.strip(), maxsplit=1)
    intro = _opened(lines[0])
    if (
        len(lines) == 2
        and refs_mentioned(intro, named)
        and not reports_progress(_without_refs(intro, named))
    ):
        text = lines[1]  # "Quick one on R7 and R5." introduces the parts below it
    readings = read_replies(_opened(text), named, today=today)
    if all(r.ref is not None for r in readings):
        return readings
    # the actions it names are tangled ('A6 can be withdrawn, I'll note it against A3'):
    # asked which, offering those named, rather than not understood
    first = parse_reply(_opened(text), named[:1], today=today)
    return (replace(first, ref=None, ref_options=tuple(c.ref for c in named)),)


def _by_title(text: str, candidates: Sequence[Candidate], today: date) -> tuple[ParsedReply, ...]:
    """Sentences given to the actions whose own title words they use; or, where the message
    opens by naming its subject ('Quick one on the champions pilot -'), all of it to that one."""
    subject = _subject(text, candidates)
    if subject is not None:
        return (parse_reply(_opened(text), [subject], today=today),)
    parts = title_parts(_opened(text), candidates)
    if len(parts) < 2 and (named := _named_first(_opened(text), candidates)):
        if parts and parts[0][0] not in named:  # the heading names one, its words another
            return _which_of(text, [parts[0][0], *named], today)
        if len(named) == 1:  # "PSB joint engagement calendar - first workshop held"
            return (parse_reply(_opened(text), named, today=today),)
        return _which_of(text, named, today)  # "Annual report - ..." with two annual reports
    if len(parts) == 1:
        claimed = parts[0][0]
        sentences = sentences_of(_opened(text))
        first = next(k for k, s in enumerate(sentences) if title_words(s, candidates))
        lead = "".join(sentences[:first])
        also = [ref for ref in overlapping(lead, candidates) if ref != claimed.ref]
        if also:  # the news came first, naming words other actions share: which is it?
            return _which_of(text, [c for c in candidates if c.ref in {claimed.ref, *also}], today)
        if own_words_used(_opened(text), claimed.ref, candidates) < SURE_WORDS:
            return _ask_which(text, claimed, candidates, today)
        return (parse_reply(_opened(text), [claimed], today=today),)
    if len(parts) > 1:  # "... signed off. I'll start on the examples next week.": no news of it
        parts = [(a, b) for a, b in parts if not (_INTENT_ONLY.match(b) or _SIGN_OFF.match(b))]
        parts = parts or title_parts(_opened(text), candidates)
    readings = (parse_reply(body, [action], today=today) for action, body in parts)
    return tuple(replace(r, ref_unsure=len(parts) > 1) for r in readings)


# "Nothing else to report.": the end of the news, of no action.
_SIGN_OFF = re.compile(
    r"^\W*(?:nothing (?:else|more)(?: to (?:report|add|say))?(?: for now)?|that'?s (?:all|it)"
    r"(?: for now)?)\W*$",
    re.IGNORECASE,
)
# "I'll start on the examples next week", "Annual report's next.": what the officer will do
# next, not news of it.
_INTENT_ONLY = re.compile(
    r"^\s*(?:(?:i|we)(?:'ll| will| shall| am going to| are going to|'m going to|'re going to)"
    r"\s+(?:now\s+)?(?:start|begin|get started|make a start|kick off|turn to|move on to)\b"
    r"[^.!?\n]*|(?:next up:? |then )?[\w' -]{1,40}?(?: is| are)? (?:up )?next)[.!]?\s*$",
    re.IGNORECASE,
)


# "Re the 'ask once' campaign -", "Quick one on the champions pilot -", "Asset mapping update:":
# what the message is about.
_SUBJECT = re.compile(
    _GREETING + r"(?:(?:re|regarding|quick one on|(?:a )?(?:quick )?(?:update|news) on|on)\s+"
    r"(?P<topic>[^\n.:;!?\-\u2013\u2014]{3,60}?)"
    r"|(?P<named>[^\n.:;!?\-\u2013\u2014]{3,60}?)\s+(?:update|news))\s*[:\-\u2013\u2014]",
    re.IGNORECASE,
)


# "PSB joint engagement calendar - we had the first workshop": a heading, then the news.
_HEADING = re.compile(
    r"^\s*(?P<heading>[^\n.:;!?\u2013\u2014(]{3,60}?)(?:\s+[\-\u2013\u2014]\s|:\s)"
)
_HEADING_WORDS = 6
_FOR_SOMETHING = re.compile(
    r"^\s*(?:heads[ -]?up |fyi |just |a note |one )?(?:for|ahead of|before|in time for)\b", re.I
)


def _named_first(text: str, candidates: Sequence[Candidate]) -> list[Candidate]:
    """The actions a short heading opening the message names, those sharing most of its words.

    Only a heading that is a name, not news ("Register done - ..."), and several when they
    share it equally, to be asked which."""
    m = _HEADING.match(text)
    if m is None or len(m["heading"].split()) > _HEADING_WORDS or reports_progress(m["heading"]):
        return []
    if _FOR_SOMETHING.match(m["heading"]):
        return []  # "Heads up for Tuesday's report - ...": what the news is for, not about
    refs = most_shared(m["heading"], candidates)
    return [c for c in candidates if c.ref in refs]


# "the children use of force pilot, we've had to pause it. ...": a subject, then "it".
_TOPIC_THEN_IT = re.compile(
    _GREETING + r"(?P<topic>[^\n.:;!?,]{3,60}?),\s+(?:we|i|they)(?:'ve|'re|'d| have| are| had)?"
    r"\b[^.!?\n]{0,40}?\b(?:it|this)\b",
    re.IGNORECASE,
)


def _subject(text: str, candidates: Sequence[Candidate]) -> Candidate | None:
    """The one action the message's opening names as its subject, if it does."""
    m = _SUBJECT.match(text)
    ref = title_words(m["topic"] or m["named"], candidates) if m else None
    if ref is None and (it := _TOPIC_THEN_IT.match(text)) is not None:
        ref = title_words(it["topic"], candidates)
    return next((c for c in candidates if c.ref == ref), None)


# "Siobhan here from Community Planning.", "Gary O here.": who is writing, not what about.
_INTRODUCED = re.compile(
    _GREETING + r"(?-i:[A-Z])[\w'-]*(?: (?-i:[A-Z])[\w'.-]*)? here\b[^\n.!?]{0,40}[.!,\n]\s*",
    re.IGNORECASE,
)


# "Anyway, ...": the chat before it was small talk; the news starts here.
_TO_BUSINESS = re.compile(
    r"(?:^|[.!?\n]\s*)(?:oh,? )?(?:and |also )?(?:anyway|anyhow|anyways|right then|so anyway"
    r"|while i'?m here|while i (?:think of it|remember))\b[,:!\-\u2013]?\s*",
    re.IGNORECASE,
)


def _opened(text: str) -> str:
    """The message without its greeting, its writer's introduction, or 'update on'."""
    intro = _INTRODUCED.match(text)
    if intro and not reports_progress(intro.group()):
        text = text[intro.end() :]
    turn = _TO_BUSINESS.search(text)
    if turn is not None and not reports_progress(text[: turn.start()]):
        text = text[turn.end() :]  # "... a mad few weeks. Anyway, the videos went out"
    return _OPENING.sub("", text, count=1).strip() or text.strip()


def _without_refs(text: str, named: Sequence[Candidate]) -> str:
    for candidate in named:
        text = re.sub(re.escape(candidate.ref), " ", text, flags=re.I)
    return text


def _news(text: str, readings: Sequence[ParsedReply]) -> bool:
    """Something about progress: a status, a date, words leaning to one, or 'update'."""
    said = any(
        r.status
        or r.date_text
        or (r.ask_status and not r.unsure)  # a question asked of it is no news of it
        or (r.ask_date and not r.unsure_date)
        for r in readings
    )
    leaning = leans(text)  # "can we take it off?": words that lean to a status are news too
    return said or bool(leaning) or reports_progress(text) or bool(_UPDATE_WORD.search(text))
