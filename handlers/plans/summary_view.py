"""The summary in words (a jinja2 template per channel style) and as a chart (PNG)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from handlers.language.targets import format_date
from handlers.plans.summary import BUCKETS, Line, Summary

TEMPLATES = Path(__file__).parent / "templates"
SHORT_LIST = 5
RAG_EMOJI = {"red": "🔴", "amber": "🟠", "green": "🟢"}
STYLES = {"slack": "summary_slack.j2"}  # every other channel gets plain text
COLOURS = {
    "complete": "#2e7d32",
    "on track": "#81c784",
    "partially complete": "#fbc02d",
    "delayed": "#f57c00",
    "overdue": "#c62828",
    "not started": "#9e9e9e",
    "withdrawn": "#d7ccc8",
}


@cache
def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=False,  # chat text, not HTML: each channel escapes for its own markup
        undefined=StrictUndefined,
        trim_blocks=True,  # block tags sit on their own lines and leave no blank line behind
        lstrip_blocks=True,
    )
    env.filters["day"] = format_date
    env.filters["rag_emoji"] = lambda rag: RAG_EMOJI.get(rag, "")
    return env


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


def render(summary: Summary, channel: str, *, full: bool = False, plan: str = "") -> str:
    """The summary as text for `channel`; lists cut to 5 lines unless `full`."""
    template = _environment().get_template(STYLES.get(channel, "summary_plain.j2"))
    limit = 10_000 if full else SHORT_LIST
    text = template.render(s=summary, sections=sections(summary), limit=limit, plan=plan)
    return "\n".join(line.rstrip() for line in text.strip().splitlines())


def truncated(summary: Summary) -> bool:
    return any(len(lines) > SHORT_LIST for _, lines in sections(summary))


def chart_png(summary: Summary) -> bytes:
    """Status by theme as stacked bars (one bar for the whole plan when it has no themes)."""
    import matplotlib

    matplotlib.use("Agg")  # no screen: render straight to PNG
    from matplotlib import pyplot as plt

    rows = [(t.title, t.counts) for t in summary.themes] or [(summary.title, summary.counts)]
    labels = [_wrap(title) for title, _ in reversed(rows)]
    figure, axes = plt.subplots(figsize=(9, 1.2 + 0.6 * len(rows)), dpi=100)
    left = [0] * len(rows)
    for bucket in BUCKETS:
        values = [counts.get(bucket, 0) for _, counts in reversed(rows)]
        axes.barh(labels, values, left=left, color=COLOURS[bucket], label=bucket)
        left = [a + b for a, b in zip(left, values, strict=True)]
    axes.set_xlabel("actions")
    axes.set_title(f"{summary.title}: status by theme, {format_date(summary.today)}")
    axes.legend(ncol=4, fontsize="small", loc="upper center", bbox_to_anchor=(0.5, -0.25))
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    plt.close(figure)
    return buffer.getvalue()


def _wrap(title: str, width: int = 40) -> str:
    return title if len(title) <= width else title[: width - 1] + "…"
