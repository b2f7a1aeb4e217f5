"""The reminder sweep over 100,000 actions of which 5,000 are due: time and peak memory.

Target: under 1 s and under 300 MB, and the cost follows the number due, not the plan size:
the same 5,000 due among 10,000 actions should take about as long.
Run: python bench/bench_sweep.py
"""

from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
import time
import tracemalloc
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert  # noqa: E402

from bot.app import settle_heap  # noqa: E402
from handlers.chat.clock import FixedClock  # noqa: E402
from handlers.chat.context import AppContext  # noqa: E402
from models.db import make_engine, transaction, upgrade  # noqa: E402
from models.tables import (  # noqa: E402
    Action,
    ActionOwner,
    Person,
    Plan,
    Role,
    RoleHolder,
    Status,
    TargetKind,
)
from reminders.policy import Policy  # noqa: E402
from reminders.sweep import sweep  # noqa: E402

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 11, 23, 9, 30, tzinfo=LONDON)
OFFICERS = 500


def build(path: Path, total: int, due: int) -> AppContext:
    """A database with `total` open actions, `due` of them due for a nudge today."""
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    ctx = AppContext(engine, FixedClock(NOW), LONDON)
    today = NOW.date()
    with transaction(engine) as session:
        plan = Plan(name="bench", title="Benchmark plan", created_at=NOW)
        session.add(plan)
        session.flush()
        roles = [
            {"name": f"Officer {i}", "key": f"officer {i}", "org_id": plan.org_id}
            for i in range(OFFICERS)
        ]
        session.execute(insert(Role), roles)
        people = [
            {"name": f"Person {i}", "email": f"p{i}@example.org", "org_id": plan.org_id}
            for i in range(OFFICERS)
        ]
        session.execute(insert(Person), people)
        session.execute(
            insert(RoleHolder),
            [{"role_id": i + 1, "person_id": i + 1, "deputy": False} for i in range(OFFICERS)],
        )
        rows = []
        for i in range(total):
            is_due = i < due
            # Due ones: target in 3 working days (a lead nudge today). Others: later in the year.
            target = date(2026, 11, 26) if is_due else today + timedelta(days=60 + i % 200)
            rows.append(
                {
                    "plan_id": plan.id,
                    "ref": f"R{i + 1}",
                    "position": i + 1,
                    "recommendation": f"Recommendation {i + 1}",
                    "extra": {},
                    "milestones": [],
                    "status": Status.IN_PROGRESS,
                    "target_text": target.isoformat(),
                    "target_kind": TargetKind.DATE,
                    "target_date": target,
                    "next_nudge_on": today if is_due else target - timedelta(days=20),
                    "created_at": NOW,
                    "updated_at": NOW,
                }
            )
        session.execute(insert(Action), rows)
        session.execute(
            insert(ActionOwner),
            [{"action_id": i + 1, "role_id": i % OFFICERS + 1} for i in range(total)],
        )
    return ctx


RUNS = 5


def measure(total: int, due: int) -> tuple[list[float], float, int]:
    """Seconds for a sweep on fresh copies of one database, and the Python heap's peak (MB)."""
    with tempfile.TemporaryDirectory() as tmp:
        template = Path(tmp) / "template.db"
        build(template, total, due).engine.dispose()
        # As in `engagebot serve`: one policy for the life of the process (its bank-holiday
        # calendar loaded once), and the start-up heap settled before the first sweep.
        policy = Policy()
        policy.calendar.is_working(NOW.date())
        settle_heap()
        times, queued = [], 0
        for run in range(RUNS + 1):
            ctx = _copy(template, Path(tmp) / f"run{run}.db")
            if run == RUNS:  # tracing slows Python several times over: measured apart
                tracemalloc.start()
                sweep(ctx, policy, "slack")
                _, peak = tracemalloc.get_traced_memory()
                tracemalloc.stop()
            else:
                started = time.perf_counter()
                queued = sweep(ctx, policy, "slack").queued
                times.append(time.perf_counter() - started)
            ctx.engine.dispose()
    return times, peak / 1e6, queued


def _copy(template: Path, path: Path) -> AppContext:
    shutil.copy(template, path)
    return AppContext(make_engine(f"sqlite:///{path}"), FixedClock(NOW), LONDON)


def main() -> None:
    for total, due in ((100_000, 5_000), (10_000, 5_000), (100_000, 500)):
        times, peak, queued = measure(total, due)
        median = statistics.median(times)
        print(
            f"sweep over {total:>7,} actions, {due:>5,} due: median {median:.2f} s"
            f" (best {min(times):.2f} s of {RUNS}), peak {peak:.0f} MB (Python heap), "
            f"{queued} officer messages"
        )
    print("targets: 100,000 with 5,000 due under 1 s and 300 MB; time follows the due count")


if __name__ == "__main__":
    main()
