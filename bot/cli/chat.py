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

DEMO_DATABASE = "sqlite:///engagebot-demo.db"


@app.command("chat")
def chat(
    as_user: Annotated[
        str | None, typer.Option("--as", help="Who you are: an e-mail or name in the people table.")
    ] = None,
    demo: Annotated[
        bool, typer.Option(help="Start a fresh demo database with the council plans loaded.")
    ] = False,
) -> None:
    """Talk to the bot in this terminal."""
    from bot.channels.console import ConsoleChannel
    from bot.conversation import Conversation

    if demo:
        Path("engagebot-demo.db").unlink(missing_ok=True)
    ctx = context(DEMO_DATABASE if demo else None)
    user = as_user or ""
    if demo:
        from bot.demo import DEMO_USER, load_demo
        from reminders.sweep import sweep

        load_demo(ctx)
        # This morning's reminders, so the demo opens the way an officer's day would.
        sweep(ctx, load_settings().policy(), "console", any_hour=True)
        user = as_user or DEMO_USER
    conversation = Conversation(ctx, local_org=ctx.org)
    channel = ConsoleChannel(conversation, _known_as(ctx, user or _os_user()))
    typer.echo(_welcome(ctx, channel.user, demo))
    if sys.stdin.isatty():  # a person typing: arrow keys, history and editing (readline)
        channel.run(typed_lines(PROMPT), sys.stdout, prompt="")
    else:  # piped in: read as it comes
        channel.run(sys.stdin, sys.stdout, prompt=PROMPT)


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

    with transaction(ctx.engine, ctx.org) as session:
        person = find_person(session, user)
        who = "someone I don't know yet"
        if person is not None:
            roles = "; ".join(r.name for r in roles_of(session, person)) or "no role"
            who = f"{person.name} ({roles})"
    lines = [f"engagebot console chat. You are {who}."]
    if demo:
        lines.append("Demo data: three council action plans, in engagebot-demo.db.")
        lines.append(
            "Reply to the reminder below in your own words (e.g. 'R1 drafted, out for feedback, "
            "new date end of March'),"
        )
        lines.append(
            "or try 'my actions', 'should I consult?', 'summary' or 'help'. 'exit' leaves."
        )
    else:
        lines.append("Try 'my actions', 'update R1', 'show R4' or 'help'. 'exit' leaves.")
    return "\n".join(lines)
