"""Fuzzing the importer with random sheets: each is imported whole, or refused with one clear
message and nothing written; importing it again changes nothing and doubles nothing."""

from __future__ import annotations

import shutil
import tempfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from hypothesis import event, given
from sqlmodel import func, select

from handlers.chat.clock import FixedClock
from handlers.chat.context import AppContext
from handlers.importing.importer import import_file
from handlers.importing.layout import parse_sheet
from handlers.importing.sheets import SheetError, read_rows
from models.db import make_engine, transaction
from models.tables import Action, Plan, ProgressNote
from tests.conftest import LONDON, NOW
from tests.reliability.profile import examples
from tests.reliability.sheets import Sheet, sheets
from tests.reliability.tally import TALLY

CATEGORY = "fuzz: importer (CSV/XLSX)"


@contextmanager
def fresh_database(template: Path) -> Iterator[tuple[AppContext, Path]]:
    """A migrated database and a folder of its own, for one example."""
    folder = Path(tempfile.mkdtemp(prefix="fuzz-import-"))
    try:
        shutil.copy(template, folder / "engagebot.db")
        engine = make_engine(f"sqlite:///{folder / 'engagebot.db'}")
        try:
            yield AppContext(engine=engine, clock=FixedClock(NOW), tz=LONDON), folder
        finally:
            engine.dispose()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def stored(ctx: AppContext) -> tuple[int, Counter[str], Counter[str]]:
    """Plans, each action's reference (lower case) and each imported note's action and text."""
    with transaction(ctx.engine) as session:
        plans = session.exec(select(func.count()).select_from(Plan)).one()
        refs = Counter(r.lower() for r in session.exec(select(Action.ref)).all())
        notes = Counter(
            f"{a}:{t}"
            for a, t in session.exec(select(ProgressNote.action_id, ProgressNote.text)).all()
        )
    return plans, refs, notes


@examples(15, 1000)
@given(sheet=sheets())
def test_a_random_sheet_is_imported_whole_or_refused_plainly(
    sheet: Sheet, template_db: Path
) -> None:
    with TALLY.attempt(CATEGORY), fresh_database(template_db) as (ctx, folder):
        path = sheet.save(folder)
        try:
            report = import_file(ctx, path, plan_name="fuzz")
        except SheetError as err:
            event("refused")
            assert str(err).strip() and "Traceback" not in str(err)
            assert stored(ctx)[0] == 0, "a refused sheet left a plan behind"
            return
        event("imported")
        parsed = parse_sheet(read_rows(path))
        plans, refs, notes = stored(ctx)
        wanted = Counter(row.ref.lower() for row in parsed.rows)
        lost = sum((wanted - refs).values())
        duplicated = sum(n - 1 for n in refs.values() if n > 1)
        with_progress = sum(1 for row in parsed.rows if row.progress.strip())
        lost += max(0, with_progress - sum(notes.values()))
        again = import_file(ctx, path, plan_name="fuzz")
        _, refs_again, notes_again = stored(ctx)
        duplicated += sum((refs_again - refs).values()) + sum((notes_again - notes).values())
        TALLY.record(CATEGORY, lost=lost, duplicated=duplicated)
        assert plans == 1 and report.total == len(parsed.rows)
        assert (lost, duplicated) == (0, 0)
        assert again.created == 0 and again.notes_added == 0
