"""The core's worker processes fail: one is stopped (SIGSTOP: a debugger, a frozen VM, a
kernel bug) or killed (SIGKILL: the OOM killer) while officers write in, and the server itself
is killed while starting its workers.

Counted from the fake Slack's recordings and the processes left behind:
- failed: an officer pinned to a healthy worker not answered while the other was stopped (or
  killed), i.e. replies held up by another worker's trouble; an orphan process;
- lost: an officer never answered at all (a stopped or killed worker's officers get "nothing
  was saved, please try again" once it is replaced: an answer, not a loss).
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from functools import partial
from pathlib import Path

import httpx

from bot.channels.slack import SlackChannel, make_async_client, make_client
from bot.conversation import Conversation
from bot.core import CoreInProcesses
from bot.server import start_in_thread
from handlers.chat.clock import FixedClock
from handlers.chat.context import AppContext
from handlers.chat.state import ConversationKey
from models.db import make_engine, readiness
from tests.conftest import LONDON, NOW, SLACK_TEAM
from tests.fakes.slack_api import FakeSlack
from tests.reliability.officers import Officer, make_officers
from tests.reliability.profile import LONG, scale
from tests.reliability.servers import SATURDAY, _env, _free_port
from tests.reliability.tally import TALLY
from tests.slack_harness import SECRET, SlackBot

STALL = 3.0  # seconds a worker may finish nothing with work waiting before it is replaced
HEALTHY_WITHIN = STALL - 1  # healthy workers' officers are answered before that, or held up
ANSWERED_WITHIN = 60.0
STOPPED = "fault: a worker stopped (SIGSTOP) under load"
KILLED = "fault: a worker killed (SIGKILL) under load"
ORPHANS = "fault: server killed while starting (orphan workers)"


def worker_core(db_url: str) -> Conversation:
    """A worker's core over the test's database and clock (importable by name: spawned)."""
    return Conversation(AppContext(make_engine(db_url), FixedClock(NOW), LONDON))


@contextmanager
def served_by_workers(ctx: AppContext) -> Iterator[tuple[SlackBot, CoreInProcesses]]:
    """The real server in this process, its core in two worker processes, a fake Slack."""
    url = ctx.engine.url.render_as_string(hide_password=False)
    core = CoreInProcesses(worker_core, (url,), workers=2, stall_seconds=STALL)
    with FakeSlack() as slack:
        channel = SlackChannel(
            core,
            make_client("xoxb-test", slack.api_url),
            SECRET,
            make_async_client("xoxb-test", slack.api_url),
        )
        core.warm_up()
        running = start_in_thread([channel], ready=partial(readiness, ctx.engine))
        try:
            with httpx.Client(timeout=10) as http:
                yield SlackBot(running.url, slack, channel, http), core
        finally:
            for pid, _ in core.memory():  # a stopped worker must go on to be stopped for good
                _signal(pid, signal.SIGCONT)
            running.stop()
            core.close()


def lane(core: CoreInProcesses, officer: Officer) -> int:
    return core.worker_of(ConversationKey("slack", SLACK_TEAM, officer.place, officer.chat_id))


def test_a_stopped_or_killed_worker_holds_up_only_its_own_conversations(
    ctx: AppContext, tmp_path: Path
) -> None:
    """Officers pinned to the stopped worker write first (more of them than replies are sent
    at once), then those pinned to the healthy one: these are answered at once; the others
    are told nothing was saved once the stopped worker is replaced, and their next message is
    answered by its successor."""
    officers = make_officers(ctx, tmp_path, scale(16, 40), "slack")
    chooser = random.Random(None if LONG else 26)
    with served_by_workers(ctx) as (bot, core):
        for round_ in range(scale(1, 8)):
            fault = signal.SIGSTOP if round_ % 2 == 0 else signal.SIGKILL
            _round(bot, core, officers, fault, chooser)


def _round(
    bot: SlackBot,
    core: CoreInProcesses,
    officers: list[Officer],
    fault: signal.Signals,
    chooser: random.Random,
) -> None:
    victim = chooser.randrange(2)
    stuck = [o for o in officers if lane(core, o) == victim]
    healthy = [o for o in officers if lane(core, o) != victim]
    before = {o.place: len(bot.slack.posted_in(o.place)) for o in officers}
    [pid] = [p for i, (p, _) in enumerate(core.memory()) if i == victim]
    if LONG:  # anywhere in the burst, not only before it
        order = chooser.sample(officers, len(officers))
        at = chooser.randrange(len(order))
    else:
        order, at = stuck + healthy, 0
    started = time.monotonic()
    for i, officer in enumerate(order):
        if i == at:
            _signal(pid, fault)
        assert bot.dm(officer.chat_id, "my actions", event_id=_event()).status_code == 200
    answered = _wait(bot, healthy, before, started + HEALTHY_WITHIN)
    held_up = [o for o in healthy if o.place not in answered]
    everyone = _wait(bot, officers, before, started + ANSWERED_WITHIN)
    lost = [o for o in officers if o.place not in everyone]
    TALLY.record(
        STOPPED if fault == signal.SIGSTOP else KILLED,
        tried=len(officers),
        failed=len(held_up),
        lost=len(lost),
        note=f"a stopped worker is replaced after {STALL:.0f} s here (ENGAGEBOT_STALL_SECONDS)",
    )
    assert held_up == [], f"{len(held_up)} of {len(healthy)} healthy-worker officers held up"
    assert lost == []
    again = stuck[0]  # the replaced worker's successor answers
    count = len(bot.slack.posted_in(again.place))
    assert bot.dm(again.chat_id, "my actions", event_id=_event()).status_code == 200
    reply = _wait(bot, [again], {again.place: count}, time.monotonic() + ANSWERED_WITHIN)
    assert again.place in reply and "open action" in reply[again.place]


def _wait(
    bot: SlackBot, officers: list[Officer], before: dict[str, int], deadline: float
) -> dict[str, str]:
    """The officers answered by `deadline`, with the text of their first new reply."""
    answered: dict[str, str] = {}
    while True:
        for officer in officers:
            posts = bot.slack.posted_in(officer.place)[before[officer.place] :]
            if posts:
                answered[officer.place] = str(posts[0].params.get("text", ""))
        if len(answered) == len(officers) or time.monotonic() > deadline:
            return answered
        time.sleep(0.05)


def _event() -> str:
    return "Ev" + uuid.uuid4().hex[:12].upper()


def _signal(pid: int, which: signal.Signals) -> None:
    with suppress(ProcessLookupError):
        os.kill(pid, which)


# -- the server killed while it starts ------------------------------------------------------


def test_a_server_killed_while_starting_leaves_no_worker_behind(
    ctx: AppContext, tmp_path: Path
) -> None:
    """`engagebot serve slack` is SIGKILLed as soon as its first worker process exists (still
    importing the core), or later in its start-up: within seconds no process of it is left."""
    chooser = random.Random(None if LONG else 6)
    url = ctx.engine.url.render_as_string(hide_password=False)
    for _ in range(scale(1, 6)):
        extra = 0.0 if not LONG else chooser.uniform(0, 3)
        left = _kill_while_starting(url, tmp_path, extra)
        TALLY.record(ORPHANS, tried=1, failed=len(left), note="the server SIGKILLed mid-start")
        assert left == [], f"processes outlived the server: {left}"


def _kill_while_starting(db_url: str, folder: Path, extra: float) -> list[str]:
    """Start the server, kill it `extra` seconds after its first child appears; the command
    lines of its descendants still alive 10 s later."""
    with FakeSlack() as slack:
        env = _env(
            DATABASE_URL=db_url,
            ENGAGEBOT_NOW=SATURDAY,
            SLACK_BOT_TOKEN="xoxb-test",
            SLACK_SIGNING_SECRET=SECRET,
            SLACK_API_URL=slack.api_url,
            ENGAGEBOT_WORKERS="2",
        )
        command = [sys.executable, "-m", "bot", "serve", "slack", "--port", str(_free_port())]
        server = subprocess.Popen(
            command, env=env, cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        seen: set[int] = set()
        try:
            deadline = time.monotonic() + 60
            while not seen and time.monotonic() < deadline and server.poll() is None:
                seen |= _descendants(server.pid)
                time.sleep(0.01)
            stop_at = time.monotonic() + extra
            while time.monotonic() < stop_at:
                seen |= _descendants(server.pid)
                time.sleep(0.01)
        finally:
            server.kill()
            server.wait(timeout=10)
        assert seen, "the server started no worker"
        gone_by = time.monotonic() + 10
        while time.monotonic() < gone_by and _alive(seen):
            time.sleep(0.1)
        left = _alive(seen)
        for pid in left:
            _signal(pid, signal.SIGKILL)  # the test's own mess, not the next test's
        return [_command_line(pid) for pid in left]


def _descendants(root: int) -> set[int]:
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, todo = set(), [root]
    while todo:
        parent = todo.pop()
        children = [pid for pid, ppid in parents.items() if ppid == parent]
        found.update(children)
        todo.extend(children)
    return found


def _alive(pids: set[int]) -> list[int]:
    """Those of `pids` still running (a zombie waiting to be reaped has finished)."""
    alive = []
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            alive.append(pid)
    return alive


def _command_line(pid: int) -> str:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return str(pid)
    return f"{pid}: " + raw.replace(b"\0", b" ").decode(errors="replace")[:120]
