"""Time, from a clock that tests can fix. Every date the product shows is in one time zone."""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware."""
        ...


class SystemClock:
    def __init__(self, tz: ZoneInfo) -> None:
        self.tz = tz

    def now(self) -> datetime:
        return datetime.now(self.tz)


class FixedClock:
    """A clock that stands still until told to move."""

    def __init__(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("FixedClock needs a timezone-aware datetime")
        self.at = at

    def now(self) -> datetime:
        return self.at

    def advance(self, delta: timedelta) -> None:
        self.at = self.at + delta


class RehearsalClock:
    """Starts at a chosen time and runs on at the real rate: `engagebot serve` with
    ENGAGEBOT_NOW rehearses a day, and a server whose clock stood still would never see a
    claim go stale or a lock expire."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("RehearsalClock needs a timezone-aware datetime")
        self.start = start
        self.began = time.monotonic()

    def now(self) -> datetime:
        return self.start + timedelta(seconds=time.monotonic() - self.began)


def local_today(clock: Clock, tz: ZoneInfo) -> date:
    return clock.now().astimezone(tz).date()
