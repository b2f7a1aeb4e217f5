"""The annual report's charts, as PNG images: counts as bars, action plans by status."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from handlers.plans.rendering import png_of, pyplot, shorten
from handlers.plans.summary_view import COLOURS

if TYPE_CHECKING:
    pass

BAR = "#3f6fb5"


@dataclass
class Chart:
    title: str
    png: bytes


def bars(title: str, rows: list[list[str]]) -> Chart:
    """One horizontal bar per row of (name, count), in the table's order from the top."""
    plt = pyplot()
    names = [r[0] for r in reversed(rows)]
    values = [int(r[1]) for r in reversed(rows)]
    figure, axes = plt.subplots(figsize=(8, 1.2 + 0.5 * len(rows)), dpi=100)
    axes.barh(names, values, color=BAR)
    for y, value in enumerate(values):
        axes.text(value, y, f" {value}", va="center")
    axes.set_xlabel("activities")
    axes.set_title(title)
    return Chart(title, png_of(figure))


def status_bars(title: str, rows: list[list[str]], buckets: list[str]) -> Chart:
    """Each plan as a bar of its actions by status (rows: plan, total, one count per bucket)."""
    plt = pyplot()
    names = [shorten(r[0]) for r in reversed(rows)]
    figure, axes = plt.subplots(figsize=(9, 2.4 + 0.6 * len(rows)), dpi=100)
    left = [0] * len(rows)
    for i, bucket in enumerate(buckets):
        values = [int(r[2 + i]) for r in reversed(rows)]
        axes.barh(names, values, left=left, color=COLOURS[bucket], label=bucket)
        left = [a + b for a, b in zip(left, values, strict=True)]
    axes.set_xlabel("actions")
    axes.set_title(title)
    axes.legend(ncol=4, fontsize="small", loc="upper center", bbox_to_anchor=(0.5, -0.35))
    return Chart(title, png_of(figure))
