"""How the edge reaches the synchronous conversation core without waiting on it.

Channels await a `Core`; two kinds exist:
- `CoreInProcesses` (what `engagebot serve` runs): the core lives in a few worker processes
  started at a lower CPU priority (nice 10), so work never holds the interpreter lock the event
  loop needs and the operating system always lets an acknowledgement go first. Each
  conversation is always sent to the same worker, so its turns keep their order.
- `CoreInThreads` (tests, Socket Mode, the console's neighbours): the same calls in a bounded
  thread pool of this process.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import partial
from typing import Any, Protocol, TypeVar

from bot.conversation import FAILED, Conversation
from handlers.chat.messages import Form, Incoming, Outcome, Reply, Submitted

log = logging.getLogger(__name__)
T = TypeVar("T")

WORKER_NICENESS = 10  # work yields the CPU to acknowledgements


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


# A worker process's own core, built by the factory it was started with.
_worker_conversation: Conversation | None = None


def _start_worker(factory: Callable[..., Conversation], args: tuple[Any, ...]) -> None:
    global _worker_conversation
    os.nice(WORKER_NICENESS)
    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True).start()
    _worker_conversation = factory(*args)


def _exit_with_parent(parent: int) -> None:
    """A worker whose server was killed (no clean shutdown) must not linger."""
    while os.getppid() == parent:
        time.sleep(1)
    os._exit(0)


def _call(method: str, *args: Any) -> Any:
    assert _worker_conversation is not None, "worker started without its core"
    return getattr(_worker_conversation, method)(*args)


class CoreInProcesses:
    """The core in `workers` worker processes, each building its own from `factory(*args)`.

    `factory` must be importable by name (a module-level function): the workers are started
    fresh ("spawn"), not forked from a process that already runs threads and an event loop.
    """

    def __init__(
        self, factory: Callable[..., Conversation], args: tuple[Any, ...] = (), workers: int = 2
    ) -> None:
        self._start = partial(self._pool, factory, args)
        self._pools = [self._start() for _ in range(workers)]

    @staticmethod
    def _pool(factory: Callable[..., Conversation], args: tuple[Any, ...]) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=1,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_worker,
            initargs=(factory, args),
        )

    def warm_up(self) -> None:
        """Start every worker now, so the first message does not wait for one to boot."""
        for pool in self._pools:
            pool.submit(os.getpid).result(timeout=120)

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
        for pool in self._pools:
            pool.shutdown(wait=True, cancel_futures=True)

    async def _run(self, msg: Incoming, method: str, *args: Any) -> Any:
        index = hash(msg.key) % len(self._pools)
        try:
            return await asyncio.get_running_loop().run_in_executor(
                self._pools[index], _call, method, *args
            )
        except BrokenProcessPool:
            # The worker died mid-turn (its transaction rolled back): start a new one for the
            # next message, and tell this user nothing was saved.
            log.exception("core worker %s died; starting another", index)
            self._pools[index] = self._start()
            raise
