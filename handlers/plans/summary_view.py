"""The summary as a neutral reply (each channel lays it out its own way), and as a chart (PNG).

The reply is plain text and items, never markup: Slack makes the headings bold, the console
indents them, and so will any other channel.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime
from functools import lru_cache

from sqlmodel import Session, col, select

from handlers.chat import intents
from handlers.chat.messages import Choice, Image, Item, Reply
from handlers.language.targets import format_date
from handlers.plans.rendering import png_of, pyplot, shorten
from handlers.plans.summary import BUCKETS, Line, Summary, summarise
from models.tables import Plan, SummaryPost

SHORT_LIST = 5
RAG_MARK = {"red": "🔴", "amber": "🟠", "green": "🟢"}
COLOURS = {
    "complete": "#2e7d32",
    "on track": "#81c784",
    "partially complete": "#fbc02d",
    "delayed": "#f57c00",
    "overdue": "#c62828",
    "not started": "#9e9e9e",
    "withdrawn": "#d7ccc8",
}


def sections(summary: Summary) -> list[tuple[str, Sequence[Line]]]:
    revised = "Targets revised" + (
        f" since the last summary ({format_date(summary.since.date())})" if summary.since else ""
    )
    return [
        ("Overdue", summary.overdue),
        ("Due in the next 30 days", summary.due_soon),
        (revised, summary.revised),
        ("No update for 90 days", summary.stale),
    ]


def headline(summary: Summary) -> str:
    counts = " · ".join(f"{count} {name}" for name, count in summary.counts.items())
    chase = f" · {summary.no_owner} with nobody to chase" if summary.no_owner else ""
    return (
        f"{RAG_MARK.get(summary.rag, '')} {summary.title}: status on "
        f"{format_date(summary.today)} — {summary.rag.upper()} ({summary.rag_reason})\n"
        f"{summary.total} actions: {counts}{chase}"
    ).strip()


def render(summary: Summary, *, full: bool = False, plan: str = "") -> tuple[str, tuple[Item, ...]]:
    """The summary's headline and its sections; lists cut to five lines unless `full`."""
    limit = 10_000 if full else SHORT_LIST
    items = [_section(title, lines, limit, plan) for title, lines in sections(summary) if lines]
    if summary.unheld_roles:
        items.append(Item("Roles with nobody to nudge", "; ".join(summary.unheld_roles)))
    if summary.themes:
        themes = "\n".join(
            f"{RAG_MARK.get(t.rag, '')} {t.rag.upper()}  {t.title}: {t.closed}/{t.total} closed, "
            f"{t.overdue} overdue"
            for t in summary.themes
        )
        items.append(Item("By theme", themes))
    return headline(summary), tuple(items)


def _section(title: str, lines: Sequence[Line], limit: int, plan: str) -> Item:
    body = [f"• {line.ref} — {line.detail} — {line.owners}" for line in lines[:limit]]
    if len(lines) > limit:
        more = f"summary full {plan}".strip()
        body.append(f'…and {len(lines) - limit} more: "{more}" lists them all')
    return Item(f"{title} ({len(lines)})", "\n".join(body))


def truncated(summary: Summary) -> bool:
    return any(len(lines) > SHORT_LIST for _, lines in sections(summary))


def summary_message(
    session: Session,
    plans: list[Plan],
    now: datetime,
    today: date,
    *,
    full: bool = False,
    where: str = "",
) -> Reply:
    """The summary as a reply with its chart; remembered, so the next one reports changes since."""
    scope = plans[0].name if len(plans) == 1 else "*"
    last = session.exec(
        select(SummaryPost.posted_at)
        .where(SummaryPost.scope == scope)
        .order_by(col(SummaryPost.posted_at).desc())
    ).first()
    summary = summarise(session, plans, today, last, now)
    session.add(SummaryPost(scope=scope, chat_channel=where, posted_at=now))
    plan_arg = plans[0].name if len(plans) == 1 else ""
    choices = (
        (Choice("Full list", intents.full_summary(plan_arg)),)
        if truncated(summary) and not full
        else ()
    )
    text, items = render(summary, full=full, plan=plan_arg)
    return Reply(text, items=items, choices=choices, broadcast=True, image=_chart(summary))


def _chart(summary: Summary) -> Image | None:
    if summary.total == 0:
        return None
    name = re.sub(r"[^a-z0-9]+", "-", summary.title.lower()).strip("-") or "plan"
    return Image(f"status-{name}.png", f"{summary.title}: status by theme", chart_png(summary))


def chart_png(summary: Summary) -> bytes:
    """Status by theme as stacked bars (one bar for the whole plan when it has no themes).

    Drawn once per plan, day and figures (a chart costs more than the summary's queries), so a
    summary asked for again, or posted to several channels, reuses it."""
    rows = [(t.title, t.counts) for t in summary.themes] or [(summary.title, summary.counts)]
    figures = tuple((title, tuple(counts.get(b, 0) for b in BUCKETS)) for title, counts in rows)
    return _drawn(summary.title, summary.today, figures)


@lru_cache(maxsize=64)
def _drawn(title: str, today: date, figures: tuple[tuple[str, tuple[int, ...]], ...]) -> bytes:
    plt = pyplot()
    rows = [(name, dict(zip(BUCKETS, counts, strict=True))) for name, counts in figures]
    labels = [shorten(name) for name, _ in reversed(rows)]
    figure, axes = plt.subplots(figsize=(9, 1.2 + 0.6 * len(rows)), dpi=100)
    left = [0] * len(rows)
    for bucket in BUCKETS:
        values = [counts.get(bucket, 0) for _, counts in reversed(rows)]
        axes.barh(labels, values, left=left, color=COLOURS[bucket], label=bucket)
        left = [a + b for a, b in zip(left, values, strict=True)]
    axes.set_xlabel("actions")
    axes.set_title(f"{title}: status by theme, {format_date(today)}")
    axes.legend(ncol=4, fontsize="small", loc="upper center", bbox_to_anchor=(0.5, -0.25))
    return png_of(figure)
