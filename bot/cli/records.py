"""Subject access and erasure: `engagebot export` and `engagebot people forget`."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from bot.cli.output import STDOUT, OutputOption, is_stdout, say, write_out
from bot.cli.plans import people_app
from bot.cli.root import app, context, fail, whole_deployment


@app.command("export")
def export(
    person: Annotated[
        str | None,
        typer.Option(help="Only what is held about this person (their e-mail or name)."),
    ] = None,
    output: OutputOption = None,
) -> None:
    """Everything engagebot holds, as JSON: for backups and subject-access requests."""
    from handlers.plans.people import find_person
    from handlers.plans.records import export_everything, export_person
    from handlers.subscriptions.records import every_notice, every_subscription, held_about
    from models.db import transaction
    from models.dump import dump

    ctx = context()
    with transaction(ctx.engine, ctx.org) as session:
        if person is None:
            data = export_everything(session, ctx.now())
            data["subscriptions"] = every_subscription(session)
            data["subscription_notices"] = every_notice(session)
            if whole_deployment():  # every table, for `engagebot restore`
                data["database"] = dump(ctx.engine)
        else:
            found = find_person(session, person)
            held = held_about(session, person) if "@" in person else {}
            if found is None and (held.get("subscriptions") or held.get("emails_sent_or_queued")):
                data = {"exported_at": ctx.now().isoformat(), **held}  # a resident subscriber
            elif found is None:
                fail(f"I don't know anyone called '{person}'. 'engagebot people list' lists them.")
            else:
                data = export_person(session, found, ctx.now())
                if found.email:
                    data["email_subscriptions"] = held_about(session, found.email)
    text = json.dumps(data, indent=2, ensure_ascii=False)
    if output is None or is_stdout(output):
        write_out(STDOUT, text)
        return
    write_out(output, text + "\n")
    say(f"Wrote {output} ({len(text.encode()):,} bytes).")


@people_app.command("forget")
def forget(
    email: Annotated[str, typer.Argument(help="The person's e-mail address.")],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask to confirm.")] = False,
) -> None:
    """Erase a person (an erasure request): their notes stay, signed 'a former officer'.
    Says what was removed from each table; the database is then compacted so no copy of
    their details is left in its free space or log."""
    from sqlmodel import select

    from handlers.plans.records import forget as erase
    from handlers.subscriptions.records import forget_address
    from models.db import compact, transaction
    from models.tables import Person

    ctx = context()
    with transaction(ctx.engine, ctx.org) as session:
        person = session.exec(select(Person).where(Person.email == email.strip().lower())).first()
        if person is None:
            fail(f"No one has the e-mail '{email}'. 'engagebot people list' lists everyone.")
        who = f"{person.name} <{person.email}>" if person.name else email
        if not yes and not typer.confirm(f"Erase {who}? This cannot be undone."):
            fail("Nothing was changed.")
        done = erase(session, person, ctx.now())
        subscriptions = forget_address(session, email)
    typer.echo(f"Erased {who}.")
    if subscriptions:
        typer.echo(
            f"Their {subscriptions} e-mail subscription(s) to the public page are erased too."
        )
    typer.echo(
        f"{done.notes_anonymised} progress notes and {done.revisions_anonymised} target "
        "changes they made are kept, signed 'a former officer'."
    )
    typer.echo("What was removed, table by table:")
    for table in done.tables():
        parts = []
        if done.removed[table]:
            parts.append(f"{done.removed[table]} deleted")
        if done.cleared[table]:
            parts.append(f"{done.cleared[table]} kept with their details taken out")
        typer.echo(f"  {table}: {', '.join(parts)}")
    touched = done.tables() + (["subscription"] if subscriptions else [])
    typer.echo(compact(ctx.engine, touched))
    if done.roles_left:
        typer.echo("Roles now without a holder: " + "; ".join(done.roles_left))
    if done.notes_naming_them:
        typer.echo(
            "Notes whose text still mentions them (check by hand): "
            + ", ".join(done.notes_naming_them)
        )
