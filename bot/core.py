"""How the edge reaches the synchronous conversation core without waiting on it.

Channels await a `Core`; two kinds exist:
- `CoreInProcesses` (what `engagebot serve` runs): the core lives in a few worker processes,
  so work never holds the interpreter lock the event loop needs. They run at normal priority:
  at a lower one, a worker starved on a busy host held SQLite's write lock while it waited
  for the CPU (2.6 replies a second against 6.1). Each conversation is always sent to the
  same worker, so its turns keep their order; a worker that dies or stops answering is
  replaced, and only the conversations pinned to it notice.
- `CoreInThreads` (tests, Socket Mode, the console's neighbours): the same calls in a bounded
  thread pool of this process.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
import re
import signal
import time
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from functools import partial
from multiprocessing import connection
from pathlib import Path
from typing import Any, Protocol, TypeVar

from bot.conversation import FAILED, Conversation
from bot.worker import call, name_of, start
from handlers.chat.messages import Form, Incoming, Outcome, Reply, Submitted
from handlers.chat.state import ConversationKey

log = logging.getLogger(__name__)
T = TypeVar("T")


class Core(Protocol):
    """The conversation core as the edge sees it: every call runs off the event loop."""

    async def handle(self, msg: Incoming) -> list[Reply]: ...

    async def respond(self, msg: Incoming) -> Outcome: ...

    async def welcome(self, msg: Incoming) -> list[Reply]: ...

    async def uninstalled(self, msg: Incoming) -> None: ...

    async def open_form(self, msg: Incoming, name: str, key: str) -> Form | list[Reply]: ...

    async def submit_form(
        self, msg: Incoming, name: str, key: str, values: dict[str, str], submission_id: str
    ) -> Submitted: ...

    async def hold(
        self,
        msg: Incoming,
        replies: list[Reply],
        problem: str,
        *,
        room: str,
        personal: bool,
        refused: bool = False,
    ) -> int: ...

    def close(self) -> None: ...


class CoreInThreads:
    """The core in this process, run in a bounded thread pool."""

    def __init__(self, conversation: Conversation, pool: Executor) -> None:
        self.conversation = conversation
        self.pool = pool

    async def handle(self, msg: Incoming) -> list[Reply]:
        return await self._run(self.conversation.handle, msg)

    async def respond(self, msg: Incoming) -> Outcome:
        return await self._run(self.conversation.respond, msg)

    async def welcome(self, msg: Incoming) -> list[Reply]:
        return await self._run(self.conversation.welcome, msg)

    async def uninstalled(self, msg: Incoming) -> None:
        await self._run(self.conversation.uninstalled, msg)

    async def open_form(self, msg: Incoming, name: str, key: str) -> Form | list[Reply]:
        return await self._run(self.conversation.open_form, msg, name, key)

    async def submit_form(
        self, msg: Incoming, name: str, key: str, values: dict[str, str], submission_id: str
    ) -> Submitted:
        return await self._run(self.conversation.submit_form, msg, name, key, values, submission_id)

    async def hold(
        self,
        msg: Incoming,
        replies: list[Reply],
        problem: str,
        *,
        room: str,
        personal: bool,
        refused: bool = False,
    ) -> int:
        hold = partial(self.conversation.hold, room=room, personal=personal, refused=refused)
        return await self._run(hold, msg, replies, problem)

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)

    async def _run(self, work: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self.pool, partial(work, *args))


# A worker that has had work waiting this long without finishing any is taken for hung (stopped
# by a signal, a debugger, a kernel bug): it is killed and replaced, and those waiting on it
# are told nothing was saved. A turn that legitimately takes this long is a bug of its own.
STALL_SECONDS = 60.0
_CHECK_SECONDS = 1.0  # how often a waiting call looks at its worker's progress
BOOT_SECONDS = 120.0  # a worker starting (importing the core, opening its database) may take


def resident_mb(pid: int) -> float | None:
    """A process's resident memory in MB (Linux), or None where it cannot be read."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    found = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
    return int(found.group(1)) / 1024 if found else None


@dataclass
class _Worker:
    """One worker process (a pool of one, so each conversation keeps its order), with what is
    waiting on it and when it last finished something (or was started, while it boots)."""

    pool: ProcessPoolExecutor
    waiting: int = 0
    progress: float = field(default_factory=time.monotonic)
    booted: bool = False

    def __post_init__(self) -> None:
        # Started now, not at its first message; until it answers this it is booting, and
        # the stall rule gives it BOOT_SECONDS rather than taking a slow start for a hang.
        self.started = self.pool.submit(os.getpid)
        self.started.add_done_callback(self._booted)

    def _booted(self, _future: object) -> None:
        self.progress, self.booted = time.monotonic(), True

    def stalled(self, seconds: float) -> bool:
        allowed = seconds if self.booted else BOOT_SECONDS
        return time.monotonic() - self.progress > allowed

    def pids(self) -> list[int]:
        return list(self.pool._processes or {})  # the executor's own record of its process

    def alive(self) -> bool:
        """False once its process has ended, even before the pool has noticed: its sentinel
        (what the pool itself waits on) is ready then."""
        processes = list((self.pool._processes or {}).values())
        ended = connection.wait([p.sentinel for p in processes], timeout=0)
        return not self.pool._broken and not ended

    def kill(self) -> None:
        for pid in self.pids():
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)


class CoreInProcesses:
    """The core in `workers` worker processes, each building its own from `factory(*args)`.

    `factory` must be importable by name (a module-level function): the workers are started
    fresh ("spawn"), not forked from a process that already runs threads and an event loop.
    A worker that stops answering (`stall_seconds` with work waiting and none finished) is
    killed and replaced; one found dead before a message reaches it is replaced, and the
    message run by its successor.
    """

    def __init__(
        self,
        factory: Callable[..., Conversation],
        args: tuple[Any, ...] = (),
        workers: int = 2,
        *,
        stall_seconds: float = STALL_SECONDS,
    ) -> None:
        self._start = partial(self._pool, os.getpid(), name_of(factory), args)
        self._workers = [_Worker(self._start()) for _ in range(workers)]
        self.stall_seconds = stall_seconds

    @staticmethod
    def _pool(parent: int, factory: str, args: tuple[Any, ...]) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=1,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=start,
            initargs=(parent, factory, args),
        )

    def warm_up(self) -> None:
        """Wait until every worker has started (all at once, since they were made), so the
        first message does not wait for one to boot: each takes seconds to import the core."""
        for worker in list(self._workers):
            worker.started.result(timeout=BOOT_SECONDS)

    def memory(self) -> list[tuple[int, float | None]]:
        """Each worker's pid and resident memory in MB, for the start-up line and operators."""
        return [(pid, resident_mb(pid)) for worker in self._workers for pid in worker.pids()]

    def worker_of(self, key: ConversationKey) -> int:
        """Which worker a conversation is pinned to (its turns keep their order there)."""
        return hash(key) % len(self._workers)

    async def handle(self, msg: Incoming) -> list[Reply]:
        try:
            result: list[Reply] = await self._run(msg, "handle", msg)
        except BrokenProcessPool:
            return [Reply(FAILED, private=True)]
        return result

    async def respond(self, msg: Incoming) -> Outcome:
        try:
            result: Outcome = await self._run(msg, "respond", msg)
        except BrokenProcessPool:
            return Outcome((Reply(FAILED, private=True),))
        return result

    async def welcome(self, msg: Incoming) -> list[Reply]:
        try:
            result: list[Reply] = await self._run(msg, "welcome", msg)
        except BrokenProcessPool:
            return []
        return result

    async def uninstalled(self, msg: Incoming) -> None:
        with contextlib.suppress(BrokenProcessPool):
            await self._run(msg, "uninstalled", msg)

    async def open_form(self, msg: Incoming, name: str, key: str) -> Form | list[Reply]:
        try:
            result: Form | list[Reply] = await self._run(msg, "open_form", msg, name, key)
        except BrokenProcessPool:
            return [Reply(FAILED, private=True)]
        return result

    async def submit_form(
        self, msg: Incoming, name: str, key: str, values: dict[str, str], submission_id: str
    ) -> Submitted:
        try:
            result: Submitted = await self._run(
                msg, "submit_form", msg, name, key, values, submission_id
            )
        except BrokenProcessPool:
            return Submitted({next(iter(values), "form"): FAILED})
        return result

    async def hold(
        self,
        msg: Incoming,
        replies: list[Reply],
        problem: str,
        *,
        room: str,
        personal: bool,
        refused: bool = False,
    ) -> int:
        try:
            held: int = await self._run(msg, "hold", msg, replies, problem, room, personal, refused)
        except BrokenProcessPool:
            log.error("%d undelivered message(s) for %s could not be kept", len(replies), msg.user)
            return 0
        return held

    def close(self) -> None:
        for worker in self._workers:
            worker.pool.shutdown(wait=True, cancel_futures=True)

    async def _run(self, msg: Incoming, method: str, *args: Any) -> Any:
        index = self.worker_of(msg.key)
        worker = self._submit_to(index)
        try:
            future = worker.pool.submit(call, method, *args)
        except BrokenProcessPool:
            # Died between the check and the submission: this message never reached it.
            worker = self._replace(index, worker, "died while idle")
            future = worker.pool.submit(call, method, *args)
        if worker.waiting == 0 and worker.booted:
            worker.progress = time.monotonic()
        worker.waiting += 1
        try:
            return await self._wait(index, worker, asyncio.wrap_future(future))
        except BrokenProcessPool:
            # The worker died with this message in hand (its transaction rolled back): tell
            # this user nothing was saved; the next message goes to a new worker.
            self._replace(index, worker, "died during a turn")
            raise
        finally:
            worker.waiting -= 1
            if worker.booted:
                worker.progress = time.monotonic()

    def _submit_to(self, index: int) -> _Worker:
        """The conversation's worker, replaced first if it has died since its last message."""
        worker = self._workers[index]
        if not worker.alive():
            worker = self._replace(index, worker, "died while idle")
        return worker

    async def _wait(self, index: int, worker: _Worker, result: asyncio.Future[Any]) -> Any:
        """The worker's answer; a worker that makes no progress for `stall_seconds` is killed
        (then the answer is BrokenProcessPool), so nobody waits on it for ever."""
        while True:
            done, _ = await asyncio.wait({result}, timeout=_CHECK_SECONDS)
            if done:
                return result.result()
            if worker.stalled(self.stall_seconds):
                log.error(
                    "core worker %s (pid %s) finished nothing for %.0f s with work waiting: "
                    "killing it and starting another",
                    index,
                    ", ".join(map(str, worker.pids())) or "?",
                    self.stall_seconds,
                )
                worker.kill()
                worker.progress = time.monotonic()  # killed once, not every check

    def _replace(self, index: int, worker: _Worker, how: str) -> _Worker:
        """A new worker in place of `worker`, unless another call replaced it already."""
        if self._workers[index] is worker:
            log.warning("core worker %s %s; starting another", index, how)
            worker.pool.shutdown(wait=False, cancel_futures=True)
            self._workers[index] = _Worker(self._start())
        return self._workers[index]
