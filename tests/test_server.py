"""The one server: idle, slow or oversized clients never stop anyone else being answered."""

from __future__ import annotations

import contextlib
import resource
import socket
import time
from collections.abc import Iterator
from urllib.parse import urlparse

import httpx
import pytest

from handlers.chat.context import AppContext
from tests.slack_harness import SlackBot, signed_headers, slack_bot

IDLE = 1000


@pytest.fixture
def bot(ctx: AppContext) -> Iterator[SlackBot]:
    with slack_bot(ctx) as running:
        yield running


@contextlib.contextmanager
def idle_connections(url: str, count: int) -> Iterator[list[socket.socket]]:
    """`count` TCP connections that connect and then say nothing; all closed afterwards."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = 2 * count + 256  # ours and the server's ends, in this one process
    if soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(wanted, hard), hard))
    address = urlparse(url)
    sockets: list[socket.socket] = []
    try:
        for _ in range(count):
            sockets.append(socket.create_connection((address.hostname, address.port), timeout=5))
        yield sockets
    finally:
        for sock in sockets:
            sock.close()
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def test_a_thousand_idle_connections_do_not_delay_a_signed_request(bot: SlackBot) -> None:
    with idle_connections(bot.url, IDLE) as idle:
        assert len(idle) == IDLE
        started = time.monotonic()
        response = bot.command("U0SOMEONE", "help")
        elapsed = time.monotonic() - started
        assert response.status_code == 200
        # within Slack's 3 seconds: a server held up by idle sockets would wait for their timeout
        assert elapsed < 3.0, f"answered in {elapsed:.2f} s behind {IDLE} idle connections"
        bot.slack.wait_for("respond")


def test_a_client_trickling_its_request_does_not_hold_up_others(bot: SlackBot) -> None:
    address = urlparse(bot.url)
    with socket.create_connection((address.hostname, address.port), timeout=5) as slow:
        slow.sendall(b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n\r\nab")
        for _ in range(3):
            started = time.monotonic()
            assert bot.command("U0SOMEONE", "help").status_code == 200
            assert time.monotonic() - started < 1.0
            slow.sendall(b"c")
        bot.slack.wait_for("respond", 3)


def test_a_body_over_a_megabyte_is_refused(bot: SlackBot) -> None:
    body = "x" * (1024 * 1024 + 1)
    response = bot.post(body, "application/x-www-form-urlencoded")
    assert response.status_code == 413
    assert bot.slack.of("respond") == []


def test_healthz_and_unknown_paths(bot: SlackBot) -> None:
    assert httpx.get(f"{bot.url}/healthz").text == "ok"
    assert httpx.get(f"{bot.url}/nowhere").status_code == 404


def test_garbage_gets_a_plain_refusal_not_a_server_error(bot: SlackBot) -> None:
    """Unsigned, badly stamped or mis-encoded bodies: 401 or 400, never 500 and a traceback."""
    garbled = "payload={"
    unsigned = {"X-Slack-Request-Timestamp": str(int(time.time()))}
    assert bot.post(garbled, "application/x-www-form-urlencoded", unsigned).status_code == 401
    stamp_abc = {"X-Slack-Request-Timestamp": "abc", "X-Slack-Signature": "v0=x"}
    assert bot.post(garbled, "application/x-www-form-urlencoded", stamp_abc).status_code == 401
    signed_garbage = bot.post("{not json", "application/json", signed_headers("{not json"))
    assert signed_garbage.status_code in (400, 401)
    signed_form = bot.post(garbled, "application/x-www-form-urlencoded", signed_headers(garbled))
    assert signed_form.status_code == 400


def test_a_head_request_gets_no_body_so_the_next_response_on_the_connection_is_clean(
    bot: SlackBot,
) -> None:
    address = urlparse(bot.url)
    with socket.create_connection((address.hostname, address.port), timeout=5) as conn:
        conn.sendall(
            b"HEAD /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
        )
        received = b""
        deadline = time.monotonic() + 5
        while received.count(b"HTTP/1.1 200") < 2 and time.monotonic() < deadline:
            received += conn.recv(4096)
    head, _, rest = received.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200")
    assert rest.startswith(b"HTTP/1.1 200"), rest[:40]  # no "ok" left over from the HEAD
    assert rest.endswith(b"\r\n\r\nok")


def test_a_client_trickling_a_byte_every_half_second_is_cut_off(bot: SlackBot) -> None:
    address = urlparse(bot.url)
    with socket.create_connection((address.hostname, address.port), timeout=5) as slow:
        slow.sendall(b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n")
        cut_off = False
        started = time.monotonic()
        while time.monotonic() - started < 30:  # the server allows 10 s for a body
            try:
                slow.sendall(b"a")
                slow.settimeout(0.5)
                if slow.recv(1024) == b"":
                    cut_off = True
                    break
            except TimeoutError:
                continue
            except OSError:
                cut_off = True
                break
        assert cut_off, "a trickling client was allowed to hold its connection for 30 s"
