"""The reliability suite's one table: per category, what was tried, failed, lost and duplicated.

Every test in tests/reliability records into `TALLY` what it measured (never what it assumed):
"lost" and "duplicated" come from the fakes' recordings and the database. The table is printed
at the end of a pytest run (conftest.py) and by bench/reliability.py.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Row:
    tried: int = 0
    failed: int = 0  # did not do what it should (an exception, a 5xx, no answer, a wrong answer)
    lost: int = 0  # something a person sent or was due that never arrived or was never stored
    duplicated: int = 0  # arrived or stored more than once
    notes: list[str] = field(default_factory=list)


class Tally:
    """Counts by category, safe to record into from several threads."""

    def __init__(self) -> None:
        self.rows: dict[str, Row] = {}
        self.printed_by_pytest = True  # bench/reliability.py prints it itself
        self._lock = threading.Lock()

    def record(
        self,
        category: str,
        *,
        tried: int = 0,
        failed: int = 0,
        lost: int = 0,
        duplicated: int = 0,
        note: str = "",
    ) -> None:
        with self._lock:
            row = self.rows.setdefault(category, Row())
            row.tried += tried
            row.failed += failed
            row.lost += lost
            row.duplicated += duplicated
            if note and note not in row.notes:
                row.notes.append(note)

    @contextmanager
    def attempt(self, category: str) -> Iterator[None]:
        """One try: counted as tried, and as failed if it raises (the error goes on up).

        Only errors count: hypothesis stops an example that ran out of data with a
        BaseException, and such an example was never tried."""
        try:
            yield
        except Exception:
            self.record(category, tried=1, failed=1)
            raise
        self.record(category, tried=1)

    def dump(self) -> dict[str, dict[str, object]]:
        """The rows as plain data: a pytest-xdist worker hands them to the controller."""
        with self._lock:
            return {name: vars(row) for name, row in self.rows.items()}

    def merge(self, dumped: dict[str, dict[str, Any]]) -> None:
        """Add a worker's rows (from `dump`) to these."""
        for name, row in dumped.items():
            self.record(
                name,
                tried=row["tried"],
                failed=row["failed"],
                lost=row["lost"],
                duplicated=row["duplicated"],
            )
            for note in row["notes"]:
                self.record(name, note=note)

    def clear(self) -> None:
        with self._lock:
            self.rows.clear()

    def table(self) -> str:
        """The table, one line per category: fuzzing, load, platform faults, database outages,
        each in the order first recorded."""
        with self._lock:
            rows = sorted(self.rows.items(), key=lambda pair: _group(pair[0]))
        if not rows:
            return ""
        width = max(len("category"), *(len(name) for name, _ in rows))
        head = f"{'category':<{width}}  {'tried':>7}  {'failed':>6}  {'lost':>4}  {'dup':>4}  notes"
        lines = [head, "-" * len(head)]
        for name, row in rows:
            lines.append(
                f"{name:<{width}}  {row.tried:>7}  {row.failed:>6}  {row.lost:>4}  "
                f"{row.duplicated:>4}  {'; '.join(row.notes)}".rstrip()
            )
        return "\n".join(lines)


GROUPS = ("fuzz", "load", "fault", "database")


def _group(category: str) -> int:
    prefix = category.split(":", 1)[0]
    return GROUPS.index(prefix) if prefix in GROUPS else len(GROUPS)


TALLY = Tally()
