"""Reminder delivery while the chat platform misbehaves: 429 with Retry-After, 5xx, a call that
hangs past the client's timeout, a dropped connection, connections refused.

Each round sweeps (one reminder owed to each officer), delivers through the faulty platform,
then lets later runs recover. Counted from what the fake platform accepted: every officer's
reminder arrived exactly once (lost = none, duplicated = more than one), and no delivery run
fell over with an exception (failed).
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from pathlib import Path

import pytest

from bot.channels import teams as teams_channel
from bot.channels.slack import SlackSender, make_client
from bot.channels.teams import TeamsSender
from handlers.chat import addresses
from handlers.chat.clock import FixedClock
from handlers.chat.context import AppContext
from reminders.delivery import Sender, deliver
from reminders.policy import Policy
from reminders.sweep import sweep
from tests.fakes import slack_api, teams_connector
from tests.fakes.slack_api import FakeSlack
from tests.fakes.teams_connector import FakeConnector
from tests.reliability.officers import Officer, make_officers, unsent
from tests.reliability.profile import scale
from tests.reliability.tally import TALLY
from tests.teams_harness import ANONYMOUS

TIMEOUT = 0.5  # the platform clients' timeout in these tests, so a hang costs little
RECOVERY_RUNS = 3  # later delivery runs (each 11 minutes on, past a stale claim)
ITEM_4 = "item 4 (ops): outbox rows give up after 10 failures"


@dataclass
class Platform:
    """A fake platform, a sender to it, and how to name and count what it accepted."""

    name: str
    fake: FakeSlack | FakeConnector
    sender: Sender
    method: str  # the call that posts a message

    def accepted(self) -> list[str]:
        """Where each message the fake accepted landed, in order."""
        if isinstance(self.fake, FakeSlack):
            return [str(c.params.get("channel")) for c in self.fake.delivered(self.method)]
        return [c.conversation for c in self.fake.delivered(self.method)]

    def error(self, status: int, retry_after: str = "") -> object:
        headers = {"Retry-After": retry_after} if retry_after else {}
        if isinstance(self.fake, FakeSlack):
            body = {"ok": False, "error": "ratelimited" if status == 429 else "internal_error"}
            return slack_api.Failure(status, body, headers)
        return teams_connector.Failure(status, headers)

    def drop(self, *, hang: float = 0.0) -> object:
        if isinstance(self.fake, FakeSlack):
            return slack_api.Failure(hang=hang, close=not hang)
        return teams_connector.Failure(0, hang=hang, close=not hang)


Fault = Callable[[Platform], AbstractContextManager[object]]


def queued(*failures: Callable[[Platform], object]) -> Fault:
    """The platform answers the next posts with these failures, then normally."""

    def inject(p: Platform) -> AbstractContextManager[object]:
        p.fake.fail(p.method, *[f(p) for f in failures])  # type: ignore[arg-type]
        return nullcontext()

    return inject


FAULTS: dict[str, Fault] = {
    "429 Retry-After": queued(lambda p: p.error(429, "1")),
    "5xx": queued(lambda p: p.error(500), lambda p: p.error(503), lambda p: p.error(502)),
    "hang past timeout": queued(lambda p: p.drop(hang=TIMEOUT + 0.3)),
    "dropped connection": queued(lambda p: p.drop(), lambda p: p.drop()),
    "connection refused": lambda p: p.fake.down(),
}


@pytest.fixture(params=["slack", "teams"])
def platform(
    request: pytest.FixtureRequest, ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Platform]:
    if request.param == "slack":
        with FakeSlack() as slack:
            client = make_client("xoxb-test", slack.api_url)
            client.timeout = TIMEOUT  # type: ignore[assignment]
            yield Platform("slack", slack, SlackSender(client), "chat.postMessage")
        return
    monkeypatch.setattr(teams_channel, "HTTP_TIMEOUT", TIMEOUT)
    with FakeConnector() as connector:
        sender = TeamsSender(ANONYMOUS, partial(addresses.load, ctx, "teams"))
        sender.sleep = _briefly  # its back-off, a tenth as long: what is counted is the same
        try:
            yield Platform("teams", connector, sender, "send")
        finally:
            sender.close()


async def _briefly(seconds: float) -> None:
    await asyncio.sleep(seconds / 10)


def one_round(
    ctx: AppContext, p: Platform, officers: list[Officer], fault: Fault
) -> tuple[Counter[str], Exception | None]:
    """Sweep, deliver through the fault, recover: how many times each officer was reached,
    and the exception a delivery run fell over with, if one did."""
    assert isinstance(ctx.clock, FixedClock)
    ctx.clock.advance(timedelta(days=7))  # another week overdue: another reminder each
    report = sweep(ctx, Policy(), p.name)
    while report.skipped:  # a bank holiday: nothing goes out; next week, then
        ctx.clock.advance(timedelta(days=7))
        report = sweep(ctx, Policy(), p.name)
    assert report.queued == len(officers)
    before = len(p.accepted())
    crashed: Exception | None = None
    with fault(p):
        try:
            deliver(ctx, p.sender)
        except Exception as err:  # a delivery run must survive any platform failure
            crashed = err
    for _ in range(RECOVERY_RUNS):
        if not unsent(ctx):
            break
        ctx.clock.advance(timedelta(minutes=11))
        deliver(ctx, p.sender)
    return Counter(p.accepted()[before:]), crashed


def count(reached: Counter[str], officers: list[Officer]) -> tuple[int, int]:
    """(lost, duplicated) over the officers owed one reminder each."""
    lost = sum(1 for o in officers if reached[o.place] == 0)
    duplicated = sum(reached[o.place] - 1 for o in officers if reached[o.place] > 1)
    return lost, duplicated


@pytest.mark.parametrize("fault", list(FAULTS))
def test_every_reminder_arrives_exactly_once_whatever_the_platform_does(
    ctx: AppContext, platform: Platform, fault: str, tmp_path: Path
) -> None:
    service_url = platform.fake.base_url + "/"
    officers = make_officers(ctx, tmp_path, scale(3, 20), platform.name, service_url)
    category = f"fault: {fault} ({platform.name})"
    for _ in range(scale(1, 5)):
        reached, crashed = one_round(ctx, platform, officers, FAULTS[fault])
        lost, duplicated = count(reached, officers)
        failed = 0 if crashed is None else 1
        TALLY.record(category, tried=len(officers), failed=failed, lost=lost, duplicated=duplicated)
        assert crashed is None, f"a delivery run fell over: {crashed!r}"
        assert (lost, duplicated) == (0, 0), f"{fault}: {reached}"


@pytest.mark.xfail(reason=ITEM_4, strict=False)
def test_a_long_outage_loses_no_reminder(
    ctx: AppContext, platform: Platform, tmp_path: Path
) -> None:
    """Twelve delivery runs (three hours of sweeps) fail, then the platform returns."""
    service_url = platform.fake.base_url + "/"
    officers = make_officers(ctx, tmp_path, scale(3, 10), platform.name, service_url)
    category = f"fault: 12 failed runs, then back ({platform.name})"
    TALLY.record(category, note="xfail: " + ITEM_4)
    assert isinstance(ctx.clock, FixedClock)
    ctx.clock.advance(timedelta(days=7))
    sweep(ctx, Policy(), platform.name)
    before = len(platform.accepted())
    for _ in range(12):
        platform.fake.fail(platform.method, *[platform.error(500)] * len(officers))
        deliver(ctx, platform.sender)
        ctx.clock.advance(timedelta(minutes=15))
    for _ in range(RECOVERY_RUNS):
        deliver(ctx, platform.sender)
        ctx.clock.advance(timedelta(minutes=15))
    lost, duplicated = count(Counter(platform.accepted()[before:]), officers)
    TALLY.record(category, tried=len(officers), lost=lost, duplicated=duplicated)
    assert (lost, duplicated) == (0, 0)
