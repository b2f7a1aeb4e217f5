"""Slack acknowledgement latency: 500 signed `/engage` requests to the running server.

Measured next to a bare slack-bolt app that only acks, on the same stack (slack-bolt's WSGI
adapter behind waitress), in the same run. Each server runs in its own process; the Web API
is a fake on 127.0.0.1. Targets: p99 under 50 ms, and within 1.5x of the bare app.
Run: python bench/bench_slack_ack.py
"""

from __future__ import annotations

import hashlib
import hmac
import multiprocessing
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

REQUESTS = 500
WARM_UP = 20
SECRET = "bench-signing-secret"
LONDON = ZoneInfo("Europe/London")
TEXTS = ("mine", "help", "overdue", "plans")


def serve_engagebot(api_url: str, db_path: str, ports: multiprocessing.Queue[int]) -> None:
    from bot.app import settle_heap, slack_wsgi
    from bot.channels.slack import SlackChannel, make_client
    from bot.conversation import Conversation
    from bot.demo import load_demo
    from bot.server import make_server
    from handlers.chat.clock import FixedClock
    from handlers.chat.context import AppContext
    from models.db import make_engine, upgrade

    engine = make_engine(f"sqlite:///{db_path}")
    upgrade(engine)
    ctx = AppContext(engine, FixedClock(datetime(2026, 11, 23, 10, tzinfo=LONDON)), LONDON)
    load_demo(ctx)
    channel = SlackChannel(Conversation(ctx), make_client("xoxb-bench", api_url), SECRET)
    server = make_server(slack_wsgi(channel), host="127.0.0.1", port=0)
    settle_heap()
    ports.put(server.effective_port)  # type: ignore[union-attr]
    server.run()


def serve_bare(api_url: str, ports: multiprocessing.Queue[int]) -> None:
    from slack_bolt import Ack, App
    from slack_bolt.adapter.wsgi import SlackRequestHandler
    from slack_sdk import WebClient

    from bot.server import make_server, router

    app = App(client=WebClient(token="xoxb-bench", base_url=api_url), signing_secret=SECRET)

    @app.command("/engage")
    def only_ack(ack: Ack) -> None:
        ack()

    server = make_server(router({"/slack/events": SlackRequestHandler(app)}), "127.0.0.1", 0)
    ports.put(server.effective_port)  # type: ignore[union-attr]
    server.run()


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
            "text": TEXTS[i % len(TEXTS)],
            "response_url": response_url,
            "trigger_id": f"bench.{i}",
        }
    )


def measure(ports: dict[str, int], response_url: str) -> dict[str, list[float]]:
    """Requests go to the servers in turn, so machine noise falls on both alike."""
    import httpx

    latencies: dict[str, list[float]] = {name: [] for name in ports}
    with httpx.Client(timeout=10) as http:
        for i in range(WARM_UP + REQUESTS):
            for name, port in ports.items():
                body = body_of(i, response_url)
                url = f"http://127.0.0.1:{port}/slack/events"
                started = time.perf_counter()
                reply = http.post(url, content=body, headers=signed(body))
                elapsed = time.perf_counter() - started
                assert reply.status_code == 200, reply.text
                if i >= WARM_UP:
                    latencies[name].append(elapsed * 1000)
            time.sleep(0.004)  # a steady stream, not a flood: Slack sends one command at a time
    return latencies


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def start(target: object, args: tuple[object, ...]) -> tuple[multiprocessing.Process, int]:
    ports: multiprocessing.Queue[int] = multiprocessing.Queue()
    process = multiprocessing.Process(target=target, args=(*args, ports), daemon=True)
    process.start()
    return process, ports.get(timeout=60)


def main() -> None:
    from tests.fakes.slack_api import FakeSlack

    with FakeSlack() as slack, tempfile.TemporaryDirectory() as tmp:
        bare, bare_port = start(serve_bare, (slack.api_url,))
        bot, bot_port = start(serve_engagebot, (slack.api_url, str(Path(tmp) / "bench.db")))
        try:
            ports = {"bare slack-bolt app (ack only)": bare_port, "engagebot": bot_port}
            results = measure(ports, slack.response_url())
        finally:
            for process in (bare, bot):
                process.terminate()
                process.join()
    for name, values in results.items():
        p50, p99 = statistics.median(values), percentile(values, 0.99)
        print(f"{name:32s} p50 {p50:6.1f} ms   p99 {p99:6.1f} ms   ({len(values)} requests)")
    bot_p99 = percentile(results["engagebot"], 0.99)
    ratio = bot_p99 / percentile(results["bare slack-bolt app (ack only)"], 0.99)
    print(f"engagebot p99 / bare p99 = {ratio:.2f}   [targets: p99 < 50 ms, ratio < 1.5]")


if __name__ == "__main__":
    main()
