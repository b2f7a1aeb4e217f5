"""`engagebot healthcheck`: this year's health check against last year's, and the guidance."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bot.cli.output import JsonOption, print_json
from bot.cli.root import chosen_year, context, fail, group, report_problems

healthcheck_app = group("healthcheck", "The community engagement health check.")
OUTPUTS = (".png", ".html")


@healthcheck_app.command("report")
def healthcheck_report(
    team: Annotated[
        str, typer.Option(help="A team's check (default: the whole organisation's).")
    ] = "",
    year: Annotated[
        str | None, typer.Option(help="The financial year, e.g. 2026/27 (default: this one).")
    ] = None,
    output: Annotated[
        Path | None, typer.Option(help="Also write the heat map: a .png chart or an .html table.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """The scores this year against last: a table here, and a heat map with --output."""
    from handlers.flows.healthcheck import labels_of
    from handlers.plans.healthchecks import compare, heat_map_html, heat_map_png, text_table
    from handlers.toolkit.healthcheck import load
    from models.db import transaction

    if output is not None and output.suffix.lower() not in OUTPUTS:
        fail(f"'{output.name}': the heat map is written as {' or '.join(OUTPUTS)}.")
    ctx = context()
    chosen = chosen_year(ctx, year)
    with transaction(ctx.engine, ctx.org) as session:
        comparison = compare(session, team, chosen, labels_of(load()))
    if comparison.this is None and comparison.last is None:
        who = f"'{team}'" if team else "the whole organisation"
        fail(
            f"There is no health check for {who} in {chosen} or {chosen.previous}. "
            "Say 'health check' in chat to do this year's."
        )
    if as_json:
        print_json(comparison)
    else:
        typer.echo(text_table(comparison))
    if output is not None:
        if output.suffix.lower() == ".png":
            output.write_bytes(heat_map_png(comparison))
        else:
            output.write_text(heat_map_html(comparison), encoding="utf-8")
        typer.echo(f"Heat map saved to {output}")


@healthcheck_app.command("check")
def healthcheck_check(
    file: Annotated[
        Path | None, typer.Argument(help="A guidance YAML (default: Halton's, built in).")
    ] = None,
) -> None:
    """Check health-check guidance: every level and dimension named, every score explained."""
    from handlers.toolkit.healthcheck import DEFAULT_PATH, check

    path = file or DEFAULT_PATH
    report_problems(path, check(path), "sound guidance")
