"""A plan of officers with one overdue action each, known on Slack or Teams: every sweep owes
each of them exactly one reminder, so what reached the fake platform can be counted per head."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import col, select

from handlers.chat import addresses
from handlers.chat.context import AppContext
from handlers.importing.importer import import_file
from handlers.plans.people import assign
from models.db import transaction
from models.tables import Outbox

HEADER = ["Ref", "Recommendation", "Responsible officer", "Target Date"]


@dataclass(frozen=True)
class Officer:
    ref: str
    role: str
    email: str
    chat_id: str  # their id on the platform
    place: str  # where their reminders land: the Slack DM, or the Teams conversation


def dm_of(slack_user: str) -> str:
    """The DM channel the fake Slack opens for a user (conversations.open)."""
    return "D" + slack_user[1:]


def make_officers(
    ctx: AppContext, folder: Path, count: int, platform: str, service_url: str = ""
) -> list[Officer]:
    """`count` officers, each owning one action overdue by a week, reachable on `platform`."""
    officers = []
    for i in range(count):
        if platform == "slack":
            chat_id = f"U0OFF{i:03d}"
            place = dm_of(chat_id)
        else:
            chat_id, place = f"29:off{i:03d}", f"a:personal-off{i:03d}"
        officers.append(
            Officer(f"F{i}", f"Officer {i:03d}", f"officer{i}@example.org", chat_id, place)
        )
    sheet = folder / "officers.csv"
    with sheet.open("w", newline="", encoding="utf-8") as handle:
        rows = [[o.ref, f"Deliver task {o.ref}", o.role, "16/11/2026"] for o in officers]
        csv.writer(handle).writerows([HEADER, *rows])
    import_file(ctx, sheet, plan_name="officers")
    with transaction(ctx.engine) as session:
        for o in officers:
            assign(session, o.role, name=o.role, email=o.email, chat={platform: o.chat_id})
            if platform == "teams":
                address = {
                    "scope": "personal",
                    "service_url": service_url,
                    "conversation": o.place,
                    "tenant": "72f988bf-86f1-41af-91ab-2d7cd011db47",
                    "user": o.chat_id,
                    "bot": "28:engagebot",
                    "bot_name": "engagebot",
                }
                addresses.save(session, "teams", o.chat_id, address, ctx.now())
    return officers


def unsent(ctx: AppContext) -> int:
    """Queued messages not (yet) marked sent."""
    with transaction(ctx.engine) as session:
        return len(session.exec(select(Outbox.id).where(col(Outbox.sent_at).is_(None))).all())
