"""The servers the load runs against: the real aiohttp server in this process (the core in a
thread pool, as tests run it), or a real `engagebot serve slack` process (the core in worker
processes, as councils run it), each talking to a fake Slack on 127.0.0.1."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from handlers.chat.context import AppContext
from tests.fakes.slack_api import FakeSlack
from tests.slack_harness import SECRET, SlackBot, slack_bot

ROOT = Path(__file__).resolve().parents[2]
# A Saturday: `engagebot serve` sweeps reminders as it starts, and none go out at weekends, so
# every message the fake Slack gets is an answer to one the test sent.
SATURDAY = "2026-11-28T10:00:00+00:00"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _env(**values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "TEAMS_"))}
    path = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    return {**env, "PYTHONPATH": path, **values}


@contextmanager
def engagebot_serve(ctx: AppContext, folder: Path) -> Iterator[SlackBot]:
    """`engagebot serve slack` in its own process, over the same database."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    with FakeSlack() as slack:
        env = _env(
            DATABASE_URL=ctx.engine.url.render_as_string(hide_password=False),
            ENGAGEBOT_NOW=SATURDAY,
            SLACK_BOT_TOKEN="xoxb-test",
            SLACK_SIGNING_SECRET=SECRET,
            SLACK_API_URL=slack.api_url,
        )
        command = [sys.executable, "-m", "bot", "serve", "slack", "--port", str(port)]
        log = (folder / "serve.log").open("wb")
        process = subprocess.Popen(command, env=env, cwd=folder, stderr=log, stdout=log)
        try:
            _wait_until_up(url, process)
            with httpx.Client(timeout=30) as http:
                channel: Any = None  # the channel lives in the other process
                yield SlackBot(url, slack, channel, http)
        finally:
            process.terminate()
            process.wait(timeout=30)
            log.close()


def _wait_until_up(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"engagebot serve exited with {process.returncode}")
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    raise AssertionError("engagebot serve did not start")


@contextmanager
def server(kind: str, ctx: AppContext, folder: Path) -> Iterator[SlackBot]:
    """`kind` is "in-process" or "engagebot serve"."""
    with engagebot_serve(ctx, folder) if kind == "engagebot serve" else slack_bot(ctx) as bot:
        yield bot
