"""Reading a plan sheet (.csv or .xlsx) into rows of text, and the error a person can act on.

Councils keep their action plans as Word tables pasted into a spreadsheet, or saved as CSV from
Excel. `read_rows` turns either into a rectangle of stripped strings, the way the sheet shows
them: dates as 31/03/2027 (UK day-first), whole numbers without ".0", line breaks kept inside
cells. Anything it cannot read becomes a `SheetError` that says what to do about it.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from itertools import islice
from pathlib import Path

from handlers.importing.grid import (
    MAX_FILE_BYTES,
    Grid,
    cell_too_long,
    column_letter,
    too_big,
)
from handlers.importing.grid import SheetError as SheetError
from handlers.importing.xlsx import read_xlsx

__all__ = ["SheetError", "column_letter", "read_rows"]

CSV_SUFFIXES = frozenset({".csv", ".tsv", ".txt"})
XLSX_SUFFIXES = frozenset({".xlsx", ".xlsm"})
_DELIMITERS = (",", ";", "\t")
_SNIFF_ROWS = 50
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_SAVE_AS = "Save it as .xlsx or .csv (in Excel: File > Save As) and import that file instead."


def read_rows(path: Path) -> list[list[str]]:
    """The first sheet's cells as text, trailing empty rows and columns trimmed."""
    path = Path(path)
    suffix = path.suffix.lower()
    if not path.exists():
        raise SheetError(f"I can't find the file {path}. Check the name and the folder.")
    if path.is_dir():
        raise SheetError(f"{path} is a folder, not a spreadsheet file.")
    if suffix in XLSX_SUFFIXES:
        rows = read_xlsx(path)
    elif suffix in CSV_SUFFIXES:
        rows = _read_csv(path)
    elif suffix in (".docx", ".doc"):
        raise SheetError(
            f"{path.name} is a Word document, and I can only read spreadsheets. "
            f"Paste the action plan table into Excel, then {_SAVE_AS[0].lower()}{_SAVE_AS[1:]}"
        )
    elif suffix in (".xls", ".ods", ".numbers"):
        raise SheetError(f"{path.name} is in an older or other spreadsheet format. {_SAVE_AS}")
    else:
        shown = suffix or "no extension"
        raise SheetError(f"I can't read {path.name} ({shown}). {_SAVE_AS}")
    return _trim(rows, path)


def _trim(rows: list[list[str]], path: Path) -> list[list[str]]:
    while rows and not any(rows[-1]):
        rows.pop()
    if not rows:
        raise SheetError(f"The file is empty: {path.name} has no rows to read.")
    width = 0
    for row in rows:
        for index in range(len(row) - 1, -1, -1):
            if row[index]:
                width = max(width, index + 1)
                break
    return [row[:width] + [""] * (width - len(row)) for row in rows]


def _clean(text: str) -> str:
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.strip()


# ---------------------------------------------------------------------------------------------
# CSV


def _read_csv(path: Path) -> list[list[str]]:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise too_big(path.name, size)
        data = path.read_bytes()
    except OSError as err:
        raise SheetError(f"I couldn't open {path.name}: {err.strerror or err}.") from err
    if not data.strip():
        raise SheetError(f"The file is empty: {path.name} has nothing in it.")
    if data.startswith(b"PK\x03\x04"):
        raise SheetError(
            f"{path.name} is not a CSV file: it looks like an Excel or Word file renamed. "
            "Give it its real extension (.xlsx) or save it again as .csv."
        )
    if b"\x00" in data[:8192] and not data.startswith(_UTF16_BOMS):
        raise SheetError(
            f"{path.name} is not a spreadsheet I can read: it holds binary data, not text. "
            f"{_SAVE_AS}"
        )
    text = _decode(data, path)
    delimiter = _sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    grid = Grid()
    number = 0
    try:
        for number, row in enumerate(reader, start=1):
            grid.add(number, [_clean(cell) for cell in row])
    except csv.Error as err:
        if "field larger than field limit" in str(err):  # a cell far beyond ours, unread
            limit = csv.field_size_limit()
            raise cell_too_long(limit, row=number + 1, column=None, at_least=True) from err
        raise SheetError(
            f"{path.name} is not a well-formed CSV file near line {reader.line_num} ({err}). "
            f"{_SAVE_AS}"
        ) from err
    return grid.rows


def _decode(data: bytes, path: Path) -> str:
    if data.startswith(_UTF16_BOMS):  # Excel's "Unicode Text"
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as err:
            raise SheetError(f"I can't read the text in {path.name}: {err.reason}.") from err
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as err:
        raise SheetError(
            f"I can't read the text in {path.name}: it is not UTF-8 or Windows (cp1252) text. "
            "In Excel, save it as 'CSV UTF-8 (Comma delimited)'."
        ) from err


def _sniff_delimiter(text: str) -> str:
    """Comma, semicolon or tab: whichever splits the first rows into the most steady columns."""
    best, best_score = ",", 0
    for delimiter in _DELIMITERS:
        if delimiter not in text:
            continue
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        try:
            widths = [len(row) for row in islice(reader, _SNIFF_ROWS) if any(row)]
        except csv.Error:
            continue
        if not widths:
            continue
        width, count = Counter(widths).most_common(1)[0]
        score = count * (width - 1)
        if score > best_score:
            best, best_score = delimiter, score
    return best
