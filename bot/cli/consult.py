"""The consult-or-engage toolkit and the register: `flowchart`, `consultations`, `stats`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bot.cli.output import JsonOption, print_json
from bot.cli.root import app, context, fail, group, load_settings, report_problems

if TYPE_CHECKING:
    from sqlmodel import Session

    from models.tables import Consultation

flowchart_app = group("flowchart", "The consult-or-engage flowchart.")
consultations_app = group("consultations", "The engagement register.")


@flowchart_app.command("check")
def flowchart_check(
    file: Annotated[
        Path | None, typer.Argument(help="A flowchart YAML (default: the toolkit).")
    ] = None,
) -> None:
    """Check a flowchart: every answer leads somewhere, every path ends, no loops or orphans."""
    from handlers.toolkit.flowchart import DEFAULT_PATH, check

    path = file or DEFAULT_PATH
    report_problems(path, check(path), "a sound flowchart")


@flowchart_app.command("show")
def flowchart_show(
    file: Annotated[
        Path | None, typer.Argument(help="A flowchart YAML (default: the toolkit).")
    ] = None,
) -> None:
    """Print the flowchart as a Mermaid diagram, for the engagement team to review."""
    from handlers.toolkit.flowchart import FlowchartError, load, to_mermaid

    try:
        typer.echo(to_mermaid(load(file)))
    except FlowchartError as err:
        fail(str(err))


@consultations_app.command("list")
def consultations_list(
    as_json: JsonOption = False,
) -> None:
    """Every consultation and engagement in the register."""
    from sqlmodel import col, select

    from handlers.plans.register import as_json as entry_json
    from handlers.plans.register import describe
    from models.db import transaction
    from models.tables import Consultation

    ctx = context()
    with transaction(ctx.engine, ctx.org) as session:
        entries = session.exec(select(Consultation).order_by(col(Consultation.id))).all()
        rows = [entry_json(e) for e in entries]
        lines = [
            f"{e.id}\t{e.title}\t{describe(e)}" + (" · on the public page" if e.published else "")
            for e in entries
        ]
    if as_json:
        print_json(rows)
        return
    typer.echo("\n".join(lines) or "The register is empty.")


@consultations_app.command("update")
def consultations_update(
    entry_id: Annotated[int, typer.Argument(help="The register entry's number.")],
    status: Annotated[
        str | None, typer.Option(help="planned, open, closed, feedback published")
    ] = None,
    participation: Annotated[str | None, typer.Option(help="Who took part, how many.")] = None,
    findings: Annotated[str | None, typer.Option(help="What was heard.")] = None,
    you_said_we_did: Annotated[str | None, typer.Option(help="The feedback published.")] = None,
) -> None:
    """Record a register entry's progress: status, participation, findings, 'you said, we did'."""
    from handlers.plans.register import STATUSES, set_progress, touch
    from models.db import transaction
    from models.tables import Consultation

    if status and status not in STATUSES:
        fail(f"'{status}' is not a register status. Use one of: {', '.join(STATUSES)}.")
    ctx = context()
    with transaction(ctx.engine, ctx.org) as session:
        entry = session.get(Consultation, entry_id)
        if entry is None:
            fail(
                f"There is no register entry {entry_id}. 'engagebot consultations list' lists them."
            )
        if status is not None:
            entry.status = status
            touch(entry, ctx.now())  # the feed shows the change
        for name, value in (
            ("participation", participation),
            ("findings", findings),
            ("you_said_we_did", you_said_we_did),
        ):
            problem = set_progress(entry, name, value, ctx.now()) if value is not None else None
            if problem:
                fail(f"{problem} Nothing was changed.")
        session.add(entry)
        typer.echo(f"Updated {entry.id}: {entry.title} ({entry.status}).")


@consultations_app.command("publish")
def consultations_publish(
    entry_id: Annotated[int, typer.Argument(help="The register entry's number.")],
    summary: Annotated[str | None, typer.Option(help="What it is about, in plain words.")] = None,
    who: Annotated[str | None, typer.Option("--who", help="Who can take part.")] = None,
    how: Annotated[
        str | None, typer.Option("--how", help="How to take part: a link or words.")
    ] = None,
    topic: Annotated[str | None, typer.Option(help="A topic to filter by, e.g. Parks.")] = None,
    area: Annotated[str | None, typer.Option(help="The area it covers, e.g. Hallgate.")] = None,
    contact_name: Annotated[str | None, typer.Option(help="The named contact.")] = None,
    contact_email: Annotated[str | None, typer.Option(help="A public e-mail address.")] = None,
    contact_phone: Annotated[str | None, typer.Option(help="A public phone number.")] = None,
) -> None:
    """Put a register entry on the public engagement page, with its public fields."""
    from handlers.plans.register import publish, set_area, set_public
    from models.db import transaction

    given = {
        "summary": summary,
        "who_can_take_part": who,
        "how_to_take_part": how,
        "topic": topic,
        "contact_name": contact_name,
        "contact_email": contact_email,
        "contact_phone": contact_phone,
    }
    ctx = context()
    with transaction(ctx.engine, ctx.org) as session:
        entry = _entry(session, entry_id)
        for name, value in given.items():
            problem = set_public(entry, name, value, ctx.now()) if value is not None else None
            if problem:
                fail(f"{problem} Nothing was changed.")
        if area is not None:
            set_area(entry, area, ctx.now())
        missing = publish(entry, ctx.now())
        if missing:
            fail(
                f"{entry.id}: {entry.title} is not on the public page yet: it needs "
                f"{', '.join(missing)}. Nothing was changed. e.g. engagebot consultations "
                f'publish {entry.id} --summary "…" --who "…" --how https://… --topic … '
                '--contact-name "…" --contact-email …'
            )
        session.add(entry)
        typer.echo(f"Published {entry.id}: {entry.title}. It is on the public page: /engage/")


@consultations_app.command("unpublish")
def consultations_unpublish(
    entry_id: Annotated[int, typer.Argument(help="The register entry's number.")],
) -> None:
    """Take a register entry off the public engagement page (its public fields are kept)."""
    from handlers.plans.register import publish
    from models.db import transaction

    ctx = context()
    with transaction(ctx.engine, ctx.org) as session:
        entry = _entry(session, entry_id)
        publish(entry, ctx.now(), public=False)
        session.add(entry)
        typer.echo(f"{entry.id}: {entry.title} is no longer on the public page.")


def _entry(session: Session, entry_id: int) -> Consultation:
    from models.tables import Consultation

    entry = session.get(Consultation, entry_id)
    if entry is None:
        fail(f"There is no register entry {entry_id}. 'engagebot consultations list' lists them.")
    return entry


@app.command("stats")
def stats(as_json: JsonOption = False) -> None:
    """The measures councils report: projects that used the strategy, the register by status."""
    from handlers.plans.register import stats as count
    from models.db import transaction

    ctx = context()
    with transaction(ctx.engine, ctx.org) as session:
        figures = count(session)
    if as_json:
        print_json(figures)
        return
    typer.echo(f"Projects where the strategy was used: {figures['projects_using_the_strategy']}")
    typer.echo(
        f"Toolkit walks started: {figures['walks_started']}, "
        f"added to the register: {figures['walks_added_to_register']}"
    )
    for level, number in sorted(figures["outcomes_by_level"].items()):
        typer.echo(f"  outcome {level}: {number}")
    for status, number in sorted(figures["register_by_status"].items()):
        typer.echo(f"Register, {status}: {number}")


@consultations_app.command("attach")
def consultations_attach(
    entry_id: Annotated[int, typer.Argument(help="The register entry's number.")],
    file: Annotated[Path, typer.Argument(help="A PDF, Word (.docx) or OpenDocument (.odt) file.")],
    title: Annotated[str, typer.Option(help="What it is, as residents will see it.")] = "",
    welsh_title: Annotated[str, typer.Option("--welsh-title", help="The title in Welsh.")] = "",
) -> None:
    """Attach a document to an activity: listed on its public page with its format and size."""
    from handlers.plans.documents import DocumentError, Upload, attach, human_size
    from models.db import transaction

    if not file.is_file():
        fail(f"There is no file {file}. Nothing was attached.")
    settings = load_settings()
    upload = Upload(file.name, file.read_bytes())
    ctx = context()
    try:
        with transaction(ctx.engine, ctx.org) as session:
            entry = _entry(session, entry_id)
            document = attach(
                session, entry, upload, title=title, title_cy=welsh_title,
                by="the command line", now=ctx.now(), limit=settings.attachment_limit,
            )  # fmt: skip
            shown = f"{document.title} ({human_size(document.size)})"
    except DocumentError as err:
        fail(str(err))
    typer.echo(f"Attached document {document.id} to {entry_id}: {shown}.")


@consultations_app.command("documents")
def consultations_documents(
    entry_id: Annotated[int, typer.Argument(help="The register entry's number.")],
) -> None:
    """The documents attached to an activity."""
    from handlers.plans.documents import human_size, listed
    from models.db import transaction

    ctx = context()
    with transaction(ctx.engine, ctx.org) as session:
        _entry(session, entry_id)
        rows = listed(session, entry_id)
    for number, title, kind, size in rows:
        typer.echo(f"{number}\t{title}\t{kind}, {human_size(size)}")
    if not rows:
        typer.echo(f"No documents are attached to {entry_id}.")


@consultations_app.command("detach")
def consultations_detach(
    entry_id: Annotated[int, typer.Argument(help="The register entry's number.")],
    document_id: Annotated[int, typer.Argument(help="The document's number.")],
) -> None:
    """Remove a document from an activity (and from its public page)."""
    from handlers.plans.documents import DocumentError, detach
    from models.db import transaction

    ctx = context()
    try:
        with transaction(ctx.engine, ctx.org) as session:
            document = detach(session, _entry(session, entry_id), document_id, ctx.now())
    except DocumentError as err:
        fail(str(err))
    typer.echo(f"Removed '{document.title}' from {entry_id}.")


Welsh = Annotated[str | None, typer.Option()]


@consultations_app.command("welsh")
def consultations_welsh(
    entry_id: Annotated[int, typer.Argument(help="The register entry's number.")],
    title: Welsh = None,
    summary: Welsh = None,
    who: Annotated[str | None, typer.Option("--who")] = None,
    how: Annotated[str | None, typer.Option("--how")] = None,
    area: Welsh = None,
    topic: Welsh = None,
    participation: Welsh = None,
    findings: Welsh = None,
    you_said_we_did: Welsh = None,
) -> None:
    """Give an activity's public text in Welsh (for a council whose page is bilingual); an
    empty value removes that field's Welsh."""
    from handlers.plans.register import set_welsh
    from models.db import transaction

    given = {
        "title": title,
        "summary": summary,
        "who_can_take_part": who,
        "how_to_take_part": how,
        "area": area,
        "topic": topic,
        "participation": participation,
        "findings": findings,
        "you_said_we_did": you_said_we_did,
    }
    if all(value is None for value in given.values()):
        fail('Give at least one field in Welsh, e.g. --title "…" --summary "…".')
    ctx = context()
    with transaction(ctx.engine, ctx.org) as session:
        entry = _entry(session, entry_id)
        for name, value in given.items():
            problem = set_welsh(entry, name, value, ctx.now()) if value is not None else None
            if problem:
                fail(f"{problem} Nothing was changed.")
        session.add(entry)
        fields = ", ".join(sorted(entry.welsh)) or "nothing"
    typer.echo(f"{entry_id}: {entry.title} has in Welsh: {fields}.")
