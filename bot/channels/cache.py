"""A small thread-safe cache with a size limit and a time to live, for platform look-ups.

People's e-mails are looked up once and remembered, but not for ever (a changed e-mail is
picked up after `ttl`) and not without limit (the least recently used go beyond `size`).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class TTLCache(Generic[K, V]):
    def __init__(
        self, size: int = 5000, ttl: float = 3600.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.size = size
        self.ttl = ttl
        self.clock = clock
        self._entries: OrderedDict[K, tuple[float, V]] = OrderedDict()
        self._guard = threading.Lock()

    def get(self, key: K) -> tuple[V] | None:
        """`(value,)` while it is fresh (a value may be None), else None."""
        with self._guard:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if self.clock() - entry[0] > self.ttl:
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return (entry[1],)

    def put(self, key: K, value: V) -> None:
        with self._guard:
            self._entries[key] = (self.clock(), value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        with self._guard:
            self._entries.clear()
