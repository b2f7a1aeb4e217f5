"""What the board report, the annual report and the summary chart share to draw and write:
charts as PNG bytes (matplotlib, no screen) and grid tables in Word (python-docx)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from types import ModuleType
from typing import TYPE_CHECKING, Any

from handlers.language.text import readable

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def pyplot() -> ModuleType:
    """matplotlib's pyplot, drawing off screen (imported only when a chart is drawn)."""
    import matplotlib

    matplotlib.use("Agg")  # no screen: render straight to PNG
    from matplotlib import pyplot as plt

    return plt


def png_of(figure: Figure) -> bytes:
    """The figure as PNG bytes; the figure is closed (pyplot keeps every open one alive)."""
    plt = pyplot()
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    plt.close(figure)
    return buffer.getvalue()


def shorten(title: str, width: int = 40) -> str:
    """A label cut to `width` characters, with an ellipsis, so a chart's bars keep their room."""
    return title if len(title) <= width else title[: width - 1] + "…"


def docx_table(document: Any, headers: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    """A grid table with a bold header row; cells lose control characters (Word's XML refuses
    them)."""
    table = document.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    for cell, header in zip(table.rows[0].cells, headers, strict=True):
        cell.text = readable(header)
        cell.paragraphs[0].runs[0].bold = True
    for row in rows:
        for cell, value in zip(table.add_row().cells, row, strict=True):
            cell.text = readable(value)
