"""`engagebot orgs …`: the councils one deployment serves, and their chat workspaces."""

from __future__ import annotations

from typing import Annotated

import typer

from bot.cli.root import context, fail, group

orgs_app = group(
    "orgs", "Organisations (councils) and the Slack workspaces / Teams tenants bound to them."
)

SlackTeam = Annotated[str | None, typer.Option("--slack-team", help="A Slack team id (T…).")]
TeamsTenant = Annotated[str | None, typer.Option("--teams-tenant", help="A Teams tenant id.")]


def _workspace(slack_team: str | None, teams_tenant: str | None) -> tuple[str, str]:
    if bool(slack_team) == bool(teams_tenant):
        fail("Give one of --slack-team T… or --teams-tenant ID.")
    return ("slack", slack_team or "") if slack_team else ("teams", teams_tenant or "")


@orgs_app.command("list")
def orgs_list() -> None:
    """Every organisation, with its workspaces."""
    from handlers.plans.organisations import all_orgs, bindings
    from models.db import transaction
    from models.scoping import ALL

    ctx = context()
    with transaction(ctx.engine, ALL) as session:
        for org in all_orgs(session):
            bound = ", ".join(f"{b.platform} {b.external_id}" for b in bindings(session, org))
            typer.echo(f"{org.slug}\t{org.name}\t{bound or 'no chat workspace yet'}")


@orgs_app.command("add")
def orgs_add(
    slug: Annotated[str, typer.Argument(help="A short name, e.g. south-ribble.")],
    name: Annotated[str, typer.Option(help="The council's name, as shown to people.")] = "",
) -> None:
    """Add an organisation: its plans, people and register are kept apart from the others'."""
    from handlers.plans.organisations import OrgError, add
    from models.db import transaction
    from models.scoping import ALL

    ctx = context()
    try:
        with transaction(ctx.engine, ALL) as session:
            add(session, slug, name, ctx.now())
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
