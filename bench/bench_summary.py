"""The status summary over 10,000 actions (target < 100 ms) and the board report over 1,000
actions as DOCX and HTML (target < 3 s). Run: python bench/bench_summary.py
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert  # noqa: E402
from sqlmodel import select  # noqa: E402

from handlers.plans.report import build, write  # noqa: E402
from handlers.plans.summary import summarise  # noqa: E402
from models.db import make_engine, transaction, upgrade  # noqa: E402
from models.tables import (  # noqa: E402
    Action,
    ActionOwner,
    Plan,
    ProgressNote,
    Role,
    Status,
    TargetKind,
    TargetRevision,
    Theme,
)

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=LONDON)
STATUSES = list(Status)


def build_plan(path: Path, total: int) -> tuple[object, Plan]:
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    with transaction(engine) as session:
        plan = Plan(name="bench", title="Benchmark plan", created_at=NOW)
        session.add(plan)
        session.flush()
        session.execute(
            insert(Theme),
            [
                {"plan_id": plan.id, "position": i, "title": f"Objective {i}", "description": ""}
                for i in range(1, 6)
            ],
        )
        session.execute(
            insert(Role),
            [
                {"name": f"Officer {i}", "key": f"officer {i}", "org_id": plan.org_id}
                for i in range(50)
            ],
        )
        session.execute(
            insert(Action),
            [
                {
                    "plan_id": plan.id,
                    "theme_id": i % 5 + 1,
                    "ref": f"R{i}",
                    "position": i,
                    "recommendation": f"Recommendation number {i} about engagement",
                    "action": "Agreed.",
                    "extra": {},
                    "milestones": [],
                    "status": STATUSES[i % len(STATUSES)],
                    "target_text": "x",
                    "target_kind": TargetKind.DATE,
                    "target_date": date(2026, 6, 1) + timedelta(days=i % 400),
                    "created_at": NOW - timedelta(days=200),
                    "updated_at": NOW,
                }
                for i in range(1, total + 1)
            ],
        )
        session.execute(
            insert(ActionOwner),
            [{"action_id": i, "role_id": i % 50 + 1} for i in range(1, total + 1)],
        )
        session.execute(
            insert(ProgressNote),
            [
                {
                    "action_id": i,
                    "created_at": NOW - timedelta(days=i % 150),
                    "author_name": "bench",
                    "text": f"Progress note {i}",
                    "status": Status.IN_PROGRESS,
                    "source": "bench",
                }
                for i in range(1, total + 1, 2)
            ],
        )
        session.execute(
            insert(TargetRevision),
            [
                {
                    "action_id": i,
                    "revised_at": NOW - timedelta(days=10),
                    "old_date": date(2026, 3, 31),
                    "new_date": date(2026, 9, 30),
                    "old_text": "31/03/2026",
                    "new_text": "30 September 2026",
                    "by_name": "bench",
                }
                for i in range(1, total + 1, 7)
            ],
        )
    with transaction(engine) as session:
        stored = session.exec(select(Plan)).one()
    return engine, stored


def settle_heap() -> None:
    """As `engagebot serve` does once started (bot.app.settle_heap): keep the start-up heap out
    of the cyclic garbage collector's way, so a collection does not rescan it mid-request."""
    from bot.app import settle_heap as settle

    settle()


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        engine, plan = build_plan(Path(tmp) / "summary.db", 10_000)
        settle_heap()
        times = []
        for _ in range(7):
            with transaction(engine) as session:  # type: ignore[arg-type]
                started = time.perf_counter()
                result = summarise(session, [plan], NOW.date(), NOW - timedelta(days=30), NOW)
                times.append(time.perf_counter() - started)
        median, best = statistics.median(times) * 1000, min(times) * 1000
        print(
            f"summary over {result.total:,} actions: median {median:.0f} ms "
            f"(best {best:.0f} ms)   [target < 100 ms]"
        )
        engine2, plan2 = build_plan(Path(tmp) / "report.db", 1_000)
        for fmt in ("docx", "html"):
            started = time.perf_counter()
            with transaction(engine2) as session:  # type: ignore[arg-type]
                report = build(session, plan2, NOW.date(), NOW)
            write(report, fmt, Path(tmp) / f"report.{fmt}")
            elapsed = time.perf_counter() - started
            print(f"board report over 1,000 actions as {fmt}: {elapsed:.2f} s   [target < 3 s]")


if __name__ == "__main__":
    main()
