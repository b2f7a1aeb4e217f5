"""Financial years as councils write them: "2026/27" runs from 1 April 2026 to 31 March 2027."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

# "2026/27", "2026-27", "2026/2027", "2026 to 2027"
_YEAR = re.compile(r"\s*(\d{4})\s*(?:/|-|–|to)\s*(\d{2}|\d{4})\s*")


class YearError(ValueError):
    """A financial year that cannot be read; the message says how to write one."""


@dataclass(frozen=True, order=True)
class FinancialYear:
    start: int  # the calendar year it begins in (April)

    @property
    def first_day(self) -> date:
        return date(self.start, 4, 1)

    @property
    def last_day(self) -> date:
        return date(self.start + 1, 3, 31)

    @property
    def previous(self) -> FinancialYear:
        return FinancialYear(self.start - 1)

    def holds(self, day: date) -> bool:
        return self.first_day <= day <= self.last_day

    def __str__(self) -> str:
        return f"{self.start}/{(self.start + 1) % 100:02d}"


def year_of(day: date) -> FinancialYear:
    """The financial year a day falls in (April to March)."""
    return FinancialYear(day.year if day.month >= 4 else day.year - 1)


def parse_year(text: str) -> FinancialYear:
    """ "2026/27" (or "2026-27", "2026/2027"); anything else is refused with an example."""
    match = _YEAR.fullmatch(text)
    if match is not None:
        start, end = int(match[1]), match[2]
        following = start + 1 if len(end) == 4 else (start + 1) % 100
        if int(end) == following:
            return FinancialYear(start)
    raise YearError(
        f"'{text.strip()}' is not a financial year. Write it as 2026/27 "
        "(1 April 2026 to 31 March 2027)."
    )
