"""`engagebot orgs …`: the councils one deployment serves, and their chat workspaces."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from bot.cli.output import JsonOption, print_json
from bot.cli.root import context, fail, group

orgs_app = group(
    "orgs", "Organisations (councils) and the Slack workspaces / Teams tenants bound to them."
)

SlackTeam = Annotated[str | None, typer.Option("--slack-team", help="A Slack team id (T…).")]
TeamsTenant = Annotated[str | None, typer.Option("--teams-tenant", help="A Teams tenant id.")]
Nation = Annotated[
    str | None,
    typer.Option(
        "--nation",
        help="The UK nation whose law the toolkit gives: england, wales, scotland or "
        "northern-ireland.",
    ),
]


def _workspace(slack_team: str | None, teams_tenant: str | None) -> tuple[str, str]:
    if bool(slack_team) == bool(teams_tenant):
        fail("Give one of --slack-team T… or --teams-tenant ID.")
    return ("slack", slack_team or "") if slack_team else ("teams", teams_tenant or "")


@orgs_app.command("list")
def orgs_list(as_json: JsonOption = False) -> None:
    """Every organisation, with its workspaces."""
    from handlers.plans.organisations import NATIONS, all_orgs, bindings
    from models.db import transaction
    from models.scoping import ALL

    ctx = context()
    with transaction(ctx.engine, ALL) as session:
        rows: list[dict[str, Any]] = [
            {
                "slug": org.slug,
                "name": org.name,
                "nation": NATIONS.get(org.nation, ""),
                "workspaces": [
                    {"platform": b.platform, "id": b.external_id} for b in bindings(session, org)
                ],
            }
            for org in all_orgs(session)
        ]
    if as_json:
        print_json(rows)
        return
    for row in rows:
        bound = ", ".join(f"{w['platform']} {w['id']}" for w in row["workspaces"])
        nation = row["nation"] or "nation not set"
        typer.echo(f"{row['slug']}\t{row['name']}\t{nation}\t{bound or 'no chat workspace yet'}")


@orgs_app.command("add")
def orgs_add(
    slug: Annotated[str, typer.Argument(help="A short name, e.g. south-ribble.")],
    name: Annotated[str, typer.Option(help="The council's name, as shown to people.")] = "",
    nation: Nation = None,
) -> None:
    """Add an organisation: its plans, people and register are kept apart from the others'."""
    from handlers.plans.organisations import OrgError, add, set_nation
    from models.db import transaction
    from models.scoping import ALL

    ctx = context()
    try:
        with transaction(ctx.engine, ALL) as session:
            add(session, slug, name, ctx.now())
            if nation is not None:
                set_nation(session, slug, nation)
    except OrgError as err:
        fail(str(err))
    typer.echo(f"Added '{slug}'. Bind its workspace: engagebot orgs bind {slug} --slack-team T…")


@orgs_app.command("bind")
def orgs_bind(
    slug: Annotated[str, typer.Argument(help="The organisation's short name.")],
    slack_team: SlackTeam = None,
    teams_tenant: TeamsTenant = None,
) -> None:
    """Say which organisation a Slack workspace or Teams tenant belongs to."""
    from handlers.plans.organisations import OrgError, bind
    from models.db import transaction
    from models.scoping import ALL

    platform, external_id = _workspace(slack_team, teams_tenant)
    ctx = context()
    try:
        with transaction(ctx.engine, ALL) as session:
            bind(session, slug, platform, external_id)
    except OrgError as err:
        fail(str(err))
    typer.echo(f"{platform} workspace {external_id} belongs to '{slug}'.")


@orgs_app.command("unbind")
def orgs_unbind(slack_team: SlackTeam = None, teams_tenant: TeamsTenant = None) -> None:
    """Stop serving a workspace: its messages are refused from now on."""
    from handlers.plans.organisations import unbind
    from models.db import transaction
    from models.scoping import ALL

    platform, external_id = _workspace(slack_team, teams_tenant)
    ctx = context()
    with transaction(ctx.engine, ALL) as session:
        found = unbind(session, platform, external_id)
    typer.echo(f"{platform} workspace {external_id} " + ("unbound." if found else "was not bound."))


@orgs_app.command("pending")
def orgs_pending() -> None:
    """Workspaces that installed the app by its link and wait to join an organisation."""
    from handlers.plans.organisations import pending
    from models.db import transaction
    from models.scoping import ALL

    ctx = context()
    with transaction(ctx.engine, ALL) as session:
        waiting = pending(session)
        rows = [
            (r.platform, r.external_id, r.name, r.requested_by, r.requested_at) for r in waiting
        ]
    if not rows:
        typer.echo("No workspace is waiting for approval.")
        return
    for platform, workspace, name, by, at in rows:
        when = at.astimezone(ctx.tz) if at.tzinfo else at
        who = f" by {by}" if by else ""
        typer.echo(f"{platform}\t{workspace}\t{name or '?'}\tinstalled {when:%d/%m/%Y %H:%M}{who}")
    typer.echo("Approve one: engagebot orgs approve ID --org SLUG (an existing one) or --new SLUG")


@orgs_app.command("approve")
def orgs_approve(
    workspace: Annotated[
        str,
        typer.Argument(
            help="The waiting workspace's id (T…, or E… for a whole Enterprise Grid org)."
        ),
    ],
    org: Annotated[str, typer.Option("--org", help="An existing organisation it belongs to.")] = "",
    new: Annotated[str, typer.Option("--new", help="A new organisation's short name.")] = "",
    name: Annotated[
        str, typer.Option(help="The new organisation's name (default: the workspace's).")
    ] = "",
) -> None:
    """Let a workspace that installed the app in: into an existing organisation, or a new one."""
    from handlers.plans.organisations import OrgError, approve
    from models.db import transaction
    from models.scoping import ALL

    ctx = context()
    try:
        with transaction(ctx.engine, ALL) as session:
            bound = approve(session, workspace, into=org, new=new, name=name, now=ctx.now())
            slug = bound.slug
    except OrgError as err:
        fail(str(err))
    typer.echo(f"Workspace {workspace} belongs to '{slug}' now; its people can use the bot.")


@orgs_app.command("refuse")
def orgs_refuse(
    workspace: Annotated[str, typer.Argument(help="The waiting workspace's id.")],
) -> None:
    """Turn a waiting workspace away: its messages stay refused (uninstall the app there too)."""
    from handlers.plans.organisations import refuse
    from models.db import transaction
    from models.scoping import ALL

    ctx = context()
    with transaction(ctx.engine, ALL) as session:
        found = refuse(session, workspace)
    typer.echo(f"Workspace {workspace} " + ("refused." if found else "was not waiting."))


Text = typer.Option
_DAY = "A date: 2026-12-01 or 01/12/2026."


@orgs_app.command("set")
def orgs_set(
    slug: Annotated[str, typer.Argument(help="The organisation's short name.")],
    name: Annotated[str | None, typer.Option(help="Its name, as shown to people.")] = None,
    nation: Nation = None,
    welsh_name: Annotated[str | None, Text("--welsh-name", help="Its name in Welsh.")] = None,
    colour: Annotated[
        str | None, Text(help="The public page's header colour, e.g. #003078 (white text).")
    ] = None,
    accent: Annotated[str | None, Text(help="The bar under the header, e.g. #1d70b8.")] = None,
    logo: Annotated[
        Path | None, Text(help="A logo for the public page: PNG, JPEG or SVG, up to 256 KB.")
    ] = None,
    contact_email: Annotated[str | None, Text(help="The council's public e-mail.")] = None,
    contact_phone: Annotated[str | None, Text(help="The council's public phone.")] = None,
    website: Annotated[str | None, Text(help="The council's own website, https://…")] = None,
    languages: Annotated[
        str | None,
        Text(help="'en', or 'en,cy' / 'cy,en' for a bilingual page (the first is the default)."),
    ] = None,
    accessibility_email: Annotated[
        str | None, Text(help="Where to ask for accessible formats (default: the contact).")
    ] = None,
    accessibility_phone: Annotated[str | None, Text(help="The same, by phone.")] = None,
    statement_prepared: Annotated[
        str | None, Text(help="When the accessibility statement was prepared. " + _DAY)
    ] = None,
    statement_reviewed: Annotated[
        str | None, Text(help="When it was last reviewed. " + _DAY)
    ] = None,
    tested_on: Annotated[str | None, Text(help="When the page was last tested. " + _DAY)] = None,
    tested_by: Annotated[str | None, Text(help="Who tested it.")] = None,
    known_issues: Annotated[
        str | None, Text(help="What does not meet WCAG 2.2 AA yet, in plain words.")
    ] = None,
) -> None:
    """Change an organisation's settings: its name, its nation (whose law the toolkit gives), and
    its public page's logo, colours, contact, languages and accessibility statement. Only the
    options given change."""
    from handlers.plans.branding import BrandingError, change
    from handlers.plans.documents import DocumentError, Upload, set_logo
    from handlers.plans.organisations import NATIONS, OrgError, find, set_nation
    from models.db import transaction
    from models.scoping import ALL
    from models.tables import id_of

    changes: dict[str, object] = {
        key: value
        for key, value in {
            "name_cy": welsh_name,
            "colour": colour,
            "accent": accent,
            "contact_email": contact_email,
            "contact_phone": contact_phone,
            "contact_url": website,
            "languages": _languages(languages) if languages is not None else None,
            "accessibility.contact_email": accessibility_email,
            "accessibility.contact_phone": accessibility_phone,
            "accessibility.prepared_on": _day(statement_prepared),
            "accessibility.reviewed_on": _day(statement_reviewed),
            "accessibility.tested_on": _day(tested_on),
            "accessibility.tested_by": tested_by,
            "accessibility.known_issues": known_issues,
        }.items()
        if value is not None
    }
    if name is None and nation is None and logo is None and not changes:
        fail("Nothing to change: give an option to set (see engagebot orgs set --help).")
    upload = None
    if logo is not None:
        if not logo.is_file():
            fail(f"There is no file {logo}. Nothing was changed.")
        upload = Upload(logo.name, logo.read_bytes())
    ctx = context()
    try:
        with transaction(ctx.engine, ALL) as session:
            org = find(session, slug)
            if name is not None:
                if not name.strip():
                    fail("A name can't be empty. Nothing was changed.")
                org.name = " ".join(name.split())[:200]
            branding = change(org, changes)
            session.add(org)
            if nation is not None:
                set_nation(session, slug, nation)
            if upload is not None:
                stored = set_logo(session, id_of(org), upload, ctx.now())
                org.public = {**org.public, "logo_sha256": stored.sha256}  # its address's version
                session.add(org)
    except (OrgError, BrandingError, DocumentError) as err:
        fail(f"{err} Nothing was changed.")
    said = f" nation {NATIONS[org.nation]}," if org.nation in NATIONS else " nation not set,"
    typer.echo(f"'{slug}' ({org.name}) is set:{said} languages {', '.join(branding.languages)}, "
               f"header {branding.colour}." + (" Logo stored." if upload else ""))  # fmt: skip


def _languages(text: str) -> list[str]:
    return [part.strip().lower() for part in text.split(",") if part.strip()]


def _day(text: str | None) -> str | None:
    """A date option as ISO text; "" clears it; anything unreadable is explained."""
    from datetime import date, datetime

    if text is None or not text.strip():
        return None if text is None else ""
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"):
        try:
            return datetime.strptime(text.strip(), pattern).date().isoformat()
        except ValueError:
            continue
    fail(f"'{text}' is not a date I can read: write it as {date(2026, 12, 1):%d/%m/%Y}.")
