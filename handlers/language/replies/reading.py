"""Reading one reply about one action: status, revised date and note, put together."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from handlers.language.replies.dates import all_dates
from handlers.language.replies.deadlines import (
    MISSING,
    TARGET_KEPT,
    a_later_step,
    choose_date,
    due_after_new_year,
    new_year,
)
from handlers.language.replies.model import Candidate, ParsedReply
from handlers.language.replies.note import (
    only_status_and_date,
    quoted_ref,
    strip_leading_ref,
    without_echo,
)
from handlers.language.replies.progress import weigh_progress
from handlers.language.replies.status import header_status, pick_status, status_matches
from handlers.language.replies.tokens import tokenize
from handlers.language.replies.which import refs_mentioned, which_action
from handlers.language.slips import fix_typos
from handlers.language.targets import format_date
from models.tables import Status


def parse_reply(text: str, candidates: Sequence[Candidate], *, today: date) -> ParsedReply:
    """Understand one reply to a reminder; never guesses (see the module docstring)."""
    original = text.replace("\u2019", "'").strip()
    plain = without_echo(original, candidates)
    mentioned = refs_mentioned(plain, candidates) or quoted_ref(original, candidates)
    written = strip_leading_ref(plain, candidates, len(mentioned) > 1)
    note = fix_typos(written)  # read "compelte" as "complete"; the note stays as written

    tokens = tokenize(note)
    dates = all_dates(note, tokens, today)
    kept = TARGET_KEPT.search(note) is not None  # "the end date is the same"
    choice = None if kept else choose_date(tokens, dates, today)
    # only the date taken as the target can make "done by ..." a promise rather than a fact
    matches = status_matches(note, tokens, [choice.found] if choice else [], today)
    status = header_status(note, matches) or pick_status(
        matches, revision=choice is not None and choice.revision
    )
    ref = which_action(plain, candidates, mentioned)
    action = next((c for c in candidates if c.ref == ref), None)
    if choice is not None and new_year(choice.found) and due_after_new_year(action, today):
        choice = None  # "more in the new year" for an action due next autumn: nothing changes
    if kept and status in (None, Status.DELAYED):
        status = Status.IN_PROGRESS  # a step slipped, the target holds: on track
    partly = any(m.status is Status.PARTIALLY_COMPLETE for m in matches)
    # a part not started, or under way, beside a part done: "scoping done, DPIA underway"
    unstarted = any(m.status in _SHORT_OF_DONE and not m.weak for m in matches)
    status, unclear = weigh_progress(note, tokens, status, choice, action, partly, unstarted)

    new_date, date_text, problem, confirm, in_past = None, "", None, False, False
    if choice is not None:
        hit = choice.found
        date_text = hit.text
        if hit.answer.day is None:
            problem = hit.answer.problem
        elif a_later_step(tokens, dates, hit):
            problem = (
                f"You mention {hit.text} and a later step: which date is the new target "
                "for the whole action?"
            )
        elif choice.soft:
            problem = (
                f"Is {hit.text} ({format_date(hit.answer.day)}) the new target for the whole "
                'action, or the date of one step? Say the new target date, or "keep".'
            )
        else:
            new_date, confirm, in_past = (
                hit.answer.day,
                hit.answer.needs_confirmation,
                choice.in_past,
            )
    elif status is Status.DELAYED and MISSING.search(note):
        problem = "You say the target will be missed: what is the new target date?"

    spans = [(m.start, m.end) for m in matches]
    if choice is not None:
        spans.append((tokens[choice.found.first].start, tokens[choice.found.last].end))
    # A bare "Done" or "Delayed until the spring" carries no note of its own; anything longer
    # is the officer's account of the work, and kept as they wrote it.
    short_reply = len(note.split()) <= 5
    if short_reply and only_status_and_date(note, spans) and (status or choice is not None):
        written = ""
    return ParsedReply(
        ref=ref,
        refs_mentioned=mentioned,
        status=status,
        note=written,
        new_date=new_date,
        date_text=date_text,
        date_problem=problem,
        date_needs_confirmation=confirm,
        date_in_past=in_past,
        status_unclear=unclear,
    )


_SHORT_OF_DONE = frozenset({Status.NOT_STARTED, Status.IN_PROGRESS})
