"""The annual report written out: Word (DOCX, through python-docx) or one HTML page.

Register and plan text is shown as text in both: HTML escapes it (Jinja2's autoescape) and
Word gets it without control characters. Charts are PNG images, embedded in each.
"""

from __future__ import annotations

import base64
import io
from pathlib import Path

from handlers.language.targets import format_date
from handlers.language.text import readable
from handlers.plans.annual_report import AnnualReport, Table
from handlers.plans.rendering import docx_table


def write(report: AnnualReport, fmt: str, path: Path) -> None:
    if fmt == "docx":
        _docx(report, path)
    else:
        path.write_text(to_html(report), encoding="utf-8")


def to_html(report: AnnualReport) -> str:
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    env = Environment(
        loader=FileSystemLoader(Path(__file__).parent / "templates"),
        autoescape=select_autoescape(["html", "j2"]),
    )
    env.filters["day"] = format_date
    env.filters["base64"] = lambda png: base64.b64encode(png).decode("ascii")
    return env.get_template("annual_report.html.j2").render(r=report)


def _docx(report: AnnualReport, path: Path) -> None:
    from docx import Document
    from docx.shared import Cm, Pt

    document = Document()
    document.styles["Normal"].font.size = Pt(10)
    document.add_heading(report.title, level=0)
    document.add_paragraph(readable(report.subtitle))
    for section in report.sections:
        document.add_heading(section.title, level=1)
        for paragraph in section.paragraphs:
            document.add_paragraph(readable(paragraph))
        for table in section.tables:
            _docx_table(document, table)
        for chart in section.charts:
            document.add_picture(io.BytesIO(chart.png), width=Cm(16))
            document.add_paragraph(chart.title).runs[0].italic = True
    document.save(str(path))


def _docx_table(document: object, table: Table) -> None:
    if table.title:
        document.add_heading(readable(table.title), level=2)  # type: ignore[attr-defined]
    docx_table(document, table.headers, table.rows)
