"""Load against the real server (aiohttp on 127.0.0.1, the core in its thread pool): a burst of
signed Slack requests at once, good and bad, and many officers giving updates at the same time.

Counted from the answers, the fake Slack and the database: failed = a request that got a 5xx or
a status it should not have (a bad request gets 4xx, never 5xx); lost = a message, command or
button the bot never answered, or a note not stored; duplicated = answered or stored twice.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest

from handlers.chat.context import AppContext
from tests.reliability.officers import Officer, make_officers
from tests.reliability.profile import LONG, scale
from tests.reliability.servers import server
from tests.reliability.stories import Story, lost_and_duplicated, tell
from tests.reliability.tally import TALLY
from tests.slack_harness import SlackBot, payload, signed_headers

SETTLE = 60.0  # seconds for every answer to arrive after the burst


@dataclass
class Request:
    kind: str
    body: str
    content_type: str
    headers: dict[str, str]
    expect: int  # the status it must get
    answer_in: str = ""  # where its answer is posted (a DM channel or a response_url path)


def dm(officer: Officer, text: str, event_id: str, retry: bool = False) -> Request:
    envelope = payload(
        "message_im",
        user=officer.chat_id,
        text=text,
        channel=officer.place,
        ts=f"{time.time():.6f}",
        event_id=event_id,
    )
    body = json.dumps(envelope)
    headers = signed_headers(body)
    if retry:  # Slack sending the same event again: answered once only
        headers |= {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    return Request(
        "retried event" if retry else "DM",
        body,
        "application/json",
        headers,
        200,
        "" if retry else officer.place,
    )


def command(bot: SlackBot, officer: Officer, name: str) -> Request:
    form = payload(
        "slash_command",
        user=officer.chat_id,
        text="help",
        response_url=bot.slack.response_url(name),
    )
    body = urlencode(form)
    kind = "application/x-www-form-urlencoded"
    return Request("slash command", body, kind, signed_headers(body), 200, f"/respond/{name}")


def button(bot: SlackBot, officer: Officer) -> Request:
    now = f"{time.time():.6f}{uuid.uuid4().int % 1000:03d}"
    data = payload(
        "block_actions",
        user=officer.chat_id,
        value=officer.ref,
        label="Snooze a week",
        action_id="do:reminder:snooze:3",
        block_id="item-0",
        channel=officer.place,
        message_ts=now,
        action_ts=now,
        response_url=bot.slack.response_url("button"),
    )
    body = urlencode({"payload": json.dumps(data)})
    kind = "application/x-www-form-urlencoded"
    return Request("button", body, kind, signed_headers(body), 200, officer.place)


def bad(kind: str, officer: Officer) -> Request:
    body = json.dumps(
        payload(
            "message_im", user=officer.chat_id, text="hi", channel="D0", ts="1", event_id="EvBAD"
        )
    )
    if kind == "forged signature":
        headers = {**signed_headers(body), "X-Slack-Signature": "v0=" + "0" * 64}
        return Request(kind, body, "application/json", headers, 401)
    if kind == "stale timestamp":
        old = signed_headers(body, at=int(time.time()) - 600)
        return Request(kind, body, "application/json", old, 401)
    if kind == "signed garbage":
        junk = '{"type": "event_callback", "event": '
        return Request(kind, junk, "application/json", signed_headers(junk), 400)
    huge = "x" * (1024 * 1024 + 10)
    return Request("body over 1 MB", huge, "application/json", signed_headers(huge), 413)


def burst(bot: SlackBot, officers: list[Officer], count: int) -> list[Request]:
    """`count` requests of every kind, the officers taking turns."""
    requests: list[Request] = []
    sent_events: list[tuple[Officer, str]] = []
    kinds = ["DM", "DM", "command", "button", "retry", "forged", "stale", "garbage", "DM", "huge"]
    for i in range(count):
        officer = officers[i % len(officers)]
        kind = kinds[i % len(kinds)]
        if kind == "DM" or (kind == "retry" and not sent_events):
            event_id = f"Ev{uuid.uuid4().hex[:10].upper()}"
            sent_events.append((officer, event_id))
            requests.append(dm(officer, "my actions", event_id))
        elif kind == "retry":
            earlier, event_id = sent_events[i % len(sent_events)]
            requests.append(dm(earlier, "my actions", event_id, retry=True))
        elif kind == "command":
            requests.append(command(bot, officer, f"load-{i}"))
        elif kind == "button":
            requests.append(button(bot, officer))
        else:
            name = {"forged": "forged signature", "stale": "stale timestamp"}.get(kind, "")
            requests.append(bad(name or ("signed garbage" if kind == "garbage" else ""), officer))
    return requests


async def fire(url: str, requests: list[Request]) -> list[int]:
    """Every request at once; the status each got (0: no answer at all)."""
    limits = httpx.Limits(max_connections=len(requests))
    async with httpx.AsyncClient(timeout=60, limits=limits) as client:

        async def one(r: Request) -> int:
            headers = {"Content-Type": r.content_type, **r.headers}
            try:
                answer = await client.post(f"{url}/slack/events", content=r.body, headers=headers)
            except httpx.HTTPError:
                return 0
            return answer.status_code

        return await asyncio.gather(*(one(r) for r in requests))


def answered(bot: SlackBot) -> Counter[str]:
    """Answers by where they were posted: DM channels and response_url paths."""
    posts = Counter(str(c.params.get("channel")) for c in bot.slack.delivered("chat.postMessage"))
    return posts + Counter(c.path for c in bot.slack.delivered("respond"))


# The core in this process's thread pool; in the long form also a real `engagebot serve` (the
# core in worker processes), which takes a few seconds to start.
SERVERS = ["in-process"] + (["engagebot serve"] if LONG else [])


@pytest.mark.parametrize("kind", SERVERS)
def test_a_burst_of_signed_slack_requests(ctx: AppContext, tmp_path: Path, kind: str) -> None:
    officers = make_officers(ctx, tmp_path, 20, "slack")
    with server(kind, ctx, tmp_path) as bot:
        requests = burst(bot, officers, scale(200, 1000))
        statuses = asyncio.run(fire(bot.url, requests))
        owed = Counter(r.answer_in for r in requests if r.answer_in)
        deadline = time.monotonic() + SETTLE
        while time.monotonic() < deadline and any(answered(bot)[k] < n for k, n in owed.items()):
            time.sleep(0.1)
        time.sleep(0.5)  # anything extra (a retried event answered twice) shows up too
        got = answered(bot)
    for group, good in (("good", True), ("bad input", False)):
        mine = [
            (r, st) for r, st in zip(requests, statuses, strict=True) if (r.expect == 200) == good
        ]
        places = Counter(r.answer_in for r, _ in mine if r.answer_in)
        TALLY.record(
            f"load: Slack request burst, {group} ({kind})",
            tried=len(mine),
            failed=sum(1 for r, st in mine if st != r.expect),
            lost=sum(max(0, n - got[p]) for p, n in places.items()),
            duplicated=sum(max(0, got[p] - owed[p]) for p in places),
        )
    wrong = [
        (r.kind, r.expect, s) for r, s in zip(requests, statuses, strict=True) if s != r.expect
    ]
    assert wrong == [], wrong[:10]
    assert all(s < 500 for s in statuses)
    assert {p: got[p] for p in owed} == dict(owed)  # every answer arrived, none twice
    # Who the bot is, asked of Slack once, not once per request of the burst (a stampede that
    # timed out and answered 500 under a real `engagebot serve`).
    assert len(bot.slack.of("auth.test")) == 1


@pytest.mark.parametrize("kind", SERVERS)
def test_many_officers_giving_updates_at_once(ctx: AppContext, tmp_path: Path, kind: str) -> None:
    officers = make_officers(ctx, tmp_path, scale(50, 200), "slack")
    stories = [Story(o, f"Update under load from {o.ref}") for o in officers]
    with server(kind, ctx, tmp_path) as bot, ThreadPoolExecutor(len(stories)) as pool:
        for each in [pool.submit(tell, bot, s) for s in stories]:
            each.result()
    lost, duplicated = lost_and_duplicated(ctx, stories)
    unanswered = sum(s.unanswered for s in stories)
    apologies = sum(s.apologies for s in stories)
    TALLY.record(
        f"load: concurrent conversations ({kind})",
        tried=sum(s.tries for s in stories),
        failed=unanswered + apologies,
        lost=lost,
        duplicated=duplicated,
    )
    assert (unanswered, apologies) == (0, 0)
    assert all(s.saved for s in stories)
    assert (lost, duplicated) == (0, 0)
