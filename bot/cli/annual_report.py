"""`engagebot annual-report`: a financial year of community engagement, for Full Council."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bot.cli.output import JsonOption, done, is_stdout, plural, print_json, write_with
from bot.cli.root import app, chosen_year, context, fail


@app.command("annual-report")
def annual_report(
    year: Annotated[
        str | None, typer.Option(help="The financial year, e.g. 2026/27 (default: this one).")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="docx or html.")] = "docx",
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="File to write (default: annual-report-2026-27.FORMAT); '-' for stdout.",
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """The annual report: activities, participation, you said we did, action plans, toolkit
    use and the health check, with charts."""
    from handlers.flows.healthcheck import labels_of
    from handlers.plans.annual_report import FORMATS, build
    from handlers.plans.annual_report_writers import write
    from handlers.toolkit.healthcheck import load
    from models.db import transaction
    from models.tables import Organisation

    if fmt not in FORMATS:
        fail(f"'{fmt}' is not an annual report format. Use one of: {', '.join(FORMATS)}.")
    ctx = context()
    chosen = chosen_year(ctx, year)
    with transaction(ctx.engine, ctx.org) as session:
        org = session.get(Organisation, ctx.org)
        name = org.name if org is not None and org.slug != "default" else ""
        report = build(session, chosen, name, labels_of(load()), ctx.now())
    if as_json:
        print_json(_without_images(report))
        return
    path = out or Path(f"annual-report-{str(chosen).replace('/', '-')}.{fmt}")
    write_with(path, lambda file: write(report, fmt, file))
    charts = sum(len(s.charts) for s in report.sections)
    where = "standard output" if is_stdout(path) else path
    done(
        f"Wrote {where}: the {chosen} annual report, "
        f"{plural(len(report.sections), 'section')} and {plural(charts, 'chart')}.",
        path,
    )


def _without_images(report: object) -> object:
    """The report's figures and words for --json; its charts are images, named only."""
    from bot.cli.output import jsonable

    def strip(value: object) -> object:
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if not isinstance(v, bytes)}
        if isinstance(value, list):
            return [strip(v) for v in value if not isinstance(v, bytes)]
        return value

    return strip(jsonable(report))
