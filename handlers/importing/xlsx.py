"""Reading the first sheet of an .xlsx file as text, in bounded time and memory.

An .xlsx file is a zip of XML parts, and a small file can unpack to gigabytes. So the parts'
sizes are checked before openpyxl opens anything (zipfile never unpacks more than a part's
declared size), and the sheet is read row by row as written in the file: the dimension it
declares ("A1:XFD1048576") is not trusted, and missing rows and cells are not made up.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from handlers.importing.grid import (
    MAX_COLUMNS,
    MAX_FILE_BYTES,
    Grid,
    SheetError,
    beyond_columns,
    too_big,
)

MAX_PART_BYTES = 50 * 1024 * 1024  # one unpacked part; shared strings are held in memory
MAX_UNPACKED_BYTES = 200 * 1024 * 1024  # all parts together
MAX_RATIO = 100  # unpacked to packed; real sheets pack 5 to 20 times
_RATIO_FROM = 1024 * 1024  # small parts of repeated XML may pack better, and harmlessly
MAX_PARTS = 2000
_SAVE_AGAIN = "Open it in Excel and save it again as .xlsx, or save it as .csv."
_EXCEL_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")  # how Excel writes a control character


def read_xlsx(path: Path) -> list[list[str]]:
    """The first sheet's rows, each cut after its last filled cell (SheetError if it can't)."""
    size = path.stat().st_size
    if size == 0:
        raise SheetError(f"The file is empty: {path.name} has nothing in it.")
    if size > MAX_FILE_BYTES:
        raise too_big(path.name, size)
    if not zipfile.is_zipfile(path):
        raise SheetError(
            f"{path.name} is not a real .xlsx file (it may be damaged, or another kind of file "
            f"renamed). {_SAVE_AGAIN}"
        )
    _check_parts(path)
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as err:  # openpyxl raises many kinds for a damaged workbook
        raise SheetError(
            f"{path.name} looks damaged and I can't open it as a spreadsheet ({_reason(err)}). "
            f"{_SAVE_AGAIN}"
        ) from err
    try:
        if not book.worksheets:
            raise SheetError(f"The file is empty: {path.name} has no sheets.")
        grid = Grid()
        try:
            for number, cells in _rows(book.worksheets[0]):
                grid.add(number, cells)
        except SheetError:
            raise
        except Exception as err:
            raise SheetError(
                f"{path.name} looks damaged and I can't read its first sheet ({_reason(err)}). "
                f"{_SAVE_AGAIN}"
            ) from err
        return grid.rows
    finally:
        book.close()


def _check_parts(path: Path) -> None:
    """Refuse a zip whose parts unpack to far more than any action plan."""
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as err:
        raise SheetError(f"{path.name} looks damaged ({_reason(err)}). {_SAVE_AGAIN}") from err
    if len(parts) > MAX_PARTS:
        raise _bomb(path, f"it is made of {len(parts):,} parts")
    total = 0
    for part in parts:
        total += part.file_size
        if part.file_size > MAX_PART_BYTES:
            raise _bomb(path, f"{part.filename} unpacks to {_mb(part.file_size)}")
        ratio = part.file_size / max(part.compress_size, 1)
        if part.file_size > _RATIO_FROM and ratio > MAX_RATIO:
            raise _bomb(path, f"{part.filename} unpacks {ratio:,.0f} times bigger")
    if total > MAX_UNPACKED_BYTES:
        raise _bomb(path, f"it unpacks to {_mb(total)}")


def _bomb(path: Path, why: str) -> SheetError:
    return SheetError(
        f"{path.name} is not an action plan I can read: {why}, far more than a plan's table "
        "could need. If it is the right file, copy the plan's table into a new workbook, save "
        "it as .xlsx or .csv, and import that."
    )


def _mb(size: int) -> str:
    return f"{size / 1024 / 1024:,.0f} MB"


def _rows(sheet: Any) -> Iterator[tuple[int, list[str]]]:
    """(row number, cell texts from column A) for each row the file holds, in file order.

    openpyxl's own iter_rows pads every row to the declared dimension and makes up the rows
    the file leaves out, which is how a 5 KB file became 5.6 GB; its parser yields only what
    is written.
    """
    from openpyxl.worksheet._reader import WorkSheetParser

    book = sheet.parent
    with sheet._get_source() as source:
        parser = WorkSheetParser(
            source,
            sheet._shared_strings,
            data_only=True,
            epoch=book.epoch,
            date_formats=book._date_formats,
            timedelta_formats=book._timedelta_formats,
        )
        for number, cells in parser.parse():
            yield number, _texts(number, cells)


def _texts(number: int, cells: list[dict[str, Any]]) -> list[str]:
    """A row's cells as text, as wide as its last filled cell (formatting alone is not kept)."""
    filled = [(cell["column"], text) for cell in cells if (text := cell_text(cell["value"]))]
    if not filled:
        return []
    width = max(column for column, _ in filled)
    if width > MAX_COLUMNS:  # refused before a row that wide is built
        raise beyond_columns(number, width - 1)
    texts = [""] * width
    for column, text in filled:
        texts[column - 1] = text
    return texts


def _reason(err: Exception) -> str:
    text = str(err).strip().rstrip(".")
    return text[:120] if text else type(err).__name__


def cell_text(value: object) -> str:
    """A cell as the sheet shows it: UK dates, whole numbers without '.0', text stripped."""
    if value is None:
        return ""
    if isinstance(value, str):
        return _clean(_EXCEL_ESCAPE.sub(lambda m: chr(int(m[1], 16)), value))
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


def _clean(text: str) -> str:
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.strip()
