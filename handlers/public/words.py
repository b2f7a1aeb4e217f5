"""The public page's words in the page's language: English as written in the templates, and
Welsh from `welsh.py` for councils that work in Welsh.

Templates write `_("English words")`; a string with no Welsh yet falls back to English (a test
fails if any string the templates use has none).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from handlers.language.targets import format_date
from handlers.public.welsh import MONTHS, WELSH

NAMES = {"en": "English", "cy": "Cymraeg"}
HTML_LANG = {"en": "en-GB", "cy": "cy"}


@dataclass(frozen=True)
class Words:
    """Translation for one language."""

    lang: str = "en"

    def __call__(self, text: str) -> str:
        if self.lang == "cy":
            return WELSH.get(text, text)
        return text

    def date(self, day: date | None) -> str:
        """A day as the page writes it: 1 November 2026, 1 Tachwedd 2026."""
        if day is None:
            return ""
        if self.lang == "cy":
            return f"{day.day} {MONTHS[day.month - 1]} {day.year}"
        return format_date(day)
