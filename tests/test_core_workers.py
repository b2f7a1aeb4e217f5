"""The conversation core in worker processes, as `engagebot serve` runs it."""

from __future__ import annotations

import asyncio
import os
import signal
import time

from bot.conversation import Conversation
from bot.core import CoreInProcesses
from handlers.chat.clock import FixedClock
from handlers.chat.context import AppContext
from handlers.chat.messages import Incoming
from models.db import make_engine
from tests.conftest import LONDON, NOW, SAM


class FragileConversation(Conversation):
    """A core whose worker dies when told to, as a process killed mid-turn would."""

    def handle(self, msg: Incoming) -> list:  # type: ignore[type-arg]
        if msg.text == "crash the worker":
            os._exit(1)
        return super().handle(msg)


def fragile(db_url: str) -> Conversation:
    return FragileConversation(AppContext(make_engine(db_url), FixedClock(NOW), LONDON))


def _ended(pid: int) -> bool:
    """Whether the child has wholly ended, asked without reaping it (the pool still will).
    Its /proc state shows Z as soon as its main thread is gone, while its other threads may
    still be finishing a write to disk: it is not dead until they are."""
    try:
        return os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None
    except ChildProcessError:  # reaped already
        return True


def said(text: str) -> Incoming:
    return Incoming("console", "local", f"console:{SAM}", SAM, text, email=SAM, place="console")


def test_a_worker_that_dies_is_replaced_and_the_officer_is_told(
    blackpool: AppContext, db_url: str
) -> None:
    core = CoreInProcesses(fragile, (db_url,), workers=1)
    try:
        core.warm_up()

        async def story() -> tuple[str, str, str]:
            before = await core.handle(said("my actions"))
            crashed = await core.handle(said("crash the worker"))
            after = await core.handle(said("my actions"))
            return before[0].text, crashed[0].text, after[0].text

        before, crashed, after = asyncio.run(story())
    finally:
        core.close()
    assert before.startswith("You have 7 open actions")
    assert "nothing was saved" in crashed
    assert after.startswith("You have 7 open actions")


def test_a_message_arriving_after_its_worker_died_idle_is_run_by_the_next_one(
    blackpool: AppContext, db_url: str
) -> None:
    """The worker is killed between messages (the OOM killer, say): the next message is not
    failed with "nothing was saved", it is answered by the worker started in its place."""
    core = CoreInProcesses(fragile, (db_url,), workers=1)
    try:
        core.warm_up()
        [(pid, _)] = core.memory()
        os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while not _ended(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        answer = asyncio.run(core.handle(said("my actions")))
    finally:
        core.close()
    assert answer[0].text.startswith("You have 7 open actions"), answer[0].text
