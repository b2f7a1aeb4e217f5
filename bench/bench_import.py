"""Import a 10,000-action sheet into a fresh SQLite database and print how long it took.

Target: under 3 s. Run: python bench/bench_import.py
"""

from __future__ import annotations

import csv
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from handlers.chat.clock import FixedClock  # noqa: E402
from handlers.chat.context import AppContext  # noqa: E402
from handlers.importing.importer import import_file  # noqa: E402
from models.db import make_engine, upgrade  # noqa: E402

LONDON = ZoneInfo("Europe/London")
TARGETS = ["31/03/2027", "April 2027", "Annually in April", "Ongoing", "Q3 2026/27", "Autumn 2027"]


def write_sheet(path: Path, rows: int) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(
            [
                "Recommendation",
                "Priority",
                "Agreed Action",
                "Responsible officer",
                "Target Date",
                "Progress",
            ]
        )
        for i in range(1, rows + 1):
            out.writerow(
                [
                    f"R{i} We recommend that the Council reviews engagement area {i}.",
                    str(i % 3 + 1),
                    "Agreed.",
                    f"Engagement Officer {i % 50}",
                    TARGETS[i % len(TARGETS)],
                    "Partially complete – revised date 31st March 2027\nDraft out for feedback."
                    if i % 4 == 0
                    else "",
                ]
            )


def one_run(folder: Path, sheet: Path, run: int) -> tuple[float, float]:
    """(first import, re-import of the same file) in seconds, on a fresh database."""
    engine = make_engine(f"sqlite:///{folder / f'bench{run}.db'}")
    upgrade(engine)
    ctx = AppContext(engine, FixedClock(datetime(2026, 11, 23, 10, tzinfo=LONDON)), LONDON)
    start = time.perf_counter()
    report = import_file(ctx, sheet)
    first = time.perf_counter() - start
    assert report.created == 10_000, report
    start = time.perf_counter()
    import_file(ctx, sheet)
    again = time.perf_counter() - start
    engine.dispose()
    return first, again


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        sheet = folder / "big-plan.csv"
        write_sheet(sheet, 10_000)
        runs = [one_run(folder, sheet, run) for run in range(3)]
    firsts = [r[0] for r in runs]
    agains = [r[1] for r in runs]
    print(
        f"import 10,000 actions (fresh DB): median {statistics.median(firsts):.2f} s, "
        f"best {min(firsts):.2f} s over {len(runs)} runs   [target < 3 s]"
    )
    print(f"re-import same 10,000 (no changes): median {statistics.median(agains):.2f} s")


if __name__ == "__main__":
    main()
