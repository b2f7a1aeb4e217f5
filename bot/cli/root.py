"""The root of the `engagebot` command line, and what every command shares.

Heavy libraries are imported inside commands, so `engagebot --help` starts fast.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from bot.cli.output import plural

if TYPE_CHECKING:
    from pydantic import ValidationError

    from bot.settings import Settings
    from handlers.chat.context import AppContext
    from handlers.language.years import FinancialYear

# `-h` as well as `--help`, for every command (click passes it down to subcommands).
HELP = {"help_option_names": ["-h", "--help"]}

app = typer.Typer(
    help="engagebot: community-engagement action plans, reminders and the consult-or-engage "
    "toolkit, in chat.",
    no_args_is_help=True,
    context_settings=HELP,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # rich costs ~0.17 s of start-up for coloured help
)


_org: str | None = None  # `engagebot --org SLUG …`, for every command that follows


def version() -> str:
    """engagebot's installed version (or the source tree's, never installed)."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    try:
        return installed("engagebot")
    except PackageNotFoundError:
        return "unknown (not installed)"


def _print_version(asked: bool) -> None:
    if asked:
        typer.echo(f"engagebot {version()}")
        raise typer.Exit()


@app.callback()
def _options(
    _version: Annotated[
        bool,
        typer.Option(
            "--version",
            is_eager=True,
            callback=_print_version,
            expose_value=True,
            help="Print engagebot's version and stop.",
        ),
    ] = False,
    org: Annotated[
        str | None,
        typer.Option(
            "--org",
            envvar="ENGAGEBOT_ORG",
            help="The organisation (council) to work on, by its short name (`engagebot orgs "
            "list`). Default: the only one there is, else 'default'.",
        ),
    ] = None,
) -> None:
    global _org
    _org = org


def whole_deployment() -> bool:
    """True when no --org (or ENGAGEBOT_ORG) narrows the command to one organisation."""
    return _org is None


def group(name: str, help: str) -> typer.Typer:
    """A command group such as `engagebot people …`."""
    sub = typer.Typer(help=help, no_args_is_help=True, rich_markup_mode=None, context_settings=HELP)
    app.add_typer(sub, name=name)
    return sub


def load_settings() -> Settings:
    """The settings from the environment (and .env); a bad one is explained in a line."""
    from pydantic import ValidationError

    from bot.settings import Settings

    try:
        return Settings()
    except ValidationError as err:
        fail(f"engagebot: {setting_problem(err)} Nothing was started.")


# Settings whose values are never repeated back: they are credentials.
_SECRET = ("TOKEN", "SECRET", "PASSWORD", "DATABASE_URL")


def setting_problem(err: ValidationError) -> str:
    """A bad setting in one line: its name, the value given (unless secret), what is wanted."""
    first = err.errors()[0]
    name = str(first["loc"][0]) if first["loc"] else ""
    message = str(first["msg"]).removeprefix("Value error, ")
    if not name:  # a rule across settings: its message names them
        return f"configuration problem: {message}."
    given = first.get("input")
    shown = "" if any(s in name for s in _SECRET) or not isinstance(given, str) else f"={given}"
    return f"configuration problem: {name}{shown}: {message}."


def context(database_url: str | None = None, *, serving: bool = False) -> AppContext:
    """The database, clock and settings, from the environment; a bad setting is explained.
    `serving`: a long-running server, whose ENGAGEBOT_NOW clock runs on (bot/app.py)."""
    from bot.app import build_context

    ctx = build_context(load_settings(), database_url=database_url, serving=serving)
    return replace(ctx, org=_chosen_org(ctx))


def _chosen_org(ctx: AppContext) -> int:
    """The id of the organisation named by --org (or the default one); unknown: explained."""
    from handlers.plans.organisations import OrgError, default_slug, find
    from models.db import transaction
    from models.scoping import ALL
    from models.tables import id_of

    with transaction(ctx.engine, ALL) as session:
        try:
            return id_of(find(session, _org or default_slug(session)))
        except OrgError as err:
            fail(str(err))


def report_problems(path: object, problems: list[str], sound: str) -> None:
    """The result of checking a council's YAML: each problem (exit 1), or that it is `sound`."""
    if problems:
        typer.echo(f"{path} has {plural(len(problems), 'problem')}:")
        for problem in problems:
            typer.echo(f"- {problem}")
        raise typer.Exit(1)
    typer.echo(f"{path} is {sound}.")


def chosen_year(ctx: AppContext, year: str | None) -> FinancialYear:
    """The financial year `--year` names (e.g. 2026/27), or the current one; bad: explained."""
    from handlers.language.years import YearError, parse_year, year_of

    try:
        return parse_year(year) if year else year_of(ctx.today())
    except YearError as err:
        fail(str(err))


def fail(message: str) -> NoReturn:
    typer.echo(message, err=True)
    raise typer.Exit(1)
