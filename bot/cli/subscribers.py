"""`engagebot subscribers …` and `engagebot mail …`: residents' e-mail subscriptions to the
public page (personal data: listed, exported and erased here), and sending their e-mails."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from bot.cli.root import context, fail, group, load_settings

subscribers_app = group(
    "subscribers", "Residents subscribed by e-mail to the public page (personal data)."
)
mail_app = group("mail", "Residents' e-mails from the public page: send now, or see the queue.")

Email = Annotated[str, typer.Argument(help="The resident's e-mail address.")]


@subscribers_app.command("list")
def subscribers_list() -> None:
    """How many subscriptions there are, by what they are to (no addresses shown)."""
    from collections import Counter

    from handlers.subscriptions.records import every_subscription
    from models.db import transaction

    ctx = context()
    with transaction(ctx.engine, ctx.org) as session:
        rows = every_subscription(session)
    confirmed = Counter((r["kind"], r["value"]) for r in rows if r["confirmed_at"] is not None)
    for (kind, value), count in sorted(confirmed.items()):
        typer.echo(f"{count}\t{kind}\t{value}")
    pending = sum(1 for r in rows if r["confirmed_at"] is None)
    typer.echo(f"{sum(confirmed.values())} confirmed, {pending} waiting for confirmation.")


@subscribers_app.command("export")
def subscribers_export(email: Email) -> None:
    """What is held about one address (a subject-access request), as JSON."""
    from handlers.subscriptions.records import held_about
    from models.db import transaction

    ctx = context()
    with transaction(ctx.engine, ctx.org) as session:
        data = held_about(session, email)
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False))


@subscribers_app.command("forget")
def subscribers_forget(
    email: Email, yes: Annotated[bool, typer.Option("--yes", help="Do not ask.")] = False
) -> None:
    """Erase an address: its subscriptions, e-mails waiting for it, the record of those sent."""
    from handlers.subscriptions.records import forget_address
    from models.db import transaction

    if not yes and not typer.confirm(f"Erase {email} and its subscriptions?"):
        fail("Nothing was changed.")
    ctx = context()
    with transaction(ctx.engine, ctx.org) as session:
        count = forget_address(session, email)
    typer.echo(f"Erased {email}: {count} subscription(s) and everything sent to it.")


@mail_app.command("send")
def mail_send() -> None:
    """Queue the e-mails new activities and outcomes call for, and send everything waiting
    (`engagebot serve` does this every minute)."""
    from bot.app import build_context, send_mail_now

    settings = load_settings()
    if not settings.mail_on:
        fail("No SMTP server is set up: set ENGAGEBOT_SMTP_HOST (see docs/operations.md).")
    report = send_mail_now(settings, build_context(settings))
    typer.echo(
        f"{report.queued} queued, {report.sent} sent, {report.failed} to try again, "
        f"{report.refused} refused, {report.uncertain} cut off."
    )


@mail_app.command("status")
def mail_status() -> None:
    """Residents' e-mails waiting, failing, refused, and cut off mid-send (never resent)."""
    from reminders.mail import status

    ctx = context()
    figures = status(ctx.engine, ctx.now())
    typer.echo(", ".join(f"{count} {name.replace('_', ' ')}" for name, count in figures.items()))
