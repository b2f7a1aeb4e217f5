"""Time from a user's message to the bot's reply, measured where the reply lands (the connector),
not the acknowledgement: p50 and p99 at 1, 8 and 32 concurrent conversations, Slack and Teams,
under `engagebot serve` with 2 and 4 core workers.

`engagebot serve` runs as a subprocess (the real command, both channels on one port) against a
fake Slack Web API and a fake Bot Connector on 127.0.0.1 (tests/fakes/), over a database with
the Blackpool plan and one officer per conversation. Each conversation says "my actions" and
"help" in turn, each time waiting for its reply to reach the fake before saying the next, as a
person does; the latency is from just before the request is sent to the moment the fake
recorded the reply. Target on a 2-core machine: p99 under 1 s at 8 conversations.
Run: python bench/bench_reply_latency.py [--workers 2,4] [--conversations 1,8,32]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TURNS = {1: 30, 8: 12, 32: 6}  # turns per conversation, by how many run at once
WARM_UP = 2  # turns per conversation not counted (connections, caches)
NOW = "2026-11-23T07:30"  # before the reminder window: `serve`'s first sweep sends nothing
ROLE = "Community Engagement & Partnership Manager"
TEAM, TENANT = "T0COUNCIL", "72f988bf-86f1-41af-91ab-2d7cd011db47"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def make_database(path: Path, people: int) -> str:
    from handlers.chat.clock import SystemClock
    from handlers.chat.context import AppContext
    from handlers.importing.importer import import_file
    from handlers.plans.organisations import bind
    from handlers.plans.people import assign
    from models.db import make_engine, transaction, upgrade
    from models.scoping import ALL
    from tests.conftest import BLACKPOOL, LONDON

    url = f"sqlite:///{path}"
    engine = make_engine(url)
    upgrade(engine)
    with transaction(engine, ALL) as session:
        bind(session, "default", "slack", TEAM)
        bind(session, "default", "teams", TENANT)
    ctx = AppContext(engine=engine, clock=SystemClock(LONDON), tz=LONDON)
    import_file(ctx, BLACKPOOL)
    with transaction(engine) as session:
        for n in range(people):
            assign(
                session,
                ROLE,
                name=f"Officer {n}",
                email=f"officer{n}@example.org",
                chat={"slack": f"U0BENCH{n}", "teams": f"aad-bench-{n}"},
            )
    engine.dispose()
    return url


def start_server(
    url: str, slack_api: str, workers: int, port: int, log: Path
) -> subprocess.Popen[str]:
    from tests.slack_harness import SECRET

    env = {
        **os.environ,
        "DATABASE_URL": url,
        "ENGAGEBOT_NOW": NOW,
        "ENGAGEBOT_WORKERS": str(workers),
        "ENGAGEBOT_LOG_LEVEL": "WARNING",
        "SLACK_BOT_TOKEN": "xoxb-bench",
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": slack_api,
        "TEAMS_ANONYMOUS": "1",
        "PORT": str(port),
    }
    command = [sys.executable, "-m", "bot", "serve", "--port", str(port)]
    with log.open("w") as out:  # a file, never a pipe nobody reads: a full pipe stalls it
        server = subprocess.Popen(command, env=env, cwd=ROOT, stdout=out, stderr=out, text=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return server
        if server.poll() is not None:
            raise SystemExit(f"engagebot serve stopped: {log.read_text()[-2000:]}")
        time.sleep(0.2)
    raise SystemExit("engagebot serve did not start")


class Channel:
    """How one platform's message is sent and its reply recognised at the fake."""

    def __init__(self, name: str, server: str, fake: Any) -> None:
        self.name, self.server, self.fake = name, server, fake

    def send(self, http: Any, n: int, text: str) -> None:
        if self.name == "slack":
            from tests.slack_harness import payload, signed_headers

            body = payload(
                "message_im",
                user=f"U0BENCH{n}",
                text=text,
                channel=f"D0BENCH{n}",
                ts=f"{time.time():.6f}",
                event_id=f"Ev{uuid.uuid4().hex[:12]}",
            )
            raw = json.dumps(body)
            headers = {**signed_headers(raw), "Content-Type": "application/json"}
            response = http.post(f"{self.server}/slack/events", content=raw, headers=headers)
        else:
            from tests.teams_harness import activity

            body = activity(
                "personal_message",
                id=uuid.uuid4().hex[:16],
                service_url=self.fake.service_url,
                tenant=TENANT,
                user=f"aad-bench-{n}",
                name=f"Officer {n}",
                text=text,
            )
            response = http.post(f"{self.server}/api/messages", json=body)
        assert response.status_code in (200, 202), response.text

    def replies(self, n: int) -> list[float]:
        """When each reply to conversation `n` reached the fake (monotonic seconds)."""
        if self.name == "slack":
            calls = self.fake.of("chat.postMessage")
            return [c.at for c in calls if c.params.get("channel") == f"D0BENCH{n}"]
        calls = self.fake.of("send")
        return [c.at for c in calls if c.conversation == f"a:personal-aad-bench-{n}"]


def run(channel: Channel, conversations: int) -> list[float]:
    import httpx

    turns = TURNS.get(conversations, 6)
    took: list[float] = []
    lock = threading.Lock()

    def conversation(n: int) -> None:
        with httpx.Client(timeout=30) as http:
            for turn in range(turns + WARM_UP):
                seen = len(channel.replies(n))
                started = time.monotonic()
                channel.send(http, n, "my actions" if turn % 2 == 0 else "help")
                deadline = started + 60
                while len(channel.replies(n)) <= seen:
                    if time.monotonic() > deadline:
                        raise SystemExit(f"{channel.name}: no reply in 60 s")
                    time.sleep(0.002)
                arrived = channel.replies(n)[seen]
                if turn >= WARM_UP:
                    with lock:
                        took.append(arrived - started)

    threads = [threading.Thread(target=conversation, args=(n,)) for n in range(conversations)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return took


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--workers", default="2,4")
    parser.add_argument("--conversations", default="1,8,32")
    parser.add_argument("--channels", default="slack,teams")
    args = parser.parse_args()
    counts = [int(c) for c in args.conversations.split(",")]
    from tests.fakes.slack_api import FakeSlack
    from tests.fakes.teams_connector import FakeConnector

    print(f"{'channel':8} {'workers':>7} {'convs':>5} {'turns':>5} {'p50 ms':>8} {'p99 ms':>8}")
    with tempfile.TemporaryDirectory() as folder:
        template = make_database(Path(folder) / "template.db", max(counts))
        for workers in (int(w) for w in args.workers.split(",")):
            for name in args.channels.split(","):
                db = Path(folder) / f"{name}-{workers}.db"
                db.write_bytes(Path(template.removeprefix("sqlite:///")).read_bytes())
                with FakeSlack() as slack, FakeConnector() as teams:
                    port = _free_port()
                    log = Path(folder) / f"{name}-{workers}.log"
                    server = start_server(f"sqlite:///{db}", slack.api_url, workers, port, log)
                    try:
                        fake = slack if name == "slack" else teams
                        channel = Channel(name, f"http://127.0.0.1:{port}", fake)
                        for count in counts:
                            took = run(channel, count)
                            print(
                                f"{name:8} {workers:>7} {count:>5} {len(took):>5} "
                                f"{pct(took, 0.5):>8.0f} {pct(took, 0.99):>8.0f}",
                                flush=True,
                            )
                    finally:
                        server.terminate()
                        server.wait(timeout=30)


if __name__ == "__main__":
    main()
