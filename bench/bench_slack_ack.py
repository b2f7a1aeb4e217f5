"""Slack acknowledgement latency: signed `/engage help` commands from 8 concurrent clients.

engagebot's server is measured next to a bare slack-bolt AsyncApp on aiohttp that only acks
(same adapter, same `process_before_response=True`), in the same run: each client alternates
between the two, so machine noise falls on both alike. Two scenarios: Slack healthy (the
`response_url` is a fake on 127.0.0.1), and Slack failing (the `response_url` is a closed
port on 127.0.0.1, so every reply is refused, retried once and given up).
Targets: engagebot's p99 within 1.5x the bare app's when healthy, within 2x while Slack fails.
Each server runs in its own process; everything is on loopback.
Run: python bench/bench_slack_ack.py
"""

from __future__ import annotations

import hashlib
import hmac
import multiprocessing
import os
import signal
import socket
import statistics
import sys
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

REQUESTS = 300  # per server, per scenario
WARM_UP = 24
CLIENTS = 8
SECRET = "bench-signing-secret"
LONDON = ZoneInfo("Europe/London")
BARE = "bare slack-bolt app (ack only)"
BOT = "engagebot"
TARGETS = {"Slack healthy": 1.5, "response_url refusing connections": 2.0}


def _quiet() -> None:
    import logging

    logging.basicConfig(level=logging.CRITICAL)


def _block_forever() -> None:
    threading.Event().wait()


def bench_conversation(db_path: str, api_url: str) -> object:
    """A core worker's conversation, as `engagebot serve` builds it, with the bench's clock."""
    _quiet()
    from bot.channels.slack import SlackDirectory, make_client
    from bot.conversation import Conversation
    from handlers.chat.clock import FixedClock
    from handlers.chat.context import AppContext
    from models.db import make_engine

    clock = FixedClock(datetime(2026, 11, 23, 10, tzinfo=LONDON))
    conversation = Conversation(AppContext(make_engine(f"sqlite:///{db_path}"), clock, LONDON))
    conversation.add_directory("slack", SlackDirectory(make_client("xoxb-bench", api_url)))
    return conversation


def serve_engagebot(api_url: str, db_path: str, ports: multiprocessing.Queue[int]) -> None:
    _quiet()
    from bot.app import settle_heap
    from bot.channels.slack import SlackChannel, make_async_client, make_client
    from bot.core import CoreInProcesses
    from bot.demo import load_demo
    from bot.server import start_in_thread
    from handlers.chat.clock import FixedClock
    from handlers.chat.context import AppContext
    from models.db import make_engine, upgrade

    engine = make_engine(f"sqlite:///{db_path}")
    upgrade(engine)
    ctx = AppContext(engine, FixedClock(datetime(2026, 11, 23, 10, tzinfo=LONDON)), LONDON)
    load_demo(ctx)
    core = CoreInProcesses(bench_conversation, (db_path, api_url), workers=2)  # type: ignore[arg-type]
    core.warm_up()
    signal.signal(signal.SIGTERM, lambda *_: (core.close(), os._exit(0)))  # workers go too
    channel = SlackChannel(
        core,
        make_client("xoxb-bench", api_url),
        SECRET,
        make_async_client("xoxb-bench", api_url),
    )
    settle_heap()
    ports.put(start_in_thread([channel]).port)
    _block_forever()


def serve_bare(api_url: str, ports: multiprocessing.Queue[int]) -> None:
    _quiet()
    from aiohttp import web
    from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
    from slack_bolt.async_app import AsyncAck, AsyncApp
    from slack_sdk.web.async_client import AsyncWebClient

    from bot.server import start_in_thread

    bolt = AsyncApp(
        client=AsyncWebClient(token="xoxb-bench", base_url=api_url),
        signing_secret=SECRET,
        process_before_response=True,
    )

    @bolt.command("/engage")
    async def only_ack(ack: AsyncAck) -> None:
        await ack()

    async def endpoint(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await bolt.async_dispatch(await to_bolt_request(request)))

    class Bare:
        name = "bare"

        def mount(self, app: web.Application) -> None:
            app.router.add_post("/slack/events", endpoint)

    ports.put(start_in_thread([Bare()]).port)
    _block_forever()


def signed(body: str) -> dict[str, str]:
    stamp = str(int(time.time()))
    digest = hmac.new(SECRET.encode(), f"v0:{stamp}:{body}".encode(), hashlib.sha256)
    return {
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": "v0=" + digest.hexdigest(),
        "Content-Type": "application/x-www-form-urlencoded",
    }


def body_of(i: int, response_url: str) -> str:
    return urlencode(
        {
            "team_id": "T0DEMO",
            "channel_id": "C0STEERING",
            "user_id": "U0DEMOSAM",
            "command": "/engage",
            "text": "help",
            "response_url": response_url,
            "trigger_id": f"bench.{i}",
        }
    )


def measure(ports: dict[str, int], response_url: str) -> dict[str, list[float]]:
    """CLIENTS threads, each with its own connection, alternating between the servers."""
    import httpx

    latencies: dict[str, list[float]] = {name: [] for name in ports}
    lock = threading.Lock()
    per_client = (WARM_UP + REQUESTS + CLIENTS - 1) // CLIENTS
    warm_up = WARM_UP // CLIENTS

    def client(number: int) -> None:
        names = list(ports)
        with httpx.Client(timeout=10) as http:
            for i in range(per_client):
                order = names if (i + number) % 2 == 0 else names[::-1]
                for name in order:
                    body = body_of(number * per_client + i, response_url)
                    url = f"http://127.0.0.1:{ports[name]}/slack/events"
                    started = time.perf_counter()
                    reply = http.post(url, content=body, headers=signed(body))
                    elapsed = (time.perf_counter() - started) * 1000
                    assert reply.status_code == 200, reply.text
                    if i >= warm_up:
                        with lock:
                            latencies[name].append(elapsed)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {name: values[:REQUESTS] for name, values in latencies.items()}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def start(target: object, args: tuple[object, ...]) -> tuple[multiprocessing.Process, int]:
    ports: multiprocessing.Queue[int] = multiprocessing.Queue()
    process = multiprocessing.Process(target=target, args=(*args, ports))
    process.start()
    return process, ports.get(timeout=60)


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on: connecting is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def main() -> None:
    from tests.fakes.slack_api import FakeSlack

    results: dict[str, dict[str, list[float]]] = {}
    with FakeSlack() as slack, tempfile.TemporaryDirectory() as tmp:
        bare, bare_port = start(serve_bare, (slack.api_url,))
        bot, bot_port = start(serve_engagebot, (slack.api_url, str(Path(tmp) / "bench.db")))
        try:
            ports = {BARE: bare_port, BOT: bot_port}
            results["Slack healthy"] = measure(ports, slack.response_url())
            refused = f"http://127.0.0.1:{closed_port()}/respond"
            results["response_url refusing connections"] = measure(ports, refused)
            answered = len(slack.of("respond"))
        finally:
            for process in (bare, bot):
                process.terminate()
                process.join()
    print(f"{REQUESTS} signed /engage help per server per scenario, {CLIENTS} concurrent clients")
    for scenario, latencies in results.items():
        print(f"\n{scenario}")
        for name, values in latencies.items():
            p50, p99 = statistics.median(values), percentile(values, 0.99)
            print(f"  {name:32s} p50 {p50:6.1f} ms   p99 {p99:6.1f} ms   ({len(values)} requests)")
        ratio = percentile(latencies[BOT], 0.99) / percentile(latencies[BARE], 0.99)
        target = TARGETS[scenario]
        verdict = "ok" if ratio <= target else "MISSED"
        print(f"  p99 ratio engagebot / bare = {ratio:.2f}   [target <= {target}] {verdict}")
    print(f"\n(replies delivered to the healthy response_url: {answered})")


if __name__ == "__main__":
    main()
