"""Files that are too big, too odd or too empty are refused quickly and plainly, or cleaned.

The hostile files are built here with zipfile (never shipped as fixtures): a 5 KB workbook
that declares a cell at XFD1048576, a shared-strings part that unpacks to 60 MB, cells longer
than Excel allows, NUL bytes deep in a CSV file, a sheet with headers and nothing under them.
"""

from __future__ import annotations

import csv
import json
import os
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from typer.testing import Result

from tests.conftest import HALTON

Cli = Callable[..., Result]
HEADER = ["Ref", "Recommendation", "Agreed Action", "Responsible officer", "Target Date"]
ROW = ["R1", "Publish the engagement guide", "Agreed", "Head of Policy", "31/03/2027"]
SHEET = "xl/worksheets/sheet1.xml"


def _csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    return path


def _xlsx(path: Path, rows: list[list[str]]) -> Path:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def _rewrite(path: Path, part: str, change: Callable[[str], str]) -> Path:
    """The workbook with one XML part changed, the others copied as they were."""
    with zipfile.ZipFile(path) as source:
        parts = {info.filename: source.read(info) for info in source.infolist()}
    parts[part] = change(parts[part].decode("utf-8")).encode("utf-8")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)
    return path


def _add_cell(ref: str, xml: str, *, text: str | None) -> str:
    """A cell at `ref` (e.g. XFD1048576) in a row of its own, and the dimension claiming it."""
    row = re.sub(r"\D", "", ref)
    cell = f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>' if text else f'<c r="{ref}"/>'
    xml = re.sub(r'<dimension ref="[^"]*"/>', f'<dimension ref="A1:{ref}"/>', xml)
    return xml.replace("</sheetData>", f'<row r="{row}">{cell}</row></sheetData>')


def _actions(cli: Cli) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = json.loads(cli("actions", "list", "--json").output)
    return rows


def _refused(cli: Cli, path: Path) -> str:
    result = cli("import", str(path))
    assert result.exit_code == 1, result.output
    assert "Nothing was imported" in result.output
    assert "No plans yet" in cli("plans").output
    return " ".join(result.output.split())


# -- .xlsx that unpacks to far more than it looks ------------------------------------------------


def test_a_tiny_workbook_claiming_a_cell_at_xfd1048576_is_refused_naming_it(
    cli: Cli, tmp_path: Path
) -> None:
    book = _xlsx(tmp_path / "plan.xlsx", [HEADER, ROW])
    _rewrite(book, SHEET, lambda xml: _add_cell("XFD1048576", xml, text="x"))
    assert book.stat().st_size < 10_000
    output = _refused(cli, book)
    assert "Row 1048576" in output and "XFD1048576" in output


def test_formatting_left_far_down_and_right_is_skipped(cli: Cli, tmp_path: Path) -> None:
    book = _xlsx(tmp_path / "plan.xlsx", [HEADER, ROW])
    _rewrite(book, SHEET, lambda xml: _add_cell("XFD1048576", xml, text=None))
    result = cli("import", str(book))
    assert result.exit_code == 0, result.output
    assert "1 action (1 new" in result.output
    assert _actions(cli)[0]["recommendation"] == "Publish the engagement guide"


def test_something_far_to_the_right_is_refused_naming_the_cell(cli: Cli, tmp_path: Path) -> None:
    book = _xlsx(tmp_path / "plan.xlsx", [HEADER, ROW])
    _rewrite(book, SHEET, lambda xml: _add_cell("ET3", xml, text="stray note"))
    output = _refused(cli, book)
    assert 'Row 3, column "ET"' in output and "ET3" in output and "100 columns" in output


def test_something_far_below_the_plan_is_refused_naming_the_cell(cli: Cli, tmp_path: Path) -> None:
    book = _xlsx(tmp_path / "plan.xlsx", [HEADER, ROW])
    _rewrite(book, SHEET, lambda xml: _add_cell("A25000", xml, text="stray note"))
    output = _refused(cli, book)
    assert "Row 25000" in output and "20,000 rows" in output and "A25000" in output


def test_a_shared_strings_part_that_unpacks_to_60_mb_is_refused_unread(
    cli: Cli, tmp_path: Path
) -> None:
    book = _xlsx(tmp_path / "plan.xlsx", [HEADER, ROW])
    chunk = b"<si><t>" + b"a" * 1000 + b"</t></si>"
    with (
        zipfile.ZipFile(book, "a", zipfile.ZIP_DEFLATED) as archive,
        archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as part,
    ):
        part.write(b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')
        for _ in range(60_000):
            part.write(chunk)
        part.write(b"</sst>")
    assert book.stat().st_size < 1_000_000
    output = _refused(cli, book)
    assert "xl/sharedStrings.xml unpacks to 58 MB" in output


def test_a_part_that_unpacks_hundreds_of_times_bigger_is_refused(cli: Cli, tmp_path: Path) -> None:
    book = _xlsx(tmp_path / "plan.xlsx", [HEADER, ROW])
    padding = "<!--" + " " * 5_000_000 + "-->"
    _rewrite(book, SHEET, lambda xml: xml.replace("<sheetData>", padding + "<sheetData>"))
    output = _refused(cli, book)
    assert f"{SHEET} unpacks" in output and "times bigger" in output


def test_a_workbook_whose_parts_add_up_to_too_much_is_refused(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    import handlers.importing.xlsx

    with zipfile.ZipFile(HALTON) as archive:
        total = sum(part.file_size for part in archive.infolist())
    monkeypatch.setattr(handlers.importing.xlsx, "MAX_UNPACKED_BYTES", total - 1)
    assert "far more than a plan's table could need" in _refused(cli, HALTON)


# -- cells longer than Excel allows --------------------------------------------------------------


def test_a_10_mb_cell_in_a_workbook_is_refused_with_the_csv_limit(cli: Cli, tmp_path: Path) -> None:
    book = _xlsx(tmp_path / "plan.xlsx", [HEADER, ROW])  # openpyxl itself cuts cells at 32,767
    text = os.urandom(5_000_000).hex()  # 10 MB that packs like text, not like a bomb
    _rewrite(book, SHEET, lambda xml: xml.replace(f"<t>{ROW[1]}</t>", f"<t>{text}</t>"))
    output = _refused(cli, book)
    assert 'Row 2, column "B": this cell holds 10,000,000 characters' in output
    assert "at most 32,767" in output


def test_a_long_cell_in_a_csv_file_is_refused_the_same_way(cli: Cli, tmp_path: Path) -> None:
    sheet = _csv(tmp_path / "plan.csv", [HEADER, ROW[:1] + ["x" * 40_000] + ROW[2:]])
    output = _refused(cli, sheet)
    assert 'Row 2, column "B": this cell holds 40,000 characters' in output
    assert "at most 32,767" in output
    huge = _csv(tmp_path / "huge.csv", [HEADER, ROW, ROW[:1] + ["x" * 200_000] + ROW[2:]])
    output = _refused(cli, huge)
    assert "Row 3: a cell in this row holds more than 131,072 characters" in output


def test_a_csv_file_past_twenty_thousand_rows_is_refused(cli: Cli, tmp_path: Path) -> None:
    rows = [HEADER] + [
        [f"R{i}", f"Do {i}", "", "Head of Policy", "May 2027"] for i in range(20_000)
    ]
    output = _refused(cli, _csv(tmp_path / "plan.csv", rows))
    assert "Row 20001" in output and "20,000 rows" in output


# -- control characters ------------------------------------------------------------------------


def test_nul_bytes_deep_in_a_csv_file_are_removed_and_the_cell_named(
    cli: Cli, tmp_path: Path
) -> None:
    rows = [HEADER] + [
        [f"R{i}", f"Do thing {i}", "", "Head of Policy", "May 2027"] for i in range(1, 600)
    ]
    rows[400][1] = "Publish\x00 the \x07register"
    result = cli("import", str(_csv(tmp_path / "plan.csv", rows)))
    assert result.exit_code == 0, result.output
    assert (
        'Note: Row 401, column "Recommendation": removed control characters (NUL, U+0007)'
        in result.output
    )
    stored = {a["ref"]: a["recommendation"] for a in _actions(cli)}
    assert stored["R400"] == "Publish the register"


def test_excel_escapes_in_a_workbook_become_line_breaks_or_are_removed(
    cli: Cli, tmp_path: Path
) -> None:
    written = "Publish the guide_x000D_\nthen review it_x0000_"
    book = _xlsx(tmp_path / "plan.xlsx", [HEADER, ROW[:1] + [written] + ROW[2:]])
    result = cli("import", str(book))
    assert result.exit_code == 0, result.output
    assert 'Row 2, column "Recommendation": removed control characters (NUL)' in result.output
    assert _actions(cli)[0]["recommendation"] == "Publish the guide\nthen review it"


# -- nothing to import -------------------------------------------------------------------------


@pytest.mark.parametrize("write", [_csv, _xlsx], ids=["csv", "xlsx"])
def test_a_sheet_with_headers_and_no_actions_is_refused(
    cli: Cli, tmp_path: Path, write: Callable[[Path, list[list[str]]], Path]
) -> None:
    suffix = ".csv" if write is _csv else ".xlsx"
    sheet = write(tmp_path / f"plan{suffix}", [["Community engagement plan"], HEADER, []])
    output = _refused(cli, sheet)
    assert "no actions found under the header row (row 2)" in output.lower()


def test_a_target_cell_too_long_to_be_a_date_is_kept_and_reported_briefly(
    cli: Cli, tmp_path: Path
) -> None:
    essay = "Depends on the review by the steering group, then March 2027; " * 80
    sheet = _csv(tmp_path / "plan.csv", [HEADER, ROW[:4] + [essay]])
    result = cli("import", str(sheet))
    assert result.exit_code == 0, result.output
    line = next(line for line in result.output.splitlines() if line.startswith("  R1:"))
    assert "characters is too long for a target date" in line and len(line) < 300
    action = _actions(cli)[0]
    assert action["target_text"] == essay.strip() and action["target_kind"] == "unclear"


def test_excel_unicode_text_utf16_with_tabs_is_read(cli: Cli, tmp_path: Path) -> None:
    sheet = tmp_path / "plan.txt"
    rows = [HEADER, ROW[:1] + ["Publish the guide in Cymraeg: Canllaw ymgysylltu"] + ROW[2:]]
    sheet.write_bytes("\r\n".join("\t".join(row) for row in rows).encode("utf-16"))
    result = cli("import", str(sheet))
    assert result.exit_code == 0, result.output
    assert _actions(cli)[0]["recommendation"] == "Publish the guide in Cymraeg: Canllaw ymgysylltu"
