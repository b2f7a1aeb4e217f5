"""Random action-plan sheets, built in memory and saved as CSV (any delimiter and encoding a
council's Excel might use, and some it would not) or XLSX: title rows, headers in any of the
words councils use, themes, blank and repeated header rows, and cells of every kind."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import openpyxl
from hypothesis import strategies as st

from handlers.importing.headers import vocabulary
from tests.reliability.strategies import phrase

Cell = str | int | float | date | datetime | None

ROLES = [
    "Director of Public Health",
    "Community Engagement & Partnership Manager",
    "Head of Policy",
    "HBC Community Development Team",
    "YOT",
    "Consultant in Public Health",
]
STATUSES = ["Complete", "Partially Complete – Revised date 31st March 2027", "Delayed", "On track"]


@dataclass(frozen=True)
class Sheet:
    rows: list[list[Cell]]
    form: str  # "xlsx", or "csv" with its encoding and delimiter
    encoding: str = "utf-8"
    delimiter: str = ","

    def save(self, folder: Path) -> Path:
        if self.form == "xlsx":
            path = folder / "plan.xlsx"
            book = openpyxl.Workbook()
            sheet = book.active
            assert sheet is not None
            for row in self.rows:
                sheet.append(list(row))
            book.save(path)
            return path
        path = folder / "plan.csv"
        text = io.StringIO(newline="")
        writer = csv.writer(text, delimiter=self.delimiter)
        writer.writerows([["" if c is None else str(c) for c in row] for row in self.rows])
        path.write_bytes(text.getvalue().encode(self.encoding, errors="replace"))
        return path


def _header_words() -> dict[str, list[str]]:
    return {str(entry.name): list(entry.headers) for entry in vocabulary().ideas}


def header(idea_words: list[str]) -> st.SearchStrategy[str]:
    """One of an idea's header words, written the way a council might."""
    return st.sampled_from(idea_words).flatmap(
        lambda h: st.sampled_from([h, h.title(), h.upper(), h.capitalize() + "?", f"{h} (2026)"])
    )


def cell_for(idea: str, index: int) -> st.SearchStrategy[Cell]:
    """A body cell for a column holding `idea`; anything at all, now and then."""
    anything: st.SearchStrategy[Cell] = st.one_of(
        st.none(),
        st.text(max_size=40),
        st.integers(-5, 100_000),
        st.floats(allow_nan=False, allow_infinity=False),
    )
    by_idea: dict[str, st.SearchStrategy[Cell]] = {
        "ref": st.sampled_from([f"R{index}", f"{index}.", f"{index}", f"1.{index}", "R1", ""]),
        "owner": st.lists(st.sampled_from(ROLES), min_size=0, max_size=3).flatmap(
            lambda roles: st.sampled_from(["/", " and ", "; ", "\n"]).map(lambda s: s.join(roles))
        ),
        "target": st.one_of(
            phrase(), st.dates(date(1990, 1, 1), date(2100, 1, 1)), st.sampled_from(["", "TBC"])
        ),
        "progress": st.one_of(st.sampled_from(STATUSES), phrase(), st.just("")),
        "status": st.sampled_from(["", "Red", "Amber", "Green", *STATUSES]),
        "priority": st.sampled_from(["1", "2", "3", "High", "Medium", "Low", "", "urgent"]),
    }
    return st.one_of(by_idea.get(idea, phrase()), anything)


@st.composite
def sheets(draw: st.DrawFn) -> Sheet:
    words = _header_words()
    ideas = draw(st.lists(st.sampled_from(sorted(words)), min_size=1, max_size=8, unique=True))
    if draw(st.integers(0, 9)) < 8:  # most sheets have a plan's core columns, as councils' do
        ideas += [draw(st.sampled_from(["recommendation", "action"]))]
        ideas += [draw(st.sampled_from(["owner", "target"]))]
        ideas = list(dict.fromkeys(ideas))
    extra = draw(st.lists(st.text(min_size=1, max_size=15), max_size=2))
    columns = draw(st.permutations([*ideas, *(f"extra:{e}" for e in extra)]))
    headers: list[Cell] = [
        draw(header(words[c])) if c in words else c.removeprefix("extra:") for c in columns
    ]
    rows: list[list[Cell]] = [[draw(phrase(4))] for _ in range(draw(st.integers(0, 2)))]  # titles
    rows.append(headers)
    for index in range(1, draw(st.integers(1, 12)) + 1):
        kind = draw(st.sampled_from(["action"] * 6 + ["theme", "blank", "header"]))
        if kind == "theme":
            rows.append([f"Objective {index}: {draw(phrase(3))}"])
        elif kind == "blank":
            rows.append([])
        elif kind == "header":
            rows.append(list(headers))  # repeated on every page of the Word table
        else:
            rows.append([draw(cell_for(c, index)) for c in columns])
    form = draw(st.sampled_from(["xlsx", "csv", "csv", "csv"]))
    if form == "xlsx":
        return Sheet([[_for_excel(c) for c in row] for row in rows], "xlsx")
    encoding = draw(st.sampled_from(["utf-8"] * 3 + ["utf-8-sig", "cp1252", "latin-1", "utf-16"]))
    delimiter = draw(st.sampled_from([",", ",", ";", "\t", "|"]))
    return Sheet(rows, "csv", encoding, delimiter)


def _for_excel(cell: Cell) -> Cell:
    """What openpyxl can store: no control characters, at most Excel's 32,767 characters."""
    if isinstance(cell, str):
        return "".join(ch for ch in cell if ch in "\t\n" or ord(ch) >= 32)[:32_767]
    return cell
