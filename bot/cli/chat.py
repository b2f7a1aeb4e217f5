"""`engagebot chat`: the console chat."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bot.cli.root import app, context, load_settings

if TYPE_CHECKING:
    from handlers.chat.context import AppContext

DEMO_FILE = "engagebot-demo.db"
DEMO_DATABASE = f"sqlite:///{DEMO_FILE}"


@app.command("chat")
def chat(
    as_user: Annotated[
        str | None, typer.Option("--as", help="Who you are: an e-mail or name in the people table.")
    ] = None,
    demo: Annotated[
        bool,
        typer.Option(
            help="Start a fresh demo database (engagebot-demo.db) of three councils' plans, on "
            "the demo's fixed clock."
        ),
    ] = False,
) -> None:
    """Talk to the bot in this terminal."""
    from bot.channels.console import ConsoleChannel
    from bot.conversation import Conversation

    if demo:
        ctx = _demo_context(as_user)
        user = as_user or DEMO_USER
    else:
        ctx = context()
        user = as_user or _os_user()
    conversation = Conversation(ctx, local_org=ctx.org)
    channel = ConsoleChannel(conversation, _known_as(ctx, user))
    typer.echo(_welcome(ctx, channel.user, demo))
    if sys.stdin.isatty():  # a person typing: arrow keys, history and editing (readline)
        channel.run(typed_lines(PROMPT), sys.stdout, prompt="")
    else:  # piped in: read as it comes
        channel.run(sys.stdin, sys.stdout, prompt=PROMPT)


DEMO_USER = "sam.patel@example.org"


def _demo_context(as_user: str | None) -> AppContext:
    """A fresh demo database on the demo's clock, this morning's reminders queued, as the
    organisation of the person `--as` names (Blackpool Council by default)."""
    from dataclasses import replace

    from bot.demo import demo_clock, load_demo, org_of
    from reminders.sweep import sweep

    Path(DEMO_FILE).unlink(missing_ok=True)
    ctx = replace(context(DEMO_DATABASE), clock=demo_clock())
    load_demo(ctx)
    # This morning's reminders, so the demo opens the way an officer's day would.
    sweep(ctx, load_settings().policy(), "console", any_hour=True)
    org = org_of(ctx, as_user) if as_user else None
    return replace(ctx, org=org) if org is not None else ctx


PROMPT = "you> "


def typed_lines(prompt: str) -> Iterator[str]:
    """Lines typed at the terminal with line editing where Python has readline (not Windows):
    without it, the arrow keys would type '^[[D' into the message."""
    with contextlib.suppress(ImportError):
        import readline  # noqa: F401  (importing it switches line editing on for input())
    while True:
        try:
            yield input(prompt)
        except (EOFError, KeyboardInterrupt):
            return


def _os_user() -> str:
    import getpass

    return getpass.getuser()


def _known_as(ctx: AppContext, user: str) -> str:
    """`--as` takes a name or an e-mail; the console talks as the person's e-mail."""
    from handlers.plans.people import find_person
    from models.db import transaction

    with transaction(ctx.engine, ctx.org) as session:
        person = find_person(session, user)
        return person.email if person is not None and person.email else user


def _welcome(ctx: AppContext, user: str, demo: bool) -> str:
    from handlers.plans.people import find_person, roles_of
    from models.db import transaction
    from models.tables import Organisation

    with transaction(ctx.engine, ctx.org) as session:
        person = find_person(session, user)
        org = session.get(Organisation, ctx.org) if isinstance(ctx.org, int) else None
        who = "someone I don't know yet"
        if person is not None:
            roles = "; ".join(r.name for r in roles_of(session, person))
            who = f"{person.name}, {roles or 'who administers the plans'}"
            if org is not None and (demo or org.slug != "default"):
                who += f", at {org.name}"
    if not demo:
        return (
            f"engagebot console chat. You are {who}.\n"
            "Try 'my actions', 'update R1', 'show R4' or 'help'. 'exit' leaves."
        )
    from bot.demo import clock_line

    if user != DEMO_USER:
        return "\n".join(
            [
                f"engagebot demo. You are {who}.",
                clock_line(),
                "Try 'my actions', 'summary', 'should I consult?' or 'help'. 'exit' leaves.",
                "",
            ]
        )
    return "\n".join(
        [
            f"engagebot demo. You are {who}.",
            clock_line(),
            "The story in four steps (type each line, or your own words):",
            "  1. answer this morning's reminder below: R1 final draft to CLT on 22 September, "
            "new date end of October",
            "  2. save",
            "  3. should I consult?   (the toolkit, a question at a time; 'cancel' stops)",
            "  4. summary             (what the steering-group chair sees)",
            "'my actions', 'show R7' and 'help' work too; 'exit' leaves. Buttons are numbered: "
            "type the number.",
            "",
        ]
    )
