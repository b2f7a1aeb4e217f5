"""The `engagebot` command line (also `python -m bot`): one module per group of commands."""

import sys

# isort: off
# Imported for their commands, in the order `engagebot --help` lists them.
from bot.cli import plans, roles, records, orgs, chat, reminders, summaries, consult  # noqa: F401
from bot.cli import healthcheck, annual_report  # noqa: F401
from bot.cli import serve, teams, database, backup  # noqa: F401

# isort: on
from bot.cli.root import app


def main() -> None:
    try:
        app()
    except Exception as error:
        from models.db import reason, unavailable

        if not unavailable(error):
            raise  # a bug: its traceback is what a bug report needs
        print(
            f"engagebot: can't reach the database ({reason(error)}). Nothing was changed. Check "
            "DATABASE_URL and that the database is running, then try again.",
            file=sys.stderr,
        )
        raise SystemExit(3) from None


__all__ = ["app", "main"]
