"""The composition root: settings in, a ready context out. Nothing else builds engines or clocks."""

from __future__ import annotations

from bot.settings import Settings
from handlers.clock import Clock, FixedClock, SystemClock
from handlers.context import AppContext
from models.db import make_engine, upgrade


def build_context(settings: Settings, *, database_url: str | None = None) -> AppContext:
    """Engine (schema upgraded in place), clock and time zone from the settings."""
    engine = make_engine(database_url or settings.database_url)
    upgrade(engine)
    return AppContext(engine=engine, clock=make_clock(settings), tz=settings.tz)


def make_clock(settings: Settings) -> Clock:
    if settings.fixed_now is None:
        return SystemClock(settings.tz)
    fixed = settings.fixed_now
    return FixedClock(fixed if fixed.tzinfo else fixed.replace(tzinfo=settings.tz))
