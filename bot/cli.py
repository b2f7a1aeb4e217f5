"""The `engagebot` command line. Heavy libraries are imported inside commands, so --help is fast."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

if TYPE_CHECKING:
    from sqlmodel.sql.expression import SelectOfScalar

    from bot.settings import Settings
    from handlers.context import AppContext
    from handlers.importing import ImportReport
    from models.tables import Plan
    from reminders.sweep import SweepReport

app = typer.Typer(
    help="engagebot: community-engagement action plans, reminders and the consult-or-engage "
    "toolkit, in chat.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # rich costs ~0.17 s of start-up for coloured help
)
actions_app = typer.Typer(help="Look at actions.", no_args_is_help=True)
people_app = typer.Typer(help="Who holds which role.", no_args_is_help=True)
db_app = typer.Typer(help="The database.", no_args_is_help=True)
serve_app = typer.Typer(help="Run the bot on a chat platform.", no_args_is_help=True)
app.add_typer(serve_app, name="serve")
flowchart_app = typer.Typer(help="The consult-or-engage flowchart.", no_args_is_help=True)
app.add_typer(flowchart_app, name="flowchart")
consultations_app = typer.Typer(help="The engagement register.", no_args_is_help=True)
app.add_typer(consultations_app, name="consultations")
app.add_typer(actions_app, name="actions")
app.add_typer(people_app, name="people")
app.add_typer(db_app, name="db")

DEMO_DATABASE = "sqlite:///engagebot-demo.db"


def main() -> None:
    app()


def _context(database_url: str | None = None) -> AppContext:
    from pydantic import ValidationError

    from bot.app import build_context
    from bot.settings import Settings

    try:
        settings = Settings()
    except ValidationError as err:
        _fail(f"Configuration problem: {err.errors()[0]['msg']} ({err.errors()[0]['loc'][0]})")
    return build_context(settings, database_url=database_url)


def _fail(message: str) -> NoReturn:
    typer.echo(message, err=True)
    raise typer.Exit(1)


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
    from handlers.importing import import_file
    from handlers.plan_layout import parse_map_option
    from handlers.sheets import SheetError

    try:
        overrides = dict(parse_map_option(option) for option in map_ or [])
    except ValueError as err:
        _fail(f"Nothing was imported. {err}")
    ctx = _context()
    try:
        report = import_file(ctx, file, plan_name=plan, title=title, overrides=overrides)
    except SheetError as err:
        _fail(f"Nothing was imported. {err}")
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
            typer.echo(f"  {ref}: '{text}' — {problem}")


@app.command("plans")
def list_plans() -> None:
    """List the plans."""
    from sqlmodel import col, select

    from models.db import transaction
    from models.tables import Action, Plan

    ctx = _context()
    with transaction(ctx.engine) as session:
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
    from handlers.actions import Filters, action_json, list_actions, short
    from models.db import transaction
    from models.tables import Status

    named = (status or "").strip().lower().replace("-", " ").replace("_", " ")
    wanted = next((s for s in Status if named in (s.value, s.label.lower())), None)
    if status and wanted is None:
        _fail(f"'{status}' is not a status. Use one of: {_status_words()}.")
    ctx = _context()
    with transaction(ctx.engine) as session:
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
    from handlers.people import PeopleError, assign
    from models.db import transaction

    ctx = _context()
    try:
        with transaction(ctx.engine) as session:
            found_role, person = assign(
                session, role, name=name, email=email, slack_id=slack, teams_id=teams, deputy=deputy
            )
            what = "deputises for" if deputy else "holds"
            typer.echo(f"{person.name or person.email} {what} the role '{found_role.name}'.")
    except PeopleError as err:
        _fail(str(err))


@people_app.command("admin")
def people_admin(
    plan: Annotated[str, typer.Argument(help="The plan's name.")],
    email: Annotated[str, typer.Option(help="The admin's e-mail address.")],
    name: Annotated[str, typer.Option(help="Their name, if they are new.")] = "",
) -> None:
    """Let someone (the engagement team, the chair) update every action in a plan."""
    from handlers.people import PeopleError, make_admin
    from models.db import transaction

    ctx = _context()
    try:
        with transaction(ctx.engine) as session:
            make_admin(session, plan, email=email, name=name)
    except PeopleError as err:
        _fail(str(err))
    typer.echo(f"{email} is now an admin of '{plan}'.")


@people_app.command("list")
def people_list() -> None:
    """Everyone the bot knows, with their roles."""
    from sqlmodel import select

    from handlers.people import roles_of
    from models.db import transaction
    from models.tables import Person

    ctx = _context()
    with transaction(ctx.engine) as session:
        for person in session.exec(select(Person)).all():
            roles = "; ".join(r.name for r in roles_of(session, person)) or "no role"
            ids = ", ".join(filter(None, [person.email, person.slack_id, person.teams_id]))
            typer.echo(f"{person.name}\t{ids}\t{roles}")


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
    ctx = _context(DEMO_DATABASE if demo else None)
    user = as_user or ""
    if demo:
        from bot.demo import DEMO_USER, load_demo

        load_demo(ctx)
        user = as_user or DEMO_USER
    channel = ConsoleChannel(Conversation(ctx), user or _os_user())
    typer.echo(_welcome(ctx, channel.user, demo))
    channel.run(sys.stdin, sys.stdout)


def _os_user() -> str:
    import getpass

    return getpass.getuser()


def _welcome(ctx: AppContext, user: str, demo: bool) -> str:
    from handlers.people import identify, roles_of
    from models.db import transaction

    with transaction(ctx.engine) as session:
        person = identify(session, "console", user)
        who = "someone I don't know yet"
        if person is not None:
            roles = "; ".join(r.name for r in roles_of(session, person)) or "no role"
            who = f"{person.name} ({roles})"
    lines = [f"engagebot console chat. You are {who}."]
    if demo:
        lines.append("Demo data: three council action plans, in engagebot-demo.db.")
    lines.append("Try 'my actions', 'update R1', 'show R4' or 'help'. 'exit' leaves.")
    return "\n".join(lines)


@app.command("summary")
def summary(
    plan: Annotated[str | None, typer.Option(help="One plan (default: all plans).")] = None,
    chart: Annotated[Path | None, typer.Option(help="Also save the chart as this PNG.")] = None,
    full: Annotated[bool, typer.Option("--full", help="Every line of every list.")] = False,
) -> None:
    """The chair's status summary, as it would be posted to a channel."""
    from handlers.summary import summarise
    from handlers.summary_flow import find_plan
    from handlers.summary_view import chart_png, render
    from models.db import transaction
    from models.tables import Plan

    ctx = _context()
    with transaction(ctx.engine) as session:
        plans = find_plan(session, plan) if plan else list(session.exec(select_all(Plan)).all())
        if len(plans) != 1 and plan:
            _fail(f"No single plan matches '{plan}'. 'engagebot plans' lists them.")
        if not plans:
            _fail("No plans yet. Import one: engagebot import FILE")
        result = summarise(session, plans, ctx.today(), None, ctx.now())
    typer.echo(render(result, "console", full=full, plan=plan or ""))
    if chart is not None:
        chart.write_bytes(chart_png(result))
        typer.echo(f"Chart saved to {chart}")


def select_all(table: type[Plan]) -> SelectOfScalar[Plan]:
    from sqlmodel import col, select

    return select(table).order_by(col(table.name))


@app.command("report")
def report(
    plan: Annotated[str, typer.Option(help="The plan's name.")],
    fmt: Annotated[str, typer.Option("--format", help="docx, html, md or csv.")] = "docx",
    out: Annotated[
        Path | None, typer.Option(help="File to write (default: PLAN-report.FORMAT).")
    ] = None,
) -> None:
    """The board report: the plan with a progress column, grouped by theme."""
    from sqlmodel import select

    from handlers.report import FORMATS, build, write
    from models.db import transaction
    from models.tables import Plan

    if fmt not in FORMATS:
        _fail(f"'{fmt}' is not a report format. Use one of: {', '.join(FORMATS)}.")
    ctx = _context()
    with transaction(ctx.engine) as session:
        found = session.exec(select(Plan).where(Plan.name == plan)).first()
        if found is None:
            _fail(f"There is no plan called '{plan}'. 'engagebot plans' lists them.")
        built = build(session, found, ctx.today(), ctx.now())
    path = out or Path(f"{plan}-report.{fmt}")
    write(built, fmt, path)
    count = sum(len(g.rows) for g in built.groups)
    typer.echo(f"Wrote {path}: {count} actions in {len(built.groups)} groups.")


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

    ctx = _context()
    with transaction(ctx.engine) as session:
        found = session.exec(select(Plan).where(Plan.name == plan)).first()
        if found is None:
            _fail(f"There is no plan called '{plan}'. 'engagebot plans' lists them.")
        found.chat_channel = channel
        if private is not None:
            found.private = private
        session.add(found)
        visibility = "private" if found.private else "public"
    typer.echo(f"{plan} is linked to {channel} ({visibility}).")


@app.command("remind")
def remind(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would go out, and why.")
    ] = False,
    now: Annotated[bool, typer.Option("--now", help="Run one sweep and send what is due.")] = False,
) -> None:
    """Reminders: `--dry-run` shows what is due, `--now` sends it (Slack if configured)."""
    from bot.settings import Settings
    from reminders.sweep import sweep

    if dry_run == now:
        _fail(
            "Say --dry-run (show what is due) or --now (send it). "
            "`engagebot serve slack` also sweeps by itself every few minutes."
        )
    settings = Settings()
    ctx = _context()
    via = "slack" if settings.slack_bot_token else "console"
    report = sweep(ctx, settings.policy(), via, dry_run=dry_run)
    if not dry_run:
        from reminders.summaries import post_scheduled

        post_scheduled(ctx, settings.policy())
    if report.skipped:
        typer.echo(f"Nothing sent: {report.skipped}.")
        return
    if dry_run:
        _print_due(ctx, report)
        return
    _send_now(ctx, settings, via, report.queued)


def _print_due(ctx: AppContext, report: SweepReport) -> None:
    from models.db import transaction
    from models.tables import Action, Person

    if not report.due:
        typer.echo("Nothing is due today.")
    with transaction(ctx.engine) as session:
        for nudge, why in report.due:
            person = session.get(Person, nudge.person_id) if nudge.person_id else None
            action = session.get(Action, nudge.action_id) if nudge.action_id else None
            who = person.name if person else (nudge.chat_channel or "nobody")
            what = action.ref if action else f"consultation {nudge.consultation_id}"
            typer.echo(f"{who}\t{what}\t{why}")
    for problem in report.unreachable:
        typer.echo(f"Nobody to nudge: {problem}")


def _send_now(ctx: AppContext, settings: Settings, via: str, queued: int) -> None:
    from reminders.delivery import deliver

    if via == "slack":
        from bot.channels.slack import SlackSender, make_client

        sent = deliver(
            ctx, SlackSender(make_client(settings.slack_bot_token, settings.slack_api_url))
        )
        typer.echo(
            f"{queued} reminder messages queued; {sent.sent} sent to Slack, {sent.failed} to retry."
        )
        for problem in sent.unreachable:
            typer.echo(f"Could not deliver: {problem}")
        return
    _show_console_outbox(ctx, queued)


def _show_console_outbox(ctx: AppContext, queued: int) -> None:
    from sqlmodel import col, select

    from bot.channels.console import render_replies
    from handlers.messages import reply_from_json
    from models.db import transaction
    from models.tables import Outbox, Person

    typer.echo(f"{queued} reminder messages queued for the console chat.")
    with transaction(ctx.engine) as session:
        waiting = session.exec(
            select(Outbox).where(Outbox.via == "console", col(Outbox.sent_at).is_(None))
        ).all()
        for row in waiting:
            person = session.get(Person, row.person_id) if row.person_id else None
            who = f"{person.name} <{person.email}>" if person else row.chat_channel
            hint = f" (they see it with: engagebot chat --as {person.email})" if person else ""
            typer.echo(f"\n── for {who}{hint}")
            typer.echo(render_replies([reply_from_json(row.reply)]))


@serve_app.command("slack")
def serve_slack(
    socket: Annotated[
        bool, typer.Option("--socket", help="Socket Mode (needs SLACK_APP_TOKEN), no public URL.")
    ] = False,
    port: Annotated[int | None, typer.Option(help="HTTP port (default: $PORT or 3000).")] = None,
) -> None:
    """Serve Slack: every request on POST /slack/events (or over Socket Mode)."""
    import logging

    from bot.app import build_slack, slack_wsgi
    from bot.server import make_server
    from bot.settings import Settings

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    settings = Settings()
    missing = [
        name
        for name, value in (
            ("SLACK_BOT_TOKEN", settings.slack_bot_token),
            (
                "SLACK_APP_TOKEN" if socket else "SLACK_SIGNING_SECRET",
                settings.slack_app_token if socket else settings.slack_signing_secret,
            ),
        )
        if not value
    ]
    if missing:
        _fail(f"Set {' and '.join(missing)} in the environment (see README, 'Slack').")
    ctx = _context()
    channel = build_slack(settings, ctx)
    from bot.channels.slack import SlackSender
    from reminders.scheduler import start

    start(ctx, settings.policy(), SlackSender(channel.client), settings.sweep_minutes)
    if socket:
        from slack_bolt.adapter.socket_mode import SocketModeHandler

        typer.echo("engagebot is connected to Slack over Socket Mode. Ctrl-C stops it.")
        SocketModeHandler(channel.app, settings.slack_app_token).start()  # type: ignore[no-untyped-call]
        return
    from bot.app import settle_heap

    settle_heap()
    server = make_server(slack_wsgi(channel), port=port or settings.port)
    typer.echo(f"engagebot serves Slack on http://0.0.0.0:{port or settings.port}/slack/events")
    server.run()


@flowchart_app.command("check")
def flowchart_check(
    file: Annotated[
        Path | None, typer.Argument(help="A flowchart YAML (default: the toolkit).")
    ] = None,
) -> None:
    """Check a flowchart: every answer leads somewhere, every path ends, no loops or orphans."""
    from handlers.flowchart import DEFAULT_PATH, check

    path = file or DEFAULT_PATH
    problems = check(path)
    if problems:
        typer.echo(f"{path} has {len(problems)} problem(s):")
        for problem in problems:
            typer.echo(f"- {problem}")
        raise typer.Exit(1)
    typer.echo(f"{path} is a sound flowchart.")


@flowchart_app.command("show")
def flowchart_show(
    file: Annotated[
        Path | None, typer.Argument(help="A flowchart YAML (default: the toolkit).")
    ] = None,
) -> None:
    """Print the flowchart as a Mermaid diagram, for the engagement team to review."""
    from handlers.flowchart import FlowchartError, load, to_mermaid

    try:
        typer.echo(to_mermaid(load(file)))
    except FlowchartError as err:
        _fail(str(err))


@consultations_app.command("list")
def consultations_list(
    as_json: Annotated[bool, typer.Option("--json", help="JSON, for scripts.")] = False,
) -> None:
    """Every consultation and engagement in the register."""
    from sqlmodel import col, select

    from handlers.register import as_json as entry_json
    from handlers.register import describe
    from models.db import transaction
    from models.tables import Consultation

    ctx = _context()
    with transaction(ctx.engine) as session:
        entries = session.exec(select(Consultation).order_by(col(Consultation.id))).all()
        rows = [entry_json(e) for e in entries]
        lines = [f"{e.id}\t{e.title}\t{describe(e)}" for e in entries]
    if as_json:
        typer.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    typer.echo("\n".join(lines) or "The register is empty.")


@consultations_app.command("update")
def consultations_update(
    entry_id: Annotated[int, typer.Argument(help="The register entry's number.")],
    status: Annotated[
        str | None, typer.Option(help="planned, open, closed, feedback published")
    ] = None,
    participation: Annotated[str | None, typer.Option(help="Who took part, how many.")] = None,
    findings: Annotated[str | None, typer.Option(help="What was heard.")] = None,
    you_said_we_did: Annotated[str | None, typer.Option(help="The feedback published.")] = None,
) -> None:
    """Record a register entry's progress: status, participation, findings, 'you said, we did'."""
    from handlers.register import STATUSES
    from models.db import transaction
    from models.tables import Consultation

    if status and status not in STATUSES:
        _fail(f"'{status}' is not a register status. Use one of: {', '.join(STATUSES)}.")
    ctx = _context()
    with transaction(ctx.engine) as session:
        entry = session.get(Consultation, entry_id)
        if entry is None:
            _fail(
                f"There is no register entry {entry_id}. 'engagebot consultations list' lists them."
            )
        for name, value in (
            ("status", status),
            ("participation", participation),
            ("findings", findings),
            ("you_said_we_did", you_said_we_did),
        ):
            if value is not None:
                setattr(entry, name, value)
        session.add(entry)
        typer.echo(f"Updated {entry.id}: {entry.title} ({entry.status}).")


@app.command("stats")
def stats() -> None:
    """The measures councils report: projects that used the strategy, the register by status."""
    from handlers.register import stats as count
    from models.db import transaction

    ctx = _context()
    with transaction(ctx.engine) as session:
        figures = count(session)
    typer.echo(f"Projects where the strategy was used: {figures['projects_using_the_strategy']}")
    typer.echo(
        f"Toolkit walks started: {figures['walks_started']}, "
        f"added to the register: {figures['walks_added_to_register']}"
    )
    for level, number in sorted(figures["outcomes_by_level"].items()):
        typer.echo(f"  outcome {level}: {number}")
    for status, number in sorted(figures["register_by_status"].items()):
        typer.echo(f"Register, {status}: {number}")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create the database, or upgrade it in place to the current schema."""
    from models.db import current_revision

    ctx = _context()
    typer.echo(f"Database is at schema revision {current_revision(ctx.engine)}.")


if __name__ == "__main__":
    main()
