"""`/engage` as a command: its own syntax for `/engage help`, and a likely meaning for a typo.

The core reads what follows `/engage` as it reads a DM, so whole sentences work too ("/engage
what's overdue?"). What is answered here, without the core: `/engage` alone or `/engage help`
(the syntax, with an example of each), and a first word that is no command but close to one
("/engage sumary" → "Did you mean /engage summary?", with a button that runs it).
"""

from __future__ import annotations

import difflib
import re

from handlers.chat.messages import Choice, Reply

COMMAND = "/engage"

# (syntax, what it does, an example), in the order people need them. Every example is checked
# against the core by the tests, so this list cannot drift from what the bot understands.
SYNTAX: tuple[tuple[str, str, str], ...] = (
    ("mine", "your open actions, soonest due first", "mine"),
    ("update REF", "the update form for an action (status, note, new date)", "update R4"),
    ("show REF", "an action's details and latest progress", "show R4"),
    ("overdue", "open actions past their target date", "overdue"),
    ("plans", "the plans I know about", "plans"),
    ("summary [PLAN]", "the status summary, posted here for everyone", "summary"),
    ("consult", "should I consult or engage? One question at a time", "consult"),
    ("health check [for TEAM]", "this year's engagement self-assessment", "health check"),
    (
        "post the summary every DAY",
        "a weekly summary in this channel (plan admins)",
        "post the summary every Monday",
    ),
    (
        "publish consultation ID",
        "put a register entry on the public page",
        "publish consultation 12",
    ),
    ("home", "your actions, plans and reminder settings in one place", "home"),
    ("remind me at TIME", "when your reminders come (working hours)", "remind me at 2pm"),
    (
        "snooze my reminders",
        "no reminders for a week; 'resume my reminders' ends it",
        "snooze my reminders",
    ),
    ("help", "this list", "help"),
)

# First words the core takes (commands, and how sentences to it begin): never "corrected".
# fmt: off
KNOWN = frozenset((
    "mine", "my", "update", "show", "details", "view", "overdue", "what", "what's", "whats",
    "plans", "list", "summary", "status", "consult", "should", "do", "health", "redo",
    "restart", "start", "run", "carry", "post", "stop", "publish", "unpublish", "home",
    "dashboard", "remind", "snooze", "resume", "unsnooze", "wake", "help", "hi", "hello",
    "cancel", "never", "quit", "abort", "save", "complete", "newdate", "notmine", "yes", "no",
    "back", "why",
))
# fmt: on
# What a typo is compared with: each command's first word.
VERBS = tuple(dict.fromkeys(syntax.split()[0] for syntax, _, _ in SYNTAX))
CLOSE_ENOUGH = 0.75


def answer_locally(text: str) -> Reply | None:
    """The command's help, or a suggestion for a mistyped command; None: ask the core."""
    words = text.strip()
    if re.fullmatch(r"(?:help|\?|--help|-h)", words, re.IGNORECASE):
        return syntax_help()
    first, _, rest = words.partition(" ")
    first_word = first.lower().strip(".,!?:;")
    if not first_word or first_word in KNOWN:
        return None
    close = difflib.get_close_matches(first_word, VERBS, n=1, cutoff=CLOSE_ENOUGH)
    if not close:
        return None
    meant = f"{close[0]} {rest}".strip()
    return Reply(
        f"There's no '{COMMAND} {first_word}'. Did you mean {COMMAND} {meant}?",
        choices=(Choice(f"{COMMAND} {meant}"[:75], meant), Choice("All commands", "help")),
        private=True,
    )


def syntax_help() -> Reply:
    lines = [
        f"`{COMMAND} {syntax}`  {what}, e.g. `{COMMAND} {example}`"
        for syntax, what, example in SYNTAX
    ]
    text = (
        f"How to use {COMMAND} (answers are only for you, unless they say otherwise):\n"
        + "\n".join(lines)
        + f"\n\nIn a DM with me, leave out {COMMAND}: write 'update R4' or 'my actions'. "
        "To use me in a channel (the steering group's, say), add me first with "
        "`/invite @engagebot`; then mention @engagebot there."
    )
    return Reply(
        text, choices=(Choice("My actions", "my actions"), Choice("Home", "home")), private=True
    )
