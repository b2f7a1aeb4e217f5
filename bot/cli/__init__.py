"""The `engagebot` command line (also `python -m bot`): one module per group of commands."""

# isort: off
# Imported for their commands, in the order `engagebot --help` lists them.
from bot.cli import plans, records, orgs, chat, reminders, summaries, consult  # noqa: F401
from bot.cli import healthcheck, annual_report  # noqa: F401
from bot.cli import serve, teams, database  # noqa: F401

# isort: on
from bot.cli.root import app


def main() -> None:
    app()


__all__ = ["app", "main"]
