"""Plans, actions, people and channels: `import`, `plans`, `actions`, `people`, `link`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bot.cli.root import app, context, fail, group

if TYPE_CHECKING:
    from handlers.importing.importer import ImportReport

actions_app = group("actions", "Look at actions.")
people_app = group("people", "Who holds which role.")


@app.command("import")
def import_plan(
    file: Annotated[Path, typer.Argument(help="A .csv or .xlsx file holding the plan's table.")],
    plan: Annotated[
        str | None, typer.Option(help="Plan name (default: from the file name).")
    ] = None,
    title: Annotated[str | None, typer.Option(help="Plan title shown in summaries.")] = None,
    map_: Annotated[
        list[str] | None,
        typer.Option("--map", help="Say what a column holds: --map 'Who?=owner'. Repeatable."),
    ] = None,
) -> None:
    """Import an action plan; importing the same file again updates it."""
    from handlers.importing.importer import import_file
    from handlers.importing.layout import parse_map_option
    from handlers.importing.sheets import SheetError

    try:
        overrides = dict(parse_map_option(option) for option in map_ or [])
    except ValueError as err:
        fail(f"Nothing was imported. {err}")
    ctx = context()
    try:
        report = import_file(ctx, file, plan_name=plan, title=title, overrides=overrides)
    except SheetError as err:
        fail(f"Nothing was imported. {err}")
    _print_report(report, file)


def _print_report(report: ImportReport, file: Path) -> None:
    typer.echo(
        f"Imported plan '{report.plan}' from {file.name}: {report.total} actions "
        f"({report.created} new, {report.updated} updated, {report.unchanged} unchanged), "
        f"{report.themes} themes, {report.notes_added} progress notes."
    )
    for warning in report.warnings:
        typer.echo(f"Note: {warning}")
    if report.unclear_targets:
        typer.echo("Targets I could not read (kept as written, with no date):")
        for ref, text, problem in report.unclear_targets:
            shown = text if len(text) <= 80 else text[:79] + "…"
            typer.echo(f"  {ref}: '{shown}' — {problem}")


@app.command("plans")
def list_plans() -> None:
    """List the plans."""
    from sqlmodel import col, select

    from models.db import transaction
    from models.tables import Action, Plan

    ctx = context()
    with transaction(ctx.engine, ctx.org) as session:
        plans = session.exec(select(Plan).order_by(col(Plan.name))).all()
        if not plans:
            typer.echo("No plans yet. Import one: engagebot import FILE")
        for plan in plans:
            actions = session.exec(select(Action).where(Action.plan_id == plan.id)).all()
            closed = sum(a.status.is_closed for a in actions)
            typer.echo(f"{plan.name}\t{len(actions)} actions, {closed} closed\t{plan.title}")


@actions_app.command("list")
def actions_list(
    plan: Annotated[str | None, typer.Option(help="Only this plan.")] = None,
    owner: Annotated[str | None, typer.Option(help="Only actions of roles matching this.")] = None,
    status: Annotated[str | None, typer.Option(help="Only this status, e.g. 'complete'.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON, for scripts.")] = False,
) -> None:
    """List actions, in plan order."""
    from handlers.plans.actions import Filters, action_json, list_actions, short
    from models.db import transaction
    from models.tables import Status

    named = (status or "").strip().lower().replace("-", " ").replace("_", " ")
    wanted = next((s for s in Status if named in (s.value, s.label.lower())), None)
    if status and wanted is None:
        fail(f"'{status}' is not a status. Use one of: {_status_words()}.")
    ctx = context()
    with transaction(ctx.engine, ctx.org) as session:
        actions = list_actions(session, Filters(plan=plan, owner=owner, status=wanted))
        rows = [action_json(session, a) for a in actions]
    if as_json:
        typer.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    for row in rows:
        target = row["target_date"] or row["target_text"] or "-"
        owners = "; ".join(row["owners"]) or "no owner"
        typer.echo(
            f"{row['plan']}:{row['ref']}\t{row['status']}\t{target}\t{owners}\t"
            f"{short(row['recommendation'] or row['action'], 60)}"
        )
    if not rows:
        typer.echo("No actions match.")


def _status_words() -> str:
    from models.tables import Status

    return ", ".join(s.value for s in Status)


@people_app.command("assign")
def people_assign(
    role: Annotated[str, typer.Argument(help="The role, as in the plan (or a unique part).")],
    name: Annotated[str, typer.Option(help="The person's name.")] = "",
    email: Annotated[str | None, typer.Option(help="Their e-mail address.")] = None,
    slack: Annotated[str | None, typer.Option(help="Their Slack user id (U…).")] = None,
    teams: Annotated[str | None, typer.Option(help="Their Teams user id.")] = None,
    deputy: Annotated[bool, typer.Option(help="They deputise for the role.")] = False,
) -> None:
    """Say who holds a role, so the bot knows whom to ask about its actions."""
    from handlers.plans.people import PeopleError, assign
    from models.db import transaction

    ctx = context()
    try:
        with transaction(ctx.engine, ctx.org) as session:
            found_role, person = assign(
                session,
                role,
                name=name,
                email=email,
                chat={"slack": slack or "", "teams": teams or ""},
                deputy=deputy,
            )
            what = "deputises for" if deputy else "holds"
            typer.echo(f"{person.name or person.email} {what} the role '{found_role.name}'.")
    except PeopleError as err:
        fail(str(err))


@people_app.command("admin")
def people_admin(
    plan: Annotated[str, typer.Argument(help="The plan's name.")],
    email: Annotated[str, typer.Option(help="The admin's e-mail address.")],
    name: Annotated[str, typer.Option(help="Their name, if they are new.")] = "",
) -> None:
    """Let someone (the engagement team, the chair) update every action in a plan."""
    from handlers.plans.people import PeopleError, make_admin
    from models.db import transaction

    ctx = context()
    try:
        with transaction(ctx.engine, ctx.org) as session:
            make_admin(session, plan, email=email, name=name)
    except PeopleError as err:
        fail(str(err))
    typer.echo(f"{email} is now an admin of '{plan}'.")


@people_app.command("list")
def people_list() -> None:
    """Everyone the bot knows, with their roles."""
    from sqlmodel import select

    from handlers.plans.people import chat_ids, roles_of
    from models.db import transaction
    from models.tables import Person

    ctx = context()
    with transaction(ctx.engine, ctx.org) as session:
        for person in session.exec(select(Person)).all():
            roles = "; ".join(r.name for r in roles_of(session, person)) or "no role"
            known = chat_ids(session, person)
            ids = ", ".join(filter(None, [person.email, *(known[p] for p in sorted(known))]))
            typer.echo(f"{person.name}\t{ids}\t{roles}")


@app.command("link")
def link(
    plan: Annotated[str, typer.Argument(help="The plan's name.")],
    channel: Annotated[str, typer.Option(help="The chat channel id of its steering group.")],
    private: Annotated[
        bool | None, typer.Option("--private/--public", help="Only members may see it.")
    ] = None,
) -> None:
    """Link a plan to its steering group's channel: summaries there, escalations posted there."""
    from sqlmodel import select

    from models.db import transaction
    from models.tables import Plan

    ctx = context()
    with transaction(ctx.engine, ctx.org) as session:
        found = session.exec(select(Plan).where(Plan.name == plan)).first()
        if found is None:
            fail(f"There is no plan called '{plan}'. 'engagebot plans' lists them.")
        found.chat_channel = channel
        if private is not None:
            found.private = private
        session.add(found)
        visibility = "private" if found.private else "public"
    typer.echo(f"{plan} is linked to {channel} ({visibility}).")
