"""What every command shares in its output: `--json`, `--out -`, plurals, lines that flush.

A command that lists or reports takes `as_json: JsonOption` and ends with `print_json(...)`
when it is set; a command that writes a file takes `OutOption` (or `OutputOption`) and writes
through `write_out`, so `-` always means standard output. Counts go through `plural` and spans
of time through `span`/`overdue` (handlers/language/quantities.py), never by hand.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from collections.abc import Mapping, Sequence
from datetime import date, datetime, time
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer

from handlers.language.quantities import overdue, plural, span

__all__ = [  # the quantities are re-exported so commands need one import for their output
    "STDOUT",
    "JsonOption",
    "OutOption",
    "OutputOption",
    "done",
    "is_stdout",
    "jsonable",
    "overdue",
    "plural",
    "print_json",
    "say",
    "span",
    "write_out",
    "write_with",
]

STDOUT = Path("-")

JsonOption = Annotated[
    bool, typer.Option("--json", help="Print JSON instead of text, for scripts.")
]
OutOption = Annotated[
    Path | None, typer.Option("--out", "-o", help="File to write; '-' for standard output.")
]
OutputOption = Annotated[
    Path | None,
    typer.Option("--output", "-o", help="File to write; '-' for standard output."),
]


def say(line: str = "", *, err: bool = False) -> None:
    """One line, flushed at once: under a pipe (journald, a CI log) it is seen when it happens."""
    stream = sys.stderr if err else sys.stdout
    stream.write(line + "\n")
    stream.flush()


def print_json(data: Any) -> None:
    """`data` as indented JSON on standard output (dates as ISO text, enums as their words)."""
    say(json.dumps(jsonable(data), indent=2, ensure_ascii=False))


def jsonable(value: Any) -> Any:
    """Plain JSON values from the dataclasses, named tuples and lists the handlers return."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple) and hasattr(value, "_asdict"):
        return {k: jsonable(v) for k, v in value._asdict().items()}
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, Sequence) and not isinstance(value, str | bytes):
        return [jsonable(v) for v in value]
    return value


def is_stdout(path: Path | None) -> bool:
    return path is not None and str(path) == "-"


def write_out(path: Path, content: str | bytes) -> None:
    """Write `content` to `path`, or to standard output when `path` is '-'."""
    if is_stdout(path):
        if isinstance(content, bytes):
            sys.stdout.flush()
            sys.stdout.buffer.write(content)
            sys.stdout.buffer.flush()
        else:
            sys.stdout.write(content if content.endswith("\n") else content + "\n")
            sys.stdout.flush()
        return
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")


def write_with(path: Path, writer: Any) -> None:
    """Run `writer(file)` for a writer that only knows files (Word, the charts), then send the
    file to standard output when `path` is '-'."""
    if not is_stdout(path):
        writer(path)
        return
    import tempfile

    with tempfile.TemporaryDirectory(prefix="engagebot-") as folder:
        scratch = Path(folder) / "out"
        writer(scratch)
        write_out(path, scratch.read_bytes())


def done(message: str, path: Path | None) -> None:
    """A command's closing line: on standard error when its output went to standard output."""
    say(message, err=is_stdout(path))
