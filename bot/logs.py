"""How `engagebot serve` and its workers log: one line per record, secrets redacted.

ENGAGEBOT_LOG_FORMAT=json gives one JSON object per line (for journald, Loki, Splunk…);
`text` (the default) gives `time level logger message`. A traceback is kept only for a genuine
bug, and then on the same line (JSON: its own field), so a log line is always one record.
Tokens, passwords in database URLs and Authorization headers are masked wherever they appear;
request bodies are never logged, and a line is cut at MAX_CHARS so nothing can flood the log.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime
from typing import TextIO

MAX_CHARS = 2000  # a record longer than this is cut: a log line is never a request's body
FORMATS = ("text", "json")

_SECRETS = [
    (re.compile(r"\bxox[abposre]-[A-Za-z0-9-]+"), "xox?-…"),  # Slack bot/user tokens
    (re.compile(r"\bxapp-[A-Za-z0-9-]+"), "xapp-…"),  # Slack app-level tokens
    (re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]+"), r"\1 …"),  # Authorization
    (re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*"), "<jwt>"),  # tokens
    (re.compile(r"(://[^:/@\s]+):[^@/\s]+@"), r"\1:***@"),  # passwords in URLs
    (re.compile(r"(?i)(password|secret|signing_secret)=\S+"), r"\1=***"),
]

# slack_sdk logs an ERROR for every failed call that engagebot then reports in its own words
# (and retries): only its CRITICAL lines are kept.
_ECHOING = ("slack_sdk",)
# Alembic says nine INFO lines at every start, upgrade or not; models/db.py says the one that
# matters ("database upgraded from 0007 to 0008").
_CHATTY = ("alembic",)


def redact(text: str) -> str:
    """`text` with every token, password and credential masked."""
    for pattern, mask in _SECRETS:
        text = pattern.sub(mask, text)
    return text


def _one_line(text: str) -> str:
    text = redact(text).replace("\r", "").replace("\n", " ⏎ ")
    return text if len(text) <= MAX_CHARS else text[:MAX_CHARS] + f"… ({len(text):,} chars)"


class TextLines(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = f"{_time(record)} {record.levelname} {record.name} {record.getMessage()}"
        if record.exc_info:
            line += " | " + self.formatException(record.exc_info)
        return _one_line(line)


class JsonLines(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": _time(record),
            "level": record.levelname,
            "logger": record.name,
            "message": _one_line(record.getMessage()),
        }
        if record.exc_info:
            entry["traceback"] = redact(self.formatException(record.exc_info))[-8 * MAX_CHARS :]
        return json.dumps(entry, ensure_ascii=False)


def _time(record: logging.LogRecord) -> str:
    stamp = datetime.fromtimestamp(record.created, UTC)
    return stamp.isoformat(timespec="milliseconds").replace("+00:00", "Z")


class _StandardError(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to standard error as it is at each record, not as it was when logging was set
    up: a test runner (or a CLI harness) that swapped and closed it leaves no dead stream."""

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _value: TextIO) -> None:
        pass


def configure(level: str = "INFO", format: str = "text", stream: TextIO | None = None) -> None:
    """Send every record to `stream` (standard error) as one line in `format`."""
    handler = logging.StreamHandler(stream) if stream is not None else _StandardError()
    handler.setFormatter(JsonLines() if format == "json" else TextLines())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in _ECHOING:
        logging.getLogger(name).setLevel(logging.CRITICAL)
    for name in _CHATTY:
        logging.getLogger(name).setLevel(logging.WARNING)
