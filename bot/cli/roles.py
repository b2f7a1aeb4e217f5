"""`engagebot roles …`: the roles plans name, and merging one role spelled several ways."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated, Any

import typer

from bot.cli.output import JsonOption, plural, print_json
from bot.cli.root import context, fail, group

if TYPE_CHECKING:
    from handlers.chat.context import AppContext
    from handlers.plans.roles import AlikeRoles

roles_app = group("roles", "The roles that own actions, and merging one role spelled two ways.")


@roles_app.command("list")
def roles_list(as_json: JsonOption = False) -> None:
    """Every role, with its actions, who holds it and the spellings merged into it."""
    from sqlmodel import col, select

    from handlers.plans.people import holders
    from handlers.plans.roles import aliases_of
    from models.db import transaction
    from models.tables import ActionOwner, Role

    ctx = context()
    rows: list[dict[str, Any]] = []
    with transaction(ctx.engine, ctx.org) as session:
        for role in session.exec(select(Role).order_by(col(Role.name))).all():
            owned = select(ActionOwner.action_id).where(ActionOwner.role_id == role.id)
            rows.append(
                {
                    "name": role.name,
                    "actions": len(list(session.exec(owned).all())),
                    "held_by": [p.name or p.email for p in holders(session, role)],
                    "also_written": aliases_of(session, role),
                }
            )
    if as_json:
        print_json(rows)
        return
    for row in rows:
        held = ", ".join(row["held_by"]) or "nobody yet"
        also = f"\talso written: {'; '.join(row['also_written'])}" if row["also_written"] else ""
        typer.echo(f"{row['name']}\t{plural(row['actions'], 'action')}\t{held}{also}")
    if not rows:
        typer.echo("No roles yet: they come from the plans. Import one: engagebot import FILE")


@roles_app.command("alike")
def roles_alike(as_json: JsonOption = False) -> None:
    """Roles whose names look like one role written differently, and how to merge them."""
    from handlers.plans.roles import alike_roles
    from models.db import transaction

    ctx = context()
    with transaction(ctx.engine, ctx.org) as session:
        found = alike_roles(session)
    if as_json:
        print_json(found)
        return
    if not found:
        typer.echo("No two roles look alike.")
    for alike in found:
        show_alike(alike)


def show_alike(alike: AlikeRoles) -> None:
    """One group of look-alike roles, and the command that merges them."""
    typer.echo(f"  '{alike.into.name}' ({plural(alike.into.actions, 'action')}) may also be:")
    for other in alike.others:
        typer.echo(f"    '{other.name}' ({plural(other.actions, 'action')})")
    typer.echo(f"  If they are one role: {alike.merge_command()}")


@roles_app.command("merge")
def roles_merge(
    names: Annotated[list[str], typer.Argument(help="The roles to merge away (their names).")],
    into: Annotated[str, typer.Option("--into", help="The role to keep.")],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask to confirm.")] = False,
) -> None:
    """Merge roles into another: their actions and holders move, their names are remembered,
    so a plan imported again with one of those spellings finds the role kept."""
    merge_roles(context(), names, into, ask=not yes)


def merge_roles(ctx: AppContext, names: list[str], into: str, *, ask: bool) -> bool:
    """Merge `names` into `into`, all or none (asking first, if `ask`); False if not merged."""
    from handlers.plans.people import PeopleError
    from handlers.plans.roles import merge
    from models.db import transaction

    listed = " and ".join(f"'{n}'" for n in names)
    if ask and not _confirmed(f"Merge {listed} into '{into}'?"):
        typer.echo("Not merged: the roles stay apart.")
        return False
    try:
        with transaction(ctx.engine, ctx.org) as session:
            done = [merge(session, name, into) for name in names]
    except PeopleError as err:
        fail(f"{err} Nothing was merged.")
    for merged, kept, moved in done:
        typer.echo(
            f"Merged '{merged.name}' into '{kept.name}' ({plural(moved, 'action')} moved); "
            f"'{merged.name}' in a plan imported later means '{kept.name}'."
        )
    return True


def offer_merges(ctx: AppContext, found: list[AlikeRoles]) -> None:
    """After an import: the look-alike roles, each merge asked about at a terminal; elsewhere
    (a script, a pipe) only the commands are shown. Never merged without a yes."""
    if not found:
        return
    typer.echo("Some roles look like one role written differently:")
    for alike in found:
        show_alike(alike)
        if not sys.stdin.isatty():
            continue
        merge_roles(ctx, [o.name for o in alike.others], alike.into.name, ask=True)


def _confirmed(question: str) -> bool:
    """Yes or no at the terminal; no answer at all (end of input) is a no."""
    try:
        return typer.confirm(question, default=False)
    except typer.Abort:
        typer.echo()
        return False
