"""The HTTP server: one aiohttp application on one port, each channel mounted on its own path.

One event loop takes every request, so idle or slow connections cost a coroutine each, never a
worker. The conversation core is synchronous: channels run it in the server's bounded thread
pool (`Server.pool`) and acknowledge the platform without waiting for it. A channel joins by
adding its routes (and shutdown hooks) to the `web.Application` in its `mount`.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Sequence
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Protocol

from aiohttp import web

log = logging.getLogger(__name__)

MAX_BODY = 1024 * 1024  # Slack's payloads are a few kB; a bigger body is refused with 413
KEEPALIVE_SECONDS = 15.0  # an idle keep-alive connection is closed after this
BACKLOG = 1024  # connections waiting to be accepted (the kernel may cap it lower)
SHUTDOWN_SECONDS = 10.0  # how long work in flight may take to finish when stopping


class Channel(Protocol):
    """A chat platform's endpoint, as the server sees it."""

    name: str

    def mount(self, app: web.Application, pool: Executor) -> None:
        """Add this channel's routes (and on_shutdown hooks) to `app`; run the core in `pool`."""
        ...


async def healthz(request: web.Request) -> web.Response:
    """For load balancers: the process is up and its event loop answers."""
    return web.Response(text="ok")


def make_app(channels: Sequence[Channel], pool: Executor) -> web.Application:
    """The one application: /healthz, and every channel's routes."""
    app = web.Application(client_max_size=MAX_BODY)
    app.router.add_get("/healthz", healthz)
    for channel in channels:
        channel.mount(app, pool)
    return app


def make_pool(workers: int) -> ThreadPoolExecutor:
    """The bounded pool the synchronous core runs in; database work happens on these threads."""
    return ThreadPoolExecutor(max_workers=workers, thread_name_prefix="engagebot-core")


def make_runner(app: web.Application) -> web.AppRunner:
    return web.AppRunner(
        app, keepalive_timeout=KEEPALIVE_SECONDS, shutdown_timeout=SHUTDOWN_SECONDS
    )


def serve(
    channels: Sequence[Channel], *, host: str = "0.0.0.0", port: int = 3000, workers: int = 8
) -> None:
    """Serve every channel on one port until interrupted (Ctrl-C or SIGTERM)."""
    pool = make_pool(workers)
    try:
        web.run_app(
            make_app(channels, pool),
            host=host,
            port=port,
            backlog=BACKLOG,
            keepalive_timeout=KEEPALIVE_SECONDS,
            shutdown_timeout=SHUTDOWN_SECONDS,
            print=None,
            access_log=None,
        )
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


@dataclass
class Running:
    """A server running on its own event loop in a background thread (tests, benchmarks)."""

    url: str
    port: int
    pool: ThreadPoolExecutor
    loop: asyncio.AbstractEventLoop
    runner: web.AppRunner
    thread: threading.Thread

    def stop(self) -> None:
        future = asyncio.run_coroutine_threadsafe(self.runner.cleanup(), self.loop)
        future.result(timeout=SHUTDOWN_SECONDS + 5)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.pool.shutdown(wait=True, cancel_futures=True)


def start_in_thread(
    channels: Sequence[Channel], *, host: str = "127.0.0.1", port: int = 0, workers: int = 8
) -> Running:
    """Start the server in a daemon thread with its own loop; `.stop()` ends it."""
    pool = make_pool(workers)
    loop = asyncio.new_event_loop()
    runner = make_runner(make_app(channels, pool))

    async def start() -> int:
        await runner.setup()
        site = web.TCPSite(runner, host, port, backlog=BACKLOG)
        await site.start()
        return int(runner.addresses[0][1])

    thread = threading.Thread(target=loop.run_forever, name="engagebot-server", daemon=True)
    thread.start()
    bound = asyncio.run_coroutine_threadsafe(start(), loop).result(timeout=30)
    return Running(f"http://{host}:{bound}", bound, pool, loop, runner, thread)
