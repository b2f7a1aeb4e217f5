"""`GET /metrics` for Prometheus: turns, replies, reminders, the outbox, and how long they take.

Everything is counted in the server's own process: the conversation core runs in worker
processes, but every turn is awaited here (`MeteredCore` wraps the core the channels use), and
reminders are delivered by the scheduler's thread here (`MeteredSender` wraps each sender), so
no multiprocess collection is needed and a replaced worker loses no counts. What waits in the
outbox is read from the database at each scrape, so every instance reports the same queue.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from aiohttp import web
from aiohttp.typedefs import Handler
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlmodel import col

from bot.core import Core
from handlers.chat.context import AppContext
from handlers.chat.messages import Form, Incoming, Outcome, Reply, Submitted
from handlers.chat.outbound import Recipient, Sender, Sent
from handlers.chat.outbox import HELD  # failures at or above it: held until the person writes
from models.db import transaction
from models.scoping import ALL
from models.tables import Outbox

PATH = "/metrics"
# Seconds: a chat turn is tens of milliseconds, a reminder run or a slow Slack call seconds.
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class Metrics:
    """One server's metrics, in a registry of their own (tests start each from zero)."""

    name = "metrics"

    def __init__(self, ctx: AppContext) -> None:
        self.registry = CollectorRegistry()
        self.turns = Counter(
            "engagebot_turns",
            "Chat turns handled by the conversation core: messages, button presses, forms.",
            ["channel", "kind"],
            registry=self.registry,
        )
        self.turn_errors = Counter(
            "engagebot_turn_errors",
            "Turns that failed (the user was told nothing was saved).",
            ["channel", "kind"],
            registry=self.registry,
        )
        self.replies = Counter(
            "engagebot_replies",
            "Replies the core gave back to a channel.",
            ["channel"],
            registry=self.registry,
        )
        self.turn_seconds = Histogram(
            "engagebot_turn_seconds",
            "Time from handing a turn to the core to having its replies.",
            ["channel", "kind"],
            buckets=BUCKETS,
            registry=self.registry,
        )
        self.requests = Histogram(
            "engagebot_http_request_seconds",
            "HTTP requests served, by route and status, and how long they took.",
            ["route", "method", "status"],
            buckets=BUCKETS,
            registry=self.registry,
        )
        self.reminders = Counter(
            "engagebot_reminders",
            "Reminder messages delivered (sent) or not (failed, refused), by platform.",
            ["via", "outcome"],
            registry=self.registry,
        )
        self.send_seconds = Histogram(
            "engagebot_reminder_send_seconds",
            "Time to deliver one reminder message to its platform.",
            ["via"],
            buckets=BUCKETS,
            registry=self.registry,
        )
        self.registry.register(OutboxCollector(ctx))

    def mount(self, app: web.Application) -> None:
        """GET /metrics, and every request timed by the route it took."""
        app.router.add_get(PATH, self.handle)
        app.middlewares.append(self.timed)

    async def handle(self, request: web.Request) -> web.Response:
        # Off the event loop: the outbox figures are a database query.
        body = await asyncio.to_thread(generate_latest, self.registry)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    @web.middleware
    async def timed(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        started = time.perf_counter()
        status = 500
        try:
            response = await handler(request)
            status = response.status
            return response
        except web.HTTPException as refused:
            status = refused.status
            raise
        finally:
            resource = request.match_info.route.resource
            route = resource.canonical if resource is not None else "unmatched"
            self.requests.labels(route, request.method, str(status)).observe(
                time.perf_counter() - started
            )


class OutboxCollector(Collector):
    """What waits to be delivered, read from the database at each scrape."""

    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx

    def collect(self) -> Iterator[GaugeMetricFamily]:
        queued = GaugeMetricFamily(
            "engagebot_reminders_queued",
            "Messages in the outbox not yet delivered, by state (waiting, failing, refused).",
            labels=["state"],
        )
        oldest = GaugeMetricFamily(
            "engagebot_outbox_oldest_seconds",
            "Age of the oldest message not yet delivered (0 when none waits).",
        )
        with transaction(self.ctx.engine, ALL) as session:
            unsent = col(Outbox.sent_at).is_(None)
            by_failures = select(col(Outbox.failures), func.count()).where(unsent)
            rows = session.execute(by_failures.group_by(col(Outbox.failures))).all()
            first = session.execute(select(func.min(col(Outbox.created_at))).where(unsent))
            oldest_at = first.scalar()
        states = {"waiting": 0, "failing": 0, "refused": 0}
        for failures, count in rows:
            state = "refused" if failures >= HELD else "failing" if failures else "waiting"
            states[state] += count
        for state, count in states.items():
            queued.add_metric([state], count)
        yield queued
        oldest.add_metric([], _age(oldest_at))
        yield oldest


def _age(first: datetime | None) -> float:
    if first is None:
        return 0.0
    moment = first if first.tzinfo else first.replace(tzinfo=UTC)
    return max(0.0, (datetime.now(UTC) - moment).total_seconds())


class MeteredCore:
    """The conversation core, each turn counted and timed where the channels await it."""

    def __init__(self, core: Core, metrics: Metrics) -> None:
        self.core = core
        self.metrics = metrics

    async def handle(self, msg: Incoming) -> list[Reply]:
        replies: list[Reply] = await self._timed(msg, "message", self.core.handle(msg))
        self.metrics.replies.labels(msg.channel).inc(len(replies))
        return replies

    async def respond(self, msg: Incoming) -> Outcome:
        """A message or a pressed button, answered with replies, perhaps a form, perhaps the
        pressed card as it now looks (what the channels call for most turns)."""
        kind = "button" if msg.intent is not None else "message"
        outcome: Outcome = await self._timed(msg, kind, self.core.respond(msg))
        self.metrics.replies.labels(msg.channel).inc(len(outcome.replies))
        return outcome

    async def open_form(self, msg: Incoming, name: str, key: str) -> Form | list[Reply]:
        opened: Form | list[Reply] = await self._timed(
            msg, "form", self.core.open_form(msg, name, key)
        )
        return opened

    async def submit_form(
        self, msg: Incoming, name: str, key: str, values: dict[str, str], submission_id: str
    ) -> Submitted:
        submitted: Submitted = await self._timed(
            msg, "form", self.core.submit_form(msg, name, key, values, submission_id)
        )
        return submitted

    def close(self) -> None:
        self.core.close()

    async def _timed(self, msg: Incoming, kind: str, work: Any) -> Any:
        started = time.perf_counter()
        self.metrics.turns.labels(msg.channel, kind).inc()
        try:
            return await work
        except Exception:
            self.metrics.turn_errors.labels(msg.channel, kind).inc()
            raise
        finally:
            elapsed = time.perf_counter() - started
            self.metrics.turn_seconds.labels(msg.channel, kind).observe(elapsed)

    def __getattr__(self, name: str) -> Any:  # anything else the channels use of the core
        return getattr(self.core, name)


class MeteredSender:
    """A channel's reminder sender, each delivery counted as sent, failed or refused."""

    def __init__(self, sender: Sender, metrics: Metrics) -> None:
        self.sender = sender
        self.via = sender.via
        self.metrics = metrics

    def send(self, to: Recipient, reply: Reply) -> Sent:
        from handlers.chat.outbound import Unreachable

        started = time.perf_counter()
        outcome = "failed"
        try:
            sent = self.sender.send(to, reply)
            outcome = "sent"
            return sent
        except Unreachable:
            outcome = "refused"
            raise
        finally:
            self.metrics.reminders.labels(self.via, outcome).inc()
            self.metrics.send_seconds.labels(self.via).observe(time.perf_counter() - started)

    def update(self, sent: Sent, reply: Reply) -> None:
        self.sender.update(sent, reply)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.sender, name)
