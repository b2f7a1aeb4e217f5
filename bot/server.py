"""The HTTP server: one aiohttp application on one port, each channel mounted on its own path.

One event loop takes every request, so idle or slow connections cost a coroutine each, never a
worker. The conversation core is synchronous: channels await it through a `bot.core.Core`
(worker processes in production) and acknowledge the platform without waiting for it. A
channel joins by adding its routes (and shutdown hooks) to the `web.Application` in its `mount`.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Protocol

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError
from aiohttp.typedefs import Handler

log = logging.getLogger(__name__)

MAX_BODY = 1024 * 1024  # Slack's payloads are a few kB; a bigger body is refused with 413
KEEPALIVE_SECONDS = 15.0  # an idle keep-alive connection is closed after this
BACKLOG = 1024  # connections waiting to be accepted (the kernel may cap it lower)
SHUTDOWN_SECONDS = 10.0  # how long work in flight may take to finish when stopping
BODY_SECONDS = 10.0  # a request body must arrive within this: a trickling client is cut off
READY_SECONDS = 3.0  # /readyz answers 503 if the database has not answered by then

# What /readyz asks: None when ready, else why not (e.g. "database unreachable: …").
Readiness = Callable[[], str | None]


class Channel(Protocol):
    """A chat platform's endpoint, as the server sees it."""

    name: str

    def mount(self, app: web.Application) -> None:
        """Add this channel's routes (and on_shutdown hooks) to `app`."""
        ...


async def healthz(request: web.Request) -> web.Response:
    """For load balancers: the process is up and its event loop answers."""
    return web.Response(text="ok")


class ReadyCheck:
    """GET /readyz, for load balancers: 200 when the database answers and its schema is
    current, else 503 with the reason. The check runs off the event loop, and at most one runs
    at a time: probes arriving meanwhile share its answer rather than pile up threads."""

    def __init__(self, ready: Readiness) -> None:
        self.ready = ready
        self.running: asyncio.Future[str | None] | None = None

    async def handle(self, request: web.Request) -> web.Response:
        if self.running is None or self.running.done():
            self.running = asyncio.ensure_future(asyncio.to_thread(self.ready))
        try:
            problem = await asyncio.wait_for(asyncio.shield(self.running), READY_SECONDS)
        except TimeoutError:
            problem = f"the database did not answer within {READY_SECONDS:.0f} s"
        except Exception:
            log.exception("the readiness check failed")
            problem = "the readiness check failed (see the log)"
        if problem:
            log.warning("not ready: %s", problem)
            return web.Response(status=503, text=f"not ready: {problem}")
        return web.Response(text="ready")


def _always_ready() -> str | None:
    return None


@web.middleware
async def body_in_time(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Read the whole body before any handler, giving up after BODY_SECONDS: a client sending
    a byte at a time would otherwise hold its connection (and a coroutine) for ever."""
    if request.can_read_body:
        try:
            await asyncio.wait_for(request.read(), BODY_SECONDS)
        except TimeoutError:
            log.info("request body not received within %.0f s; connection closed", BODY_SECONDS)
            raise web.HTTPRequestTimeout(
                text="request body too slow", headers={"Connection": "close"}
            ) from None
    return await handler(request)


class ServerLog(logging.LoggerAdapter):  # type: ignore[type-arg]
    """aiohttp's server log, where a request that is not even valid HTTP (a header too long,
    a broken request line) is one INFO line: anyone can send one, so it must not put a
    traceback at ERROR in the log. A handler's own exception keeps its traceback: a bug."""

    def exception(self, msg: object, *args: object, exc_info: Any = True, **kwargs: Any) -> None:
        error = exc_info if isinstance(exc_info, BaseException) else sys.exc_info()[1]
        if isinstance(error, HttpProcessingError):
            remote = args[0] if args else "?"
            log.info("refused a malformed HTTP request from %s: %s", remote, error.message)
            return
        self.logger.exception(msg, *args, exc_info=exc_info, **kwargs)


def make_app(channels: Sequence[Channel], ready: Readiness = _always_ready) -> web.Application:
    """The one application: /healthz, /readyz, and every channel's routes."""
    app = web.Application(
        client_max_size=MAX_BODY,
        middlewares=[body_in_time],
        handler_args={"logger": ServerLog(logging.getLogger("aiohttp.server"))},
    )
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", ReadyCheck(ready).handle)
    for channel in channels:
        channel.mount(app)
    return app


def make_pool(workers: int) -> ThreadPoolExecutor:
    """A bounded thread pool for the synchronous core (`bot.core.CoreInThreads`)."""
    return ThreadPoolExecutor(max_workers=workers, thread_name_prefix="engagebot-core")


def make_runner(app: web.Application) -> web.AppRunner:
    return web.AppRunner(
        app, keepalive_timeout=KEEPALIVE_SECONDS, shutdown_timeout=SHUTDOWN_SECONDS
    )


def serve(
    channels: Sequence[Channel],
    *,
    host: str = "0.0.0.0",
    port: int = 3000,
    ready: Readiness = _always_ready,
) -> None:
    """Serve every channel on one port until interrupted (Ctrl-C or SIGTERM)."""
    web.run_app(
        make_app(channels, ready),
        host=host,
        port=port,
        backlog=BACKLOG,
        keepalive_timeout=KEEPALIVE_SECONDS,
        shutdown_timeout=SHUTDOWN_SECONDS,
        print=None,
        access_log=None,
    )


@dataclass
class Running:
    """A server running on its own event loop in a background thread (tests, benchmarks)."""

    url: str
    port: int
    loop: asyncio.AbstractEventLoop
    runner: web.AppRunner
    thread: threading.Thread

    def stop(self) -> None:
        future = asyncio.run_coroutine_threadsafe(self.runner.cleanup(), self.loop)
        future.result(timeout=SHUTDOWN_SECONDS + 5)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)


def start_in_thread(
    channels: Sequence[Channel],
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    ready: Readiness = _always_ready,
) -> Running:
    """Start the server in a daemon thread with its own loop; `.stop()` ends it."""
    loop = asyncio.new_event_loop()
    runner = make_runner(make_app(channels, ready))

    async def start() -> int:
        await runner.setup()
        site = web.TCPSite(runner, host, port, backlog=BACKLOG)
        await site.start()
        return int(runner.addresses[0][1])

    thread = threading.Thread(target=loop.run_forever, name="engagebot-server", daemon=True)
    thread.start()
    bound = asyncio.run_coroutine_threadsafe(start(), loop).result(timeout=30)
    return Running(f"http://{host}:{bound}", bound, loop, runner, thread)
