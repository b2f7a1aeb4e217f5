"""Time and peak memory of reading hostile .xlsx files, next to an honest 10,000-row plan.

Issue 12: a 4.8 KB file with one cell at XFD1048576 grew to 5.6 GB; a 1.9 MB file holding a
1 GB shared-strings part used 1.2 GB. Each file is read in a fresh process (peak RSS is that
process's). Target: each hostile file refused in well under a second and 100 MB.
Run: python bench/bench_hostile_sheets.py
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEADER = ["Ref", "Recommendation", "Agreed Action", "Responsible officer", "Target Date"]
READ = """
import resource, sys, time
from pathlib import Path
from handlers.importing.sheets import SheetError, read_rows
started = time.perf_counter()
try:
    outcome = f"{len(read_rows(Path(sys.argv[1]))):,} rows read"
except SheetError as err:
    outcome = "refused: " + str(err)[:70]
seconds = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"{seconds:.2f}\\t{peak:.0f}\\t{outcome}")
"""


def plan(path: Path, rows: int) -> Path:
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(HEADER)
    for i in range(1, rows + 1):
        sheet.append([f"R{i}", f"Recommendation {i}", "Agreed", "Head of Policy", "31/03/2027"])
    book.save(path)
    return path


def far_cell(path: Path) -> Path:
    plan(path, 1)
    with zipfile.ZipFile(path) as source:
        parts = {info.filename: source.read(info) for info in source.infolist()}
    name = next(n for n in parts if n.startswith("xl/worksheets/"))
    xml = parts[name].decode()
    xml = re.sub(r"<dimension [^>]*/>", "", xml).replace(
        "<sheetData>", '<dimension ref="A1:XFD1048576"/><sheetData>', 1
    )
    xml = xml.replace(
        "</sheetData>",
        '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData>',
    )
    parts[name] = xml.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for part, data in parts.items():
            target.writestr(part, data)
    return path


def strings_bomb(path: Path, megabytes: int) -> Path:
    plan(path, 1)
    chunk = b"<si><t>" + b"a" * 1_000_000 + b"</t></si>"
    with (
        zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED, compresslevel=1) as archive,
        archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as part,
    ):
        part.write(b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')
        for _ in range(megabytes):
            part.write(chunk)
        part.write(b"</sst>")
    return path


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        files = {
            "10,000-row plan": plan(base / "plan.xlsx", 10_000),
            "cell at XFD1048576": far_cell(base / "far.xlsx"),
            "1 GB shared strings": strings_bomb(base / "bomb.xlsx", 1000),
        }
        print(f"{'file':<22} {'size':>10} {'seconds':>8} {'peak MB':>8}  outcome")
        for name, path in files.items():
            result = subprocess.run(
                [sys.executable, "-c", READ, str(path)],
                capture_output=True,
                text=True,
                cwd=ROOT,
                check=True,
            )
            seconds, peak, outcome = result.stdout.strip().split("\t")
            size = f"{path.stat().st_size / 1024:,.1f} KB"
            print(f"{name:<22} {size:>10} {seconds:>8} {peak:>8}  {outcome}")


if __name__ == "__main__":
    main()
