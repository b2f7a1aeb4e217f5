"""What every handler needs from the outside world, built once by the composition root."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine

from handlers.chat.clock import Clock
from models.scoping import DEFAULT_SLUG


@dataclass(frozen=True)
class AppContext:
    engine: Engine
    clock: Clock
    tz: ZoneInfo
    # A council's own consult-or-engage flowchart (CONSULT_FLOWCHART); None: the default toolkit.
    flowchart: Path | None = None
    # The organisation whose data this work may see (an id or slug); see models/scoping.py.
    org: int | str = DEFAULT_SLUG
    # The largest document an officer may attach to an activity (ENGAGEBOT_ATTACHMENT_MAX_MB).
    attachment_limit: int = 20 * 1024 * 1024
    # Where the public engagement page is (ENGAGEBOT_PUBLIC_URL), for links in chat; "" unknown.
    public_url: str = ""

    def now(self) -> datetime:
        return self.clock.now().astimezone(self.tz)

    def today(self) -> date:
        return self.now().date()
