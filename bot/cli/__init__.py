"""The `engagebot` command line (also `python -m bot`): one module per group of commands."""

import sys

# isort: off
# Imported for their commands, in the order `engagebot --help` lists them.
from bot.cli import plans, roles, records, orgs, chat, reminders, summaries, consult  # noqa: F401
from bot.cli import healthcheck, annual_report, subscribers  # noqa: F401
from bot.cli import serve, teams, database, keys, backup  # noqa: F401

# isort: on
from bot.cli.root import app


def main() -> None:
    try:
        app()
    except Exception as error:
        from models.db import disk_full, reason, unavailable

        if disk_full(error):
            print(
                f"engagebot: the database's disk is full ({reason(error)}). Nothing was "
                "changed. Free some space (or raise the database's size limit), then try again.",
                file=sys.stderr,
            )
            raise SystemExit(3) from None
        if not unavailable(error):
            raise  # a bug: its traceback is what a bug report needs
        print(
            f"engagebot: can't reach the database ({reason(error)}). Nothing was changed. Check "
            "DATABASE_URL and that the database is running, then try again.",
            file=sys.stderr,
        )
        raise SystemExit(3) from None


__all__ = ["app", "main"]
