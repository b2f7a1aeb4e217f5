"""What the log says while the reliability suite runs: every record at ERROR or above, from any
logger and thread (the server's included), so a test can show that bad input left none."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager


class Errors(logging.Handler):
    """Records at ERROR or above; `since(mark)` says what was logged after `mark` records."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def mark(self) -> int:
        return len(self.records)

    def since(self, mark: int) -> list[str]:
        return [f"{r.name}: {r.getMessage()}" for r in self.records[mark:]]


@contextmanager
def errors_logged() -> Iterator[Errors]:
    handler = Errors()
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
