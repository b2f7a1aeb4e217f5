"""Teams: /api/messages response latency next to a bare Agents SDK echo bot; proactive delivery.

1. Latency: `help` activities POSTed by 1 and then 8 concurrent clients, each client alternating
   between engagebot's server and a bare Agents SDK echo bot (CloudAdapter, an agent whose turn
   sends the text back), in the same run, so machine noise falls on both alike. Both run
   anonymous, each in its own process, replying to one fake Bot Connector on 127.0.0.1.
2. Proactive delivery: 500 officers with a stored chat address, one queued reminder each,
   delivered by `TeamsSender` against the fake connector throttled as Teams throttles a bot
   (50 sends a second per app; 429 with Retry-After: 1 beyond that).
Run: python bench/bench_teams.py
"""

from __future__ import annotations

import multiprocessing
import os
import socket
import statistics
import sys
import tempfile
import threading
import time
import uuid
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

REQUESTS = 300  # per server, per client count
WARM_UP = 20
LONDON = ZoneInfo("Europe/London")
OFFICERS = 500
SENDS_PER_SECOND = 50


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _quiet() -> None:
    import logging

    logging.basicConfig(level=logging.CRITICAL)
    logging.getLogger().setLevel(logging.CRITICAL)


def bench_conversation(db_path: str) -> object:
    """A core worker's conversation, as `engagebot serve` builds it, with the bench's clock."""
    _quiet()
    from bot.conversation import Conversation
    from handlers.chat.clock import FixedClock
    from handlers.chat.context import AppContext
    from models.db import make_engine

    return Conversation(
        AppContext(
            engine=make_engine(f"sqlite:///{db_path}"),
            clock=FixedClock(datetime(2026, 11, 23, 10, tzinfo=LONDON)),
            tz=LONDON,
        )
    )


def serve_engagebot(db_path: str, port: int) -> None:
    """As `engagebot serve` runs it: the core in two worker processes."""
    _quiet()
    from bot.channels.teams import TeamsAuth, TeamsChannel
    from bot.core import CoreInProcesses
    from bot.server import serve

    core = CoreInProcesses(bench_conversation, (db_path,), workers=2)  # type: ignore[arg-type]
    core.warm_up()
    try:
        serve([TeamsChannel(core, TeamsAuth(anonymous=True))], host="127.0.0.1", port=port)
    finally:
        core.close()


def serve_echo(port: int) -> None:
    """The SDK's echo bot: the reply is sent inside the turn, before the 202."""
    _quiet()
    from aiohttp import web
    from microsoft_agents.authentication.msal import MsalConnectionManager
    from microsoft_agents.hosting.aiohttp import CloudAdapter, jwt_authorization_middleware
    from microsoft_agents.hosting.core import AgentAuthConfiguration, TurnContext

    config = AgentAuthConfiguration(anonymous_allowed=True)
    adapter = CloudAdapter(
        connection_manager=MsalConnectionManager(
            connections_configurations={"SERVICE_CONNECTION": config}
        )
    )

    class Echo:
        async def on_turn(self, context: TurnContext) -> None:
            if context.activity.type == "message":
                await context.send_activity(f"You said: {context.activity.text}")

    echo = Echo()

    async def messages(request: web.Request) -> web.StreamResponse:
        response = await adapter.process(request, echo)
        return response or web.Response(status=202)

    app = web.Application(middlewares=[jwt_authorization_middleware])
    app["agent_configuration"] = config
    app.router.add_post("/api/messages", messages)
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)


def _wait_up(url: str) -> None:
    import httpx

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.post(f"{url}/api/messages", json={}, timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.2)
    raise SystemExit(f"{url} did not start")


def latency(urls: dict[str, str], service_url: str, clients: int) -> dict[str, list[float]]:
    import httpx

    from tests.teams_harness import activity

    times: dict[str, list[float]] = {name: [] for name in urls}
    lock = threading.Lock()
    per_client = REQUESTS // clients

    def client(index: int) -> None:
        with httpx.Client(timeout=30) as http:
            for i in range(per_client + WARM_UP // clients):
                for name, url in urls.items():
                    body = activity(
                        "personal_message",
                        id=uuid.uuid4().hex[:16],
                        service_url=service_url,
                        tenant="bench",
                        user=f"user-{index}",
                        name="Bench",
                        text="help",
                    )
                    started = time.perf_counter()
                    response = http.post(f"{url}/api/messages", json=body)
                    took = time.perf_counter() - started
                    assert response.status_code in (200, 202), response.text
                    if i >= WARM_UP // clients:
                        with lock:
                            times[name].append(took)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return times


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def proactive(db_path: str, service_url: str) -> tuple[float, int, int]:
    from functools import partial

    from bot.channels.teams import TeamsAuth, TeamsSender
    from handlers.chat import addresses
    from handlers.chat.clock import FixedClock
    from handlers.chat.context import AppContext
    from handlers.chat.messages import Choice, Item, Reply
    from handlers.chat.outbox import queue
    from models.db import make_engine, transaction
    from models.tables import ChatIdentity, Person
    from reminders.delivery import deliver

    now = datetime(2026, 11, 23, 10, tzinfo=LONDON)
    ctx = AppContext(engine=make_engine(f"sqlite:///{db_path}"), clock=FixedClock(now), tz=LONDON)
    reply = Reply(
        "Good morning. 3 actions need your update.",
        items=tuple(
            Item(f"R{i}", "Due 30 November", choices=(Choice("Add update", f"update p:R{i}"),))
            for i in range(3)
        ),
    )
    with transaction(ctx.engine) as session:
        for n in range(OFFICERS):
            person = Person(name=f"Officer {n}", email=f"officer{n}@example.org")
            session.add(person)
            session.flush()
            user = f"aad-{n}"
            session.add(ChatIdentity(person_id=person.id or 0, platform="teams", user_id=user))
            address = {
                "scope": "personal",
                "service_url": service_url,
                "conversation": f"a:personal-{n}",
                "tenant": "bench",
                "user": f"29:{n}",
                "bot": "28:bot",
                "bot_name": "engagebot",
            }
            addresses.save(session, "teams", user, address, now)
            queue(session, reply, via="teams", kind="reminder", now=now, person_id=person.id)
    sender = TeamsSender(TeamsAuth(anonymous=True), partial(addresses.load, ctx, "teams"))
    started = time.perf_counter()
    try:
        report = deliver(ctx, sender)
    finally:
        sender.close()
    return time.perf_counter() - started, report.sent, report.failed


def main() -> None:
    _quiet()
    from models.db import make_engine, upgrade
    from tests.fakes.teams_connector import FakeConnector

    spawn = multiprocessing.get_context("spawn")
    with tempfile.TemporaryDirectory() as tmp, FakeConnector() as teams:
        db = os.path.join(tmp, "bench.db")
        upgrade(make_engine(f"sqlite:///{db}"))
        bot_port, echo_port = _free_port(), _free_port()
        servers = [
            spawn.Process(target=serve_engagebot, args=(db, bot_port)),
            spawn.Process(target=serve_echo, args=(echo_port,), daemon=True),
        ]
        for server in servers:
            server.start()
        urls = {
            "bare Agents SDK echo bot": f"http://127.0.0.1:{echo_port}",
            "engagebot": f"http://127.0.0.1:{bot_port}",
        }
        try:
            for url in urls.values():
                _wait_up(url)
            print(f"POST /api/messages → response, {REQUESTS} `help` activities per server")
            for clients in (1, 8):
                times = latency(urls, teams.service_url, clients)
                for name, values in times.items():
                    print(
                        f"  {clients} client(s)  {name:26s} p50 {_pct(values, 0.5):6.1f} ms"
                        f"  p99 {_pct(values, 0.99):6.1f} ms  mean "
                        f"{statistics.mean(values) * 1000:6.1f} ms"
                    )
            time.sleep(2)  # let engagebot's replies drain
        finally:
            for server in servers:
                server.terminate()
        teams.calls.clear()
        teams.sends_per_second = SENDS_PER_SECOND
        took, sent, failed = proactive(os.path.join(tmp, "bench.db"), teams.service_url)
        throttled = len([c for c in teams.of("send")]) - sent
        print(
            f"Proactive: {sent} of {OFFICERS} reminders delivered in {took:.1f} s "
            f"({sent / took:.0f}/s; connector limit {SENDS_PER_SECOND}/s), "
            f"{throttled} throttled sends retried, {failed} left for the next run"
        )


if __name__ == "__main__":
    main()
