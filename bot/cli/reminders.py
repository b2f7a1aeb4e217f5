"""`engagebot remind`: what reminders are due, and sending them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from bot.cli.output import JsonOption, plural, print_json
from bot.cli.root import app, context, fail, load_settings

if TYPE_CHECKING:
    from bot.settings import Settings
    from handlers.chat.context import AppContext
    from reminders.sweep import SweepReport


SHOWN = 50  # messages listed by --dry-run; the rest are counted


@app.command("remind")
def remind(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would go out, and why.")
    ] = False,
    now: Annotated[bool, typer.Option("--now", help="Run one sweep and send what is due.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Reminders: `--dry-run` shows what is due, `--now` sends it (Slack and/or Teams if
    configured: each person by the first of them they have a chat id on)."""
    from reminders.sweep import sweep

    if dry_run == now:
        fail(
            "Say --dry-run (show what is due) or --now (send it). "
            "`engagebot serve slack` also sweeps by itself every few minutes."
        )
    from bot.app import teams_configured

    settings = load_settings()
    ctx = context()
    platforms = [
        name
        for name, on in (
            ("slack", bool(settings.slack_bot_token)),
            ("teams", teams_configured(settings)),
        )
        if on
    ]
    via = ",".join(platforms) or "console"
    report = sweep(ctx, settings.policy(), via, dry_run=dry_run)
    if not dry_run:
        from reminders.healthchecks import nudge_health_checks
        from reminders.summaries import post_scheduled

        post_scheduled(ctx, settings.policy())
        nudge_health_checks(ctx, settings.policy(), via)
    if dry_run and as_json:
        print_json(_due_rows(ctx, report))
        return
    if report.skipped:
        typer.echo(f"Nothing sent: {report.skipped}.")
        return
    if dry_run:
        _print_due(ctx, report)
        return
    _send_now(ctx, settings, via, report.queued)


def _due_rows(ctx: AppContext, report: SweepReport) -> dict[str, object]:
    """What --dry-run shows, as data: each nudge due, who has nobody, what waits to go."""
    from models.db import transaction
    from models.tables import Action, Consultation, Person

    due = []
    # Reminders are swept for every organisation; this one's are shown (in its own session, so
    # another council's officers, actions and consultations are not found).
    with transaction(ctx.engine, ctx.org) as session:
        for nudge, why in report.due:
            person = session.get(Person, nudge.person_id) if nudge.person_id else None
            action = session.get(Action, nudge.action_id) if nudge.action_id else None
            consultation = (
                session.get(Consultation, nudge.consultation_id) if nudge.consultation_id else None
            )
            if action is None and consultation is None:
                continue  # another organisation's
            due.append(
                {
                    "to": person.name if person else (nudge.chat_channel or "nobody"),
                    "email": person.email if person else None,
                    "action": action.ref if action else None,
                    "consultation": nudge.consultation_id,
                    "why": why,
                }
            )
    return {
        "not_sending": report.skipped or None,
        "due": due,
        "nobody_to_nudge": report.unreachable,
        "waiting": _undelivered_rows(ctx),
    }


def _print_due(ctx: AppContext, report: SweepReport) -> None:
    rows = _due_rows(ctx, report)
    due = rows["due"]
    assert isinstance(due, list)
    if not due:
        typer.echo("Nothing is due today.")
    for row in due:
        what = row["action"] or f"consultation {row['consultation']}"
        typer.echo(f"{row['to']}\t{what}\t{row['why']}")
    for problem in report.unreachable:
        typer.echo(f"Nobody to nudge: {problem}")
    _print_undelivered(rows)


def _undelivered_rows(ctx: AppContext) -> dict[str, object]:
    """Every message not delivered yet, with why its last try failed; and any platform that
    refuses our credentials."""
    from handlers.chat.outbox import HELD, undelivered
    from handlers.plans.platform_access import refusals
    from models.db import transaction
    from models.scoping import ALL

    with transaction(ctx.engine, ALL) as session:
        refused = [
            {
                "platform": access.platform,
                "since": access.refused_since.astimezone(ctx.tz).isoformat(),
                "problem": access.problem,
            }
            for access in refusals(session)
        ]
    with transaction(ctx.engine, ctx.org) as session:
        messages = [
            {
                "to": (person.name or person.email) if person is not None else None,
                "room": row.chat_channel or None,
                "kind": row.kind,
                "via": row.via,
                "tries": min(row.failures, HELD),
                "held": row.failures >= HELD,
                "problem": row.problem or None,
            }
            for row, person in undelivered(session)
        ]
    return {"credentials_refused": refused, "messages": messages}


def _print_undelivered(rows: dict[str, object]) -> None:
    waiting = rows["waiting"]
    assert isinstance(waiting, dict)
    for access in waiting["credentials_refused"]:
        since = access["since"][:16].replace("T", " ")
        typer.echo(
            f"{access['platform'].capitalize()} has refused engagebot's credentials since "
            f"{since}: {access['problem']} Its messages are held until it accepts them."
        )
    messages = waiting["messages"]
    if not messages:
        return
    typer.echo(f"Waiting to be delivered: {plural(len(messages), 'message')}.")
    for message in messages[:SHOWN]:
        who = message["to"] or f"room {message['room']}"
        if message["held"]:
            why = f"{message['problem']} (held until they next write; their plan admins were told)"
        elif message["problem"]:
            tries = plural(message["tries"], "time")
            why = f"{message['problem']} (tried {tries}, tried again after a pause)"
        else:
            why = "not tried yet"
        typer.echo(f"  {who} ({message['kind']}, {message['via']}): {why}")
    if len(messages) > SHOWN:
        typer.echo(f"  …and {len(messages) - SHOWN} more.")


def _send_now(ctx: AppContext, settings: Settings, via: str, queued: int) -> None:
    from contextlib import ExitStack

    from reminders.delivery import Sender, deliver

    senders: list[tuple[str, Sender]] = []
    with ExitStack() as closing:  # a sender's connections are closed however the run ends
        if "slack" in via.split(","):
            from bot.app import SetupError, slack_sender

            try:
                senders.append(("Slack", slack_sender(settings, ctx)))
            except SetupError as err:
                fail(f"engagebot: {err}")
        if "teams" in via.split(","):
            from bot.app import teams_sender

            teams = teams_sender(settings, ctx)
            closing.callback(teams.close)
            senders.append(("Teams", teams))
        if not senders:
            _show_console_outbox(ctx, queued)
            return
        typer.echo(f"{plural(queued, 'reminder message')} queued.")
        platforms = [sender.via for _, sender in senders]
        for name, sender in senders:
            others = [p for p in platforms if p != sender.via]
            sent = deliver(ctx, sender, others)
            typer.echo(f"{sent.sent} sent to {name}, {sent.failed} to retry.")
            for problem in sent.unreachable:
                typer.echo(f"Could not deliver: {problem} (held until they next write)")
            if sent.refused:
                typer.echo(
                    f"{name} refused engagebot's credentials: {sent.refused} Nothing more was "
                    "sent there; the messages are held and go out once it accepts them."
                )


def _show_console_outbox(ctx: AppContext, queued: int) -> None:
    from sqlmodel import col, select

    from bot.channels.console import render_replies
    from handlers.chat.messages import reply_from_json
    from models.db import transaction
    from models.tables import Outbox, Person

    typer.echo(f"{plural(queued, 'reminder message')} queued for the console chat.")
    with transaction(ctx.engine, ctx.org) as session:
        waiting = session.exec(
            select(Outbox).where(Outbox.via == "console", col(Outbox.sent_at).is_(None))
        ).all()
        for row in waiting:
            person = session.get(Person, row.person_id) if row.person_id else None
            who = f"{person.name} <{person.email}>" if person else row.chat_channel
            hint = f" (they see it with: engagebot chat --as {person.email})" if person else ""
            typer.echo(f"\n── for {who}{hint}")
            typer.echo(render_replies([reply_from_json(row.reply)]))
