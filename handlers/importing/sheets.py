"""Reading a plan sheet (.csv or .xlsx) into rows of text, and the error a person can act on.

Councils keep their action plans as Word tables pasted into a spreadsheet, or saved as CSV from
Excel. `read_rows` turns either into a rectangle of stripped strings, the way the sheet shows
them: dates as 31/03/2027 (UK day-first), whole numbers without ".0", line breaks kept inside
cells. Anything it cannot read becomes a `SheetError` that says what to do about it.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections import Counter
from datetime import date, datetime, time
from itertools import islice
from pathlib import Path

CSV_SUFFIXES = frozenset({".csv", ".tsv", ".txt"})
XLSX_SUFFIXES = frozenset({".xlsx", ".xlsm"})
_DELIMITERS = (",", ";", "\t")
_SNIFF_ROWS = 50
_SAVE_AS = "Save it as .xlsx or .csv (in Excel: File > Save As) and import that file instead."


class SheetError(Exception):
    """A sheet that can't be imported; str() is one sentence naming the row and column if known."""

    def __init__(self, message: str, *, row: int | None = None, column: str | None = None) -> None:
        self.message = message
        self.row = row
        self.column = column
        super().__init__(self._text())

    def _text(self) -> str:
        if self.row is not None and self.column is not None:
            return f'Row {self.row}, column "{self.column}": {self.message}'
        if self.row is not None:
            return f"Row {self.row}: {self.message}"
        if self.column is not None:
            return f'Column "{self.column}": {self.message}'
        return self.message

    def __str__(self) -> str:
        return self._text()


def column_letter(index: int) -> str:
    """0 -> 'A', 25 -> 'Z', 26 -> 'AA', as a spreadsheet names its columns."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def read_rows(path: Path) -> list[list[str]]:
    """The first sheet's cells as text, trailing empty rows and columns trimmed."""
    path = Path(path)
    suffix = path.suffix.lower()
    if not path.exists():
        raise SheetError(f"I can't find the file {path}. Check the name and the folder.")
    if path.is_dir():
        raise SheetError(f"{path} is a folder, not a spreadsheet file.")
    if suffix in XLSX_SUFFIXES:
        rows = _read_xlsx(path)
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
    if b"\x00" in data[:8192]:
        raise SheetError(
            f"{path.name} is not a spreadsheet I can read: it holds binary data, not text. "
            f"{_SAVE_AS}"
        )
    text = _decode(data, path)
    delimiter = _sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return [[_clean(cell) for cell in row] for row in reader]
    except csv.Error as err:
        raise SheetError(
            f"{path.name} is not a well-formed CSV file near line {reader.line_num} ({err}). "
            f"{_SAVE_AS}"
        ) from err


def _decode(data: bytes, path: Path) -> str:
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


# ---------------------------------------------------------------------------------------------
# XLSX


def _read_xlsx(path: Path) -> list[list[str]]:
    import openpyxl

    if path.stat().st_size == 0:
        raise SheetError(f"The file is empty: {path.name} has nothing in it.")
    if not zipfile.is_zipfile(path):
        raise SheetError(
            f"{path.name} is not a real .xlsx file (it may be damaged, or another kind of file "
            f"renamed). Open it in Excel and save it again as .xlsx, or save it as .csv."
        )
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as err:  # openpyxl raises many kinds for a damaged workbook
        raise SheetError(
            f"{path.name} looks damaged and I can't open it as a spreadsheet ({_reason(err)}). "
            "Open it in Excel and save it again as .xlsx, or save it as .csv."
        ) from err
    try:
        if not book.worksheets:
            raise SheetError(f"The file is empty: {path.name} has no sheets.")
        sheet = book.worksheets[0]
        try:
            return [
                [_cell_text(value) for value in row] for row in sheet.iter_rows(values_only=True)
            ]
        except SheetError:
            raise
        except Exception as err:
            raise SheetError(
                f"{path.name} looks damaged and I can't read its first sheet ({_reason(err)}). "
                "Open it in Excel and save it again as .xlsx, or save it as .csv."
            ) from err
    finally:
        book.close()


def _reason(err: Exception) -> str:
    text = str(err).strip().rstrip(".")
    return text[:120] if text else type(err).__name__


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return _clean(value)
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return value.strftime("%d/%m/%Y")
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value)
    return _clean(str(value))
