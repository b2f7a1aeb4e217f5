"""What a plan sheet may hold, the rows read so far, and the error a person can act on.

An action plan is a few hundred rows of a dozen columns. A file far beyond that is a mistake or
an attack (a single cell at XFD1048576, a gigabyte of text), so reading stops at the first cell
outside the limits below and says which cell it was; empty rows and columns past the plan (the
formatting Excel leaves behind) are skipped without being held in memory.
"""

from __future__ import annotations

MAX_FILE_BYTES = 20 * 1024 * 1024  # a 10,000-action plan is about 1 MB of CSV or .xlsx
MAX_ROWS = 20_000
MAX_COLUMNS = 100
MAX_CELL_CHARS = 32_767  # Excel's own limit for one cell


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


def too_big(name: str, size: int) -> SheetError:
    return SheetError(
        f"{name} is {size / 1024 / 1024:.1f} MB, too big for an action plan (the limit is "
        f"{MAX_FILE_BYTES // 1024 // 1024} MB). Is it the right file? If it holds other sheets "
        "or pictures, copy the plan's table into a new file and import that."
    )


def cell_too_long(
    length: int, *, row: int, column: str | None, at_least: bool = False
) -> SheetError:
    what = "this cell holds" if column else "a cell in this row holds"
    more = "more than " if at_least else ""
    return SheetError(
        f"{what} {more}{length:,} characters; a cell can hold at most {MAX_CELL_CHARS:,} "
        "(Excel's own limit). Shorten it, or put the detail in a document and link to it.",
        row=row,
        column=column,
    )


def beyond_columns(row: int, index: int) -> SheetError:
    """Something in column `index` (0-based), past the columns any plan has."""
    where = f"{column_letter(index)}{row}"
    return SheetError(
        f"there is something in {where}, beyond the {MAX_COLUMNS} columns a plan can have. "
        "Delete what is to the right of the plan's table.",
        row=row,
        column=column_letter(index),
    )


class Grid:
    """The rows of a sheet as they are read, refused at the first cell beyond the limits."""

    def __init__(self) -> None:
        self.rows: list[list[str]] = []

    def add(self, number: int, cells: list[str]) -> None:
        """Row `number` (1-based; rows skipped by the file are empty), its cells from column A."""
        width = len(cells)
        while width and not cells[width - 1]:
            width -= 1
        if not width:
            return  # empty rows are filled in only if a row with something in it follows
        number = max(number, len(self.rows) + 1)  # rows written out of order stay in file order
        if number > MAX_ROWS:
            raise SheetError(
                f"the sheet goes on past {MAX_ROWS:,} rows (there is something in "
                f"{column_letter(_first(cells))}{number}). An action plan is far shorter: is it "
                "the right file? Delete what is below the plan, or copy the plan into a new file.",
                row=number,
            )
        if width > MAX_COLUMNS:
            raise beyond_columns(number, width - 1)
        for index in range(width):
            if len(cells[index]) > MAX_CELL_CHARS:
                raise cell_too_long(len(cells[index]), row=number, column=column_letter(index))
        self.rows.extend([] for _ in range(number - 1 - len(self.rows)))
        self.rows.append(cells[:width])


def _first(cells: list[str]) -> int:
    return next(i for i, cell in enumerate(cells) if cell)
