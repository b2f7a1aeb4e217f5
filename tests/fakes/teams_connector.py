"""A fake Bot Connector (the serviceUrl Teams gives) on 127.0.0.1: records every call, can fail
(an error status, 429 with Retry-After, a hang past the client's timeout, a dropped connection).

Answers the calls a bot makes: send (POST …/activities, or …/activities/{replyToId}), update
(PUT …/activities/{id}) and member look-up (GET …/members/{userId}).
"""

from __future__ import annotations

import html
import json
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import unquote

from tests.fakes.recorder import RecordingServer


@dataclass
class Call:
    kind: str  # "send", "update" or "member"
    conversation: str
    body: dict[str, Any]
    path: str
    authorization: str | None
    activity_id: str = ""  # what was replied to (send) or replaced (update)
    new_id: str = ""  # the id the fake gave a sent activity
    at: float = field(default_factory=time.monotonic)
    status: int | None = None  # what the fake answered; None: it hung or dropped the call

    @property
    def cards(self) -> list[dict[str, Any]]:
        return [
            a["content"]
            for a in self.body.get("attachments") or []
            if a.get("contentType") == "application/vnd.microsoft.card.adaptive"
        ]

    @property
    def text(self) -> str:
        parts = [str(self.body.get("text") or "")]
        for card in self.cards:
            parts += list(card_texts(card))
        return readable("\n".join(p for p in parts if p))


@dataclass
class Failure:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: dict[str, Any] = field(
        default_factory=lambda: {"error": {"code": "Failed", "message": "fake failure"}}
    )
    hang: float = 0.0  # seconds to hold the request without answering, then drop it
    close: bool = False  # drop the connection without answering


BODILESS = frozenset({204, 205, 304})  # statuses HTTP says carry no body

_ROUTE = re.compile(
    r"^/v3/conversations/(?P<conv>[^/]+)/(?P<what>activities|members)(?:/(?P<id>[^/]+))?$"
)


class FakeConnector(RecordingServer[Call, Failure]):
    """`with FakeConnector() as teams:`; activities carry `teams.service_url` as serviceUrl."""

    def __init__(self) -> None:
        super().__init__(self._handler())
        self.members: dict[str, dict[str, str]] = {}  # user id -> member fields (email, …)
        self.delay = 0.0  # seconds before answering a send
        # Teams' throttle, if set: at most this many sends a second, then 429 Retry-After 1.
        self.sends_per_second: int | None = None
        self._window: list[float] = []
        self._next = 0

    @staticmethod
    def name_of(call: Call) -> str:
        return call.kind

    @property
    def service_url(self) -> str:
        return self.base_url + "/"

    def __enter__(self) -> FakeConnector:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def of(self, kind: str = "send") -> list[Call]:
        return super().of(kind)

    def wait_for(self, kind: str = "send", count: int = 1, timeout: float = 10.0) -> list[Call]:
        return super().wait_for(kind, count, timeout)

    def delivered(self, kind: str = "send") -> list[Call]:
        """The calls of `kind` that took effect (a message posted into a chat)."""
        return [c for c in self.of(kind) if c.status is not None and c.status < 300]

    def texts(self, kind: str = "send") -> str:
        return "\n".join(c.text for c in self.of(kind))

    def _throttled(self) -> bool:
        if self.sends_per_second is None:
            return False
        now = time.monotonic()
        with self._lock:
            self._window = [t for t in self._window if now - t < 1.0]
            if len(self._window) >= self.sends_per_second:
                return True
            self._window.append(now)
            return False

    def _new_id(self) -> str:
        with self._lock:
            self._next += 1
            return f"1{self._next:012d}"

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _serve(self, verb: str) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                route = _ROUTE.match(self.path.split("?", 1)[0])
                if route is None:
                    self._send(404, {"error": "no such route"})
                    return
                conversation = unquote(route["conv"])
                target = unquote(route["id"] or "")
                if route["what"] == "members":
                    kind = "member"
                else:
                    kind = "update" if verb == "PUT" else "send"
                body = json.loads(raw or b"{}")
                call = Call(
                    kind, conversation, body, self.path, self.headers.get("Authorization"), target
                )
                failure = fake._record(call)
                if failure is not None and (failure.hang or failure.close):
                    time.sleep(failure.hang)
                    self.close_connection = True  # no answer: the client sees a drop or timeout
                    return
                if kind == "send" and fake.delay:
                    time.sleep(fake.delay)
                if failure is None and kind == "send" and fake._throttled():
                    failure = Failure(429, {"Retry-After": "1"})
                if failure is not None:
                    self._send(failure.status, failure.body, failure.headers, call)
                elif kind == "member":
                    member = fake.members.get(target)
                    if member is None:
                        self._send(
                            404, {"error": {"code": "MemberNotFoundInConversation"}}, call=call
                        )
                    else:
                        self._send(200, {"id": target, **member}, call=call)
                elif kind == "update":
                    self._send(200, {"id": target}, call=call)
                else:
                    call.new_id = fake._new_id()
                    self._send(201, {"id": call.new_id}, call=call)

            def do_POST(self) -> None:  # noqa: N802
                self._serve("POST")

            def do_PUT(self) -> None:  # noqa: N802
                self._serve("PUT")

            def do_GET(self) -> None:  # noqa: N802
                self._serve("GET")

            def _send(
                self,
                status: int,
                body: dict[str, Any],
                headers: dict[str, str] | None = None,
                call: Call | None = None,
            ) -> None:
                if call is not None:
                    call.status = status
                data = b"" if status in BODILESS else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        return Handler


def card_texts(node: Any) -> Iterator[str]:
    """Every piece of text in a card: TextBlocks, facts, button titles, input labels."""
    if isinstance(node, dict):
        kind = node.get("type")
        if kind == "TextBlock":
            yield str(node.get("text", ""))
        elif kind and str(kind).startswith("Action."):
            yield str(node.get("title", ""))
        elif kind and str(kind).startswith("Input."):
            yield str(node.get("label", ""))
        if "title" in node and "value" in node and kind is None:  # a fact
            yield f"{node['title']}: {node['value']}"
        for value in node.values():
            if isinstance(value, (dict, list)):
                yield from card_texts(value)
    elif isinstance(node, list):
        for value in node:
            yield from card_texts(value)


def readable(text: str) -> str:
    """Text as a person sees it: markdown escapes and HTML entities undone, paragraphs joined."""
    return html.unescape(re.sub(r"\\(.)", r"\1", text)).replace("\n\n", "\n")
