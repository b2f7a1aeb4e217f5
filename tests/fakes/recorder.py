"""What every fake platform API on 127.0.0.1 shares: a loopback HTTP server that records each
call by name, lets a test wait for calls (the bot works after its acknowledgement), answers
the next calls of a name with queued failures, and can go down (connections refused) for a
while."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Generic, TypeVar

CallT = TypeVar("CallT")
FailureT = TypeVar("FailureT")


class RecordingServer(Generic[CallT, FailureT]):
    """Subclasses say how a call is named (`name_of`) and give the request handler."""

    def __init__(self, handler: type[BaseHTTPRequestHandler]) -> None:
        self.calls: list[CallT] = []
        self._failures: dict[str, list[FailureT]] = {}
        self._lock = threading.Condition()
        self._handler = handler
        self._server = self._listen(0)
        self._thread = threading.Thread(target=self._serve, daemon=True)

    @staticmethod
    def name_of(call: Any) -> str:
        raise NotImplementedError

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    @contextmanager
    def down(self) -> Iterator[None]:
        """Nothing listens on the fake's port inside the block (connections are refused); it
        answers again, on the same port, after."""
        port = int(self._server.server_address[1])
        self.stop()
        try:
            yield
        finally:
            self._server = self._listen(port)
            self._thread = threading.Thread(target=self._serve, daemon=True)
            self._thread.start()

    def _serve(self) -> None:
        self._server.serve_forever(poll_interval=0.05)  # so stopping takes no time

    def _listen(self, port: int) -> ThreadingHTTPServer:
        server = ThreadingHTTPServer(("127.0.0.1", port), self._handler)
        server.daemon_threads = True
        return server

    def fail(self, name: str, *failures: FailureT) -> None:
        """The next calls named `name` get these answers, in order, then normal ones again."""
        with self._lock:
            self._failures.setdefault(name, []).extend(failures)

    def of(self, name: str) -> list[CallT]:
        with self._lock:
            return [c for c in self.calls if self.name_of(c) == name]

    def wait_for(self, name: str, count: int = 1, timeout: float = 10.0) -> list[CallT]:
        """Wait until `name` has been called `count` times."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while len([c for c in self.calls if self.name_of(c) == name]) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    seen = [self.name_of(c) for c in self.calls]
                    raise AssertionError(f"{name} called fewer than {count} times; saw {seen}")
                self._lock.wait(left)
            return [c for c in self.calls if self.name_of(c) == name]

    def _record(self, call: CallT) -> FailureT | None:
        """Keep the call; the failure queued for its name, if any."""
        with self._lock:
            self.calls.append(call)
            self._lock.notify_all()
            queue = self._failures.get(self.name_of(call))
            return queue.pop(0) if queue else None


def fill(node: Any, values: dict[str, str]) -> Any:
    """A recorded payload with its {{placeholders}} filled in."""
    if isinstance(node, dict):
        return {k: fill(v, values) for k, v in node.items()}
    if isinstance(node, list):
        return [fill(v, values) for v in node]
    if isinstance(node, str):
        for key, value in values.items():
            node = node.replace("{{" + key + "}}", value)
    return node
