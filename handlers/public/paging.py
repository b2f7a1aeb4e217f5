"""Pages of results: a list of 10,000 activities is read twenty at a time."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")

LIST_SIZE = 20  # the list and search results
FEED_SIZE = 50  # the Atom feed (RFC 5005 paged feed)
DATA_SIZE = 500  # CSV and JSON; `per_page` may ask for up to DATA_MOST
DATA_MOST = 1000


def page_number(raw: str | None) -> int:
    """`?page=` as a page number: anything odd is page 1."""
    text = (raw or "").strip()
    return int(text) if text.isascii() and text.isdigit() and 0 < len(text) < 7 else 1


@dataclass(frozen=True)
class Pages(Generic[T]):
    """One page of `total` items, and where the others are."""

    items: Sequence[T]
    number: int
    size: int
    total: int
    href: Callable[[int], str]

    @property
    def count(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def first(self) -> int:
        return (self.number - 1) * self.size + 1 if self.total else 0

    @property
    def last(self) -> int:
        return min(self.number * self.size, self.total)

    @property
    def previous(self) -> int | None:
        return self.number - 1 if self.number > 1 else None

    @property
    def next(self) -> int | None:
        return self.number + 1 if self.number < self.count else None

    @property
    def shown(self) -> list[int | None]:
        """The page numbers to link, GOV.UK style: first, last, and those either side of
        this one, with None for a gap."""
        wanted = {1, self.count, self.number - 1, self.number, self.number + 1}
        numbers = sorted(n for n in wanted if 1 <= n <= self.count)
        shown: list[int | None] = []
        for n in numbers:
            if shown and n - (shown[-1] or 0) > 1:
                shown.append(None)
            shown.append(n)
        return shown


class OutOfRange(LookupError):
    """A page past the last one."""


def paged(items: Sequence[T], number: int, size: int, href: Callable[[int], str]) -> Pages[T]:
    """Page `number` of `items`; past the end is OutOfRange (page 1 always exists)."""
    total = len(items)
    if number > 1 and (number - 1) * size >= total:
        raise OutOfRange(number)
    start = (number - 1) * size
    return Pages(items[start : start + size], number, size, total, href)
