"""Plans, actions, people and channels: `import`, `plans`, `actions`, `people`, `link`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from bot.cli.output import JsonOption, plural, print_json
from bot.cli.root import app, context, fail, group

if TYPE_CHECKING:
    from datetime import date

    from handlers.importing.importer import ImportReport
    from handlers.importing.starts import StartChange

actions_app = group("actions", "Look at actions.")
plans_app = typer.Typer(
    help="The plans: list them (no command), or give one its start date.",
    invoke_without_command=True,
    rich_markup_mode=None,
)
app.add_typer(plans_app, name="plans")
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
    starts: Annotated[
        str | None,
        typer.Option(help="When the plan's first year starts, for 'Year 1' targets: 2010-04."),
    ] = None,
) -> None:
    """Import an action plan; importing the same file again updates it."""
    from handlers.importing.importer import import_file
    from handlers.importing.layout import parse_map_option
    from handlers.importing.sheets import SheetError

    try:
        overrides = dict(parse_map_option(option) for option in map_ or [])
        start = _start_option(starts)
    except ValueError as err:
        fail(f"Nothing was imported. {err}")
    ctx = context()
    try:
        report = import_file(
            ctx, file, plan_name=plan, title=title, overrides=overrides, starts=start
        )
    except SheetError as err:
        fail(f"Nothing was imported. {err}")
    _print_report(report, file)
    from bot.cli.roles import offer_merges

    offer_merges(ctx, report.alike_roles)


def _start_option(text: str | None) -> date | None:
    from handlers.importing.starts import parse_start

    return parse_start(text) if text is not None else None


def _print_report(report: ImportReport, file: Path) -> None:
    from handlers.importing.starts import describe_start

    typer.echo(
        f"Imported plan '{report.plan}' from {file.name}: {plural(report.total, 'action')} "
        f"({report.created} new, {report.updated} updated, {report.unchanged} unchanged), "
        f"{plural(report.themes, 'theme')}, {plural(report.notes_added, 'progress note')}."
    )
    for warning in report.warnings:
        typer.echo(f"Note: {warning}")
    if report.start_changes and report.starts_on is not None:
        typer.echo(
            f"The plan starts in {describe_start(report.starts_on)}; targets counted in years "
            "of the plan, read again:"
        )
        _print_start_changes(report.start_changes)
    if report.unclear_targets:
        typer.echo("Targets I could not read (kept as written, with no date):")
        for ref, text, problem in report.unclear_targets:
            typer.echo(f"  {ref}: '{_shown(text)}' — {problem}")
    if report.waiting_for_start:
        typer.echo(
            "Targets counted in years of the plan, waiting for its start date (kept as "
            "written, with no date until then):"
        )
        for ref, row, text in report.waiting_for_start:
            typer.echo(f"  {ref} (row {row}): '{_shown(text)}'")
        typer.echo(
            "Say when the plan's first year starts: engagebot plans set-start "
            f"{report.plan} 2010-04 (or import again with --starts 2010-04)."
        )


def _shown(text: str) -> str:
    """A target cell on one line of the report."""
    text = " / ".join(line.strip() for line in text.splitlines() if line.strip())
    return text if len(text) <= 80 else text[:79] + "…"


def _print_start_changes(changes: list[StartChange]) -> None:
    for change in changes:
        if change.kept:
            typer.echo(
                f"  {change.ref}: '{_shown(change.text)}' would now be {change.after}, but its "
                f"date was revised since to {change.before}: kept."
            )
        else:
            typer.echo(
                f"  {change.ref}: '{_shown(change.text)}' was {change.before}, now {change.after}."
            )


@plans_app.callback()
def list_plans(typer_ctx: typer.Context, as_json: JsonOption = False) -> None:
    """List the plans."""
    if typer_ctx.invoked_subcommand is not None:
        return
    from sqlmodel import col, select

    from handlers.importing.starts import describe_start
    from models.db import transaction
    from models.tables import Action, Plan

    ctx = context()
    rows: list[dict[str, Any]] = []
    with transaction(ctx.engine, ctx.org) as session:
        for plan in session.exec(select(Plan).order_by(col(Plan.name))).all():
            actions = session.exec(select(Action).where(Action.plan_id == plan.id)).all()
            rows.append(
                {
                    "name": plan.name,
                    "title": plan.title,
                    "actions": len(actions),
                    "closed": sum(a.status.is_closed for a in actions),
                    "starts_on": plan.starts_on,
                }
            )
    if as_json:
        print_json(rows)
        return
    if not rows:
        typer.echo("No plans yet. Import one: engagebot import FILE")
    for row in rows:
        starts = f" (from {describe_start(row['starts_on'])})" if row["starts_on"] else ""
        typer.echo(
            f"{row['name']}\t{plural(row['actions'], 'action')}, {row['closed']} closed\t"
            f"{row['title']}{starts}"
        )


@actions_app.command("list")
def actions_list(
    plan: Annotated[str | None, typer.Option(help="Only this plan.")] = None,
    owner: Annotated[str | None, typer.Option(help="Only actions of roles matching this.")] = None,
    status: Annotated[str | None, typer.Option(help="Only this status, e.g. 'complete'.")] = None,
    as_json: JsonOption = False,
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
        print_json(rows)
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
    """Say who holds a role, so the bot knows whom to ask about its actions. A Slack or
    Teams id given for someone who has another replaces it (their history is kept)."""
    from handlers.chat import outbox
    from handlers.plans.people import PeopleError, assign, chat_ids, find_person
    from models.db import transaction

    ctx = context()
    chat = {"slack": slack or "", "teams": teams or ""}
    try:
        with transaction(ctx.engine, ctx.org) as session:
            known = find_person(session, email) if email else None
            before = chat_ids(session, known) if known is not None else {}
            found_role, person = assign(
                session, role, name=name, email=email, chat=chat, deputy=deputy
            )
            who = person.name or person.email
            what = "deputises for" if deputy else "holds"
            typer.echo(f"{who} {what} the role '{found_role.name}'.")
            for platform, user in chat.items():
                if user and before.get(platform, user) != user:
                    typer.echo(
                        f"{who}'s {platform.capitalize()} id is now {user} (was "
                        f"{before[platform]}); messages held for them there go out again."
                    )
                if user and person.id is not None:
                    outbox.release(session, platform, person.id)
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
def people_list(as_json: JsonOption = False) -> None:
    """Everyone the bot knows, with their roles."""
    from sqlmodel import select

    from handlers.plans.people import chat_ids, roles_of
    from models.db import transaction
    from models.tables import Person

    ctx = context()
    with transaction(ctx.engine, ctx.org) as session:
        rows: list[dict[str, Any]] = [
            {
                "name": person.name,
                "email": person.email,
                "chat_ids": chat_ids(session, person),
                "roles": [r.name for r in roles_of(session, person)],
            }
            for person in session.exec(select(Person)).all()
        ]
    if as_json:
        print_json(rows)
        return
    for row in rows:
        known = row["chat_ids"]
        ids = ", ".join(filter(None, [row["email"], *(known[p] for p in sorted(known))]))
        typer.echo(f"{row['name']}\t{ids}\t{'; '.join(row['roles']) or 'no role'}")
    if not rows:
        typer.echo('Nobody yet. Say who holds a role: engagebot people assign "ROLE" --email …')


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


@plans_app.command("set-start")
def plans_set_start(
    plan: Annotated[str, typer.Argument(help="The plan's name ('engagebot plans' lists them).")],
    start: Annotated[str, typer.Argument(help="When its first year starts: 2010-04, April 2010.")],
) -> None:
    """Say when a plan's first year starts, so its "Year 1", "Years 2-3" targets get dates."""
    from sqlmodel import select

    from handlers.importing.starts import describe_start, parse_start, set_start
    from models.db import transaction
    from models.tables import Plan

    try:
        day = parse_start(start)
    except ValueError as err:
        fail(f"Nothing was changed. {err}")
    ctx = context()
    with transaction(ctx.engine, ctx.org) as session:
        found = session.exec(select(Plan).where(Plan.name == plan)).first()
        if found is None:
            fail(f"There is no plan called '{plan}'. 'engagebot plans' lists them.")
        was = found.starts_on
        changes = set_start(session, found, day, ctx.now())
    if was == day:
        typer.echo(f"{plan} already starts in {describe_start(day)}: nothing changed.")
        return
    if not changes:
        typer.echo(
            f"{plan} starts in {describe_start(day)}. None of its targets is counted in years "
            "of the plan, so no date changed."
        )
        return
    typer.echo(
        f"{plan} starts in {describe_start(day)}; targets counted in years of the plan, read again:"
    )
    _print_start_changes(changes)
