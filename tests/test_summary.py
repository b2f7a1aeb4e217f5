"""The chair's summary and the board report, on a plan built for the test, with a fixed clock."""

from __future__ import annotations

import csv
from collections.abc import Callable
from datetime import date, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from docx import Document
from sqlmodel import select
from typer.testing import Result

from handlers.chat.context import AppContext
from handlers.importing.importer import import_file
from handlers.plans.people import assign, make_admin
from handlers.plans.summary import Summary, summarise
from models.db import transaction
from models.tables import Plan
from tests.conftest import LONDON, NOW, SAM, STRANGER, Chat

PRIYA = "priya.shah@example.org"
CHAIR = "pat.doyle@example.org"
IMPORTED = datetime(2026, 7, 1, 10, 0, tzinfo=LONDON)
ROWS = [
    ["Ref", "Recommendation", "Responsible officer", "Target Date", "Progress"],
    ["Theme A: Listening to residents", "", "", "", ""],
    [
        "S1",
        "Publish the engagement strategy",
        "Engagement Officer",
        "31/03/2026",
        "Complete – published",
    ],
    ["S2", "Train staff in engagement", "Engagement Officer", "31/12/2026", "On track – drafting"],
    [
        "S3",
        "Build the consultation register",
        "Engagement Officer",
        "30/09/2026",
        "Partially complete – revised date 31/01/2027",
    ],
    [
        "S4",
        "Agree the feedback process",
        "Engagement Officer",
        "15/12/2026",
        "Delayed – waiting for legal",
    ],
    ["Theme B: Acting together", "", "", "", ""],
    ["S5", "Map community assets", "Head of Policy", "01/10/2026", ""],
    ["S6", "Set up a citizens' panel", "Vacant Role", "01/11/2026", ""],
    ["S7", "Run participatory budgeting", "Engagement Officer", "30/06/2027", ""],
    [
        "S8",
        "Area committees review <script>alert(1)</script>",
        "Engagement Officer",
        "31/03/2026",
        "Withdrawn – no longer part of the strategy",
    ],
]


@pytest.fixture
def plan(ctx: AppContext, tmp_path: Path) -> AppContext:
    """Imported on 1 July 2026; today is 23 November 2026."""
    sheet = tmp_path / "steering.csv"
    with sheet.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(ROWS)
    ctx.clock.at = IMPORTED  # type: ignore[attr-defined]
    import_file(ctx, sheet, plan_name="steering", title="Engagement strategy action plan")
    ctx.clock.at = NOW  # type: ignore[attr-defined]
    with transaction(ctx.engine) as session:
        assign(session, "Engagement Officer", name="Sam Patel", email=SAM)
        assign(session, "Head of Policy", name="Priya Shah", email=PRIYA)
        make_admin(session, "steering", email=CHAIR, name="Cllr Pat Doyle")
    return ctx


def figures(ctx: AppContext, since: datetime | None = None) -> Summary:
    with transaction(ctx.engine) as session:
        plans = list(session.exec(select(Plan)).all())
        return summarise(session, plans, ctx.today(), since, ctx.now())


def refs(lines: list[object]) -> list[str]:
    return [line.ref for line in lines]  # type: ignore[attr-defined]


def test_counts_by_status_with_overdue_taking_precedence(plan: AppContext) -> None:
    s = figures(plan)
    assert s.total == 8
    assert s.counts == {
        "complete": 1,
        "on track": 1,
        "partially complete": 1,
        "delayed": 1,
        "overdue": 2,
        "not started": 1,
        "withdrawn": 1,
    }
    assert s.no_owner == 1 and s.unheld_roles == ["Vacant Role"]


def test_overdue_actions_with_owner_and_days_most_overdue_first(plan: AppContext) -> None:
    s = figures(plan)
    assert [(line.ref, line.owners, line.detail) for line in s.overdue] == [
        ("S5", "Head of Policy", "7 weeks overdue"),
        ("S6", "Vacant Role", "3 weeks overdue"),
    ]


def test_due_in_the_next_30_days(plan: AppContext) -> None:
    assert [(line.ref, line.detail) for line in figures(plan).due_soon] == [
        ("S4", "due 15 December 2026")
    ]


def test_revised_targets_are_counted_since_the_last_summary(
    plan: AppContext, chat_as: Callable[[str], Chat]
) -> None:
    first = figures(plan)
    assert [(line.ref, line.detail) for line in first.revised] == [
        ("S3", "revised once, 4 months later in all")
    ]
    assert figures(plan, since=NOW).revised == []
    sam = chat_as(SAM)
    for answer in ("update S4", "delayed", "Legal advice came late", "28/02/2027", "save"):
        sam.send(answer)
    plan.clock.advance(timedelta(minutes=5))  # type: ignore[attr-defined]
    later = figures(plan, since=NOW - timedelta(minutes=1))
    assert [(line.ref, line.detail) for line in later.revised] == [
        ("S4", "revised once, 2 months later in all")
    ]


def test_actions_with_no_update_for_90_days(
    plan: AppContext, chat_as: Callable[[str], Chat]
) -> None:
    assert refs(figures(plan).stale) == ["S2", "S3", "S4", "S5", "S6", "S7"]
    sam = chat_as(SAM)
    for answer in ("update S2", "keep", "Two sessions run", "keep", "save"):
        sam.send(answer)
    assert refs(figures(plan).stale) == ["S3", "S4", "S5", "S6", "S7"]


def test_progress_and_rag_by_theme(plan: AppContext) -> None:
    s = figures(plan)
    assert [(t.title, t.closed, t.total, t.overdue, t.rag) for t in s.themes] == [
        ("Theme A: Listening to residents", 1, 4, 0, "amber"),
        ("Theme B: Acting together", 1, 4, 2, "red"),
    ]
    assert s.rag == "red"
    assert s.rag_reason == "2 of 6 open actions overdue, the worst 7 weeks overdue"


def test_the_chair_asks_for_the_summary_in_chat(
    plan: AppContext, chat_as: Callable[[str], Chat]
) -> None:
    answer = chat_as(CHAIR).send("summary")
    assert "Engagement strategy action plan: status on 23 November 2026 — RED" in answer
    assert (
        "8 actions: 1 complete · 1 on track · 1 partially complete · 1 delayed · 2 overdue"
        in answer
    )
    assert "\n  • Overdue (2)\n    • S5 — 7 weeks overdue — Head of Policy\n" in answer
    assert "  • Roles with nobody to nudge\n    Vacant Role\n" in answer
    assert "🔴 RED  Theme B: Acting together: 1/4 closed, 2 overdue" in answer
    assert "Full list" in answer  # six stale actions: the list is cut at five


def test_the_chart_is_drawn_once_a_day_until_the_figures_change(
    plan: AppContext, chat_as: Callable[[str], Chat]
) -> None:
    from handlers.plans.summary_view import _drawn

    _drawn.cache_clear()
    chair = chat_as(CHAIR)
    for _ in range(3):
        chair.send("summary steering")
    assert (_drawn.cache_info().misses, _drawn.cache_info().hits) == (1, 2)
    sam = chat_as(SAM)
    for answer in ("update S4", "complete", "Agreed by legal", "save"):
        sam.send(answer)
    chair.send("summary steering")
    assert _drawn.cache_info().misses == 2  # S4 is complete now: a new chart


def test_a_private_plan_is_shown_only_to_its_members(
    plan: AppContext, chat_as: Callable[[str], Chat]
) -> None:
    with transaction(plan.engine) as session:
        found = session.exec(select(Plan)).one()
        found.private = True
        session.add(found)
    assert "I don't know a plan 'steering'" in chat_as(STRANGER).send("summary steering")
    assert "no plans you can see" in chat_as(STRANGER).send("summary")
    assert "RED" in chat_as(SAM).send("summary steering")
    stranger = chat_as(STRANGER)
    shown = stranger.send("show S1")
    assert "I can't find an action 'S1'" in shown and "Listening" not in shown
    assert "steering" not in stranger.send("plans")
    assert "S1:" in chat_as(SAM).send("show S1")


def test_cli_summary_saves_the_chart(
    plan: AppContext, cli: Callable[..., Result], tmp_path: Path
) -> None:
    chart = tmp_path / "chart.png"
    result = cli("summary", "--plan", "steering", "--chart", str(chart))
    assert "status on 23 November 2026 — RED" in result.output
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_board_report_as_word(
    plan: AppContext, cli: Callable[..., Result], tmp_path: Path
) -> None:
    path = tmp_path / "report.docx"
    result = cli("report", "--plan", "steering", "--format", "docx", "--out", str(path))
    assert "8 actions in 2 groups" in result.output
    document = Document(str(path))
    summary, theme_a, theme_b = document.tables
    assert [c.text for c in summary.rows[5].cells] == ["Overdue", "2"]
    assert [c.text for c in theme_a.rows[0].cells] == [
        "Ref",
        "Recommendation",
        "Responsible officer",
        "Target Date",
        "Progress",
    ]
    s3 = [c.text for c in theme_a.rows[3].cells]
    assert s3[3] == "30 September 2026, revised to 31 January 2027"
    assert s3[4].startswith("Partially complete\n01/07/2026: Partially complete – revised date")
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings == ["Theme A: Listening to residents", "Theme B: Acting together"]


class Cells(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.cells: list[str] = []
        self._in = False

    def handle_starttag(self, tag: str, attrs: object) -> None:
        if tag in ("td", "th"):
            self._in, self.cells = True, self.cells + [""]

    def handle_endtag(self, tag: str) -> None:
        self._in = self._in and tag not in ("td", "th")

    def handle_data(self, data: str) -> None:
        if self._in:
            self.cells[-1] += data


def test_the_board_report_as_html_has_the_same_content_escaped(
    plan: AppContext, cli: Callable[..., Result], tmp_path: Path
) -> None:
    path = tmp_path / "report.html"
    cli("report", "--plan", "steering", "--format", "html", "--out", str(path))
    html = path.read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in html
    parser = Cells()
    parser.feed(html)
    assert "30 September 2026, revised to 31 January 2027" in parser.cells
    assert "Area committees review <script>alert(1)</script>" in parser.cells
    md = tmp_path / "report.md"
    cli("report", "--plan", "steering", "--format", "md", "--out", str(md))
    assert "## Theme B: Acting together" in md.read_text(encoding="utf-8")
    csv_path = tmp_path / "report.csv"
    cli("report", "--plan", "steering", "--format", "csv", "--out", str(csv_path))
    rows = list(csv.reader(csv_path.open(encoding="utf-8-sig")))
    assert rows[0][:2] == ["Theme", "Ref"] and len(rows) == 9


def test_an_unknown_report_format_is_explained(
    plan: AppContext, cli: Callable[..., Result]
) -> None:
    result = cli("report", "--plan", "steering", "--format", "pdf")
    assert result.exit_code == 1 and "docx, html, md, csv" in result.output


def test_scheduled_summary_every_monday(plan: AppContext, chat_as: Callable[[str], Chat]) -> None:
    from reminders.delivery import deliver
    from reminders.policy import Policy
    from reminders.summaries import post_scheduled
    from tests.test_reminders import RecordingSender

    assert "Only the admins" in chat_as(SAM).send("post the summary every Monday for steering")
    answer = chat_as(CHAIR).send("post the summary every Monday for steering")
    assert "every Monday" in answer
    plan.clock.at = datetime(2026, 11, 30, 9, 30, tzinfo=LONDON)  # type: ignore[attr-defined]
    assert post_scheduled(plan, Policy()) == 1
    assert post_scheduled(plan, Policy()) == 0  # once a day
    sender = RecordingSender(via="console")
    deliver(plan, sender)
    assert len(sender.sent) == 1 and sender.sent[0].reply.image is not None
    plan.clock.at = datetime(2026, 12, 1, 9, 30, tzinfo=LONDON)  # type: ignore[attr-defined]
    assert post_scheduled(plan, Policy()) == 0  # Tuesday


def test_scheduled_summary_before_meetings(
    plan: AppContext, chat_as: Callable[[str], Chat]
) -> None:
    from reminders.policy import Policy
    from reminders.summaries import post_scheduled

    answer = chat_as(CHAIR).send(
        "post the summary before meetings on 12/01/2027 and 09/02/2027 for steering"
    )
    assert "12 January 2027, 9 February 2027" in answer
    plan.clock.at = datetime(2027, 1, 11, 9, 30, tzinfo=LONDON)  # type: ignore[attr-defined]
    assert post_scheduled(plan, Policy()) == 1
    plan.clock.at = datetime(2027, 2, 8, 9, 45, tzinfo=LONDON)  # type: ignore[attr-defined]
    assert post_scheduled(plan, Policy()) == 1
    assert date(2027, 2, 8).weekday() == 0
