"""`engagebot orgs …`: the councils one deployment serves, and their chat workspaces."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from bot.cli.output import JsonOption, print_json
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
def orgs_list(as_json: JsonOption = False) -> None:
    """Every organisation, with its workspaces."""
    from handlers.plans.organisations import all_orgs, bindings
    from models.db import transaction
    from models.scoping import ALL

    ctx = context()
    with transaction(ctx.engine, ALL) as session:
        rows: list[dict[str, Any]] = [
            {
                "slug": org.slug,
                "name": org.name,
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
        typer.echo(f"{row['slug']}\t{row['name']}\t{bound or 'no chat workspace yet'}")


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
