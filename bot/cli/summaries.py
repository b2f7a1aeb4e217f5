"""`engagebot summary` and `engagebot report`: for the chair and the board."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bot.cli.output import (
    JsonOption,
    done,
    is_stdout,
    plural,
    print_json,
    say,
    write_out,
    write_with,
)
from bot.cli.root import app, context, fail

if TYPE_CHECKING:
    from sqlmodel.sql.expression import SelectOfScalar

    from models.tables import Plan


@app.command("summary")
def summary(
    plan: Annotated[str | None, typer.Option(help="One plan (default: all plans).")] = None,
    chart: Annotated[
        Path | None, typer.Option(help="Also save the chart as this PNG ('-': only the chart).")
    ] = None,
    full: Annotated[bool, typer.Option("--full", help="Every line of every list.")] = False,
    as_json: JsonOption = False,
) -> None:
    """The chair's status summary, as it would be posted to a channel."""
    from bot.channels.console import render_replies
    from handlers.chat.messages import Reply
    from handlers.flows.summary import find_plan
    from handlers.plans.summary import summarise
    from handlers.plans.summary_view import chart_png, render
    from models.db import transaction
    from models.tables import Plan

    ctx = context()
    with transaction(ctx.engine, ctx.org) as session:
        plans = find_plan(session, plan) if plan else list(session.exec(select_all(Plan)).all())
        if len(plans) != 1 and plan:
            fail(f"No single plan matches '{plan}'. 'engagebot plans' lists them.")
        if not plans:
            fail("No plans yet. Import one: engagebot import FILE")
        result = summarise(session, plans, ctx.today(), None, ctx.now())
    if chart is not None:
        write_out(chart, chart_png(result))
    if as_json:
        print_json(result)
    elif not is_stdout(chart):
        text, items = render(result, full=full, plan=plan or "")
        say(render_replies([Reply(text, items=items)]))
    if chart is not None:
        done(f"Chart saved to {chart}", chart)


def select_all(table: type[Plan]) -> SelectOfScalar[Plan]:
    from sqlmodel import col, select

    return select(table).order_by(col(table.name))


@app.command("report")
def report(
    plan: Annotated[str, typer.Option(help="The plan's name.")],
    fmt: Annotated[str, typer.Option("--format", help="docx, html, md or csv.")] = "docx",
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", "-o", help="File to write (default: PLAN-report.FORMAT); '-' for stdout."
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """The board report: the plan with a progress column, grouped by theme."""
    from sqlmodel import select

    from handlers.plans.report import FORMATS, build, write
    from models.db import transaction
    from models.tables import Plan

    if fmt not in FORMATS:
        fail(f"'{fmt}' is not a report format. Use one of: {', '.join(FORMATS)}.")
    ctx = context()
    with transaction(ctx.engine, ctx.org) as session:
        found = session.exec(select(Plan).where(Plan.name == plan)).first()
        if found is None:
            fail(f"There is no plan called '{plan}'. 'engagebot plans' lists them.")
        built = build(session, found, ctx.today(), ctx.now())
    if as_json:
        print_json(built)
        return
    path = out or Path(f"{plan}-report.{fmt}")
    write_with(path, lambda file: write(built, fmt, file))
    count = sum(len(g.rows) for g in built.groups)
    where = "standard output" if is_stdout(path) else path
    done(f"Wrote {where}: {plural(count, 'action')} in {plural(len(built.groups), 'group')}.", path)
