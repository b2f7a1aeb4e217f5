"""`engagebot db upgrade`."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from bot.cli.root import context, group

if TYPE_CHECKING:
    pass

db_app = group("db", "The database.")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create the database, or upgrade it in place to the current schema."""
    from models.db import current_revision

    ctx = context()
    typer.echo(f"Database is at schema revision {current_revision(ctx.engine)}.")
