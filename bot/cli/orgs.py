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
def orgs_list() -> None:
    """Every organisation, with its workspaces."""
    from handlers.plans.organisations import NATIONS, all_orgs, bindings
    from models.db import transaction
    from models.scoping import ALL

    ctx = context()
    with transaction(ctx.engine, ALL) as session:
        for org in all_orgs(session):
            bound = ", ".join(f"{b.platform} {b.external_id}" for b in bindings(session, org))
            nation = NATIONS.get(org.nation, "nation not set")
            typer.echo(f"{org.slug}\t{org.name}\t{nation}\t{bound or 'no chat workspace yet'}")


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


@orgs_app.command("set")
def orgs_set(
    slug: Annotated[str, typer.Argument(help="The organisation's short name.")],
    name: Annotated[str | None, typer.Option(help="The council's name, as shown.")] = None,
    nation: Nation = None,
) -> None:
    """Change an organisation's settings: give only the options to change."""
    from handlers.plans.organisations import NATIONS, OrgError, find, set_nation
    from models.db import transaction
    from models.scoping import ALL

    if name is None and nation is None:
        fail("Nothing to change: give --name or --nation (see engagebot orgs set --help).")
    ctx = context()
    try:
        with transaction(ctx.engine, ALL) as session:
            org = find(session, slug)
            if name is not None:
                if not name.strip():
                    raise OrgError("The name can't be empty.")
                org.name = name.strip()
                session.add(org)
            if nation is not None:
                set_nation(session, slug, nation)
            said = [f"name '{org.name}'"] if name is not None else []
            said += [f"nation {NATIONS[org.nation]}"] if nation is not None else []
    except OrgError as err:
        fail(str(err))
    typer.echo(f"'{slug}' now has {' and '.join(said)}.")
