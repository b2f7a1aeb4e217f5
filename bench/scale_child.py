"""One measurement of bench/bench_scale.py, run in its own process against one version of the
code: the version's checkout comes first on sys.path (PYTHONPATH), so `import bot` is that
version's. Prints one JSON object on its last line. Not meant to be run by hand.

    python bench/scale_child.py build  DB_URL ACTIONS COUNCILS PUBLISHED
    python bench/scale_child.py turns  DB_URL COUNCIL_JSON
    python bench/scale_child.py export DB_URL SLUG
    python bench/scale_child.py replies DB_URL WORKERS SECONDS COUNCIL_JSON
"""

from __future__ import annotations

import asyncio
import importlib.util
import itertools
import json
import os
import statistics
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

HERE = Path(__file__).resolve().parent
LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=LONDON)
TURNS = (("officer", "help"), ("officer", "my actions"), ("chair", "overdue"),
         ("chair", "summary plan-0"))  # fmt: skip
CPU_PER_FIGURE = 3.0  # seconds of CPU spent measuring one turn, at most (after one warm-up)


def _scale() -> Any:
    """tests/scale.py of the bench's own checkout (SQLAlchemy only: fits any version)."""
    spec = importlib.util.spec_from_file_location("scale", HERE.parent / "tests" / "scale.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["scale"] = module
    spec.loader.exec_module(module)
    return module


def build(url: str, actions: str, councils: str, published: str) -> dict[str, Any]:
    from models.db import make_engine, upgrade

    engine = make_engine(url)
    started = time.monotonic()
    upgrade(engine)
    made = _scale().fill(engine, int(actions), councils=int(councils), published=int(published))
    return {"councils": [c.__dict__ for c in made], "seconds": time.monotonic() - started}


def _ctx(url: str) -> Any:
    from handlers.chat.clock import FixedClock
    from handlers.chat.context import AppContext
    from models.db import make_engine

    return AppContext(make_engine(url), FixedClock(NOW), LONDON)


def turns(url: str, council_json: str) -> dict[str, Any]:
    """CPU per turn (median, this process: SQLite runs in it) and statements per turn."""
    from sqlalchemy import event

    from bot.conversation import Conversation
    from handlers.chat.messages import Incoming

    council = json.loads(council_json)
    ctx = _ctx(url)
    sent = [0]
    event.listen(ctx.engine, "before_cursor_execute", lambda *_: sent.__setitem__(0, sent[0] + 1))
    events = itertools.count()
    results: dict[str, Any] = {}
    for who, text in TURNS:
        user = council["officer_slack"] if who == "officer" else council["chair_slack"]

        def turn(user: str = user, text: str = text) -> float:
            msg = Incoming("slack", council["team"], "D1", user, text, event_id=f"E{next(events)}")
            started = time.process_time()
            replies = Conversation(ctx).handle(msg)
            spent = time.process_time() - started
            assert replies and "went wrong" not in replies[0].text, replies
            return spent

        turn()  # warm: imports, caches, the first chart
        spent: list[float] = []
        sent[0] = 0
        while not spent or (sum(spent) < CPU_PER_FIGURE and len(spent) < 9):
            spent.append(turn())
        results[text] = {
            "cpu_ms": statistics.median(spent) * 1000,
            "statements": sent[0] / len(spent),
            "runs": len(spent),
        }
    return results


def export(url: str, slug: str) -> dict[str, Any]:
    """`engagebot --org SLUG export -o FILE` in a child process: its CPU and wall time."""
    import resource
    import subprocess
    import tempfile

    out = Path(tempfile.mkdtemp()) / "export.json"
    env = {**os.environ, "DATABASE_URL": url, "ENGAGEBOT_NOW": NOW.isoformat()}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    command = [sys.executable, "-m", "bot", "--org", slug, "export", "-o", str(out)]
    subprocess.run(command, env=env, check=True, capture_output=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    size = out.stat().st_size
    out.unlink()
    return {"cpu_s": cpu, "wall_s": time.monotonic() - started, "bytes": size}


def replies(url: str, workers: str, seconds: str, council_json: str) -> dict[str, Any]:
    """Replies per second sustained: officers asking "my actions" (each turn records its event
    and state), 16 at a time, through the core's worker processes as `engagebot serve` runs
    them. Wall time (it is a rate), with the host's load average beside it."""
    from bot.app import worker_conversation
    from bot.core import CoreInProcesses
    from handlers.chat.messages import Incoming

    council = json.loads(council_json)
    os.environ["ENGAGEBOT_NOW"] = NOW.isoformat()
    core = CoreInProcesses(worker_conversation, (url,), workers=int(workers))
    core.warm_up()
    officers = [f"U{council['org_id']:02d}{i:06d}" for i in range(council["officers"])]
    counter = itertools.count()
    done: list[float] = []
    failed = [0]

    async def officer(deadline: float) -> None:
        while time.monotonic() < deadline:
            n = next(counter)
            user = officers[n % len(officers)]
            msg = Incoming("slack", council["team"], f"D{user}", user, "my actions",
                           event_id=f"R{os.getpid()}.{n}")  # fmt: skip
            answer = await core.handle(msg)
            if answer and "open action" in answer[0].text:
                done.append(time.monotonic())
            else:
                failed[0] += 1

    async def load() -> None:
        warm = time.monotonic() + 3
        await asyncio.gather(*(officer(warm) for _ in range(16)))
        done.clear()
        failed[0] = 0
        started = time.monotonic()
        await asyncio.gather(*(officer(started + float(seconds)) for _ in range(16)))

    try:
        asyncio.run(load())
    finally:
        core.close()
    span = float(seconds)
    return {"per_second": len(done) / span, "failed": failed[0], "load": os.getloadavg()[0]}


def main(argv: list[str]) -> None:
    task = {"build": build, "turns": turns, "export": export, "replies": replies}[argv[0]]
    import logging

    logging.disable(logging.WARNING)
    print(json.dumps(task(*argv[1:])))


if __name__ == "__main__":
    main(sys.argv[1:])
