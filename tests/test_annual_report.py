"""The annual report for Full Council, from a register, a plan, a toolkit walk and a health
check built for the test, reopened as Word (python-docx) and read as HTML."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import pytest
from docx import Document
from sqlmodel import col, select
from typer.testing import Result

from handlers.chat.clock import FixedClock
from handlers.chat.context import AppContext
from handlers.plans.register import Activity, add
from models.db import transaction
from models.tables import Consultation
from tests.conftest import LONDON, NOW, SAM, Chat
from tests.test_consult_chat import SCENARIOS, walk
from tests.test_healthcheck import answer_everything

Cli = Callable[..., Result]
SECTIONS = [
    "Activities",
    "Participation",
    "You said, we did",
    "Action-plan progress",
    "Toolkit use",
    "Health check",
]
# title, level, area, start, end, participation
REGISTER = [
    ("Closing Hallgate library", "consult", "Hallgate", "2026-05-01", "2026-07-31",
     "212 responses"),
    ("Moor Park play area redesign", "involve", "Moor Park", "2026-09-01", "2026-12-01",
     "45 residents at three workshops"),
    ("Budget 2027/28", "consult", "Borough-wide", "2026-11-01", "2027-01-15",
     "1,050 survey responses"),
    ("Bin collection day change", "inform", "Borough-wide", "2026-04-10", "2026-04-10", ""),
    ("<script>alert(1)</script> youth survey", "consult", "", "2027-02-01", "2027-03-01", ""),
    ("Community garden on Station Road", "empower", "Station Road", "2025-05-01", "2025-08-01",
     "30 volunteers"),  # the year before: not in this report
]  # fmt: skip


def build_register(ctx: AppContext, cli: Cli) -> None:
    with transaction(ctx.engine) as session:
        for title, level, area, start, end, _ in REGISTER:
            period = date.fromisoformat(start), date.fromisoformat(end)
            add(session, Activity(title, level, area=area, planned_start=period[0],
                                  planned_end=period[1]), None, NOW)  # fmt: skip
    for number, (*_, participation) in enumerate(REGISTER, 1):
        if participation:
            cli("consultations", "update", str(number), "--participation", participation)
    # Staff gave the youth survey a topic of its own for the public page: the report uses it.
    with transaction(ctx.engine) as session:
        survey = session.exec(
            select(Consultation).where(col(Consultation.title).contains("youth"))
        ).one()
        survey.topic = "Youth services"
    cli(
        "consultations", "update", "1", "--status", "feedback published",
        "--findings", "Keep Saturday opening",
        "--you-said-we-did", "Saturday hours kept; closed on Tuesdays instead",
    )  # fmt: skip


@pytest.fixture
def year_of_work(
    blackpool: AppContext, chat_as: Callable[[str], Chat], clock: FixedClock, cli: Cli
) -> AppContext:
    """A register, the Blackpool plan with an update, a toolkit walk and two health checks."""
    build_register(blackpool, cli)
    sam = chat_as(SAM)
    walk(sam, SCENARIOS["play area redesign"][0])
    sam.send("No thanks")
    for line in ("update R1", "Partially complete", "Strategy out for feedback", "31/03/2027"):
        sam.send(line)
    assert sam.send("save").startswith("Saved. R1")
    clock.at = datetime(2025, 6, 2, 10, 0, tzinfo=LONDON)
    answer_everything(chat_as(SAM), 2)
    clock.at = NOW
    answer_everything(chat_as(SAM), 3)
    return blackpool


def tables_of(document: object) -> dict[str, list[list[str]]]:
    """Each table by its header row's text, as rows of cell text."""
    found = {}
    for table in document.tables:  # type: ignore[attr-defined]
        rows = [[cell.text for cell in row.cells] for row in table.rows]
        found[" | ".join(rows[0])] = rows[1:]
    return found


def test_the_annual_report_reopens_with_its_sections_and_figures(
    year_of_work: AppContext, cli: Cli, tmp_path: Path
) -> None:
    path = tmp_path / "annual.docx"
    result = cli("annual-report", "--year", "2026/27", "--format", "docx", "--out", str(path))
    assert result.exit_code == 0, result.output
    assert f"Wrote {path}: the 2026/27 annual report, 6 sections and 3 charts." in result.output

    document = Document(str(path))
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings == SECTIONS
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Community engagement annual report 2026/27" in text
    assert "1 April 2026 to 31 March 2027" in text
    assert "5 activities in the engagement register ran in 2026/27" in text
    assert "1,307 people took part" in text and "in 3 activities that recorded a number" in text
    assert "2 activities have none recorded" in text
    assert "1 progress update was recorded" in text
    assert "The consult-or-engage toolkit was used 1 time in 2026/27: 1 walked to an answer" in text
    assert len(document.inline_shapes) == 3  # activities, action plans, the health check's map

    tables = tables_of(document)
    assert tables["Level | Activities"] == [
        ["Information giving", "1"], ["Consultation", "3"],
        ["Deciding together", "1"], ["Acting together", "0"],
    ]  # fmt: skip
    assert tables["Area | Activities"][0] == ["Borough-wide", "2"]
    assert tables["Area | Activities"][-1] == ["Not stated", "1"]
    topics = dict(map(tuple, tables["Topic | Activities"]))
    assert topics["Libraries, leisure and culture"] == "1"
    assert topics["Budget and council tax"] == "1"
    assert topics["Parks, play and open spaces"] == "1"
    assert topics["Youth services"] == "1"  # its own topic, not one guessed from its title
    assert "Community garden on Station Road" not in text + str(tables)  # last year's
    participation = tables["Activity | Level | Participation | Status"]
    assert ["Budget 2027/28", "Consultation", "1,050 survey responses", "planned"] in participation
    assert tables["Activity | You said | We did"] == [
        [
            "Closing Hallgate library",
            "Keep Saturday opening",
            "Saturday hours kept; closed on Tuesdays instead",
        ]
    ]
    plans = next(rows for header, rows in tables.items() if header.startswith("Plan | Actions"))
    assert plans[0][1] == "17" and plans[0][-1] in ("RED", "AMBER", "GREEN")
    assert sum(int(n) for n in plans[0][2:-1]) == 17
    walks = dict(map(tuple, tables["Advice given | Walks"]))
    assert walks["Deciding together"] == "1"
    scores = tables["Level | Dimension | 2025/26 | 2026/27"]
    assert ["Consultation", "Level of planning", "2", "3"] in scores
    assert len(scores) == 19  # four levels by five dimensions, depth not for information giving


def test_the_html_report_escapes_register_text_and_embeds_the_charts(
    year_of_work: AppContext, cli: Cli, tmp_path: Path
) -> None:
    path = tmp_path / "annual.html"
    assert cli("annual-report", "--format", "html", "--out", str(path)).exit_code == 0
    page = path.read_text(encoding="utf-8")
    for section in SECTIONS:
        assert f"<h2>{section}</h2>" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; youth survey" in page
    assert "<script>" not in page
    assert page.count('src="data:image/png;base64,') == 3


def test_a_year_with_nothing_in_it_says_so(blackpool: AppContext, cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "empty.docx"
    assert cli("annual-report", "--year", "2019/20", "--out", str(path)).exit_code == 0
    text = "\n".join(p.text for p in Document(str(path)).paragraphs)
    assert "No activities in the engagement register ran in 2019/20." in text
    assert "No feedback to participants was recorded for 2019/20." in text
    assert "No health check was completed for 2019/20." in text


def test_a_malformed_year_or_format_is_refused_clearly(blackpool: AppContext, cli: Cli) -> None:
    bad = cli("annual-report", "--year", "2026-28")
    assert bad.exit_code == 1
    assert "'2026-28' is not a financial year. Write it as 2026/27" in bad.output
    pdf = cli("annual-report", "--format", "pdf")
    assert pdf.exit_code == 1 and "Use one of: docx, html" in pdf.output
