"""The board report: the action plan as a committee receives it, with a progress column.

"Appendix A: action plan, updated": the plan's own columns, grouped by theme, revised target
dates shown as revisions, the latest progress with its dated history, and a summary table at
the top. Written as DOCX (Word and LibreOffice), HTML, Markdown or CSV.
"""

from __future__ import annotations

import csv
import html
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from sqlmodel import Session, col, select

from handlers.language.targets import format_date
from handlers.language.text import readable
from handlers.plans.actions import describe_target, prefetch_revisions
from handlers.plans.rendering import docx_table
from handlers.plans.summary import BUCKETS, Summary, summarise
from models.tables import Action, ActionOwner, Plan, ProgressNote, Role, Theme

FORMATS = ("docx", "html", "md", "csv")
HISTORY_LINES = 6
DEFAULT_HEADERS = {
    "ref": "Ref",
    "recommendation": "Recommendation",
    "priority": "Priority",
    "action": "Agreed action",
    "owner": "Responsible officer",
    "target": "Target date",
    "measure": "Measure",
}


@dataclass
class ReportGroup:
    title: str
    description: str
    rows: list[list[str]] = field(default_factory=list)


@dataclass
class Report:
    title: str
    plan: str
    on: date
    summary: Summary
    headers: list[str]
    groups: list[ReportGroup]

    @property
    def summary_rows(self) -> list[tuple[str, int]]:
        return [(b.capitalize(), self.summary.counts[b]) for b in BUCKETS] + [
            ("Total", self.summary.total)
        ]


def build(session: Session, plan: Plan, today: date, now: datetime) -> Report:
    """Everything the report shows, read once from the database."""
    plan_id = plan.id or 0
    actions = list(
        session.exec(
            select(Action).where(Action.plan_id == plan_id).order_by(col(Action.position))
        ).all()
    )
    prefetch_revisions(session, [a.id or 0 for a in actions])
    owners = _owners(session, plan_id)
    notes = _notes(session, plan_id)
    ideas, headers = _columns(plan, actions)
    themes = {t.id: t for t in session.exec(select(Theme).where(Theme.plan_id == plan_id))}
    groups: dict[int | None, ReportGroup] = {}
    for action in actions:
        theme = themes.get(action.theme_id)
        group = groups.setdefault(
            action.theme_id,
            ReportGroup(theme.title if theme else "", theme.description if theme else ""),
        )
        cells = _cells(session, action, ideas, owners.get(action.id or 0, []))
        group.rows.append(cells + [_progress(action, notes.get(action.id or 0, []), plan)])
    ordered = sorted(
        groups.items(), key=lambda kv: themes[kv[0]].position if kv[0] in themes else 0
    )
    summary = summarise(session, [plan], today, None, now, lists=False)
    title = plan.title or plan.name
    return Report(title, plan.name, today, summary, headers + ["Progress"], [g for _, g in ordered])


def _columns(plan: Plan, actions: list[Action]) -> tuple[list[str], list[str]]:
    """The plan's own column names, in its own order, with any extra columns it had."""
    known = plan.columns or {}
    shown = [i for i in known if i in DEFAULT_HEADERS]  # the sheet's order; progress goes last
    required = ["ref", "recommendation", "owner", "target"]
    ideas = ["ref", *[i for i in shown if i != "ref"]]
    ideas += [i for i in required if i not in ideas]
    extras = sorted({k for a in actions for k in a.extra})
    headers = [known.get(i) or DEFAULT_HEADERS[i] for i in ideas] + extras
    return ideas + [f"extra:{e}" for e in extras], headers


def _cells(session: Session, action: Action, ideas: list[str], owners: list[str]) -> list[str]:
    values: dict[str, Callable[[], str]] = {
        "ref": lambda: action.ref,
        "recommendation": lambda: action.recommendation,
        "priority": lambda: str(action.priority or ""),
        "action": lambda: action.action,
        "owner": lambda: "\n".join(owners),
        "target": lambda: _target(session, action),
        "measure": lambda: action.measure,
    }
    return [
        str(action.extra.get(i.removeprefix("extra:"), ""))
        if i.startswith("extra:")
        else values[i]()
        for i in ideas
    ]


def _target(session: Session, action: Action) -> str:
    described = describe_target(session, action)
    if action.target_text and action.target_text not in described and not action.target_date:
        return action.target_text
    return described


def _progress(action: Action, notes: list[ProgressNote], plan: Plan) -> str:
    """Status, then the newest notes first, each dated, as the board reads a progress column."""
    lines = [action.status.label]
    for note in reversed(notes[-HISTORY_LINES:]):
        when = note.created_at.strftime("%d/%m/%Y")
        revised = (
            f" (target revised to {format_date(note.revised_target)})"
            if note.revised_target
            else ""
        )
        text = " ".join(note.text.split()) or "(no note)"
        lines.append(f"{when}: {text}{revised}")
    return "\n".join(lines)


def _owners(session: Session, plan_id: int) -> dict[int, list[str]]:
    query = (
        select(ActionOwner.action_id, Role.name)
        .join(Role, col(Role.id) == col(ActionOwner.role_id))
        .join(Action, col(Action.id) == col(ActionOwner.action_id))
        .where(Action.plan_id == plan_id)
    )
    found: dict[int, list[str]] = {}
    for action_id, name in session.exec(query).all():
        found.setdefault(action_id, []).append(name)
    return found


def _notes(session: Session, plan_id: int) -> dict[int, list[ProgressNote]]:
    query = (
        select(ProgressNote)
        .join(Action, col(Action.id) == col(ProgressNote.action_id))
        .where(Action.plan_id == plan_id)
        .order_by(col(ProgressNote.id))
    )
    found: dict[int, list[ProgressNote]] = {}
    for note in session.exec(query).all():
        found.setdefault(note.action_id, []).append(note)
    return found


# -- writers --------------------------------------------------------------------------------


def write(report: Report, fmt: str, path: Path) -> None:
    if fmt == "docx":
        _docx(report, path)
        return
    texts: dict[str, Callable[[Report], str]] = {"html": to_html, "md": to_markdown, "csv": to_csv}
    # CSV gets a byte-order mark so Excel opens it as UTF-8.
    path.write_text(texts[fmt](report), encoding="utf-8-sig" if fmt == "csv" else "utf-8")


# Excel and LibreOffice run a cell starting with one of these as a formula (OWASP, "CSV
# injection"); the full-width forms too, in some locales.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
_NUMBER = re.compile(r"[+-]?(?=\.?\d)\d*(?:,\d{3})*(?:\.\d+)?%?")


def csv_cell(text: str) -> str:
    """A cell Excel shows as text: a leading ' before anything it would run as a formula.

    A plain number ("-5%", "+3", "-1,250.50") is left alone: Excel reads it as that number and
    runs nothing, and the board reads it as written. "-5% uptake" or "-2+3" gets the quote.
    """
    if text.startswith(_FORMULA_START) and not _NUMBER.fullmatch(text):
        return "'" + text
    return text


def to_csv(report: Report) -> str:
    buffer = io.StringIO()
    out = csv.writer(buffer)
    out.writerow([csv_cell(h) for h in ["Theme", *report.headers]])
    for group in report.groups:
        for row in group.rows:
            out.writerow([csv_cell(c) for c in [group.title, *row]])
    return buffer.getvalue()


_MARKDOWN = re.compile(r"([\\`*_\[\]|~#!])")


def markdown_text(text: str) -> str:
    """Plan text shown as written in Markdown: no HTML, links, emphasis or table breaks.

    HTML's &, < and > become entities (so <script> is text in any renderer) and Markdown's
    punctuation is backslash-escaped; line breaks become <br> to stay in a table cell.
    """
    escaped = html.escape(readable(text), quote=False)
    return _MARKDOWN.sub(r"\\\1", escaped).replace("\r", "").replace("\n", "<br>")


def to_markdown(report: Report) -> str:
    cell = markdown_text
    title = markdown_text(" ".join(report.title.split()))
    lines = [f"# {title}", "", f"Action plan, updated {format_date(report.on)}.", ""]
    lines += ["| Status | Actions |", "| --- | ---: |"]
    lines += [f"| {name} | {count} |" for name, count in report.summary_rows]
    lines += ["", f"Overall: **{report.summary.rag.upper()}** ({report.summary.rag_reason}).", ""]
    for group in report.groups:
        if group.title:
            lines += [f"## {markdown_text(' '.join(group.title.split()))}", ""]
        if group.description:
            lines += [f"_{cell(group.description)}_", ""]
        lines.append("| " + " | ".join(cell(h) for h in report.headers) + " |")
        lines.append("|" + " --- |" * len(report.headers))
        lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in group.rows]
        lines.append("")
    return "\n".join(lines)


def to_html(report: Report) -> str:
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    env = Environment(
        loader=FileSystemLoader(Path(__file__).parent / "templates"),
        autoescape=select_autoescape(["html", "j2"]),  # plan text is shown as text, never markup
    )
    env.filters["day"] = format_date
    return env.get_template("board_report.html.j2").render(r=report)


def _docx(report: Report, path: Path) -> None:
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.shared import Cm, Pt

    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = section.page_height, section.page_width
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(1.5))
    document.styles["Normal"].font.size = Pt(9)
    document.add_heading(readable(report.title), level=0)
    document.add_paragraph(f"Action plan, updated {format_date(report.on)}.")
    summary = document.add_table(rows=1, cols=2)
    summary.style = "Table Grid"
    summary.rows[0].cells[0].text, summary.rows[0].cells[1].text = "Status", "Actions"
    for name, count in report.summary_rows:
        cells = summary.add_row().cells
        cells[0].text, cells[1].text = name, str(count)
    document.add_paragraph(f"Overall: {report.summary.rag.upper()} ({report.summary.rag_reason}).")
    for group in report.groups:
        if group.title:
            document.add_heading(readable(group.title), level=1)
        if group.description:
            document.add_paragraph(readable(group.description)).runs[0].italic = True
        docx_table(document, report.headers, group.rows)
    document.save(str(path))
